package chrom

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/gousynth/gousynth/model"
	"github.com/gousynth/gousynth/vcf"
	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/stat"
)

// Mixture is a Gaussian mixture over the global PC scores, the ancestry
// latent of a synthetic cohort: k-means clusters of the training scores (each
// of at least a minimum size, so no component sits on one person), each with
// its mean and full covariance.
type Mixture struct {
	Weights []float64   `json:"weights"`
	Means   [][]float64 `json:"means"`
	Chol    [][]float64 `json:"chol"` // lower Cholesky factor, row-major K×K
	// Labels, when not nil, is the population label of each component: an
	// index into LabelTable, or model.Unlabelled (FitLabelledMixture).
	Labels []int `json:"labels,omitempty"`
	// LabelTable holds the training populations: names, super-populations
	// and numbers of training individuals (no sample IDs).
	LabelTable []model.Label `json:"label_table,omitempty"`
}

// FitMixture fits a mixture of at most k components to the rows of scores
// (n×K), with components of at least minSize rows. Nil scores (K = 0, no
// ancestry axis) give one component of dimension 0.
func FitMixture(scores *mat.Dense, k, minSize int, seed uint64) (*Mixture, error) {
	if scores == nil {
		return &Mixture{Weights: []float64{1}, Means: [][]float64{{}}, Chol: [][]float64{{}}}, nil
	}
	n, p := scores.Dims()
	if n < 2 || p < 1 {
		return nil, fmt.Errorf("%w: mixture of %d×%d scores", ErrOption, n, p)
	}
	if minSize < p+2 {
		minSize = p + 2
	}
	if k > n/minSize {
		k = max(n/minSize, 1)
	}
	pts := mat.DenseCopyOf(scores).RawMatrix().Data
	assign, kk := model.KMeans(pts, n, p, k, minSize, rand.New(rand.NewPCG(seed, 0x6d6978)))
	mx := &Mixture{}
	for c := 0; c < kk; c++ {
		var rows []int
		for i, a := range assign {
			if a == c {
				rows = append(rows, i)
			}
		}
		mu := make([]float64, p)
		for _, i := range rows {
			for j := 0; j < p; j++ {
				mu[j] += pts[i*p+j]
			}
		}
		for j := range mu {
			mu[j] /= float64(len(rows))
		}
		cov := mat.NewSymDense(p, nil)
		for a := 0; a < p; a++ {
			for b := a; b < p; b++ {
				var s float64
				for _, i := range rows {
					s += (pts[i*p+a] - mu[a]) * (pts[i*p+b] - mu[b])
				}
				cov.SetSym(a, b, s/float64(len(rows)-1))
			}
		}
		for a := 0; a < p; a++ { // ridge against singular clusters
			cov.SetSym(a, a, cov.At(a, a)*(1+1e-6)+1e-12)
		}
		flat, ok := cholFlat(cov)
		if !ok {
			return nil, fmt.Errorf("chrom: covariance of ancestry component %d is not positive definite", c)
		}
		mx.Weights = append(mx.Weights, float64(len(rows))/float64(n))
		mx.Means = append(mx.Means, mu)
		mx.Chol = append(mx.Chol, flat)
	}
	return mx, nil
}

// Sample draws n score vectors (n×K). The number of draws from each
// component is stratified, round(n·weight) by largest remainder, and the
// components are interleaved so that every prefix of the rows has the same
// composition (to within one row per component): a multinomial choice of
// components would move a few percent of the cohort between populations at
// random (sd √(w(1−w)/n), 1.5% for n = 1000), which on PCs that separate
// populations by many score units is most of the synthetic cohort's
// Wasserstein distance to real people, and so would a random subset of a
// stratified cohort (measured on a 2504 × 100,000 simulated panel with 3
// populations: PC1 W2 4.3–8.0 for six random subsets of 1752 synthetic
// individuals, 2.6 for all 2504). A real cohort's composition is a fact
// about it that its synthetic copy, and any part of it, should keep.
func (mx *Mixture) Sample(n int, rng *rand.Rand) *mat.Dense {
	return mx.draw(mx.stratified(n), rng)
}

// draw returns one row per entry of comp: a draw from that component (nil
// for a mixture of dimension 0).
func (mx *Mixture) draw(comp []int, rng *rand.Rand) *mat.Dense {
	p := len(mx.Means[0])
	if p == 0 {
		return nil
	}
	out := mat.NewDense(len(comp), p, nil)
	z := make([]float64, p)
	for i, c := range comp {
		for j := range z {
			z[j] = rng.NormFloat64()
		}
		for a := 0; a < p; a++ {
			v := mx.Means[c][a]
			for b := 0; b <= a; b++ {
				v += mx.Chol[c][a*p+b] * z[b]
			}
			out.Set(i, a, v)
		}
	}
	return out
}

// stratified returns n component labels, round(n·weight) of each by largest
// remainder (ties to the lower index), interleaved: row i takes the
// component furthest behind its share of the first i+1 rows.
func (mx *Mixture) stratified(n int) []int {
	var total float64
	for _, w := range mx.Weights {
		total += w
	}
	k := len(mx.Weights)
	count := make([]int, k)
	rem := make([]float64, k)
	left := n
	for c, w := range mx.Weights {
		q := float64(n) * w / total
		count[c] = int(q)
		rem[c] = q - float64(count[c])
		left -= count[c]
	}
	for ; left > 0; left-- {
		best := 0
		for c := range rem {
			if rem[c] > rem[best] {
				best = c
			}
		}
		count[best]++
		rem[best] = -1
	}
	out := make([]int, n)
	assigned := make([]int, k)
	for i := range out {
		best, bestDef := -1, math.Inf(-1)
		for c := range count {
			if assigned[c] == count[c] {
				continue
			}
			if def := float64(i+1)*float64(count[c])/float64(n) - float64(assigned[c]); def > bestDef {
				best, bestDef = c, def
			}
		}
		out[i] = best
		assigned[best]++
	}
	return out
}

// Deconvolve subtracts noise (K×K), the covariance that the window models
// add to every synthetic individual's PC scores on their own, from each
// component's covariance, keeping at least minKeep of each direction's
// variance so that the components stay positive definite. It returns the
// fraction of the components' total variance removed.
//
// Why: the latent is drawn from the training individuals' scores, which
// hold both their ancestry and their individual noise (the rest of their
// genotypes projected on the PCs). A synthetic individual's genotypes get
// the ancestry from the latent and fresh individual noise from the window
// models' residuals, so without deconvolution the noise is counted twice:
// on a 2504 × 100,000 panel with 3 populations the synthetic populations
// came out wider than real ones on PC1/PC2 (W2 2.1–2.3× the floor).
func (mx *Mixture) Deconvolve(noise *mat.SymDense, minKeep float64) (float64, error) {
	p := len(mx.Means[0])
	if p == 0 {
		return 0, nil
	}
	if r, _ := noise.Dims(); r != p {
		return 0, fmt.Errorf("%w: %d×%d noise covariance for %d PCs", ErrOption, r, r, p)
	}
	var before, after float64
	for c := range mx.Chol {
		var cov mat.SymDense
		cov.SymOuterK(1, mat.NewTriDense(p, mat.Lower, mx.Chol[c]))
		// Subtract the noise, then floor the difference's eigenvalues at
		// minKeep of the component's mean variance per direction.
		var neg, diff mat.SymDense
		neg.ScaleSym(-1, noise)
		diff.AddSym(&cov, &neg)
		var eig mat.EigenSym
		if !eig.Factorize(&diff, true) {
			return 0, fmt.Errorf("chrom: deconvolving ancestry component %d: eigendecomposition failed", c)
		}
		tr := mat.Trace(&cov)
		vals := eig.Values(nil)
		for a := range vals {
			vals[a] = max(vals[a], minKeep*tr/float64(p))
		}
		var vecs mat.Dense
		eig.VectorsTo(&vecs)
		var out mat.SymDense
		out.SymOuterK(1, scaleColumns(&vecs, vals))
		flat, ok := cholFlat(&out)
		if !ok {
			return 0, fmt.Errorf("chrom: deconvolved ancestry component %d is not positive definite", c)
		}
		before += mx.Weights[c] * tr
		after += mx.Weights[c] * mat.Trace(&out)
		mx.Chol[c] = flat
	}
	if before == 0 {
		return 0, nil
	}
	return 1 - after/before, nil
}

// scaleColumns returns v with column e scaled by √vals[e], so that
// (v·diag(√vals))(v·diag(√vals))ᵀ = v·diag(vals)·vᵀ.
func scaleColumns(v *mat.Dense, vals []float64) *mat.Dense {
	out := mat.DenseCopyOf(v)
	for e, x := range vals {
		col := out.ColView(e).(*mat.VecDense)
		col.ScaleVec(math.Sqrt(x), col)
	}
	return out
}

// cholFlat returns the lower Cholesky factor of cov, row-major p×p (the
// layout of Mixture.Chol), and false if cov is not positive definite.
func cholFlat(cov *mat.SymDense) ([]float64, bool) {
	p := cov.SymmetricDim()
	var ch mat.Cholesky
	if !ch.Factorize(cov) {
		return nil, false
	}
	var l mat.TriDense
	ch.LTo(&l)
	flat := make([]float64, p*p)
	for a := 0; a < p; a++ {
		for b := 0; b <= a; b++ {
			flat[a*p+b] = l.At(a, b)
		}
	}
	return flat, true
}

// ResidualShareCov returns the covariance (K×K) of the PC scores that the
// windows' residuals contribute to a new individual: for each window, the
// training individuals' share of each PC from the window's core sites,
// less its least-squares prediction from their whole-chromosome scores
// (what regression conditioning puts back as a + B·z), has a covariance;
// windows are drawn independently, so their covariances add.
func ResidualShareCov(train *vcf.Genotypes, windows []Window, pca *PCA, scores *mat.Dense) (*mat.SymDense, error) {
	n, K := scores.Dims()
	z := interceptDesign(mat.DenseCopyOf(scores).RawMatrix().Data, n, K)
	var qr mat.QR
	qr.Factorize(z)
	out := mat.NewSymDense(K, nil)
	var beta, fit, e mat.Dense
	var cov mat.SymDense
	for _, w := range windows {
		share := pca.Project(train, w.CoreStart, w.End, 0)
		beta.Reset()
		if err := qr.SolveTo(&beta, false, share); err != nil {
			return nil, fmt.Errorf("chrom: window %d residual share: %w", w.Index, err)
		}
		fit.Reset()
		fit.Mul(z, &beta)
		e.Reset()
		e.Sub(share, &fit)
		cov.Reset()
		stat.CovarianceMatrix(&cov, &e, nil)
		out.AddSym(out, &cov)
	}
	return out, nil
}

// FitLabelledMixture is FitMixture with components tied to population
// labels (issue 18): each label of at least minSize training individuals
// (lab.Pop[i] is row i's) gets a mixture of at most max(1,
// round(k·n_L/n)) components fitted on its own rows, and the rows of
// smaller labels form one unlabelled pool (fitted the same way when it
// has at least minSize rows, left out otherwise). Weights are shares of
// the rows fitted. The mixture keeps the label names, super-populations
// and counts (Mixture.LabelTable) and each component's label
// (Mixture.Labels), aggregates only.
func FitLabelledMixture(scores *mat.Dense, k, minSize int, seed uint64, lab *model.Labelling) (*Mixture, error) {
	n, p := len(lab.Pop), 0 // nil scores: K = 0, one component per label
	if scores != nil {
		n, p = scores.Dims()
	}
	if len(lab.Pop) != n {
		return nil, fmt.Errorf("%w: %d labels for %d training individuals", ErrOption, len(lab.Pop), n)
	}
	table, rows := model.LabelTableOf(lab)
	groups := make([][]int, len(table)+1) // the last is the pool
	for i, l := range rows {
		if table[l].N >= minSize {
			groups[l] = append(groups[l], i)
		} else {
			groups[len(table)] = append(groups[len(table)], i)
		}
	}
	used := 0
	for _, g := range groups {
		if len(g) >= minSize {
			used += len(g)
		}
	}
	mx := &Mixture{LabelTable: table}
	if used == 0 { // nobody in an anchorable group: one unlabelled mixture
		all, err := FitMixture(scores, k, minSize, seed)
		if err != nil {
			return nil, err
		}
		all.LabelTable = table
		all.Labels = make([]int, len(all.Weights))
		for c := range all.Labels {
			all.Labels[c] = model.Unlabelled
		}
		return all, nil
	}
	for l, g := range groups {
		if len(g) < minSize {
			continue
		}
		var sub *mat.Dense
		if p > 0 {
			sub = mat.NewDense(len(g), p, nil)
			for a, i := range g {
				sub.SetRow(a, scores.RawRowView(i))
			}
		}
		kl := max(1, int(math.Round(float64(k)*float64(len(g))/float64(n))))
		part, err := FitMixture(sub, kl, minSize, seed+uint64(l+1)*0x9E3779B97F4A7C15)
		if err != nil {
			return nil, err
		}
		label := l
		if l == len(table) {
			label = model.Unlabelled
		}
		for c := range part.Weights {
			mx.Weights = append(mx.Weights, part.Weights[c]*float64(len(g))/float64(used))
			mx.Means = append(mx.Means, part.Means[c])
			mx.Chol = append(mx.Chol, part.Chol[c])
			mx.Labels = append(mx.Labels, label)
		}
	}
	return mx, nil
}

// Cohort returns the label of each synthetic individual of a cohort drawn
// as reqs asks (model.Composition, model.Interleave; n is the cohort size
// unless the requests are counted), or nil with no error for a mixture
// without labels and no request.
func (mx *Mixture) Cohort(reqs []model.Request, n, minSize int) ([]int, error) {
	if len(mx.LabelTable) == 0 {
		if len(reqs) > 0 {
			return nil, fmt.Errorf("the model was fitted without population labels (fit it with --panel to generate populations)")
		}
		return nil, nil
	}
	anchored := make([]bool, len(mx.LabelTable)+1)
	for _, l := range mx.Labels {
		if l == model.Unlabelled {
			anchored[len(mx.LabelTable)] = true
		} else {
			anchored[l] = true
		}
	}
	counts, err := model.Composition(mx.LabelTable, anchored, reqs, n, minSize)
	if err != nil {
		return nil, err
	}
	return model.Interleave(counts), nil
}

// SampleCohort is Sample for a labelled cohort: row i is drawn from the
// components of label cohort[i], with stratified, interleaved component
// counts within each label as Sample has over the whole mixture (nil
// cohort: Sample(n, rng)).
func (mx *Mixture) SampleCohort(n int, cohort []int, rng *rand.Rand) (*mat.Dense, error) {
	if cohort == nil {
		return mx.Sample(n, rng), nil
	}
	if len(cohort) != n {
		return nil, fmt.Errorf("%w: %d labels for %d individuals", ErrOption, len(cohort), n)
	}
	// Each label's rows, and its components' order within it.
	rowsOf := map[int][]int{}
	for i, l := range cohort {
		rowsOf[l] = append(rowsOf[l], i)
	}
	comp := make([]int, n)
	for l, rows := range rowsOf {
		var sub Mixture
		var idx []int
		for c, cl := range mx.Labels {
			if cl == l {
				sub.Weights = append(sub.Weights, mx.Weights[c])
				idx = append(idx, c)
			}
		}
		if len(idx) == 0 {
			return nil, fmt.Errorf("%w: no ancestry component of label %d", ErrOption, l)
		}
		for a, c := range sub.stratified(len(rows)) {
			comp[rows[a]] = idx[c]
		}
	}
	return mx.draw(comp, rng), nil
}

// CheckLabels reports labels of a decoded mixture that do not fit it.
func (mx *Mixture) CheckLabels() error {
	if len(mx.LabelTable) == 0 {
		if mx.Labels != nil {
			return fmt.Errorf("%w: component labels without population labels", ErrOption)
		}
		return nil
	}
	if len(mx.Labels) != len(mx.Weights) {
		return fmt.Errorf("%w: %d component labels for %d components", ErrOption, len(mx.Labels), len(mx.Weights))
	}
	for _, l := range mx.Labels {
		if l != model.Unlabelled && (l < 0 || l >= len(mx.LabelTable)) {
			return fmt.Errorf("%w: component label %d outside the %d labels", ErrOption, l, len(mx.LabelTable))
		}
	}
	for _, l := range mx.LabelTable {
		if l.Pop == "" || l.SuperPop == "" || l.N < 1 {
			return fmt.Errorf("%w: bad population label %+v", ErrOption, l)
		}
	}
	return nil
}
