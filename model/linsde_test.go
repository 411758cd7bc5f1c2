package model

import (
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"
)

func TestLinearSDEKernelOU1D(t *testing.T) {
	// dU = −θU dt + s dW: Φ = e^{−θt}, Σ = s²(1 − e^{−2θt})/(2θ).
	for _, tc := range []struct{ theta, s, t float64 }{
		{1, 1, 0.1}, {0.5, 2, 1}, {3, 0.7, 2.5}, {10, 1, 0.001}, {2, 1, 0},
	} {
		sde, err := NewLinearSDE(mat.NewDense(1, 1, []float64{-tc.theta}), mat.NewDense(1, 1, []float64{tc.s}))
		if err != nil {
			t.Fatal(err)
		}
		k, err := sde.Kernel(tc.t)
		if err != nil {
			t.Fatal(err)
		}
		wantPhi := math.Exp(-tc.theta * tc.t)
		wantSig := tc.s * tc.s * (1 - math.Exp(-2*tc.theta*tc.t)) / (2 * tc.theta)
		if got := k.Phi.At(0, 0); math.Abs(got-wantPhi) > 1e-12 {
			t.Errorf("%+v: Φ = %v, want %v", tc, got, wantPhi)
		}
		if got := k.Sigma.At(0, 0); math.Abs(got-wantSig) > 1e-12*(1+wantSig) {
			t.Errorf("%+v: Σ = %v, want %v", tc, got, wantSig)
		}
	}
}

func TestLinearSDEPiecewiseOU(t *testing.T) {
	// OU with a piecewise-constant rate β(t): dU = −½β U dt + √β dW has
	// Φ = e^{−½B}, Σ = 1 − e^{−B} with B = ∫β.
	var sdes []LinearSDE
	betas := []float64{0.5, 3, 10}
	spans := []float64{0.2, 0.1, 0.05}
	B := 0.0
	for i, b := range betas {
		sde, err := NewLinearSDE(mat.NewDense(1, 1, []float64{-0.5 * b}), mat.NewDense(1, 1, []float64{math.Sqrt(b)}))
		if err != nil {
			t.Fatal(err)
		}
		sdes = append(sdes, sde)
		B += b * spans[i]
	}
	k, err := PiecewiseKernel(sdes, spans)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := k.Phi.At(0, 0), math.Exp(-0.5*B); math.Abs(got-want) > 1e-12 {
		t.Errorf("Φ = %v, want %v", got, want)
	}
	if got, want := k.Sigma.At(0, 0), 1-math.Exp(-B); math.Abs(got-want) > 1e-12 {
		t.Errorf("Σ = %v, want %v", got, want)
	}
}

func TestLinearSDESemigroupAndStationary(t *testing.T) {
	f := mat.NewDense(2, 2, []float64{-1, 2, -0.5, -1.5})
	l := mat.NewDense(2, 2, []float64{0.3, 0, 0.4, 1.1})
	sde, err := NewLinearSDE(f, l)
	if err != nil {
		t.Fatal(err)
	}
	k1, _ := sde.Kernel(0.3)
	k2, _ := sde.Kernel(0.45)
	k12, _ := sde.Kernel(0.75)
	comp := k1.Then(k2)
	if !mat.EqualApprox(comp.Phi, k12.Phi, 1e-12) || !mat.EqualApprox(comp.Sigma, k12.Sigma, 1e-12) {
		t.Errorf("kernel(0.3) then kernel(0.45) ≠ kernel(0.75):\n%v\n%v", mat.Formatted(comp.Sigma), mat.Formatted(k12.Sigma))
	}
	st, err := sde.Stationary()
	if err != nil {
		t.Fatal(err)
	}
	kInf, _ := sde.Kernel(60)
	if !mat.EqualApprox(st, kInf.Sigma, 1e-10) {
		t.Errorf("Lyapunov solution %v ≠ Σ(∞) %v", mat.Formatted(st), mat.Formatted(kInf.Sigma))
	}
	// The residual of the Lyapunov equation itself.
	var r, tmp mat.Dense
	r.Mul(f, st)
	tmp.Mul(st, f.T())
	r.Add(&r, &tmp)
	r.Add(&r, sde.Q)
	if n := mat.Norm(&r, 1); n > 1e-12 {
		t.Errorf("Lyapunov residual %v", n)
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

func TestLinearSDEMonteCarlo(t *testing.T) {
	f := mat2{-1, 2, -0.5, -1.5}
	l := mat2{0.3, 0, 0.4, 1.1}
	sde, err := NewLinearSDE(f.dense(), l.dense())
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	const n = 20000
	for _, tEnd := range []float64{0.2, 1} {
		k, err := sde.Kernel(tEnd)
		if err != nil {
			t.Fatal(err)
		}
		x0, v0 := 1.5, -0.8
		mean, cov := eulerMaruyama2(f, l, tEnd, 200, n, rng, func() (float64, float64) { return x0, v0 })
		phi, sig := mat2Of(k.Phi), mat2Of(k.Sigma)
		want := [2]float64{phi[0]*x0 + phi[1]*v0, phi[2]*x0 + phi[3]*v0}
		checkGaussianMC(t, "linsde", tEnd, mean, cov, want, sig, n)
	}
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
