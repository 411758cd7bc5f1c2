package chrom

import (
	"context"
	"fmt"
	"math/rand/v2"

	"github.com/gousynth/gousynth/autoreg"
	"github.com/gousynth/gousynth/model"
	"github.com/gousynth/gousynth/vcf"
	"gonum.org/v1/gonum/mat"
)

// WindowModel is a fitted window as a windowed model file stores it: the
// window's model and its ancestry read-out (Result.Slope, Result.NoiseVar).
// A window fitted with regression conditioning has no genotype Model but a
// Residual model (dosage space) or a Latent model, with its Coef, ResidMean
// and ResidSD (Result).
type WindowModel struct {
	Window          Window
	Model           *model.Model
	Slope, NoiseVar []float64
	Residual        *model.ContinuousModel
	Latent          *LatentResidual
	// Haplotype says Latent is a model of haplotypes: each synthetic
	// person is the sum of two of its draws (Result.Haplotype).
	Haplotype          bool
	Coef               []float64
	ResidMean, ResidSD []float64
	// LabelOffset holds the window's per-label offsets (Result.LabelOffset)
	// of a model fitted with population labels, nil otherwise.
	LabelOffset []float64
	// Chain is the window's autoregression (CondChain, Result.Chain).
	Chain *autoreg.Model
}

// labelOffset returns the window's label offsets for mixture mx's labels
// (nil without them), checking their size.
func (wm WindowModel) labelOffset(mx *Mixture, d int) ([]float64, error) {
	if wm.LabelOffset == nil {
		return nil, nil
	}
	if len(wm.LabelOffset) != len(mx.LabelTable)*d {
		return nil, fmt.Errorf("%w: window %d has %d label offsets for %d labels × %d sites", ErrOption, wm.Window.Index, len(wm.LabelOffset), len(mx.LabelTable), d)
	}
	return wm.LabelOffset, nil
}

// candidateLabels returns the label of each of M candidates of a labelled
// cohort (candidate c is individual c mod n's; nil cohort: nil).
func candidateLabels(cohort []int, M int) []int {
	if cohort == nil {
		return nil
	}
	out := make([]int, M)
	for c := range out {
		out[c] = cohort[c%len(cohort)]
	}
	return out
}

// checkPCA reports a window model that does not fit the plan's PCA.
func (wm WindowModel) checkPCA(pca *PCA) error {
	K := pca.K()
	if len(wm.Slope) != K || len(wm.NoiseVar) != K || wm.Window.End > len(pca.Mean) {
		return fmt.Errorf("%w: window %d does not match the PCA (%d PCs, %d sites)", ErrOption, wm.Window.Index, K, len(pca.Mean))
	}
	return nil
}

// residualSampler returns the window's residual model (the latent one, or
// a dosage-space model), or nil when it has none for d sites.
func (wm WindowModel) residualSampler(d int) residualSampler {
	switch {
	case wm.Latent != nil && wm.Latent.check() == nil && wm.Latent.D == d:
		return wm.Latent
	case wm.Latent == nil && wm.Residual != nil && wm.Residual.Dim() == d:
		return wm.Residual
	}
	return nil
}

// Generate draws a new synthetic chromosome of n individuals from fitted
// window models, without the training data: a fresh ancestry latent from mx,
// oversample·n candidates per window from each model, assembled as in a fit
// (conditioning cond). next returns the windows in order (ok false after the
// last), so that only one window model need be in memory. sink receives each
// window's core dosages in order.
func Generate(ctx context.Context, pca *PCA, mx *Mixture, n int, oversample float64, cond Conditioning, seed uint64,
	next func() (WindowModel, bool, error), sink func(WindowDone) error) error {
	return GenerateCohort(ctx, pca, mx, n, nil, oversample, cond, seed, next, sink)
}

// GenerateCohort is Generate with the population label of each synthetic
// individual (Mixture.Cohort; nil: Generate): the ancestry latent is drawn
// label by label (Mixture.SampleCohort).
func GenerateCohort(ctx context.Context, pca *PCA, mx *Mixture, n int, cohort []int, oversample float64, cond Conditioning, seed uint64,
	next func() (WindowModel, bool, error), sink func(WindowDone) error) error {
	if n < 1 || oversample < 1 {
		return fmt.Errorf("%w: %d individuals, oversampling %g", ErrOption, n, oversample)
	}
	latent, err := mx.SampleCohort(n, cohort, rand.New(rand.NewPCG(mix(seed, tagLatent), 0)))
	if err != nil {
		return err
	}
	var asm *Assembler
	if cond == CondChain {
		asm, err = newChainAssembler(n, latent, cohort, mx, mix(seed, tagAssemble))
	} else {
		asm, err = NewAssembler(cond, n, latent, mix(seed, tagAssemble))
	}
	if err != nil {
		return err
	}
	K := pca.K()
	M := numCandidates(n, oversample, cond)
	var candLatent []float64
	if isRegress(cond) {
		candLatent = candidateLatent(latent, M)
	}
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
		d := w.End - w.Start
		genSeed := mix(seed, tagWindow+2*uint64(w.Index)+1)
		if cond == CondChain {
			r := &Result{Window: w, NCandidates: n, K: K, Slope: wm.Slope, NoiseVar: wm.NoiseVar, Chain: wm.Chain}
			core, err := asm.Add(r)
			if err != nil {
				return err
			}
			if err := sink(WindowDone{Window: w, Result: r, Core: core, OverlapMismatch: asm.LastOverlapMismatch, AncestryChi2: asm.LastAncestryChi2}); err != nil {
				return err
			}
			continue
		}
		var dos []int8
		if isRegress(cond) {
			rs := wm.residualSampler(d)
			if rs == nil || len(wm.Coef) != (K+1)*d || len(wm.ResidMean) != d || len(wm.ResidSD) != d {
				return fmt.Errorf("%w: window %d lacks its regression model or its sizes do not match %d sites", ErrOption, w.Index, d)
			}
			var off []float64
			if off, err = wm.labelOffset(mx, d); err != nil {
				return err
			}
			dos, err = regressGenerateLabelled(ctx, rs, mat.NewDense(K+1, d, wm.Coef), wm.ResidMean, wm.ResidSD, candLatent, M, K, genSeed, off, candidateLabels(cohort, M), wm.Haplotype)
		} else {
			if wm.Model == nil {
				return fmt.Errorf("%w: window %d has no model", ErrOption, w.Index)
			}
			var g *vcf.Genotypes
			if g, err = wm.Model.Generate(ctx, M, genSeed); err == nil {
				dos = g.Dosage
			}
		}
		if err != nil {
			return err
		}
		loads := make([]float64, (w.End-w.Start)*K)
		for v := w.Start; v < w.End; v++ {
			for k := 0; k < K; k++ {
				loads[(v-w.Start)*K+k] = pca.Loadings.At(v, k)
			}
		}
		anc := windowShare(dos, M, pca.Mean[w.Start:w.End], pca.Scale[w.Start:w.End], loads, K)
		for i := range anc {
			anc[i] *= wm.Slope[i%K]
		}
		r := &Result{Window: w, NCandidates: M, Candidates: dos, K: K, Ancestry: anc, Slope: wm.Slope, NoiseVar: wm.NoiseVar}
		core, err := asm.Add(r)
		if err != nil {
			return err
		}
		if err := sink(WindowDone{Window: w, Result: r, Core: core, OverlapMismatch: asm.LastOverlapMismatch, AncestryChi2: asm.LastAncestryChi2}); err != nil {
			return err
		}
	}
}
