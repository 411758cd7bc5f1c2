package model

import (
	"errors"
	"math"

	"gonum.org/v1/gonum/mat"
)

// DensityScore returns the membership score of a likelihood-ratio attack on
// the model's own density: for one individual's dosage vector x (length d,
// NaN where missing, filled with the model's mean),
//
//	log N(x; Mean, Σ) − Σ_j log N(x_j; Mean_j, Σ_jj),
//
// the log-likelihood of x under the Gaussian part of the model (Σ = S (U
// diag(λ) Uᵀ + R) S, the kept directions plus the block residual, with a
// ridge of 1e-3 of the mean variance on the diagonal) against the model's
// own independent-SNP null. Constants that are the same for every x are
// dropped. A model fitted on x gives its training individuals a higher
// score than others when its covariance estimate has too many free
// parameters for the training size (the in-sample optimism of a fitted
// Gaussian, about 2p/n in −2 log-likelihood for p parameters): higher
// means more likely a member. It builds and factorises the d×d covariance
// once (d ≤ a few thousand).
func (b *Basis) DensityScore() (func(x []float64) float64, error) {
	d, r := b.Dim(), b.Rank()
	rows := mat.NewDense(d, r, nil)
	for j := 0; j < d; j++ {
		u := b.U.RawRowView(j)
		for i := 0; i < r; i++ {
			rows.Set(j, i, u[i]*math.Sqrt(b.Lambda[i]))
		}
	}
	var sig mat.SymDense
	sig.SymOuterK(1, rows)
	if b.Resid != nil {
		for _, bl := range b.residBlocks() {
			for p := bl[0]; p < bl[1]; p++ {
				for q := p; q < bl[1]; q++ {
					sig.SetSym(p, q, sig.At(p, q)+b.residCov(p, q))
				}
			}
		}
	}
	var tr float64
	for j := 0; j < d; j++ {
		tr += sig.At(j, j)
	}
	ridge := 1e-3*tr/float64(d) + 1e-12
	diag := make([]float64, d)
	for j := 0; j < d; j++ {
		sig.SetSym(j, j, sig.At(j, j)+ridge)
		diag[j] = sig.At(j, j)
	}
	var ch mat.Cholesky
	if !ch.Factorize(&sig) {
		return nil, errors.New("model: the model's covariance is not positive definite")
	}
	return func(x []float64) float64 {
		z := mat.NewVecDense(d, nil)
		var null float64
		for j, v := range x {
			if math.IsNaN(v) {
				v = b.Mean[j]
			}
			e := (v - b.Mean[j]) / b.Scale[j]
			z.SetVec(j, e)
			null += e * e / diag[j]
		}
		var w mat.VecDense
		if err := ch.SolveVecTo(&w, z); err != nil {
			return math.NaN()
		}
		return -0.5*mat.Dot(z, &w) + 0.5*null
	}, nil
}
