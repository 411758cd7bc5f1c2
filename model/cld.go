package model

import (
	"errors"
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"

	"github.com/gousynth/gousynth/model/sde"
)

// errCLD reports invalid critically damped Langevin parameters.
var errCLD = errors.New("model: invalid CLD parameters")

// cldProcess is the critically damped Langevin process (CLD) on phase
// space u = (x, v), applied independently to every data coordinate, in the
// parametrisation of Strasman et al. (2025):
//
//	dX = a²β V dt + ε√β dB¹,   dV = −β(X + 2aV) dt + σ√β dB²,
//
// with constant β on t ∈ [0, T] and V_0 ~ N(0, V0Var) independent of X_0.
// a = 2, σ = √2, ε = 0 is the CLD of Dockhorn et al. (2022) with M = 1/a² =
// 0.25, Γ = 2/a = 1 (noise √(2Γβ) = σ√β); ε > 0 is CLD-ε, whose position
// noise makes the diffusion elliptic. The drift matrix βN' with
// N' = [[0, a²], [−1, −2a]] has the double eigenvalue −aβ for every ε, so the
// kernel has a closed form (transition), cross-checked against Van Loan's
// block exponential (sde.Linear) in the tests.
type cldProcess struct {
	A      float64 // a: critical-damping constant (mass M = 1/a²)
	Sigma  float64 // σ: velocity noise scale
	Eps    float64 // ε ≥ 0: position noise scale (0 is plain CLD)
	Beta   float64 // β: constant time scaling
	T      float64 // diffusion horizon
	V0Var  float64 // variance of the initial velocity (Dockhorn's γM)
	Jitter float64 // added to both diagonal entries of the marginalised kernel
}

// defaultCLD returns Dockhorn et al.'s reference constants (M = 0.25, Γ = 1,
// β = 4, γ = 0.04, T = 1) with position noise eps (0 for plain CLD).
func defaultCLD(eps float64) cldProcess {
	return cldProcess{A: 2, Sigma: math.Sqrt2, Eps: eps, Beta: 4, T: 1, V0Var: 0.04 * 0.25, Jitter: 1e-6}
}

// Validate checks that the parameters define a stable, well-posed process.
func (p cldProcess) Validate() error {
	switch {
	case !(p.A > 0) || math.IsInf(p.A, 0):
		return fmt.Errorf("%w: a = %v, want > 0", errCLD, p.A)
	case !(p.Sigma > 0) || math.IsInf(p.Sigma, 0):
		return fmt.Errorf("%w: σ = %v, want > 0", errCLD, p.Sigma)
	case !(p.Eps >= 0) || math.IsInf(p.Eps, 0):
		return fmt.Errorf("%w: ε = %v, want ≥ 0", errCLD, p.Eps)
	case !(p.Beta > 0) || math.IsInf(p.Beta, 0):
		return fmt.Errorf("%w: β = %v, want > 0", errCLD, p.Beta)
	case !(p.T > 0) || math.IsInf(p.T, 0):
		return fmt.Errorf("%w: T = %v, want > 0", errCLD, p.T)
	case !(p.V0Var >= 0) || math.IsInf(p.V0Var, 0):
		return fmt.Errorf("%w: initial velocity variance %v, want ≥ 0", errCLD, p.V0Var)
	case !(p.Jitter >= 0) || math.IsInf(p.Jitter, 0):
		return fmt.Errorf("%w: jitter %v, want ≥ 0", errCLD, p.Jitter)
	}
	return nil
}

// mat2 is a 2×2 matrix, row-major: [0]=xx, [1]=xv, [2]=vx, [3]=vv. The
// per-coordinate phase-space algebra is done on these rather than on
// mat.Dense because it runs once per training example and per sampler step.
type mat2 [4]float64

func (m mat2) mul(b mat2) mat2 {
	return mat2{
		m[0]*b[0] + m[1]*b[2], m[0]*b[1] + m[1]*b[3],
		m[2]*b[0] + m[3]*b[2], m[2]*b[1] + m[3]*b[3],
	}
}

func (m mat2) t() mat2 { return mat2{m[0], m[2], m[1], m[3]} }

func (m mat2) add(b mat2) mat2 { return mat2{m[0] + b[0], m[1] + b[1], m[2] + b[2], m[3] + b[3]} }

func (m mat2) scale(s float64) mat2 { return mat2{s * m[0], s * m[1], s * m[2], s * m[3]} }

func (m mat2) det() float64 { return m[0]*m[3] - m[1]*m[2] }

func (m mat2) inv() mat2 {
	d := m.det()
	return mat2{m[3] / d, -m[1] / d, -m[2] / d, m[0] / d}
}

// chol returns the lower Cholesky factor (l11, l21, l22) of a symmetric
// positive-definite 2×2 matrix.
func (m mat2) chol() (l11, l21, l22 float64, ok bool) {
	if !(m[0] > 0) {
		return 0, 0, 0, false
	}
	l11 = math.Sqrt(m[0])
	l21 = m[2] / l11
	r := m[3] - l21*l21
	if !(r > 0) {
		return 0, 0, 0, false
	}
	return l11, l21, math.Sqrt(r), true
}

func (m mat2) dense() *mat.Dense { return mat.NewDense(2, 2, []float64{m[0], m[1], m[2], m[3]}) }

func mat2Of(d mat.Matrix) mat2 { return mat2{d.At(0, 0), d.At(0, 1), d.At(1, 0), d.At(1, 1)} }

// drift returns N' = F/β = [[0, a²], [−1, −2a]].
func (p cldProcess) drift() mat2 { return mat2{0, p.A * p.A, -1, -2 * p.A} }

// noise returns Q/β = diag(ε², σ²).
func (p cldProcess) noise() mat2 { return mat2{p.Eps * p.Eps, 0, 0, p.Sigma * p.Sigma} }

// SDE returns the per-coordinate phase-space SDE as an sde.Linear, for Van
// Loan's exact kernel.
func (p cldProcess) SDE() sde.Linear {
	return sde.Linear{F: p.drift().scale(p.Beta).dense(), Q: p.noise().scale(p.Beta).dense()}
}

// expIntegrals returns I_k = ∫_0^B r^k e^{−c r} dr for k = 0, 1, 2; a power
// series for small cB avoids the cancellation of the closed forms.
func expIntegrals(c, b float64) (i0, i1, i2 float64) {
	x := c * b
	if x < 0.5 {
		// I_k = B^{k+1} Σ_n (−x)^n / (n! (n+k+1)).
		term := 1.0
		var s0, s1, s2 float64
		for n := range 30 {
			fn := float64(n)
			s0 += term / (fn + 1)
			s1 += term / (fn + 2)
			s2 += term / (fn + 3)
			term *= -x / (fn + 1)
		}
		return b * s0, b * b * s1, b * b * b * s2
	}
	e := math.Exp(-x)
	i0 = -math.Expm1(-x) / c
	i1 = (1 - e*(1+x)) / (c * c)
	i2 = (2 - e*(2+2*x+x*x)) / (c * c * c)
	return i0, i1, i2
}

// transition returns the exact kernel over a span t with known (x0, v0):
// Φ = e^{−aB}(I + B·K) with K = N' + aI nilpotent, B = βt, and
// Σ₀ = ∫_0^B e^{−2ar}(D + r(KD + DKᵀ) + r² K D Kᵀ) dr with D = diag(ε², σ²).
func (p cldProcess) transition(t float64) (phi, sigma0 mat2) {
	b := p.Beta * t
	k := p.drift().add(mat2{p.A, 0, 0, p.A})
	d := p.noise()
	e := math.Exp(-p.A * b)
	phi = mat2{1 + b*k[0], b * k[1], b * k[2], 1 + b*k[3]}.scale(e)
	kd := k.mul(d)
	lin := kd.add(kd.t())
	quad := kd.mul(k.t())
	i0, i1, i2 := expIntegrals(2*p.A, b)
	sigma0 = d.scale(i0).add(lin.scale(i1)).add(quad.scale(i2))
	sigma0[1] = 0.5 * (sigma0[1] + sigma0[2])
	sigma0[2] = sigma0[1]
	return phi, sigma0
}

// Marginal returns the hybrid-score-matching kernel at time t: with x0 known
// and v0 ~ N(0, V0Var) marginalised, u_t | x0 ~ N(mean·x0, cov), where
// mean = (Φxx, Φvx) and cov = Σ₀ + V0Var·(Φxv, Φvv)(Φxv, Φvv)ᵀ + Jitter·I.
func (p cldProcess) Marginal(t float64) (meanX, meanV float64, cov mat2) {
	phi, s0 := p.transition(t)
	cx, cv := phi[1], phi[3]
	cov = s0.add(mat2{cx * cx, cx * cv, cx * cv, cv * cv}.scale(p.V0Var))
	cov[0] += p.Jitter
	cov[3] += p.Jitter
	return phi[0], phi[2], cov
}

// Stationary returns the stationary phase-space covariance, the solution of
// F Σ + Σ Fᵀ + Q = 0:  ¼[[5ε²/a + aσ², −2ε²/a²], [−2ε²/a², (ε² + a²σ²)/a³]].
func (p cldProcess) Stationary() mat2 {
	a, e2, s2 := p.A, p.Eps*p.Eps, p.Sigma*p.Sigma
	xv := -2 * e2 / (a * a) / 4
	return mat2{(5*e2/a + a*s2) / 4, xv, xv, (e2 + a*a*s2) / (a * a * a) / 4}
}

// GaussianMarginal returns the phase-space marginal covariance at time t of
// one coordinate whose data variance is lambda (x0 ~ N(·, lambda)):
// lambda·(Φxx, Φvx)(Φxx, Φvx)ᵀ + the marginalised kernel covariance.
func (p cldProcess) GaussianMarginal(t, lambda float64) mat2 {
	mx, mv, cov := p.Marginal(t)
	return cov.add(mat2{mx * mx, mx * mv, mx * mv, mv * mv}.scale(lambda))
}

// dockhornKernel is the closed form printed in DESIGN.md (Dockhorn et al.
// 2022, App. B) for CLD with mass M = Γ²/4, B = βt, g = 1/Γ, x0 known and v0
// of variance s marginalised (no jitter). Kept for the cross-check test.
func dockhornKernel(b, gamma, s float64) (meanX, meanV float64, cov mat2) {
	g := 1 / gamma
	e2 := math.Exp(-2 * b * g)
	e4 := math.Exp(-4 * b * g)
	meanX = e2 * (1 + 2*b*g)
	meanV = e2 * (-b)
	xx := e4 * (math.Exp(4*b*g) - 1 - 4*b*g - 8*b*b*g*g + 16*g*g*g*g*b*b*s)
	xv := e4 * (4*g*g*b*s + 4*g*b*b - 8*g*g*g*b*b*s)
	vv := e4 * (gamma*gamma/4*(math.Exp(4*b*g)-1) + gamma*b + s*(1-4*g*b+4*g*g*b*b) - 2*b*b)
	return meanX, meanV, mat2{xx, xv, xv, vv}
}
