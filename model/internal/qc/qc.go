// Package qc computes the quality and privacy figures the model's tests and
// experiments check (covariance Frobenius error, LD r² error, allele
// frequency r², identical matches, AATS) on dosage matrices
// (individuals × SNPs). It is independent of the report package, which the
// model package must not import; the report package is the reference for
// users.
package qc

import (
	"math"
	"math/rand/v2"
	"sort"

	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/stat"
)

// Cov returns the column covariance matrix of x.
func Cov(x *mat.Dense) *mat.SymDense {
	var c mat.SymDense
	stat.CovarianceMatrix(&c, x, nil)
	return &c
}

// CovFrobenius returns ‖Cov(a) − Cov(b)‖_F.
func CovFrobenius(a, b *mat.Dense) float64 {
	ca, cb := Cov(a), Cov(b)
	n := ca.SymmetricDim()
	var s float64
	for i := 0; i < n; i++ {
		for j := 0; j < n; j++ {
			e := ca.At(i, j) - cb.At(i, j)
			s += e * e
		}
	}
	return math.Sqrt(s)
}

// LDr2 returns r² of every SNP pair (i, j) with 0 < j − i ≤ window, in order.
// Monomorphic SNPs give r² = 0.
func LDr2(x *mat.Dense, window int) []float64 {
	c := Cov(x)
	d := c.SymmetricDim()
	var out []float64
	for i := 0; i < d; i++ {
		for j := i + 1; j < d && j-i <= window; j++ {
			den := c.At(i, i) * c.At(j, j)
			r2 := 0.0
			if den > 1e-12 {
				r2 = c.At(i, j) * c.At(i, j) / den
			}
			out = append(out, r2)
		}
	}
	return out
}

// LDMAE returns the mean |r²_a − r²_b| over pairs within window.
func LDMAE(a, b *mat.Dense, window int) float64 {
	ra, rb := LDr2(a, window), LDr2(b, window)
	var s float64
	for i := range ra {
		s += math.Abs(ra[i] - rb[i])
	}
	return s / float64(len(ra))
}

// AlleleFreq returns the ALT allele frequency of each column.
func AlleleFreq(x *mat.Dense) []float64 {
	n, d := x.Dims()
	f := make([]float64, d)
	for j := 0; j < d; j++ {
		var s float64
		for i := 0; i < n; i++ {
			s += x.At(i, j)
		}
		f[j] = s / float64(2*n)
	}
	return f
}

// AFr2 returns the squared Pearson correlation of allele frequencies.
func AFr2(a, b *mat.Dense) float64 {
	r := stat.Correlation(AlleleFreq(a), AlleleFreq(b), nil)
	return r * r
}

func manhattan(a, b []float64) float64 {
	var s float64
	for i := range a {
		s += math.Abs(a[i] - b[i])
	}
	return s
}

// nearest returns, for every row of a, the Manhattan distance to the closest
// row of b (skipping the same index when self is true).
func nearest(a, b *mat.Dense, self bool) []float64 {
	na, _ := a.Dims()
	nb, _ := b.Dims()
	out := make([]float64, na)
	for i := 0; i < na; i++ {
		best := math.Inf(1)
		ra := a.RawRowView(i)
		for j := 0; j < nb; j++ {
			if self && i == j {
				continue
			}
			if d := manhattan(ra, b.RawRowView(j)); d < best {
				best = d
			}
		}
		out[i] = best
	}
	return out
}

// IdenticalRate returns the fraction of rows of synth equal to some row of train.
func IdenticalRate(synth, train *mat.Dense) float64 {
	d := nearest(synth, train, false)
	var c int
	for _, v := range d {
		if v == 0 {
			c++
		}
	}
	return float64(c) / float64(len(d))
}

// AATS is the nearest-neighbour adversarial accuracy of Yale et al. between
// synthetic and training rows (equal-sized random subsets of at most m rows);
// 0.5 is ideal, near 1 means overfitting-free but distinguishable, near 0
// means copying.
func AATS(synth, train *mat.Dense, m int, seed uint64) float64 {
	ns, d := synth.Dims()
	nt, _ := train.Dims()
	m = min(m, ns, nt)
	rng := rand.New(rand.NewPCG(seed, 1))
	pick := func(x *mat.Dense, n int) *mat.Dense {
		idx := rng.Perm(n)[:m]
		out := mat.NewDense(m, d, nil)
		for i, k := range idx {
			out.SetRow(i, x.RawRowView(k))
		}
		return out
	}
	s, t := pick(synth, ns), pick(train, nt)
	dts, dtt := nearest(t, s, false), nearest(t, t, true)
	dst, dss := nearest(s, t, false), nearest(s, s, true)
	var a, b int
	for i := 0; i < m; i++ {
		if dts[i] > dtt[i] {
			a++
		}
		if dst[i] > dss[i] {
			b++
		}
	}
	return 0.5 * (float64(a)/float64(m) + float64(b)/float64(m))
}

// Subset returns m random rows of x.
func Subset(x *mat.Dense, m int, seed uint64) *mat.Dense {
	n, d := x.Dims()
	rng := rand.New(rand.NewPCG(seed, 2))
	idx := rng.Perm(n)[:m]
	out := mat.NewDense(m, d, nil)
	for i, k := range idx {
		out.SetRow(i, x.RawRowView(k))
	}
	return out
}

// PCAW1 projects test, other on the top pcs principal components of train
// and returns the mean over PCs of the 1-D Wasserstein-1 distance between
// the projected test and other scores.
func PCAW1(train, test, other *mat.Dense, pcs int) float64 {
	var p stat.PC
	if !p.PrincipalComponents(train, nil) {
		return math.NaN()
	}
	var v mat.Dense
	p.VectorsTo(&v)
	_, d := train.Dims()
	mean := make([]float64, d)
	n, _ := train.Dims()
	for j := 0; j < d; j++ {
		for i := 0; i < n; i++ {
			mean[j] += train.At(i, j)
		}
		mean[j] /= float64(n)
	}
	proj := func(x *mat.Dense) [][]float64 {
		m, _ := x.Dims()
		out := make([][]float64, pcs)
		for k := 0; k < pcs; k++ {
			out[k] = make([]float64, m)
			for i := 0; i < m; i++ {
				var s float64
				for j := 0; j < d; j++ {
					s += (x.At(i, j) - mean[j]) * v.At(j, k)
				}
				out[k][i] = s
			}
		}
		return out
	}
	a, b := proj(test), proj(other)
	var tot float64
	for k := 0; k < pcs; k++ {
		tot += w1(a[k], b[k])
	}
	return tot / float64(pcs)
}

// w1 is the 1-D Wasserstein-1 distance between two empirical samples.
func w1(a, b []float64) float64 {
	a = append([]float64(nil), a...)
	b = append([]float64(nil), b...)
	sortF(a)
	sortF(b)
	const q = 1000
	var s float64
	for i := 0; i < q; i++ {
		p := (float64(i) + 0.5) / q
		s += math.Abs(a[int(p*float64(len(a)))] - b[int(p*float64(len(b)))])
	}
	return s / q
}

func sortF(x []float64) { sort.Float64s(x) }
