package metrics

import (
	"math"
	"slices"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas32"
	"gonum.org/v1/gonum/blas/blas64"
)

// ColStats are the per-site means and sample SDs of a Matrix.
type ColStats struct{ Mean, SD []float64 }

// ColumnStats returns the per-site mean and sample SD (n−1) of x.
func ColumnStats(x *Matrix) *ColStats {
	st := &ColStats{Mean: make([]float64, x.D), SD: make([]float64, x.D)}
	for i := 0; i < x.N; i++ {
		r := x.Row(i)
		for j, v := range r {
			st.Mean[j] += v
		}
	}
	for j := range st.Mean {
		st.Mean[j] /= float64(x.N)
	}
	for i := 0; i < x.N; i++ {
		r := x.Row(i)
		for j, v := range r {
			dv := v - st.Mean[j]
			st.SD[j] += dv * dv
		}
	}
	for j := range st.SD {
		st.SD[j] = math.Sqrt(st.SD[j] / float64(x.N-1))
	}
	return st
}

// monomorphicSD is the SD below which a site counts as monomorphic.
const monomorphicSD = 1e-12

// centred returns (x−μ)/√(n−1), whose Gram AᵀA is the covariance, and
// (x−μ)/(σ√(n−1)), whose Gram is the correlation; monomorphic columns are
// zero in the latter, so their correlations count as 0.
func centred(x *Matrix, st *ColStats) (cov, corr []float64) {
	cov = make([]float64, len(x.Data))
	corr = make([]float64, len(x.Data))
	s := 1 / math.Sqrt(float64(x.N-1))
	inv := invSD(st)
	for i := 0; i < x.N; i++ {
		r := x.Row(i)
		c := cov[i*x.D : (i+1)*x.D]
		z := corr[i*x.D : (i+1)*x.D]
		for j, v := range r {
			cv := (v - st.Mean[j]) * s
			c[j] = cv
			z[j] = cv * inv[j]
		}
	}
	return cov, corr
}

// CovCorrFrobenius computes ‖Cov_A − Cov_B‖_F and ‖Corr_A − Corr_B‖_F
// (report's cov_frobenius and corr_frobenius) of any cohort A against a
// fixed reference cohort B, the test cohort. When the SNPs are few next to
// the individuals (d ≤ n_a/2 + n_b, and at most maxDDSites), it forms the
// d × d covariance AᵀA once, whose rescaling D_A AᵀA D_A by the inverse
// SDs is the correlation, and compares both with the test cohort's
// (computed once): one d × d × n_a product per cohort. Otherwise it uses
// the n × n Gram identities of frobRef, once for the covariance and once
// for the correlation: 2 d (n_a²/2 + n_a n_b) multiply-adds in float32,
// about as fast as d² n_a in float64.
type CovCorrFrobenius struct {
	n, d     int
	tc, tz   []float64 // test cohort: centred (covariance) and standardised (correlation) rows
	tinv     []float64 // 1/SD per site (0 for monomorphic sites)
	gT       []float64 // d × d test covariance, on first use of the d × d path
	cov, cor *frobRef  // n × n Gram path references, on first use
}

// maxDDSites caps the d × d path of CovCorrFrobenius (two d × d float64
// matrices: 2 × 72 MB at 3000 SNPs).
const maxDDSites = 3000

// NewCovCorrFrobenius prepares the distances to the reference cohort ref
// (the test cohort).
func NewCovCorrFrobenius(ref *Matrix) *CovCorrFrobenius {
	st := ColumnStats(ref)
	tc, tz := centred(ref, st)
	return &CovCorrFrobenius{n: ref.N, d: ref.D, tc: tc, tz: tz, tinv: invSD(st)}
}

// invSD returns 1/SD per site, 0 for monomorphic sites.
func invSD(st *ColStats) []float64 {
	inv := make([]float64, len(st.SD))
	for j, sd := range st.SD {
		if sd > monomorphicSD {
			inv[j] = 1 / sd
		}
	}
	return inv
}

// DD reports whether a cohort of na individuals takes the d × d path.
func (p *CovCorrFrobenius) DD(na int) bool {
	return p.d <= maxDDSites && 2*p.d <= na+2*p.n
}

// Dist returns ‖Cov_A − Cov_test‖_F and ‖Corr_A − Corr_test‖_F for the
// cohort x with column statistics st (ColumnStats of x).
func (p *CovCorrFrobenius) Dist(x *Matrix, st *ColStats) (cov, corr float64) {
	ac, az := centred(x, st)
	if x.N == p.n && slices.Equal(ac, p.tc) {
		return 0, 0
	}
	d := p.d
	if !p.DD(x.N) {
		if p.cov == nil {
			p.cov, p.cor = newFrobRef(p.tc, p.n, d), newFrobRef(p.tz, p.n, d)
		}
		return p.cov.dist(ac, x.N), p.cor.dist(az, x.N)
	}
	if p.gT == nil {
		p.gT = make([]float64, d*d)
		blas64.Implementation().Dgemm(blas.Trans, blas.NoTrans, d, d, p.n, 1, p.tc, d, p.tc, d, 0, p.gT, d)
	}
	g := make([]float64, d*d)
	blas64.Implementation().Dgemm(blas.Trans, blas.NoTrans, d, d, x.N, 1, ac, d, ac, d, 0, g, d)
	ainv := invSD(st)
	var sc, sz float64
	for i := 0; i < d; i++ {
		gi, ti := g[i*d:(i+1)*d], p.gT[i*d:(i+1)*d]
		ai, bi := ainv[i], p.tinv[i]
		for j, a := range gi {
			b := ti[j]
			e := a - b
			sc += e * e
			f := ai*ainv[j]*a - bi*p.tinv[j]*b
			sz += f * f
		}
	}
	return math.Sqrt(sc), math.Sqrt(sz)
}

// frobRef computes ‖AᵀA − BᵀB‖_F for a fixed reference B (n_b × d) and any A.
//
// When d is large next to the sample sizes, the d × d matrices are never
// formed: ‖AᵀA − BᵀB‖² = ‖AAᵀ‖² + ‖BBᵀ‖² − 2‖ABᵀ‖² (trace identities), which
// needs only n × n Gram matrices. That path is the hot spot of the report
// (tens of Gmult-adds for 5000 SNPs), so it runs in float32 (gonum's Sgemm is
// about 1.7× faster than Dgemm here) with float64 sums of squares: each
// squared norm carries a relative error of about 1e-6, while the difference
// between covariance matrices of finite cohorts is of the same order as the
// norms themselves (sampling noise), so the result keeps ≥ 4 significant
// digits. Identical A and B return exactly 0. Both paths use gonum's BLAS,
// which runs on every core.
type frobRef struct {
	b      []float64
	b32    []float32
	nb, d  int
	bb2    float64 // ‖BBᵀ‖², computed on first use
	hasBB2 bool
}

func newFrobRef(b []float64, nb, d int) *frobRef { return &frobRef{b: b, nb: nb, d: d} }

func (r *frobRef) dist(a []float64, na int) float64 {
	d, nb := r.d, r.nb
	if na == nb && slices.Equal(a, r.b) {
		return 0
	}
	costDD := float64(d) * float64(d) * float64(na+nb)
	costGram := float64(d) * float64(na*na+na*nb+nb*nb)
	if costDD <= costGram {
		c := make([]float64, d*d)
		blas64.Implementation().Dgemm(blas.Trans, blas.NoTrans, d, d, na, 1, a, d, a, d, 0, c, d)
		blas64.Implementation().Dgemm(blas.Trans, blas.NoTrans, d, d, nb, -1, r.b, d, r.b, d, 1, c, d)
		return math.Sqrt(sumSquares(c))
	}
	if !r.hasBB2 {
		r.b32 = toFloat32(r.b)
		r.bb2 = gramNorm2Sym(r.b32, nb, d)
		r.hasBB2 = true
	}
	a32 := toFloat32(a)
	aa := gramNorm2Sym(a32, na, d)
	ab := gramNorm2(a32, na, r.b32, nb, d)
	v := aa + r.bb2 - 2*ab
	if v < 0 { // rounding when A and B are nearly identical
		v = 0
	}
	return math.Sqrt(v)
}

func toFloat32(x []float64) []float32 {
	out := make([]float32, len(x))
	for i, v := range x {
		out[i] = float32(v)
	}
	return out
}

// gramNorm2 returns ‖ABᵀ‖_F² for A (na × d) and B (nb × d), in row blocks.
func gramNorm2(a []float32, na int, b []float32, nb int, d int) float64 {
	total := 0.0
	c := make([]float32, gramBlock*nb)
	for i := 0; i < na; i += gramBlock {
		ri := min(gramBlock, na-i)
		blas32.Implementation().Sgemm(blas.NoTrans, blas.Trans, ri, nb, d, 1, a[i*d:], d, b, d, 0, c, nb)
		total += sumSquares32(c[:ri*nb])
	}
	return total
}

// gramBlock is the row-block size of the Gram computations.
const gramBlock = 256

// gramNorm2Sym returns ‖AAᵀ‖_F² computing only the blocks on and above the
// diagonal of AAᵀ (about half the work of one Sgemm). Each block is a
// parallel Sgemm; gonum's Ssyrk would halve the work too but runs on one core.
func gramNorm2Sym(a []float32, na, d int) float64 {
	total := 0.0
	c := make([]float32, gramBlock*gramBlock)
	for i := 0; i < na; i += gramBlock {
		ri := min(gramBlock, na-i)
		for j := i; j < na; j += gramBlock {
			rj := min(gramBlock, na-j)
			blas32.Implementation().Sgemm(blas.NoTrans, blas.Trans, ri, rj, d, 1, a[i*d:], d, a[j*d:], d, 0, c, rj)
			s := sumSquares32(c[:ri*rj])
			if i != j {
				s *= 2
			}
			total += s
		}
	}
	return total
}

func sumSquares32(c []float32) float64 {
	s := 0.0
	for _, v := range c {
		s += float64(v) * float64(v)
	}
	return s
}

func sumSquares(c []float64) float64 {
	s := 0.0
	for _, v := range c {
		s += v * v
	}
	return s
}
