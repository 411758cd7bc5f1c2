package preprocess

import "testing"

// BenchmarkFilter filters 2000 sites × 2504 samples (MAF, missingness, HWE).
func BenchmarkFilter(b *testing.B) {
	g := randomGenotypes(2504, 2000, []float64{0.001, 0.01, 0.1, 0.4}, 0.01, 1)
	opts := FilterOptions{MinMAF: 0.01, MaxSiteMissing: 0.05, MaxSampleMissing: 0.05, HWEPValue: 1e-6, BiallelicSNPsOnly: true}
	for b.Loop() {
		if _, _, err := Filter(g, opts); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkMatrix builds the mean-imputed float matrix of 2000 sites × 2504
// samples.
func BenchmarkMatrix(b *testing.B) {
	g := randomGenotypes(2504, 2000, []float64{0.01, 0.1, 0.4}, 0.01, 1)
	for b.Loop() {
		Matrix(g)
	}
}
