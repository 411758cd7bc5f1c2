package report

import (
	"math/rand/v2"
	"slices"

	"github.com/gousynth/gousynth/preprocess"
	"github.com/gousynth/gousynth/vcf"
)

// floatMatrix is an individuals × sites matrix of dosages, row-major
// (sample-major), with missing calls replaced by the site's mean dosage in
// the same cohort (0 when every call of the site is missing).
type floatMatrix struct {
	n, d int
	data []float64
}

func (f *floatMatrix) row(i int) []float64 { return f.data[i*f.d : (i+1)*f.d] }

// col copies column j into dst.
func (f *floatMatrix) col(j int, dst []float64) []float64 {
	dst = dst[:0]
	for i := 0; i < f.n; i++ {
		dst = append(dst, f.data[i*f.d+j])
	}
	return dst
}

// toFloat transposes g (variant-major int8) into a mean-imputed
// sample-major float matrix (preprocess.Matrix).
func toFloat(g *vcf.Genotypes) *floatMatrix {
	n, d := g.NumSamples(), g.NumSites()
	return &floatMatrix{n: n, d: d, data: preprocess.Matrix(g).RawMatrix().Data}
}

// sampleSubset returns k distinct indices from [0, n) chosen at random, in
// increasing order; all of them (in order) when k >= n.
func sampleSubset(rng *rand.Rand, n, k int) []int {
	if k >= n {
		idx := make([]int, n)
		for i := range idx {
			idx[i] = i
		}
		return idx
	}
	perm := rng.Perm(n)[:k]
	slices.Sort(perm)
	return perm
}
