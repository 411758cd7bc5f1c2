package model

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/gousynth/gousynth/model/nn"
)

// DefaultCLDEps is the position noise of process "cld-eps" (CLD-ε) in
// DefaultConfig, and when a configuration leaves Config.CLDEps at 0.
const DefaultCLDEps = 0.1

func init() {
	// CLD is an isotropic process, like VP: it runs on standardised SNPs.
	registerProcess(ProcessCLD, true, func(c Config, lambda []float64) (engine, error) {
		return newCLDEngine(c, lambda, 0)
	})
	registerProcess(ProcessCLDEps, true, func(c Config, lambda []float64) (engine, error) {
		return newCLDEngine(c, lambda, cldEps(c))
	})
}

// cldEps returns the CLD-ε position noise for a configuration.
func cldEps(c Config) float64 {
	if c.CLDEps > 0 {
		return c.CLDEps
	}
	return DefaultCLDEps
}

// cldEngine runs CLD or CLD-ε (process CLD, the same for every coordinate)
// in the engine's latent eigen-coordinates, with the phase space u = (y, v)
// per coordinate. Choices, and why:
//
//   - Eigen-coordinates with a Gaussian-residual score, as diagEngine: the
//     phase-space marginal of Gaussian data is Gaussian per coordinate,
//     K_i(t) = λ_i m mᵀ + Σ(t), so the network learns only the non-Gaussian
//     residual and the coordinates it does not model get the exact Gaussian
//     score (LD right by construction).
//   - The latent coordinates are divided by √mean(λ), so that their average
//     variance is CLD's stationary position variance (aσ²/4 = 1 for
//     the reference constants); the same role as GOU's automatic β.
//   - Hybrid score matching (v0 marginalised): with u = m·y0 + L z and
//     Σ = LLᵀ, the network predicts the residual noise z − ε_G(u),
//     ε_G(u) = Lᵀ K⁻¹ u (the posterior mean of z for Gaussian data), only
//     its velocity part for CLD (score_v = −(K⁻¹u)_v − r_v/L22) and both
//     parts for CLD-ε (score = −K⁻¹u − L⁻ᵀ r).
//   - Network inputs: Lk⁻¹u with Lk the Cholesky factor of K(t), unit
//     covariance at every t for Gaussian data.
type cldEngine struct {
	p      cldProcess
	eps    float64 // engine time horizon start (tMin)
	lambda []float64
	scale  float64 // latent coordinates are divided by this
	lam    []float64
	// plain switches the Gaussian residual off for the modelled coordinates
	// (the network predicts the whole noise from raw (y, v)); kept to
	// measure what the residual buys.
	plain bool
}

func newCLDEngine(c Config, lambda []float64, eps float64) (*cldEngine, error) {
	if len(lambda) == 0 {
		return nil, fmt.Errorf("%w: CLD needs at least one latent coordinate", ErrConfig)
	}
	p := defaultCLD(eps)
	p.T = c.T
	if err := p.Validate(); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrConfig, err)
	}
	var s float64
	for _, l := range lambda {
		s += l
	}
	scale := math.Sqrt(s / float64(len(lambda)))
	if !(scale > 0) {
		return nil, ErrNoVariance
	}
	lam := make([]float64, len(lambda))
	for i, l := range lambda {
		lam[i] = l / (scale * scale)
	}
	return &cldEngine{p: p, eps: c.Eps, lambda: lambda, scale: scale, lam: lam}, nil
}

// Kind implements engine.
func (e *cldEngine) Kind() ProcessKind {
	if e.p.Eps > 0 {
		return ProcessCLDEps
	}
	return ProcessCLD
}

// NetDims implements engine: input (y, v) of the k modelled coordinates;
// output ε_v (CLD) or (ε_y, ε_v) (CLD-ε).
func (e *cldEngine) NetDims(k int) (int, int) {
	if e.p.Eps > 0 {
		return 2 * k, 2 * k
	}
	return 2 * k, k
}

// Horizon implements engine.
func (e *cldEngine) Horizon() (float64, float64) { return e.eps, e.p.T }

// cldCoordKernel holds, for one coordinate at one time, everything the
// residual parametrisation needs.
type cldCoordKernel struct {
	mx, mv        float64 // mean map of y0
	l11, l21, l22 float64 // Cholesky of the conditional covariance Σ
	kinv          mat2    // K⁻¹, K = λ m mᵀ + Σ
	k11, k21, k22 float64 // Cholesky of K
}

// cldTimeKernel is the λ-independent part of the kernel at one time.
type cldTimeKernel struct {
	mx, mv, l11, l21, l22 float64
	cov                   mat2
}

func (e *cldEngine) timeKernel(t float64) cldTimeKernel {
	mx, mv, cov := e.p.Marginal(t)
	l11, l21, l22, _ := cov.chol()
	return cldTimeKernel{mx: mx, mv: mv, l11: l11, l21: l21, l22: l22, cov: cov}
}

func (tk *cldTimeKernel) coord(lambda float64) cldCoordKernel {
	mx, mv, cov, l11, l21, l22 := tk.mx, tk.mv, tk.cov, tk.l11, tk.l21, tk.l22
	k := cov.add(mat2{mx * mx, mx * mv, mx * mv, mv * mv}.scale(lambda))
	k11, k21, k22, _ := k.chol()
	return cldCoordKernel{mx: mx, mv: mv, l11: l11, l21: l21, l22: l22, kinv: k.inv(), k11: k11, k21: k21, k22: k22}
}

// whiten returns Lk⁻¹u, the network input.
func (c *cldCoordKernel) whiten(x, v float64) (float64, float64) {
	w1 := x / c.k11
	return w1, (v - c.k21*w1) / c.k22
}

// gaussNoise returns ε_G(u) = Lᵀ K⁻¹ u.
func (c *cldCoordKernel) gaussNoise(x, v float64) (float64, float64) {
	a := c.kinv[0]*x + c.kinv[1]*v
	b := c.kinv[2]*x + c.kinv[3]*v
	return c.l11*a + c.l21*b, c.l22 * b
}

// Batch implements engine.
func (e *cldEngine) Batch(rng *rand.Rand, data *latentData, k, batch int, in []float32, t []float64, target []float32) {
	eps, T := e.Horizon()
	_, out := e.NetDims(k)
	for b := range batch {
		u := (float64(b) + rng.Float64()) / float64(batch)
		tt := trainTime(eps, T, u)
		t[b] = tt
		row := data.Y[rng.IntN(data.N)*data.R:]
		tk := e.timeKernel(tt)
		for i := range k {
			c := tk.coord(e.lam[i])
			y0 := float64(row[i]) / e.scale
			z1, z2 := rng.NormFloat64(), rng.NormFloat64()
			x := c.mx*y0 + c.l11*z1
			v := c.mv*y0 + c.l21*z1 + c.l22*z2
			w1, w2 := c.whiten(x, v)
			g1, g2 := c.gaussNoise(x, v)
			if e.plain {
				w1, w2, g1, g2 = x, v, 0, 0
			}
			in[b*2*k+i] = float32(w1)
			in[b*2*k+k+i] = float32(w2)
			if out == k {
				target[b*k+i] = float32(z2 - g2)
			} else {
				target[b*out+i] = float32(z1 - g1)
				target[b*out+k+i] = float32(z2 - g2)
			}
		}
	}
}

// Sample implements engine. Sampler "ancestral" (the engine's default) and
// "sscs" run SSCS; "em" runs Euler–Maruyama.
func (e *cldEngine) Sample(ctx context.Context, spec sampleSpec) ([]float64, error) {
	r := len(e.lam)
	n := spec.N
	rng := spec.Rng
	init := spec.Init
	if init == nil {
		init = &InitDist{Kind: InitMarginal}
	}
	x, v := e.initialDraw(init, spec.Labels, n, rng)
	k := spec.K
	if spec.Net == nil {
		k = 0
	}
	method := samplerSSCS
	switch spec.Sampler {
	case "", SamplerAncestral, samplerSSCS:
	case SamplerEM:
		method = SamplerEM
	default:
		return nil, fmt.Errorf("%w: sampler %q is not available for CLD (ancestral/sscs, em)", ErrConfig, spec.Sampler)
	}
	// Coordinates the network does not model have a Gaussian score and are
	// independent of the others, so the exact reverse process ends in their
	// Gaussian marginal at tMin: draw them from it, exactly, instead of
	// integrating them. This matters: the many low-variance directions have
	// a stiff score near tMin that a 100–200-step integrator reproduces
	// badly (measured: variance ×0.4–×240 at λ = 1e-3…1e-4 with a uniform
	// grid), and they carry most of the fine-scale LD.
	for i := k; i < r; i++ {
		sd := math.Sqrt(e.p.GaussianMarginal(e.eps, e.lam[i])[0])
		for a := range n {
			x[a*r+i] = sd * rng.NormFloat64()
		}
	}
	if k > 0 {
		if err := e.reverseModelled(ctx, spec, x, v, k, method); err != nil {
			return nil, err
		}
	}
	for i := range x {
		x[i] *= e.scale
	}
	return x, nil
}

// initialDraw draws the phase-space states (x, v) of n rows at time T
// (n×r each, in the engine's scaled coordinates) from init: the anchor
// mixture (restricted to each row's label when labels is not nil) pushed
// forward by the process, the stationary law, or the exact time-T marginal
// of a Gaussian with the data covariance.
func (e *cldEngine) initialDraw(init *InitDist, labels []int, n int, rng *rand.Rand) (x, v []float64) {
	r := len(e.lam)
	x = make([]float64, n*r)
	v = make([]float64, n*r)
	T := e.p.T
	switch init.Kind {
	case InitAnchors:
		cum := make([]float64, len(init.Weights))
		var s float64
		for i, w := range init.Weights {
			s += w
			cum[i] = s
		}
		mx, mv, cov := e.p.Marginal(T)
		for a := range n {
			u := rng.Float64() * s
			c := 0
			for c < len(cum)-1 && u > cum[c] {
				c++
			}
			if labels != nil {
				c = init.pick(u/s, labels[a])
			}
			for i := range r {
				mu := init.Means[c][i] / e.scale
				kc := cov.add(mat2{mx * mx, mx * mv, mx * mv, mv * mv}.scale(init.Vars[c][i] / (e.scale * e.scale)))
				l11, l21, l22, _ := kc.chol()
				z1, z2 := rng.NormFloat64(), rng.NormFloat64()
				x[a*r+i] = mx*mu + l11*z1
				v[a*r+i] = mv*mu + l21*z1 + l22*z2
			}
		}
	case InitStationary:
		l11, l21, l22, _ := e.p.Stationary().chol()
		for a := range x {
			z1, z2 := rng.NormFloat64(), rng.NormFloat64()
			x[a], v[a] = l11*z1, l21*z1+l22*z2
		}
	default: // marginal: the exact time-T marginal of a Gaussian with the data covariance
		for i := range r {
			l11, l21, l22, _ := e.p.GaussianMarginal(T, e.lam[i]).chol()
			for a := range n {
				z1, z2 := rng.NormFloat64(), rng.NormFloat64()
				x[a*r+i], v[a*r+i] = l11*z1, l21*z1+l22*z2
			}
		}
	}
	return x, v
}

// reverseModelled runs the reverse process (ReverseCLD with method) on the
// k network-modelled coordinates of the states (x, v) (n×r each), with the
// network's score, and writes their positions back into x.
func (e *cldEngine) reverseModelled(ctx context.Context, spec sampleSpec, x, v []float64, k int, method SamplerKind) error {
	n, r := spec.N, len(e.lam)
	xs, vs := make([]float64, n*k), make([]float64, n*k)
	for a := range n {
		copy(xs[a*k:(a+1)*k], x[a*r:a*r+k])
		copy(vs[a*k:(a+1)*k], v[a*r:a*r+k])
	}
	if err := e.p.ReverseCLD(ctx, e.networkScore(spec.Net, n, k), xs, vs, k, spec.Steps, e.eps, method, spec.Rng); err != nil {
		return err
	}
	for a := range n {
		copy(x[a*r:a*r+k], xs[a*k:(a+1)*k])
	}
	return nil
}

// networkScore returns the model's phase-space score on the k modelled
// coordinates of n states: the Gaussian part −K⁻¹u plus the learned residual.
func (e *cldEngine) networkScore(net *nn.MLP, n, k int) phaseScore {
	_, out := e.NetDims(k)
	var ws *nn.Workspace
	in := make([]float32, n*2*k)
	res := make([]float32, n*out)
	tv := make([]float64, n)
	kern := make([]cldCoordKernel, k)
	return func(t float64, x, v, sx, sv []float64) error {
		tk := e.timeKernel(t)
		for i := range k {
			kern[i] = tk.coord(e.lam[i])
		}
		for a := range n {
			tv[a] = t
			for i := range k {
				w1, w2 := kern[i].whiten(x[a*k+i], v[a*k+i])
				if e.plain {
					w1, w2 = x[a*k+i], v[a*k+i]
				}
				in[a*2*k+i] = float32(w1)
				in[a*2*k+k+i] = float32(w2)
			}
		}
		ws = net.Forward(ws, in, tv, n, res)
		for a := range n {
			for i := range k {
				c := &kern[i]
				idx := a*k + i
				xi, vi := x[idx], v[idx]
				gx := -(c.kinv[0]*xi + c.kinv[1]*vi)
				gv := -(c.kinv[2]*xi + c.kinv[3]*vi)
				if e.plain {
					gx, gv = 0, 0
				}
				if out == k {
					gv -= float64(res[a*k+i]) / c.l22
				} else {
					rx, rv := float64(res[a*out+i]), float64(res[a*out+k+i])
					gv -= rv / c.l22
					gx -= (rx - c.l21*rv/c.l22) / c.l11
				}
				if sx != nil {
					sx[idx] = gx
				}
				sv[idx] = gv
			}
		}
		return nil
	}
}
