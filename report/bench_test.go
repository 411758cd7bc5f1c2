package report

import (
	"math/rand/v2"
	"testing"

	"github.com/gousynth/gousynth/preprocess"
)

// BenchmarkEvaluate2504x5000 times Evaluate on the reference size:
// 2504 real individuals (1753 training, 751 test) and 2504 synthetic ones
// (a perturbed copy of the real cohort) at 5000 sites.
func BenchmarkEvaluate2504x5000(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 2))
	const n, d = 2504, 5000
	g, _ := simCohort(rng, n, d, 20, 0.95, baseFreqs(rng, d))
	train, test := splitCohort(g, 1753)
	synth := preprocess.SubsetSamplesShared(g, iota(n))
	synth.Dosage = append([]int8(nil), g.Dosage...)
	for i := range synth.Dosage {
		if rng.IntN(100) == 0 {
			synth.Dosage[i] = int8(rng.IntN(3))
		}
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := Evaluate(test, synth, train, Options{Seed: 1}); err != nil {
			b.Fatal(err)
		}
	}
}
