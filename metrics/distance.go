package metrics

import (
	"math"
	"math/bits"
	"runtime"

	"github.com/gousynth/gousynth/internal/parallel"
	"github.com/gousynth/gousynth/preprocess"
	"github.com/gousynth/gousynth/vcf"
)

// Packed holds each individual's dosages of a cohort in a 2-bit
// thermometer code (0 → 00, 1 → 01, 2 → 11), 32 sites per uint64, so that
// the Manhattan distance Σ |a − b| over sites is popcount(codeA XOR
// codeB). This is the hot path of the privacy metrics (millions of pairs
// × thousands of sites), hence the hand-written bit packing instead of a
// float distance.
type Packed struct {
	// N is the number of individuals, Words the uint64 words per
	// individual.
	N, Words int
	bits     []uint64 // N × Words
}

// Row returns individual i's packed code.
func (p *Packed) Row(i int) []uint64 { return p.bits[i*p.Words : (i+1)*p.Words] }

// ImputeFill returns, per site, the rounded mean dosage of the reference
// cohort (0 for a site without calls; the fill of preprocess.ImputeMean): Pack replaces the missing calls of
// every cohort by it, so that a missing call adds the same amount for
// everyone.
func ImputeFill(ref *vcf.Genotypes) []int8 {
	means := preprocess.SiteMeans(ref)
	fill := make([]int8, len(means))
	for v, m := range means {
		fill[v] = int8(math.Round(m))
	}
	return fill
}

var thermometer = [3]uint64{0, 1, 3}

// Pack packs the sites of g (the sites listed, in that order; all of them
// when sites is nil). A missing call takes fill[v] of its site v (report and
// chrom: ImputeFill of the training cohort); with fill nil it counts as
// dosage 0. Other values are clamped to [0, 2].
func Pack(g *vcf.Genotypes, sites []int, fill []int8) *Packed {
	n := g.NumSamples()
	d := len(sites)
	if sites == nil {
		d = g.NumSites()
	}
	words := (d + 31) / 32
	p := &Packed{N: n, Words: words, bits: make([]uint64, n*words)}
	for x := 0; x < d; x++ {
		v := x
		if sites != nil {
			v = sites[x]
		}
		w, shift := x/32, uint(2*(x%32))
		for s, c := range g.Row(v) {
			if c == vcf.Missing {
				c = 0
				if fill != nil {
					c = fill[v]
				}
			}
			if c < 0 || c > 2 {
				c = min(max(c, 0), 2)
			}
			p.bits[s*words+w] |= thermometer[c] << shift
		}
	}
	return p
}

// Manhattan returns Σ |a − b| over the sites of two packed individuals.
func Manhattan(a, b []uint64) int32 {
	s := 0
	b = b[:len(a)]
	i := 0
	for ; i+4 <= len(a); i += 4 {
		s += bits.OnesCount64(a[i]^b[i]) + bits.OnesCount64(a[i+1]^b[i+1]) +
			bits.OnesCount64(a[i+2]^b[i+2]) + bits.OnesCount64(a[i+3]^b[i+3])
	}
	for ; i < len(a); i++ {
		s += bits.OnesCount64(a[i] ^ b[i])
	}
	return int32(s)
}

// DistanceMatrix returns the len(ai) × len(bi) Manhattan distances between
// individuals ai of a and bi of b (nil index slices mean "all"), row-major,
// computed on all cores.
func DistanceMatrix(a *Packed, ai []int, b *Packed, bi []int) (out []int32, rows, cols int) {
	if ai == nil {
		ai = indices(a.N)
	}
	if bi == nil {
		bi = indices(b.N)
	}
	rows, cols = len(ai), len(bi)
	out = make([]int32, rows*cols)
	parallelRows(rows, func(i int) {
		ra := a.Row(ai[i])
		o := out[i*cols : (i+1)*cols]
		for j, bj := range bi {
			o[j] = Manhattan(ra, b.Row(bj))
		}
	})
	return out, rows, cols
}

// NearestDistances returns, for each individual of a, the Manhattan
// distance to its closest individual of b (the distance to the closest
// record, DCR, when b is the training cohort), computed on all cores
// without holding the distance matrix. It is MaxInt32 when b is empty.
func NearestDistances(a, b *Packed) []float64 {
	out := make([]float64, a.N)
	parallelRows(a.N, func(i int) {
		ra := a.Row(i)
		m := int32(math.MaxInt32)
		for j := 0; j < b.N; j++ {
			m = min(m, Manhattan(ra, b.Row(j)))
		}
		out[i] = float64(m)
	})
	return out
}

// parallelRows calls f(i) for every i in [0, rows) on GOMAXPROCS workers.
func parallelRows(rows int, f func(i int)) {
	parallel.Items(rows, min(runtime.GOMAXPROCS(0), max(rows, 1)), func() func(int) { return f })
}

// indices returns 0, 1, …, n−1.
func indices(n int) []int {
	idx := make([]int, n)
	for i := range idx {
		idx[i] = i
	}
	return idx
}

// RowMin returns the minimum of each row of a rows × cols matrix d;
// skipDiag ignores entry (i, i) (a leave-one-out nearest neighbour within
// one set).
func RowMin(d []int32, rows, cols int, skipDiag bool) []float64 {
	out := make([]float64, rows)
	for i := 0; i < rows; i++ {
		m := int32(math.MaxInt32)
		for j, v := range d[i*cols : (i+1)*cols] {
			if skipDiag && i == j {
				continue
			}
			m = min(m, v)
		}
		out[i] = float64(m)
	}
	return out
}

// ColMin returns the minimum of each column of a rows × cols matrix d.
func ColMin(d []int32, rows, cols int) []float64 {
	m := make([]int32, cols)
	for j := range m {
		m[j] = math.MaxInt32
	}
	for i := 0; i < rows; i++ {
		for j, v := range d[i*cols : (i+1)*cols] {
			m[j] = min(m[j], v)
		}
	}
	out := make([]float64, cols)
	for j, v := range m {
		out[j] = float64(v)
	}
	return out
}

// SubMatrix returns the len(ri) × len(ci) block of rows ri and columns ci
// of the row-major matrix d with cols columns (a nil index slice means
// "all", as for DistanceMatrix), so that distances computed once serve
// every subset of individuals.
func SubMatrix(d []int32, cols int, ri, ci []int) (out []int32, rows, subCols int) {
	if ri == nil {
		ri = indices(len(d) / max(cols, 1))
	}
	if ci == nil {
		ci = indices(cols)
	}
	out = make([]int32, len(ri)*len(ci))
	for a, i := range ri {
		for b, j := range ci {
			out[a*len(ci)+b] = d[i*cols+j]
		}
	}
	return out, len(ri), len(ci)
}
