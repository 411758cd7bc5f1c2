package autoreg

import (
	"errors"
	"fmt"
	"math"
	"sync"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"
)

// ErrInput is returned (wrapped) for inputs that cannot be fitted: shapes
// that disagree, dosages outside 0/1/2, or a Config out of range.
var ErrInput = errors.New("autoreg: invalid input")

// Config sets how a Model is fitted.
type Config struct {
	// Lags is how many preceding sites a site may be conditioned on (1..255).
	Lags int
	// Keep is how many of them are kept per site by forward selection
	// (1..Lags).
	Keep int
	// Ridge is λ of the penalty ½λ‖coefficients‖² (intercepts excluded) on the
	// summed log-likelihood of each logistic regression (≥ 0; 0 only when no
	// predictor separates the classes).
	Ridge float64
	// Threads fits that many sites at once (≤ 0: 1). The fit does not
	// depend on it.
	Threads int
}

// DefaultConfig returns the defaults: 96 candidate sites, 16 kept, λ = 0.01.
func DefaultConfig() Config { return Config{Lags: 96, Keep: 16, Ridge: 0.01, Threads: 1} }

func (c Config) check() error {
	switch {
	case c.Lags < 1 || c.Lags > 255:
		return fmt.Errorf("%w: Lags %d is not in 1..255", ErrInput, c.Lags)
	case c.Keep < 1 || c.Keep > c.Lags:
		return fmt.Errorf("%w: Keep %d is not in 1..Lags (%d)", ErrInput, c.Keep, c.Lags)
	case !(c.Ridge >= 0) || math.IsInf(c.Ridge, 0):
		return fmt.Errorf("%w: Ridge %v is not a finite number ≥ 0", ErrInput, c.Ridge)
	}
	return nil
}

// Logit is one logistic regression, P(y = 1 | x) = σ(Coef·x) with x =
// (1, ancestry scores, preceding dosages), or a constant when the training
// classes were all one (Fixed 0 or 1, Coef nil).
type Logit struct {
	Coef  []float64
	Fixed int8 // −1: the regression; 0 or 1: P(y = 1) is that
}

// Site is one site's model: the distances back to its predictor sites
// (1..Lags, in the order chosen) and its two regressions.
type Site struct {
	Pred    []uint8
	Carrier Logit // P(g ≥ 1)
	Hom     Logit // P(g = 2 | g ≥ 1)
}

// Model is a fitted block: K ancestry scores, Lags the longest distance a
// predictor may have, and one Site per site of the block. The regressions
// see each ancestry score standardised, (z_k − AncMean[k]) / AncSD[k], with
// the training individuals' mean and SD, so that one ridge penalty suits
// every score. Every value is at float32 precision (the model file's).
type Model struct {
	K, Lags int
	AncMean []float64
	AncSD   []float64
	Sites   []Site
}

// Fit fits the sites [first, d) of a block of d sites and n training
// individuals: dos holds their dosages site-major (dos[v*n+i] is individual
// i at site v), anc their ancestry scores row-major (n×K; nil when K = 0).
// Sites [0, first) are context only: later sites may be conditioned on them,
// and a Sampler supplies them from what it drew before. The fit is
// deterministic and does not depend on cfg.Threads.
func Fit(dos []int8, n, d, first int, anc []float64, K int, cfg Config) (*Model, error) {
	if err := cfg.check(); err != nil {
		return nil, err
	}
	if n < 2 || d < 1 || first < 0 || first >= d || len(dos) != n*d || K < 0 || len(anc) != n*K {
		return nil, fmt.Errorf("%w: %d dosages, %d ancestry scores for %d individuals × %d sites (first %d), K %d",
			ErrInput, len(dos), len(anc), n, d, first, K)
	}
	for v := 0; v < d; v++ {
		for i, g := range dos[v*n : (v+1)*n] {
			if g < 0 || g > 2 {
				return nil, fmt.Errorf("%w: dosage %d of individual %d at site %d", ErrInput, g, i, v)
			}
		}
	}
	m := &Model{K: K, Lags: cfg.Lags, Sites: make([]Site, d-first)}
	m.AncMean, m.AncSD, anc = standardise(anc, n, K)
	res := residuals(dos, n, d, anc, K)
	band := bandCov(res, n, d, cfg.Lags, first)
	threads := max(cfg.Threads, 1)
	var wg sync.WaitGroup
	next := make(chan int)
	for t := 0; t < threads; t++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			f := newSiteFitter(n, K, cfg)
			for v := range next {
				m.Sites[v-first] = f.fit(dos, anc, band, v)
			}
		}()
	}
	for v := first; v < d; v++ {
		next <- v
	}
	close(next)
	wg.Wait()
	for _, s := range m.Sites {
		round32(s.Carrier.Coef)
		round32(s.Hom.Coef)
	}
	return m, nil
}

// standardise returns the mean and SD of each of the K columns of anc (n×K,
// at float32 precision; an SD of 0 is taken as 1) and anc standardised with
// them.
func standardise(anc []float64, n, K int) (mean, sd, out []float64) {
	mean, sd = make([]float64, K), make([]float64, K)
	out = make([]float64, len(anc))
	for k := 0; k < K; k++ {
		var s, ss float64
		for i := 0; i < n; i++ {
			s += anc[i*K+k]
		}
		mu := s / float64(n)
		for i := 0; i < n; i++ {
			e := anc[i*K+k] - mu
			ss += e * e
		}
		sdk := math.Sqrt(ss / float64(n))
		if !(sdk > 0) {
			sdk = 1
		}
		mean[k], sd[k] = float64(float32(mu)), float64(float32(sdk))
		for i := 0; i < n; i++ {
			out[i*K+k] = (anc[i*K+k] - mean[k]) / sd[k]
		}
	}
	return mean, sd, out
}

// round32 rounds xs to float32 precision in place.
func round32(xs []float64) {
	for i, x := range xs {
		xs[i] = float64(float32(x))
	}
}

// residuals returns each site's dosages minus their least-squares fit on
// (1, ancestry), site-major n×d: the projection onto an orthonormal basis
// of the design's columns (modified Gram–Schmidt; columns with nothing left
// are dropped).
func residuals(dos []int8, n, d int, anc []float64, K int) []float64 {
	var basis [][]float64
	for k := -1; k < K; k++ {
		c := make([]float64, n)
		for i := range c {
			if k < 0 {
				c[i] = 1
			} else {
				c[i] = anc[i*K+k]
			}
		}
		norm0 := math.Sqrt(floats.Dot(c, c))
		for _, q := range basis {
			floats.AddScaled(c, -floats.Dot(q, c), q)
		}
		norm := math.Sqrt(floats.Dot(c, c))
		if norm <= 1e-9*norm0 || norm == 0 {
			continue
		}
		floats.Scale(1/norm, c)
		basis = append(basis, c)
	}
	res := make([]float64, n*d)
	for v := 0; v < d; v++ {
		r := res[v*n : (v+1)*n]
		for i, g := range dos[v*n : (v+1)*n] {
			r[i] = float64(g)
		}
		for _, q := range basis {
			floats.AddScaled(r, -floats.Dot(q, r), q)
		}
	}
	return res
}

// bandCov returns the residual covariances of every site v ≥ first with the
// Lags sites before it and of those sites among themselves: band[v][l] =
// cov(v, v−l) for l = 0..Lags (sites before 0 are left 0). Sites [first −
// Lags, d) are needed.
func bandCov(res []float64, n, d, lags, first int) [][]float64 {
	band := make([][]float64, d)
	for v := max(first-lags, 0); v < d; v++ {
		b := make([]float64, lags+1)
		rv := res[v*n : (v+1)*n]
		for l := 0; l <= lags && v-l >= 0; l++ {
			ru := res[(v-l)*n : (v-l+1)*n]
			b[l] = floats.Dot(rv, ru) / float64(n)
		}
		band[v] = b
	}
	return band
}

// cov returns the residual covariance of sites a ≥ b (a − b ≤ Lags).
func cov(band [][]float64, a, b int) float64 { return band[a][a-b] }

// siteFitter holds one worker's scratch space.
type siteFitter struct {
	n, K int
	cfg  Config
	r    []float64 // (Lags+1)² residual covariances being swept
	x    []float64 // n×p design
	sel  []float64 // selected rows of x (homozygote fit)
	y    []float64
	ysel []float64
	eta  []float64
	mu   []float64
	wx   []float64 // n×p rows of x weighted by √(μ(1 − μ)), for the Hessian
}

func newSiteFitter(n, K int, cfg Config) *siteFitter {
	p := 1 + K + cfg.Keep
	L := cfg.Lags + 1
	return &siteFitter{n: n, K: K, cfg: cfg, r: make([]float64, L*L), x: make([]float64, n*p), sel: make([]float64, n*p),
		y: make([]float64, n), ysel: make([]float64, n), eta: make([]float64, n), mu: make([]float64, n), wx: make([]float64, n*p)}
}

// fit fits site v: chooses its predictors and fits its two regressions.
func (f *siteFitter) fit(dos []int8, anc []float64, band [][]float64, v int) Site {
	n, K := f.n, f.K
	pred := f.choose(band, v)
	p := 1 + K + len(pred)
	x := f.x[:n*p]
	for i := 0; i < n; i++ {
		row := x[i*p : (i+1)*p]
		row[0] = 1
		copy(row[1:1+K], anc[i*K:(i+1)*K])
		for j, l := range pred {
			row[1+K+j] = float64(dos[(v-int(l))*n+i])
		}
	}
	g := dos[v*n : (v+1)*n]
	for i, gi := range g {
		f.y[i] = b2f(gi >= 1)
	}
	s := Site{Pred: pred}
	s.Carrier = f.logit(x, f.y[:n], n, p)
	// The homozygote regression is fitted on the carriers only.
	m := 0
	for i, gi := range g {
		if gi >= 1 {
			copy(f.sel[m*p:(m+1)*p], x[i*p:(i+1)*p])
			f.ysel[m] = b2f(gi == 2)
			m++
		}
	}
	if m == 0 {
		s.Hom = Logit{Fixed: 0}
	} else {
		s.Hom = f.logit(f.sel[:m*p], f.ysel[:m], m, p)
	}
	return s
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

// choose returns the distances of site v's predictors: greedy forward
// selection on the residual covariances of v and its Lags predecessors,
// each step taking the site that explains most of v's remaining variance
// and sweeping it out of the others.
func (f *siteFitter) choose(band [][]float64, v int) []uint8 {
	L := min(f.cfg.Lags, v) // candidates 1..L
	if L == 0 {
		return nil
	}
	w := L + 1
	r := f.r[:w*w]
	// Index 0 is v, index l is v − l.
	for a := 0; a <= L; a++ {
		for b := 0; b <= a; b++ {
			c := cov(band, v-b, v-a)
			r[a*w+b], r[b*w+a] = c, c
		}
	}
	orig := make([]float64, w)
	for a := range orig {
		orig[a] = r[a*w+a]
	}
	if orig[0] <= 0 {
		return nil
	}
	var pred []uint8
	for len(pred) < f.cfg.Keep {
		best, gain := 0, 0.0
		for l := 1; l <= L; l++ {
			d := r[l*w+l]
			// A candidate with (almost) nothing left of its own variance is
			// a copy of one already chosen or of the ancestry.
			if d <= 1e-6*orig[l] || d <= 0 {
				continue
			}
			if gl := r[l] * r[l] / d; gl > gain {
				best, gain = l, gl
			}
		}
		// Schwarz's criterion for one more coefficient of a linear model of
		// n observations: n·log(RSS before / RSS after) > log n.
		if left := r[0]; best == 0 || gain <= 1e-9*orig[0] || float64(f.n)*math.Log(left/(left-gain)) <= math.Log(float64(f.n)) {
			break
		}
		pred = append(pred, uint8(best))
		// Sweep best out: r ← r − r[:,best] r[best,:] / r[best,best].
		d := r[best*w+best]
		col := make([]float64, w)
		for a := 0; a < w; a++ {
			col[a] = r[a*w+best]
		}
		for a := 0; a < w; a++ {
			if col[a] == 0 {
				continue
			}
			fa := col[a] / d
			for b := 0; b < w; b++ {
				r[a*w+b] -= fa * col[b]
			}
		}
	}
	return pred
}

// logit fits one penalised logistic regression of y (m rows of x, p
// columns) by Newton's method with step halving on the penalised
// log-likelihood.
func (f *siteFitter) logit(x, y []float64, m, p int) Logit {
	var ones float64
	for _, yi := range y {
		ones += yi
	}
	if ones == 0 {
		return Logit{Fixed: 0}
	}
	if ones == float64(m) {
		return Logit{Fixed: 1}
	}
	lambda := f.cfg.Ridge
	beta := make([]float64, p)
	pbar := ones / float64(m)
	beta[0] = math.Log(pbar / (1 - pbar))
	eta, mu := f.eta[:m], f.mu[:m]
	obj := f.objective(x, y, beta, m, p, lambda)
	h := mat.NewSymDense(p, nil)
	grad := mat.NewVecDense(p, nil)
	step := mat.NewVecDense(p, nil)
	wx := mat.NewDense(m, p, f.wx[:m*p]) // every element is set before use
	trial := make([]float64, p)
	var ch mat.Cholesky
	for iter := 0; iter < 50; iter++ {
		mulVec(x, beta, eta, m, p)
		for i, e := range eta {
			mu[i] = sigmoid(e)
		}
		// grad = Xᵀ(y − μ) − λβ (no penalty on the intercept);
		// H = Xᵀ diag(μ(1 − μ)) X + λ I'.
		g := grad.RawVector().Data
		clear(g)
		for i := 0; i < m; i++ {
			row := x[i*p : (i+1)*p]
			floats.AddScaled(g, y[i]-mu[i], row)
			floats.ScaleTo(wx.RawRowView(i), math.Sqrt(mu[i]*(1-mu[i])), row)
		}
		h.SymOuterK(1, wx.T())
		for j := 1; j < p; j++ {
			g[j] -= lambda * beta[j]
			h.SetSym(j, j, h.At(j, j)+lambda)
		}
		h.SetSym(0, 0, h.At(0, 0)+1e-12)
		if !ch.Factorize(h) {
			// Not positive definite: only when λ = 0 and the design is
			// degenerate. Keep the iterate reached.
			break
		}
		if err := ch.SolveVecTo(step, grad); err != nil {
			break
		}
		t := 1.0
		var newObj float64
		for half := 0; half < 30; half++ {
			for j := range trial {
				trial[j] = beta[j] + t*step.AtVec(j)
			}
			newObj = f.objective(x, y, trial, m, p, lambda)
			if newObj <= obj {
				break
			}
			t /= 2
		}
		if newObj > obj {
			break
		}
		var change float64
		for j := range beta {
			change = math.Max(change, math.Abs(trial[j]-beta[j]))
		}
		copy(beta, trial)
		done := obj-newObj <= 1e-10*(1+math.Abs(newObj)) && change < 1e-6
		obj = newObj
		if done {
			break
		}
	}
	return Logit{Coef: beta, Fixed: -1}
}

// objective is the penalised negative log-likelihood.
func (f *siteFitter) objective(x, y, beta []float64, m, p int, lambda float64) float64 {
	eta := f.eta[:m]
	mulVec(x, beta, eta, m, p)
	var s float64
	for i, e := range eta {
		s += softplus(e) - y[i]*e
	}
	for _, b := range beta[1:] {
		s += 0.5 * lambda * b * b
	}
	return s
}

// mulVec sets out = x·beta for m rows of p columns.
func mulVec(x, beta, out []float64, m, p int) {
	for i := 0; i < m; i++ {
		row := x[i*p : (i+1)*p]
		var s float64
		for j, b := range beta {
			s += row[j] * b
		}
		out[i] = s
	}
}

// sigmoid is 1/(1 + e^−x), without overflow.
func sigmoid(x float64) float64 {
	if x >= 0 {
		return 1 / (1 + math.Exp(-x))
	}
	e := math.Exp(x)
	return e / (1 + e)
}

// softplus is log(1 + eˣ), without overflow.
func softplus(x float64) float64 {
	if x > 0 {
		return x + math.Log1p(math.Exp(-x))
	}
	return math.Log1p(math.Exp(x))
}
