package report

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"

	"gonum.org/v1/gonum/mat"

	"github.com/gousynth/gousynth/vcf"
)

// pca is a set of principal axes of standardised dosages.
type pca struct {
	mean, invSD []float64  // per site; invSD 0 for monomorphic sites
	axes        *mat.Dense // d × k loadings, orthonormal columns
	varFrac     []float64  // fraction of total variance per axis
}

// powerIterations of the randomized SVD: genotype spectra decay slowly, so
// the range finder needs several passes to resolve the top axes.
const powerIterations = 7

// fitPCA finds the top k principal axes of src (standardised per site by its
// own mean and SD) with a seeded randomized SVD (Halko et al. 2011: range
// finder with 2k+10 directions and powerIterations power iterations), which needs only
// thin matrix products instead of an n × n or d × d eigenproblem.
func fitPCA(src *floatMatrix, k int, seed uint64) (*pca, error) {
	n, d := src.n, src.d
	k = min(k, n-1, d)
	if k < 1 {
		return nil, fmt.Errorf("report: PCA needs at least 2 individuals and 1 site: %w", ErrTooFew)
	}
	st := columnStats(src)
	p := &pca{mean: st.mean, invSD: make([]float64, d)}
	for j, sd := range st.sd {
		if sd > monomorphicSD {
			p.invSD[j] = 1 / sd
		}
	}
	z := p.standardise(src)
	total := 0.0
	for _, v := range z.RawMatrix().Data {
		total += v * v
	}
	l := min(2*k+10, n, d)
	rng := rand.New(rand.NewPCG(seed, 0x243f6a8885a308d3))
	omega := mat.NewDense(d, l, nil)
	for i := range omega.RawMatrix().Data {
		omega.RawMatrix().Data[i] = rng.NormFloat64()
	}
	var y mat.Dense
	y.Mul(z, omega) // n × l
	q := orthonormal(&y)
	for it := 0; it < powerIterations; it++ {
		var w mat.Dense
		w.Mul(z.T(), q) // d × l
		qw := orthonormal(&w)
		y.Reset()
		y.Mul(z, qw)
		q = orthonormal(&y)
	}
	var b mat.Dense
	b.Mul(q.T(), z) // l × d
	var bbt mat.SymDense
	bbt.SymOuterK(1, &b)
	var eig mat.EigenSym
	if !eig.Factorize(&bbt, true) {
		return nil, fmt.Errorf("report: PCA eigendecomposition did not converge")
	}
	vals := eig.Values(nil) // ascending
	var vecs mat.Dense
	eig.VectorsTo(&vecs)
	p.axes = mat.NewDense(d, k, nil)
	for a := 0; a < k; a++ {
		c := l - 1 - a
		s2 := vals[c]
		if s2 <= 0 {
			break
		}
		u := mat.Col(nil, c, &vecs)
		var v mat.VecDense
		v.MulVec(b.T(), mat.NewVecDense(l, u))
		v.ScaleVec(1/math.Sqrt(s2), &v)
		// Fix the sign so that the largest loading is positive: the axes do
		// not depend on floating-point accidents of the iteration.
		big := 0
		for j := 0; j < d; j++ {
			if math.Abs(v.AtVec(j)) > math.Abs(v.AtVec(big)) {
				big = j
			}
		}
		if v.AtVec(big) < 0 {
			v.ScaleVec(-1, &v)
		}
		p.axes.SetCol(a, v.RawVector().Data)
		p.varFrac = append(p.varFrac, s2/total)
	}
	return p, nil
}

// orthonormal returns an orthonormal basis of the columns of a (tall, full
// column rank in practice) by CholeskyQR2: two passes of Q = A R⁻¹ with
// RᵀR = AᵀA. It needs only a thin product and a small Cholesky factor, where
// gonum's Householder QR with an explicit Q is an order of magnitude slower
// on 5000 × 30 matrices. A rank-deficient a falls back to Householder QR.
func orthonormal(a *mat.Dense) *mat.Dense {
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

func (p *pca) standardise(x *floatMatrix) *mat.Dense {
	z := mat.NewDense(x.n, x.d, nil)
	raw := z.RawMatrix().Data
	for i := 0; i < x.n; i++ {
		r := x.row(i)
		o := raw[i*x.d : (i+1)*x.d]
		for j, v := range r {
			o[j] = (v - p.mean[j]) * p.invSD[j]
		}
	}
	return z
}

// project returns the n × k scores of x on the axes, row-major.
func (p *pca) project(x *floatMatrix) []float64 {
	var s mat.Dense
	s.Mul(p.standardise(x), p.axes)
	return s.RawMatrix().Data
}

// W1 returns the 1-D Wasserstein-1 distance ∫₀¹ |F_a⁻¹(u) − F_b⁻¹(u)| du
// between the empirical distributions of two sorted samples.
func W1(a, b []float64) float64 {
	na, nb := len(a), len(b)
	if na == 0 || nb == 0 {
		return math.NaN()
	}
	i, j, prev := 0, 0, 0
	s := 0.0
	for i < na && j < nb {
		ea, eb := (i+1)*nb, (j+1)*na
		next := min(ea, eb)
		s += float64(next-prev) * math.Abs(a[i]-b[j])
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

func sortedScoreColumn(scores []float64, n, k, c int) []float64 {
	out := make([]float64, n)
	for i := 0; i < n; i++ {
		out[i] = scores[i*k+c]
	}
	slices.Sort(out)
	return out
}

// structureMetrics projects test, synthetic and floor individuals on the top
// principal axes of src and compares their distributions per axis.
func structureMetrics(src *vcf.Genotypes, T, S cohort, F *cohort, opts Options, seed uint64, plots *PlotData) ([]Metric, error) {
	srcF := T.x
	if src != T.g {
		srcF = toFloat(src)
	}
	p, err := fitPCA(srcF, opts.PCs, seed)
	if err != nil {
		return nil, err
	}
	k := len(p.varFrac)
	if k == 0 {
		return nil, fmt.Errorf("report: PCA found no axis with variance: %w", ErrTooFew)
	}
	if k < p.axes.RawMatrix().Cols {
		p.axes = mat.DenseCopyOf(p.axes.Slice(0, T.x.d, 0, k))
	}
	sT, sS := p.project(T.x), p.project(S.x)
	var sF []float64
	if F != nil {
		sF = p.project(F.x)
	}
	plots.PCs, plots.PCTest, plots.PCSynth, plots.PCVarianceExplained = k, sT, sS, p.varFrac
	plots.TestPop = make([]string, T.g.NumSamples())
	if opts.Panel != nil {
		for i, id := range T.g.Samples {
			plots.TestPop[i] = opts.Panel[id]
		}
	}
	wS := make([]float64, k)
	wF := make([]float64, k)
	for c := 0; c < k; c++ {
		t := sortedScoreColumn(sT, T.x.n, k, c)
		wS[c] = W1(sortedScoreColumn(sS, S.x.n, k, c), t)
		wF[c] = math.NaN()
		if F != nil {
			wF[c] = W1(sortedScoreColumn(sF, F.x.n, k, c), t)
		}
	}
	meanF := math.NaN()
	if F != nil {
		meanF = mean(wF)
	}
	out := []Metric{metricLower("pca_w1_mean", fmt.Sprintf("Wasserstein-1 distance between PC scores and those of the test cohort, mean over the top %d training PCs", k), mean(wS), meanF)}
	for c := 0; c < k && c < 4; c++ {
		out = append(out, metricLower(fmt.Sprintf("pca_w1_pc%d", c+1), fmt.Sprintf("Wasserstein-1 distance of PC%d scores (%.1f%% of training variance)", c+1, 100*p.varFrac[c]), wS[c], wF[c]))
	}
	return out, nil
}
