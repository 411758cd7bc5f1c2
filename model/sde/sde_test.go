package sde

import (
	"errors"
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"
)

func TestLinearKernelOU1D(t *testing.T) {
	// dU = −θU dt + s dW: Φ = e^{−θt}, Σ = s²(1 − e^{−2θt})/(2θ).
	for _, tc := range []struct{ theta, s, t float64 }{
		{1, 1, 0.1}, {0.5, 2, 1}, {3, 0.7, 2.5}, {10, 1, 0.001}, {2, 1, 0},
	} {
		sde, err := NewLinear(mat.NewDense(1, 1, []float64{-tc.theta}), mat.NewDense(1, 1, []float64{tc.s}))
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

func TestLinearPiecewiseOU(t *testing.T) {
	// OU with a piecewise-constant rate β(t): dU = −½β U dt + √β dW has
	// Φ = e^{−½B}, Σ = 1 − e^{−B} with B = ∫β.
	var sdes []Linear
	betas := []float64{0.5, 3, 10}
	spans := []float64{0.2, 0.1, 0.05}
	B := 0.0
	for i, b := range betas {
		sde, err := NewLinear(mat.NewDense(1, 1, []float64{-0.5 * b}), mat.NewDense(1, 1, []float64{math.Sqrt(b)}))
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

func TestLinearSemigroupAndStationary(t *testing.T) {
	f := mat.NewDense(2, 2, []float64{-1, 2, -0.5, -1.5})
	l := mat.NewDense(2, 2, []float64{0.3, 0, 0.4, 1.1})
	sde, err := NewLinear(f, l)
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

// TestLinearMonteCarlo compares the kernel of a 2-D SDE from a fixed start
// with the mean and covariance of fine Euler–Maruyama paths, within 5
// standard errors plus a small slack for the discretisation bias.
func TestLinearMonteCarlo(t *testing.T) {
	f := [4]float64{-1, 2, -0.5, -1.5}
	l := [4]float64{0.3, 0, 0.4, 1.1}
	s, err := NewLinear(mat.NewDense(2, 2, f[:]), mat.NewDense(2, 2, l[:]))
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	const n, steps = 20000, 200
	u0 := [2]float64{1.5, -0.8}
	for _, tEnd := range []float64{0.2, 1} {
		k, err := s.Kernel(tEnd)
		if err != nil {
			t.Fatal(err)
		}
		h := tEnd / steps
		sq := math.Sqrt(h)
		var mean [2]float64
		var cov [2][2]float64
		for range n {
			x, v := u0[0], u0[1]
			for range steps {
				z1, z2 := rng.NormFloat64(), rng.NormFloat64()
				x, v = x+(f[0]*x+f[1]*v)*h+(l[0]*z1+l[1]*z2)*sq, v+(f[2]*x+f[3]*v)*h+(l[2]*z1+l[3]*z2)*sq
			}
			u := [2]float64{x, v}
			for i := range 2 {
				mean[i] += u[i] / n
				for j := range 2 {
					cov[i][j] += u[i] * u[j] / n
				}
			}
		}
		for i := range 2 {
			want := k.Phi.At(i, 0)*u0[0] + k.Phi.At(i, 1)*u0[1]
			if se := math.Sqrt(k.Sigma.At(i, i) / n); math.Abs(mean[i]-want) > 5*se+0.01*math.Abs(want)+1e-3 {
				t.Errorf("t=%v: mean[%d] = %.5f, want %.5f (se %.5f)", tEnd, i, mean[i], want, se)
			}
		}
		for i := range 2 {
			for j := range 2 {
				got := cov[i][j] - mean[i]*mean[j]
				w := k.Sigma.At(i, j)
				// Var of a sample covariance entry: (Σii Σjj + Σij²)/n.
				se := math.Sqrt((k.Sigma.At(i, i)*k.Sigma.At(j, j) + w*w) / n)
				if math.Abs(got-w) > 5*se+0.02*math.Abs(w)+1e-4 {
					t.Errorf("t=%v: cov[%d][%d] = %.5f, want %.5f (se %.5f)", tEnd, i, j, got, w, se)
				}
			}
		}
	}
}

// TestLinearInvalid checks that ill-formed SDEs and spans are errors
// wrapping ErrInvalid, not panics.
func TestLinearInvalid(t *testing.T) {
	sq := mat.NewDense(2, 2, []float64{-1, 0, 0, -1})
	if _, err := NewLinear(mat.NewDense(2, 3, nil), sq); !errors.Is(err, ErrInvalid) {
		t.Errorf("non-square drift: %v", err)
	}
	if _, err := NewLinear(sq, mat.NewDense(3, 1, nil)); !errors.Is(err, ErrInvalid) {
		t.Errorf("diffusion of the wrong height: %v", err)
	}
	s, err := NewLinear(sq, sq)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Kernel(-1); !errors.Is(err, ErrInvalid) {
		t.Errorf("negative span: %v", err)
	}
	if _, err := s.Kernel(math.NaN()); !errors.Is(err, ErrInvalid) {
		t.Errorf("NaN span: %v", err)
	}
	if _, err := (Linear{}).Kernel(1); !errors.Is(err, ErrInvalid) {
		t.Errorf("zero Linear: %v", err)
	}
	if _, err := (Linear{}).Stationary(); !errors.Is(err, ErrInvalid) {
		t.Errorf("zero Linear, stationary: %v", err)
	}
	if _, err := (Linear{F: sq, Q: mat.NewDense(1, 1, nil)}).Kernel(1); !errors.Is(err, ErrInvalid) {
		t.Errorf("mismatched Q: %v", err)
	}
	if _, err := PiecewiseKernel([]Linear{s}, []float64{1, 2}); !errors.Is(err, ErrInvalid) {
		t.Errorf("pieces and spans differ: %v", err)
	}
	// dX = X dt + dW is unstable: its Lyapunov equation 2Σ + 1 = 0 still
	// has a solution, −½, which is no covariance (Stationary's doc).
	un, _ := NewLinear(mat.NewDense(1, 1, []float64{1}), mat.NewDense(1, 1, []float64{1}))
	if st, err := un.Stationary(); err != nil || st.At(0, 0) != -0.5 {
		t.Errorf("unstable SDE: %v, %v; want −0.5", st, err)
	}
	// dX = dW (F = 0): the equation is singular.
	bm, _ := NewLinear(mat.NewDense(1, 1, []float64{0}), mat.NewDense(1, 1, []float64{1}))
	if _, err := bm.Stationary(); !errors.Is(err, ErrInvalid) {
		t.Errorf("Brownian motion has a stationary law: %v", err)
	}
}
