package chrom

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/gousynth/gousynth/model"
	"gonum.org/v1/gonum/mat"
)

// Conditioning by regression (CondRegress, CondRegressMatch): the window's
// training dosages are regressed on the whole-chromosome PC scores,
// x_v = a_v + B_v·z + r_v (least squares), the window's model is fitted on
// the residuals r (model.FitContinuous), and each candidate is a residual
// sample plus a_v + B_v·z for the synthetic person's latent z, discretised
// per site to 0/1/2 by ranks so that the generated cohort has the training
// genotype frequencies. Candidates then carry their person's ancestry by
// construction instead of by selection.
const (
	// CondRegress gives candidate i to synthetic individual i (no
	// oversampling, no matching).
	CondRegress = "regress"
	// CondRegressMatch draws Oversample candidates per individual by
	// regression and assembles them as CondMatch does.
	CondRegressMatch = "regress-match"
)

func isRegress(mode string) bool { return mode == CondRegress || mode == CondRegressMatch }

// regressFit is the regression of a window's dosages on the training scores:
// Coef ((K+1)×d, row 0 the intercepts) and the residuals (n×d).
func regressFit(dos []int8, n, d int, scores []float64, K int) (coef, resid *mat.Dense, err error) {
	z := mat.NewDense(n, K+1, nil)
	for i := 0; i < n; i++ {
		z.Set(i, 0, 1)
		for k := 0; k < K; k++ {
			z.Set(i, k+1, scores[i*K+k])
		}
	}
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

// regressGenerate draws M candidates: residual samples plus coef applied to
// each candidate's latent (M×K, row-major), discretised per site by rank so
// that the M candidates reproduce freq (genotypeFreq). Ties break by
// candidate index, so the output is deterministic.
func regressGenerate(ctx context.Context, cm *model.ContinuousModel, coef *mat.Dense, freq, latent []float64, M, K int, seed uint64) ([]int8, error) {
	r, err := cm.Sample(ctx, M, seed)
	if err != nil {
		return nil, err
	}
	z := mat.NewDense(M, K+1, nil)
	for c := 0; c < M; c++ {
		z.Set(c, 0, 1)
		for k := 0; k < K; k++ {
			z.Set(c, k+1, latent[c*K+k])
		}
	}
	var y mat.Dense
	y.Mul(z, coef)
	y.Add(&y, r)
	return discretiseRanks(&y, freq), nil
}

// discretiseRanks maps y (M×d) to site-major dosages: per site, the
// round(f0·M) lowest values become 0, the next round((f0+f1)·M)−round(f0·M)
// become 1, the rest 2 (freq as genotypeFreq). Ties break by row.
func discretiseRanks(y *mat.Dense, freq []float64) []int8 {
	M, d := y.Dims()
	out := make([]int8, d*M)
	idx := make([]int, M)
	col := make([]float64, M)
	for v := 0; v < d; v++ {
		mat.Col(col, v, y)
		for c := range idx {
			idx[c] = c
		}
		slices.SortStableFunc(idx, func(a, b int) int {
			switch {
			case col[a] < col[b]:
				return -1
			case col[a] > col[b]:
				return 1
			}
			return 0
		})
		n0 := int(freq[2*v]*float64(M) + 0.5)
		n1 := int((freq[2*v]+freq[2*v+1])*float64(M)+0.5) - n0
		row := out[v*M : (v+1)*M]
		for rank, c := range idx {
			switch {
			case rank < n0:
				row[c] = 0
			case rank < n0+n1:
				row[c] = 1
			default:
				row[c] = 2
			}
		}
	}
	return out
}

// runRegress is Job.Run for the regression conditionings: it fills r's
// model-independent fields (Coef, GenotypeFreq) and candidates.
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
	cm, err := model.FitContinuous(ctx, resid, j.Model, progress)
	if err != nil {
		return fmt.Errorf("window %d (%s:%d-%d): %w", j.Window.Index, j.Sites[0].Chrom, j.Sites[0].Pos, j.Sites[d-1].Pos, err)
	}
	r.FitSeconds = time.Since(t0).Seconds()
	r.Coef = coef.RawMatrix().Data
	r.GenotypeFreq = genotypeFreq(j.Dosage, n, d)
	t0 = time.Now()
	if r.Candidates, err = regressGenerate(ctx, cm, coef, r.GenotypeFreq, j.Latent, j.NCandidates, j.K, j.GenerateSeed); err != nil {
		return err
	}
	r.GenerateSeconds = time.Since(t0).Seconds()
	return nil
}

// candidateLatent returns the latents of M candidates for n synthetic
// individuals (n×K): candidate c takes individual c mod n's latent, so that
// candidate i (i < n) is individual i's own.
func candidateLatent(latent *mat.Dense, M int) []float64 {
	n, K := latent.Dims()
	out := make([]float64, M*K)
	for c := 0; c < M; c++ {
		copy(out[c*K:(c+1)*K], latent.RawRowView(c%n))
	}
	return out
}
