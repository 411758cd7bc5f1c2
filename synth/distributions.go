package synth

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"

	"gonum.org/v1/gonum/mat"
)

// ErrInvalid is wrapped by every error about an invalid distribution or
// simulation parameter.
var ErrInvalid = errors.New("invalid parameter")

// Distribution is a continuous distribution whose truth is known, used to
// test and benchmark the diffusion engine.
type Distribution interface {
	// Dim returns the dimension of a sample.
	Dim() int
	// Sample draws n independent samples as the rows of an n×Dim matrix.
	// The same rng state gives the same samples.
	Sample(rng *rand.Rand, n int) *mat.Dense
}

// Scorer is a Distribution whose log density and score (gradient of the log
// density) are known in closed form.
type Scorer interface {
	Distribution
	// LogDensity returns log p(x).
	LogDensity(x []float64) float64
	// Score writes ∇ log p(x) into dst (len Dim) and returns it; a nil dst
	// is allocated.
	Score(x, dst []float64) []float64
}

// NewRand returns a PCG-backed generator for seed. Every random draw in
// gousynth goes through generators made this way, so a seed fixes the output.
func NewRand(seed uint64) *rand.Rand {
	return rand.New(rand.NewPCG(seed, 0x9e3779b97f4a7c15))
}

// Gaussian is a multivariate normal distribution N(mean, cov).
type Gaussian struct {
	mean  []float64
	cov   *mat.SymDense
	chol  mat.Cholesky
	lower *mat.TriDense
	logZ  float64 // log normalising constant: -½(d log 2π + log det Σ)
}

// NewGaussian returns N(mean, cov). cov must be symmetric positive definite
// and of the same dimension as mean.
func NewGaussian(mean []float64, cov *mat.SymDense) (*Gaussian, error) {
	d := len(mean)
	if d == 0 {
		return nil, fmt.Errorf("gaussian: empty mean: %w", ErrInvalid)
	}
	if cov == nil || cov.SymmetricDim() != d {
		return nil, fmt.Errorf("gaussian: covariance must be %d×%d: %w", d, d, ErrInvalid)
	}
	g := &Gaussian{mean: append([]float64(nil), mean...), cov: mat.NewSymDense(d, nil)}
	g.cov.CopySym(cov)
	if ok := g.chol.Factorize(g.cov); !ok {
		return nil, fmt.Errorf("gaussian: covariance is not positive definite: %w", ErrInvalid)
	}
	g.lower = mat.NewTriDense(d, mat.Lower, nil)
	g.chol.LTo(g.lower)
	g.logZ = -0.5 * (float64(d)*math.Log(2*math.Pi) + g.chol.LogDet())
	return g, nil
}

// Dim returns the dimension.
func (g *Gaussian) Dim() int { return len(g.mean) }

// Mean returns a copy of the mean vector.
func (g *Gaussian) Mean() []float64 { return append([]float64(nil), g.mean...) }

// Cov returns a copy of the covariance matrix.
func (g *Gaussian) Cov() *mat.SymDense {
	c := mat.NewSymDense(g.Dim(), nil)
	c.CopySym(g.cov)
	return c
}

// Sample draws n samples (rows) as mean + L z with L the Cholesky factor.
func (g *Gaussian) Sample(rng *rand.Rand, n int) *mat.Dense {
	if n == 0 {
		return &mat.Dense{}
	}
	d := g.Dim()
	out := mat.NewDense(n, d, nil)
	z := make([]float64, d)
	for i := 0; i < n; i++ {
		g.sampleInto(rng, z, out.RawRowView(i))
	}
	return out
}

// sampleInto writes one draw into dst using z as scratch space.
func (g *Gaussian) sampleInto(rng *rand.Rand, z, dst []float64) {
	d := len(g.mean)
	for j := range z {
		z[j] = rng.NormFloat64()
	}
	for r := 0; r < d; r++ {
		s := g.mean[r]
		for c := 0; c <= r; c++ {
			s += g.lower.At(r, c) * z[c]
		}
		dst[r] = s
	}
}

// LogDensity returns log N(x; mean, cov).
func (g *Gaussian) LogDensity(x []float64) float64 {
	d := g.Dim()
	diff := mat.NewVecDense(d, nil)
	for i := range d {
		diff.SetVec(i, x[i]-g.mean[i])
	}
	var sol mat.VecDense
	if err := g.chol.SolveVecTo(&sol, diff); err != nil {
		return math.Inf(-1)
	}
	return g.logZ - 0.5*mat.Dot(diff, &sol)
}

// Score writes −Σ⁻¹(x − mean) into dst.
func (g *Gaussian) Score(x, dst []float64) []float64 {
	d := g.Dim()
	if dst == nil {
		dst = make([]float64, d)
	}
	diff := mat.NewVecDense(d, nil)
	for i := range d {
		diff.SetVec(i, x[i]-g.mean[i])
	}
	var sol mat.VecDense
	if err := g.chol.SolveVecTo(&sol, diff); err != nil {
		for i := range dst {
			dst[i] = math.NaN()
		}
		return dst
	}
	for i := range d {
		dst[i] = -sol.AtVec(i)
	}
	return dst
}

// Mixture is a finite mixture of Gaussians. Its components are exposed so
// tests can check that a sampler recovers the modes and their weights.
type Mixture struct {
	weights []float64
	comps   []*Gaussian
	cum     []float64
}

// NewMixture returns the mixture Σ_k w_k N(means[k], covs[k]). Weights must
// be positive; they are normalised to sum to one.
func NewMixture(weights []float64, means [][]float64, covs []*mat.SymDense) (*Mixture, error) {
	k := len(weights)
	if k == 0 || len(means) != k || len(covs) != k {
		return nil, fmt.Errorf("mixture: need as many weights (%d), means (%d) and covariances (%d), at least one: %w",
			len(weights), len(means), len(covs), ErrInvalid)
	}
	m := &Mixture{weights: make([]float64, k), comps: make([]*Gaussian, k), cum: make([]float64, k)}
	total := 0.0
	for i, w := range weights {
		if !(w > 0) || math.IsInf(w, 0) {
			return nil, fmt.Errorf("mixture: weight %d is %v, must be positive and finite: %w", i, w, ErrInvalid)
		}
		total += w
	}
	acc := 0.0
	for i := range weights {
		g, err := NewGaussian(means[i], covs[i])
		if err != nil {
			return nil, fmt.Errorf("mixture component %d: %w", i, err)
		}
		if g.Dim() != len(means[0]) {
			return nil, fmt.Errorf("mixture: component %d has dimension %d, component 0 has %d: %w", i, g.Dim(), len(means[0]), ErrInvalid)
		}
		m.comps[i] = g
		m.weights[i] = weights[i] / total
		acc += m.weights[i]
		m.cum[i] = acc
	}
	m.cum[k-1] = 1
	return m, nil
}

// Dim returns the dimension.
func (m *Mixture) Dim() int { return m.comps[0].Dim() }

// NumComponents returns the number of mixture components.
func (m *Mixture) NumComponents() int { return len(m.comps) }

// Weights returns a copy of the normalised component weights.
func (m *Mixture) Weights() []float64 { return append([]float64(nil), m.weights...) }

// Component returns component k.
func (m *Mixture) Component(k int) *Gaussian { return m.comps[k] }

// Means returns copies of the component means.
func (m *Mixture) Means() [][]float64 {
	out := make([][]float64, len(m.comps))
	for i, c := range m.comps {
		out[i] = c.Mean()
	}
	return out
}

// Sample draws n samples.
func (m *Mixture) Sample(rng *rand.Rand, n int) *mat.Dense {
	x, _ := m.SampleLabeled(rng, n)
	return x
}

// SampleLabeled draws n samples and the component each came from.
func (m *Mixture) SampleLabeled(rng *rand.Rand, n int) (*mat.Dense, []int) {
	if n == 0 {
		return &mat.Dense{}, nil
	}
	d := m.Dim()
	out := mat.NewDense(n, d, nil)
	labels := make([]int, n)
	z := make([]float64, d)
	for i := range n {
		u := rng.Float64()
		k := 0
		for k < len(m.cum)-1 && u >= m.cum[k] {
			k++
		}
		labels[i] = k
		m.comps[k].sampleInto(rng, z, out.RawRowView(i))
	}
	return out, labels
}

// LogDensity returns log Σ_k w_k N(x; μ_k, Σ_k), computed stably.
func (m *Mixture) LogDensity(x []float64) float64 {
	lp := make([]float64, len(m.comps))
	for k, c := range m.comps {
		lp[k] = math.Log(m.weights[k]) + c.LogDensity(x)
	}
	return logSumExp(lp)
}

// Score writes ∇ log p(x) = Σ_k r_k(x) ∇ log N_k(x) into dst, with r_k the
// posterior responsibility of component k.
func (m *Mixture) Score(x, dst []float64) []float64 {
	d := m.Dim()
	if dst == nil {
		dst = make([]float64, d)
	}
	lp := make([]float64, len(m.comps))
	for k, c := range m.comps {
		lp[k] = math.Log(m.weights[k]) + c.LogDensity(x)
	}
	lse := logSumExp(lp)
	for i := range dst {
		dst[i] = 0
	}
	s := make([]float64, d)
	for k, c := range m.comps {
		r := math.Exp(lp[k] - lse)
		if r == 0 {
			continue
		}
		c.Score(x, s)
		for i := range d {
			dst[i] += r * s[i]
		}
	}
	return dst
}

func logSumExp(v []float64) float64 {
	mx := math.Inf(-1)
	for _, x := range v {
		mx = max(mx, x)
	}
	if math.IsInf(mx, -1) {
		return mx
	}
	s := 0.0
	for _, x := range v {
		s += math.Exp(x - mx)
	}
	return mx + math.Log(s)
}

// TwoGaussians returns the 2-D two-component mixture of the GOU paper's §7.1
// experiment. The paper does not list its parameters; these are chosen so the
// modes are separated along the x1 axis (the high-variance direction that the
// GOU drift contracts slowly, as in the paper's Figure 1) and so unequal
// weights and opposite correlations reveal a sampler that merges or
// re-weights the modes:
//
//	w = (0.4, 0.6)
//	μ1 = (−4, 0),  Σ1 = [[1, 0.5], [0.5, 1]]
//	μ2 = ( 4, 0),  Σ2 = [[1, −0.5], [−0.5, 1]]
//
// The marginal variance of x1 is 1 + 64·0.4·0.6 = 16.36, that of x2 is 1.
func TwoGaussians() *Mixture {
	m, err := NewMixture(
		[]float64{0.4, 0.6},
		[][]float64{{-4, 0}, {4, 0}},
		[]*mat.SymDense{
			mat.NewSymDense(2, []float64{1, 0.5, 0.5, 1}),
			mat.NewSymDense(2, []float64{1, -0.5, -0.5, 1}),
		})
	if err != nil {
		panic(err) // constant parameters: cannot fail
	}
	return m
}

// GaussianGrid returns the 2-D mixture of k×k equally weighted isotropic
// Gaussians with standard deviation sd, centred on the grid
// {−(k−1)/2, …, (k−1)/2}·spacing in each coordinate. Component i·k+j has mean
// (x_i, y_j).
func GaussianGrid(k int, spacing, sd float64) (*Mixture, error) {
	if k < 1 || !(spacing > 0) || !(sd > 0) {
		return nil, fmt.Errorf("gaussian grid: need k ≥ 1, spacing > 0, sd > 0 (got %d, %v, %v): %w", k, spacing, sd, ErrInvalid)
	}
	n := k * k
	w := make([]float64, n)
	means := make([][]float64, n)
	covs := make([]*mat.SymDense, n)
	half := float64(k-1) / 2
	for i := range k {
		for j := range k {
			c := i*k + j
			w[c] = 1
			means[c] = []float64{(float64(i) - half) * spacing, (float64(j) - half) * spacing}
			covs[c] = mat.NewSymDense(2, []float64{sd * sd, 0, 0, sd * sd})
		}
	}
	return NewMixture(w, means, covs)
}

// GaussianGrid25 returns the classic 25-mode benchmark: a 5×5 grid of
// equally weighted isotropic Gaussians with means in {−4, −2, 0, 2, 4}² and
// standard deviation 0.1 (modes 20 standard deviations apart).
func GaussianGrid25() *Mixture {
	m, err := GaussianGrid(5, 2, 0.1)
	if err != nil {
		panic(err) // constant parameters: cannot fail
	}
	return m
}

// FunnelDist is the d-dimensional funnel distribution
//
//	x1 ~ N(0, A²),   x_i | x1 ~ N(0, exp(2·B·x1)) independently, i = 2..d,
//
// whose scale varies over orders of magnitude along x1: a hard target for
// score-based samplers.
type FunnelDist struct {
	D    int
	A, B float64
}

// Funnel returns the funnel benchmark of the CLD-ε slides ("Funnel dataset,
// d = 100", Strasman et al. 2025). The slides show samples but state no
// parametrisation; we use the form of Caldwell et al. (2018) used in that
// line of work, with a = 1, b = 0.5: x1 ~ N(0, 1) and x_i | x1 ~ N(0, e^{x1}).
// (Neal's original funnel is a = 3, b = 0.5; use FunnelDist directly.)
func Funnel(d int) (*FunnelDist, error) {
	if d < 2 {
		return nil, fmt.Errorf("funnel: dimension must be at least 2, got %d: %w", d, ErrInvalid)
	}
	return &FunnelDist{D: d, A: 1, B: 0.5}, nil
}

// Dim returns the dimension.
func (f *FunnelDist) Dim() int { return f.D }

// Sample draws n samples.
func (f *FunnelDist) Sample(rng *rand.Rand, n int) *mat.Dense {
	if n == 0 {
		return &mat.Dense{}
	}
	out := mat.NewDense(n, f.D, nil)
	for i := range n {
		row := out.RawRowView(i)
		row[0] = f.A * rng.NormFloat64()
		sd := math.Exp(f.B * row[0])
		for j := 1; j < f.D; j++ {
			row[j] = sd * rng.NormFloat64()
		}
	}
	return out
}

// LogDensity returns log p(x).
func (f *FunnelDist) LogDensity(x []float64) float64 {
	const halfLog2Pi = 0.9189385332046727
	lp := -0.5*x[0]*x[0]/(f.A*f.A) - math.Log(f.A) - halfLog2Pi
	inv := math.Exp(-2 * f.B * x[0])
	for _, xi := range x[1:f.D] {
		lp += -0.5*xi*xi*inv - f.B*x[0] - halfLog2Pi
	}
	return lp
}

// Score writes ∇ log p(x) into dst.
func (f *FunnelDist) Score(x, dst []float64) []float64 {
	if dst == nil {
		dst = make([]float64, f.D)
	}
	inv := math.Exp(-2 * f.B * x[0])
	g0 := -x[0]/(f.A*f.A) - float64(f.D-1)*f.B
	for i := 1; i < f.D; i++ {
		g0 += f.B * x[i] * x[i] * inv
		dst[i] = -x[i] * inv
	}
	dst[0] = g0
	return dst
}

// AR1Gaussian returns the zero-mean d-dimensional Gaussian with unit
// variances and covariance ρ^|i−j| (an AR(1) chain, the latent law of one
// §7.2 LD block), for sampler tests with strong, structured correlation.
// |rho| must be below 1.
func AR1Gaussian(d int, rho float64) (*Gaussian, error) {
	if d < 1 || !(math.Abs(rho) < 1) {
		return nil, fmt.Errorf("AR(1) gaussian: need d ≥ 1 and |rho| < 1, got %d, %v: %w", d, rho, ErrInvalid)
	}
	cov := mat.NewSymDense(d, nil)
	for i := range d {
		for j := i; j < d; j++ {
			cov.SetSym(i, j, math.Pow(rho, float64(j-i)))
		}
	}
	return NewGaussian(make([]float64, d), cov)
}
