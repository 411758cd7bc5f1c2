package metrics

import (
	"github.com/gousynth/gousynth/preprocess"
	"github.com/gousynth/gousynth/vcf"
)

// Matrix is an individuals × sites matrix of dosages, row-major
// (sample-major), with missing calls replaced by the site's mean dosage in
// the same cohort (0 when every call of the site is missing): the input of
// the moment, Wasserstein and PCA measures.
type Matrix struct {
	// N individuals, D sites.
	N, D int
	// Data holds row i (individual i) at Data[i·D : (i+1)·D].
	Data []float64
}

// NewMatrix transposes g (variant-major int8) into a mean-imputed
// sample-major Matrix (preprocess.Matrix).
func NewMatrix(g *vcf.Genotypes) *Matrix {
	return &Matrix{N: g.NumSamples(), D: g.NumSites(), Data: preprocess.Matrix(g).RawMatrix().Data}
}

// Row returns individual i's dosages (not a copy).
func (m *Matrix) Row(i int) []float64 { return m.Data[i*m.D : (i+1)*m.D] }

// Col appends site j's dosages to dst[:0] and returns it.
func (m *Matrix) Col(j int, dst []float64) []float64 {
	dst = dst[:0]
	for i := 0; i < m.N; i++ {
		dst = append(dst, m.Data[i*m.D+j])
	}
	return dst
}
