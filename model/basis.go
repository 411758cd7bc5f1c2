package model

import (
	"github.com/gousynth/gousynth/internal/roc"

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
// At most maxBasisRank(n, d) directions are kept (n training individuals).
// With more non-negligible directions (d close to or above n) the trailing
// ones are dropped and their variance is modelled as a Gaussian residual,
// independent between consecutive blocks of ResidBlock SNPs and with the
// training residual covariance inside a block (its symmetric square roots
// are ResidSqrt, in the scaled units, so a sample is x = Mean + Scale ⊙
// (U y + e), e_block = ResidSqrt_block · z, z ~ N(0, I)); Resid holds the
// per-SNP residual variances (the diagonal). Without the cut,
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

	ResidBlock int         // SNPs per residual block (the last may be shorter)
	ResidSqrt  [][]float64 // per block, its m×m square root, row-major
}

// residBlocks returns the SNP ranges [lo, hi) of the residual blocks.
func (b *Basis) residBlocks() [][2]int {
	var out [][2]int
	for lo := 0; lo < len(b.Mean); lo += b.ResidBlock {
		out = append(out, [2]int{lo, min(len(b.Mean), lo+b.ResidBlock)})
	}
	return out
}

// residBlockSize is the number of consecutive SNPs whose residual covariance
// a capped basis keeps, for n training individuals: ⌊n/8⌋ (at least 1), so
// that each block's covariance is estimated from ≥ 8 individuals per SNP.
func residBlockSize(n int) int { return max(1, n/8) }

// maxBasisRank returns the number of eigen-directions newBasisFor keeps at most
// for n training individuals and d SNPs:
//
//	min(⌊n/2⌋, ⌊n³/(4d²)⌋), at least 1.
//
// For d ≤ n/2 this is ≥ d, so nothing is dropped (bundled 1000 Genomes
// region: 741 SNPs, 1753 individuals, unchanged). Beyond, it falls
// continuously: n/4 at d = n, n/16 at d = 2n. Directions past it are
// estimated from too few individuals: they capture more of a training
// individual's genotype vector than of a new one's (the in-sample bias of
// PCA, which grows with the number of directions kept and with d/n), and
// synthetic individuals drawn in them are measurably nearer to the training
// individuals. The n³/(4d²) branch is an interpolation between "no change at
// d = n/2" and the measured point k = 10 on a simulated 500 × 1000 panel
// (350 training individuals), where, with the block residual, membership
// inference on the synthetic data fell from AUC 0.75–0.77 to 0.61–0.62 and
// fidelity improved; it is not derived from theory.
func maxBasisRank(n, d int) int {
	k := n / 2
	if c := float64(n) * float64(n) * float64(n) / (4 * float64(d) * float64(d)); c < float64(k) {
		k = int(c)
	}
	return max(1, k)
}

// ErrNoVariance is returned when the training data have no variance.
var ErrNoVariance = errors.New("model: training data have no variance")

// newBasisFor computes the basis of x (n×d). With standardise, each column
// is divided by its standard deviation (monomorphic columns keep scale 1).
// For d ≤ n it diagonalises the d×d covariance; for d > n it diagonalises
// the n×n Gram matrix and maps its eigenvectors back
// (U = Xcᵀ V / √((n−1)λ)), never decomposing a rank-deficient d×d matrix.
// It keeps at most maxBasisRank(n, d) directions and sets Resid when it
// drops any.
//
// With private (Config.Private), for d > n/2 (it changes nothing when no
// direction is dropped), it keeps only as many leading directions as a
// split-half model-file probe allows (privateRank, privateProbeAUC) and
// gives each residual block the covariance of an AR fit along its SNPs
// (residARLags predecessors) instead of the full block covariance.
func newBasisFor(x *mat.Dense, standardise, private bool) (*Basis, error) {
	n, d := x.Dims()
	return newBasisOpts(x, standardise, defaultBasisOpts(n, d, private))
}

// privateProbeAUC is the largest split-half model-file probe AUC that
// newBasisFor accepts when it drops directions (privateRank).
const privateProbeAUC = 0.55

// residARLags returns the number of predecessors of the AR fit of newBasisFor's
// residual blocks for n training individuals and d SNPs:
// round(n/(5√d)), between 1 and 16. The likelihood-ratio attack on the
// model's density gains about lags·√(2d)/n standard deviations
// (d·(lags+1) free parameters); this keeps it near 0.2.
func residARLags(n, d int) int {
	return min(16, max(1, int(math.Round(float64(n)/(5*math.Sqrt(float64(d)))))))
}

// defaultBasisOpts are the choices of newBasisFor (with or without private)
// for n individuals and d SNPs.
func defaultBasisOpts(n, d int, private bool) basisOpts {
	o := basisOpts{maxRank: maxBasisRank(n, d), block: residBlockSize(n)}
	if private {
		o.arLags, o.probeAUC = residARLags(n, d), privateProbeAUC
	}
	return o
}

// basisOpts are the choices of newBasisOpts: at most maxRank directions,
// residual blocks of block SNPs, residual taper scale taper (SNPs; 0 = none).
type basisOpts struct {
	maxRank, block int
	taper          float64
	arLags         int // > 0: the residual block covariance is that of an AR(arLags) fit (banded precision)
	// probeAUC > 0: when directions are dropped, keep only as many as a
	// split-half model-file probe allows (privateRank).
	probeAUC float64
}

// privateRank returns the number of leading directions to keep given the
// split-half probe AUCs of halfProbeAUCs (auc[k-1] for k directions): the
// largest k whose AUC and every smaller k's is at most target, at least 1.
func privateRank(auc []float64, target float64) int {
	k := 0
	for k < len(auc) && auc[k] <= target {
		k++
	}
	return max(1, k)
}

// newBasis is newBasisFor keeping at most maxRank directions.
func newBasis(x *mat.Dense, standardise bool, maxRank int) (*Basis, error) {
	n, _ := x.Dims()
	return newBasisOpts(x, standardise, basisOpts{maxRank: maxRank, block: residBlockSize(n)})
}

// newBasisOpts is newBasisFor with explicit options: centre (and scale) the
// SNPs, take the eigenvectors of their covariance, keep the leading ones
// and, when some were dropped, model the rest as residual blocks.
func newBasisOpts(x *mat.Dense, standardise bool, o basisOpts) (*Basis, error) {
	n, d := x.Dims()
	if n < 2 {
		return nil, fmt.Errorf("model: need at least 2 individuals, got %d", n)
	}
	b := &Basis{Mean: make([]float64, d), Scale: make([]float64, d)}
	xc := b.centre(x, standardise)
	vals, vecs, err := eigenDirections(xc)
	if err != nil {
		return nil, err
	}
	keep, truncated, err := keptDirections(vals, xc, o)
	if err != nil {
		return nil, err
	}
	b.setDirections(vals, vecs, keep)
	if truncated {
		if err := b.fitResidual(xc, o); err != nil {
			return nil, err
		}
	}
	return b, nil
}

// centre sets b's per-SNP Mean and Scale (the standard deviation when
// standardise, else 1) from x and returns the centred, scaled copy.
func (b *Basis) centre(x *mat.Dense, standardise bool) *mat.Dense {
	n, d := x.Dims()
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
	return xc
}

// eigenDirections returns the eigenvalues and unit eigenvectors (columns)
// of the covariance of xc (n×d): from the d×d covariance when d ≤ n, else
// from the n×n Gram matrix.
func eigenDirections(xc *mat.Dense) ([]float64, *mat.Dense, error) {
	n, d := xc.Dims()
	var es mat.EigenSym
	var vals []float64
	var vecs mat.Dense
	if d <= n {
		var cov mat.SymDense
		cov.SymOuterK(1/float64(n-1), xc.T())
		if !es.Factorize(&cov, true) {
			return nil, nil, errors.New("model: eigendecomposition of the covariance failed")
		}
		vals = es.Values(nil)
		es.VectorsTo(&vecs)
		return vals, &vecs, nil
	}
	var gram mat.SymDense
	gram.SymOuterK(1/float64(n-1), xc)
	if !es.Factorize(&gram, true) {
		return nil, nil, errors.New("model: eigendecomposition of the Gram matrix failed")
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
	return vals, &vecs, nil
}

// keptDirections returns the indices of the directions to keep, largest
// eigenvalue first: those above 1e-9 of the largest, at most o.maxRank
// (fewer, with o.probeAUC, as the split-half probe allows), and whether
// any above that floor was dropped.
func keptDirections(vals []float64, xc *mat.Dense, o basisOpts) ([]int, bool, error) {
	order := make([]int, len(vals))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, c int) bool { return vals[order[a]] > vals[order[c]] })
	if len(vals) == 0 || vals[order[0]] <= 1e-12 {
		return nil, false, ErrNoVariance
	}
	lmax := vals[order[0]]
	var keep []int
	for _, i := range order {
		if vals[i] > 1e-9*lmax {
			keep = append(keep, i)
		}
	}
	if len(keep) <= o.maxRank {
		return keep, false, nil
	}
	keep = keep[:o.maxRank]
	if o.probeAUC > 0 {
		keep = keep[:privateRank(halfProbeAUCs(xc, len(keep)), o.probeAUC)]
	}
	return keep, true, nil
}

// setDirections sets b's Lambda and U to the kept eigenpairs, each vector's
// sign fixed so that its largest-magnitude entry is positive: the basis is
// then a deterministic function of the data.
func (b *Basis) setDirections(vals []float64, vecs *mat.Dense, keep []int) {
	d, _ := vecs.Dims()
	b.U = mat.NewDense(d, len(keep), nil)
	b.Lambda = make([]float64, len(keep))
	for c, i := range keep {
		b.Lambda[c] = vals[i]
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
}

// fitResidual sets b's residual model: per block of o.block SNPs, the
// covariance the kept directions leave, Σ_bb − U_b diag(λ) U_bᵀ (a
// principal submatrix of the covariance of the dropped directions; tapered
// by o.taper, AR-completed with o.arLags), its square root (ResidSqrt) and
// the per-SNP residual variances (Resid).
func (b *Basis) fitResidual(xc *mat.Dense, o basisOpts) error {
	n, d := xc.Dims()
	b.Resid = make([]float64, d)
	b.ResidBlock = min(d, max(1, o.block))
	for _, bl := range b.residBlocks() {
		lo, hi := bl[0], bl[1]
		r := b.blockResidCov(xc, lo, hi, n, o)
		sq, err := symSqrt(r, hi-lo)
		if err != nil {
			return err
		}
		m := hi - lo
		for p := 0; p < m; p++ {
			var v float64
			for q := 0; q < m; q++ {
				v += sq[p*m+q] * sq[p*m+q]
			}
			b.Resid[lo+p] = v
		}
		b.ResidSqrt = append(b.ResidSqrt, sq)
	}
	return nil
}

// blockResidCov is the residual covariance of SNPs lo..hi (see fitResidual).
func (b *Basis) blockResidCov(xc *mat.Dense, lo, hi, n int, o basisOpts) *mat.SymDense {
	m := hi - lo
	var r mat.SymDense
	r.SymOuterK(1/float64(n-1), xc.Slice(0, n, lo, hi).T())
	ub := b.U.Slice(lo, hi, 0, len(b.Lambda))
	for p := 0; p < m; p++ {
		up := ub.(*mat.Dense).RawRowView(p)
		for q := p; q < m; q++ {
			uq := ub.(*mat.Dense).RawRowView(q)
			v := r.At(p, q)
			for c, l := range b.Lambda {
				v -= up[c] * uq[c] * l
			}
			if o.taper > 0 && q != p {
				v *= math.Exp(-float64(q-p) / o.taper)
			}
			r.SetSym(p, q, v)
		}
	}
	if o.arLags > 0 {
		arCompletion(&r, o.arLags)
	}
	return &r
}

// symSqrt returns the symmetric square root of the m×m PSD matrix r
// (row-major), negative eigenvalues taken as 0.
func symSqrt(r *mat.SymDense, m int) ([]float64, error) {
	var es mat.EigenSym
	if !es.Factorize(r, true) {
		return nil, errors.New("model: eigendecomposition of a residual block failed")
	}
	ev := es.Values(nil)
	var vv mat.Dense
	es.VectorsTo(&vv)
	sq := make([]float64, m*m)
	for p := 0; p < m; p++ {
		for q := 0; q < m; q++ {
			var v float64
			for c, l := range ev {
				if l > 0 {
					v += vv.At(p, c) * vv.At(q, c) * math.Sqrt(l)
				}
			}
			sq[p*m+q] = v
		}
	}
	return sq, nil
}

// addResidual adds the residual noise Scale ⊙ e (e_block = ResidSqrt_block
// · z, z standard normal drawn row by row, block by block from rng) to the
// decoded samples x (rows × d). It draws nothing when Resid is nil.
func (b *Basis) addResidual(x *mat.Dense, rng *rand.Rand) {
	if b.Resid == nil {
		return
	}
	n, _ := x.Dims()
	blocks := b.residBlocks()
	z := make([]float64, b.ResidBlock)
	for i := 0; i < n; i++ {
		row := x.RawRowView(i)
		for k, bl := range blocks {
			m := bl[1] - bl[0]
			for p := 0; p < m; p++ {
				z[p] = rng.NormFloat64()
			}
			sq := b.ResidSqrt[k]
			for p := 0; p < m; p++ {
				var v float64
				for q, s := range sq[p*m : (p+1)*m] {
					v += s * z[q]
				}
				row[bl[0]+p] += b.Scale[bl[0]+p] * v
			}
		}
	}
}

// residCov returns the residual covariance of SNPs p and q in the scaled
// units (0 across blocks).
func (b *Basis) residCov(p, q int) float64 {
	if b.Resid == nil || p/b.ResidBlock != q/b.ResidBlock {
		return 0
	}
	k := p / b.ResidBlock
	lo := k * b.ResidBlock
	m := min(len(b.Mean), lo+b.ResidBlock) - lo
	sq := b.ResidSqrt[k]
	var v float64
	for l := 0; l < m; l++ {
		v += sq[(p-lo)*m+l] * sq[(q-lo)*m+l]
	}
	return v
}

// Rank returns the number of latent coordinates r.
func (b *Basis) Rank() int { return len(b.Lambda) }

// Dim returns the number of data coordinates d.
func (b *Basis) Dim() int { return len(b.Mean) }

// OutsideSpan returns ‖(I − U Uᵀ) c‖ / ‖c‖ for c = (x − Mean)/Scale: the
// share (as a norm) of one individual's dosage vector x (length d, missing
// values already filled) that the basis does not represent. A model file's
// membership probe: with d close to or above n, training individuals lie
// closer to span(U) than others (basis_privacy_test.go). 0 when x is the
// mean.
func (b *Basis) OutsideSpan(x []float64) float64 {
	c := mat.NewVecDense(len(x), nil)
	for j, v := range x {
		c.SetVec(j, (v-b.Mean[j])/b.Scale[j])
	}
	nn := mat.Dot(c, c)
	if nn == 0 {
		return 0
	}
	var p mat.VecDense
	p.MulVec(b.U.T(), c)
	return math.Sqrt(math.Max(0, nn-mat.Dot(&p, &p)) / nn)
}

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

// arCompletion replaces the covariance r (m×m) by the covariance of its
// AR(lags) fit along the SNPs: each SNP regressed on at most lags
// predecessors (with a 1e-6 relative ridge). The result equals r on the
// band |p − q| ≤ lags and has a banded inverse (the maximum-entropy
// completion of the band): m·(lags+1) free parameters instead of
// m(m+1)/2.
func arCompletion(r *mat.SymDense, lags int) {
	m := r.SymmetricDim()
	// e = A⁻¹ D^½ z with A unit lower triangular: e_p = Σ φ_pq e_q + √v_p z_p.
	phi := make([][]float64, m)
	v := make([]float64, m)
	for p := 0; p < m; p++ {
		lo := max(0, p-lags)
		k := p - lo
		v[p] = math.Max(0, r.At(p, p))
		if k == 0 {
			continue
		}
		a := mat.NewSymDense(k, nil)
		bv := mat.NewVecDense(k, nil)
		for i := 0; i < k; i++ {
			for j := i; j < k; j++ {
				a.SetSym(i, j, r.At(lo+i, lo+j))
			}
			a.SetSym(i, i, a.At(i, i)*(1+1e-6)+1e-12)
			bv.SetVec(i, r.At(lo+i, p))
		}
		var ch mat.Cholesky
		if !ch.Factorize(a) {
			continue
		}
		var x mat.VecDense
		if err := ch.SolveVecTo(&x, bv); err != nil {
			continue
		}
		phi[p] = x.RawVector().Data
		v[p] = math.Max(0, r.At(p, p)-mat.Dot(bv, &x))
	}
	// L = A⁻¹ D^½ column by column (forward substitution), C = L Lᵀ.
	L := mat.NewDense(m, m, nil)
	for c := 0; c < m; c++ {
		L.Set(c, c, math.Sqrt(v[c]))
		for p := c + 1; p < m; p++ {
			lo := max(0, p-lags)
			var s float64
			for i, f := range phi[p] {
				s += f * L.At(lo+i, c)
			}
			L.Set(p, c, s)
		}
	}
	var c mat.SymDense
	c.SymOuterK(1, L)
	r.CopySym(&c)
}

// halfProbeAUCs fits principal directions on one half of the centred,
// scaled rows xc (n×d; the even positions of a fixed permutation) and
// returns, for k = 1…kmax, the AUC of the model-file probe (OutsideSpan of
// a basis of the first k directions) with that half as members and the
// other half as non-members: the membership leak of keeping k directions,
// measured on the training data themselves at half the training size
// (which leaks more than the full size, so it is conservative).
func halfProbeAUCs(xc *mat.Dense, kmax int) []float64 {
	n, d := xc.Dims()
	perm := rand.New(rand.NewPCG(0x68616c66, 1)).Perm(n)
	h := n / 2
	if h < 2 || n-h < 2 {
		return nil
	}
	mean := make([]float64, d)
	for _, i := range perm[:h] {
		for j, v := range xc.RawRowView(i) {
			mean[j] += v / float64(h)
		}
	}
	z := mat.NewDense(n, d, nil) // rows in permuted order, centred by the half's mean
	for a, i := range perm {
		row := z.RawRowView(a)
		for j, v := range xc.RawRowView(i) {
			row[j] = v - mean[j]
		}
	}
	half := z.Slice(0, h, 0, d)
	var gram mat.SymDense
	gram.SymOuterK(1, half)
	var es mat.EigenSym
	if !es.Factorize(&gram, true) {
		return nil
	}
	vals := es.Values(nil)
	var gv mat.Dense
	es.VectorsTo(&gv)
	kmax = min(kmax, h-1)
	// Directions in descending order of eigenvalue: u_c = halfᵀ v_c / √λ_c.
	v := mat.NewDense(h, kmax, nil)
	for c := 0; c < kmax; c++ {
		i := len(vals) - 1 - c
		f := 0.0
		if vals[i] > 1e-12*vals[len(vals)-1] {
			f = 1 / math.Sqrt(vals[i])
		}
		for a := 0; a < h; a++ {
			v.Set(a, c, gv.At(a, i)*f)
		}
	}
	var u mat.Dense
	u.Mul(half.T(), v) // d × kmax, orthonormal columns
	var p mat.Dense
	p.Mul(z, &u) // n × kmax projections
	out := make([]float64, kmax)
	norm := make([]float64, n)
	for a := 0; a < n; a++ {
		row := z.RawRowView(a)
		norm[a] = floats64Dot(row, row)
	}
	cum := make([]float64, n)
	mem, non := make([]float64, h), make([]float64, n-h)
	for c := 0; c < kmax; c++ {
		for a := 0; a < n; a++ {
			q := p.At(a, c)
			cum[a] += q * q
			s := 0.0
			if norm[a] > 0 {
				s = math.Max(0, norm[a]-cum[a]) / norm[a]
			}
			if a < h {
				mem[a] = -s
			} else {
				non[a-h] = -s
			}
		}
		out[c] = roc.AUC(mem, non)
	}
	return out
}

func floats64Dot(a, b []float64) float64 {
	var s float64
	for i, v := range a {
		s += v * b[i]
	}
	return s
}
