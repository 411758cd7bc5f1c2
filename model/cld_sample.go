package model

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/gousynth/gousynth/model/sde"
)

// phaseScore evaluates the phase-space score ∇log p_t at time t for n states
// of dimension d, stored sample-major in x and v (length n·d), writing the
// position part into sx and the velocity part into sv. sx is nil for plain
// CLD (ε = 0), whose reverse drift Q∇log p_t only uses the velocity part.
type phaseScore func(t float64, x, v, sx, sv []float64) error

// samplerSSCS is CLD's own sampler (symmetric splitting: exact half-step,
// Euler score step, exact half-step), which the CLD engine runs for
// SamplerAncestral; ReverseCLD also runs SamplerEM.
const samplerSSCS SamplerKind = "sscs"

// ReverseCLD integrates the reverse-time phase-space SDE
//
//	dŪ = [−F Ū + Q ∇log p_{t}(Ū)] dτ + G dW̄,  t = T − τ,
//
// from t = p.T down to tMin in steps steps (a grid quadratic in the step
// index, finer near tMin), in place on the states
// (x, v) (n·d values each, sample-major), which the caller initialises from
// the prior. method is samplerSSCS or SamplerEM. SSCS (Dockhorn et al. 2022)
// splits the drift into the linear part F̃u with F̃ = −F − QΣ∞⁻¹ (Σ∞ the
// stationary covariance) — an OU process integrated exactly with its Van
// Loan kernel over half a step — and the remainder Q(∇log p_t + Σ∞⁻¹u),
// integrated by one Euler step at the midpoint time. Noise is drawn from rng
// in a fixed order, so a seed gives identical samples.
func (p cldProcess) ReverseCLD(ctx context.Context, score phaseScore, x, v []float64, d, steps int, tMin float64, method SamplerKind, rng *rand.Rand) error {
	if err := p.Validate(); err != nil {
		return err
	}
	if len(x) != len(v) || d <= 0 || len(x)%d != 0 {
		return fmt.Errorf("model: CLD sampler: %d positions, %d velocities, dimension %d", len(x), len(v), d)
	}
	if steps <= 0 || !(tMin >= 0 && tMin < p.T) {
		return fmt.Errorf("model: CLD sampler: %d steps from T=%v to %v", steps, p.T, tMin)
	}
	var sx []float64
	if p.Eps > 0 {
		sx = make([]float64, len(x))
	}
	sv := make([]float64, len(v))
	// Time grid t_0 = T > t_1 > … > t_steps = tMin, quadratic in the step
	// index so that steps are small near tMin, where the score of
	// low-variance directions is stiff (the engine's training-time law uses
	// the same map).
	grid := make([]float64, steps+1)
	for j := range grid {
		u := float64(steps-j) / float64(steps)
		grid[j] = tMin + (p.T-tMin)*u*u
	}
	switch method {
	case SamplerEM:
		return p.reverseEM(ctx, score, grid, x, v, sx, sv, rng)
	case samplerSSCS:
		return p.reverseSSCS(ctx, score, grid, x, v, sx, sv, rng)
	default:
		return fmt.Errorf("model: unknown CLD sampler %q (want %q or %q)", method, samplerSSCS, SamplerEM)
	}
}

// reverseEM integrates the reverse SDE by Euler–Maruyama on grid, in place
// on (x, v), with sx and sv the score buffers (sx nil for plain CLD).
func (p cldProcess) reverseEM(ctx context.Context, score phaseScore, grid, x, v, sx, sv []float64, rng *rand.Rand) error {
	f := p.drift().scale(p.Beta)
	q := p.noise().scale(p.Beta)
	for k := range len(grid) - 1 {
		if err := ctx.Err(); err != nil {
			return err
		}
		t, h := grid[k], grid[k]-grid[k+1]
		gx, gv := p.Eps*math.Sqrt(p.Beta*h), p.Sigma*math.Sqrt(p.Beta*h)
		if err := score(t, x, v, sx, sv); err != nil {
			return err
		}
		for i := range x {
			xi, vi := x[i], v[i]
			var sxi float64
			if sx != nil {
				sxi = sx[i]
			}
			dx := -(f[0]*xi + f[1]*vi) + q[0]*sxi
			dv := -(f[2]*xi + f[3]*vi) + q[3]*sv[i]
			x[i] = xi + h*dx
			v[i] = vi + h*dv
			if gx > 0 {
				x[i] += gx * rng.NormFloat64()
			}
			v[i] += gv * rng.NormFloat64()
		}
	}
	return nil
}

// reverseSSCS integrates the reverse SDE by SSCS on grid, in place on
// (x, v), with sx and sv the score buffers (sx nil for plain CLD): per step
// an exact half-step of the linear part (its Van Loan kernel), an Euler
// step of the score remainder at the midpoint time, another exact
// half-step.
func (p cldProcess) reverseSSCS(ctx context.Context, score phaseScore, grid, x, v, sx, sv []float64, rng *rand.Rand) error {
	f := p.drift().scale(p.Beta)
	q := p.noise().scale(p.Beta)
	statInv := p.Stationary().inv()
	linearSDE := sde.Linear{F: f.scale(-1).add(q.mul(statInv).scale(-1)).dense(), Q: q.dense()}
	for k := range len(grid) - 1 {
		if err := ctx.Err(); err != nil {
			return err
		}
		t, h := grid[k], grid[k]-grid[k+1]
		half, err := linearSDE.Kernel(h / 2)
		if err != nil {
			return err
		}
		phi, sig := mat2Of(half.Phi), mat2Of(half.Sigma)
		l11, l21, l22, ok := sig.chol()
		if !ok {
			// A degenerate half-step covariance (tiny h): fall back to the
			// diagonal square roots, which carry the same marginal variances.
			l11, l21, l22 = math.Sqrt(math.Max(sig[0], 0)), 0, math.Sqrt(math.Max(sig[3], 0))
		}
		sscsLinear(x, v, phi, l11, l21, l22, rng)
		if err := score(t-h/2, x, v, sx, sv); err != nil {
			return err
		}
		for i := range x {
			xi, vi := x[i], v[i]
			// Residual score r = ∇log p + Σ∞⁻¹u; drift Q r.
			rv := sv[i] + statInv[2]*xi + statInv[3]*vi
			if sx != nil {
				rx := sx[i] + statInv[0]*xi + statInv[1]*vi
				x[i] = xi + h*q[0]*rx
			}
			v[i] = vi + h*q[3]*rv
		}
		sscsLinear(x, v, phi, l11, l21, l22, rng)
	}
	return nil
}

// sscsLinear applies SSCS's exact linear half-step to every state (x, v):
// mean map phi and the Cholesky factor (l11, l21, l22) of the half-step
// covariance.
func sscsLinear(x, v []float64, phi mat2, l11, l21, l22 float64, rng *rand.Rand) {
	for i := range x {
		xi, vi := x[i], v[i]
		z1, z2 := rng.NormFloat64(), rng.NormFloat64()
		x[i] = phi[0]*xi + phi[1]*vi + l11*z1
		v[i] = phi[2]*xi + phi[3]*vi + l21*z1 + l22*z2
	}
}

// GaussianPhaseScore returns the exact phase-space score of data whose
// coordinates are independent Gaussians N(0, lambda[j]) (eigen-coordinates of
// centred data): per coordinate ∇log p_t(u) = −K_j(t)⁻¹u with
// K_j(t) = GaussianMarginal(t, lambda[j]). It is the Gaussian part of the
// score on which a network learns the residual, and the exact score in tests.
func (p cldProcess) GaussianPhaseScore(lambda []float64) phaseScore {
	d := len(lambda)
	inv := make([]mat2, d)
	return func(t float64, x, v, sx, sv []float64) error {
		for j := range d {
			inv[j] = p.GaussianMarginal(t, lambda[j]).inv()
		}
		for i := range x {
			k := inv[i%d]
			if sx != nil {
				sx[i] = -(k[0]*x[i] + k[1]*v[i])
			}
			sv[i] = -(k[2]*x[i] + k[3]*v[i])
		}
		return nil
	}
}
