package model

import (
	"math"
)

// diagProcess is a forward diffusion that is a set of independent scalar
// linear SDEs dy_i = f_i(t) y_i dt + g(t) dW_i, one per latent coordinate, so
// that y_t,i | y_0,i ~ N(m_i(t) y_0,i, s_i(t)) in closed form. Both GOU (in
// the eigen-coordinates of the data covariance, where M is diagonal) and VP
// (isotropic, so any orthonormal coordinates will do) are diagProcesses,
// run by diagEngine.
//
// A phase-space process such as CLD is not a diagProcess; it has an engine
// of its own (cldEngine; see engine.go) and reuses the score network, its
// trainer (package nn) and the Basis.
type diagProcess interface {
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

// gouProcess is the Geometry-aware Ornstein–Uhlenbeck process (GOU) in
// eigen-coordinates: dy_i = c_i y_i dt + √β dW_i with
// c_i = −b(a + γ(1 − λ_i/λ_max)).
type gouProcess struct {
	A, B, Gamma, Beta, T, Eps float64
	C                         []float64 // c_i per latent coordinate
}

// newGOU builds the GOU process for eigenvalues lambda (descending). Beta is
// taken as given (it is resolved from Config before).
func newGOU(lambda []float64, a, b, gamma, beta, T, eps float64) *gouProcess {
	g := &gouProcess{A: a, B: b, Gamma: gamma, Beta: beta, T: T, Eps: eps, C: make([]float64, len(lambda))}
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

// Kind implements diagProcess.
func (g *gouProcess) Kind() ProcessKind { return ProcessGOU }

// Horizon implements diagProcess.
func (g *gouProcess) Horizon() (float64, float64) { return g.Eps, g.T }

// Mean implements diagProcess: e^{c_i t}.
func (g *gouProcess) Mean(i int, t float64) float64 { return math.Exp(g.C[i] * t) }

// Var implements diagProcess: β(e^{2c_i t} − 1)/(2c_i).
func (g *gouProcess) Var(i int, t float64) float64 {
	c := g.C[i]
	return g.Beta * math.Expm1(2*c*t) / (2 * c)
}

// Drift implements diagProcess.
func (g *gouProcess) Drift(i int, t float64) float64 { return g.C[i] }

// Diffusion2 implements diagProcess.
func (g *gouProcess) Diffusion2(float64) float64 { return g.Beta }

// vpProcess is the variance-preserving process (VP)
// dy = −½β(t)y dt + √β(t) dW with β(t) = β0 + t(β1 − β0), the isotropic
// baseline (on standardised data).
type vpProcess struct {
	Beta0, Beta1, T, Eps float64
}

// Kind implements diagProcess.
func (v *vpProcess) Kind() ProcessKind { return ProcessVP }

// Horizon implements diagProcess.
func (v *vpProcess) Horizon() (float64, float64) { return v.Eps, v.T }

func (v *vpProcess) logAlpha(t float64) float64 {
	return -0.25*t*t*(v.Beta1-v.Beta0) - 0.5*t*v.Beta0
}

// Mean implements diagProcess: α_t.
func (v *vpProcess) Mean(_ int, t float64) float64 { return math.Exp(v.logAlpha(t)) }

// Var implements diagProcess: 1 − α_t².
func (v *vpProcess) Var(_ int, t float64) float64 { return -math.Expm1(2 * v.logAlpha(t)) }

// Drift implements diagProcess: −β(t)/2.
func (v *vpProcess) Drift(_ int, t float64) float64 { return -0.5 * v.Diffusion2(t) }

// Diffusion2 implements diagProcess: β(t).
func (v *vpProcess) Diffusion2(t float64) float64 { return v.Beta0 + t*(v.Beta1-v.Beta0) }

// transition returns φ and σ² of y_t = φ y_u + σ ξ for u < t, coordinate i.
func transition(p diagProcess, i int, u, t float64) (phi, sigma2 float64) {
	mt, mu := p.Mean(i, t), p.Mean(i, u)
	phi = mt / mu
	sigma2 = p.Var(i, t) - phi*phi*p.Var(i, u)
	if sigma2 < 0 {
		sigma2 = 0
	}
	return phi, sigma2
}
