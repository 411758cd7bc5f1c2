package report

import (
	"fmt"
	"math"
	"slices"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas32"
	"gonum.org/v1/gonum/blas/blas64"

	"github.com/gousynth/gousynth/metrics"
)

// paperMetrics computes the metrics of the GOU paper for S (synthetic) and F
// (floor, may be nil) against T (test). cov_frobenius and corr_frobenius
// (most of the cost) come from fr, the test cohort's frobPair; with fr nil
// they are NaN.
func paperMetrics(T, S cohort, F *cohort, projections int, seed uint64, fr *frobPair) []Metric {
	tStats := columnStats(T.x)
	sStats := columnStats(S.x)
	var fStats *colStats
	if F != nil {
		fStats = columnStats(F.x)
	}
	nan := math.NaN()
	pick := func(f func(*colStats) float64) float64 {
		if fStats == nil {
			return nan
		}
		return f(fStats)
	}

	meanErr := func(x *colStats) float64 { return metrics.MeanAbsDiff(x.mean, tStats.mean) }
	stdErr := func(x *colStats) float64 { return metrics.MeanAbsDiff(x.sd, tStats.sd) }

	covS, corrS, covF, corrF := nan, nan, nan, nan
	if fr != nil {
		covS, corrS = fr.dist(S.x, sStats)
		if F != nil {
			covF, corrF = fr.dist(F.x, fStats)
		}
	}

	w2T := sortedColumns(T.x)
	w2S := perSNPW2(w2T, sortedColumns(S.x))
	var w2F []float64
	if F != nil {
		w2F = perSNPW2(w2T, sortedColumns(F.x))
	}

	klS := metrics.MeanGenotypeKL(T.g, S.g)
	klF := nan
	if F != nil {
		klF = metrics.MeanGenotypeKL(T.g, F.g)
	}

	proj := toFloat32(metrics.RandomDirections(T.x.d, projections, seed, 0x5bd1e995, metrics.DrawSiteMajor))
	pT := sortedProjections(T.x, proj, projections)
	swS := metrics.SlicedW2(pT, sortedProjections(S.x, proj, projections))
	swF := nan
	if F != nil {
		swF = metrics.SlicedW2(pT, sortedProjections(F.x, proj, projections))
	}

	out := []Metric{
		metricLower("mean_error", "mean over SNPs of |mean dosage − test mean dosage|", meanErr(sStats), pick(meanErr)),
		metricLower("std_error", "mean over SNPs of |dosage SD − test dosage SD|", stdErr(sStats), pick(stdErr)),
		metricLower("cov_frobenius", "‖Cov − Cov_test‖_F of the SNP × SNP dosage covariance", covS, covF),
		metricLower("corr_frobenius", "‖Corr − Corr_test‖_F of the SNP × SNP dosage correlation (monomorphic SNPs → 0)", corrS, corrF),
		metricLower("w2_mean", "per-SNP 1-D Wasserstein-2 distance of dosages, mean over SNPs", mean(w2S), meanOrNaN(w2F)),
	}
	for i := 0; i < 5 && i < len(w2S); i++ {
		f := nan
		if w2F != nil {
			f = w2F[i]
		}
		out = append(out, metricLower(fmt.Sprintf("w2_snp%d", i+1), fmt.Sprintf("1-D Wasserstein-2 distance of dosages at SNP %d", i+1), w2S[i], f))
	}
	out = append(out,
		metricLower("kl_mean", "per-SNP KL(test ‖ X) of genotype-class frequencies (+1e-3 smoothing), mean over SNPs", klS, klF),
		metricLower("sliced_w2", fmt.Sprintf("sliced Wasserstein-2 distance, %d random directions: sqrt(mean W2²)", projections), swS, swF),
	)
	return out
}

type colStats struct{ mean, sd []float64 }

// columnStats returns per-site mean and sample SD (n−1) of the mean-imputed matrix.
func columnStats(x *floatMatrix) *colStats {
	st := &colStats{mean: make([]float64, x.d), sd: make([]float64, x.d)}
	for i := 0; i < x.n; i++ {
		r := x.row(i)
		for j, v := range r {
			st.mean[j] += v
		}
	}
	for j := range st.mean {
		st.mean[j] /= float64(x.n)
	}
	for i := 0; i < x.n; i++ {
		r := x.row(i)
		for j, v := range r {
			dv := v - st.mean[j]
			st.sd[j] += dv * dv
		}
	}
	for j := range st.sd {
		st.sd[j] = math.Sqrt(st.sd[j] / float64(x.n-1))
	}
	return st
}

func mean(a []float64) float64 {
	s := 0.0
	for _, v := range a {
		s += v
	}
	return s / float64(len(a))
}

func meanOrNaN(a []float64) float64 {
	if a == nil {
		return math.NaN()
	}
	return mean(a)
}

// monomorphicSD is the SD below which a site counts as monomorphic.
const monomorphicSD = 1e-12

// centred returns (x−μ)/√(n−1), whose Gram AᵀA is the covariance, and
// (x−μ)/(σ√(n−1)), whose Gram is the correlation; monomorphic columns are
// zero in the latter, so their correlations count as 0.
func centred(x *floatMatrix, st *colStats) (cov, corr []float64) {
	cov = make([]float64, len(x.data))
	corr = make([]float64, len(x.data))
	s := 1 / math.Sqrt(float64(x.n-1))
	inv := make([]float64, x.d)
	for j, sd := range st.sd {
		if sd > monomorphicSD {
			inv[j] = 1 / sd
		}
	}
	for i := 0; i < x.n; i++ {
		r := x.row(i)
		c := cov[i*x.d : (i+1)*x.d]
		z := corr[i*x.d : (i+1)*x.d]
		for j, v := range r {
			cv := (v - st.mean[j]) * s
			c[j] = cv
			z[j] = cv * inv[j]
		}
	}
	return cov, corr
}

// frobPair computes cov_frobenius and corr_frobenius of any cohort A against
// the test cohort B. When the SNPs are few next to the individuals (d ≤
// n_a/2 + n_b, and at most maxDDSites), it forms the d × d covariance AᵀA once,
// whose rescaling D_A AᵀA D_A by the inverse SDs is the correlation, and
// compares both with the test cohort's (computed once): one d × d × n_a
// product per cohort. Otherwise it uses the n × n Gram identities of
// frobRef, once for the covariance and once for the correlation: 2 d (n_a²/2
// + n_a n_b) multiply-adds in float32, about as fast as d² n_a in float64.
type frobPair struct {
	n, d     int
	tc, tz   []float64 // test cohort: centred (covariance) and standardised (correlation) rows
	tinv     []float64 // 1/SD per site (0 for monomorphic sites)
	gT       []float64 // d × d test covariance, on first use of the d × d path
	cov, cor *frobRef  // n × n Gram path references, on first use
}

// maxDDSites caps the d × d path of frobPair (two d × d float64 matrices:
// 2 × 72 MB at 3000 SNPs).
const maxDDSites = 3000

func newFrobPair(T cohort) *frobPair {
	st := columnStats(T.x)
	tc, tz := centred(T.x, st)
	return &frobPair{n: T.x.n, d: T.x.d, tc: tc, tz: tz, tinv: invSD(st)}
}

func invSD(st *colStats) []float64 {
	inv := make([]float64, len(st.sd))
	for j, sd := range st.sd {
		if sd > monomorphicSD {
			inv[j] = 1 / sd
		}
	}
	return inv
}

// dd reports whether a cohort of na individuals takes the d × d path.
func (p *frobPair) dd(na int) bool {
	return p.d <= maxDDSites && 2*p.d <= na+2*p.n
}

// dist returns ‖Cov_A − Cov_test‖_F and ‖Corr_A − Corr_test‖_F for the
// cohort x with column statistics st.
func (p *frobPair) dist(x *floatMatrix, st *colStats) (cov, corr float64) {
	ac, az := centred(x, st)
	if x.n == p.n && slices.Equal(ac, p.tc) {
		return 0, 0
	}
	d := p.d
	if !p.dd(x.n) {
		if p.cov == nil {
			p.cov, p.cor = newFrobRef(p.tc, p.n, d), newFrobRef(p.tz, p.n, d)
		}
		return p.cov.dist(ac, x.n), p.cor.dist(az, x.n)
	}
	if p.gT == nil {
		p.gT = make([]float64, d*d)
		blas64.Implementation().Dgemm(blas.Trans, blas.NoTrans, d, d, p.n, 1, p.tc, d, p.tc, d, 0, p.gT, d)
	}
	g := make([]float64, d*d)
	blas64.Implementation().Dgemm(blas.Trans, blas.NoTrans, d, d, x.n, 1, ac, d, ac, d, 0, g, d)
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

// sortedColumns returns each site's values, sorted (site-major).
func sortedColumns(x *floatMatrix) [][]float64 {
	out := make([][]float64, x.d)
	buf := make([]float64, x.n*x.d)
	for j := 0; j < x.d; j++ {
		out[j] = x.col(j, buf[j*x.n:j*x.n])
		slices.Sort(out[j])
	}
	return out
}

func perSNPW2(ref, x [][]float64) []float64 {
	out := make([]float64, len(ref))
	for j := range ref {
		out[j] = math.Sqrt(metrics.W2Squared(x[j], ref[j]))
	}
	return out
}

// sortedProjections projects every individual on every direction and returns
// the sorted projections per direction. The product runs in float32 (gonum's
// Sgemm is about 1.7× faster than Dgemm here): a projection of thousands of
// dosages carries a relative error near 1e-7, far below the differences the
// sliced distance measures. p is the d × L direction matrix in float32.
func sortedProjections(x *floatMatrix, p []float32, L int) [][]float64 {
	c := make([]float32, x.n*L)
	blas32.Implementation().Sgemm(blas.NoTrans, blas.NoTrans, x.n, L, x.d, 1, toFloat32(x.data), x.d, p, L, 0, c, L)
	out := make([][]float64, L)
	buf := make([]float64, x.n*L)
	for l := 0; l < L; l++ {
		col := buf[l*x.n : (l+1)*x.n]
		for i := 0; i < x.n; i++ {
			col[i] = float64(c[i*L+l])
		}
		slices.Sort(col)
		out[l] = col
	}
	return out
}
