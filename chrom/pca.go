package chrom

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"sort"

	"github.com/gousynth/gousynth/vcf"
	"gonum.org/v1/gonum/mat"
)

// PCA is a principal-component basis of a whole chromosome's training
// dosages, standardised per SNP: z_j = (x_j − Mean_j)·Scale_j with Scale_j =
// 1/sd_j (0 for a monomorphic SNP). Loadings holds K unit columns (m×K); the
// score of an individual on PC k is Σ_j z_j·Loadings[j,k].
type PCA struct {
	Mean, Scale []float64
	Loadings    *mat.Dense
	// SD is the standard deviation of the training scores on each PC.
	SD []float64
}

// Float32 returns a copy of p at float32 precision, as windowed model
// files store it (chrom/file.go).
func (p *PCA) Float32() *PCA {
	q := &PCA{Mean: slices.Clone(p.Mean), Scale: slices.Clone(p.Scale), SD: slices.Clone(p.SD), Loadings: mat.DenseCopyOf(p.Loadings)}
	roundFloat32(q.Mean)
	roundFloat32(q.Scale)
	roundFloat32(q.SD)
	roundFloat32(q.Loadings.RawMatrix().Data)
	return q
}

// K returns the number of components.
func (p *PCA) K() int { _, k := p.Loadings.Dims(); return k }

const pcaChunk = 2048

// standardisedChunk returns sites [lo, hi) of g as a (hi−lo)×n standardised
// block (variant-major, like g).
func (p *PCA) standardisedChunk(g *vcf.Genotypes, lo, hi, siteOffset int) *mat.Dense {
	n := g.NumSamples()
	blk := mat.NewDense(hi-lo, n, nil)
	raw := blk.RawMatrix()
	for v := lo; v < hi; v++ {
		row := g.Dosage[v*n : (v+1)*n]
		mu, sc := p.Mean[v+siteOffset], p.Scale[v+siteOffset]
		dst := raw.Data[(v-lo)*raw.Stride : (v-lo)*raw.Stride+n]
		for s, d := range row {
			x := float64(d)
			if d < 0 { // missing: the mean, so 0 after centring
				x = mu
			}
			dst[s] = (x - mu) * sc
		}
	}
	return blk
}

// FitPCA computes the top k principal components of g's individuals by
// randomised subspace iteration (Halko et al. 2011: k+10 directions, 3 power
// iterations), streaming over SNPs in chunks, so that memory stays at the
// int8 genotypes plus O((n + m)·k). It returns the PCA and the training
// scores (n×k).
func FitPCA(g *vcf.Genotypes, k int, seed uint64) (*PCA, *mat.Dense, error) {
	n, m := g.NumSamples(), g.NumSites()
	if k < 1 || n < 3 || m < 2 {
		return nil, nil, fmt.Errorf("%w: PCA of %d individuals × %d SNPs with %d components", ErrOption, n, m, k)
	}
	l := k + 10
	if l > n-1 {
		l = n - 1
	}
	if l > m {
		l = m
	}
	if k > l {
		k = l
	}
	p := &PCA{Mean: make([]float64, m), Scale: make([]float64, m)}
	for v := 0; v < m; v++ {
		var s, c float64
		for _, d := range g.Dosage[v*n : (v+1)*n] {
			if d >= 0 {
				s += float64(d)
				c++
			}
		}
		if c == 0 {
			continue
		}
		mu := s / c
		var ss float64
		for _, d := range g.Dosage[v*n : (v+1)*n] {
			if d >= 0 {
				e := float64(d) - mu
				ss += e * e
			}
		}
		p.Mean[v] = mu
		if sd := math.Sqrt(ss / c); sd > 1e-9 {
			p.Scale[v] = 1 / sd
		}
	}
	rng := rand.New(rand.NewPCG(seed, 0x706361))
	omega := mat.NewDense(m, l, nil)
	od := omega.RawMatrix().Data
	for i := range od {
		od[i] = rng.NormFloat64()
	}
	// Y = A Ω (n×l) with A = standardised n×m.
	times := func(right *mat.Dense) *mat.Dense { // A·right, right m×l
		y := mat.NewDense(n, l, nil)
		var tmp mat.Dense
		for lo := 0; lo < m; lo += pcaChunk {
			hi := min(lo+pcaChunk, m)
			blk := p.standardisedChunk(g, lo, hi, 0)
			tmp.Reset()
			tmp.Mul(blk.T(), right.Slice(lo, hi, 0, l))
			y.Add(y, &tmp)
		}
		return y
	}
	timesT := func(y *mat.Dense) *mat.Dense { // Aᵀ·y, y n×l → m×l
		_, c := y.Dims()
		z := mat.NewDense(m, c, nil)
		for lo := 0; lo < m; lo += pcaChunk {
			hi := min(lo+pcaChunk, m)
			blk := p.standardisedChunk(g, lo, hi, 0)
			z.Slice(lo, hi, 0, c).(*mat.Dense).Mul(blk, y)
		}
		return z
	}
	orth := orthonormalise
	q := orth(times(omega))
	for it := 0; it < 3; it++ {
		z := orth(timesT(q))
		q = orth(times(z))
	}
	// B = Qᵀ A (l×m) = (Aᵀ Q)ᵀ; SVD of B through the l×l matrix B Bᵀ.
	bt := timesT(q) // m×l
	var bbt mat.SymDense
	bbt.SymOuterK(1, bt.T())
	var eig mat.EigenSym
	if !eig.Factorize(&bbt, true) {
		return nil, nil, fmt.Errorf("chrom: PCA eigendecomposition failed")
	}
	vals := eig.Values(nil)
	var vecs mat.Dense
	eig.VectorsTo(&vecs)
	order := make([]int, l)
	for i := range order {
		order[i] = i
	}
	sort.Slice(order, func(a, b int) bool { return vals[order[a]] > vals[order[b]] })
	p.Loadings = mat.NewDense(m, k, nil)
	scores := mat.NewDense(n, k, nil)
	p.SD = make([]float64, k)
	for c := 0; c < k; c++ {
		sv := math.Sqrt(math.Max(vals[order[c]], 0))
		w := mat.NewVecDense(l, nil)
		for i := 0; i < l; i++ {
			w.SetVec(i, vecs.At(i, order[c]))
		}
		// loading = Bᵀ w / σ; score = Q w σ... computed directly as A·loading.
		var load mat.VecDense
		load.MulVec(bt, w)
		if sv > 0 {
			load.ScaleVec(1/sv, &load)
		}
		// Deterministic sign: the largest |loading| is positive.
		big, sign := 0.0, 1.0
		for j := 0; j < m; j++ {
			if a := math.Abs(load.AtVec(j)); a > big {
				big, sign = a, math.Copysign(1, load.AtVec(j))
			}
		}
		for j := 0; j < m; j++ {
			p.Loadings.Set(j, c, sign*load.AtVec(j))
		}
	}
	sc := p.Project(g, 0, m, 0)
	scores.Copy(sc)
	for c := 0; c < k; c++ {
		var s, ss float64
		for i := 0; i < n; i++ {
			v := scores.At(i, c)
			s += v
			ss += v * v
		}
		mu := s / float64(n)
		p.SD[c] = math.Sqrt(math.Max(ss/float64(n)-mu*mu, 0))
	}
	return p, scores, nil
}

// Project returns the scores (n×K) of g's individuals computed from g's sites
// [lo, hi) only, which are the PCA's sites [lo+off, hi+off): the whole
// chromosome's scores when [lo, hi) covers it, a window's share otherwise.
func (p *PCA) Project(g *vcf.Genotypes, lo, hi, off int) *mat.Dense {
	n := g.NumSamples()
	k := p.K()
	out := mat.NewDense(n, k, nil)
	var tmp mat.Dense
	for a := lo; a < hi; a += pcaChunk {
		b := min(a+pcaChunk, hi)
		blk := p.standardisedChunk(g, a, b, off)
		tmp.Reset()
		tmp.Mul(blk.T(), p.Loadings.Slice(a+off, b+off, 0, k))
		out.Add(out, &tmp)
	}
	return out
}

// orthonormalise returns an orthonormal basis of a's columns (a tall r×c
// matrix) by modified Gram–Schmidt, done twice for stability; a column that
// vanishes is replaced by zeros. Unlike a full QR it never forms an r×r
// matrix.
func orthonormalise(a *mat.Dense) *mat.Dense {
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
