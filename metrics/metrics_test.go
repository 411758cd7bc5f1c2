package metrics

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/stat"
	"gonum.org/v1/gonum/stat/distuv"
)

func near(t *testing.T, name string, got, want, tol float64) {
	t.Helper()
	if math.Abs(got-want) > tol || math.IsNaN(got) {
		t.Errorf("%s = %.10g, want %.10g ± %g", name, got, want, tol)
	}
}

func TestW2AndW1HandComputed(t *testing.T) {
	// a = {0, 1}, b = {0, 0, 3}: quantile functions differ by 0 on [0, ½),
	// 1 on [½, ⅔) and 2 on [⅔, 1).
	a, b := []float64{0, 1}, []float64{0, 0, 3}
	near(t, "W2²", W2Squared(a, b), 0.5*0+(2.0/3-0.5)*1+(1-2.0/3)*4, 1e-12)
	near(t, "W1", W1(a, b), (2.0/3-0.5)*1+(1-2.0/3)*2, 1e-12)
	near(t, "W2² symmetric", W2Squared(b, a), W2Squared(a, b), 1e-15)
	near(t, "W2² self", W2Squared(b, b), 0, 0)
	if !math.IsNaN(W1(nil, b)) || !math.IsNaN(W2Squared(a, nil)) {
		t.Error("an empty sample gave a distance")
	}
}

func TestW2GaussianClosedForm(t *testing.T) {
	// W2²(N(μ1,σ1²), N(μ2,σ2²)) = (μ1−μ2)² + (σ1−σ2)²; W1 between two normals
	// of equal σ is |μ1−μ2|. Samples are exact quantiles, of different sizes.
	quant := func(mu, sigma float64, n int) []float64 {
		x := make([]float64, n)
		nd := distuv.Normal{Mu: mu, Sigma: sigma}
		for i := range x {
			x[i] = nd.Quantile((float64(i) + 0.5) / float64(n))
		}
		return x
	}
	for _, tc := range []struct{ m1, s1, m2, s2 float64 }{{0, 1, 1, 1}, {0, 1, 0, 2}, {-1, 0.5, 2, 3}} {
		a, b := quant(tc.m1, tc.s1, 20000), quant(tc.m2, tc.s2, 30011)
		want := (tc.m1-tc.m2)*(tc.m1-tc.m2) + (tc.s1-tc.s2)*(tc.s1-tc.s2)
		near(t, "W2² Gaussians", W2Squared(a, b), want, 2e-3*(1+want))
		if tc.s1 == tc.s2 {
			near(t, "W1 shifted Gaussians", W1(a, b), math.Abs(tc.m1-tc.m2), 1e-3)
		}
	}
}

// W1 is gonum's stat.WassersteinDistance (which rounds differently, so the
// pinned outputs keep W1).
func TestW1MatchesGonum(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for _, sz := range [][2]int{{7, 7}, {50, 31}, {400, 1000}} {
		a, b := make([]float64, sz[0]), make([]float64, sz[1])
		for i := range a {
			a[i] = rng.NormFloat64()
		}
		for i := range b {
			b[i] = 0.5 + 2*rng.NormFloat64()
		}
		want := stat.WassersteinDistance(a, b, nil, nil)
		slices.Sort(a)
		slices.Sort(b)
		near(t, "W1 vs gonum", W1(a, b), want, 1e-12*(1+want))
	}
}

func TestKLMatchesGonum(t *testing.T) {
	p, q := []float64{0.5, 0.25, 0.25, 0}, []float64{0.1, 0.6, 0.2, 0.1}
	near(t, "KL", KL(p, q), stat.KullbackLeibler(p, q), 1e-15)
	near(t, "KL self", KL(q, q), 0, 0)
}

func TestSlicedW2OfShift(t *testing.T) {
	// Shifting a cohort by c along every direction θ shifts its projection by
	// θ·c; SW2² = mean over θ of (θ·c)².
	const d, L = 5, 64
	for _, draw := range []DirectionDraw{DrawSiteMajor, DrawDirectionMajor} {
		p := RandomDirections(d, L, 7, 11, draw)
		c := []float64{1, -2, 0.5, 0, 3}
		x := [][]float64{}
		y := [][]float64{}
		want := 0.0
		for l := 0; l < L; l++ {
			var norm, shift float64
			for j := 0; j < d; j++ {
				norm += p[j*L+l] * p[j*L+l]
				shift += p[j*L+l] * c[j]
			}
			near(t, "|θ|", norm, 1, 1e-12)
			x = append(x, []float64{-1, 0, 2})
			y = append(y, []float64{-1 + shift, shift, 2 + shift})
			want += shift * shift / L
		}
		near(t, "SW2", SlicedW2(x, y), math.Sqrt(want), 1e-12)
	}
	if slices.Equal(RandomDirections(d, L, 7, 11, DrawSiteMajor), RandomDirections(d, L, 7, 11, DrawDirectionMajor)) {
		t.Error("the two draws gave the same directions")
	}
}

func TestQuantileMethods(t *testing.T) {
	// numpy.quantile([5, 1, 4, 2, 3], q) with linear interpolation; the
	// rounded rank takes the order statistic at round(q·(n−1)).
	x := []float64{5, 1, 4, 2, 3}
	near(t, "median", Quantile(x, 0.5, Interpolated), 3, 0)
	near(t, "p5", Quantile(x, 0.05, Interpolated), 1.2, 1e-12)
	near(t, "p100", Quantile(x, 1, Interpolated), 5, 0)
	near(t, "p5 rank", Quantile(x, 0.05, RoundedRank), 1, 0)
	near(t, "p40 rank", Quantile(x, 0.4, RoundedRank), 3, 0) // position 1.6 → 2
	even := []float64{0, 10, 20, 30}
	near(t, "even median", Quantile(even, 0.5, Interpolated), 15, 0)
	near(t, "even median rank", Quantile(even, 0.5, RoundedRank), 20, 0)
	if !slices.Equal(x, []float64{5, 1, 4, 2, 3}) {
		t.Error("Quantile sorted its argument")
	}
	if !math.IsNaN(Quantile(nil, 0.5, RoundedRank)) {
		t.Error("quantile of nothing")
	}
	near(t, "FracZero", FracZero([]float64{0, 1, 0, 3}), 0.5, 0)
}

func TestOrthonormalisers(t *testing.T) {
	a := GaussianMatrix(40, 6, 1, 2)
	for name, orth := range map[string]Orthonormaliser{"GramSchmidt": GramSchmidt, "CholeskyQR2": CholeskyQR2} {
		q := orth(a)
		var g mat.Dense
		g.Mul(q.T(), q)
		if !mat.EqualApprox(&g, identity(6), 1e-12) {
			t.Errorf("%s: QᵀQ ≠ I", name)
		}
		// Same span: the projection of a onto Q is a.
		var p, back mat.Dense
		p.Mul(q.T(), a)
		back.Mul(q, &p)
		if !mat.EqualApprox(&back, a, 1e-10) {
			t.Errorf("%s: Q does not span a", name)
		}
	}
	// A rank-deficient matrix: CholeskyQR2 falls back to Householder.
	r := mat.NewDense(5, 2, []float64{1, 2, 2, 4, 3, 6, 4, 8, 5, 10})
	q := CholeskyQR2(r)
	var g mat.Dense
	g.Mul(q.T(), q)
	if !mat.EqualApprox(&g, identity(2), 1e-12) {
		t.Error("rank-deficient CholeskyQR2: QᵀQ ≠ I")
	}
}

func identity(n int) *mat.Dense {
	m := mat.NewDense(n, n, nil)
	for i := 0; i < n; i++ {
		m.Set(i, i, 1)
	}
	return m
}

// The randomised PCA, with either caller's settings, finds the right
// singular vectors and squared singular values of gonum's exact SVD.
func TestRandomisedPCAMatchesExactSVD(t *testing.T) {
	const n, d, k = 60, 25, 3
	rng := rand.New(rand.NewPCG(5, 6))
	// A low-rank signal with a decaying spectrum plus noise.
	a := mat.NewDense(n, d, nil)
	for _, s := range []float64{20, 10, 5} {
		u, v := make([]float64, n), make([]float64, d)
		for i := range u {
			u[i] = rng.NormFloat64()
		}
		for j := range v {
			v[j] = rng.NormFloat64()
		}
		for i := 0; i < n; i++ {
			for j := 0; j < d; j++ {
				a.Set(i, j, a.At(i, j)+s*u[i]*v[j]/math.Sqrt(float64(n*d)))
			}
		}
	}
	for i := 0; i < n; i++ {
		for j := 0; j < d; j++ {
			a.Set(i, j, a.At(i, j)+0.05*rng.NormFloat64())
		}
	}
	var svd mat.SVD
	if !svd.Factorize(a, mat.SVDThin) {
		t.Fatal("svd")
	}
	sv := svd.Values(nil)
	var v mat.Dense
	svd.VTo(&v)
	settings := map[string]PCAOptions{
		"report": {PerComponent: 2, Extra: 10, PowerIterations: 7, Orthonormalise: CholeskyQR2, Stream: 1, RowMajorB: true},
		"chrom":  {PerComponent: 1, Extra: 10, MaxDirections: n - 1, PowerIterations: 3, Orthonormalise: GramSchmidt, Stream: 2},
	}
	results := map[string]*PCA{}
	for name, o := range settings {
		p, err := RandomisedPCA(DenseOperator{A: a}, k, 9, o)
		if err != nil {
			t.Fatal(err)
		}
		results[name] = p
		for c := 0; c < k; c++ {
			near(t, name+" σ²", p.Values[c], sv[c]*sv[c], 1e-8*sv[0]*sv[0])
			dot, big := 0.0, 0
			for j := 0; j < d; j++ {
				dot += v.At(j, c) * p.Loadings.At(j, c)
				if math.Abs(p.Loadings.At(j, c)) > math.Abs(p.Loadings.At(big, c)) {
					big = j
				}
			}
			near(t, name+" |cos(axis, exact)|", math.Abs(dot), 1, 1e-9)
			if p.Loadings.At(big, c) <= 0 {
				t.Errorf("%s: axis %d has a negative largest loading", name, c)
			}
		}
	}
	// The two layouts of B give the same axes up to rounding.
	if !mat.EqualApprox(results["report"].Loadings, results["chrom"].Loadings, 1e-4) {
		t.Error("report and chrom settings disagree")
	}
	if _, err := RandomisedPCA(DenseOperator{A: a}, 0, 1, settings["chrom"]); err == nil {
		t.Error("0 components accepted")
	}
}

// RangeFinder with no power iteration is orth(A·Ω).
func TestRangeFinderSpansProduct(t *testing.T) {
	a := GaussianMatrix(30, 12, 1, 1)
	om := GaussianMatrix(12, 4, 2, 2)
	q := RangeFinder(DenseOperator{A: a}, om, 0, GramSchmidt)
	want := GramSchmidt(DenseOperator{A: a}.Mul(om))
	if !mat.Equal(q, want) {
		t.Error("RangeFinder(0 iterations) ≠ orth(AΩ)")
	}
}
