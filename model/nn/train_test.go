package nn

import (
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"runtime"
	"testing"
)

// toyBatches is a regression problem for Train: two standard normal inputs
// x and a time t uniform in [0, 1), targets (x₀x₁, sin 3t). An untrained
// (zero-output) network's mean squared error is
// (E[(x₀x₁)²] + E[sin² 3t])/2 = (1 + (1 − sin(6)/6)/2)/2 ≈ 0.76.
func toyBatches(rng *rand.Rand, batch int, in []float32, t []float64, target []float32) {
	for b := range batch {
		x0, x1 := rng.NormFloat64(), rng.NormFloat64()
		t[b] = rng.Float64()
		in[2*b], in[2*b+1] = float32(x0), float32(x1)
		target[2*b], target[2*b+1] = float32(x0*x1), float32(math.Sin(3*t[b]))
	}
}

// mse is the mean squared error of net on a fixed sample of toyBatches.
func mse(net *MLP) float64 {
	const n = 2000
	in, tv := make([]float32, 2*n), make([]float64, n)
	target, out := make([]float32, 2*n), make([]float32, 2*n)
	toyBatches(rand.New(rand.NewPCG(42, 42)), n, in, tv, target)
	net.Forward(nil, in, tv, n, out)
	var s float64
	for i := range out {
		d := float64(out[i] - target[i])
		s += d * d
	}
	return s / float64(len(out))
}

// TestTrainLearns checks that Train fits the toy regression: the returned
// (EMA) network's held-out error is a fraction of the untrained one's, and
// the reported loss is of the same size.
func TestTrainLearns(t *testing.T) {
	net := NewMLP(2, 2, 32, 2, 1, rand.New(rand.NewPCG(1, 1)))
	before := mse(net)
	var last Progress
	calls := 0
	ema, loss, err := Train(context.Background(), net, toyBatches,
		TrainOptions{Steps: 300, BatchSize: 128, Warmup: 20, LR: 3e-3, EMA: 0.99, ClipNorm: 1, Seed: 3},
		func(p Progress) { last, calls = p, calls+1 })
	if err != nil {
		t.Fatal(err)
	}
	after := mse(ema)
	t.Logf("held-out MSE %.4f → %.4f, training loss %.4f", before, after, loss)
	if !(after < 0.25*before) {
		t.Errorf("held-out MSE %.4f after training, %.4f before: want below a quarter", after, before)
	}
	if !(loss < 0.5*before) {
		t.Errorf("final training loss %.4f, untrained MSE %.4f", loss, before)
	}
	if last.Step != 300 || last.Total != 300 || last.Loss != loss || calls < 100 || calls > 102 {
		t.Errorf("progress: %d calls, last %+v (loss %v)", calls, last, loss)
	}
}

// TestTrainDeterministic checks that two runs with the same seed give
// identical weights, with one thread and with two (the matrix products are
// split over GOMAXPROCS goroutines), and that another seed gives others.
func TestTrainDeterministic(t *testing.T) {
	run := func(procs int, seed uint64) *MLP {
		defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(procs))
		net := NewMLP(2, 2, 96, 2, 1, rand.New(rand.NewPCG(2, 2)))
		ema, _, err := Train(context.Background(), net, toyBatches,
			TrainOptions{Steps: 30, BatchSize: 256, LR: 1e-3, EMA: 0.9, ClipNorm: 1, Seed: seed}, nil)
		if err != nil {
			t.Fatal(err)
		}
		return ema
	}
	same := func(a, b *MLP) bool {
		for l := range a.W {
			for j := range a.W[l] {
				if a.W[l][j] != b.W[l][j] {
					return false
				}
			}
		}
		return true
	}
	a := run(1, 9)
	if !same(a, run(2, 9)) {
		t.Error("weights differ between one and two threads")
	}
	if !same(a, run(1, 9)) {
		t.Error("weights differ between two runs")
	}
	if same(a, run(1, 10)) {
		t.Error("seeds 9 and 10 give the same weights")
	}
}

// TestTrainErrors checks Train's refusals: a network of inconsistent
// shape, a cancelled context, a diverging run.
func TestTrainErrors(t *testing.T) {
	o := TrainOptions{Steps: 20, BatchSize: 8, LR: 1e-3, EMA: 0.9, Seed: 1}
	bad := NewMLP(2, 2, 8, 2, 1, rand.New(rand.NewPCG(1, 1)))
	bad.W = bad.W[:1]
	if _, _, err := Train(context.Background(), bad, toyBatches, o, nil); !errors.Is(err, ErrShape) {
		t.Errorf("bad shape: %v, want ErrShape", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	net := NewMLP(2, 2, 8, 2, 1, rand.New(rand.NewPCG(1, 1)))
	if _, _, err := Train(ctx, net, toyBatches, o, nil); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v, want context.Canceled", err)
	}
	huge := func(rng *rand.Rand, batch int, in []float32, tv []float64, target []float32) {
		toyBatches(rng, batch, in, tv, target)
		for i := range target {
			target[i] = 1e5
		}
	}
	if _, _, err := Train(context.Background(), net, huge, o, nil); err == nil {
		t.Error("a loss of 1e10 was not reported as divergence")
	}
}

// TestLRSchedule checks the schedule's shape: linear warm-up to the base
// rate, then cosine decay from it to 5% of it at the last step.
func TestLRSchedule(t *testing.T) {
	const base, warm, total = 0.01, 10, 110
	for _, c := range []struct {
		step int
		want float64
	}{
		{0, base / warm}, {4, base * 5 / warm}, {9, base}, {10, base},
		{60, base * (0.05 + 0.95*0.5)}, {110, base * 0.05},
	} {
		if got := LRSchedule(base, c.step, warm, total); math.Abs(got-c.want) > 1e-15 {
			t.Errorf("step %d: %v, want %v", c.step, got, c.want)
		}
	}
	prev := math.Inf(1)
	for s := warm; s < total; s++ {
		lr := LRSchedule(base, s, warm, total)
		if lr > prev {
			t.Fatalf("learning rate rises after warm-up at step %d", s)
		}
		prev = lr
	}
	if got := LRSchedule(base, 5, 10, 10); got != base*6/10 {
		t.Errorf("all warm-up: %v", got)
	}
	if got := LRSchedule(base, 7, 0, 0); got != base {
		t.Errorf("no schedule: %v, want %v", got, base)
	}
}

// TestClipGradNorm checks that gradients above the bound are scaled to it,
// as one vector over all slices, and those below it are left alone.
func TestClipGradNorm(t *testing.T) {
	g := [][]float32{{3, 0}, {0, 4}}
	if n := ClipGradNorm(g, 10); n != 5 || g[0][0] != 3 || g[1][1] != 4 {
		t.Errorf("below the bound: norm %v, gradients %v", n, g)
	}
	if n := ClipGradNorm(g, 1); n != 5 {
		t.Errorf("norm before clipping %v, want 5", n)
	}
	if math.Abs(float64(g[0][0])-0.6) > 1e-7 || math.Abs(float64(g[1][1])-0.8) > 1e-7 {
		t.Errorf("clipped gradients %v, want [[0.6 0] [0 0.8]]", g)
	}
	if n := ClipGradNorm(g, 0); math.Abs(n-1) > 1e-7 || g[1][1] != float32(0.8) {
		t.Errorf("bound 0 must not clip: norm %v, gradients %v", n, g)
	}
}

// TestEMAUpdate checks avg ← decay·avg + (1−decay)·cur.
func TestEMAUpdate(t *testing.T) {
	avg := [][]float32{{1, 2}, {4}}
	EMAUpdate(avg, [][]float32{{3, 2}, {0}}, 0.75)
	if avg[0][0] != 1.5 || avg[0][1] != 2 || avg[1][0] != 3 {
		t.Errorf("EMA %v, want [[1.5 2] [3]]", avg)
	}
}

// TestAdamFirstStep checks the bias correction: Adam's first step moves
// every parameter by the learning rate against the sign of its gradient,
// whatever the gradient's size.
func TestAdamFirstStep(t *testing.T) {
	p := [][]float32{{1, 1, 1}}
	a := NewAdam(p)
	a.Step(p, [][]float32{{1e-3, -5, 200}}, 0.1)
	for j, want := range []float64{0.9, 1.1, 0.9} {
		if math.Abs(float64(p[0][j])-want) > 1e-5 {
			t.Errorf("parameter %d: %v, want %v", j, p[0][j], want)
		}
	}
}
