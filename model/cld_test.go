package model

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

func cldCases() []cldProcess {
	alt := defaultCLD(0.3)
	alt.A, alt.Sigma, alt.Beta, alt.V0Var = 1, 2, 1.5, 0.2
	return []cldProcess{defaultCLD(0), defaultCLD(0.1), defaultCLD(0.25), defaultCLD(0.5), alt}
}

func TestCLDTransitionMatchesVanLoan(t *testing.T) {
	for _, p := range cldCases() {
		for _, tt := range []float64{1e-5, 1e-3, 0.01, 0.05, 0.1, 0.3, 0.7, 1, 3} {
			phi, s0 := p.transition(tt)
			k, err := p.SDE().Kernel(tt)
			if err != nil {
				t.Fatal(err)
			}
			vphi, vs := mat2Of(k.Phi), mat2Of(k.Sigma)
			for i := range 4 {
				if math.Abs(phi[i]-vphi[i]) > 1e-11 {
					t.Errorf("ε=%v a=%v t=%v: Φ[%d] closed %v, Van Loan %v", p.Eps, p.A, tt, i, phi[i], vphi[i])
				}
				if math.Abs(s0[i]-vs[i]) > 1e-11*(1+math.Abs(vs[i])) {
					t.Errorf("ε=%v a=%v t=%v: Σ[%d] closed %v, Van Loan %v", p.Eps, p.A, tt, i, s0[i], vs[i])
				}
			}
		}
	}
}

// TestCLDDockhornFormula checks the closed form of DESIGN.md (Dockhorn et al.
// App. B, M = 0.25, Γ = 1) against the Van Loan kernel with v0 marginalised.
func TestCLDDockhornFormula(t *testing.T) {
	p := defaultCLD(0)
	p.Jitter = 0
	for _, tt := range []float64{1e-3, 0.02, 0.1, 0.25, 0.5, 1} {
		k, err := p.SDE().Kernel(tt)
		if err != nil {
			t.Fatal(err)
		}
		phi, s := mat2Of(k.Phi), mat2Of(k.Sigma)
		cx, cv := phi[1], phi[3]
		want := s.add(mat2{cx * cx, cx * cv, cx * cv, cv * cv}.scale(p.V0Var))
		mx, mv, cov := dockhornKernel(p.Beta*tt, 1, p.V0Var)
		if math.Abs(mx-phi[0]) > 1e-12 || math.Abs(mv-phi[2]) > 1e-12 {
			t.Errorf("t=%v: mean map (%v, %v), Van Loan (%v, %v)", tt, mx, mv, phi[0], phi[2])
		}
		for i := range 4 {
			if math.Abs(cov[i]-want[i]) > 1e-10 {
				t.Errorf("t=%v: Σ[%d] DESIGN formula %v, Van Loan %v", tt, i, cov[i], want[i])
			}
		}
	}
}

func TestCLDStationaryCovariance(t *testing.T) {
	// The stated formula ¼[[5ε²/a + aσ², −2ε²/a²], [·, (ε² + a²σ²)/a³]]
	// against the Lyapunov solution of F Σ + Σ Fᵀ + Q = 0 and against the
	// kernel covariance at a long horizon.
	for _, p := range cldCases() {
		got := p.Stationary()
		lyap, err := p.SDE().Stationary()
		if err != nil {
			t.Fatal(err)
		}
		k, err := p.SDE().Kernel(40 / p.Beta)
		if err != nil {
			t.Fatal(err)
		}
		for i := range 4 {
			if math.Abs(got[i]-lyap.At(i/2, i%2)) > 1e-12 {
				t.Errorf("ε=%v a=%v σ=%v: stationary[%d] formula %v, Lyapunov %v", p.Eps, p.A, p.Sigma, i, got[i], lyap.At(i/2, i%2))
			}
			if math.Abs(got[i]-k.Sigma.At(i/2, i%2)) > 1e-10 {
				t.Errorf("ε=%v: stationary[%d] formula %v, Σ(∞) %v", p.Eps, i, got[i], k.Sigma.At(i/2, i%2))
			}
		}
	}
	// Plain CLD: x ~ N(0, 1), v ~ N(0, M = 1/4).
	if s := defaultCLD(0).Stationary(); math.Abs(s[0]-1) > 1e-14 || s[1] != 0 || math.Abs(s[3]-0.25) > 1e-14 {
		t.Errorf("CLD stationary %v, want diag(1, 0.25)", s)
	}
}

func TestCLDForwardMonteCarlo(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 11))
	n, dt := 20000, 2e-4
	if testing.Short() {
		n, dt = 5000, 1e-3 // the race detector slows these loops ~10×
	}
	for _, p := range []cldProcess{defaultCLD(0), defaultCLD(0.5)} {
		f := p.drift().scale(p.Beta)
		l := mat2{p.Eps * math.Sqrt(p.Beta), 0, 0, p.Sigma * math.Sqrt(p.Beta)}
		const x0 = 1.7
		for _, tt := range []float64{0.02, 0.1, 0.3, 1} {
			mx, mv, cov := p.Marginal(tt)
			steps := int(math.Ceil(tt / dt))
			mean, mcov := eulerMaruyama2(f, l, tt, steps, n, rng, func() (float64, float64) {
				return x0, math.Sqrt(p.V0Var) * rng.NormFloat64()
			})
			checkGaussianMC(t, fmt.Sprintf("CLD ε=%v", p.Eps), tt, mean, mcov, [2]float64{mx * x0, mv * x0}, cov, n)
		}
	}
}

func TestExpIntegralsSeriesMatchesClosedForm(t *testing.T) {
	// Either side of the switch point the two evaluations must agree.
	for _, c := range []float64{1, 4} {
		b := 0.5 / c
		s0, s1, s2 := expIntegrals(c, b*(1-1e-9))
		c0, c1, c2 := expIntegrals(c, b*(1+1e-9))
		for i, pr := range [][2]float64{{s0, c0}, {s1, c1}, {s2, c2}} {
			if math.Abs(pr[0]-pr[1]) > 1e-8*math.Abs(pr[1]) {
				t.Errorf("c=%v I%d: series %v, closed %v", c, i, pr[0], pr[1])
			}
		}
	}
}

func BenchmarkCLDMarginalClosedForm(b *testing.B) {
	p := defaultCLD(0.1)
	for i := 0; b.Loop(); i++ {
		p.Marginal(float64(i%1000+1) / 1000)
	}
}

func BenchmarkCLDKernelVanLoan(b *testing.B) {
	sde := defaultCLD(0.1).SDE()
	for i := 0; b.Loop(); i++ {
		if _, err := sde.Kernel(float64(i%1000+1) / 1000); err != nil {
			b.Fatal(err)
		}
	}
}

// eulerMaruyama2 simulates n paths of a 2-D linear SDE from u0 (each path's
// starting point drawn by start) with a fine Euler–Maruyama grid and returns
// the sample mean and covariance at time tEnd.
func eulerMaruyama2(f, l mat2, tEnd float64, steps, n int, rng *rand.Rand, start func() (float64, float64)) (mean [2]float64, cov mat2) {
	h := tEnd / float64(steps)
	sq := math.Sqrt(h)
	var s [2]float64
	var ss mat2
	for range n {
		x, v := start()
		for range steps {
			z1, z2 := rng.NormFloat64(), rng.NormFloat64()
			dx := (f[0]*x+f[1]*v)*h + (l[0]*z1+l[1]*z2)*sq
			dv := (f[2]*x+f[3]*v)*h + (l[2]*z1+l[3]*z2)*sq
			x, v = x+dx, v+dv
		}
		s[0] += x
		s[1] += v
		ss = ss.add(mat2{x * x, x * v, x * v, v * v})
	}
	fn := float64(n)
	mean = [2]float64{s[0] / fn, s[1] / fn}
	cov = ss.scale(1 / fn).add(mat2{mean[0] * mean[0], mean[0] * mean[1], mean[0] * mean[1], mean[1] * mean[1]}.scale(-1))
	return mean, cov
}

// checkGaussianMC compares a Monte-Carlo mean and covariance with the
// expected ones within 5 standard errors (plus a small absolute slack for the
// Euler discretisation bias).
func checkGaussianMC(t *testing.T, name string, at float64, mean [2]float64, cov mat2, wantMean [2]float64, wantCov mat2, n int) {
	t.Helper()
	fn := float64(n)
	for i := range 2 {
		se := math.Sqrt(wantCov[3*i] / fn)
		if d := math.Abs(mean[i] - wantMean[i]); d > 5*se+0.01*math.Abs(wantMean[i])+1e-3 {
			t.Errorf("%s t=%v: mean[%d] = %.5f, want %.5f (se %.5f)", name, at, i, mean[i], wantMean[i], se)
		}
	}
	for i, ij := range [][2]int{{0, 0}, {0, 1}, {1, 1}} {
		a, b := ij[0], ij[1]
		w := wantCov[2*a+b]
		// Var of a sample covariance entry: (Σaa Σbb + Σab²)/n.
		se := math.Sqrt((wantCov[3*a]*wantCov[3*b] + w*w) / fn)
		if d := math.Abs(cov[2*a+b] - w); d > 5*se+0.02*math.Abs(w)+1e-4 {
			t.Errorf("%s t=%v: cov entry %d = %.5f, want %.5f (se %.5f)", name, at, i, cov[2*a+b], w, se)
		}
	}
}
