package metrics

import (
	"math"

	"github.com/gousynth/gousynth/vcf"
)

// AlleleFreqs returns the ALT allele frequency of each site: mean dosage of
// the called individuals over 2 (NaN when nobody is called).
func AlleleFreqs(g *vcf.Genotypes) []float64 {
	out := make([]float64, g.NumSites())
	for v := range out {
		sum, cnt := alleleCount(g.Row(v), nil)
		if cnt == 0 {
			out[v] = math.NaN()
			continue
		}
		out[v] = float64(sum) / float64(2*cnt)
	}
	return out
}

// alleleCount returns the ALT allele count and the number of called
// individuals of one site's dosages row, over the individuals idx (all
// when nil).
func alleleCount(row []int8, idx []int) (sum, called int) {
	add := func(x int8) {
		if x != vcf.Missing {
			sum += int(x)
			called++
		}
	}
	if idx == nil {
		for _, x := range row {
			add(x)
		}
		return sum, called
	}
	for _, i := range idx {
		add(row[i])
	}
	return sum, called
}

// Pearson returns the Pearson correlation of x and y over the indices where
// both are finite; NaN when either has no variance there.
func Pearson(x, y []float64) float64 {
	var n, sx, sy, sxx, syy, sxy float64
	for i := range x {
		a, b := x[i], y[i]
		if math.IsNaN(a) || math.IsNaN(b) {
			continue
		}
		n++
		sx += a
		sy += b
	}
	if n < 2 {
		return math.NaN()
	}
	mx, my := sx/n, sy/n
	for i := range x {
		a, b := x[i], y[i]
		if math.IsNaN(a) || math.IsNaN(b) {
			continue
		}
		sxx += (a - mx) * (a - mx)
		syy += (b - my) * (b - my)
		sxy += (a - mx) * (b - my)
	}
	if sxx == 0 || syy == 0 {
		return math.NaN()
	}
	return sxy / math.Sqrt(sxx*syy)
}

// HudsonFst is Hudson's Fst between two samples of na and nb individuals
// (2na and 2nb alleles) with ALT allele frequencies pa and pb per site, as
// Bhatia et al. (2013) recommend: the ratio of the averages over sites of
// N = (pa − pb)² − pa(1−pa)/(2na−1) − pb(1−pb)/(2nb−1) and
// D = pa(1−pb) + pb(1−pa). Sites with a NaN frequency, or monomorphic in
// both samples, are skipped; NaN when none is left.
func HudsonFst(pa, pb []float64, na, nb int) float64 {
	var s fstSums
	for v := range pa {
		s.add(siteSums(pa[v], pb[v]), 1)
	}
	return s.fst(na, nb)
}
