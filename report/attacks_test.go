package report

import (
	"math"
	"math/rand/v2"
	"testing"
)

func TestAdversarialAccuracyHalvesHand(t *testing.T) {
	// Real: 2 of 4 have their synthetic NN farther than their real NN; synthetic: 1 of 4.
	aaT, aaS := AdversarialAccuracyHalves([]float64{3, 1, 5, 0}, []float64{2, 2, 4, 1}, []float64{1, 1, 1, 9}, []float64{2, 2, 2, 2})
	if aaT != 0.5 || aaS != 0.25 {
		t.Errorf("halves %v, %v, want 0.5, 0.25", aaT, aaS)
	}
}

// TestROC checks the curve's ends, a hand example with ties, and that its
// trapezoidal area is AUC.
func TestROC(t *testing.T) {
	t.Run("hand", func(t *testing.T) {
		got := ROC([]float64{3, 2, 2}, []float64{2, 1})
		want := []ROCPoint{{FPR: 0, TPR: 0}, {FPR: 0, TPR: 1.0 / 3}, {FPR: 0.5, TPR: 1}, {FPR: 1, TPR: 1}}
		if len(got) != len(want) {
			t.Fatalf("ROC %v, want %v", got, want)
		}
		for i := range want {
			if math.Abs(got[i].FPR-want[i].FPR) > 1e-12 || math.Abs(got[i].TPR-want[i].TPR) > 1e-12 {
				t.Errorf("point %d: %v, want %v", i, got[i], want[i])
			}
		}
		if v := TPRAtFPR(got, 0.1); math.Abs(v-1.0/3) > 1e-12 {
			t.Errorf("TPR at FPR 0.1 = %v, want 1/3", v)
		}
	})
	t.Run("area is AUC", func(t *testing.T) {
		rng := rand.New(rand.NewPCG(3, 4))
		pos, neg := make([]float64, 200), make([]float64, 150)
		for i := range pos {
			pos[i] = float64(rng.IntN(30) + 3)
		}
		for i := range neg {
			neg[i] = float64(rng.IntN(30))
		}
		roc := ROC(pos, neg)
		area := 0.0
		for i := 1; i < len(roc); i++ {
			area += (roc[i].FPR - roc[i-1].FPR) * (roc[i].TPR + roc[i-1].TPR) / 2
		}
		if a := pairAUC(pos, neg); math.Abs(area-a) > 1e-12 {
			t.Errorf("trapezoidal area %v, pair-counted AUC %v", area, a)
		}
	})
	t.Run("empty", func(t *testing.T) {
		if ROC(nil, []float64{1}) != nil {
			t.Error("ROC of no positives is not nil")
		}
	})
}

func TestDistanceRatioScores(t *testing.T) {
	got := DistanceRatioScores([]float64{0, 9, 4}, []float64{0, 4, 9})
	for i, w := range []float64{-1, -2, -0.5} {
		if got[i] != w {
			t.Errorf("score %d = %v, want %v", i, got[i], w)
		}
	}
}
