package metrics

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/gousynth/gousynth/vcf"
)

func randomCohort(rng *rand.Rand, n, d int) *vcf.Genotypes {
	g := &vcf.Genotypes{Sites: make([]vcf.Site, d), Samples: make([]string, n), Dosage: make([]int8, n*d)}
	for i := range g.Dosage {
		g.Dosage[i] = int8(rng.IntN(4)) - 1 // includes Missing
	}
	return g
}

// naiveDistance is Σ |a − b| over sites with missing calls as fill (0
// without one).
func naiveDistance(g *vcf.Genotypes, sites []int, fill []int8, a, b int) int {
	want := 0
	for _, v := range sites {
		x, y := g.At(v, a), g.At(v, b)
		f := int8(0)
		if fill != nil {
			f = fill[v]
		}
		if x == vcf.Missing {
			x = f
		}
		if y == vcf.Missing {
			y = f
		}
		want += int(math.Abs(float64(x - y)))
	}
	return want
}

func TestManhattanPackedMatchesNaive(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	const n, d = 7, 101
	g := randomCohort(rng, n, d)
	fill := ImputeFill(g)
	for _, tc := range []struct {
		name  string
		sites []int
		fill  []int8
	}{{"all sites, training-mean fill", nil, fill}, {"all sites, missing as 0", nil, nil}, {"every third site", []int{0, 3, 6, 9, 40, 70, 99}, nil}} {
		p := Pack(g, tc.sites, tc.fill)
		sites := tc.sites
		if sites == nil {
			sites = indices(d)
		}
		dm, rows, cols := DistanceMatrix(p, nil, p, nil)
		for a := 0; a < rows; a++ {
			for b := 0; b < cols; b++ {
				if want := naiveDistance(g, sites, tc.fill, a, b); int(dm[a*cols+b]) != want {
					t.Fatalf("%s: distance(%d,%d) = %d, want %d", tc.name, a, b, dm[a*cols+b], want)
				}
			}
		}
	}
}

// NearestDistances (chrom's DCR) is the row minimum of DistanceMatrix
// (report's); ColMin of a matrix is RowMin of its transpose.
func TestNearestDistancesAreRowMinima(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	a, b := randomCohort(rng, 9, 80), randomCohort(rng, 13, 80)
	fill := ImputeFill(b)
	pa, pb := Pack(a, nil, fill), Pack(b, nil, fill)
	dm, rows, cols := DistanceMatrix(pa, nil, pb, nil)
	if got, want := NearestDistances(pa, pb), RowMin(dm, rows, cols, false); !slices.Equal(got, want) {
		t.Errorf("NearestDistances = %v, row minima %v", got, want)
	}
	dt, r2, c2 := DistanceMatrix(pb, nil, pa, nil)
	if got, want := ColMin(dm, rows, cols), RowMin(dt, r2, c2, false); !slices.Equal(got, want) {
		t.Errorf("ColMin = %v, row minima of the transpose %v", got, want)
	}
	self, n, _ := DistanceMatrix(pa, nil, pa, nil)
	for i, v := range RowMin(self, n, n, true) {
		want := int32(math.MaxInt32)
		for j := 0; j < n; j++ {
			if j != i {
				want = min(want, self[i*n+j])
			}
		}
		if v != float64(want) {
			t.Errorf("leave-one-out minimum of %d = %v, want %d", i, v, want)
		}
	}
	// Index subsets pick rows and columns.
	sub, sr, sc := DistanceMatrix(pa, []int{2, 0}, pb, []int{5})
	if sr != 2 || sc != 1 || sub[0] != dm[2*cols+5] || sub[1] != dm[0*cols+5] {
		t.Errorf("subset distances %v", sub)
	}
}

func TestImputeFillRoundsTheMean(t *testing.T) {
	g := &vcf.Genotypes{Sites: make([]vcf.Site, 3), Samples: make([]string, 4),
		Dosage: []int8{0, 1, 1, vcf.Missing, 2, 2, 1, 2, vcf.Missing, vcf.Missing, vcf.Missing, vcf.Missing}}
	if got := ImputeFill(g); !slices.Equal(got, []int8{1, 2, 0}) {
		t.Errorf("ImputeFill = %v, want [1 2 0]", got)
	}
}

func TestSubMatrix(t *testing.T) {
	d := []int32{
		0, 1, 2, 3,
		10, 11, 12, 13,
		20, 21, 22, 23,
	}
	got, r, c := SubMatrix(d, 4, []int{2, 0}, []int{3, 1})
	if want := []int32{23, 21, 3, 1}; r != 2 || c != 2 || !slices.Equal(got, want) {
		t.Errorf("SubMatrix = %v (%d × %d), want %v (2 × 2)", got, r, c, want)
	}
	got, r, c = SubMatrix(d, 4, []int{1}, nil)
	if want := []int32{10, 11, 12, 13}; r != 1 || c != 4 || !slices.Equal(got, want) {
		t.Errorf("SubMatrix of all columns = %v (%d × %d), want %v", got, r, c, want)
	}
	if got, r, _ = SubMatrix(d, 4, nil, []int{0}); r != 3 || !slices.Equal(got, []int32{0, 10, 20}) {
		t.Errorf("SubMatrix of all rows = %v (%d rows), want [0 10 20]", got, r)
	}
}
