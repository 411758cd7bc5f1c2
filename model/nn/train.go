package nn

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"time"
)

// Adam is the Adam optimiser (Kingma & Ba), with its moment estimates kept
// per parameter slice in float32 like the parameters.
type Adam struct {
	Beta1, Beta2 float64 // decay of the first and second moment estimates
	Eps          float64 // added to the root of the second moment
	m, v         [][]float32
	step         int
}

// NewAdam returns Adam state for the given parameter slices (as Params
// orders them), with the usual β1 = 0.9, β2 = 0.999, ε = 1e-8.
func NewAdam(params [][]float32) *Adam {
	a := &Adam{Beta1: 0.9, Beta2: 0.999, Eps: 1e-8}
	for _, p := range params {
		a.m = append(a.m, make([]float32, len(p)))
		a.v = append(a.v, make([]float32, len(p)))
	}
	return a
}

// Step applies one update with learning rate lr to params, given their
// gradients grads (same layout). The bias corrections are folded into the
// step size and ε rather than applied to every moment estimate.
func (a *Adam) Step(params, grads [][]float32, lr float64) {
	a.step++
	b1, b2 := float32(a.Beta1), float32(a.Beta2)
	c1 := 1 - math.Pow(a.Beta1, float64(a.step))
	c2 := 1 - math.Pow(a.Beta2, float64(a.step))
	stepSize := float32(lr * math.Sqrt(c2) / c1)
	eps := float32(a.Eps * math.Sqrt(c2))
	for i, p := range params {
		g, m, v := grads[i], a.m[i], a.v[i]
		for j := range p {
			m[j] = b1*m[j] + (1-b1)*g[j]
			v[j] = b2*v[j] + (1-b2)*g[j]*g[j]
			p[j] -= stepSize * m[j] / (float32(math.Sqrt(float64(v[j]))) + eps)
		}
	}
}

// ClipGradNorm scales grads so that their global L2 norm is at most maxNorm
// and returns the norm before clipping.
func ClipGradNorm(grads [][]float32, maxNorm float64) float64 {
	var s float64
	for _, g := range grads {
		for _, v := range g {
			s += float64(v) * float64(v)
		}
	}
	n := math.Sqrt(s)
	if maxNorm > 0 && n > maxNorm {
		f := float32(maxNorm / n)
		for _, g := range grads {
			for j := range g {
				g[j] *= f
			}
		}
	}
	return n
}

// EMAUpdate sets avg ← decay·avg + (1−decay)·cur for every parameter.
func EMAUpdate(avg, cur [][]float32, decay float64) {
	d := float32(decay)
	for i, a := range avg {
		c := cur[i]
		for j := range a {
			a[j] = d*a[j] + (1-d)*c[j]
		}
	}
}

// LRSchedule returns the learning rate at step (0-based) of total: linear
// warm-up over warmup steps, then cosine decay to 5% of base.
func LRSchedule(base float64, step, warmup, total int) float64 {
	if step < warmup {
		return base * float64(step+1) / float64(warmup)
	}
	if total <= warmup {
		return base
	}
	p := float64(step-warmup) / float64(total-warmup)
	return base * (0.05 + 0.95*0.5*(1+math.Cos(math.Pi*p)))
}

// Progress reports the state of a training run to Train's callback.
type Progress struct {
	Step    int     // steps done
	Total   int     // steps in the run
	Loss    float64 // exponential moving average of the batch loss
	Elapsed time.Duration
}

// TrainOptions are the optimiser settings of Train.
type TrainOptions struct {
	Steps, BatchSize int     // optimiser steps, rows per batch
	Warmup           int     // steps of linear learning-rate warm-up (LRSchedule)
	LR               float64 // peak learning rate
	EMA              float64 // decay of the weight average Train returns
	ClipNorm         float64 // global gradient norm bound (ClipGradNorm); 0 = none
	Seed             uint64  // seeds the generator handed to the batches
}

// BatchFunc fills one training batch of batch rows: the network inputs in
// (batch×In), their diffusion times t (batch) and the regression targets
// (batch×Out), drawing whatever it needs from rng.
type BatchFunc func(rng *rand.Rand, batch int, in []float32, t []float64, target []float32)

// Train fits net by minimising the mean squared error between its output and
// the targets of batches: Adam with warm-up + cosine learning rate, global
// gradient clipping and an exponential moving average of the weights, which
// it returns (with the final smoothed loss). The run is deterministic for a
// given seed. It stops with ctx.Err() when ctx is cancelled. progress, when
// not nil, is called about a hundred times and after the last step.
func Train(ctx context.Context, net *MLP, batches BatchFunc, o TrainOptions, progress func(Progress)) (*MLP, float64, error) {
	if err := net.Validate(); err != nil {
		return nil, 0, err
	}
	rng := rand.New(rand.NewPCG(o.Seed, 0x7261696e))
	params := net.Params()
	grads := make([][]float32, len(params))
	for i, p := range params {
		grads[i] = make([]float32, len(p))
	}
	ema := net.Clone()
	emaParams := ema.Params()
	opt := NewAdam(params)
	B := o.BatchSize
	in := make([]float32, B*net.In)
	tv := make([]float64, B)
	target := make([]float32, B*net.Out)
	out := make([]float32, B*net.Out)
	dOut := make([]float32, B*net.Out)
	var ws *Workspace
	start := time.Now()
	smooth := math.NaN()
	every := max(1, o.Steps/100)
	for step := 0; step < o.Steps; step++ {
		if step%16 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, 0, err
			}
		}
		batches(rng, B, in, tv, target)
		ws = net.Forward(ws, in, tv, B, out)
		var loss float64
		scale := float32(2 / float64(B*net.Out))
		for i := range out {
			d := out[i] - target[i]
			loss += float64(d) * float64(d)
			dOut[i] = scale * d
		}
		loss /= float64(B * net.Out)
		if math.IsNaN(smooth) {
			smooth = loss
		} else {
			smooth = 0.98*smooth + 0.02*loss
		}
		net.Backward(ws, dOut, grads)
		ClipGradNorm(grads, o.ClipNorm)
		opt.Step(params, grads, LRSchedule(o.LR, step, o.Warmup, o.Steps))
		// EMA with the usual warm-up so early averages are not dominated by
		// the random initialisation.
		decay := math.Min(o.EMA, (1+float64(step))/(10+float64(step)))
		EMAUpdate(emaParams, params, decay)
		if progress != nil && (step%every == 0 || step == o.Steps-1) {
			progress(Progress{Step: step + 1, Total: o.Steps, Loss: smooth, Elapsed: time.Since(start)})
		}
	}
	if math.IsNaN(smooth) {
		smooth = 0
	}
	if o.Steps > 0 && (math.IsInf(smooth, 0) || smooth > 1e6) {
		return nil, 0, fmt.Errorf("nn: training diverged (loss %g)", smooth)
	}
	return ema, smooth, nil
}
