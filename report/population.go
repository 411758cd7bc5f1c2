package report

import (
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"sort"

	"github.com/gousynth/gousynth/metrics"
	"github.com/gousynth/gousynth/preprocess"
	"github.com/gousynth/gousynth/vcf"
)

// Populations compares a labelled synthetic cohort with labelled real
// cohorts population by population (issue 18): per label, allele
// frequencies and the position on the training PCs, each next to the
// floor made of real training individuals of the same label; per pair of
// labels, Hudson's Fst in the synthetic cohort next to the real ones.
type Populations struct {
	// Metrics holds, per label L, pop_af_r2[L] and pop_pca_w1[L] (with their
	// floors and ratios), then fst[A|B] for each pair of labels (value:
	// synthetic, floor: the held-out real individuals).
	Metrics []Metric `json:"metrics"`
	// Labels are the labels compared, with their cohort sizes.
	Labels []PopulationSize `json:"labels"`
	// Fst holds Hudson's Fst of each pair of labels in each cohort.
	Fst []FstPair `json:"fst"`
}

// PopulationSize is how many individuals of one label each cohort has.
type PopulationSize struct {
	Label string `json:"label"`
	Synth int    `json:"synth"`
	Test  int    `json:"test"`
	Train int    `json:"train"`
}

// FstPair is Hudson's Fst between two labels in the synthetic cohort, the
// held-out real cohort (the reference) and the training cohort, each with
// its delete-one jackknife standard error over the cohort's individuals
// (metrics.HudsonFstSEs). Non-finite numbers are written to JSON as null.
type FstPair struct {
	A, B  string
	Synth float64 `json:"synth"`
	Test  float64 `json:"test"`
	Train float64 `json:"train"`
	// SynthSE, TestSE and TrainSE are the standard errors of Synth, Test
	// and Train: the sampling noise of a cohort of that many individuals of
	// each label, not the variance of Fst over the genome.
	SynthSE float64 `json:"synth_se"`
	TestSE  float64 `json:"test_se"`
	TrainSE float64 `json:"train_se"`
	// Z is (Synth − Test)/sqrt(SynthSE² + TestSE²): |Z| above ~2 means the
	// synthetic Fst differs from the held-out one by more than the
	// sampling noise of the two finite cohorts.
	Z float64 `json:"z"`
	// RelErr is |Synth/Test − 1|; TrainRelErr the same for the training
	// cohort, the sampling noise of real data.
	RelErr      float64 `json:"rel_err"`
	TrainRelErr float64 `json:"train_rel_err"`
}

// fstPairJSON is FstPair with non-finite numbers as null (encoding/json
// rejects NaN, and Z is NaN when both SEs are 0).
type fstPairJSON struct {
	A           string   `json:"A"`
	B           string   `json:"B"`
	Synth       *float64 `json:"synth"`
	Test        *float64 `json:"test"`
	Train       *float64 `json:"train"`
	SynthSE     *float64 `json:"synth_se"`
	TestSE      *float64 `json:"test_se"`
	TrainSE     *float64 `json:"train_se"`
	Z           *float64 `json:"z"`
	RelErr      *float64 `json:"rel_err"`
	TrainRelErr *float64 `json:"train_rel_err"`
}

// MarshalJSON writes non-finite numbers as null.
func (f FstPair) MarshalJSON() ([]byte, error) {
	return json.Marshal(fstPairJSON{f.A, f.B, finitePtr(f.Synth), finitePtr(f.Test), finitePtr(f.Train),
		finitePtr(f.SynthSE), finitePtr(f.TestSE), finitePtr(f.TrainSE), finitePtr(f.Z), finitePtr(f.RelErr), finitePtr(f.TrainRelErr)})
}

// UnmarshalJSON reads null numbers as NaN, the inverse of MarshalJSON.
func (f *FstPair) UnmarshalJSON(b []byte) error {
	var in fstPairJSON
	if err := json.Unmarshal(b, &in); err != nil {
		return err
	}
	*f = FstPair{A: in.A, B: in.B, Synth: nullNaN(in.Synth), Test: nullNaN(in.Test), Train: nullNaN(in.Train),
		SynthSE: nullNaN(in.SynthSE), TestSE: nullNaN(in.TestSE), TrainSE: nullNaN(in.TrainSE), Z: nullNaN(in.Z),
		RelErr: nullNaN(in.RelErr), TrainRelErr: nullNaN(in.TrainRelErr)}
	return nil
}

// minPopulationSize is the fewest individuals of a label each cohort needs
// for the label to be compared.
const minPopulationSize = 5

// EvaluatePopulations compares synth with test and train label by label.
// The label slices give each individual's label ("" : none) in the order of
// the cohorts' samples. Labels with fewer than 5 individuals in any cohort
// are left out. Per label L, with m = min(synthetic, training) individuals
// of L:
//
//   - pop_af_r2[L]: r² between the allele frequencies of m synthetic
//     individuals of L and those of the test individuals of L; floor: m
//     random training individuals of L.
//   - pop_pca_w1[L]: Wasserstein-1 distance between the PC scores of
//     synthetic and test individuals of L, mean over the top pcs PCs of the
//     training cohort; floor: training individuals of L. The PCs are fitted
//     on the training individuals outside the floor subsets, so that every
//     cohort is projected out of sample; both subsets have
//     min(synthetic, training/2) individuals of L.
//   - fst[A|B]: Hudson's Fst (Bhatia et al. 2013, ratio of averages)
//     between A and B, in the synthetic cohort (value) and in the test
//     cohort (floor); the training cohort's is in Fst. Each has its
//     delete-one jackknife SE over the cohort's individuals (no rng) and
//     the pair has z = (synthetic − test)/combined SE.
func EvaluatePopulations(test, synth, train *vcf.Genotypes, testLab, synthLab, trainLab []string, pcs int, seed uint64) (*Populations, error) {
	if err := checkPopulationCohorts(test, synth, train, testLab, synthLab, trainLab); err != nil {
		return nil, err
	}
	if pcs <= 0 {
		pcs = 10
	}
	g := labelGroups{test: groupByLabel(testLab), synth: groupByLabel(synthLab), train: groupByLabel(trainLab)}
	labels := g.compared()
	res := &Populations{}
	if len(labels) == 0 {
		return res, nil
	}
	rng := rand.New(rand.NewPCG(seed, 0x706f70))
	pc, err := fitPopulationPCs(train, g, labels, pcs, rng)
	if err != nil {
		return nil, err
	}
	afT := map[string][]float64{}
	var afMetrics, pcMetrics []Metric
	for _, l := range labels {
		res.Labels = append(res.Labels, PopulationSize{Label: l, Synth: len(g.synth[l]), Test: len(g.test[l]), Train: len(g.train[l])})
		t := preprocess.SubsetSamplesShared(test, g.test[l])
		afT[l] = metrics.AlleleFreqs(t)
		afMetrics = append(afMetrics, populationAFMetric(l, afT[l], synth, train, g, rng))
		if x, ok := pc.w1Metric(l, t, synth, train); ok {
			pcMetrics = append(pcMetrics, x)
		}
	}
	res.Metrics = append(afMetrics, pcMetrics...)
	res.Fst = fstPairs(labels, g, afT, test, synth, train)
	for _, fp := range res.Fst {
		res.Metrics = append(res.Metrics, fstMetric(fp))
	}
	return res, nil
}

// checkPopulationCohorts checks that all three cohorts are given, that each
// label slice matches its cohort and that the cohorts share sites.
func checkPopulationCohorts(test, synth, train *vcf.Genotypes, testLab, synthLab, trainLab []string) error {
	if test == nil || synth == nil || train == nil {
		return fmt.Errorf("report: population metrics need test, synthetic and training cohorts: %w", ErrTooFew)
	}
	if len(testLab) != test.NumSamples() || len(synthLab) != synth.NumSamples() || len(trainLab) != train.NumSamples() {
		return fmt.Errorf("report: population labels do not match the cohorts (%d/%d test, %d/%d synthetic, %d/%d training)",
			len(testLab), test.NumSamples(), len(synthLab), synth.NumSamples(), len(trainLab), train.NumSamples())
	}
	if err := SameSites(test, synth, "test cohort", "synthetic cohort"); err != nil {
		return err
	}
	return SameSites(test, train, "test cohort", "training cohort")
}

// labelGroups hold, per cohort, the individuals of each label.
type labelGroups struct {
	test, synth, train map[string][]int
}

// groupByLabel returns the indices of each label's individuals ("" is no
// label and left out).
func groupByLabel(lab []string) map[string][]int {
	out := map[string][]int{}
	for i, l := range lab {
		if l != "" {
			out[l] = append(out[l], i)
		}
	}
	return out
}

// compared returns the labels with at least minPopulationSize individuals
// in every cohort, sorted.
func (g labelGroups) compared() []string {
	var labels []string
	for l := range g.synth {
		if len(g.synth[l]) >= minPopulationSize && len(g.test[l]) >= minPopulationSize && len(g.train[l]) >= minPopulationSize {
			labels = append(labels, l)
		}
	}
	sort.Strings(labels)
	return labels
}

// populationPCs are the training PCs of the population comparison and, per
// label, the synthetic and floor subsets projected on them.
type populationPCs struct {
	p            *metrics.DosagePCA
	synth, floor map[string][]int
}

// fitPopulationPCs draws, per label, min(synthetic, training/2) synthetic
// and floor individuals, and fits the PCs on the training individuals
// outside every floor subset, so that every cohort is projected out of
// sample.
func fitPopulationPCs(train *vcf.Genotypes, g labelGroups, labels []string, pcs int, rng *rand.Rand) (*populationPCs, error) {
	pc := &populationPCs{synth: map[string][]int{}, floor: map[string][]int{}}
	inFloor := make([]bool, train.NumSamples())
	for _, l := range labels {
		m := min(len(g.synth[l]), len(g.train[l])/2)
		pc.synth[l] = pick(rng, g.synth[l], m)
		pc.floor[l] = pick(rng, g.train[l], m)
		for _, i := range pc.floor[l] {
			inFloor[i] = true
		}
	}
	var rest []int
	for i, f := range inFloor {
		if !f {
			rest = append(rest, i)
		}
	}
	p, err := fitPCA(metrics.NewMatrix(preprocess.SubsetSamplesShared(train, rest)), pcs, rng.Uint64())
	if err != nil {
		return nil, err
	}
	pc.p = p
	return pc, nil
}

// populationAFMetric is pop_af_r2[l]: r² between the allele frequencies
// afT of the test individuals of l and those of m = min(synthetic,
// training) random synthetic individuals of l, next to m random training
// individuals of l.
func populationAFMetric(l string, afT []float64, synth, train *vcf.Genotypes, g labelGroups, rng *rand.Rand) Metric {
	m := min(len(g.synth[l]), len(g.train[l]))
	s := metrics.AlleleFreqs(preprocess.SubsetSamplesShared(synth, pick(rng, g.synth[l], m)))
	f := metrics.AlleleFreqs(preprocess.SubsetSamplesShared(train, pick(rng, g.train[l], m)))
	rS, rF := metrics.Pearson(s, afT), metrics.Pearson(f, afT)
	return metricHigher("pop_af_r2["+l+"]",
		fmt.Sprintf("r² between the allele frequencies of %d synthetic and of the %d test individuals of %s (floor: %d training individuals of %s)", m, len(g.test[l]), l, m, l),
		rS*rS, rF*rF)
}

// w1Metric is pop_pca_w1[l]: the Wasserstein-1 distance between the PC
// scores of the synthetic and of the test individuals t of l, mean over
// the PCs, next to the floor subset's; ok is false without PCs or with
// fewer than 2 synthetic individuals of l.
func (pc *populationPCs) w1Metric(l string, t, synth, train *vcf.Genotypes) (Metric, bool) {
	k := len(pc.p.VarFrac)
	if k == 0 || len(pc.synth[l]) < 2 {
		return Metric{}, false
	}
	nT := t.NumSamples()
	sT := pc.p.Project(metrics.NewMatrix(t))
	sS := pc.p.Project(metrics.NewMatrix(preprocess.SubsetSamplesShared(synth, pc.synth[l])))
	sF := pc.p.Project(metrics.NewMatrix(preprocess.SubsetSamplesShared(train, pc.floor[l])))
	wS := mean(metrics.ColumnW1(sS, len(pc.synth[l]), sT, nT, k))
	wF := mean(metrics.ColumnW1(sF, len(pc.floor[l]), sT, nT, k))
	return metricLower("pop_pca_w1["+l+"]",
		fmt.Sprintf("Wasserstein-1 distance between the PC scores of %d synthetic and of the %d test individuals of %s, mean over the top %d training PCs (floor: %d training individuals of %s, outside the PC fit)", len(pc.synth[l]), nT, l, k, len(pc.floor[l]), l),
		wS, wF), true
}

// fstPairs returns Hudson's Fst of every pair of labels in the synthetic,
// test (allele frequencies afT) and training cohorts, each label whole,
// with the jackknife SEs over individuals and z. It draws nothing.
func fstPairs(labels []string, g labelGroups, afT map[string][]float64, test, synth, train *vcf.Genotypes) []FstPair {
	afS, afR := map[string][]float64{}, map[string][]float64{}
	for _, l := range labels {
		afS[l] = metrics.AlleleFreqs(preprocess.SubsetSamplesShared(synth, g.synth[l]))
		afR[l] = metrics.AlleleFreqs(preprocess.SubsetSamplesShared(train, g.train[l]))
	}
	se := func(x *vcf.Genotypes, groups map[string][]int) [][]float64 {
		idx := make([][]int, len(labels))
		for i, l := range labels {
			idx[i] = groups[l]
		}
		return metrics.HudsonFstSEs(x, idx)
	}
	seS, seT, seR := se(synth, g.synth), se(test, g.test), se(train, g.train)
	var out []FstPair
	for a := 0; a < len(labels); a++ {
		for b := a + 1; b < len(labels); b++ {
			A, B := labels[a], labels[b]
			fp := FstPair{A: A, B: B,
				Synth:   metrics.HudsonFst(afS[A], afS[B], len(g.synth[A]), len(g.synth[B])),
				Test:    metrics.HudsonFst(afT[A], afT[B], len(g.test[A]), len(g.test[B])),
				Train:   metrics.HudsonFst(afR[A], afR[B], len(g.train[A]), len(g.train[B])),
				SynthSE: seS[a][b], TestSE: seT[a][b], TrainSE: seR[a][b],
			}
			fp.Z = (fp.Synth - fp.Test) / math.Hypot(fp.SynthSE, fp.TestSE)
			fp.RelErr = math.Abs(fp.Synth/fp.Test - 1)
			fp.TrainRelErr = math.Abs(fp.Train/fp.Test - 1)
			out = append(out, fp)
		}
	}
	return out
}

// fstMetric is the fst[A|B] row of a pair: synthetic value, held-out floor,
// each ± its SE, and z.
func fstMetric(fp FstPair) Metric {
	return Metric{Name: fstMetricName(fp), Value: fp.Synth, Floor: fp.Test, Ratio: math.NaN(), Better: "closer to the floor",
		Description: fmt.Sprintf("Hudson's Fst between %s and %s: synthetic %s (value), held-out real %s (floor), z = %.2f (difference over the combined SE; |z| > 2: more than the sampling noise of the two cohorts); training %s; relative difference %.1f%% (training vs held-out: %.1f%%). SE: delete-one jackknife over each cohort's individuals",
			fp.A, fp.B, fmtSE(fp.Synth, fp.SynthSE), fmtSE(fp.Test, fp.TestSE), fp.Z, fmtSE(fp.Train, fp.TrainSE), 100*fp.RelErr, 100*fp.TrainRelErr)}
}

// fstMetricName is the name of a pair's metric row.
func fstMetricName(fp FstPair) string { return "fst[" + fp.A + "|" + fp.B + "]" }

// fmtSE formats an Fst x ± se with five decimals: fmtNum would switch the
// SE (often below 0.001) to exponent notation, hard to read next to x.
func fmtSE(x, se float64) string {
	f := func(v float64) string {
		if math.IsNaN(v) || math.IsInf(v, 0) || math.Abs(v) >= 10 {
			return fmtNum(v)
		}
		return fmt.Sprintf("%.5f", v)
	}
	return f(x) + " ± " + f(se)
}

// pick returns m of the indices idx at random, in increasing order.
func pick(rng *rand.Rand, idx []int, m int) []int {
	sel := sampleSubset(rng, len(idx), m)
	out := make([]int, len(sel))
	for i, j := range sel {
		out[i] = idx[j]
	}
	return out
}

// HudsonFst is metrics.HudsonFst, kept for the callers of report.
//
// Deprecated: use metrics.HudsonFst.
func HudsonFst(pa, pb []float64, na, nb int) float64 { return metrics.HudsonFst(pa, pb, na, nb) }

// populationGroup is the report's table of the population metrics.
func populationGroup(p *Populations) metricGroup {
	intro := "Per population label: allele frequencies and PC positions of the synthetic individuals of each label against the held-out real individuals of that label, next to the floor of real training individuals of that label; then Hudson's Fst between each pair of labels, synthetic (value) next to held-out real (floor)."
	for _, l := range p.Labels {
		intro += fmt.Sprintf(" %s: %d synthetic, %d test, %d training.", l.Label, l.Synth, l.Test, l.Train)
	}
	rs := rows(p.Metrics)
	// The Fst cells carry their SEs, so that a reader sees the noise next to
	// every Fst and not only in the definition column.
	se := map[string]FstPair{}
	for _, fp := range p.Fst {
		se[fstMetricName(fp)] = fp
	}
	for i := range rs {
		if fp, ok := se[rs[i].Name]; ok {
			rs[i].ValueS, rs[i].FloorS = fmtSE(fp.Synth, fp.SynthSE), fmtSE(fp.Test, fp.TestSE)
			rs[i].RatioS = fmt.Sprintf("z = %.2f", fp.Z)
		}
	}
	return metricGroup{"Populations", intro, rs}
}
