package nn

import (
	"errors"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// TestGradientFiniteDifference compares MLP.Backward with central finite
// differences of the loss ½‖f(x)‖² w.r.t. a sample of parameters.
func TestGradientFiniteDifference(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	net := NewMLP(5, 4, 16, 2, 1, rng)
	// Give the (zero-initialised) output layer non-zero weights.
	for l := range net.W {
		for j := range net.W[l] {
			net.W[l][j] = float32(rng.NormFloat64() * 0.3)
		}
		for j := range net.B[l] {
			net.B[l][j] = float32(rng.NormFloat64() * 0.1)
		}
	}
	const batch = 3
	x := make([]float32, batch*5)
	for i := range x {
		x[i] = float32(rng.NormFloat64())
	}
	tv := []float64{0.1, 0.5, 0.9}
	out := make([]float32, batch*4)
	loss := func() float64 {
		net.Forward(nil, x, tv, batch, out)
		var s float64
		for _, v := range out {
			s += 0.5 * float64(v) * float64(v)
		}
		return s
	}
	ws := net.Forward(nil, x, tv, batch, out)
	grads := make([][]float32, 0)
	for _, p := range net.Params() {
		grads = append(grads, make([]float32, len(p)))
	}
	net.Backward(ws, append([]float32(nil), out...), grads)
	for pi, p := range net.Params() {
		for trial := 0; trial < 5; trial++ {
			j := rng.IntN(len(p))
			old := p[j]
			const h = 1e-2
			p[j] = old + h
			lp := loss()
			p[j] = old - h
			lm := loss()
			p[j] = old
			fd := (lp - lm) / (2 * h)
			an := float64(grads[pi][j])
			if math.Abs(fd-an) > 2e-2*math.Max(1, math.Abs(fd)) {
				t.Errorf("param %d[%d]: analytic %.5f, finite difference %.5f", pi, j, an, fd)
			}
		}
	}
}

// TestForwardSharedTimeEmbedding checks that a batch whose rows share a
// time (the embedding is computed once and copied) gives each row what it
// gives evaluated alone, and that rows at other times differ.
func TestForwardSharedTimeEmbedding(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 3))
	net := NewMLP(4, 3, 32, 2, 2, rng)
	for j := range net.W[2] {
		net.W[2][j] = float32(rng.NormFloat64() * 0.3)
	}
	const batch = 5
	x := make([]float32, batch*4)
	for i := range x {
		x[i] = float32(rng.NormFloat64())
	}
	tv := []float64{0.3, 0.3, 0.3, 1.1, 1.1}
	out := make([]float32, batch*3)
	net.Forward(nil, x, tv, batch, out)
	one := make([]float32, 3)
	for r := range batch {
		net.Forward(nil, x[r*4:(r+1)*4], tv[r:r+1], 1, one)
		for j := range one {
			if out[r*3+j] != one[j] {
				t.Fatalf("row %d output %d: %v in the batch, %v alone", r, j, out[r*3+j], one[j])
			}
		}
	}
	copy(x[3*4:4*4], x[0:4])
	net.Forward(nil, x, tv, batch, out)
	if out[0] == out[9] {
		t.Errorf("the same input at times 0.3 and 1.1 gives the same output %v", out[0])
	}
}

// TestNewMLPZeroOutput checks the initialisation: He-uniform hidden
// weights within their bound, a zero output layer (so an untrained network
// predicts exactly zero) and the parameter count of the shape.
func TestNewMLPZeroOutput(t *testing.T) {
	net := NewMLP(6, 2, 16, 3, 1, rand.New(rand.NewPCG(1, 1)))
	if err := net.Validate(); err != nil {
		t.Fatal(err)
	}
	d := net.Dims()
	if want := []int{6 + TimeEmbedDim, 16, 16, 16, 2}; !slices.Equal(d, want) {
		t.Fatalf("Dims() = %v, want %v", d, want)
	}
	lim := float32(math.Sqrt(6 / float64(d[0])))
	nonzero := 0
	for _, w := range net.W[0] {
		if w < -lim || w > lim {
			t.Fatalf("first-layer weight %v outside ±%v", w, lim)
		}
		if w != 0 {
			nonzero++
		}
	}
	if nonzero < len(net.W[0])/2 {
		t.Errorf("only %d of %d first-layer weights are non-zero", nonzero, len(net.W[0]))
	}
	want := (6+TimeEmbedDim)*16 + 16 + 2*(16*16+16) + 16*2 + 2
	if n := net.NumParams(); n != want {
		t.Errorf("NumParams() = %d, want %d", n, want)
	}
	x := []float32{1, -2, 3, 0.5, 0, 7}
	out := []float32{9, 9}
	net.Forward(nil, x, []float64{0.4}, 1, out)
	if out[0] != 0 || out[1] != 0 {
		t.Errorf("untrained output %v, want zeros", out)
	}
}

// TestValidateShape checks that Validate accepts a network and rejects
// weight slices of the wrong length or number, wrapping ErrShape, and that
// Clone copies the weights rather than sharing them.
func TestValidateShape(t *testing.T) {
	net := NewMLP(3, 2, 8, 2, 1, rand.New(rand.NewPCG(1, 2)))
	c := net.Clone()
	c.W[0][0]++
	if c.W[0][0] == net.W[0][0] {
		t.Fatal("Clone shares the weights")
	}
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	c.B[1] = c.B[1][:7]
	if err := c.Validate(); !errors.Is(err, ErrShape) {
		t.Errorf("short bias: %v, want ErrShape", err)
	}
	c = net.Clone()
	c.W = c.W[:2]
	if err := c.Validate(); !errors.Is(err, ErrShape) {
		t.Errorf("missing layer: %v, want ErrShape", err)
	}
	c = net.Clone()
	c.Hidden = 0
	if err := c.Validate(); !errors.Is(err, ErrShape) {
		t.Errorf("zero width: %v, want ErrShape", err)
	}
}
