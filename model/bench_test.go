package model

import (
	"context"
	"math/rand/v2"
	"testing"
)

// BenchmarkTrainStep measures training steps per second of the default
// network on a 741-SNP-shaped latent problem (661 coordinates, NetDims of
// the default configuration).
func BenchmarkTrainStep(b *testing.B) {
	cfg := DefaultConfig("gou")
	const n, r = 1752, 661
	rng := rand.New(rand.NewPCG(1, 2))
	data := &LatentData{Y: make([]float32, n*r), N: n, R: r, Lambda: make([]float64, r)}
	for i := range data.Lambda {
		data.Lambda[i] = 10 / float64(i+1)
	}
	for i := range data.Y {
		data.Y[i] = float32(rng.NormFloat64())
	}
	p, _ := registry["gou"].factory(cfg, data.Lambda)
	k := cfg.NetDims
	net := NewMLP(k, k, cfg.Hidden, cfg.Layers, 1, rng)
	b.ResetTimer()
	_, _, err := Train(context.Background(), net, func(rng *rand.Rand, batch int, in []float32, tv []float64, tg []float32) {
		p.Batch(rng, data, k, batch, in, tv, tg)
	}, TrainOptions{Steps: b.N, BatchSize: cfg.BatchSize, Warmup: 10, LR: cfg.LR, EMA: cfg.EMA, ClipNorm: cfg.ClipNorm, Seed: 1}, nil)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "steps/s")
}

// BenchmarkFitPhases fits a small model and reports the wall time of each
// fit phase (eigendecomposition, k-means, training, sampling,
// discretisation) and the training steps per second as custom metrics.
func BenchmarkFitPhases(b *testing.B) {
	x, sites := smallCohort(1000, 300, 5)
	cfg := DefaultConfig("gou")
	cfg.Steps = 300
	cfg.CalibrationSize = 1000
	for i := 0; i < b.N; i++ {
		m, err := Fit(context.Background(), x, sites, cfg, nil)
		if err != nil {
			b.Fatal(err)
		}
		if i == b.N-1 {
			for _, p := range m.Timings {
				b.ReportMetric(p.Seconds, p.Phase+"-s")
				if p.Phase == "training" && p.Seconds > 0 {
					b.ReportMetric(float64(cfg.Steps)/p.Seconds, "train-steps/s")
				}
			}
		}
	}
}
