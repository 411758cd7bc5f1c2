package model

import (
	"math"
)

// DiagProcess is a forward diffusion that is a set of independent scalar
// linear SDEs dy_i = f_i(t) y_i dt + g(t) dW_i, one per latent coordinate, so
// that y_t,i | y_0,i ~ N(m_i(t) y_0,i, s_i(t)) in closed form. Both GOU (in
// the eigen-coordinates of the data covariance, where M is diagonal) and VP
// (isotropic, so any orthonormal coordinates will do) are DiagProcesses.
//
// A phase-space process such as CLD is not a DiagProcess; it plugs into the
// engine through Process (see engine.go) and reuses the score network and
// its trainer (package nn) and the Basis.
type DiagProcess interface {
	// Kind returns the process name (ProcessGOU, ProcessVP).
	Kind() ProcessKind
	// Horizon returns the time interval [eps, T] used for training and sampling.
	Horizon() (eps, T float64)
	// Mean returns m_i(t); Var returns s_i(t).
	Mean(i int, t float64) float64
	Var(i int, t float64) float64
	// Drift returns f_i(t); Diffusion2 returns g(t)².
	Drift(i int, t float64) float64
	Diffusion2(t float64) float64
}

// GOU is the Geometry-aware Ornstein–Uhlenbeck process in eigen-coordinates:
// dy_i = c_i y_i dt + √β dW_i with c_i = −b(a + γ(1 − λ_i/λ_max)).
type GOU struct {
	A, B, Gamma, Beta, T, Eps float64
	C                         []float64 // c_i per latent coordinate
}

// NewGOU builds the GOU process for eigenvalues lambda (descending). Beta is
// taken as given (it is resolved from Config before).
func NewGOU(lambda []float64, a, b, gamma, beta, T, eps float64) *GOU {
	g := &GOU{A: a, B: b, Gamma: gamma, Beta: beta, T: T, Eps: eps, C: make([]float64, len(lambda))}
	lmax := 0.0
	for _, l := range lambda {
		lmax = math.Max(lmax, l)
	}
	for i, l := range lambda {
		r := 0.0
		if lmax > 0 {
			r = l / lmax
		}
		g.C[i] = -b * (a + gamma*(1-r))
	}
	return g
}

// Kind implements DiagProcess.
func (g *GOU) Kind() ProcessKind { return ProcessGOU }

// Horizon implements DiagProcess.
func (g *GOU) Horizon() (float64, float64) { return g.Eps, g.T }

// Mean implements DiagProcess: e^{c_i t}.
func (g *GOU) Mean(i int, t float64) float64 { return math.Exp(g.C[i] * t) }

// Var implements DiagProcess: β(e^{2c_i t} − 1)/(2c_i).
func (g *GOU) Var(i int, t float64) float64 {
	c := g.C[i]
	return g.Beta * math.Expm1(2*c*t) / (2 * c)
}

// Drift implements DiagProcess.
func (g *GOU) Drift(i int, t float64) float64 { return g.C[i] }

// Diffusion2 implements DiagProcess.
func (g *GOU) Diffusion2(float64) float64 { return g.Beta }

// VP is the variance-preserving process dy = −½β(t)y dt + √β(t) dW with
// β(t) = β0 + t(β1 − β0), the isotropic baseline (on standardised data).
type VP struct {
	Beta0, Beta1, T, Eps float64
}

// Kind implements DiagProcess.
func (v *VP) Kind() ProcessKind { return ProcessVP }

// Horizon implements DiagProcess.
func (v *VP) Horizon() (float64, float64) { return v.Eps, v.T }

func (v *VP) logAlpha(t float64) float64 {
	return -0.25*t*t*(v.Beta1-v.Beta0) - 0.5*t*v.Beta0
}

// Mean implements DiagProcess: α_t.
func (v *VP) Mean(_ int, t float64) float64 { return math.Exp(v.logAlpha(t)) }

// Var implements DiagProcess: 1 − α_t².
func (v *VP) Var(_ int, t float64) float64 { return -math.Expm1(2 * v.logAlpha(t)) }

// Drift implements DiagProcess: −β(t)/2.
func (v *VP) Drift(_ int, t float64) float64 { return -0.5 * v.Diffusion2(t) }

// Diffusion2 implements DiagProcess: β(t).
func (v *VP) Diffusion2(t float64) float64 { return v.Beta0 + t*(v.Beta1-v.Beta0) }

// transition returns φ and σ² of y_t = φ y_u + σ ξ for u < t, coordinate i.
func transition(p DiagProcess, i int, u, t float64) (phi, sigma2 float64) {
	mt, mu := p.Mean(i, t), p.Mean(i, u)
	phi = mt / mu
	sigma2 = p.Var(i, t) - phi*phi*p.Var(i, u)
	if sigma2 < 0 {
		sigma2 = 0
	}
	return phi, sigma2
}
