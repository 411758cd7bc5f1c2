package chrom

import (
	"fmt"
	"math"
	"slices"

	"github.com/gousynth/gousynth/metrics"
	"github.com/gousynth/gousynth/vcf"
	"gonum.org/v1/gonum/mat"
)

// PCA is a principal-component basis of a whole chromosome's training
// dosages, standardised per SNP: z_j = (x_j − Mean_j)·Scale_j with Scale_j =
// 1/sd_j (0 for a monomorphic SNP). Loadings holds K unit columns (m×K); the
// score of an individual on PC k is Σ_j z_j·Loadings[j,k]. K may be 0 (no
// axis of the training data replicates, ReplicatedAxes): Loadings is then
// nil and so are the scores and every ancestry latent (n×0).
type PCA struct {
	Mean, Scale []float64
	Loadings    *mat.Dense
	// SD is the standard deviation of the training scores on each PC.
	SD []float64
}

// Float32 returns a copy of p at float32 precision, as windowed model
// files store it (chrom/file.go).
func (p *PCA) Float32() *PCA {
	q := &PCA{Mean: slices.Clone(p.Mean), Scale: slices.Clone(p.Scale), SD: slices.Clone(p.SD)}
	roundFloat32(q.Mean)
	roundFloat32(q.Scale)
	roundFloat32(q.SD)
	if p.Loadings != nil {
		q.Loadings = mat.DenseCopyOf(p.Loadings)
		roundFloat32(q.Loadings.RawMatrix().Data)
	}
	return q
}

// K returns the number of components.
func (p *PCA) K() int {
	if p.Loadings == nil {
		return 0
	}
	_, k := p.Loadings.Dims()
	return k
}

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
// randomised subspace iteration (metrics.RandomisedPCA: k+10 directions, 3
// power iterations, Gram–Schmidt), streaming over SNPs in chunks, so that
// memory stays at the int8 genotypes plus O((n + m)·k). It returns the PCA
// and the training scores (n×k). With k = 0 it returns the standardisation
// alone (no loadings, nil scores).
func FitPCA(g *vcf.Genotypes, k int, seed uint64) (*PCA, *mat.Dense, error) {
	n, m := g.NumSamples(), g.NumSites()
	if k < 0 || n < 3 || m < 2 {
		return nil, nil, fmt.Errorf("%w: PCA of %d individuals × %d SNPs with %d components", ErrOption, n, m, k)
	}
	k = min(k, n-1, m) // as RandomisedPCA reduces it: k+10 directions, at most n−1 and m
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
	if k == 0 {
		return p, nil, nil
	}
	// The streaming settings: k+10 directions and 3 power iterations
	// (report's in-memory PCA takes 2k+10 and 7): every product with A is
	// a pass over the whole chromosome's genotypes, and the windowed model
	// files store these loadings, so they stay as they were fitted.
	res, err := metrics.RandomisedPCA(chromOperator{p: p, g: g}, k, seed, metrics.PCAOptions{
		PerComponent: 1, Extra: 10, MaxDirections: n - 1, PowerIterations: 3,
		Orthonormalise: metrics.GramSchmidt, Stream: 0x706361,
	})
	if err != nil {
		return nil, nil, fmt.Errorf("chrom: PCA eigendecomposition failed: %w", err)
	}
	p.Loadings = res.Loadings
	scores := mat.NewDense(n, k, nil)
	p.SD = make([]float64, k)
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
// chromosome's scores when [lo, hi) covers it, a window's share otherwise
// (nil when K = 0).
func (p *PCA) Project(g *vcf.Genotypes, lo, hi, off int) *mat.Dense {
	n := g.NumSamples()
	k := p.K()
	if k == 0 {
		return nil
	}
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

// chromOperator is the standardised n×m genotype matrix of g as a
// metrics.Operator, its products taken chunk by chunk of pcaChunk sites
// so that it is never held in floating point.
type chromOperator struct {
	p *PCA
	g *vcf.Genotypes
}

func (o chromOperator) Dims() (int, int) { return o.g.NumSamples(), o.g.NumSites() }

// Mul returns A·right (n×c) for an m×c right.
func (o chromOperator) Mul(right *mat.Dense) *mat.Dense {
	n, m := o.Dims()
	_, c := right.Dims()
	y := mat.NewDense(n, c, nil)
	var tmp mat.Dense
	for lo := 0; lo < m; lo += pcaChunk {
		hi := min(lo+pcaChunk, m)
		blk := o.p.standardisedChunk(o.g, lo, hi, 0)
		tmp.Reset()
		tmp.Mul(blk.T(), right.Slice(lo, hi, 0, c))
		y.Add(y, &tmp)
	}
	return y
}

// MulT returns Aᵀ·y (m×c) for an n×c y.
func (o chromOperator) MulT(y *mat.Dense) *mat.Dense {
	_, m := o.Dims()
	_, c := y.Dims()
	z := mat.NewDense(m, c, nil)
	for lo := 0; lo < m; lo += pcaChunk {
		hi := min(lo+pcaChunk, m)
		blk := o.p.standardisedChunk(o.g, lo, hi, 0)
		z.Slice(lo, hi, 0, c).(*mat.Dense).Mul(blk, y)
	}
	return z
}
