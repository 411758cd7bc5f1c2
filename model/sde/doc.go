// Package sde computes the exact Gaussian transition kernels of small
// time-homogeneous linear SDEs dU = F U dt + L dW: for U_0 given,
// U_t ~ N(Φ(t) U_0, Σ(t)) with Φ(t) = e^{Ft} and
// Σ(t) = ∫_0^t e^{Fs} Q e^{Fᵀs} ds, Q = L Lᵀ. It is the reference against
// which package model checks the closed-form kernels of its diffusion
// processes (VP, GOU and the phase-space CLD and CLD-ε all have a 1×1 or
// 2×2 linear SDE per latent coordinate), and the exact linear half-step of
// model's SSCS sampler for CLD.
//
// It lives under model (model/sde) because model is its only client, but it
// depends on nothing of model's: a Linear is a pair of gonum matrices, and
// the package is a self-contained linear-SDE library.
//
// # Numerics
//
// Φ and Σ come from one matrix exponential, by Van Loan's method (1978):
// the block matrix C = [[−F, Q], [0, Fᵀ]]·t has
// e^C = [[·, G12], [0, G22]] with Φ = G22ᵀ and Σ = Φ·G12, so no quadrature
// of the covariance integral is needed. gonum's mat.Dense.Exp (scaling and
// squaring with a Padé approximant) serves the small, moderately scaled
// blocks used here (the tests match closed forms to 1e-12); Σ is
// symmetrised afterwards, since Φ·G12 is symmetric only up to rounding.
//
// A piecewise-constant SDE (following sdes[i] for spans[i]) composes the
// pieces' kernels with the semigroup rule Φ = Φ₂Φ₁, Σ = Φ₂Σ₁Φ₂ᵀ + Σ₂
// (Kernel.Then, PiecewiseKernel), which is exact, not a time-stepping
// approximation. The stationary covariance of a stable SDE solves the
// Lyapunov equation F Σ + Σ Fᵀ + Q = 0, here by its n²×n² vectorised
// linear system: trivial for n ≤ 2, and meant for small n only.
package sde
