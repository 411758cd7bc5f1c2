package ld

import (
	"errors"
	"math"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/gousynth/gousynth/vcf"
)

func TestMatrix(t *testing.T) {
	g := simulate(120, 80, 0.05, 2)
	row := g.Row(5)
	for s := range row {
		row[s] = 0
	}
	m, err := Matrix(g)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 80; i++ {
		for j := 0; j < 80; j++ {
			want := R2(g.Row(i), g.Row(j))
			if math.IsNaN(want) {
				want = 0
			}
			if got := m.At(i, j); math.Abs(got-want) > 1e-12 {
				t.Fatalf("(%d,%d) = %v, want %v", i, j, got, want)
			}
		}
	}
	big := &vcf.Genotypes{Sites: make([]vcf.Site, MaxMatrixSites+1)}
	if _, err := Matrix(big); !errors.Is(err, ErrTooManySites) {
		t.Errorf("err = %v, want ErrTooManySites", err)
	}
	if _, err := Matrix(&vcf.Genotypes{}); !errors.Is(err, ErrNoSites) {
		t.Errorf("err = %v, want ErrNoSites", err)
	}
}

func TestPairsFromMatrixMatchesDosage(t *testing.T) {
	g := simulate(90, 120, 0, 6)
	x := mat.NewDense(90, 120, nil)
	for v := 0; v < 120; v++ {
		for s := 0; s < 90; s++ {
			x.Set(s, v, float64(g.At(v, s)))
		}
	}
	o := WindowOptions{WindowSNPs: 20, WindowKB: 5}
	want := bruteWindow(g, o)
	var got []Pair
	if err := PairsFromMatrix(x, g.Sites, o, func(p Pair) error { got = append(got, p); return nil }); err != nil {
		t.Fatal(err)
	}
	if len(got) != len(want) {
		t.Fatalf("%d pairs, want %d", len(got), len(want))
	}
	for k := range got {
		if got[k].I != want[k].I || got[k].J != want[k].J || !sameFloat(got[k].R2, want[k].R2, 1e-10) {
			t.Fatalf("pair %d = %+v, want %+v", k, got[k], want[k])
		}
	}
}

func TestDecay(t *testing.T) {
	g := simulate(100, 600, 0.01, 8)
	edges := LogBins(100, 100000, 6)
	if len(edges) != 7 || edges[0] != 100 || edges[6] != 100000 || math.Abs(edges[1]-100*math.Pow(10, 0.5)) > 1e-9 {
		t.Fatalf("LogBins = %v", edges)
	}
	bins, err := Decay(g, edges, 0)
	if err != nil {
		t.Fatal(err)
	}
	// Brute force over all pairs.
	for k, b := range bins {
		var s float64
		var c int
		for i := range g.Sites {
			for j := i + 1; j < len(g.Sites); j++ {
				d := float64(g.Sites[j].Pos - g.Sites[i].Pos)
				if g.Sites[i].Chrom != g.Sites[j].Chrom || d < edges[k] || d >= edges[k+1] {
					continue
				}
				if r := R2(g.Row(i), g.Row(j)); !math.IsNaN(r) {
					s += r
					c++
				}
			}
		}
		if b.Pairs != c || math.Abs(b.MeanR2-s/float64(c)) > 1e-12 {
			t.Fatalf("bin %d: %+v, want %d pairs mean %v", k, b, c, s/float64(c))
		}
	}
	if bins[0].MeanR2 <= bins[len(bins)-1].MeanR2 {
		t.Errorf("no decay: %v", bins)
	}
	// Capped bins: about maxPairs pairs, mean close to the full mean.
	capped, err := Decay(g, edges, 2000)
	if err != nil {
		t.Fatal(err)
	}
	for k, b := range capped {
		if bins[k].Pairs > 2000 {
			if b.Pairs < 1500 || b.Pairs > 2500 || math.Abs(b.MeanR2-bins[k].MeanR2) > 0.05 {
				t.Errorf("capped bin %d: %+v vs full %+v", k, b, bins[k])
			}
		} else if b != bins[k] {
			t.Errorf("uncapped bin %d changed: %+v vs %+v", k, b, bins[k])
		}
	}
	if _, err := Decay(g, []float64{10}, 0); err == nil {
		t.Error("Decay with one edge: no error")
	}
}

func TestBlocks(t *testing.T) {
	// Three independent segments: LD within, none across.
	a := simulate(300, 60, 0, 11)
	b := simulate(300, 60, 0, 12)
	c := simulate(300, 60, 0, 13)
	g := &vcf.Genotypes{Samples: a.Samples}
	for k, part := range []*vcf.Genotypes{a, b, c} {
		for v := 0; v < 60; v++ {
			s := part.Sites[v]
			s.Chrom = "1"
			s.Pos = k*100000 + v*100 + 1
			g.Sites = append(g.Sites, s)
			g.Dosage = append(g.Dosage, part.Row(v)...)
		}
	}
	blocks, err := Blocks(g, BlockOptions{HalfWindow: 10, MaxCrossR2: 0.01, MinSNPs: 5})
	if err != nil {
		t.Fatal(err)
	}
	var starts []int
	for _, bl := range blocks {
		starts = append(starts, bl.Start)
	}
	// A site at a segment edge may be unlinked to its own segment too, so
	// the cut may land a site or two early.
	has := func(x int) bool {
		for _, s := range starts {
			if s <= x && s >= x-2 {
				return true
			}
		}
		return false
	}
	if !has(60) || !has(120) || len(starts) > 6 {
		t.Errorf("block starts %v miss the independent segment boundaries 60 and 120", starts)
	}
	// Blocks tile the sites; MaxSNPs bounds them.
	blocks, err = Blocks(g, BlockOptions{HalfWindow: 10, MaxSNPs: 25, MinSNPs: 5})
	if err != nil {
		t.Fatal(err)
	}
	next := 0
	for _, bl := range blocks {
		if bl.Start != next || bl.End-bl.Start > 25 || bl.End-bl.Start < 5 {
			t.Fatalf("bad block %+v (expected start %d)", bl, next)
		}
		if bl.StartBP != g.Sites[bl.Start].Pos || bl.EndBP != g.Sites[bl.End-1].Pos {
			t.Fatalf("block bounds %+v", bl)
		}
		next = bl.End
	}
	if next != g.NumSites() {
		t.Fatalf("blocks cover %d of %d sites", next, g.NumSites())
	}
}

// TestCrossingScores checks S(k) against its definition, across a
// chromosome change and segment boundaries.
func TestCrossingScores(t *testing.T) {
	g := simulate(60, 300, 0.02, 21) // chromosome 2 starts at site 225
	const w = 7
	defer func(s int) { crossingSegment = s }(crossingSegment)
	crossingSegment = 40
	got := CrossingScores(g, w)
	for k := 0; k < g.NumSites()-1; k++ {
		var s float64
		var c int
		for i := k - w + 1; i <= k; i++ {
			for j := k + 1; j <= k+w; j++ {
				if i < 0 || j >= g.NumSites() || g.Sites[i].Chrom != g.Sites[j].Chrom {
					continue
				}
				if r := R2(g.Row(i), g.Row(j)); !math.IsNaN(r) {
					s += r
					c++
				}
			}
		}
		want := math.NaN()
		if c > 0 {
			want = s / float64(c)
		}
		if !sameFloat(got[k], want, 1e-12) {
			t.Fatalf("S(%d) = %v, want %v", k, got[k], want)
		}
	}
}
