package chrom

import (
	"context"
	"math/rand/v2"
	"testing"

	"github.com/gousynth/gousynth/model"
	"gonum.org/v1/gonum/mat"
)

// BenchmarkAssemble matches one window of 2504 individuals against 1.5×
// candidates on a 128-SNP overlap and 6 ancestry PCs (the matching cost per
// window of a whole-chromosome run).
func BenchmarkAssemble(b *testing.B) {
	const n, K, o, core = 2504, 6, 128, 1000
	M := n * 3 / 2
	rng := rand.New(rand.NewPCG(1, 1))
	target := mat.NewDense(n, K, nil)
	for i := 0; i < n; i++ {
		for k := 0; k < K; k++ {
			target.Set(i, k, rng.NormFloat64())
		}
	}
	mk := func(w Window) *Result {
		d := w.End - w.Start
		r := &Result{Window: w, NCandidates: M, K: K, Candidates: make([]int8, d*M), Ancestry: make([]float64, M*K),
			Slope: make([]float64, K), NoiseVar: make([]float64, K)}
		for i := range r.Candidates {
			r.Candidates[i] = int8(rng.IntN(3))
		}
		for i := range r.Ancestry {
			r.Ancestry[i] = rng.NormFloat64()
		}
		for k := range r.NoiseVar {
			r.NoiseVar[k] = 1
		}
		return r
	}
	first := mk(Window{Index: 0, Start: 0, CoreStart: 0, End: core})
	second := mk(Window{Index: 1, Start: core - o, CoreStart: core, End: 2 * core})
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		a, err := NewAssembler(CondMatch, n, target, 1)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := a.Add(first); err != nil {
			b.Fatal(err)
		}
		if _, err := a.Add(second); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkFitPCA: randomised PCA of 300 × 5000 SNPs (6 PCs).
func BenchmarkFitPCA(b *testing.B) {
	train, _ := panel(b, 300, 5000, 3)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, _, err := FitPCA(train, 6, 1); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkJobRun: one window's unit of work (fit + one candidate per
// synthetic individual, regression conditioning) on 210 training
// individuals × ~1000 SNPs with the default window model.
func BenchmarkJobRun(b *testing.B) {
	train, _ := panel(b, 300, 1200, 3)
	p, err := NewPlan(context.Background(), train, 300, Options{WindowSNPs: 5000, Model: WindowModelConfig(model.DefaultConfig("gou"))})
	if err != nil {
		b.Fatal(err)
	}
	job := p.Job(train, p.Windows[0])
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := job.Run(context.Background(), nil); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRegressDiscretise: 2504 candidates × 1000 sites with 6 PCs, the
// genotype draw of one window of a 1000 Genomes-sized cohort.
func BenchmarkRegressDiscretise(b *testing.B) {
	const M, d, K = 2504, 1000, 6
	rng := rand.New(rand.NewPCG(1, 2))
	r := mat.NewDense(M, d, nil)
	for i := 0; i < M; i++ {
		for v := 0; v < d; v++ {
			r.Set(i, v, rng.NormFloat64())
		}
	}
	coef := mat.NewDense(K+1, d, nil)
	for v := 0; v < d; v++ {
		p := 0.05 + 0.4*rng.Float64()
		coef.Set(0, v, 2*p)
		for k := 1; k <= K; k++ {
			coef.Set(k, v, 0.01*rng.NormFloat64())
		}
	}
	mean, sd := make([]float64, d), make([]float64, d)
	for v := range sd {
		sd[v] = 1
	}
	latent := make([]float64, M*K)
	for i := range latent {
		latent[i] = 20 * rng.NormFloat64()
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		regressDiscretise(r, coef, mean, sd, latent, M, K)
	}
}
