package metrics

import (
	"fmt"
	"math"
	"sort"

	"github.com/gousynth/gousynth/ld"
	"github.com/gousynth/gousynth/vcf"
)

// The LD summaries of the report: r² of SNP pairs within a window, aligned
// between two cohorts, and the LD decay curve (mean r² by base-pair
// distance in log-spaced bins) with the distance between two curves.

// WindowPairs returns the site pairs in the window with a defined dosage r²
// (ld.Pairs, ordered by I then J).
func WindowPairs(g *vcf.Genotypes, win ld.WindowOptions) ([]ld.Pair, error) {
	var out []ld.Pair
	err := ld.Pairs(g, win, func(p ld.Pair) error {
		out = append(out, p)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("metrics: LD r²: %w", err)
	}
	return out, nil
}

// AlignPairs lines up two pair lists (both ordered by I then J) over the
// union of their pairs. A pair missing from one list has an undefined r² there
// (a monomorphic site): it counts as 0, no LD. dist is each aligned pair's
// distance in base pairs (sites: the sites both lists index).
func AlignPairs(a, b []ld.Pair, sites []vcf.Site) (va, vb, dist []float64) {
	n := max(len(a), len(b))
	va, vb, dist = make([]float64, 0, n), make([]float64, 0, n), make([]float64, 0, n)
	clean := func(r float64) float64 {
		if math.IsNaN(r) {
			return 0
		}
		return r
	}
	at := func(p ld.Pair) float64 { return float64(sites[p.J].Pos - sites[p.I].Pos) }
	i, j := 0, 0
	for i < len(a) || j < len(b) {
		switch {
		case j == len(b) || (i < len(a) && (a[i].I < b[j].I || (a[i].I == b[j].I && a[i].J < b[j].J))):
			va, vb, dist = append(va, clean(a[i].R2)), append(vb, 0), append(dist, at(a[i]))
			i++
		case i == len(a) || (b[j].I < a[i].I || (b[j].I == a[i].I && b[j].J < a[i].J)):
			va, vb, dist = append(va, 0), append(vb, clean(b[j].R2)), append(dist, at(b[j]))
			j++
		default:
			va, vb, dist = append(va, clean(a[i].R2)), append(vb, clean(b[j].R2)), append(dist, at(a[i]))
			i++
			j++
		}
	}
	return va, vb, dist
}

// DecayEdges returns n+1 log-spaced bin edges from the smallest distance
// (at least 1 bp) to just above the largest: the judge's bins.
func DecayEdges(dist []float64, n int) []float64 {
	lo, hi := math.Inf(1), 0.0
	for _, d := range dist {
		lo, hi = math.Min(lo, d), math.Max(hi, d)
	}
	lo = math.Max(1, lo)
	if math.IsInf(lo, 1) {
		lo = 1
	}
	hi = math.Max(hi, 2) * (1 + 1e-9)
	if hi <= lo {
		hi = lo * 2
	}
	return ld.LogBins(lo, hi, n)
}

// BinMeans is the mean of x per distance bin (edges; a distance beyond the
// last edge falls in the last bin, before the first in the first), NaN for
// an empty bin.
func BinMeans(x, dist, edges []float64) []float64 {
	nb := len(edges) - 1
	sum, cnt := make([]float64, nb), make([]float64, nb)
	for k, d := range dist {
		b := DecayBin(edges, d)
		sum[b] += x[k]
		cnt[b]++
	}
	for b := range sum {
		if cnt[b] == 0 {
			sum[b] = math.NaN()
			continue
		}
		sum[b] /= cnt[b]
	}
	return sum
}

// DecayBin returns the bin of distance d between edges: right-open bins
// (d = edges[b] belongs to bin b), a distance before the first edge in the
// first bin and one beyond the last in the last (the judge's
// searchsorted(side="right") − 1, clipped).
func DecayBin(edges []float64, d float64) int {
	b := sort.SearchFloat64s(edges, d) // first edge ≥ d
	if b < len(edges) && edges[b] == d {
		b++
	}
	return min(max(b-1, 0), len(edges)-2)
}

// MeanAbsDiff is the mean of |a[i] − b[i]| (NaN for empty slices): the
// error of per-SNP means, SDs, allele frequencies or pair r² against the
// reference's.
func MeanAbsDiff(a, b []float64) float64 {
	if len(a) == 0 {
		return math.NaN()
	}
	s := 0.0
	for i := range a {
		s += math.Abs(a[i] - b[i])
	}
	return s / float64(len(a))
}

// BinCentres returns the geometric centre of each bin between edges (the
// x of a log-spaced LD decay curve).
func BinCentres(edges []float64) []float64 {
	c := make([]float64, len(edges)-1)
	for i := range c {
		c[i] = math.Sqrt(edges[i] * edges[i+1])
	}
	return c
}

// CurveL2 is the Euclidean distance between two curves over the bins where
// both are defined.
func CurveL2(a, b []float64) float64 {
	s := 0.0
	for i := range a {
		if math.IsNaN(a[i]) || math.IsNaN(b[i]) {
			continue
		}
		d := a[i] - b[i]
		s += d * d
	}
	return math.Sqrt(s)
}
