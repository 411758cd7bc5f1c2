package chrom

import (
	"context"
	"fmt"
	"math"
	"time"

	"github.com/gousynth/gousynth/model"
	"gonum.org/v1/gonum/mat"
)

// Conditioning by regression (CondRegress, CondRegressMatch): the window's
// training dosages are regressed on the whole-chromosome PC scores,
// x_v = a_v + B_v·z + r_v (least squares), the window's model is fitted on
// the residuals r (model.FitContinuous), and each candidate's genotype at
// site v is drawn with the individual-specific allele frequency
// (a_v + B_v·z)/2 of the synthetic person's latent z, its residual sample
// deciding where in that genotype distribution it falls (regressDiscretise).
// Candidates then carry their person's ancestry by construction instead of
// by selection.
const (
	// CondRegress gives candidate i to synthetic individual i (no
	// oversampling, no matching).
	CondRegress Conditioning = "regress"
	// CondRegressMatch draws Oversample candidates per individual by
	// regression and assembles them as CondMatch does.
	CondRegressMatch Conditioning = "regress-match"
)

func isRegress(mode Conditioning) bool { return mode == CondRegress || mode == CondRegressMatch }

// regressFit is the regression of a window's dosages on the training scores:
// Coef ((K+1)×d, row 0 the intercepts) and the residuals (n×d).
func regressFit(dos []int8, n, d int, scores []float64, K int) (coef, resid *mat.Dense, err error) {
	z := interceptDesign(scores, n, K)
	x := mat.NewDense(n, d, nil)
	for v := 0; v < d; v++ {
		for i, g := range dos[v*n : (v+1)*n] {
			x.Set(i, v, float64(g))
		}
	}
	var g mat.SymDense
	g.SymOuterK(1, z.T())
	for k := 0; k <= K; k++ { // tiny ridge for degenerate scores
		g.SetSym(k, k, g.At(k, k)*(1+1e-9)+1e-9)
	}
	var ch mat.Cholesky
	if !ch.Factorize(&g) {
		return nil, nil, fmt.Errorf("%w: ancestry scores are degenerate", ErrOption)
	}
	var zx mat.Dense
	zx.Mul(z.T(), x)
	coef = new(mat.Dense)
	if err := ch.SolveTo(coef, &zx); err != nil {
		return nil, nil, err
	}
	var fit mat.Dense
	fit.Mul(z, coef)
	x.Sub(x, &fit)
	return coef, x, nil
}

// interceptDesign returns the n×(K+1) design matrix of a regression on
// scores (n×K, row-major) with an intercept: a column of ones, then the
// scores.
func interceptDesign(scores []float64, n, K int) *mat.Dense {
	z := mat.NewDense(n, K+1, nil)
	for i := 0; i < n; i++ {
		z.Set(i, 0, 1)
		for k := 0; k < K; k++ {
			z.Set(i, k+1, scores[i*K+k])
		}
	}
	return z
}

// genotypeFreq returns the training frequencies of dosages 0 and 1 per site
// (d×2, site-major).
func genotypeFreq(dos []int8, n, d int) []float64 {
	f := make([]float64, 2*d)
	for v := 0; v < d; v++ {
		var c [3]int
		for _, g := range dos[v*n : (v+1)*n] {
			c[g]++
		}
		f[2*v], f[2*v+1] = float64(c[0])/float64(n), float64(c[1])/float64(n)
	}
	return f
}

// residualSampler draws a window's residual samples: a dosage-space
// *model.ContinuousModel or a *LatentResidual.
type residualSampler interface {
	Sample(ctx context.Context, n int, seed uint64) (*mat.Dense, error)
	SampleChunks(ctx context.Context, n int, seed uint64, fn func(lo int, x *mat.Dense) error) error
}

// regressGenerate draws M candidates: residual samples turned into
// genotypes by regressDiscretise with coef applied to each candidate's
// latent (M×K, row-major). The output is deterministic.
func regressGenerate(ctx context.Context, cm residualSampler, coef *mat.Dense, mean, sd, latent []float64, M, K int, seed uint64) ([]int8, error) {
	return regressGenerateLabelled(ctx, cm, coef, mean, sd, latent, M, K, seed, nil, nil, false)
}

// regressGenerateLabelled is regressGenerate for a genotype or a haplotype
// (hap) model, with per-label offsets of the
// allele frequencies (labelOffsets; nil: none) and each candidate's label.
func regressGenerateLabelled(ctx context.Context, cm residualSampler, coef *mat.Dense, mean, sd, latent []float64, M, K int, seed uint64, off []float64, labels []int, hap bool) ([]int8, error) {
	r, err := cm.Sample(ctx, drawsPer(hap)*M, seed)
	if err != nil {
		return nil, err
	}
	return discretiseCandidates(r, coef, mean, sd, latent, M, K, off, labels, hap), nil
}

// runRegress is Job.Run for the regression conditionings: it fills r's
// model-independent fields (Coef, GenotypeFreq, ResidMean, ResidSD) and
// candidates.
func (j *Job) runRegress(ctx context.Context, r *Result, progress func(model.Progress)) error {
	d, n := len(j.Sites), j.NTrain
	if len(j.Latent) != j.NCandidates*j.K {
		return fmt.Errorf("%w: window %d: regression needs %d×%d candidate latents, got %d values", ErrOption, j.Window.Index, j.NCandidates, j.K, len(j.Latent))
	}
	t0 := time.Now()
	coef, resid, err := regressFit(j.Dosage, n, d, j.TrainScores, j.K)
	if err != nil {
		return fmt.Errorf("window %d: %w", j.Window.Index, err)
	}
	r.GenotypeFreq = genotypeFreq(j.Dosage, n, d)
	calibrateIntercepts(coef, j.TrainScores, n, j.K, r.GenotypeFreq)
	if j.NumLabels > 0 {
		if len(j.TrainLabels) != n || len(j.CandidateLabels) != j.NCandidates {
			return fmt.Errorf("%w: window %d: %d training and %d candidate labels for %d and %d", ErrOption, j.Window.Index, len(j.TrainLabels), len(j.CandidateLabels), n, j.NCandidates)
		}
		r.LabelOffset = labelOffsets(coef, j.Dosage, n, j.TrainScores, j.K, j.TrainLabels, j.NumLabels)
		roundFloat32(r.LabelOffset)
	}
	// Model files store the coefficients and marginals at float32 precision
	// (chrom/file.go); the fit draws its cohort with the same values,
	// so that the file generates what the fit did.
	roundFloat32(coef.RawMatrix().Data)
	r.Coef = coef.RawMatrix().Data
	where := fmt.Sprintf("window %d (%s:%d-%d)", j.Window.Index, j.Sites[0].Chrom, j.Sites[0].Pos, j.Sites[d-1].Pos)
	var cm residualSampler
	if j.Residual == ResidDosage {
		c, err := model.FitContinuous(ctx, resid, j.Model, progress)
		if err != nil {
			return fmt.Errorf("%s: %w", where, err)
		}
		if r.Model, err = c.Encode(j.Sites); err != nil {
			return err
		}
		cm = c
	} else {
		resid = nil
		var lr *LatentResidual
		if j.Residual == ResidHaplotype {
			if len(j.Haplotypes) != 2*n*d {
				return fmt.Errorf("%w: %s: %d haplotype alleles for %d individuals × %d sites", ErrOption, where, len(j.Haplotypes), n, d)
			}
			lr, err = fitHapLatent(ctx, j.Haplotypes, n, d, coef, j.TrainScores, j.K, j.Model, progress)
			r.Haplotype = true
		} else {
			lr, err = fitLatent(ctx, j.Dosage, n, d, coef, j.TrainScores, j.K, j.Model, progress)
		}
		if err != nil {
			return fmt.Errorf("%s: %w", where, err)
		}
		if lr.Rank > 0 {
			if r.Model, err = lr.Lead.Encode(latentSites(j.Window, lr.Rank)); err != nil {
				return err
			}
		}
		r.LatentRank, r.LatentLags, r.LatentU, r.LatentAR, r.LatentSD = lr.Rank, lr.Lags, lr.U, lr.AR, lr.SD
		cm = lr
	}
	r.FitSeconds = time.Since(t0).Seconds()
	t0 = time.Now()
	// The residual model's own marginals standardise its samples into
	// genotype quantiles (regressDiscretise): they are what makes the
	// quantiles uniform, whatever the model gets wrong about the training
	// residuals' spread. Measured on its own draw, so that a cohort's
	// genotypes never depend on the cohort.
	cal, err := cm.Sample(ctx, marginalSamples, j.GenerateSeed^marginalSeed)
	if err != nil {
		return err
	}
	r.ResidMean, r.ResidSD = columnMeanSD(cal)
	roundFloat32(r.ResidMean)
	roundFloat32(r.ResidSD)
	if r.Candidates, err = regressGenerateLabelled(ctx, cm, coef, r.ResidMean, r.ResidSD, j.Latent, j.NCandidates, j.K, j.GenerateSeed, r.LabelOffset, j.CandidateLabels, r.Haplotype); err != nil {
		return err
	}
	r.GenerateSeconds = time.Since(t0).Seconds()
	return nil
}

// ancestryTerm returns B·z (rows×d) for rows ancestry vectors z (rows×K,
// row-major) and the slopes B, rows 1…K of coef ((K+1)×d): zero when K = 0.
func ancestryTerm(z []float64, rows, K int, coef *mat.Dense) *mat.Dense {
	_, d := coef.Dims()
	h := mat.NewDense(rows, d, nil)
	if K > 0 {
		h.Mul(mat.NewDense(rows, K, z), coef.Slice(1, K+1, 0, d))
	}
	return h
}

// candidateLatent returns the latents of M candidates for n synthetic
// individuals (n×K): candidate c takes individual c mod n's latent, so that
// candidate i (i < n) is individual i's own.
func candidateLatent(latent *mat.Dense, M int) []float64 {
	if latent == nil { // K = 0
		return nil
	}
	n, K := latent.Dims()
	out := make([]float64, M*K)
	for c := 0; c < M; c++ {
		copy(out[c*K:(c+1)*K], latent.RawRowView(c%n))
	}
	return out
}

// regressDiscretise turns residual samples r (M×d) into site-major
// dosages for candidates with the given latents (M×K, row-major) by
// individual-specific allele frequencies: candidate c's alternate-allele
// frequency at site v is p = (a_v + B_v·z_c)/2, clipped to [0, 1], and
// its genotype is the quantile u of Binomial(2, p) (Hardy–Weinberg given
// the individual's ancestry), where u = Φ((r_v − mean_v)/sd_v) is the
// normal probability of the candidate's residual sample standardised by the
// residual model's own marginal mean and standard deviation (a Gaussian
// copula: the residuals' correlations become the LD given ancestry). Each candidate is drawn on its
// own, so a cohort of one is as good as a large one. The intercepts a_v
// come calibrated for the clipping (calibrateIntercepts).
//
// Why not thresholds: thresholding a + B·z + r at the training genotype
// frequencies attenuates the ancestry term (κ < 1 of a Gaussian's
// correlation with its discretisation: 0.75–0.78 on PC scores), and a gain
// calibrated for Gaussian terms still left the populations' centres on
// PC1/PC2 2.5–3% too close on a 2504 × 100,000 panel. Here E[g | z] = a +
// B·z exactly for every candidate (where it is in [0, 2]), whatever the
// distribution of z.
func regressDiscretise(r, coef *mat.Dense, mean, sd, latent []float64, M, K int) []int8 {
	return regressDiscretiseLabelled(r, coef, mean, sd, latent, M, K, nil, nil)
}

// regressDiscretiseLabelled is regressDiscretise with, for a candidate of
// label l ≥ 0 (labels[c]), the label's offset off[l·d+v] added to its
// expected dosage a_v + B_v·z_c (labelOffsets; nil off: none).
func regressDiscretiseLabelled(r, coef *mat.Dense, mean, sd, latent []float64, M, K int, off []float64, labels []int) []int8 {
	_, d := coef.Dims()
	h := ancestryTerm(latent, M, K, coef) // B·z, M×d
	out := make([]int8, d*M)
	hc := make([]float64, M)
	for v := 0; v < d; v++ {
		mat.Col(hc, v, h)
		a := coef.At(0, v)
		row := out[v*M : (v+1)*M]
		for c := range row {
			u := 0.5
			if sd[v] > 0 {
				u = 0.5 * math.Erfc(-(r.At(c, v)-mean[v])/(sd[v]*math.Sqrt2))
			}
			h := hc[c]
			if off != nil && labels != nil && labels[c] >= 0 {
				h += off[labels[c]*d+v]
			}
			p := min(1, max(0, (a+h)/2))
			q := 1 - p
			switch {
			case u < q*q:
				row[c] = 0
			case u < 1-p*p:
				row[c] = 1
			default:
				row[c] = 2
			}
		}
	}
	return out
}

// calibrateIntercepts moves each site's intercept (row 0 of coef, (K+1)×d)
// so that the training individuals' allele frequencies clipped to [0, 1],
// (a_v + B_v·z_i)/2, have the training mean dosage (from freq,
// genotypeFreq) on average: the least-squares intercept does so only when
// nothing clips, and rare SNPs whose frequency differs between populations
// would otherwise drift up. It uses the training scores (n×K, row-major),
// not a cohort's latents, so that every synthetic individual is drawn the
// same way whatever the cohort.
func calibrateIntercepts(coef *mat.Dense, scores []float64, n, K int, freq []float64) {
	_, d := coef.Dims()
	h := ancestryTerm(scores, n, K, coef)
	hc := make([]float64, n)
	for v := 0; v < d; v++ {
		mat.Col(hc, v, h)
		f0, f1 := freq[2*v], freq[2*v+1]
		coef.Set(0, v, interceptFor(coef.At(0, v), hc, f1+2*(1-f0-f1)))
	}
}

// labelOffsets returns, for each of nLabels population labels (issue 18)
// and each site, the shift of the expected dosage a_v + B_v·z that gives
// the training individuals of the label (labels[i]; −1: none) their own
// mean dosage, clipped as regressDiscretise clips (interceptFor), as
// nLabels×d row-major. The regression on the PCs alone attenuates the
// differences between populations (the PC scores are noisy proxies of the
// labels): on a simulated 3-population panel the synthetic populations'
// Fst came out 10% low and their allele-frequency r² 0.02 below the
// floor. The offsets are per-label mean dosages of at least the minimum
// cluster size of people, aggregates as the coefficients are.
func labelOffsets(coef *mat.Dense, dos []int8, n int, scores []float64, K int, labels []int, nLabels int) []float64 {
	_, d := coef.Dims()
	h := ancestryTerm(scores, n, K, coef)
	off := make([]float64, nLabels*d)
	rows := make([][]int, nLabels)
	for i, l := range labels {
		if l >= 0 && l < nLabels {
			rows[l] = append(rows[l], i)
		}
	}
	hc := make([]float64, 0, n)
	for l, idx := range rows {
		if len(idx) == 0 {
			continue
		}
		for v := 0; v < d; v++ {
			hc = hc[:0]
			var s float64
			for _, i := range idx {
				hc = append(hc, h.At(i, v))
				s += float64(dos[v*n+i])
			}
			a := coef.At(0, v)
			off[l*d+v] = interceptFor(a, hc, s/float64(len(idx))) - a
		}
	}
	return off
}

// Size and seed tag of the draw that measures a residual model's marginals.
const (
	marginalSamples        = 2000
	marginalSeed    uint64 = 0x6d61726731
)

// roundFloat32 rounds x in place to float32 precision.
func roundFloat32(x []float64) {
	for i, v := range x {
		x[i] = float64(float32(v))
	}
}

// columnMeanSD returns each column's mean and standard deviation.
func columnMeanSD(x *mat.Dense) (mean, sd []float64) {
	n, d := x.Dims()
	mean, sd = make([]float64, d), make([]float64, d)
	for i := 0; i < n; i++ {
		for v, e := range x.RawRowView(i) {
			mean[v] += e / float64(n)
		}
	}
	for i := 0; i < n; i++ {
		for v, e := range x.RawRowView(i) {
			sd[v] += (e - mean[v]) * (e - mean[v])
		}
	}
	for v := range sd {
		sd[v] = math.Sqrt(sd[v] / float64(max(n-1, 1)))
	}
	return mean, sd
}

// interceptFor returns a such that the mean over h of clip(a + h, 0, 2) is
// target: in closed form when nothing clips, else by bisection (the mean is
// monotone in a). A target outside [0, 2], which no genotype frequencies
// give, returns the fitted intercept a0.
func interceptFor(a0 float64, h []float64, target float64) float64 {
	mean := func(a float64) float64 {
		var s float64
		for _, x := range h {
			s += min(2, max(0, a+x))
		}
		return s / float64(len(h))
	}
	// Without clipping the mean is a + mean(h): solve in closed form.
	var hm float64
	lo0, hi0 := math.Inf(1), math.Inf(-1)
	for _, x := range h {
		hm += x
		lo0, hi0 = min(lo0, x), max(hi0, x)
	}
	if a := target - hm/float64(len(h)); a+lo0 >= 0 && a+hi0 <= 2 {
		return a
	}
	if !(target >= 0 && target <= 2) || math.IsNaN(a0) || math.IsInf(a0, 0) { // not from real frequencies
		return a0
	}
	// Every h is in [lo0, hi0], so the mean is 0 at −hi0 and 2 at 2−lo0.
	lo, hi := -hi0, 2-lo0
	for it := 0; it < 200 && hi-lo > 1e-12; it++ {
		mid := (lo + hi) / 2
		if mean(mid) < target {
			lo = mid
		} else {
			hi = mid
		}
	}
	return (lo + hi) / 2
}
