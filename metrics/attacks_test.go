package metrics

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

func TestAdversarialAccuracyHalvesHand(t *testing.T) {
	// Real: 2 of 4 have their synthetic NN farther than their real NN; synthetic: 1 of 4.
	aaT, aaS := AdversarialAccuracyHalves([]float64{3, 1, 5, 0}, []float64{2, 2, 4, 1}, []float64{1, 1, 1, 9}, []float64{2, 2, 2, 2})
	if aaT != 0.5 || aaS != 0.25 {
		t.Errorf("halves %v, %v, want 0.5, 0.25", aaT, aaS)
	}
}

// TestROC checks a hand example with ties and the empty case
// (TestROCAreaIsAUC checks the area).
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

func TestAdversarialAccuracyHand(t *testing.T) {
	// Real: 2 of 4 have their synthetic NN farther than their real NN; synthetic: 1 of 4.
	dTS := []float64{3, 1, 5, 0}
	dTT := []float64{2, 2, 4, 1}
	dST := []float64{1, 1, 1, 9}
	dSS := []float64{2, 2, 2, 2}
	near(t, "AATS", AdversarialAccuracy(dTS, dTT, dST, dSS), 0.5*(2.0/4+1.0/4), 0)
}

func TestROCAreaIsAUC(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	pos, neg := make([]float64, 300), make([]float64, 200)
	for i := range pos {
		pos[i] = math.Round(rng.NormFloat64()*3 + 1) // integer scores: many ties
	}
	for i := range neg {
		neg[i] = math.Round(rng.NormFloat64() * 3)
	}
	rates := func(roc []ROCPoint) (fpr, tpr []float64) {
		for _, q := range roc {
			fpr, tpr = append(fpr, q.FPR), append(tpr, q.TPR)
		}
		return fpr, tpr
	}
	fpr, tpr := rates(ROC(pos, neg))
	if fpr[0] != 0 || tpr[0] != 0 || fpr[len(fpr)-1] != 1 || tpr[len(tpr)-1] != 1 {
		t.Fatalf("ROC does not run from (0,0) to (1,1): %v … %v", fpr[:2], fpr[len(fpr)-2:])
	}
	area := 0.0
	for i := 1; i < len(fpr); i++ {
		if fpr[i] < fpr[i-1] || tpr[i] < tpr[i-1] {
			t.Fatal("ROC not monotone")
		}
		area += (fpr[i] - fpr[i-1]) * (tpr[i] + tpr[i-1]) / 2
	}
	near(t, "ROC area vs AUC", area, AUC(pos, neg), 1e-12) // AUC is the pair count (internal/roc's test)
	// Perfect separation: the curve passes through (0, 1).
	fpr, tpr = rates(ROC([]float64{3, 4}, []float64{1, 2}))
	if !slices.Equal(fpr, []float64{0, 0, 0, 0.5, 1}) || !slices.Equal(tpr, []float64{0, 0.5, 1, 1, 1}) {
		t.Errorf("separable ROC fpr %v tpr %v", fpr, tpr)
	}
}

// TestAdversarialAccuracyMatrices checks the matrix form on a hand example:
// the diagonals of the within-set matrices (0, an individual to itself)
// must be left out, or both halves would be 0.
func TestAdversarialAccuracyMatrices(t *testing.T) {
	dST := []int32{1, 5, 4, 2} // synthetic rows × real columns
	dTT := []int32{0, 3, 3, 0} // nearest other real: 3, 3
	dSS := []int32{0, 1, 1, 0} // nearest other synthetic: 1, 1
	// dTS = column minima (1, 2): neither > 3; dST row minima (1, 2): one > 1.
	aaT, aaS := AdversarialAccuracyMatrices(dST, 2, 2, dTT, dSS)
	if aaT != 0 || aaS != 0.5 {
		t.Errorf("halves %v, %v, want 0, 0.5", aaT, aaS)
	}
}
