package sde

import (
	"errors"
	"fmt"

	"gonum.org/v1/gonum/mat"
)

// ErrInvalid reports an ill-formed linear SDE (mismatched or non-square
// matrices, a negative time) or a Lyapunov equation without a solution.
var ErrInvalid = errors.New("sde: invalid linear SDE")

// Linear is a time-homogeneous linear SDE dU = F U dt + L dW on R^n.
// Its transition kernel is Gaussian: U_t | U_0 ~ N(Φ(t) U_0, Σ(t)) with
// Φ(t) = e^{Ft} and Σ(t) = ∫_0^t e^{Fs} L Lᵀ e^{Fᵀs} ds, both computed at
// once by Van Loan's block matrix exponential. It is meant for the small
// per-coordinate blocks of the diffusion processes (n = 1 or 2), where one
// code path gives the exact kernel of VP, GOU, CLD and CLD-ε alike.
type Linear struct {
	F *mat.Dense // n×n drift matrix
	Q *mat.Dense // n×n diffusion matrix L Lᵀ (symmetric, positive semi-definite)
}

// NewLinear builds the SDE dU = F U dt + L dW from F (n×n) and L (n×m);
// it copies F and stores Q = L Lᵀ.
func NewLinear(f, l *mat.Dense) (Linear, error) {
	n, c := f.Dims()
	if n != c || n == 0 {
		return Linear{}, fmt.Errorf("%w: drift is %d×%d, want square", ErrInvalid, n, c)
	}
	if r, _ := l.Dims(); r != n {
		return Linear{}, fmt.Errorf("%w: diffusion has %d rows, drift has %d", ErrInvalid, r, n)
	}
	var q mat.Dense
	q.Mul(l, l.T())
	return Linear{F: mat.DenseCopyOf(f), Q: &q}, nil
}

// dim checks that F and Q are set and square of the same size n, and
// returns n.
func (s Linear) dim() (int, error) {
	if s.F == nil || s.Q == nil {
		return 0, fmt.Errorf("%w: nil matrices", ErrInvalid)
	}
	n, c := s.F.Dims()
	if qr, qc := s.Q.Dims(); n != c || qr != n || qc != n {
		return 0, fmt.Errorf("%w: Q is %d×%d, F is %d×%d", ErrInvalid, qr, qc, n, c)
	}
	return n, nil
}

// Kernel is the Gaussian transition kernel of a linear SDE over one time
// span: U_t | U_0 ~ N(Phi U_0, Sigma).
type Kernel struct {
	Phi   *mat.Dense // mean map e^{Ft}
	Sigma *mat.Dense // covariance ∫ e^{Fs} Q e^{Fᵀs} ds
}

// Kernel returns the exact transition kernel over a time span t ≥ 0, by Van
// Loan's method: with C = [[−F, Q], [0, Fᵀ]]·t, e^C = [[·, G12], [0, G22]],
// Φ = G22ᵀ and Σ = Φ G12. Σ is symmetrised against rounding.
func (s Linear) Kernel(t float64) (Kernel, error) {
	n, err := s.dim()
	if err != nil {
		return Kernel{}, err
	}
	if !(t >= 0) {
		return Kernel{}, fmt.Errorf("%w: time span %v", ErrInvalid, t)
	}
	c := mat.NewDense(2*n, 2*n, nil)
	for i := range n {
		for j := range n {
			c.Set(i, j, -s.F.At(i, j)*t)
			c.Set(i, n+j, s.Q.At(i, j)*t)
			c.Set(n+i, n+j, s.F.At(j, i)*t)
		}
	}
	var e mat.Dense
	e.Exp(c)
	phi := mat.NewDense(n, n, nil)
	g12 := mat.NewDense(n, n, nil)
	for i := range n {
		for j := range n {
			phi.Set(i, j, e.At(n+j, n+i))
			g12.Set(i, j, e.At(i, n+j))
		}
	}
	sigma := mat.NewDense(n, n, nil)
	sigma.Mul(phi, g12)
	for i := range n {
		for j := i + 1; j < n; j++ {
			m := 0.5 * (sigma.At(i, j) + sigma.At(j, i))
			sigma.Set(i, j, m)
			sigma.Set(j, i, m)
		}
	}
	return Kernel{Phi: phi, Sigma: sigma}, nil
}

// Then returns the kernel of k followed by next (a piecewise-constant SDE:
// first k's span, then next's): Φ = Φ₂Φ₁, Σ = Φ₂Σ₁Φ₂ᵀ + Σ₂.
func (k Kernel) Then(next Kernel) Kernel {
	var phi, tmp, sigma mat.Dense
	phi.Mul(next.Phi, k.Phi)
	tmp.Mul(next.Phi, k.Sigma)
	sigma.Mul(&tmp, next.Phi.T())
	sigma.Add(&sigma, next.Sigma)
	return Kernel{Phi: &phi, Sigma: &sigma}
}

// PiecewiseKernel returns the exact kernel of a piecewise-constant linear SDE
// that follows sdes[i] for spans[i], in order.
func PiecewiseKernel(sdes []Linear, spans []float64) (Kernel, error) {
	if len(sdes) == 0 || len(sdes) != len(spans) {
		return Kernel{}, fmt.Errorf("%w: %d pieces, %d spans", ErrInvalid, len(sdes), len(spans))
	}
	k, err := sdes[0].Kernel(spans[0])
	if err != nil {
		return Kernel{}, err
	}
	for i := 1; i < len(sdes); i++ {
		next, err := sdes[i].Kernel(spans[i])
		if err != nil {
			return Kernel{}, err
		}
		k = k.Then(next)
	}
	return k, nil
}

// Stationary returns the stationary covariance of a stable SDE, the solution
// of the Lyapunov equation F Σ + Σ Fᵀ + Q = 0, by solving the vectorised
// system (I⊗F + F⊗I) vec Σ = −vec Q (fine for the small n used here). It
// does not check stability: for an unstable drift whose equation is still
// regular the solution is not positive semi-definite. A singular equation
// (a zero eigenvalue of F, or two summing to zero) is an error.
func (s Linear) Stationary() (*mat.Dense, error) {
	n, err := s.dim()
	if err != nil {
		return nil, err
	}
	a := mat.NewDense(n*n, n*n, nil)
	b := mat.NewVecDense(n*n, nil)
	// vec is column-major: index(i, j) = i + j*n.
	for i := range n {
		for j := range n {
			row := i + j*n
			b.SetVec(row, -s.Q.At(i, j))
			for k := range n {
				// (F Σ)_ij = Σ_k F_ik Σ_kj ; (Σ Fᵀ)_ij = Σ_k Σ_ik F_jk
				a.Set(row, k+j*n, a.At(row, k+j*n)+s.F.At(i, k))
				a.Set(row, i+k*n, a.At(row, i+k*n)+s.F.At(j, k))
			}
		}
	}
	var x mat.VecDense
	if err := x.SolveVec(a, b); err != nil {
		return nil, fmt.Errorf("%w: Lyapunov equation: %v (is the drift stable?)", ErrInvalid, err)
	}
	out := mat.NewDense(n, n, nil)
	for i := range n {
		for j := range n {
			out.Set(i, j, x.AtVec(i+j*n))
		}
	}
	return out, nil
}
