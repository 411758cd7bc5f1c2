package roc

import (
	"math"
	"math/rand/v2"
	"testing"
)

// AUC equals the Mann–Whitney statistic counted pair by pair, ties ½.
func TestAUCIsPairCount(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for trial := 0; trial < 20; trial++ {
		pos, neg := make([]float64, 1+rng.IntN(40)), make([]float64, 1+rng.IntN(40))
		for i := range pos {
			pos[i] = float64(rng.IntN(8)) + 0.5 // ties on purpose
		}
		for i := range neg {
			neg[i] = float64(rng.IntN(7))
		}
		var wins float64
		for _, p := range pos {
			for _, n := range neg {
				switch {
				case p > n:
					wins++
				case p == n:
					wins += 0.5
				}
			}
		}
		want := wins / float64(len(pos)*len(neg))
		if got := AUC(pos, neg); math.Abs(got-want) > 1e-12 {
			t.Fatalf("trial %d: AUC %v, pair count %v", trial, got, want)
		}
	}
	if c := Curve([]float64{1, 2}, []float64{0}); len(c) != 4 || c[len(c)-1] != (Point{1, 1}) || c[0] != (Point{0, 0}) {
		t.Errorf("curve %v", c)
	}
	if !math.IsNaN(AUC(nil, []float64{1})) {
		t.Error("AUC of an empty set is not NaN")
	}
}
