package model

import (
	"context"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/gousynth/gousynth/model/nn"
)

// BenchmarkTrainStep measures training steps per second of the default
// network on a 741-SNP-shaped latent problem (661 coordinates, NetDims of
// the default configuration).
func BenchmarkTrainStep(b *testing.B) {
	cfg := DefaultConfig("gou")
	const n, r = 1752, 661
	rng := rand.New(rand.NewPCG(1, 2))
	data := &latentData{Y: make([]float32, n*r), N: n, R: r, Lambda: make([]float64, r)}
	for i := range data.Lambda {
		data.Lambda[i] = 10 / float64(i+1)
	}
	for i := range data.Y {
		data.Y[i] = float32(rng.NormFloat64())
	}
	p, _ := registry["gou"].factory(cfg, data.Lambda)
	k := cfg.NetDims
	net := nn.NewMLP(k, k, cfg.Hidden, cfg.Layers, 1, rng)
	b.ResetTimer()
	_, _, err := nn.Train(context.Background(), net, func(rng *rand.Rand, batch int, in []float32, tv []float64, tg []float32) {
		p.Batch(rng, data, k, batch, in, tv, tg)
	}, nn.TrainOptions{Steps: b.N, BatchSize: cfg.BatchSize, Warmup: 10, LR: cfg.LR, EMA: cfg.EMA, ClipNorm: cfg.ClipNorm, Seed: 1}, nil)
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

// sampleProblem is a fixed latent sampling problem for the samplers'
// benchmarks: r = 300 coordinates with decaying variances, a score network
// with random weights (output layer included, so that the residual is not
// zero) on the k = 64 leading ones and four anchors, two per label. With
// labelled, rows alternate between the two labels (the guided draw of the
// diagonal engines).
func sampleProblem(tb testing.TB, kind ProcessKind, sampler SamplerKind, labelled bool) (engine, sampleSpec) {
	tb.Helper()
	const n, r, k = 200, 300, 64
	cfg := DefaultConfig(kind)
	lambda := make([]float64, r)
	for i := range lambda {
		lambda[i] = 10 / float64(i+1)
	}
	p, err := registry[kind].factory(cfg, lambda)
	if err != nil {
		tb.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(3, 4))
	in, out := p.NetDims(k)
	_, T := p.Horizon()
	net := nn.NewMLP(in, out, cfg.Hidden, cfg.Layers, T, rng)
	last := net.W[len(net.W)-1]
	for i := range last {
		last[i] = float32(0.05 * rng.NormFloat64())
	}
	init := &InitDist{Kind: InitAnchors, Labels: []int{0, 0, 1, 1}}
	for c := range 4 {
		init.Weights = append(init.Weights, float64(c+1))
		mean, vars := make([]float64, r), make([]float64, r)
		for i := range r {
			mean[i] = rng.NormFloat64() * math.Sqrt(lambda[i])
			vars[i] = 0.5 * lambda[i]
		}
		init.Means = append(init.Means, mean)
		init.Vars = append(init.Vars, vars)
	}
	spec := sampleSpec{Net: net, K: k, N: n, Sampler: sampler, Steps: 50, Init: init}
	if labelled {
		spec.Labels = make([]int, n)
		for a := range spec.Labels {
			spec.Labels[a] = a % 2
		}
		spec.GuideDims = r
	}
	return p, spec
}

// BenchmarkSample measures engine.Sample (200 rows, 300 latent
// coordinates, 64 of them modelled by the network, 50 steps) for each
// process and sampler; allocations per draw show that the step loops do
// not allocate per step or per row.
func BenchmarkSample(b *testing.B) {
	for _, c := range []struct {
		kind     ProcessKind
		sampler  SamplerKind
		labelled bool
	}{
		{ProcessGOU, SamplerAncestral, false},
		{ProcessGOU, SamplerAncestral, true},
		{ProcessGOU, SamplerEM, false},
		{ProcessGOU, SamplerHeun, false},
		{ProcessCLD, samplerSSCS, false},
		{ProcessCLD, SamplerEM, false},
		{ProcessCLDEps, samplerSSCS, false},
	} {
		name := string(c.kind) + "/" + string(c.sampler)
		if c.labelled {
			name += "/labelled"
		}
		b.Run(name, func(b *testing.B) {
			p, spec := sampleProblem(b, c.kind, c.sampler, c.labelled)
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				spec.Rng = rand.New(rand.NewPCG(5, uint64(i)))
				if _, err := p.Sample(context.Background(), spec); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
