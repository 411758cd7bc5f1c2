package model

import (
	"context"
	"math"
	"math/rand/v2"
	"runtime"

	"gonum.org/v1/gonum/mat"

	"github.com/gousynth/gousynth/internal/gauss"
	"github.com/gousynth/gousynth/internal/parallel"
)

// The probit latent space.
//
// Genotypes are discrete; a Gaussian with the dosage covariance, cut back
// to 0/1/2 by thresholds, has weaker LD than the data (cutting a correlated
// Gaussian pair attenuates its correlation). The engine therefore models, by
// default, the classic liability-threshold (multivariate probit) view of
// genotypes: individual i has a latent vector z_i ~ N(0, R) and genotype
// g_ij = #{thresholds τ_j below z_ij}, with τ_j fixed by the training
// genotype frequencies. R is fitted by Monte-Carlo EM: the latent z of every
// training individual is imputed by Gibbs sampling from N(0, R) truncated to
// the box of its genotypes, and R is re-estimated from the imputed z. The
// diffusion model is then fitted to the imputed z (continuous, so a
// diffusion is at home there), and synthetic z are cut at τ. Allele
// frequencies and LD are right by construction of the Gaussian part; the
// network learns what is not Gaussian (population structure).

// probitThresholds returns τ_j = (Φ⁻¹(P(g=0)), Φ⁻¹(P(g≤1))) per column of x.
func probitThresholds(x *mat.Dense) [][2]float64 {
	th := genotypeFreqs(x)
	for j, p := range th {
		th[j] = [2]float64{gauss.Quantile(p[0]), gauss.Quantile(p[1])}
	}
	return th
}

// bounds returns the latent interval of genotype g at a SNP with thresholds th.
func bounds(g float64, th [2]float64) (float64, float64) {
	switch v := math.Round(g); {
	case v <= 0:
		return math.Inf(-1), th[0]
	case v == 1:
		return th[0], th[1]
	}
	return th[1], math.Inf(1)
}

// probitLatent imputes the latent liabilities of the rows of x (n×d) by
// Monte-Carlo EM and returns them (n×d). rounds EM rounds of sweeps Gibbs
// sweeps each; ridge is added to the diagonal of R before inversion.
// Individuals are processed by threads goroutines (0: GOMAXPROCS) with one
// random stream each, so the result does not depend on their number.
func probitLatent(ctx context.Context, x *mat.Dense, th [][2]float64, rounds, sweeps int, ridge float64, seed uint64, threads int) (*mat.Dense, error) {
	n, d := x.Dims()
	z, lo, hi := probitStart(x, th)
	rngs := make([]*rand.Rand, n)
	for i := range rngs {
		rngs[i] = rand.New(rand.NewPCG(seed, uint64(i)+0x9e3779b9))
	}
	if threads <= 0 {
		threads = runtime.GOMAXPROCS(0)
	}
	workers := max(1, min(n, threads))
	for round := 0; round < rounds; round++ {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		P := latentPrecision(z, ridge)
		if P == nil {
			return z, nil
		}
		parallel.Items(n, workers, func() func(int) {
			pz := make([]float64, d)
			return func(i int) {
				gibbsRow(P, z.RawRowView(i), lo[i*d:(i+1)*d], hi[i*d:(i+1)*d], sweeps, pz, rngs[i])
			}
		})
	}
	return z, nil
}

// probitStart returns the starting liabilities of the rows of x (the mean
// of the standard normal truncated to each genotype's interval of th) and
// the intervals' bounds lo and hi (n×d, row-major).
func probitStart(x *mat.Dense, th [][2]float64) (z *mat.Dense, lo, hi []float64) {
	n, d := x.Dims()
	z = mat.NewDense(n, d, nil)
	lo = make([]float64, n*d)
	hi = make([]float64, n*d)
	for i := 0; i < n; i++ {
		for j := 0; j < d; j++ {
			l, h := bounds(x.At(i, j), th[j])
			lo[i*d+j], hi[i*d+j] = l, h
			// Start at the mean of the truncated standard normal.
			pl, ph := gauss.CDF(l), gauss.CDF(h)
			var m float64
			if ph-pl > 1e-12 {
				m = (math.Exp(-0.5*sq(l)) - math.Exp(-0.5*sq(h))) / math.Sqrt(2*math.Pi) / (ph - pl)
			} else if !math.IsInf(l, -1) {
				m = l
			} else {
				m = h
			}
			z.Set(i, j, m)
		}
	}
	return z, lo, hi
}

// latentPrecision returns the precision matrix P = R⁻¹ of the M step: R
// the correlation of the current liabilities z (unit diagonal,
// off-diagonal shrunk by 1 − ridge; the diagonal raised to 1.1 if R is
// not positive definite), or nil when it cannot be inverted and the EM
// stops.
func latentPrecision(z *mat.Dense, ridge float64) *mat.Dense {
	n, d := z.Dims()
	var c mat.SymDense
	c.SymOuterK(1/float64(n), z.T())
	sd := make([]float64, d)
	for j := 0; j < d; j++ {
		sd[j] = math.Sqrt(math.Max(c.At(j, j), 1e-12))
	}
	pm := mat.NewSymDense(d, nil)
	for a := 0; a < d; a++ {
		for b := a; b < d; b++ {
			v := c.At(a, b) / (sd[a] * sd[b]) * (1 - ridge)
			if a == b {
				v = 1
			}
			pm.SetSym(a, b, v)
		}
	}
	var chol mat.Cholesky
	if !chol.Factorize(pm) {
		for a := 0; a < d; a++ {
			pm.SetSym(a, a, 1+0.1)
		}
		if !chol.Factorize(pm) {
			return nil
		}
	}
	var prec mat.SymDense
	if err := chol.InverseTo(&prec); err != nil {
		return nil
	}
	return mat.DenseCopyOf(&prec)
}

// gibbsRow runs sweeps Gibbs sweeps over the liabilities zi of one
// individual under N(0, P⁻¹) truncated to [lo_j, hi_j] per SNP, in place;
// pz (d, scratch) carries P zi, updated by a column of P at each change.
func gibbsRow(P *mat.Dense, zi, lo, hi []float64, sweeps int, pz []float64, rng *rand.Rand) {
	d := len(zi)
	// pz = P z_i
	for a := 0; a < d; a++ {
		pz[a] = dot(P.RawRowView(a), zi)
	}
	for s := 0; s < sweeps; s++ {
		for j := 0; j < d; j++ {
			pjj := P.At(j, j)
			mu := zi[j] - pz[j]/pjj
			nz := gauss.TruncDraw(mu, 1/math.Sqrt(pjj), lo[j], hi[j], rng)
			if dz := nz - zi[j]; dz != 0 {
				col := P.RawRowView(j) // symmetric: row j = column j
				for a := range pz {
					pz[a] += dz * col[a]
				}
				zi[j] = nz
			}
		}
	}
}

func sq(x float64) float64 {
	if math.IsInf(x, 0) {
		return math.Inf(1)
	}
	return x * x
}

func dot(a, b []float64) float64 {
	var s float64
	for i, v := range a {
		s += v * b[i]
	}
	return s
}
