package chrom

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"

	"github.com/gousynth/gousynth/autoreg"
	"gonum.org/v1/gonum/mat"
)

// Streams reports whether GenerateStream can generate with conditioning
// cond: the conditionings that give candidate i to individual i
// (CondRegress, CondNone), and CondChain, which draws autoreg.ChunkRows
// individuals at a time (its history across windows is n × 255 dosages).
// The others select each person's candidate among
// all of a window's candidates, so they need the whole window at once.
func Streams(cond Conditioning) bool {
	return cond == CondRegress || cond == CondNone || cond == CondChain
}

// errEnough stops a chunked draw once n individuals are drawn.
var errEnough = errors.New("chrom: enough candidates")

// GenerateStream draws the synthetic chromosome Generate draws (the same
// arguments give the same genotypes) for a conditioning that Streams, in
// memory bounded independently of n: each window is drawn in chunks of
// consecutive individuals (model.SampleChunkRows at a time, the chunks of
// the models' random streams), and chunk receives each chunk's core
// dosages, site-major within the chunk (core[v*rows+i] is individual lo+i
// at the window's core site v; reused after chunk returns). windowEnd is
// called after the last chunk of each window. Windows come in order from
// next, as for Generate. What stays in memory besides one window model and
// one chunk is the ancestry latent, n × K floats.
func GenerateStream(ctx context.Context, pca *PCA, mx *Mixture, n int, oversample float64, cond Conditioning, seed uint64,
	next func() (WindowModel, bool, error), chunk func(w Window, lo, rows int, core []int8) error, windowEnd func(w Window) error) error {
	return GenerateStreamCohort(ctx, pca, mx, n, nil, oversample, cond, seed, next, chunk, windowEnd)
}

// GenerateStreamCohort is GenerateStream with the population label of each synthetic
// individual (Mixture.Cohort; nil: GenerateStream): the ancestry latent is drawn
// label by label (Mixture.SampleCohort).
func GenerateStreamCohort(ctx context.Context, pca *PCA, mx *Mixture, n int, cohort []int, oversample float64, cond Conditioning, seed uint64,
	next func() (WindowModel, bool, error), chunk func(w Window, lo, rows int, core []int8) error, windowEnd func(w Window) error) error {
	if n < 1 || oversample < 1 {
		return fmt.Errorf("%w: %d individuals, oversampling %g", ErrOption, n, oversample)
	}
	if !Streams(cond) {
		return fmt.Errorf("%w: conditioning %q selects candidates and cannot be streamed (regress or none)", ErrOption, cond)
	}
	latent, err := mx.SampleCohort(n, cohort, rand.New(rand.NewPCG(mix(seed, tagLatent), 0)))
	if err != nil {
		return err
	}
	M := numCandidates(n, oversample, cond)
	s := &windowStreamer{mx: mx, n: n, K: pca.K(), M: M, cond: cond, seed: seed, chunk: chunk}
	if cond == CondChain {
		// The Assembler's chain, seeded as Generate seeds it; drawn chunk
		// by chunk of individuals.
		if s.chain, err = newChainSampler(latent, n, cohort, mx, mix(seed, tagAssemble)); err != nil {
			return err
		}
	}
	if isRegress(cond) {
		s.candLatent = candidateLatent(latent, M)
	}
	s.candLabels = candidateLabels(cohort, M)
	prevStart, prevCore, started := 0, 0, false
	for {
		wm, ok, err := next()
		if err != nil {
			return err
		}
		if !ok {
			return nil
		}
		w := wm.Window
		if err := wm.checkPCA(pca); err != nil {
			return err
		}
		// The Assembler's check: the overlap lies in the previous output.
		if o := w.Overlap(); o > 0 && (!started || w.Start < prevStart || w.CoreStart != prevStart+prevCore) {
			return fmt.Errorf("%w: window %d overlap [%d, %d) is not inside the previous window's output", ErrOption, w.Index, w.Start, w.CoreStart)
		}
		if err := s.draw(ctx, wm); err != nil && !errors.Is(err, errEnough) {
			return err
		}
		if err := windowEnd(w); err != nil {
			return err
		}
		prevStart, prevCore, started = w.CoreStart, w.Core(), true
	}
}

// windowStreamer draws the windows of GenerateStreamCohort in chunks of
// candidates and hands the cores of the first n to chunk.
type windowStreamer struct {
	mx         *Mixture
	n, K, M    int // individuals, ancestry PCs, candidates per window
	cond       Conditioning
	seed       uint64
	candLatent []float64 // the candidates' ancestry latent (M×K), under regression
	candLabels []int     // the candidates' labels (nil without a cohort)
	chunk      func(w Window, lo, rows int, core []int8) error
	packed     []int8           // the core of a chunk's first candidates, when it has more than needed
	chain      *autoreg.Sampler // CondChain's chain
}

// draw draws the candidates of window model wm in chunks (Generate's
// draws, from the window's seed) and emits them, until the first n; it
// returns errEnough when it stops there.
func (s *windowStreamer) draw(ctx context.Context, wm WindowModel) error {
	w := wm.Window
	genSeed := mix(s.seed, tagWindow+2*uint64(w.Index)+1)
	emit := func(lo, rows int, dos []int8) error { return s.emit(w, lo, rows, dos) }
	if s.cond == CondChain {
		if err := checkChain(wm.Chain, w, s.chain.K()); err != nil {
			return err
		}
		for c := 0; c < s.chain.NumChunks(); c++ {
			blk, lo, rows, err := s.chain.DrawChunk(wm.Chain, c)
			if err != nil {
				return err
			}
			if err := s.chunk(w, lo, rows, blk); err != nil {
				return err
			}
		}
		return nil
	}
	if isRegress(s.cond) {
		return s.drawRegress(ctx, wm, genSeed, emit)
	}
	if wm.Model == nil {
		return fmt.Errorf("%w: window %d has no model", ErrOption, w.Index)
	}
	return wm.Model.GenerateChunks(ctx, s.M, genSeed, emit)
}

// drawRegress draws the candidates of a regression window model: its
// residual model's draws in chunks of whole candidates, discretised with
// the candidates' ancestry (and labels), to emit.
func (s *windowStreamer) drawRegress(ctx context.Context, wm WindowModel, genSeed uint64, emit func(lo, rows int, dos []int8) error) error {
	w, K := wm.Window, s.K
	d := w.End - w.Start
	rs := wm.residualSampler(d)
	if rs == nil || len(wm.Coef) != (K+1)*d || len(wm.ResidMean) != d || len(wm.ResidSD) != d {
		return fmt.Errorf("%w: window %d lacks its regression model or its sizes do not match %d sites", ErrOption, w.Index, d)
	}
	coef := mat.NewDense(K+1, d, wm.Coef)
	off, err := wm.labelOffset(s.mx, d)
	if err != nil {
		return err
	}
	// A haplotype model draws two rows per candidate (2c, 2c+1):
	// chunks of SampleChunks hold whole candidates.
	per := drawsPer(wm.Haplotype)
	return rs.SampleChunks(ctx, per*s.M, genSeed, func(first int, x *mat.Dense) error {
		draws, _ := x.Dims()
		if first%per != 0 || draws%per != 0 {
			return fmt.Errorf("%w: window %d: a chunk of %d draws at %d for %d draws per candidate", ErrOption, w.Index, draws, first, per)
		}
		lo, rows := first/per, draws/per
		var lab []int
		if off != nil {
			lab = s.candLabels[lo : lo+rows]
		}
		return emit(lo, rows, discretiseCandidates(x, coef, wm.ResidMean, wm.ResidSD, s.candLatent[lo*K:(lo+rows)*K], rows, K, off, lab, wm.Haplotype))
	})
}

// emit hands on the core of a chunk of candidates lo.. of window w
// (site-major, stride rows), keeping the first n candidates only.
func (s *windowStreamer) emit(w Window, lo, rows int, dos []int8) error {
	n := s.n
	if lo >= n {
		return errEnough
	}
	d, o := w.End-w.Start, w.Overlap()
	keep := min(rows, n-lo)
	core := dos[o*rows : d*rows]
	if keep < rows {
		s.packed = append(s.packed[:0], make([]int8, (d-o)*keep)...)
		for v := 0; v < d-o; v++ {
			copy(s.packed[v*keep:(v+1)*keep], core[v*rows:v*rows+keep])
		}
		core = s.packed
	}
	if err := s.chunk(w, lo, keep, core); err != nil {
		return err
	}
	if lo+keep >= n {
		return errEnough
	}
	return nil
}
