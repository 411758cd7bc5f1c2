package chrom

import (
	"math/rand/v2"
	"testing"

	"github.com/gousynth/gousynth/preprocess"
	"github.com/gousynth/gousynth/synth"
	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/stat"
)

// TestSignificantCorrelationsLevel checks Bartlett's sequential test by
// Monte Carlo: two independent sets of 6 Gaussian variables on 200
// observations have a first canonical correlation found significant as
// often as the level says, and a planted shared variable is found.
func TestSignificantCorrelationsLevel(t *testing.T) {
	const trials, n, p = 1000, 200, 6
	rng := rand.New(rand.NewPCG(7, 8))
	var falsePos, found int
	for r := 0; r < trials; r++ {
		x, y := mat.NewDense(n, p, nil), mat.NewDense(n, p, nil)
		for i := 0; i < n; i++ {
			shared := rng.NormFloat64()
			for j := 0; j < p; j++ {
				x.Set(i, j, rng.NormFloat64())
				y.Set(i, j, rng.NormFloat64())
			}
			if r%2 == 1 { // a shared axis of correlation 0.5 in odd trials
				x.Set(i, 0, x.At(i, 0)*0.71+shared*0.71)
				y.Set(i, 2, y.At(i, 2)*0.71+shared*0.71)
			}
		}
		var cc stat.CC
		if err := cc.CanonicalCorrelations(x, y, nil); err != nil {
			t.Fatal(err)
		}
		k := significantCorrelations(cc.CorrsTo(nil), n, 0.05)
		switch {
		case r%2 == 0 && k > 0:
			falsePos++
		case r%2 == 1 && k == 1:
			found++
		}
	}
	// 500 null trials: the binomial standard error of a 5% rate is 1%.
	rate := float64(falsePos) / (trials / 2)
	t.Logf("false positives %.3f at level 0.05; shared axis found alone in %d of %d", rate, found, trials/2)
	if rate < 0.02 || rate > 0.08 {
		t.Errorf("false-positive rate %.3f at level 0.05", rate)
	}
	if found < trials/2*9/10 {
		t.Errorf("a shared axis of correlation 0.5 found alone in %d of %d", found, trials/2)
	}
}

// TestReplicatedAxes checks the count on simulated panels with 1000
// Genomes-like LD: K populations give K−1 ancestry axes (as many as the
// population means span), and a single population none, whatever the LD.
func TestReplicatedAxes(t *testing.T) {
	for _, pops := range []int{1, 2, 3} {
		cfg := synth.OneKGLikePreset(600, 4000)
		cfg.Populations, cfg.Fst = pops, 0.05
		if pops == 1 {
			cfg.Fst = 0
		}
		imputed, _ := preprocess.ImputeMean(simulatedPanel(t, cfg, uint64(pops)))
		k, r, err := ReplicatedAxes(imputed, 6, 1)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("%d populations: %d axes (canonical correlations %.3f)", pops, k, r)
		if k != pops-1 {
			t.Errorf("%d populations: %d replicated axes, want %d", pops, k, pops-1)
		}
	}
}
