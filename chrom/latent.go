package chrom

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/gousynth/gousynth/internal/gauss"
	"github.com/gousynth/gousynth/metrics"
	"github.com/gousynth/gousynth/model"
	"github.com/gousynth/gousynth/vcf"
	"gonum.org/v1/gonum/mat"
)

// The latent residual model of a window (Options.Residual = ResidLatent).
//
// Regression conditioning draws synthetic person c's genotype at site v as
// the quantile u = Φ(w_v) of Binomial(2, p_cv), p_cv = (a_v + B_v·z_c)/2
// (regressDiscretise). A model fitted to the dosage residuals r = x − a −
// B·z learns their correlations, and a Gaussian copula with those
// correlations gives genotypes with weaker ones (cutting a correlated
// Gaussian pair attenuates its correlation, the more so the higher the LD
// and the rarer the SNPs): LD inside windows came out 1.8–2.1× its floor
// (docs/results-windowed-ld.md). The latent model learns w, the Gaussian
// whose quantiles are the genotypes, instead:
//
//  1. An autoregression of each site's latent on the Lags sites before it
//     (a Gaussian with banded precision), fitted to the training
//     genotypes' own band correlations, its per-site gains matched by
//     simulation so that the genotypes it gives have the training LD
//     (gainMatcher: a Gaussian copula fitted as NORTA does, kept positive
//     definite by scaling whole regressions rather than pairs).
//  2. Every training person's latent vector imputed inside the intervals
//     (Φ⁻¹F(g−1), Φ⁻¹F(g)] of their own Binomial(2, p_iv) CDF F by Gibbs
//     sweeps under that autoregression (gibbsLatent).
//  3. The diffusion model (GOU, model.FitContinuous) learns the Rank
//     leading principal directions of the imputed latents, where a
//     window's shared haplotype structure lives; an autoregression learns
//     what they leave.
//  4. The gains of that autoregression, one gain of the leading
//     directions and one smoothing of them along the sites are matched
//     by simulation again, with the whole model.
//
// Every parameter is an aggregate of the training individuals with n ≫
// parameters per site (Lags ≤ n/8 coefficients per site, Rank ≤ n/8
// directions), so the model stores no individual's latent; its size is
// d·(Rank+Lags+1) float32 plus a 32-dimensional network, about 0.5 MB per
// 1000-SNP window where the dosage-space residual model with its
// near-full eigenbasis took 6 MB.
const (
	// ResidLatent (the default) fits each window's residual model in the
	// latent Gaussian space of the individual-specific genotype
	// distributions (above).
	ResidLatent ResidualKind = "latent"
	// ResidDosage fits it on the dosage residuals themselves (the model of
	// gousynth before the latent space; weaker LD inside windows).
	ResidDosage ResidualKind = "dosage"
)

// Sizes of the latent residual model; see latentShape.
const (
	// DefaultLatentLags is the autoregression order along the sites.
	DefaultLatentLags = 32
	// DefaultLatentRank is the number of leading latent directions the
	// diffusion model learns.
	DefaultLatentRank = 32
	// latentRidge is the relative ridge on the autoregressions' normal
	// equations.
	latentRidge = 1e-3
)

// latentShape returns the autoregression order and the number of leading
// directions for n training individuals and d sites: at most n/8 of either,
// so that every parameter is an aggregate of many people.
func latentShape(n, d int) (lags, rank int) {
	lim := max(1, n/8)
	return min(DefaultLatentLags, lim, max(d-1, 0)), min(DefaultLatentRank, lim, d)
}

// LatentResidual is a window's latent residual model: w = U·y + e, with y
// (Rank leading coordinates) drawn by a diffusion model and e by the
// autoregression e_v = Σ_k AR[v·Lags+k−1]·e_{v−k} + SD[v]·ε_v. Sample
// draws w.
type LatentResidual struct {
	Lead *model.ContinuousModel // the diffusion model of y (Rank dimensions)
	D    int                    // sites
	Rank int
	U    []float32 // D×Rank, row-major, orthonormal columns
	Lags int
	AR   []float32 // D×Lags
	SD   []float32 // D
}

// DecodeLatentResidual assembles a latent residual model from its stored
// parts (Result.Model, LatentRank, LatentLags, LatentU, LatentAR,
// LatentSD) for a window of d sites, checking their sizes.
func DecodeLatentResidual(lead []byte, d, rank, lags int, u, ar, sd []float32) (*LatentResidual, error) {
	l := &LatentResidual{D: d, Rank: rank, Lags: lags, U: u, AR: ar, SD: sd}
	if rank > 0 {
		var err error
		if l.Lead, err = model.DecodeContinuous(lead); err != nil {
			return nil, err
		}
	}
	if err := l.check(); err != nil {
		return nil, err
	}
	return l, nil
}

// check reports inconsistent sizes (of a decoded model).
func (l *LatentResidual) check() error {
	if l.D < 1 || l.Rank < 0 || l.Lags < 0 || len(l.U) != l.D*l.Rank || len(l.AR) != l.D*l.Lags || len(l.SD) != l.D ||
		(l.Rank > 0 && (l.Lead == nil || l.Lead.Dim() != l.Rank)) {
		return fmt.Errorf("%w: latent residual model has inconsistent sizes", ErrOption)
	}
	return nil
}

// Sample draws M latent vectors (M×D). The same model, M and seed give the
// same samples, which SampleChunks draws in chunks.
func (l *LatentResidual) Sample(ctx context.Context, M int, seed uint64) (*mat.Dense, error) {
	w := mat.NewDense(M, l.D, nil)
	err := l.SampleChunks(ctx, M, seed, func(lo int, x *mat.Dense) error {
		rows, _ := x.Dims()
		w.Slice(lo, lo+rows, 0, l.D).(*mat.Dense).Copy(x)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return w, nil
}

// SampleChunks draws the samples Sample(ctx, M, seed) draws, in chunks of
// consecutive samples (those of model.ContinuousModel.SampleChunks), in
// order, so that no M × D matrix is held: fn gets the index lo of the
// chunk's first sample and the chunk, which it must not keep.
func (l *LatentResidual) SampleChunks(ctx context.Context, M int, seed uint64, fn func(lo int, x *mat.Dense) error) error {
	if err := l.check(); err != nil {
		return err
	}
	rng := rand.New(rand.NewPCG(seed, 0x6c61746172))
	if l.Rank > 0 {
		u := l.leadBasis()
		return l.Lead.SampleChunks(ctx, M, seed, func(lo int, y *mat.Dense) error {
			rows, _ := y.Dims()
			w := mat.NewDense(rows, l.D, nil)
			w.Mul(y, u.T())
			if err := l.addAR(ctx, w, rng); err != nil {
				return err
			}
			return fn(lo, w)
		})
	}
	for lo := 0; lo < M; lo += model.SampleChunkRows {
		w := mat.NewDense(min(model.SampleChunkRows, M-lo), l.D, nil)
		if err := l.addAR(ctx, w, rng); err != nil {
			return err
		}
		if err := fn(lo, w); err != nil {
			return err
		}
	}
	return nil
}

// leadBasis returns U as a D×Rank matrix.
func (l *LatentResidual) leadBasis() *mat.Dense {
	u := make([]float64, len(l.U))
	for i, v := range l.U {
		u[i] = float64(v)
	}
	return mat.NewDense(l.D, l.Rank, u)
}

// sampleWith is Sample with the leading coordinates y (M×Rank, nil when
// Rank is 0) already drawn (gainMatcher changes only their gain between
// draws).
func (l *LatentResidual) sampleWith(ctx context.Context, y *mat.Dense, M int, seed uint64) (*mat.Dense, error) {
	w := mat.NewDense(M, l.D, nil)
	if l.Rank > 0 {
		w.Mul(y, l.leadBasis().T())
	}
	if err := l.addAR(ctx, w, rand.New(rand.NewPCG(seed, 0x6c61746172))); err != nil {
		return nil, err
	}
	return w, nil
}

// addAR adds a draw of the autoregression to every row of w, in order,
// from rng.
func (l *LatentResidual) addAR(ctx context.Context, w *mat.Dense, rng *rand.Rand) error {
	rows, _ := w.Dims()
	e := make([]float64, l.D)
	for c := 0; c < rows; c++ {
		if c%256 == 0 && ctx.Err() != nil {
			return ctx.Err()
		}
		row := w.RawRowView(c)
		for v := 0; v < l.D; v++ {
			s := float64(l.SD[v]) * rng.NormFloat64()
			ar := l.AR[v*l.Lags : (v+1)*l.Lags]
			for k := 1; k <= min(l.Lags, v); k++ {
				s += float64(ar[k-1]) * e[v-k]
			}
			e[v] = s
			row[v] += s
		}
	}
	return nil
}

// latentSites names the coordinates of a window's leading-direction model
// in its model file (it has no genomic sites of its own).
func latentSites(w Window, rank int) []vcf.Site {
	s := make([]vcf.Site, rank)
	for k := range s {
		s[k] = vcf.Site{Chrom: "latent", Pos: k + 1, ID: fmt.Sprintf("window%d_dir%d", w.Index, k+1), Ref: "A", Alt: "C"}
	}
	return s
}

// latentBounds returns each training individual's latent interval at each
// site (row-major n×d): genotype g of Binomial(2, p) is the interval
// (Φ⁻¹F(g−1), Φ⁻¹F(g)] with F the CDF and p = clip((a_v + B_v·z_i)/2).
func latentBounds(dos []int8, n, d int, coef *mat.Dense, scores []float64, K int) (lo, hi []float64) {
	h := ancestryTerm(scores, n, K, coef)
	lo, hi = make([]float64, n*d), make([]float64, n*d)
	for v := 0; v < d; v++ {
		a := coef.At(0, v)
		for i, g := range dos[v*n : (v+1)*n] {
			p := min(1, max(0, (a+h.At(i, v))/2))
			l, u := genotypeInterval(float64(g), p)
			lo[i*d+v], hi[i*d+v] = l, u
		}
	}
	return lo, hi
}

// arModel is a Gaussian autoregression along the sites: row v of Coef
// (Lags wide) predicts site v from the Lags sites before it; Var is the
// innovation variance.
type arModel struct {
	D, Lags int
	Coef    []float64
	Var     []float64
}

// fitAR fits the autoregression of order lags to the rows of w (n×d,
// row-major, treated as mean zero) by least squares with a relative ridge.
func fitAR(w []float64, n, d, lags int) arModel {
	return fitARCov(bandCov(w, n, d, lags), d, lags)
}

// bandCov returns the band second moments c[v*(lags+1)+k] = mean_i
// w_iv·w_i,v−k of the rows of w (n×d, row-major), k ≤ min(lags, v).
func bandCov(w []float64, n, d, lags int) []float64 {
	c := make([]float64, d*(lags+1))
	for i := 0; i < n; i++ {
		row := w[i*d : (i+1)*d]
		for v, x := range row {
			cv := c[v*(lags+1):]
			for k := 0; k <= min(lags, v); k++ {
				cv[k] += x * row[v-k]
			}
		}
	}
	for j := range c {
		c[j] /= float64(n)
	}
	return c
}

// fitARCov fits the autoregression of order lags to band covariances c
// (bandCov's layout): each site's regression on the lags sites before it
// from the normal equations, with a relative ridge. A site whose equations
// are singular or leave no innovation variance is left independent.
func fitARCov(c []float64, d, lags int) arModel {
	cov := func(a, b int) float64 { // a, b site indices, |a−b| ≤ lags
		if a < b {
			a, b = b, a
		}
		return c[a*(lags+1)+a-b]
	}
	m := arModel{D: d, Lags: lags, Coef: make([]float64, d*lags), Var: make([]float64, d)}
	for v := 0; v < d; v++ {
		L := min(lags, v)
		m.Var[v] = math.Max(c[v*(lags+1)], 1e-9)
		if L == 0 {
			continue
		}
		g := mat.NewSymDense(L, nil)
		rhs := mat.NewVecDense(L, nil)
		for a := 1; a <= L; a++ {
			for b := a; b <= L; b++ {
				g.SetSym(a-1, b-1, cov(v-a, v-b))
			}
			rhs.SetVec(a-1, cov(v, v-a))
		}
		var ch mat.Cholesky
		gr := mat.NewSymDense(L, nil)
		gr.CopySym(g)
		for a := 0; a < L; a++ {
			gr.SetSym(a, a, g.At(a, a)*(1+latentRidge)+1e-9)
		}
		phi := mat.NewVecDense(L, nil)
		if ch.Factorize(gr) {
			if err := ch.SolveVecTo(phi, rhs); err != nil {
				continue
			}
		} else if !clippedSolve(phi, g, rhs) {
			// A band of pairwise (polychoric) correlations need not be
			// positive definite; clippedSolve projects the predictors'
			// correlations onto the nearest positive definite ones.
			continue
		}
		explained := mat.Dot(phi, rhs)
		if v0 := c[v*(lags+1)] - explained; v0 > 1e-6*c[v*(lags+1)] {
			m.Var[v] = v0
			for k := 0; k < L; k++ {
				m.Coef[v*lags+k] = phi.AtVec(k)
			}
		}
	}
	return m
}

// clippedSolve solves g·x = b with g's eigenvalues clipped from below at
// 1% of their mean (g made positive definite by eigenvalue clipping). It
// reports whether the decomposition succeeded.
func clippedSolve(x *mat.VecDense, g *mat.SymDense, b *mat.VecDense) bool {
	var eig mat.EigenSym
	if !eig.Factorize(g, true) {
		return false
	}
	val := eig.Values(nil)
	var vec mat.Dense
	eig.VectorsTo(&vec)
	var mean float64
	for _, l := range val {
		mean += math.Abs(l) / float64(len(val))
	}
	floor := 0.01 * mean
	var tb mat.VecDense
	tb.MulVec(vec.T(), b)
	for i, l := range val {
		tb.SetVec(i, tb.AtVec(i)/math.Max(l, floor))
	}
	x.MulVec(&vec, &tb)
	return true
}

// precisionBand returns the band of the autoregression's precision matrix
// Q = (I−Φ)ᵀ D⁻¹ (I−Φ): q[a*(2·lags+1)+lags+o] = Q_{a,a+o}, |o| ≤ lags.
func (m arModel) precisionBand() []float64 {
	L, W := m.Lags, 2*m.Lags+1
	q := make([]float64, m.D*W)
	l := make([]float64, L+1) // row v of I−Φ at v, v−1, …, v−L
	for v := 0; v < m.D; v++ {
		l[0] = 1
		for k := 1; k <= L; k++ {
			l[k] = -m.Coef[v*L+k-1]
		}
		iv := 1 / m.Var[v]
		for a := 0; a <= min(L, v); a++ {
			for b := 0; b <= min(L, v); b++ {
				q[(v-a)*W+L+(a-b)] += l[a] * l[b] * iv // Q_{v−a, v−b}: offset (v−b)−(v−a) = a−b
			}
		}
	}
	return q
}

// leadingDirections returns the r leading right singular vectors (d×r) of
// w (n×d, row-major) by randomised subspace iteration (metrics.RangeFinder:
// r+10 directions, 4 power iterations, FitPCA's Gram–Schmidt), then an
// exact SVD of the small B = QᵀW: the top directions of a
// window are well separated, and an exact d×d eigendecomposition per
// window would cost more than the rest of the window's fit. (FitPCA itself
// streams standardised int8 genotypes; these latents are a dense float
// matrix.)
func leadingDirections(w []float64, n, d, r int, seed uint64) *mat.Dense {
	l := min(r+10, d, n)
	W := mat.NewDense(n, d, w)
	om := metrics.GaussianMatrix(d, l, seed, 0x6c656164)
	// FitPCA's orthonormalisation: no n×n Q.
	qy := metrics.RangeFinder(metrics.DenseOperator{A: W}, om, 4, metrics.GramSchmidt)
	var b mat.Dense // l×d
	b.Mul(qy.T(), W)
	var svd mat.SVD
	if !svd.Factorize(&b, mat.SVDThin) {
		return mat.NewDense(d, r, nil)
	}
	var v mat.Dense
	svd.VTo(&v) // d×l
	return mat.DenseCopyOf(v.Slice(0, d, 0, r))
}

// fitLatent fits a window's latent residual model to the training dosages
// (site-major n×d) given the calibrated regression coef and the training
// scores:
//
//  1. an autoregression of the latents on the genotypes' own band
//     correlations, its per-site gains matched by simulation so that its
//     genotypes have the training genotypes' LD (gainMatcher);
//  2. the training latents imputed under it (gibbsLatent);
//  3. their Rank leading directions learnt by the diffusion model cfg, the
//     rest by an autoregression of what they leave;
//  4. that autoregression's gains matched again, with the whole model.
func fitLatent(ctx context.Context, dos []int8, n, d int, coef *mat.Dense, scores []float64, K int, cfg model.Config, progress func(model.Progress)) (*LatentResidual, error) {
	return fitLatentRows(ctx, dos, n, n, d, coef, scores, K, cfg, progress, false)
}

// fitLatentRows is fitLatent on rows data rows of n people, site-major:
// their dosages (rows = n) or, with hap, their haplotypes (rows = 2n,
// fitHapLatent).
func fitLatentRows(ctx context.Context, data []int8, rows, n, d int, coef *mat.Dense, scores []float64, K int, cfg model.Config, progress func(model.Progress), hap bool) (*LatentResidual, error) {
	lags, rank := latentShape(n, d)
	target := dosageBandCorr(data, rows, d, lags)
	match := gainMatcher{dos: data, n: rows, d: d, lags: lags, coef: coef, scores: scores, K: K, target: target, hap: hap}
	first := arResidual(fitARCov(target, d, lags))
	if err := match.run(ctx, first, latentFirstRounds, cfg.Seed^0x62616e64); err != nil {
		return nil, err
	}
	var lo, hi []float64
	if hap {
		lo, hi = hapBounds(data, n, d, coef, scores, K)
	} else {
		lo, hi = latentBounds(data, n, d, coef, scores, K)
	}
	// Haplotypes start from the marginal means: the forward start that
	// helps the dosage model makes the haplotype model overshoot (mean r²
	// 1.29× the training r² at lag 20; docs/results-windowed-ld.md).
	lat, err := gibbsLatentFrom(ctx, lo, hi, rows, d, first.arModel(), latentSweeps, cfg.Seed^0x696d70757465, !hap)
	if err != nil {
		return nil, err
	}
	if rank == 0 {
		return first, nil
	}
	u := leadingDirections(lat, rows, d, rank, cfg.Seed^0x6469726563)
	L := mat.NewDense(rows, d, lat)
	var y mat.Dense
	y.Mul(L, u) // rows×rank
	lead, err := model.FitContinuous(ctx, &y, cfg, progress)
	if err != nil {
		return nil, err
	}
	var back mat.Dense
	back.Mul(&y, u.T())
	L.Sub(L, &back)
	lr := arResidual(fitAR(L.RawMatrix().Data, rows, d, lags))
	lr.Lead, lr.Rank = lead, rank
	lr.U = make([]float32, d*rank)
	for i, x := range u.RawMatrix().Data {
		lr.U[i] = float32(x)
	}
	// The matching with smoothed leading directions can fail where the
	// long lags carry little LD: on a weakly linked panel of few people
	// (245 × 980, one population) the lead gain matched on lags 9–32 fell
	// to 0.1–0.5 and lags 1–4 lost a third of their r² (judge LD MAE 1.15×
	// → 1.53×). When it ends with the leading directions shrunk (lead gain
	// below 1), the plain matching (scaling only, on lags 1–8, as before
	// the smoothing) is run too and the model whose mean r² by lag is
	// nearer the training curve is kept. Running both everywhere costs a
	// second matching per window (fit 7:45 → 9:35 on 2504 × 100,000).
	plain := lr.clone()
	seed := cfg.Seed ^ 0x62616e65
	start, err := match.prepare(ctx, lr, seed)
	if err != nil {
		return nil, err
	}
	errSmooth, leadGain, err := match.runFrom(ctx, lr, start, latentMatchRounds, seed, true)
	if err != nil {
		return nil, err
	}
	if leadGain >= 1 {
		return lr, nil
	}
	errPlain, _, err := match.runFrom(ctx, plain, start, latentPlainRounds, seed, false)
	if err != nil {
		return nil, err
	}
	if errPlain < errSmooth {
		return plain, nil
	}
	return lr, nil
}

// clone returns a copy of l whose directions and autoregression can be
// changed apart from l's (the diffusion model is shared).
func (l *LatentResidual) clone() *LatentResidual {
	c := *l
	c.U = append([]float32(nil), l.U...)
	c.AR = append([]float32(nil), l.AR...)
	c.SD = append([]float32(nil), l.SD...)
	return &c
}

// arResidual returns the latent residual model of an autoregression alone.
func arResidual(ar arModel) *LatentResidual {
	lr := &LatentResidual{D: ar.D, Lags: ar.Lags, AR: make([]float32, len(ar.Coef)), SD: make([]float32, ar.D)}
	for i, x := range ar.Coef {
		lr.AR[i] = float32(x)
	}
	for v, x := range ar.Var {
		lr.SD[v] = float32(math.Sqrt(x))
	}
	return lr
}

// arModel returns l's autoregression (its leading directions aside).
func (l *LatentResidual) arModel() arModel {
	m := arModel{D: l.D, Lags: l.Lags, Coef: make([]float64, len(l.AR)), Var: make([]float64, l.D)}
	for i, x := range l.AR {
		m.Coef[i] = float64(x)
	}
	for v, x := range l.SD {
		m.Var[v] = math.Max(float64(x)*float64(x), 1e-9)
	}
	return m
}

// Sizes of the gain matching and the imputation.
const (
	latentFirstRounds = 3   // simulation rounds matching the imputation's model
	latentMatchRounds = 12  // simulation rounds matching the final model, smoothed
	latentPlainRounds = 8   // simulation rounds matching it without smoothing
	latentMatchLags   = 8   // the lags whose r² the gains match
	latentMatchDraws  = 1   // simulated individuals per training individual
	latentSweeps      = 8   // Gibbs sweeps of gibbsLatent
	latentMaxSmooth   = 0.9 // the largest smoothing β of the leading directions
)

// gainMatcher matches a latent residual model's LD to the training
// genotypes' by simulation (a Gaussian copula fitted as NORTA does): the
// model's genotypes are drawn as generation draws them (regressDiscretise)
// at the training individuals' own allele frequencies, and each site's
// autoregression coefficients are scaled by a gain γ_v (its innovation
// variance moved so that the site's variance stays) by the ratio of the
// training genotypes' r² with the preceding sites to the simulated ones.
// Scaling a site's coefficients keeps every autoregression a valid
// Gaussian, where correcting pairwise correlations one by one need not be
// positive definite.
type gainMatcher struct {
	dos            []int8
	n, d, lags, K  int
	coef           *mat.Dense
	scores, target []float64
	// hap: dos holds haplotypes (n = 2 × people rows, person r/2's
	// ancestry) and the model's draws become alleles
	// (discretiseAlleles), not genotypes.
	hap bool
}

// run matches lr's LD to the training genotypes' (see gainMatcher) in
// rounds of simulation, scaling its coefficients and leading directions in
// place (runFrom without smoothing).
func (g gainMatcher) run(ctx context.Context, lr *LatentResidual, rounds int, seed uint64) error {
	pre, err := g.prepare(ctx, lr, seed)
	if err != nil {
		return err
	}
	_, _, err = g.runFrom(ctx, lr, pre, rounds, seed, false)
	return err
}

// matchStart is what every matching of one model starts from: the
// simulated individuals' ancestry, the model's autoregression and the
// variance its coefficients explain, and the leading coordinates drawn once
// (the diffusion sampler is the costly part of a draw, so two matchings of
// the same model share them).
type matchStart struct {
	M         int
	lat       []float64
	base      arModel
	explained []float64
	y         *mat.Dense
}

// prepare returns the matchStart of lr.
func (g gainMatcher) prepare(ctx context.Context, lr *LatentResidual, seed uint64) (*matchStart, error) {
	M := latentMatchDraws * g.n
	st := &matchStart{M: M, lat: g.ancestryOfDraws(M), base: lr.arModel()}
	var err error
	if st.explained, err = explainedVariance(ctx, st.base, g.d, M, seed); err != nil {
		return nil, err
	}
	if lr.Rank > 0 {
		if st.y, err = lr.Lead.Sample(ctx, M, seed^0x6c656164); err != nil {
			return nil, err
		}
	}
	return st, nil
}

// runFrom is run from pre, which must be lr's matchStart (or that of a
// model lr is a clone of, before either was matched), smoothing the
// directions along the sites with smooth. It returns the last round's
// distance between the simulated and training LD-decay curves by lag
// (bandError) and the lead gain it ended with.
func (g gainMatcher) runFrom(ctx context.Context, lr *LatentResidual, pre *matchStart, rounds int, seed uint64, smooth bool) (bandErr, leadGain float64, err error) {
	M, lat, base, explained, y := pre.M, pre.lat, pre.base, pre.explained, pre.y
	gain := make([]float64, g.d)
	for v := range gain {
		gain[v] = 1
	}
	// The leading directions' share is scaled by one gain per window
	// (samples are standardised per site before they become genotypes, so
	// only the share matters), matched with smooth on the lags beyond
	// latentMatchLags, where the leading directions carry the LD, and
	// without on lags 1..latentMatchLags: it is what lets the model
	// reach LD that the imputed latents understate. They do, however many
	// sweeps the Gibbs run takes (mean latent r² of neighbours 0.65 where
	// the autoregression they were imputed under has 0.79, 8 or 32
	// sweeps), because the genotypes are not a Gaussian copula's.
	// With smooth the leading directions are also smoothed along the sites by one
	// filter per window, u'_v = u_v + β·(u_{v−1} + u_{v+1})/2, β matched on
	// the shape of the LD: the ratio of the short lags' (1–2) r² deficit to
	// the longer ones' (5–8). Scaling alone leaves neighbouring SNPs 7–9%
	// short of their r² while lag 8 is matched (the per-site gains are
	// at their bound on a third of the sites): the smoothing takes out the
	// site-to-site noise of the directions estimated from n people. It is
	// a change of U alone, so the model's form and file are unchanged
	// (docs/results-windowed-ld.md, stop 20).
	u0 := append([]float32(nil), lr.U...)
	leadGain, beta := 1.0, 0.0
	// The leading coordinates y are drawn once: between rounds only their
	// gain changes.
	for round := 0; round < rounds; round++ {
		g.applyGains(lr, u0, leadGain, beta, gain, base, explained)
		var sim []float64
		if sim, err = g.simulatedCorr(ctx, lr, y, lat, M, seed+uint64(round)); err != nil {
			return 0, 0, err
		}
		if round == rounds-1 {
			return g.bandError(sim), leadGain, nil
		}
		TT, SS := g.updateGains(gain, sim, base, explained)
		if lr.Rank == 0 {
			continue
		}
		if TL, SL := g.lagSums(sim, latentMatchLags+1, g.lags); smooth && SL > 0 && TL > 0 {
			TT, SS = TL, SL
		}
		if SS > 0 {
			leadGain *= min(1.5, max(0.7, math.Pow(TT/SS, 0.75)))
		}
		if !smooth {
			continue
		}
		T12, S12 := g.lagSums(sim, 1, 2)
		T58, S58 := g.lagSums(sim, 5, latentMatchLags)
		if S12 > 0 && S58 > 0 && T58 > 0 {
			beta = min(latentMaxSmooth, max(0, beta+(T12/S12)/(T58/S58)-1))
		}
	}
	return 0, leadGain, nil
}

// ancestryOfDraws returns the ancestry scores (M×K) of the M simulated
// individuals: the training individuals' own, in turn (a person's for
// each of their haplotypes).
func (g gainMatcher) ancestryOfDraws(M int) []float64 {
	lat := make([]float64, M*g.K)
	for c := 0; c < M; c++ {
		i := c % g.n
		if g.hap {
			i /= 2
		}
		copy(lat[c*g.K:(c+1)*g.K], g.scores[i*g.K:(i+1)*g.K])
	}
	return lat
}

// explainedVariance returns the variance each of the d sites'
// coefficients explain, from the sampled model itself (M rows of the
// autoregression alone).
func explainedVariance(ctx context.Context, base arModel, d, M int, seed uint64) ([]float64, error) {
	w, err := arResidual(base).Sample(ctx, M, seed^0x7661)
	if err != nil {
		return nil, err
	}
	explained := make([]float64, d)
	_, sd := columnMeanSD(w)
	for v := range explained {
		explained[v] = math.Max(0, sd[v]*sd[v]-base.Var[v])
	}
	return explained, nil
}

// applyGains sets lr's leading directions to u0 smoothed along the sites
// by beta (u'_v = u_v + beta·(u_{v−1} + u_{v+1})/2) and scaled by
// leadGain, and
// each site's coefficients to base's scaled by its gain, with the
// innovation variance that keeps the site's variance (at least 0.1% of
// it).
func (g gainMatcher) applyGains(lr *LatentResidual, u0 []float32, leadGain, beta float64, gain []float64, base arModel, explained []float64) {
	d, lags, rank := g.d, g.lags, lr.Rank
	for v := 0; v < d && rank > 0; v++ {
		for r := 0; r < rank; r++ {
			x := float64(u0[v*rank+r])
			if v > 0 {
				x += beta / 2 * float64(u0[(v-1)*rank+r])
			}
			if v < d-1 {
				x += beta / 2 * float64(u0[(v+1)*rank+r])
			}
			lr.U[v*rank+r] = float32(leadGain * x)
		}
	}
	for v := 0; v < d; v++ {
		for k := 0; k < lags; k++ {
			lr.AR[v*lags+k] = float32(gain[v] * base.Coef[v*lags+k])
		}
		lr.SD[v] = float32(math.Sqrt(math.Max(base.Var[v]+(1-gain[v]*gain[v])*explained[v], 1e-3*(base.Var[v]+explained[v]))))
	}
}

// simulatedCorr draws M individuals from lr (with the leading coordinates
// y and ancestry scores lat) as generation draws them, and returns their
// genotypes' (haplotypes') band correlations.
func (g gainMatcher) simulatedCorr(ctx context.Context, lr *LatentResidual, y *mat.Dense, lat []float64, M int, seed uint64) ([]float64, error) {
	w, err := lr.sampleWith(ctx, y, M, seed)
	if err != nil {
		return nil, err
	}
	mean, sd := columnMeanSD(w)
	if g.hap {
		// Every row is a haplotype with its own row of lat.
		return dosageBandCorr(discretiseAlleles(w, g.coef, mean, sd, lat, M, g.K, 1, nil, nil), M, g.d, g.lags), nil
	}
	return dosageBandCorr(regressDiscretise(w, g.coef, mean, sd, lat, M, g.K), M, g.d, g.lags), nil
}

// updateGains moves each site's gain by the ratio of the training r² with
// its preceding sites (up to latentMatchLags) to the simulated sim's, and
// returns those sums of squares over all sites (target, simulated).
func (g gainMatcher) updateGains(gain, sim []float64, base arModel, explained []float64) (TT, SS float64) {
	lags := g.lags
	for v := 1; v < g.d; v++ {
		var tt, ss float64
		for k := 1; k <= min(lags, v, latentMatchLags); k++ {
			j := v*(lags+1) + k
			tt += g.target[j] * g.target[j]
			ss += sim[j] * sim[j]
		}
		TT += tt
		SS += ss
		if ss <= 0 || tt <= 0 || explained[v] <= 0 {
			continue
		}
		r := min(1.25, max(0.8, math.Pow(tt/ss, 0.25)))
		// The coefficients may explain at most 99.5% of the site's variance.
		gain[v] = min(gain[v]*r, math.Sqrt(0.995*(base.Var[v]+explained[v])/explained[v]))
	}
	return TT, SS
}

// bandError returns the L2 distance between the simulated and the
// training genotypes' mean r² by lag, over lags 1..g.lags: the LD-decay
// curve of the window by SNP distance.
func (g gainMatcher) bandError(sim []float64) float64 {
	var e float64
	for k := 1; k <= g.lags; k++ {
		T, S := g.lagSums(sim, k, k)
		m := float64(max(g.d-k, 1))
		e += (S/m - T/m) * (S/m - T/m)
	}
	return math.Sqrt(e)
}

// lagSums returns the sums over sites of the training genotypes' squared
// correlations with the sites lo..hi before them (target) and of sim's.
func (g gainMatcher) lagSums(sim []float64, lo, hi int) (T, S float64) {
	for v := 1; v < g.d; v++ {
		for k := lo; k <= min(hi, v, g.lags); k++ {
			j := v*(g.lags+1) + k
			T += g.target[j] * g.target[j]
			S += sim[j] * sim[j]
		}
	}
	return T, S
}

// dosageBandCorr returns the correlations of site pairs (v, v−k), k ≤
// lags, of site-major dosages (n individuals) in bandCov's layout; a
// monomorphic site has correlation 0 with every other and 1 with itself.
func dosageBandCorr(dos []int8, n, d, lags int) []float64 {
	mean, sd := make([]float64, d), make([]float64, d)
	for v := 0; v < d; v++ {
		var s, ss float64
		for _, g := range dos[v*n : (v+1)*n] {
			s += float64(g)
			ss += float64(g) * float64(g)
		}
		mean[v] = s / float64(n)
		sd[v] = math.Sqrt(math.Max(ss/float64(n)-mean[v]*mean[v], 0))
	}
	c := make([]float64, d*(lags+1))
	for v := 0; v < d; v++ {
		c[v*(lags+1)] = 1
		if sd[v] == 0 {
			continue
		}
		a := dos[v*n : (v+1)*n]
		for k := 1; k <= min(lags, v); k++ {
			if sd[v-k] == 0 {
				continue
			}
			var s int
			for i, g := range dos[(v-k)*n : (v-k+1)*n] {
				s += int(g) * int(a[i])
			}
			c[v*(lags+1)+k] = (float64(s)/float64(n) - mean[v]*mean[v-k]) / (sd[v] * sd[v-k])
		}
	}
	return c
}

// gibbsLatent imputes every training individual's latent vector inside its
// intervals (lo, hi: n×d row-major) by sweeps Gibbs sweeps under the fixed
// banded Gaussian ar, from a forward draw under ar. Each
// individual has its own random stream, so the result depends on seed
// only.
func gibbsLatent(ctx context.Context, lo, hi []float64, n, d int, ar arModel, sweeps int, seed uint64) ([]float64, error) {
	return gibbsLatentFrom(ctx, lo, hi, n, d, ar, sweeps, seed, true)
}

// gibbsLatentFrom is gibbsLatent from a forward draw (forward) or from the
// intervals' marginal means.
func gibbsLatentFrom(ctx context.Context, lo, hi []float64, n, d int, ar arModel, sweeps int, seed uint64, forward bool) ([]float64, error) {
	w := make([]float64, n*d)
	lags := ar.Lags
	W := 2*lags + 1
	q := ar.precisionBand()
	for i := 0; i < n; i++ {
		if i%64 == 0 && ctx.Err() != nil {
			return nil, ctx.Err()
		}
		rng := rand.New(rand.NewPCG(seed, uint64(i)+0x6c6174656e74))
		row, rl, rh := w[i*d:(i+1)*d], lo[i*d:(i+1)*d], hi[i*d:(i+1)*d]
		// Start from a forward draw under the autoregression, each site
		// given the ones before it: strongly linked sites start linked.
		// From the intervals' marginal means they start independent, and
		// single-site sweeps barely move a site whose neighbours pin it:
		// the imputed latents then understate the LD (on a simulated
		// window of 877 SNPs, 490 individuals: mean r² of neighbouring
		// SNPs 0.86× the training r² from the marginal means, 0.96× from
		// the forward draw; docs/results-windowed-ld.md).
		for v := 0; v < d; v++ {
			if !forward {
				row[v] = gauss.TruncMean(rl[v], rh[v])
				continue
			}
			var mu float64
			for k := 1; k <= min(lags, v); k++ {
				mu += ar.Coef[v*lags+k-1] * row[v-k]
			}
			row[v] = gauss.TruncDraw(mu, math.Sqrt(ar.Var[v]), rl[v], rh[v], rng)
		}
		for s := 0; s < sweeps; s++ {
			for v := 0; v < d; v++ {
				qv := q[v*W : (v+1)*W]
				var acc float64
				for o := max(-lags, -v); o <= min(lags, d-1-v); o++ {
					if o != 0 {
						acc += qv[lags+o] * row[v+o]
					}
				}
				qvv := qv[lags]
				row[v] = gauss.TruncDraw(-acc/qvv, 1/math.Sqrt(qvv), rl[v], rh[v], rng)
			}
		}
	}
	return w, nil
}
