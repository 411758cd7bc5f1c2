package chrom

import (
	"encoding/json"
	"fmt"
	"math"
	"math/bits"
	"reflect"
	"slices"
	"sort"

	"github.com/gousynth/gousynth/ld"
	"github.com/gousynth/gousynth/preprocess"
	"github.com/gousynth/gousynth/report"
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
}

// Evaluate computes Metrics for synth against test, with train (imputed)
// as the floor's source and the PCA's training set. All three share sites.
func Evaluate(test, synth, train *vcf.Genotypes, windows []Window, pca *PCA, o MetricOptions) (*Metrics, error) {
	if o.LDPairSNPs == 0 {
		o.LDPairSNPs = 50
	}
	if o.PrivacySNPs == 0 {
		o.PrivacySNPs = 5000
	}
	m := test.NumSites()
	if synth.NumSites() != m || train.NumSites() != m || len(pca.Mean) != m {
		return nil, fmt.Errorf("%w: evaluation sets have %d, %d, %d sites (PCA %d)", ErrOption, test.NumSites(), synth.NumSites(), train.NumSites(), len(pca.Mean))
	}
	fs := min(synth.NumSamples(), train.NumSamples())
	// The first fs synthetic individuals, not a random subset: a fitted
	// plan's latent has the cohort's composition in every prefix
	// (Mixture.Sample), while a random subset of it would not, and the
	// training subset of the floor, from a split stratified by
	// population, has the test set's composition.
	idxS := make([]int, fs)
	for i := range idxS {
		idxS[i] = i
	}
	idxF, err := preprocess.Subsample(train.NumSamples(), fs, mix(o.Seed, 2))
	if err != nil {
		return nil, err
	}
	// Whole-chromosome copies cost a byte per genotype each: take the
	// cohorts themselves when the subsets are all of them (the synthetic
	// cohort of a windowed fit holds just the first fs; the floor is the
	// whole training cohort when fs is its size, and no metric here depends
	// on the order of individuals).
	sub := synth
	if fs < synth.NumSamples() {
		sub = preprocess.SubsetSamples(synth, idxS)
	}
	floor := train
	if fs < train.NumSamples() {
		floor = preprocess.SubsetSamples(train, idxF)
	}
	met := &Metrics{Windows: len(windows), SNPs: m, FloorSize: fs}

	// LD.
	core := make([]int, m) // window index of each site's core
	for _, w := range windows {
		for v := w.CoreStart; v < w.End; v++ {
			core[v] = w.Index
		}
	}
	L := o.LDPairSNPs
	r2 := func(g *vcf.Genotypes) ([]float32, error) {
		out := make([]float32, m*L)
		for i := range out {
			out[i] = float32(math.NaN())
		}
		err := ld.Pairs(g, ld.WindowOptions{WindowSNPs: L + 1, WindowKB: math.Inf(1)}, func(p ld.Pair) error {
			out[p.I*L+(p.J-p.I-1)] = float32(p.R2)
			return nil
		})
		return out, err
	}
	rt, err := r2(test)
	if err != nil {
		return nil, err
	}
	rs, err := r2(sub)
	if err != nil {
		return nil, err
	}
	rf, err := r2(floor)
	if err != nil {
		return nil, err
	}
	type acc struct {
		sum [2][]float64
		cnt [2][]float64
	} // [inside, straddle][distance]
	newAcc := func() *acc {
		a := &acc{}
		for c := 0; c < 2; c++ {
			a.sum[c], a.cnt[c] = make([]float64, L), make([]float64, L)
		}
		return a
	}
	as, af := newAcc(), newAcc()
	for i := 0; i < m; i++ {
		for k := 0; k < L && i+k+1 < m; k++ {
			t := rt[i*L+k]
			if math.IsNaN(float64(t)) {
				continue
			}
			c := 0
			if core[i] != core[i+k+1] {
				c = 1
			}
			if s := rs[i*L+k]; !math.IsNaN(float64(s)) {
				as.sum[c][k] += math.Abs(float64(s - t))
				as.cnt[c][k]++
			}
			if f := rf[i*L+k]; !math.IsNaN(float64(f)) {
				af.sum[c][k] += math.Abs(float64(f - t))
				af.cnt[c][k]++
			}
		}
	}
	summ := func(a *acc) (in, inMatched, st float64, nIn, nSt int) {
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
	met.LD.Inside, met.LD.InsideMatched, met.LD.Straddle, met.LD.InsidePairs, met.LD.StraddlePairs = summ(as)
	met.LD.FloorInside, met.LD.FloorInsideMatched, met.LD.FloorStraddle, _, _ = summ(af)

	// Allele frequencies.
	af2 := func(g *vcf.Genotypes) []float64 {
		n := g.NumSamples()
		out := make([]float64, m)
		for v := 0; v < m; v++ {
			var s, c float64
			for _, d := range g.Dosage[v*n : (v+1)*n] {
				if d >= 0 {
					s += float64(d)
					c += 2
				}
			}
			out[v] = s / c
		}
		return out
	}
	ft := af2(test)
	met.AFR2 = sq(pearson(ft, af2(synth)))
	met.AFR2Floor = sq(pearson(ft, af2(floor)))

	// PCA on the whole-chromosome training PCs.
	pt := pca.Project(test, 0, m, 0)
	ps := pca.Project(sub, 0, m, 0)
	pf := pca.Project(floor, 0, m, 0)
	K := pca.K()
	for k := 0; k < K; k++ {
		met.PCW2 = append(met.PCW2, math.Sqrt(w2sq(col(pt, k), col(ps, k))))
		met.PCW2Floor = append(met.PCW2Floor, math.Sqrt(w2sq(col(pt, k), col(pf, k))))
	}

	// Ancestry consistency along the chromosome, for the 2 leading PCs.
	nk := min(2, K)
	anc := &met.Ancestry
	anc.PerWindowSynth = make([][]float64, nk)
	anc.PerWindowTest = make([][]float64, nk)
	for _, w := range windows {
		ws := pca.Project(sub, w.CoreStart, w.End, 0)
		wt := pca.Project(test, w.CoreStart, w.End, 0)
		for k := 0; k < nk; k++ {
			anc.PerWindowSynth[k] = append(anc.PerWindowSynth[k], pearson(col(ws, k), col(ps, k)))
			anc.PerWindowTest[k] = append(anc.PerWindowTest[k], pearson(col(wt, k), col(pt, k)))
		}
	}
	for k := 0; k < nk; k++ {
		mean, lo := meanMin(anc.PerWindowSynth[k])
		anc.SynthMean, anc.SynthMin = append(anc.SynthMean, mean), append(anc.SynthMin, lo)
		mean, lo = meanMin(anc.PerWindowTest[k])
		anc.TestMean, anc.TestMin = append(anc.TestMean, mean), append(anc.TestMin, lo)
	}

	// Privacy on a SNP subset.
	step := max(m/o.PrivacySNPs, 1)
	var snps []int
	for v := 0; v < m && len(snps) < o.PrivacySNPs; v += step {
		snps = append(snps, v)
	}
	met.Privacy = privacy(synth, test, train, snps)
	return met, nil
}

func privacy(synth, test, train *vcf.Genotypes, snps []int) Privacy {
	words := (len(snps) + 63) / 64
	pack := func(g *vcf.Genotypes) [][]uint64 {
		n := g.NumSamples()
		out := make([][]uint64, n)
		for i := range out {
			out[i] = make([]uint64, 2*words)
		}
		for x, v := range snps {
			row := g.Dosage[v*n : (v+1)*n]
			for i, d := range row {
				if d >= 1 {
					out[i][x/64] |= 1 << (x % 64)
				}
				if d >= 2 {
					out[i][words+x/64] |= 1 << (x % 64)
				}
			}
		}
		return out
	}
	tr := pack(train)
	dcr := func(g *vcf.Genotypes) []float64 {
		q := pack(g)
		out := make([]float64, len(q))
		for i, a := range q {
			best := math.MaxInt
			for _, b := range tr {
				d := 0
				for x := range a {
					d += bits.OnesCount64(a[x] ^ b[x])
				}
				if d < best {
					best = d
				}
			}
			out[i] = float64(best)
		}
		sort.Float64s(out)
		return out
	}
	ds, dt := dcr(synth), dcr(test)
	p := Privacy{SNPs: len(snps)}
	for _, d := range ds {
		if d == 0 {
			p.IdenticalRate++
		}
	}
	p.IdenticalRate /= float64(len(ds))
	p.SynthDCRMedian, p.SynthDCRP5 = quantile(ds, 0.5), quantile(ds, 0.05)
	p.TestDCRMedian, p.TestDCRP5 = quantile(dt, 0.5), quantile(dt, 0.05)
	return p
}

func quantile(sorted []float64, q float64) float64 {
	if len(sorted) == 0 {
		return math.NaN()
	}
	return sorted[int(q*float64(len(sorted)-1)+0.5)]
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
	return report.W2Squared(slices.Sorted(slices.Values(a)), slices.Sorted(slices.Values(b)))
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
	case reflect.Struct:
		out := map[string]any{}
		t := v.Type()
		for i := 0; i < v.NumField(); i++ {
			if t.Field(i).IsExported() {
				out[t.Field(i).Name] = finite(v.Field(i))
			}
		}
		return out
	default:
		return v.Interface()
	}
}
