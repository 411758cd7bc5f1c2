package model

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"sort"

	"gonum.org/v1/gonum/mat"
)

// Basis maps dosages to latent eigen-coordinates and back:
// y = Uᵀ((x − Mean)/Scale), x = Mean + Scale ⊙ (U y).
// U holds the r principal directions with non-negligible variance (r ≤
// min(d, n−1)); Lambda their variances, descending. Directions outside U
// carry no variance in the training data and are not modelled (GOU would
// give them c = −b and they need no learning: their data coordinate is 0).
//
// Basis is shared by all processes: VP uses Scale = per-SNP standard
// deviation (standardised data), GOU uses Scale = 1 (raw dosage geometry).
//
// At most MaxBasisRank(n) directions are kept (n training individuals).
// With more non-negligible directions (d close to or above n) the trailing
// ones are dropped and their variance is modelled as an independent per-SNP
// Gaussian residual with variances Resid (in the scaled units, so a sample
// is x = Mean + Scale ⊙ (U y + √Resid ⊙ z), z ~ N(0, I)). Without the cut,
// for d ≥ n−1 U would span exactly the centred training individuals: every
// synthetic individual would lie in their affine span and a member's
// genotype vector would lie in span(U), a non-member's not (see
// basis_privacy_test.go for what the cut does and does not remove). Resid
// is nil when no direction is dropped.
type Basis struct {
	Mean   []float64 // d
	Scale  []float64 // d
	U      *mat.Dense
	Lambda []float64 // r
	Resid  []float64 // d, or nil
}

// MaxBasisRank returns the number of eigen-directions NewBasis keeps at most
// for n training individuals: ⌊n/2⌋ (at least 1). Directions beyond it are
// estimated from too few individuals relative to their number and mostly
// reproduce the training individuals rather than the population.
func MaxBasisRank(n int) int { return max(1, n/2) }

// ErrNoVariance is returned when the training data have no variance.
var ErrNoVariance = errors.New("model: training data have no variance")

// NewBasis computes the basis of x (n×d). With standardise, each column is
// divided by its standard deviation (monomorphic columns keep scale 1). For
// d ≤ n it diagonalises the d×d covariance; for d > n it diagonalises the
// n×n Gram matrix and maps its eigenvectors back (U = Xcᵀ V / √((n−1)λ)),
// never decomposing a rank-deficient d×d matrix. It keeps at most
// MaxBasisRank(n) directions and sets Resid when it drops any.
func NewBasis(x *mat.Dense, standardise bool) (*Basis, error) {
	n, _ := x.Dims()
	return newBasis(x, standardise, MaxBasisRank(n))
}

// newBasis is NewBasis keeping at most maxRank directions.
func newBasis(x *mat.Dense, standardise bool, maxRank int) (*Basis, error) {
	n, d := x.Dims()
	if n < 2 {
		return nil, fmt.Errorf("model: need at least 2 individuals, got %d", n)
	}
	b := &Basis{Mean: make([]float64, d), Scale: make([]float64, d)}
	xc := mat.NewDense(n, d, nil)
	for j := 0; j < d; j++ {
		var s float64
		for i := 0; i < n; i++ {
			s += x.At(i, j)
		}
		mu := s / float64(n)
		var v float64
		for i := 0; i < n; i++ {
			e := x.At(i, j) - mu
			v += e * e
		}
		sd := math.Sqrt(v / float64(n-1))
		b.Mean[j] = mu
		b.Scale[j] = 1
		if standardise && sd > 1e-12 {
			b.Scale[j] = sd
		}
		for i := 0; i < n; i++ {
			xc.Set(i, j, (x.At(i, j)-mu)/b.Scale[j])
		}
	}
	var es mat.EigenSym
	var vals []float64
	var vecs mat.Dense
	if d <= n {
		var cov mat.SymDense
		cov.SymOuterK(1/float64(n-1), xc.T())
		if !es.Factorize(&cov, true) {
			return nil, errors.New("model: eigendecomposition of the covariance failed")
		}
		vals = es.Values(nil)
		es.VectorsTo(&vecs)
	} else {
		var gram mat.SymDense
		gram.SymOuterK(1/float64(n-1), xc)
		if !es.Factorize(&gram, true) {
			return nil, errors.New("model: eigendecomposition of the Gram matrix failed")
		}
		vals = es.Values(nil)
		var gv mat.Dense
		es.VectorsTo(&gv)
		vecs.Mul(xc.T(), &gv) // d×n; column i has norm √((n−1)λ_i)
		for i, l := range vals {
			f := 0.0
			if l > 0 {
				f = 1 / math.Sqrt(float64(n-1)*l)
			}
			for j := 0; j < d; j++ {
				vecs.Set(j, i, vecs.At(j, i)*f)
			}
		}
	}
	order := make([]int, len(vals))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, c int) bool { return vals[order[a]] > vals[order[c]] })
	if len(vals) == 0 || vals[order[0]] <= 1e-12 {
		return nil, ErrNoVariance
	}
	lmax := vals[order[0]]
	var keep []int
	for _, i := range order {
		if vals[i] > 1e-9*lmax {
			keep = append(keep, i)
		}
	}
	truncated := false
	if len(keep) > maxRank {
		keep, truncated = keep[:maxRank], true
	}
	b.U = mat.NewDense(d, len(keep), nil)
	b.Lambda = make([]float64, len(keep))
	for c, i := range keep {
		b.Lambda[c] = vals[i]
		// Fix the sign so the largest-magnitude entry is positive: the basis is
		// then a deterministic function of the data.
		big, bi := 0.0, 0
		for j := 0; j < d; j++ {
			if a := math.Abs(vecs.At(j, i)); a > big {
				big, bi = a, j
			}
		}
		sgn := 1.0
		if vecs.At(bi, i) < 0 {
			sgn = -1
		}
		for j := 0; j < d; j++ {
			b.U.Set(j, c, sgn*vecs.At(j, i))
		}
	}
	if truncated {
		// σ_j² = var_j − Σ_c U_jc² λ_c (clipped at 0): the variance of SNP j
		// that the dropped directions carried.
		b.Resid = make([]float64, d)
		for j := 0; j < d; j++ {
			var v float64
			for i := 0; i < n; i++ {
				e := xc.At(i, j)
				v += e * e
			}
			v /= float64(n - 1)
			for c, u := range b.U.RawRowView(j) {
				v -= u * u * b.Lambda[c]
			}
			b.Resid[j] = math.Max(0, v)
		}
	}
	return b, nil
}

// AddResidual adds the residual noise Scale_j·√Resid_j·z (z standard
// normal, drawn row by row from rng) to the decoded samples x (rows × d). It
// draws nothing when Resid is nil.
func (b *Basis) AddResidual(x *mat.Dense, rng *rand.Rand) {
	if b.Resid == nil {
		return
	}
	n, _ := x.Dims()
	sd := make([]float64, len(b.Resid))
	for j, v := range b.Resid {
		sd[j] = b.Scale[j] * math.Sqrt(v)
	}
	for i := 0; i < n; i++ {
		row := x.RawRowView(i)
		for j, s := range sd {
			row[j] += s * rng.NormFloat64()
		}
	}
}

// Rank returns the number of latent coordinates r.
func (b *Basis) Rank() int { return len(b.Lambda) }

// Dim returns the number of data coordinates d.
func (b *Basis) Dim() int { return len(b.Mean) }

// Encode returns the latent coordinates of the rows of x (n×r).
func (b *Basis) Encode(x *mat.Dense) *mat.Dense {
	n, d := x.Dims()
	xc := mat.NewDense(n, d, nil)
	for i := 0; i < n; i++ {
		for j := 0; j < d; j++ {
			xc.Set(i, j, (x.At(i, j)-b.Mean[j])/b.Scale[j])
		}
	}
	var y mat.Dense
	y.Mul(xc, b.U)
	return &y
}

// Decode returns Mean + Scale ⊙ (U y) for each row of y (n×r).
func (b *Basis) Decode(y *mat.Dense) *mat.Dense {
	var x mat.Dense
	x.Mul(y, b.U.T())
	n, d := x.Dims()
	for i := 0; i < n; i++ {
		row := x.RawRowView(i)
		for j := 0; j < d; j++ {
			row[j] = b.Mean[j] + b.Scale[j]*row[j]
		}
	}
	return &x
}
