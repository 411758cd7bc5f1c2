package chrom

import (
	"context"
	"fmt"
	"math/rand/v2"

	"github.com/gousynth/gousynth/model"
)

// WindowModel is a fitted window as a windowed model file stores it: the
// window's model and its ancestry read-out (Result.Slope, Result.NoiseVar).
type WindowModel struct {
	Window          Window
	Model           *model.Model
	Slope, NoiseVar []float64
}

// Generate draws a new synthetic chromosome of n individuals from fitted
// window models, without the training data: a fresh ancestry latent from mx,
// oversample·n candidates per window from each model, assembled as in a fit
// (conditioning cond). next returns the windows in order (ok false after the
// last), so that only one window model need be in memory. sink receives each
// window's core dosages in order.
func Generate(ctx context.Context, pca *PCA, mx *Mixture, n int, oversample float64, cond string, seed uint64,
	next func() (WindowModel, bool, error), sink func(WindowDone) error) error {
	if n < 1 || oversample < 1 {
		return fmt.Errorf("%w: %d individuals, oversampling %g", ErrOption, n, oversample)
	}
	if isRegress(cond) {
		return fmt.Errorf("%w: conditioning %q: regression window models cannot be stored, so they cannot generate from a model file", ErrOption, cond)
	}
	latent := mx.Sample(n, rand.New(rand.NewPCG(mix(seed, tagLatent), 0)))
	asm, err := NewAssembler(cond, latent, mix(seed, tagAssemble))
	if err != nil {
		return err
	}
	K := pca.K()
	M := int(float64(n)*oversample + 0.5)
	for {
		wm, ok, err := next()
		if err != nil {
			return err
		}
		if !ok {
			return nil
		}
		w := wm.Window
		if len(wm.Slope) != K || len(wm.NoiseVar) != K || w.End > len(pca.Mean) {
			return fmt.Errorf("%w: window %d does not match the PCA (%d PCs, %d sites)", ErrOption, w.Index, K, len(pca.Mean))
		}
		g, err := wm.Model.Generate(ctx, M, mix(seed, tagWindow+2*uint64(w.Index)+1))
		if err != nil {
			return err
		}
		loads := make([]float64, (w.End-w.Start)*K)
		for v := w.Start; v < w.End; v++ {
			for k := 0; k < K; k++ {
				loads[(v-w.Start)*K+k] = pca.Loadings.At(v, k)
			}
		}
		anc := windowShare(g.Dosage, M, pca.Mean[w.Start:w.End], pca.Scale[w.Start:w.End], loads, K)
		for i := range anc {
			anc[i] *= wm.Slope[i%K]
		}
		r := &Result{Window: w, NCandidates: M, Candidates: g.Dosage, K: K, Ancestry: anc, Slope: wm.Slope, NoiseVar: wm.NoiseVar}
		core, err := asm.Add(r)
		if err != nil {
			return err
		}
		if err := sink(WindowDone{Window: w, Result: r, Core: core, OverlapMismatch: asm.LastOverlapMismatch, AncestryChi2: asm.LastAncestryChi2}); err != nil {
			return err
		}
	}
}
