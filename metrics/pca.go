package metrics

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"

	"gonum.org/v1/gonum/mat"
)

// An Operator is an n × d matrix A known through its products, so that a
// randomised PCA can stream A (chrom's int8 genotypes, standardised chunk
// by chunk) or hold it dense (DenseOperator).
type Operator interface {
	// Dims returns n and d.
	Dims() (n, d int)
	// Mul returns A·x (n×c) for a d×c x.
	Mul(x *mat.Dense) *mat.Dense
	// MulT returns Aᵀ·y (d×c) for an n×c y.
	MulT(y *mat.Dense) *mat.Dense
}

// DenseOperator is an Operator held as a matrix.
type DenseOperator struct{ A *mat.Dense }

// Dims returns the dimensions of A.
func (o DenseOperator) Dims() (int, int) { return o.A.Dims() }

// Mul returns A·x.
func (o DenseOperator) Mul(x *mat.Dense) *mat.Dense {
	var y mat.Dense
	y.Mul(o.A, x)
	return &y
}

// MulT returns Aᵀ·y.
func (o DenseOperator) MulT(y *mat.Dense) *mat.Dense {
	var w mat.Dense
	w.Mul(o.A.T(), y)
	return &w
}

// GaussianMatrix returns an r × c matrix of standard normal draws from the
// PCG generator (seed, stream), filled row by row.
func GaussianMatrix(r, c int, seed, stream uint64) *mat.Dense {
	rng := rand.New(rand.NewPCG(seed, stream))
	m := mat.NewDense(r, c, nil)
	raw := m.RawMatrix().Data
	for i := range raw {
		raw[i] = rng.NormFloat64()
	}
	return m
}

// An Orthonormaliser returns an orthonormal basis of the columns of a tall
// matrix, of the same shape; it does not modify its argument.
type Orthonormaliser func(a *mat.Dense) *mat.Dense

// RangeFinder returns an orthonormal n × l basis Q of the range of A·Ω
// after iterations power (subspace) iterations, Q ← orth(A·orth(Aᵀ·Q))
// (Halko, Martinsson and Tropp 2011, algorithm 4.4), for a d × l Ω.
func RangeFinder(a Operator, omega *mat.Dense, iterations int, orth Orthonormaliser) *mat.Dense {
	q := orth(a.Mul(omega))
	for it := 0; it < iterations; it++ {
		q = orth(a.Mul(orth(a.MulT(q))))
	}
	return q
}

// GramSchmidt orthonormalises the columns of a (a tall r×c matrix) by
// modified Gram–Schmidt, done twice for stability; a column that vanishes
// is replaced by zeros. Unlike a full QR it never forms an r×r matrix.
func GramSchmidt(a *mat.Dense) *mat.Dense {
	r, c := a.Dims()
	q := mat.DenseCopyOf(a)
	cols := make([][]float64, c)
	for j := range cols {
		cols[j] = make([]float64, r)
		mat.Col(cols[j], j, q)
	}
	for pass := 0; pass < 2; pass++ {
		for j := 0; j < c; j++ {
			v := cols[j]
			for k := 0; k < j; k++ {
				var dot float64
				for i, x := range cols[k] {
					dot += x * v[i]
				}
				for i, x := range cols[k] {
					v[i] -= dot * x
				}
			}
			var nrm float64
			for _, x := range v {
				nrm += x * x
			}
			nrm = math.Sqrt(nrm)
			for i := range v {
				if nrm > 1e-12 {
					v[i] /= nrm
				} else {
					v[i] = 0
				}
			}
		}
	}
	for j := range cols {
		q.SetCol(j, cols[j])
	}
	return q
}

// CholeskyQR2 orthonormalises the columns of a (tall, full column rank in
// practice) by two passes of Q = A R⁻¹ with RᵀR = AᵀA. It needs only a
// thin product and a small Cholesky factor, where gonum's Householder QR
// with an explicit Q is an order of magnitude slower on 5000 × 30
// matrices. A rank-deficient a falls back to Householder QR.
func CholeskyQR2(a *mat.Dense) *mat.Dense {
	q := mat.DenseCopyOf(a)
	for pass := 0; pass < 2; pass++ {
		var g mat.SymDense
		g.SymOuterK(1, q.T())
		var ch mat.Cholesky
		if !ch.Factorize(&g) {
			return householder(a)
		}
		var r mat.TriDense
		ch.UTo(&r)
		var rinv mat.TriDense
		if err := rinv.InverseTri(&r); err != nil {
			return householder(a)
		}
		var next mat.Dense
		next.Mul(q, &rinv)
		q = &next
	}
	return q
}

func householder(a *mat.Dense) *mat.Dense {
	var qr mat.QR
	qr.Factorize(a)
	r, c := a.Dims()
	var q mat.Dense
	qr.QTo(&q)
	return mat.DenseCopyOf(q.Slice(0, r, 0, min(r, c)))
}

// PCAOptions are the settings of RandomisedPCA. The range finder uses
// l = min(PerComponent·k + Extra, MaxDirections, d) directions.
type PCAOptions struct {
	// PerComponent and Extra set the oversampling: PerComponent·k + Extra
	// directions for k components.
	PerComponent, Extra int
	// MaxDirections caps the directions (0: n, the rows of A).
	MaxDirections int
	// PowerIterations is the number of subspace iterations of the range
	// finder.
	PowerIterations int
	// Orthonormalise is the range finder's orthonormalisation
	// (GramSchmidt or CholeskyQR2; nil: GramSchmidt).
	Orthonormalise Orthonormaliser
	// Stream is the PCG stream of the Gaussian test matrix Ω (d × l, drawn
	// row by row from (seed, Stream)).
	Stream uint64
	// RowMajorB forms B = QᵀA as an l×d matrix before BBᵀ and the
	// loadings Bᵀw are taken from it; otherwise they are taken from its
	// d×l transpose AᵀQ as MulT returns it. Both hold the same B, but
	// gonum rounds BBᵀ and Bᵀw differently in the two layouts, and each
	// caller keeps its own so that its outputs stay byte-identical
	// (report's PCA: row-major; chrom's, whose loadings windowed model
	// files store: transposed).
	RowMajorB bool
}

// PCA is the result of RandomisedPCA.
type PCA struct {
	// Values are the eigenvalues of BBᵀ (the squared singular values of
	// A), largest first, one per component.
	Values []float64
	// Loadings is d × k: column c is Bᵀw_c/sqrt(Values[c]) (unscaled when
	// Values[c] ≤ 0), the c-th right singular vector of A, with the sign
	// that makes its largest entry (the first of equal magnitude)
	// positive, so that the axes do not depend on floating-point accidents
	// of the iteration.
	Loadings *mat.Dense
}

// ErrPCA reports a PCA that cannot be computed: no component requested or
// possible, or an eigendecomposition that did not converge.
var ErrPCA = errors.New("metrics: randomised PCA failed")

// RandomisedPCA returns the top k principal axes of A (its leading right
// singular vectors; A is expected centred and scaled by the caller) by a
// seeded randomised SVD (Halko et al. 2011): a range finder with
// o.PowerIterations power iterations on l directions (PCAOptions), then
// the eigendecomposition of the l × l matrix BBᵀ with B = QᵀA, which needs
// only thin products with A instead of an n × n or d × d eigenproblem. k
// is reduced to l when l is smaller.
func RandomisedPCA(a Operator, k int, seed uint64, o PCAOptions) (*PCA, error) {
	n, d := a.Dims()
	maxL := o.MaxDirections
	if maxL == 0 {
		maxL = n
	}
	l := min(o.PerComponent*k+o.Extra, maxL, d)
	k = min(k, l)
	if k < 1 {
		return nil, ErrPCA
	}
	orth := o.Orthonormalise
	if orth == nil {
		orth = GramSchmidt
	}
	q := RangeFinder(a, GaussianMatrix(d, l, seed, o.Stream), o.PowerIterations, orth)
	bt := a.MulT(q) // d×l = Bᵀ
	var bbt mat.SymDense
	var b *mat.Dense
	if o.RowMajorB {
		b = mat.DenseCopyOf(bt.T())
		bbt.SymOuterK(1, b)
	} else {
		bbt.SymOuterK(1, bt.T())
	}
	var eig mat.EigenSym
	if !eig.Factorize(&bbt, true) {
		return nil, ErrPCA
	}
	vals := eig.Values(nil) // ascending
	var vecs mat.Dense
	eig.VectorsTo(&vecs)
	p := &PCA{Values: make([]float64, k), Loadings: mat.NewDense(d, k, nil)}
	for c := 0; c < k; c++ {
		e := l - 1 - c
		s2 := vals[e]
		w := mat.NewVecDense(l, mat.Col(nil, e, &vecs))
		var v mat.VecDense
		if o.RowMajorB {
			v.MulVec(b.T(), w)
		} else {
			v.MulVec(bt, w)
		}
		if s2 > 0 {
			v.ScaleVec(1/math.Sqrt(s2), &v)
		}
		big := 0
		for j := 0; j < d; j++ {
			if math.Abs(v.AtVec(j)) > math.Abs(v.AtVec(big)) {
				big = j
			}
		}
		if v.AtVec(big) < 0 {
			v.ScaleVec(-1, &v)
		}
		p.Values[c] = s2
		p.Loadings.SetCol(c, v.RawVector().Data)
	}
	return p, nil
}

// DosagePCA is a set of principal axes of dosages standardised per site.
type DosagePCA struct {
	// Mean and InvSD standardise a site: (x − Mean)·InvSD, with InvSD 0
	// for monomorphic sites.
	Mean, InvSD []float64
	// Axes is d × k: orthonormal loadings, one column per axis; the
	// columns from the first axis without variance on are zero.
	Axes *mat.Dense
	// VarFrac is the fraction of the total variance of each axis with
	// variance (len(VarFrac) ≤ k).
	VarFrac []float64
}

// FitDosagePCA finds the top k (at most n−1 and d) principal axes of src,
// standardised per site by its own mean and SD, with RandomisedPCA. The
// settings are report's: 2k+10 directions, 7 power iterations and
// CholeskyQR2, where chrom's streaming PCA takes k+10, 3 and Gram–Schmidt:
// src is held in memory, so passes are cheap, and genotype spectra decay
// slowly, so the range finder needs several to resolve the top axes.
func FitDosagePCA(src *Matrix, k int, seed uint64) (*DosagePCA, error) {
	n, d := src.N, src.D
	k = min(k, n-1, d)
	if k < 1 {
		return nil, fmt.Errorf("metrics: PCA needs at least 2 individuals and 1 site: %w", ErrPCA)
	}
	st := ColumnStats(src)
	p := &DosagePCA{Mean: st.Mean, InvSD: invSD(st)}
	z := p.Standardise(src)
	total := 0.0
	for _, v := range z.RawMatrix().Data {
		total += v * v
	}
	res, err := RandomisedPCA(DenseOperator{A: z}, k, seed, PCAOptions{
		PerComponent: 2, Extra: 10, PowerIterations: 7,
		Orthonormalise: CholeskyQR2, Stream: 0x243f6a8885a308d3, RowMajorB: true,
	})
	if err != nil {
		return nil, fmt.Errorf("metrics: PCA eigendecomposition did not converge: %w", err)
	}
	// The axes up to the first without variance; the rest stay zero.
	p.Axes = mat.NewDense(d, k, nil)
	for a, s2 := range res.Values {
		if s2 <= 0 {
			break
		}
		p.Axes.SetCol(a, mat.Col(nil, a, res.Loadings))
		p.VarFrac = append(p.VarFrac, s2/total)
	}
	return p, nil
}

// Standardise returns x standardised per site by the PCA's means and SDs.
func (p *DosagePCA) Standardise(x *Matrix) *mat.Dense {
	z := mat.NewDense(x.N, x.D, nil)
	raw := z.RawMatrix().Data
	for i := 0; i < x.N; i++ {
		r := x.Row(i)
		o := raw[i*x.D : (i+1)*x.D]
		for j, v := range r {
			o[j] = (v - p.Mean[j]) * p.InvSD[j]
		}
	}
	return z
}

// Project returns the n × k scores of x on the axes, row-major.
func (p *DosagePCA) Project(x *Matrix) []float64 {
	var s mat.Dense
	s.Mul(p.Standardise(x), p.Axes)
	return s.RawMatrix().Data
}
