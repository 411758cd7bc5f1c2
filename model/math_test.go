package model

import (
	"context"
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// simulateForward runs Euler–Maruyama on the forward SDE of coordinate i of p
// from y0 over [0, t] with many small steps and returns the end points.
func simulateForward(p diagProcess, i int, y0 []float64, t float64, steps int, rng *rand.Rand) []float64 {
	h := t / float64(steps)
	out := append([]float64(nil), y0...)
	for s := 0; s < steps; s++ {
		tt := float64(s) * h
		f, g := p.Drift(i, tt+h/2), math.Sqrt(p.Diffusion2(tt+h/2)*h)
		for k := range out {
			out[k] += f*out[k]*h + g*rng.NormFloat64()
		}
	}
	return out
}

// TestForwardKernelMonteCarlo checks the closed-form m(t), s(t) of GOU and VP
// against a Monte-Carlo simulation of the forward SDE (Theorems 4 and 5).
func TestForwardKernelMonteCarlo(t *testing.T) {
	lambda := []float64{4, 1, 0.05}
	procs := []diagProcess{
		newGOU(lambda, 0.2, 3, 0.8, 1.5, 1, 1e-3),
		&vpProcess{Beta0: 0.1, Beta1: 20, T: 1, Eps: 1e-3},
	}
	n, steps := 20000, 2000
	if testing.Short() {
		n, steps = 4000, 400
	}
	for _, p := range procs {
		for i := range lambda {
			for _, tt := range []float64{0.1, 0.5, 1} {
				rng := rand.New(rand.NewPCG(1, uint64(i)))
				y0 := make([]float64, n)
				for k := range y0 {
					y0[k] = 2 // fixed start: mean m·2, variance s
				}
				y := simulateForward(p, i, y0, tt, steps, rng)
				var mean, v float64
				for _, x := range y {
					mean += x
				}
				mean /= float64(n)
				for _, x := range y {
					v += (x - mean) * (x - mean)
				}
				v /= float64(n - 1)
				wantM, wantV := 2*p.Mean(i, tt), p.Var(i, tt)
				seM := math.Sqrt(wantV / float64(n))
				if math.Abs(mean-wantM) > 5*seM+1e-3 {
					t.Errorf("%s coord %d t=%g: MC mean %.4f, closed form %.4f", p.Kind(), i, tt, mean, wantM)
				}
				if math.Abs(v-wantV) > 5*wantV*math.Sqrt(2.0/float64(n))+2e-3*wantV+wantV*2/float64(steps) {
					t.Errorf("%s coord %d t=%g: MC var %.4f, closed form %.4f", p.Kind(), i, tt, v, wantV)
				}
			}
		}
	}
}

// TestGOUFullSpaceMonteCarlo simulates the GOU SDE dX = M(X−μ)dt + √β dW in
// data coordinates (non-diagonal M) from Gaussian data and compares the
// empirical mean and covariance at t with Theorem 4/5 (eqs. 5, 8), and the
// long-time covariance with Lemma 7, Σ∞ = −β/2 M⁻¹.
func TestGOUFullSpaceMonteCarlo(t *testing.T) {
	// A 3-D Gaussian with a non-diagonal covariance.
	sigma := mat.NewSymDense(3, []float64{2, 0.8, 0.3, 0.8, 1, 0.2, 0.3, 0.2, 0.5})
	mu := []float64{1, -1, 0.5}
	var es mat.EigenSym
	es.Factorize(sigma, true)
	lam := es.Values(nil)
	var u mat.Dense
	es.VectorsTo(&u)
	g := newGOU(lam, 0.3, 2, 0.7, 0.8, 1, 1e-3)
	var M mat.Dense
	M.Mul(&u, mat.NewDiagDense(3, g.C))
	M.Mul(&M, u.T())
	var chol mat.Cholesky
	chol.Factorize(sigma)
	var L mat.TriDense
	chol.LTo(&L)
	n, steps := 40000, 1000 // Euler–Maruyama steps per unit time
	if testing.Short() {
		// Half the step count: the Euler–Maruyama bias, O(|c|h) ≈ 1% of the
		// stationary variance at h = 0.01, stays well inside tol (9.5%).
		n, steps = 8000, 500
	}
	tol := 6 * math.Sqrt(2/float64(n)) // a few standard errors of a covariance entry of order 1
	rng := rand.New(rand.NewPCG(3, 4))
	x := mat.NewDense(n, 3, nil)
	x0m := []float64{2, 0, 1} // data mean differs from the reference centre μ
	for k := 0; k < n; k++ {
		z := mat.NewVecDense(3, []float64{rng.NormFloat64(), rng.NormFloat64(), rng.NormFloat64()})
		z.MulVec(&L, z)
		for j := 0; j < 3; j++ {
			x.Set(k, j, x0m[j]+z.AtVec(j))
		}
	}
	var mm [3][3]float64 // M in an array: the race detector slows M.At ~10×
	for a := 0; a < 3; a++ {
		for b := 0; b < 3; b++ {
			mm[a][b] = M.At(a, b)
		}
	}
	check := func(tt float64, x *mat.Dense, steps int) {
		h := tt / float64(steps)
		sb := math.Sqrt(g.Beta * h)
		var row [3]float64
		for k := 0; k < n; k++ {
			r := x.RawRowView(k)
			for s := 0; s < steps; s++ {
				for a := 0; a < 3; a++ {
					row[a] = 0
					for b := 0; b < 3; b++ {
						row[a] += mm[a][b] * (r[b] - mu[b])
					}
				}
				for a := 0; a < 3; a++ {
					r[a] += row[a]*h + sb*rng.NormFloat64()
				}
			}
		}
	}
	tt := 0.7
	check(tt, x, int(tt*float64(steps)))
	// Closed form in eigen-coordinates: mean μ + U e^{Ct} Uᵀ(μ0 − μ);
	// covariance U (e^{Ct} Λ0 e^{Ct} + diag(s(t))) Uᵀ with Λ0 = Uᵀ Σ U.
	var lam0 mat.Dense
	lam0.Mul(u.T(), sigma)
	lam0.Mul(&lam0, &u)
	for a := 0; a < 3; a++ {
		for b := 0; b < 3; b++ {
			lam0.Set(a, b, lam0.At(a, b)*g.Mean(a, tt)*g.Mean(b, tt))
		}
		lam0.Set(a, a, lam0.At(a, a)+g.Var(a, tt))
	}
	var wantCov mat.Dense
	wantCov.Mul(&u, &lam0)
	wantCov.Mul(&wantCov, u.T())
	d0 := mat.NewVecDense(3, []float64{x0m[0] - mu[0], x0m[1] - mu[1], x0m[2] - mu[2]})
	var yd mat.VecDense
	yd.MulVec(u.T(), d0)
	for a := 0; a < 3; a++ {
		yd.SetVec(a, yd.AtVec(a)*g.Mean(a, tt))
	}
	var wantMean mat.VecDense
	wantMean.MulVec(&u, &yd)
	mean, cov := momentsOf(x)
	for a := 0; a < 3; a++ {
		if e := math.Abs(mean[a] - (mu[a] + wantMean.AtVec(a))); e > tol {
			t.Errorf("mean[%d] = %.4f, Theorem 4 gives %.4f", a, mean[a], mu[a]+wantMean.AtVec(a))
		}
		for b := 0; b < 3; b++ {
			if e := math.Abs(cov.At(a, b) - wantCov.At(a, b)); e > tol {
				t.Errorf("cov[%d,%d] = %.4f, Theorem 5 gives %.4f", a, b, cov.At(a, b), wantCov.At(a, b))
			}
		}
	}
	// Run on to near-stationarity (|c| ≥ 0.6 → e^{2ct} < 1e-5 at t = 10).
	check(10, x, 2*steps)
	_, cov = momentsOf(x)
	var minv mat.Dense
	if err := minv.Inverse(&M); err != nil {
		t.Fatal(err)
	}
	for a := 0; a < 3; a++ {
		for b := 0; b < 3; b++ {
			want := -g.Beta / 2 * minv.At(a, b)
			if e := math.Abs(cov.At(a, b) - want); e > tol*math.Max(1, math.Abs(want)) {
				t.Errorf("stationary cov[%d,%d] = %.4f, Lemma 7 gives %.4f", a, b, cov.At(a, b), want)
			}
		}
	}
}

func momentsOf(x *mat.Dense) ([]float64, *mat.Dense) {
	n, d := x.Dims()
	mean := make([]float64, d)
	for k := 0; k < n; k++ {
		for j, v := range x.RawRowView(k) {
			mean[j] += v / float64(n)
		}
	}
	cov := mat.NewDense(d, d, nil)
	for k := 0; k < n; k++ {
		r := x.RawRowView(k)
		for a := 0; a < d; a++ {
			for b := 0; b < d; b++ {
				cov.Set(a, b, cov.At(a, b)+(r[a]-mean[a])*(r[b]-mean[b])/float64(n-1))
			}
		}
	}
	return mean, cov
}

// TestSamplersReproduceGaussian drives every sampler with the exact score of
// Gaussian data (zero network: the Gaussian-residual score is then exact)
// and checks that the latent samples have the data variances.
func TestSamplersReproduceGaussian(t *testing.T) {
	lambda := []float64{9, 2, 0.5, 0.01}
	procs := map[ProcessKind]engine{}
	for name, f := range map[ProcessKind]engineFactory{ProcessGOU: registry[ProcessGOU].factory, ProcessVP: registry[ProcessVP].factory} {
		c := DefaultConfig(name)
		p, err := f(c, lambda)
		if err != nil {
			t.Fatal(err)
		}
		procs[name] = p
	}
	n := 20000
	if testing.Short() {
		n = 4000
	}
	for name, p := range procs {
		for _, sampler := range SamplerKinds() {
			for _, init := range []InitKind{InitMarginal, InitAnchors} {
				t.Run(string(name)+"/"+string(sampler)+"/"+string(init), func(t *testing.T) {
					steps := map[SamplerKind]int{SamplerAncestral: 20, SamplerEM: 500, SamplerHeun: 200}[sampler]
					id := &InitDist{Kind: init}
					if init == "anchors" {
						// Two anchors at ±a√λ with within-variance λ(1−a²):
						// the same Gaussian marginal, as a mixture.
						id.Weights = []float64{0.5, 0.5}
						for _, sg := range []float64{1, -1} {
							mm, vv := make([]float64, len(lambda)), make([]float64, len(lambda))
							for i, l := range lambda {
								mm[i], vv[i] = sg*0.6*math.Sqrt(l), l*(1-0.36)
							}
							id.Means, id.Vars = append(id.Means, mm), append(id.Vars, vv)
						}
					}
					y, err := p.Sample(context.Background(), sampleSpec{N: n, Rng: rand.New(rand.NewPCG(5, 6)), Sampler: sampler, Steps: steps, Init: id})
					if err != nil {
						t.Fatal(err)
					}
					r := len(lambda)
					for i, l := range lambda {
						var s, s2 float64
						for a := 0; a < n; a++ {
							s += y[a*r+i]
							s2 += y[a*r+i] * y[a*r+i]
						}
						fn := float64(n)
						mean, v := s/fn, s2/fn-(s/fn)*(s/fn)
						if math.Abs(mean) > 5*math.Sqrt(l/fn)+0.01*math.Sqrt(l) {
							t.Errorf("coord %d: mean %.4f, want 0", i, mean)
						}
						tol := 0.03 + 4*math.Sqrt(2/fn)
						if sampler != "ancestral" {
							tol += 0.03 // discretisation error of EM / Heun
						}
						if math.Abs(v/l-1) > tol {
							t.Errorf("coord %d: variance %.4f, want %.4f", i, v, l)
						}
					}
				})
			}
		}
	}
}
