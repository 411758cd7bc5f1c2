package nn

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas32"
)

// TimeEmbedDim is the width of the sinusoidal time embedding that MLP appends
// to its input.
const TimeEmbedDim = 32

// MLP is the float32 score network: a multilayer perceptron with SiLU
// activations whose input is the caller's features followed by a sinusoidal
// embedding of the diffusion time. The last layer is initialised to zero so
// that an untrained network predicts a zero residual.
//
// Matrices are row-major with one row per example; weights of layer l are
// W[l] (in×out, row-major) and B[l] (out). Matrix products go through gonum's
// blas32 Sgemm, which splits the output into fixed blocks over
// GOMAXPROCS goroutines: both cores are busy and every output element is
// summed in the same order whatever the thread count, so training is
// deterministic for a given seed.
//
// The network knows nothing of diffusion processes: its caller decides what
// the In inputs and Out outputs mean (package model's GOU, VP and CLD
// engines all use it).
type MLP struct {
	In, Out, Hidden, Layers int         // Layers = number of hidden layers
	TimeScale               float64     // times are divided by this before embedding
	W, B                    [][]float32 // per affine layer (Layers+1 of them)
}

// NewMLP returns a network with in inputs (time embedding excluded), out
// outputs and layers hidden layers of width hidden, initialised from rng
// (He-uniform hidden weights, zero output layer).
func NewMLP(in, out, hidden, layers int, timeScale float64, rng *rand.Rand) *MLP {
	m := &MLP{In: in, Out: out, Hidden: hidden, Layers: layers, TimeScale: timeScale}
	dims := m.Dims()
	for l := 0; l+1 < len(dims); l++ {
		w := make([]float32, dims[l]*dims[l+1])
		if l+1 < len(dims)-1 {
			lim := math.Sqrt(6 / float64(dims[l]))
			for i := range w {
				w[i] = float32((2*rng.Float64() - 1) * lim)
			}
		}
		m.W = append(m.W, w)
		m.B = append(m.B, make([]float32, dims[l+1]))
	}
	return m
}

// Dims returns the widths of the Layers+2 layers, input (time embedding
// included) first and output last: affine layer l maps Dims()[l] values to
// Dims()[l+1], so W[l] has Dims()[l]·Dims()[l+1] entries.
func (m *MLP) Dims() []int {
	d := []int{m.In + TimeEmbedDim}
	for i := 0; i < m.Layers; i++ {
		d = append(d, m.Hidden)
	}
	return append(d, m.Out)
}

// NumParams returns the number of trainable parameters.
func (m *MLP) NumParams() int {
	n := 0
	for l := range m.W {
		n += len(m.W[l]) + len(m.B[l])
	}
	return n
}

// Clone returns a deep copy.
func (m *MLP) Clone() *MLP {
	c := *m
	c.W = make([][]float32, len(m.W))
	c.B = make([][]float32, len(m.B))
	for l := range m.W {
		c.W[l] = append([]float32(nil), m.W[l]...)
		c.B[l] = append([]float32(nil), m.B[l]...)
	}
	return &c
}

// Params returns the parameter slices in a fixed order (W0, B0, W1, B1, ...).
func (m *MLP) Params() [][]float32 {
	var p [][]float32
	for l := range m.W {
		p = append(p, m.W[l], m.B[l])
	}
	return p
}

// ErrShape reports a network whose weight slices do not match its declared
// shape (In, Out, Hidden, Layers), such as one decoded from a corrupt file.
var ErrShape = errors.New("nn: network shape mismatch")

// Validate checks that the shape is positive and that every weight and bias
// slice has the length the shape implies. Errors wrap ErrShape.
func (m *MLP) Validate() error {
	if m.In < 0 || m.Out < 1 || m.Hidden < 1 || m.Layers < 1 || len(m.W) != m.Layers+1 || len(m.B) != m.Layers+1 {
		return ErrShape
	}
	d := m.Dims()
	for l := range m.W {
		if len(m.W[l]) != d[l]*d[l+1] || len(m.B[l]) != d[l+1] {
			return fmt.Errorf("%w: layer %d", ErrShape, l)
		}
	}
	return nil
}

// embedTime writes the sinusoidal embedding of t/TimeScale into dst
// (TimeEmbedDim values): sin and cos of t·ω_j with ω_j log-spaced in [1, 1000].
func embedTime(dst []float32, t, scale float64) {
	half := TimeEmbedDim / 2
	u := t / scale
	for j := 0; j < half; j++ {
		w := math.Exp(math.Log(1000) * float64(j) / float64(half-1))
		dst[j] = float32(math.Sin(u * w))
		dst[half+j] = float32(math.Cos(u * w))
	}
}

// Workspace holds the activations of one forward pass, for Backward, and
// is reused by the next Forward of the same batch size so that a training
// or sampling loop allocates it once.
type Workspace struct {
	batch int
	acts  [][]float32 // acts[0] = input with embedding, acts[l] = post-activation of layer l
	pre   [][]float32 // pre-activations of hidden layers
	grad  [][]float32 // scratch for gradients w.r.t. activations
}

// workspace returns ws if it fits a batch of batch rows, else a new one.
func (m *MLP) workspace(ws *Workspace, batch int) *Workspace {
	d := m.Dims()
	if ws != nil && ws.batch == batch && len(ws.acts) == len(d) && len(ws.acts[0]) == batch*d[0] {
		return ws
	}
	ws = &Workspace{batch: batch}
	for l := range d {
		ws.acts = append(ws.acts, make([]float32, batch*d[l]))
		ws.grad = append(ws.grad, make([]float32, batch*d[l]))
		if l > 0 && l < len(d)-1 {
			ws.pre = append(ws.pre, make([]float32, batch*d[l]))
		} else {
			ws.pre = append(ws.pre, nil)
		}
	}
	return ws
}

// gemm computes c ← alpha·op(a)·op(b) + beta·c on row-major matrices
// (op transposes when tA, tB), through blas32.Gemm.
func gemm(tA, tB bool, alpha float32, a []float32, ar, ac int, b []float32, br, bc int, beta float32, c []float32, cr, cc int) {
	ta, tb := blas.NoTrans, blas.NoTrans
	if tA {
		ta = blas.Trans
	}
	if tB {
		tb = blas.Trans
	}
	blas32.Gemm(ta, tb, alpha,
		blas32.General{Rows: ar, Cols: ac, Stride: ac, Data: a},
		blas32.General{Rows: br, Cols: bc, Stride: bc, Data: b},
		beta,
		blas32.General{Rows: cr, Cols: cc, Stride: cc, Data: c})
}

// silu is the activation x·sigmoid(x).
func silu(x float32) float32 { return x / (1 + float32(math.Exp(float64(-x)))) }

// Forward evaluates the network on batch rows of x (batch×In) at times t
// (one per row) and writes batch×Out values to out. ws may be nil; the
// returned workspace can be passed to Backward and reused.
func (m *MLP) Forward(ws *Workspace, x []float32, t []float64, batch int, out []float32) *Workspace {
	ws = m.workspace(ws, batch)
	d := m.Dims()
	in := ws.acts[0]
	for r := 0; r < batch; r++ {
		copy(in[r*d[0]:r*d[0]+m.In], x[r*m.In:(r+1)*m.In])
		emb := in[r*d[0]+m.In : (r+1)*d[0]]
		if r > 0 && t[r] == t[r-1] {
			// Samplers evaluate every row at the same time: reuse the
			// embedding (the same values, without the sin/cos/exp).
			copy(emb, in[(r-1)*d[0]+m.In:r*d[0]])
			continue
		}
		embedTime(emb, t[r], m.TimeScale)
	}
	L := len(d) - 1
	for l := 0; l < L; l++ {
		dst := ws.acts[l+1]
		if l < L-1 {
			dst = ws.pre[l+1]
		}
		for r := 0; r < batch; r++ {
			copy(dst[r*d[l+1]:(r+1)*d[l+1]], m.B[l])
		}
		gemm(false, false, 1, ws.acts[l], batch, d[l], m.W[l], d[l], d[l+1], 1, dst, batch, d[l+1])
		if l < L-1 {
			a := ws.acts[l+1]
			for i, v := range dst {
				a[i] = silu(v)
			}
		}
	}
	copy(out, ws.acts[L])
	return ws
}

// Backward takes dOut = ∂loss/∂output (batch×Out) for the last Forward on ws
// and accumulates parameter gradients into grads (same layout as Params,
// overwritten, not added).
func (m *MLP) Backward(ws *Workspace, dOut []float32, grads [][]float32) {
	d := m.Dims()
	L := len(d) - 1
	batch := ws.batch
	g := ws.grad[L]
	copy(g, dOut)
	for l := L - 1; l >= 0; l-- {
		// dW = actsᵀ g ; dB = Σ rows g ; gPrev = g Wᵀ
		gemm(true, false, 1, ws.acts[l], batch, d[l], g, batch, d[l+1], 0, grads[2*l], d[l], d[l+1])
		db := grads[2*l+1]
		for j := range db {
			db[j] = 0
		}
		for r := 0; r < batch; r++ {
			row := g[r*d[l+1] : (r+1)*d[l+1]]
			for j, v := range row {
				db[j] += v
			}
		}
		if l == 0 {
			break
		}
		gp := ws.grad[l]
		gemm(false, true, 1, g, batch, d[l+1], m.W[l], d[l], d[l+1], 0, gp, batch, d[l])
		pre := ws.pre[l]
		for i, v := range pre {
			s := 1 / (1 + float32(math.Exp(float64(-v))))
			gp[i] *= s * (1 + v*(1-s))
		}
		g = gp
	}
}
