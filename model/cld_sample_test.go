package model

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// phaseGaussian is the exact phase-space marginal at time t of data
// x0 ~ N(mu, c) in R^d under the per-coordinate process p: with the state
// ordered (x_1..x_d, v_1..v_d), mean = (mx·mu, mv·mu) and
// K = [[mx² C + Sxx I, mx mv C + Sxv I], [·, mv² C + Svv I]].
func phaseGaussian(p cldProcess, t float64, mu []float64, c *mat.SymDense) (mean []float64, k *mat.SymDense) {
	d := len(mu)
	mx, mv, s := p.Marginal(t)
	mean = make([]float64, 2*d)
	k = mat.NewSymDense(2*d, nil)
	for i := range d {
		mean[i], mean[d+i] = mx*mu[i], mv*mu[i]
		for j := i; j < d; j++ {
			cij := c.At(i, j)
			k.SetSym(i, j, mx*mx*cij)
			k.SetSym(d+i, d+j, mv*mv*cij)
			k.SetSym(i, d+j, mx*mv*cij)
			k.SetSym(j, d+i, mx*mv*cij)
		}
		k.SetSym(i, i, k.At(i, i)+s[0])
		k.SetSym(d+i, d+i, k.At(d+i, d+i)+s[3])
		k.SetSym(i, d+i, k.At(i, d+i)+s[1])
	}
	return mean, k
}

// exactGaussianScore is −K⁻¹(u − mean) for correlated Gaussian data.
func exactGaussianScore(p cldProcess, mu []float64, c *mat.SymDense) phaseScore {
	d := len(mu)
	return func(t float64, x, v, sx, sv []float64) error {
		mean, k := phaseGaussian(p, t, mu, c)
		var ch mat.Cholesky
		if !ch.Factorize(k) {
			return fmt.Errorf("phase covariance not positive definite at t=%v", t)
		}
		n := len(x) / d
		u := mat.NewDense(2*d, n, nil)
		for s := range n {
			for j := range d {
				u.Set(j, s, x[s*d+j]-mean[j])
				u.Set(d+j, s, v[s*d+j]-mean[d+j])
			}
		}
		var sol mat.Dense
		if err := ch.SolveTo(&sol, u); err != nil {
			return err
		}
		for s := range n {
			for j := range d {
				if sx != nil {
					sx[s*d+j] = -sol.At(j, s)
				}
				sv[s*d+j] = -sol.At(d+j, s)
			}
		}
		return nil
	}
}

// samplePhasePrior draws n states from the exact phase-space marginal at T.
func samplePhasePrior(p cldProcess, mu []float64, c *mat.SymDense, n int, rng *rand.Rand) (x, v []float64) {
	d := len(mu)
	mean, k := phaseGaussian(p, p.T, mu, c)
	var ch mat.Cholesky
	ch.Factorize(k)
	var l mat.TriDense
	ch.LTo(&l)
	x, v = make([]float64, n*d), make([]float64, n*d)
	z := make([]float64, 2*d)
	for s := range n {
		for i := range z {
			z[i] = rng.NormFloat64()
		}
		for i := range 2 * d {
			u := mean[i]
			for j := 0; j <= i; j++ {
				u += l.At(i, j) * z[j]
			}
			if i < d {
				x[s*d+i] = u
			} else {
				v[s*d+i-d] = u
			}
		}
	}
	return x, v
}

func TestCLDSamplersReproduceGaussian(t *testing.T) {
	mu := []float64{0.5, -1}
	c := mat.NewSymDense(2, []float64{1, 0.6, 0.6, 0.8})
	n := 8000
	if testing.Short() {
		n = 2000 // tolerances are in standard errors of n
	}
	for _, eps := range []float64{0, 0.25} {
		for _, tc := range []struct {
			method SamplerKind
			steps  int
		}{{samplerSSCS, 100}, {SamplerEM, 400}} {
			t.Run(fmt.Sprintf("eps=%v/%s", eps, tc.method), func(t *testing.T) {
				p := defaultCLD(eps)
				rng := rand.New(rand.NewPCG(3, uint64(tc.steps)))
				x, v := samplePhasePrior(p, mu, c, n, rng)
				if err := p.ReverseCLD(context.Background(), exactGaussianScore(p, mu, c), x, v, 2, tc.steps, 1e-3, tc.method, rng); err != nil {
					t.Fatal(err)
				}
				var m [2]float64
				var cv mat2
				for s := range n {
					a, b := x[2*s], x[2*s+1]
					m[0] += a
					m[1] += b
					cv = cv.add(mat2{a * a, a * b, a * b, b * b})
				}
				m[0] /= float64(n)
				m[1] /= float64(n)
				cv = cv.scale(1 / float64(n)).add(mat2{m[0] * m[0], m[0] * m[1], m[0] * m[1], m[1] * m[1]}.scale(-1))
				// The target at tMin = 1e-3 is the data law up to O(1e-3).
				mx, _, s := p.Marginal(1e-3)
				want := mat2{mx*mx*c.At(0, 0) + s[0], mx * mx * c.At(0, 1), mx * mx * c.At(0, 1), mx*mx*c.At(1, 1) + s[0]}
				t.Logf("mean (%.4f, %.4f) want (%.4f, %.4f); cov (%.4f, %.4f, %.4f) want (%.4f, %.4f, %.4f)",
					m[0], m[1], mx*mu[0], mx*mu[1], cv[0], cv[1], cv[3], want[0], want[1], want[3])
				checkGaussianMC(t, string(tc.method), 0, m, cv, [2]float64{mx * mu[0], mx * mu[1]}, want, n)
			})
		}
	}
}

// TestCLDSamplerDetectsWrongScore guards the test above: a score for the
// wrong data covariance must give a visibly wrong sample covariance.
func TestCLDSamplerDetectsWrongScore(t *testing.T) {
	p := defaultCLD(0)
	rng := rand.New(rand.NewPCG(5, 6))
	lambda := []float64{2.0}
	x, v := make([]float64, 4000), make([]float64, 4000)
	st := p.GaussianMarginal(p.T, 0.5)
	l11, l21, l22, _ := st.chol()
	for i := range x {
		z1, z2 := rng.NormFloat64(), rng.NormFloat64()
		x[i], v[i] = l11*z1, l21*z1+l22*z2
	}
	if err := p.ReverseCLD(context.Background(), p.GaussianPhaseScore(lambda), x, v, 1, 100, 1e-3, samplerSSCS, rng); err != nil {
		t.Fatal(err)
	}
	var ss float64
	for _, a := range x {
		ss += a * a
	}
	if got := ss / float64(len(x)); math.Abs(got-0.5) < 0.3 {
		t.Errorf("variance %v with a score for variance 2 (prior for 0.5): the sampler does not follow the score", got)
	}
}

func TestGaussianPhaseScoreMatchesFull(t *testing.T) {
	p := defaultCLD(0.1)
	lambda := []float64{0.3, 2}
	c := mat.NewSymDense(2, []float64{0.3, 0, 0, 2})
	full := exactGaussianScore(p, []float64{0, 0}, c)
	diag := p.GaussianPhaseScore(lambda)
	x := []float64{0.2, -1, 1.5, 0.4}
	v := []float64{-0.3, 0.8, 0.1, -2}
	a, b, e, f := make([]float64, 4), make([]float64, 4), make([]float64, 4), make([]float64, 4)
	for _, tt := range []float64{0.01, 0.3, 1} {
		if err := full(tt, x, v, a, b); err != nil {
			t.Fatal(err)
		}
		if err := diag(tt, x, v, e, f); err != nil {
			t.Fatal(err)
		}
		for i := range a {
			if math.Abs(a[i]-e[i]) > 1e-9*(1+math.Abs(a[i])) || math.Abs(b[i]-f[i]) > 1e-9*(1+math.Abs(b[i])) {
				t.Errorf("t=%v i=%d: full (%v, %v), per-coordinate (%v, %v)", tt, i, a[i], b[i], e[i], f[i])
			}
		}
	}
}

// TestCLDSamplersLowVarianceDirections checks the samplers on independent
// Gaussian coordinates whose variances span four orders of magnitude: the
// score of the small ones is stiff near tMin, which a uniform grid handled
// badly (variance ×0.4 at λ = 1e-3 with SSCS, 100 steps).
func TestCLDSamplersLowVarianceDirections(t *testing.T) {
	lam := []float64{3, 1, 0.1, 0.01, 0.001}
	d := len(lam)
	const n = 4000
	for _, method := range []SamplerKind{samplerSSCS, SamplerEM} {
		p := defaultCLD(0)
		rng := rand.New(rand.NewPCG(1, 2))
		x, v := make([]float64, n*d), make([]float64, n*d)
		for j := range d {
			l11, l21, l22, _ := p.GaussianMarginal(p.T, lam[j]).chol()
			for a := range n {
				z1, z2 := rng.NormFloat64(), rng.NormFloat64()
				x[a*d+j], v[a*d+j] = l11*z1, l21*z1+l22*z2
			}
		}
		if err := p.ReverseCLD(context.Background(), p.GaussianPhaseScore(lam), x, v, d, 200, 1e-3, method, rng); err != nil {
			t.Fatal(err)
		}
		for j := range d {
			var s float64
			for a := range n {
				s += x[a*d+j] * x[a*d+j]
			}
			want := p.GaussianMarginal(1e-3, lam[j])[0]
			// 5 standard errors of a variance estimate (√(2/n) ≈ 2.2%) plus
			// a 15% allowance for the discretisation at 200 steps.
			if r := s / n / want; math.Abs(r-1) > 0.15+5*math.Sqrt(2.0/n) {
				t.Errorf("%s λ=%v: variance ratio %.3f", method, lam[j], r)
			}
		}
	}
}
