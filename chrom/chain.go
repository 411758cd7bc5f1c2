package chrom

import (
	"context"
	"fmt"
	"time"

	"github.com/gousynth/gousynth/autoreg"
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
	m, err := autoreg.Fit(j.Dosage, n, d, j.Window.Overlap(), j.TrainScores, j.K, cfg)
	if err != nil {
		return fmt.Errorf("window %d (%s:%d-%d): %w", j.Window.Index, j.Sites[0].Chrom, j.Sites[0].Pos, j.Sites[d-1].Pos, err)
	}
	r.FitSeconds = time.Since(t0).Seconds()
	r.Chain = m
	r.Model = m.Encode()
	return ctx.Err()
}

// checkChain reports whether m is a chain model of window w's core with K
// ancestry scores.
func checkChain(m *autoreg.Model, w Window, K int) error {
	if m == nil || len(m.Sites) != w.Core() || m.K != K || m.Lags > chainLags {
		return fmt.Errorf("%w: window %d has no chain model of its %d core sites and %d PCs", ErrOption, w.Index, w.Core(), K)
	}
	return nil
}
