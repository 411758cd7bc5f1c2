package chrom

import (
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"slices"
	"sort"

	"github.com/gousynth/gousynth/ld"
	"github.com/gousynth/gousynth/metrics"
	"github.com/gousynth/gousynth/preprocess"
	"github.com/gousynth/gousynth/vcf"
	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/stat"
)

// MetricOptions control Evaluate. Zero fields take the defaults.
type MetricOptions struct {
	// LDPairSNPs: LD r² is compared for site pairs at most this many sites
	// apart (default 50).
	LDPairSNPs int
	// PrivacySNPs: privacy distances use this many evenly spaced sites
	// (default 5000).
	PrivacySNPs int
	// JudgeLDSNPs: the whole-chromosome LD r² error and LD-decay curve
	// (LDComparison.Judge*) are over every pair of sites at most this many
	// sites apart on one chromosome, as the judge's --ld-window (default
	// 200).
	JudgeLDSNPs int
	// Seed drives the subsets.
	Seed uint64
}

// LDComparison is the LD r² mean absolute error against the held-out real
// individuals for pairs inside one window's core and pairs straddling a
// boundary between cores.
type LDComparison struct {
	InsidePairs, StraddlePairs int
	// Inside and Straddle are the MAEs of the synthetic cohort;
	// InsideMatched is the inside MAE reweighted to the straddling pairs'
	// distribution of SNP distances (straddling pairs are short-range more
	// often), the fair reference for Straddle.
	Inside, InsideMatched, Straddle float64
	// The same for the floor (a training subset of the synthetic cohort's
	// size).
	FloorInside, FloorInsideMatched, FloorStraddle float64
	// The judge's whole-chromosome LD metrics (../shared/judge/judge.py,
	// computed as metrics.BinMeans and the report compute them): JudgeMAE is
	// the mean |r² − r²_test| over every pair of sites at most
	// MetricOptions.JudgeLDSNPs apart on one chromosome (JudgePairs; an
	// undefined r², at a monomorphic site, counts as 0), JudgeDecayL2 the
	// L2 distance between the mean r² per log-spaced bin of the pairs'
	// base-pair distances (20 bins from the shortest to the longest pair);
	// Floor* the same for the floor.
	JudgePairs                       int
	JudgeMAE, JudgeDecayL2           float64
	FloorJudgeMAE, FloorJudgeDecayL2 float64
}

// AncestryConsistency compares, window by window, each individual's PC
// scores predicted from the window's SNPs alone with its whole-chromosome
// scores (Pearson correlation over individuals), for the leading PCs.
type AncestryConsistency struct {
	// PerWindow[k][w] for the synthetic cohort; Test the same for the held-out
	// real individuals (the reference).
	SynthMean, SynthMin, TestMean, TestMin []float64
	PerWindowSynth, PerWindowTest          [][]float64
}

// Privacy compares the distance to the closest training record (Manhattan,
// on PrivacySNPs evenly spaced SNPs) of synthetic and held-out individuals.
type Privacy struct {
	SNPs                       int
	IdenticalRate              float64
	SynthDCRMedian, SynthDCRP5 float64
	TestDCRMedian, TestDCRP5   float64
}

// Metrics are chromosome-scale fidelity and privacy metrics of a windowed
// synthetic cohort, each next to its floor where one exists.
type Metrics struct {
	Windows   int
	SNPs      int
	FloorSize int
	LD        LDComparison
	// AFR2 is the squared correlation of allele frequencies, synthetic vs
	// test, and its floor.
	AFR2, AFR2Floor float64
	// PCW2 is the 1-D Wasserstein-2 distance per whole-chromosome training
	// PC between the synthetic and the test projections, PCW2Floor the same
	// for the floor subset.
	PCW2, PCW2Floor []float64
	Ancestry        AncestryConsistency
	Privacy         Privacy
	// Genome compares each individual's ancestry on different chromosomes
	// when the sites lie on several (genome mode); nil on one chromosome,
	// and then left out of the JSON.
	Genome *GenomeAncestry
}

// GenomeAncestry compares, for every pair of chromosomes, each individual's
// share of the whole-input PC scores computed from one chromosome's SNPs
// with its share from the other's (Pearson correlation over individuals):
// real people have one ancestry on every chromosome, so their shares
// correlate; a synthetic cohort whose chromosomes were drawn independently
// would show none.
type GenomeAncestry struct {
	Contigs []string
	// Pairs are the index pairs into Contigs, in order (0,1), (0,2), …
	Pairs [][2]int
	// Synth[k][p] and Test[k][p]: the correlation on pair p for PC k+1, of
	// the synthetic cohort and of the held-out real individuals; the means
	// over the pairs.
	Synth, Test         [][]float64
	SynthMean, TestMean []float64
}

// Evaluate computes Metrics for synth against test, with train (imputed)
// as the floor's source and the PCA's training set. All three share sites.
// It is an Evaluator fed every window of synth.
func Evaluate(test, synth, train *vcf.Genotypes, windows []Window, pca *PCA, o MetricOptions) (*Metrics, error) {
	if synth.NumSites() != test.NumSites() {
		return nil, fmt.Errorf("%w: evaluation sets have %d, %d, %d sites (PCA %d)", ErrOption, test.NumSites(), synth.NumSites(), train.NumSites(), len(pca.Mean))
	}
	e, err := NewEvaluator(test, train, synth.NumSamples(), windows, pca, o)
	if err != nil {
		return nil, err
	}
	n := synth.NumSamples()
	for _, w := range windows {
		if err := e.Add(w, synth.Dosage[w.CoreStart*n:w.End*n], n); err != nil {
			return nil, err
		}
	}
	return e.Finish()
}

// An Evaluator computes Evaluate's Metrics from a synthetic cohort that
// arrives window by window (Add, in order), as a windowed fit makes it,
// so that the cohort is never held whole: it keeps the synthetic
// genotypes of the sites not yet compared (at most a window and
// max(LDPairSNPs, 2048) sites), each site's allele frequency, the PC scores
// and, for the privacy distances, the PrivacySNPs sites. The real cohorts
// are held by the caller. The metrics equal those of the whole cohort.
type Evaluator struct {
	test, train, floor *vcf.Genotypes
	windows            []Window
	pca                *PCA
	o                  MetricOptions
	fs, m, next        int
	core               []int // window index of each site's core

	// Synthetic genotypes of sites [bufLo, bufHi), fs per site.
	buf          []int8
	bufLo, bufHi int

	ldDone   int // sites whose pairs to the right are compared
	ldS, ldF *ldAcc
	judge    *judgeAcc
	pcaDone  int        // sites projected onto the PCs (a multiple of pcaChunk, or m)
	ps       *mat.Dense // fs×K whole-chromosome synthetic scores
	afS      []float64
	ws       [][]float64 // per window, the fs×nk window scores (row-major)
	privSNPs []int
	privNext int
	privDos  []int8 // fs per privacy SNP
	nk       int
}

// ldAcc sums absolute r² differences per pair distance, [inside,
// straddle][distance].
type ldAcc struct {
	sum, cnt [2][]float64
}

// judgeAcc sums the judge-style LD comparisons: absolute r² differences
// over every pair, and r² per decay bin.
type judgeAcc struct {
	edges            []float64
	pairs            float64
	absS, absF       float64
	binS, binT, binF []float64
	binN             []float64
}

// newJudgeAcc returns the accumulator of the pairs at most L sites apart on
// one chromosome of sites, with the decay bins of their distances.
func newJudgeAcc(sites []vcf.Site, L int) *judgeAcc {
	// The shortest and longest pair decide the edges (metrics.DecayEdges
	// of every pair's distance).
	var span []float64
	for i := range sites {
		for j := i + 1; j <= i+L && j < len(sites) && sites[j].Chrom == sites[i].Chrom; j++ {
			d := math.Abs(float64(sites[j].Pos - sites[i].Pos))
			if len(span) == 0 {
				span = []float64{d, d}
			}
			span[0], span[1] = math.Min(span[0], d), math.Max(span[1], d)
		}
	}
	edges := metrics.DecayEdges(span, decayBins)
	nb := len(edges) - 1
	return &judgeAcc{edges: edges, binS: make([]float64, nb), binT: make([]float64, nb), binF: make([]float64, nb), binN: make([]float64, nb)}
}

// decayBins is the number of bins of the judge's LD-decay curve.
const decayBins = 20

// add adds one pair at distance d with r² s (synthetic), t (test) and f
// (floor); NaN (undefined) counts as 0.
func (a *judgeAcc) add(d float64, s, t, f float32) {
	z := func(x float32) float64 {
		if x != x {
			return 0
		}
		return float64(x)
	}
	sv, tv, fv := z(s), z(t), z(f)
	a.pairs++
	a.absS += math.Abs(sv - tv)
	a.absF += math.Abs(fv - tv)
	b := metrics.DecayBin(a.edges, d)
	a.binS[b] += sv
	a.binT[b] += tv
	a.binF[b] += fv
	a.binN[b]++
}

// result returns the MAEs and decay L2s of the synthetic cohort and the floor.
func (a *judgeAcc) result() (maeS, decayS, maeF, decayF float64) {
	mean := func(x []float64) []float64 {
		out := make([]float64, len(x))
		for b := range x {
			out[b] = math.NaN()
			if a.binN[b] > 0 {
				out[b] = x[b] / a.binN[b]
			}
		}
		return out
	}
	t := mean(a.binT)
	return a.absS / a.pairs, metrics.CurveL2(mean(a.binS), t), a.absF / a.pairs, metrics.CurveL2(mean(a.binF), t)
}

func newLDAcc(L int) *ldAcc {
	a := &ldAcc{}
	for c := 0; c < 2; c++ {
		a.sum[c], a.cnt[c] = make([]float64, L), make([]float64, L)
	}
	return a
}

// NewEvaluator prepares the evaluation of a synthetic cohort of nSynth
// individuals (of which the first min(nSynth, training size) are compared)
// over windows, which must cover test's sites in order.
func NewEvaluator(test, train *vcf.Genotypes, nSynth int, windows []Window, pca *PCA, o MetricOptions) (*Evaluator, error) {
	if o.LDPairSNPs == 0 {
		o.LDPairSNPs = 50
	}
	if o.PrivacySNPs == 0 {
		o.PrivacySNPs = 5000
	}
	if o.JudgeLDSNPs == 0 {
		o.JudgeLDSNPs = 200
	}
	m := test.NumSites()
	if train.NumSites() != m || len(pca.Mean) != m {
		return nil, fmt.Errorf("%w: evaluation sets have %d, %d sites (PCA %d)", ErrOption, test.NumSites(), train.NumSites(), len(pca.Mean))
	}
	end := 0
	for i, w := range windows {
		if w.Index != i || w.CoreStart != end || w.End <= w.CoreStart {
			return nil, fmt.Errorf("%w: window %d does not continue the windows before it", ErrOption, i)
		}
		end = w.End
	}
	if end != m {
		return nil, fmt.Errorf("%w: the windows cover %d of %d sites", ErrOption, end, m)
	}
	fs := min(nSynth, train.NumSamples())
	if fs < 1 {
		return nil, fmt.Errorf("%w: no synthetic individuals to evaluate", ErrOption)
	}
	// The first fs synthetic individuals, not a random subset: a fitted
	// plan's latent has the cohort's composition in every prefix
	// (Mixture.Sample), while a random subset of it would not, and the
	// training subset of the floor, from a split stratified by
	// population, has the test set's composition.
	idxF, err := preprocess.Subsample(train.NumSamples(), fs, mix(o.Seed, 2))
	if err != nil {
		return nil, err
	}
	// A whole-chromosome copy costs a byte per genotype: the floor is the
	// training cohort itself when fs is its size (no metric here depends
	// on the order of individuals).
	floor := train
	if fs < train.NumSamples() {
		floor = preprocess.SubsetSamples(train, idxF)
	}
	e := &Evaluator{test: test, train: train, floor: floor, windows: windows, pca: pca, o: o, fs: fs, m: m,
		core: make([]int, m), ldS: newLDAcc(o.LDPairSNPs), ldF: newLDAcc(o.LDPairSNPs), judge: newJudgeAcc(test.Sites, o.JudgeLDSNPs),
		ps: mat.NewDense(fs, pca.K(), nil), afS: make([]float64, m), nk: min(2, pca.K())}
	for _, w := range windows {
		for v := w.CoreStart; v < w.End; v++ {
			e.core[v] = w.Index
		}
	}
	step := max(m/o.PrivacySNPs, 1)
	for v := 0; v < m && len(e.privSNPs) < o.PrivacySNPs; v += step {
		e.privSNPs = append(e.privSNPs, v)
	}
	e.privDos = make([]int8, 0, len(e.privSNPs)*fs)
	return e, nil
}

// synthRange is a view of the buffered synthetic sites [lo, hi).
func (e *Evaluator) synthRange(lo, hi int) *vcf.Genotypes {
	return &vcf.Genotypes{Sites: e.test.Sites[lo:hi], Samples: make([]string, e.fs), Dosage: e.buf[(lo-e.bufLo)*e.fs : (hi-e.bufLo)*e.fs]}
}

// Add takes the synthetic cohort's genotypes of window w's core, the next
// window: core[v*stride+s] is individual s at the core's site v (stride ≥
// the number of individuals compared; the first of them are).
func (e *Evaluator) Add(w Window, core []int8, stride int) error {
	if e.next >= len(e.windows) || w != e.windows[e.next] {
		return fmt.Errorf("%w: window %d added out of order", ErrOption, w.Index)
	}
	if stride < e.fs || len(core) < (w.Core()-1)*stride+e.fs {
		return fmt.Errorf("%w: window %d: %d genotypes with stride %d for %d sites of %d individuals", ErrOption, w.Index, len(core), stride, w.Core(), e.fs)
	}
	e.next++
	fs := e.fs
	for v := 0; v < w.Core(); v++ {
		row := core[v*stride : v*stride+fs]
		e.buf = append(e.buf, row...)
		var s float64
		for _, d := range row {
			s += float64(d)
		}
		e.afS[w.CoreStart+v] = s / float64(2*fs)
		for e.privNext < len(e.privSNPs) && e.privSNPs[e.privNext] == w.CoreStart+v {
			e.privDos = append(e.privDos, row...)
			e.privNext++
		}
	}
	e.bufHi = w.End
	// The window's own share of the PC scores, for ancestry consistency.
	ws := e.pca.Project(e.synthRange(w.CoreStart, w.End), 0, w.Core(), w.CoreStart)
	sc := make([]float64, fs*e.nk)
	for s := 0; s < fs; s++ {
		for k := 0; k < e.nk; k++ {
			sc[s*e.nk+k] = ws.At(s, k)
		}
	}
	e.ws = append(e.ws, sc)
	last := e.next == len(e.windows)
	// Whole-chromosome scores in Project's chunks of pcaChunk sites from
	// site 0, so that they equal Project of the whole cohort.
	for e.pcaDone < e.m && (e.pcaDone+pcaChunk <= e.bufHi || last) {
		b := min(e.pcaDone+pcaChunk, e.m)
		var tmp mat.Dense
		blk := e.pca.standardisedChunk(e.synthRange(e.pcaDone, b), 0, b-e.pcaDone, e.pcaDone)
		tmp.Mul(blk.T(), e.pca.Loadings.Slice(e.pcaDone, b, 0, e.pca.K()))
		e.ps.Add(e.ps, &tmp)
		e.pcaDone = b
	}
	// LD pairs whose right site has arrived.
	hi := e.bufHi - e.pairSNPs()
	if last {
		hi = e.m
	}
	if hi > e.ldDone {
		if err := e.comparePairs(e.ldDone, hi); err != nil {
			return err
		}
		e.ldDone = hi
	}
	// Drop the sites both are done with.
	if drop := min(e.ldDone, e.pcaDone) - e.bufLo; drop > 0 {
		e.buf = append(e.buf[:0], e.buf[drop*fs:]...)
		e.bufLo += drop
	}
	return nil
}

// pairSNPs is the longest distance in sites of a compared pair.
func (e *Evaluator) pairSNPs() int { return max(e.o.LDPairSNPs, e.o.JudgeLDSNPs) }

// comparePairs adds the r² differences of the pairs whose left site is in
// [lo, hi) (and whose right site is at most pairSNPs further, within the
// buffer): pairs at most LDPairSNPs apart to the inside and straddling
// comparisons, pairs at most JudgeLDSNPs apart to the judge's.
func (e *Evaluator) comparePairs(lo, hi int) error {
	L := e.pairSNPs()
	top := min(hi+L, e.bufHi)
	r2 := func(g *vcf.Genotypes) ([]float32, error) {
		out := make([]float32, (hi-lo)*L)
		for i := range out {
			out[i] = float32(math.NaN())
		}
		err := ld.Pairs(g, ld.WindowOptions{WindowSNPs: L + 1, WindowKB: math.Inf(1)}, func(p ld.Pair) error {
			if p.I < hi-lo {
				out[p.I*L+(p.J-p.I-1)] = float32(p.R2)
			}
			return nil
		})
		return out, err
	}
	rt, err := r2(e.test.SiteRange(lo, top))
	if err != nil {
		return err
	}
	rs, err := r2(e.synthRange(lo, top))
	if err != nil {
		return err
	}
	rf, err := r2(e.floor.SiteRange(lo, top))
	if err != nil {
		return err
	}
	sites := e.test.Sites
	for i := lo; i < hi; i++ {
		for k := 0; k < L && i+k+1 < e.m; k++ {
			if sites[i].Chrom != sites[i+k+1].Chrom {
				break // no LD between chromosomes
			}
			t := rt[(i-lo)*L+k]
			if k < e.o.JudgeLDSNPs {
				e.judge.add(math.Abs(float64(sites[i+k+1].Pos-sites[i].Pos)), rs[(i-lo)*L+k], t, rf[(i-lo)*L+k])
			}
			if k >= e.o.LDPairSNPs || math.IsNaN(float64(t)) {
				continue
			}
			c := 0
			if e.core[i] != e.core[i+k+1] {
				c = 1
			}
			if s := rs[(i-lo)*L+k]; !math.IsNaN(float64(s)) {
				e.ldS.sum[c][k] += math.Abs(float64(s - t))
				e.ldS.cnt[c][k]++
			}
			if f := rf[(i-lo)*L+k]; !math.IsNaN(float64(f)) {
				e.ldF.sum[c][k] += math.Abs(float64(f - t))
				e.ldF.cnt[c][k]++
			}
		}
	}
	return nil
}

// Finish returns the metrics once every window has been added.
func (e *Evaluator) Finish() (*Metrics, error) {
	if e.next != len(e.windows) {
		return nil, fmt.Errorf("%w: %d of %d windows added", ErrOption, e.next, len(e.windows))
	}
	m, test, floor := e.m, e.test, e.floor
	met := &Metrics{Windows: len(e.windows), SNPs: m, FloorSize: e.fs}
	L := e.o.LDPairSNPs
	summ := func(a *ldAcc) (in, inMatched, st float64, nIn, nSt int) {
		var si, ci, ss, cs, wsum, wtot float64
		for k := 0; k < L; k++ {
			si += a.sum[0][k]
			ci += a.cnt[0][k]
			ss += a.sum[1][k]
			cs += a.cnt[1][k]
			if a.cnt[0][k] > 0 && a.cnt[1][k] > 0 {
				wsum += a.cnt[1][k] * a.sum[0][k] / a.cnt[0][k]
				wtot += a.cnt[1][k]
			}
		}
		return si / ci, wsum / wtot, ss / cs, int(ci), int(cs)
	}
	met.LD.Inside, met.LD.InsideMatched, met.LD.Straddle, met.LD.InsidePairs, met.LD.StraddlePairs = summ(e.ldS)
	met.LD.FloorInside, met.LD.FloorInsideMatched, met.LD.FloorStraddle, _, _ = summ(e.ldF)
	met.LD.JudgePairs = int(e.judge.pairs)
	met.LD.JudgeMAE, met.LD.JudgeDecayL2, met.LD.FloorJudgeMAE, met.LD.FloorJudgeDecayL2 = e.judge.result()

	// Allele frequencies.
	ft := metrics.AlleleFreqs(test)
	met.AFR2 = sq(pearson(ft, e.afS))
	met.AFR2Floor = sq(pearson(ft, metrics.AlleleFreqs(floor)))

	// PCA on the whole-chromosome training PCs.
	pt := e.pca.Project(test, 0, m, 0)
	ps := e.ps
	pf := e.pca.Project(floor, 0, m, 0)
	K := e.pca.K()
	for k := 0; k < K; k++ {
		met.PCW2 = append(met.PCW2, math.Sqrt(w2sq(col(pt, k), col(ps, k))))
		met.PCW2Floor = append(met.PCW2Floor, math.Sqrt(w2sq(col(pt, k), col(pf, k))))
	}

	// Ancestry consistency along the chromosome, for the 2 leading PCs.
	nk := e.nk
	anc := &met.Ancestry
	anc.PerWindowSynth = make([][]float64, nk)
	anc.PerWindowTest = make([][]float64, nk)
	wsk := make([]float64, e.fs)
	for i, w := range e.windows {
		wt := e.pca.Project(test, w.CoreStart, w.End, 0)
		for k := 0; k < nk; k++ {
			for s := range wsk {
				wsk[s] = e.ws[i][s*nk+k]
			}
			anc.PerWindowSynth[k] = append(anc.PerWindowSynth[k], pearson(wsk, col(ps, k)))
			anc.PerWindowTest[k] = append(anc.PerWindowTest[k], pearson(col(wt, k), col(pt, k)))
		}
	}
	for k := 0; k < nk; k++ {
		mean, lo := meanMin(anc.PerWindowSynth[k])
		anc.SynthMean, anc.SynthMin = append(anc.SynthMean, mean), append(anc.SynthMin, lo)
		mean, lo = meanMin(anc.PerWindowTest[k])
		anc.TestMean, anc.TestMin = append(anc.TestMean, mean), append(anc.TestMin, lo)
	}

	met.Genome = e.genomeAncestry()

	// Privacy on a SNP subset.
	own := make([]int, len(e.privSNPs))
	for x := range own {
		own[x] = x
	}
	priv := &vcf.Genotypes{Samples: make([]string, e.fs), Dosage: e.privDos}
	met.Privacy = privacyOf(priv, own, test, e.train, e.privSNPs)
	return met, nil
}

// privacyOf compares the distances to the closest training record, on the
// sites snps of test and train and the sites synthSNPs of synth (the same
// sites, as synth may hold only those). A missing call takes the training
// cohort's rounded mean dosage at its site, the one convention of package
// metrics (metrics.Pack with metrics.ImputeFill of the training cohort, as
// report's DCR); the pipeline imputes test and train before, so this
// matters to other callers of Evaluate. The quantiles are
// metrics.RoundedRank, where report interpolates.
func privacyOf(synth *vcf.Genotypes, synthSNPs []int, test, train *vcf.Genotypes, snps []int) Privacy {
	fill := metrics.ImputeFill(train)
	// Pack indexes the fill by the packed cohort's own site numbers:
	// synth's site synthSNPs[x] is the training cohort's site snps[x]
	// (synth may be a bare dosage matrix without Sites).
	synthFill := make([]int8, slices.Max(append([]int{-1}, synthSNPs...))+1)
	for x, v := range synthSNPs {
		synthFill[v] = fill[snps[x]]
	}
	tr := metrics.Pack(train, snps, fill)
	dcr := func(g *vcf.Genotypes, snps []int, fill []int8) []float64 {
		d := metrics.NearestDistances(metrics.Pack(g, snps, fill), tr)
		sort.Float64s(d)
		return d
	}
	ds, dt := dcr(synth, synthSNPs, synthFill), dcr(test, snps, fill)
	q := func(sorted []float64, p float64) float64 {
		return metrics.QuantileSorted(sorted, p, metrics.RoundedRank)
	}
	return Privacy{SNPs: len(snps), IdenticalRate: metrics.FracZero(ds),
		SynthDCRMedian: q(ds, 0.5), SynthDCRP5: q(ds, 0.05),
		TestDCRMedian: q(dt, 0.5), TestDCRP5: q(dt, 0.05)}
}

func col(x *mat.Dense, k int) []float64 {
	n, _ := x.Dims()
	out := make([]float64, n)
	for i := range out {
		out[i] = x.At(i, k)
	}
	return out
}

func sq(x float64) float64 { return x * x }

func meanMin(xs []float64) (float64, float64) {
	s, lo := 0.0, math.Inf(1)
	for _, x := range xs {
		s += x
		lo = math.Min(lo, x)
	}
	return s / float64(len(xs)), lo
}

// pearson is the Pearson correlation of a and b (NaN when either is
// constant).
func pearson(a, b []float64) float64 { return stat.Correlation(a, b, nil) }

// w2sq is the squared 1-D Wasserstein-2 distance of two empirical
// distributions (sizes may differ); a and b are left unsorted.
func w2sq(a, b []float64) float64 {
	return metrics.W2Squared(slices.Sorted(slices.Values(a)), slices.Sorted(slices.Values(b)))
}

// MarshalJSON writes the metrics with undefined values (NaN, ±Inf) as null,
// which encoding/json cannot otherwise encode.
func (m *Metrics) MarshalJSON() ([]byte, error) {
	type plain Metrics
	return json.Marshal(finite(reflect.ValueOf((*plain)(m)).Elem()))
}

// finite converts v to JSON-ready values with non-finite floats as nil.
func finite(v reflect.Value) any {
	switch v.Kind() {
	case reflect.Float32, reflect.Float64:
		f := v.Float()
		if math.IsNaN(f) || math.IsInf(f, 0) {
			return nil
		}
		return f
	case reflect.Slice:
		out := make([]any, v.Len())
		for i := range out {
			out[i] = finite(v.Index(i))
		}
		return out
	case reflect.Pointer:
		if v.IsNil() {
			return nil
		}
		return finite(v.Elem())
	case reflect.Struct:
		out := map[string]any{}
		t := v.Type()
		for i := 0; i < v.NumField(); i++ {
			if f := v.Field(i); f.Kind() == reflect.Pointer && f.IsNil() {
				continue // absent (Metrics.Genome on one chromosome)
			}
			if t.Field(i).IsExported() {
				out[t.Field(i).Name] = finite(v.Field(i))
			}
		}
		return out
	default:
		return v.Interface()
	}
}

// genomeAncestry is Metrics.Genome (nil when the sites lie on one
// chromosome). A chromosome's share of a synthetic individual's scores is
// the sum of its windows' shares (Add keeps them; a window lies on one
// chromosome).
func (e *Evaluator) genomeAncestry() *GenomeAncestry {
	type span struct{ lo, hi, w0, w1 int } // sites and windows of a contig
	var spans []span
	g := &GenomeAncestry{}
	for i, w := range e.windows {
		c := e.test.Sites[w.CoreStart].Chrom
		if len(spans) == 0 || g.Contigs[len(g.Contigs)-1] != c {
			g.Contigs = append(g.Contigs, c)
			spans = append(spans, span{lo: w.CoreStart, w0: i})
		}
		spans[len(spans)-1].hi, spans[len(spans)-1].w1 = w.End, i+1
	}
	if len(spans) < 2 {
		return nil
	}
	nk, fs := e.nk, e.fs
	synth := make([][][]float64, len(spans)) // [contig][k] → per individual
	test := make([][][]float64, len(spans))
	for c, sp := range spans {
		synth[c] = make([][]float64, nk)
		for k := 0; k < nk; k++ {
			v := make([]float64, fs)
			for i := sp.w0; i < sp.w1; i++ {
				for s := 0; s < fs; s++ {
					v[s] += e.ws[i][s*nk+k]
				}
			}
			synth[c][k] = v
		}
		tc := e.pca.Project(e.test, sp.lo, sp.hi, 0)
		test[c] = make([][]float64, nk)
		for k := 0; k < nk; k++ {
			test[c][k] = col(tc, k)
		}
	}
	g.Synth, g.Test = make([][]float64, nk), make([][]float64, nk)
	for a := range spans {
		for b := a + 1; b < len(spans); b++ {
			g.Pairs = append(g.Pairs, [2]int{a, b})
			for k := 0; k < nk; k++ {
				g.Synth[k] = append(g.Synth[k], pearson(synth[a][k], synth[b][k]))
				g.Test[k] = append(g.Test[k], pearson(test[a][k], test[b][k]))
			}
		}
	}
	for k := 0; k < nk; k++ {
		ms, _ := meanMin(g.Synth[k])
		mt, _ := meanMin(g.Test[k])
		g.SynthMean, g.TestMean = append(g.SynthMean, ms), append(g.TestMean, mt)
	}
	return g
}
