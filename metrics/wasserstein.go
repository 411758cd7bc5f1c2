package metrics

import (
	"math"
	"math/rand/v2"
	"slices"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas32"
)

// W1 returns the 1-D Wasserstein-1 distance ∫₀¹ |F_a⁻¹(u) − F_b⁻¹(u)| du
// between the empirical distributions of two sorted samples of any sizes,
// integrated exactly over the merged steps of the two quantile functions.
// It is NaN when either sample is empty.
func W1(a, b []float64) float64 {
	return quantileIntegral(a, b, func(w, d float64) float64 { return w * math.Abs(d) })
}

// ColumnW1 returns, for each of the k columns of the row-major matrices a
// (na × k) and b (nb × k), the W1 distance between the empirical
// distributions of that column: per principal component, the distance
// between two cohorts' scores.
func ColumnW1(a []float64, na int, b []float64, nb int, k int) []float64 {
	out := make([]float64, k)
	for c := range out {
		out[c] = W1(sortedColumn(a, na, k, c), sortedColumn(b, nb, k, c))
	}
	return out
}

// sortedColumn returns column c of the row-major n × k matrix x, sorted.
func sortedColumn(x []float64, n, k, c int) []float64 {
	out := make([]float64, n)
	for i := range out {
		out[i] = x[i*k+c]
	}
	slices.Sort(out)
	return out
}

// W2Squared returns the squared 1-D Wasserstein-2 distance between the
// empirical distributions of two sorted samples of any sizes:
// ∫₀¹ (F_a⁻¹(u) − F_b⁻¹(u))² du, integrated exactly over the merged steps
// of the two quantile functions. It is NaN when either sample is empty.
func W2Squared(a, b []float64) float64 {
	return quantileIntegral(a, b, func(w, d float64) float64 { return w * d * d })
}

// quantileIntegral integrates the cost of F_a⁻¹(u) − F_b⁻¹(u) over u ∈
// [0, 1] for sorted samples a and b: cost(w, d) is the contribution of a
// step of width w (in units of 1/(na·nb)) on which the quantile functions
// differ by d.
func quantileIntegral(a, b []float64, cost func(w, d float64) float64) float64 {
	na, nb := len(a), len(b)
	if na == 0 || nb == 0 {
		return math.NaN()
	}
	// Breakpoints in units of 1/(na·nb): a's step i ends at (i+1)·nb, b's
	// step j at (j+1)·na.
	i, j, prev := 0, 0, 0
	s := 0.0
	for i < na && j < nb {
		ea, eb := (i+1)*nb, (j+1)*na
		next := min(ea, eb)
		s += cost(float64(next-prev), a[i]-b[j])
		prev = next
		if ea == next {
			i++
		}
		if eb == next {
			j++
		}
	}
	return s / (float64(na) * float64(nb))
}

// SlicedW2 returns the sliced Wasserstein-2 distance sqrt(mean over
// directions of W2²) from the sorted projections of two cohorts on the
// same directions: ref[l] and x[l] are the sorted projections on direction
// l.
func SlicedW2(ref, x [][]float64) float64 {
	s := 0.0
	for l := range ref {
		s += W2Squared(x[l], ref[l])
	}
	return math.Sqrt(s / float64(len(ref)))
}

// DirectionDraw is the order in which RandomDirections draws its Gaussian
// coordinates and how it normalises them. Both give directions uniform on
// the sphere; they differ in which directions a seed gives and in the
// last bit of each coordinate, and are kept so that the sliced_w2 values
// of report and of the compare harness stay as they were.
type DirectionDraw int

const (
	// DrawSiteMajor draws the d×L matrix row by row (coordinate-major)
	// and multiplies each direction by the reciprocal of its norm
	// (report's sliced_w2).
	DrawSiteMajor DirectionDraw = iota
	// DrawDirectionMajor draws one direction after another and divides
	// each by its norm (the compare harness's sliced_w2).
	DrawDirectionMajor
)

// RandomDirections returns a d × L row-major matrix whose columns are unit
// vectors uniform on the sphere, drawn from the PCG generator (seed,
// stream) in the order draw says.
func RandomDirections(d, L int, seed, stream uint64, draw DirectionDraw) []float64 {
	rng := rand.New(rand.NewPCG(seed, stream))
	p := make([]float64, d*L)
	if draw == DrawDirectionMajor {
		for l := 0; l < L; l++ {
			var s float64
			for j := 0; j < d; j++ {
				v := rng.NormFloat64()
				p[j*L+l] = v
				s += v * v
			}
			s = math.Sqrt(s)
			for j := 0; j < d; j++ {
				p[j*L+l] /= s
			}
		}
		return p
	}
	for i := range p {
		p[i] = rng.NormFloat64()
	}
	for l := 0; l < L; l++ {
		s := 0.0
		for j := 0; j < d; j++ {
			s += p[j*L+l] * p[j*L+l]
		}
		s = 1 / math.Sqrt(s)
		for j := 0; j < d; j++ {
			p[j*L+l] *= s
		}
	}
	return p
}

// SortedColumns returns each site's values of x, sorted (site-major): the
// samples whose per-site W2 PerSiteW2 compares.
func SortedColumns(x *Matrix) [][]float64 {
	out := make([][]float64, x.D)
	buf := make([]float64, x.N*x.D)
	for j := 0; j < x.D; j++ {
		out[j] = x.Col(j, buf[j*x.N:j*x.N])
		slices.Sort(out[j])
	}
	return out
}

// PerSiteW2 returns the 1-D Wasserstein-2 distance sqrt(W2Squared) of each
// site of x against the same site of ref (both SortedColumns).
func PerSiteW2(ref, x [][]float64) []float64 {
	out := make([]float64, len(ref))
	for j := range ref {
		out[j] = math.Sqrt(W2Squared(x[j], ref[j]))
	}
	return out
}

// Directions are L random unit directions in d dimensions (RandomDirections)
// held in float32 for SortedProjections.
type Directions struct {
	p []float32 // d × L, row-major
	L int
}

// NewDirections draws L directions in d dimensions from (seed, stream) in
// the order draw says (RandomDirections).
func NewDirections(d, L int, seed, stream uint64, draw DirectionDraw) *Directions {
	return &Directions{p: toFloat32(RandomDirections(d, L, seed, stream, draw)), L: L}
}

// SortedProjections projects every individual of x on every direction and
// returns the sorted projections per direction, as SlicedW2 takes them.
// The product runs in float32 (gonum's Sgemm is about 1.7× faster than
// Dgemm here): a projection of thousands of dosages carries a relative
// error near 1e-7, far below the differences the sliced distance measures.
func (dir *Directions) SortedProjections(x *Matrix) [][]float64 {
	p, L := dir.p, dir.L
	c := make([]float32, x.N*L)
	blas32.Implementation().Sgemm(blas.NoTrans, blas.NoTrans, x.N, L, x.D, 1, toFloat32(x.Data), x.D, p, L, 0, c, L)
	out := make([][]float64, L)
	buf := make([]float64, x.N*L)
	for l := 0; l < L; l++ {
		col := buf[l*x.N : (l+1)*x.N]
		for i := 0; i < x.N; i++ {
			col[i] = float64(c[i*L+l])
		}
		slices.Sort(col)
		out[l] = col
	}
	return out
}
