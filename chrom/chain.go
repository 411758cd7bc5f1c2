package chrom

import (
	"context"
	"fmt"
	"time"

	"github.com/gousynth/gousynth/autoreg"
	"gonum.org/v1/gonum/mat"
)

// CondChain draws the chromosome as one discrete autoregression given
// ancestry (package autoreg): each window fits, for each of its core
// sites, two logistic regressions of the genotype on the synthetic
// person's whole-chromosome PC scores and on the genotypes of up to
// autoreg.Config.Lags preceding sites, which may lie in the window's
// overlap (the previous window's core). The windows are fitted in
// parallel; the Assembler (and Generate) draws them in order with one
// autoreg.Sampler, so the chain runs across window boundaries and every
// synthetic individual is drawn, site by site, from the model's
// conditional distribution given its ancestry and what was already drawn
// for it. No candidate is drawn in Job.Run and none is selected.
const CondChain Conditioning = "chain"

// chainLags is the history a chain sampler keeps: the longest distance
// an autoreg model may condition on.
const chainLags = 255

// runChain is Job.Run for CondChain: it fits the autoregression of the
// window's core sites, conditioned on the overlap before them.
func (j *Job) runChain(ctx context.Context, r *Result) error {
	d, n := len(j.Sites), j.NTrain
	t0 := time.Now()
	cfg := autoreg.DefaultConfig()
	anc, K := j.TrainScores, j.K
	if j.NumLabels > 0 {
		if len(j.TrainLabels) != n {
			return fmt.Errorf("%w: window %d: %d training labels for %d individuals", ErrOption, j.Window.Index, len(j.TrainLabels), n)
		}
		anc, K = withLabels(anc, n, K, j.TrainLabels, j.NumLabels), K+j.NumLabels
	}
	m, err := autoreg.Fit(j.Dosage, n, d, j.Window.Overlap(), anc, K, cfg)
	if err != nil {
		return fmt.Errorf("window %d (%s:%d-%d): %w", j.Window.Index, j.Sites[0].Chrom, j.Sites[0].Pos, j.Sites[d-1].Pos, err)
	}
	r.FitSeconds = time.Since(t0).Seconds()
	r.Chain = m
	r.Model = m.Encode()
	return ctx.Err()
}

// withLabels returns the ancestry scores anc (n×K, row-major) with an
// indicator of each individual's population label appended (numLabels
// columns; a label outside 0..numLabels−1, too small or none, has none):
// with population labels (fit --panel) the chain's regressions are on
// the PCs and the label, so that each label keeps its allele frequencies.
func withLabels(anc []float64, n, K int, labels []int, numLabels int) []float64 {
	out := make([]float64, n*(K+numLabels))
	for i := 0; i < n; i++ {
		row := out[i*(K+numLabels) : (i+1)*(K+numLabels)]
		copy(row, anc[i*K:(i+1)*K])
		if l := labels[i]; l >= 0 && l < numLabels {
			row[K+l] = 1
		}
	}
	return out
}

// newChainSampler returns the chain's sampler of n synthetic individuals
// with their PC latent (n×K; nil when K = 0) and, when cohort gives their
// population labels (cohort[i] is individual i's, mx.LabelTable the
// labels), the label indicators withLabels appends, as the windows' fits
// append them to the training individuals' scores.
func newChainSampler(latent *mat.Dense, n int, cohort []int, mx *Mixture, seed uint64) (*autoreg.Sampler, error) {
	anc, K := flatRows(latent), 0
	if latent != nil {
		_, K = latent.Dims()
	}
	if cohort != nil && len(mx.LabelTable) > 0 {
		L := len(mx.LabelTable)
		anc, K = withLabels(anc, n, K, cohort, L), K+L
	}
	return autoreg.NewSampler(anc, n, K, chainLags, seed)
}

// checkChain reports whether m is a chain model of window w's core with K
// ancestry scores (PCs and label indicators; K < 0: any number).
func checkChain(m *autoreg.Model, w Window, K int) error {
	if m == nil || len(m.Sites) != w.Core() || (K >= 0 && m.K != K) || m.Lags > chainLags {
		return fmt.Errorf("%w: window %d has no chain model of its %d core sites and %d ancestry scores", ErrOption, w.Index, w.Core(), K)
	}
	return nil
}
