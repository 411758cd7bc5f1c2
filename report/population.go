package report

import (
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
// held-out real cohort (the reference) and the training cohort.
type FstPair struct {
	A, B  string
	Synth float64 `json:"synth"`
	Test  float64 `json:"test"`
	Train float64 `json:"train"`
	// RelErr is |Synth/Test − 1|; TrainRelErr the same for the training
	// cohort, the sampling noise of real data.
	RelErr      float64 `json:"rel_err"`
	TrainRelErr float64 `json:"train_rel_err"`
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
//     cohort (floor); the training cohort's is in Fst.
func EvaluatePopulations(test, synth, train *vcf.Genotypes, testLab, synthLab, trainLab []string, pcs int, seed uint64) (*Populations, error) {
	if test == nil || synth == nil || train == nil {
		return nil, fmt.Errorf("report: population metrics need test, synthetic and training cohorts: %w", ErrTooFew)
	}
	if len(testLab) != test.NumSamples() || len(synthLab) != synth.NumSamples() || len(trainLab) != train.NumSamples() {
		return nil, fmt.Errorf("report: population labels do not match the cohorts (%d/%d test, %d/%d synthetic, %d/%d training)",
			len(testLab), test.NumSamples(), len(synthLab), synth.NumSamples(), len(trainLab), train.NumSamples())
	}
	if err := SameSites(test, synth, "test cohort", "synthetic cohort"); err != nil {
		return nil, err
	}
	if err := SameSites(test, train, "test cohort", "training cohort"); err != nil {
		return nil, err
	}
	if pcs <= 0 {
		pcs = 10
	}
	groups := func(lab []string) map[string][]int {
		out := map[string][]int{}
		for i, l := range lab {
			if l != "" {
				out[l] = append(out[l], i)
			}
		}
		return out
	}
	gT, gS, gR := groups(testLab), groups(synthLab), groups(trainLab)
	var labels []string
	for l := range gS {
		if len(gS[l]) >= minPopulationSize && len(gT[l]) >= minPopulationSize && len(gR[l]) >= minPopulationSize {
			labels = append(labels, l)
		}
	}
	sort.Strings(labels)
	res := &Populations{}
	if len(labels) == 0 {
		return res, nil
	}
	rng := rand.New(rand.NewPCG(seed, 0x706f70))
	// Floor subsets for the PCs, and the training rest the PCs are fitted on.
	inFloor := make([]bool, train.NumSamples())
	pcSynth := map[string][]int{}
	pcFloor := map[string][]int{}
	for _, l := range labels {
		m := min(len(gS[l]), len(gR[l])/2)
		pcSynth[l] = pick(rng, gS[l], m)
		pcFloor[l] = pick(rng, gR[l], m)
		for _, i := range pcFloor[l] {
			inFloor[i] = true
		}
	}
	var rest []int
	for i, f := range inFloor {
		if !f {
			rest = append(rest, i)
		}
	}
	p, err := fitPCA(toFloat(preprocess.SubsetSamplesShared(train, rest)), pcs, rng.Uint64())
	if err != nil {
		return nil, err
	}
	k := len(p.varFrac)
	afT := map[string][]float64{}
	var afMetrics, pcMetrics []Metric
	for _, l := range labels {
		res.Labels = append(res.Labels, PopulationSize{Label: l, Synth: len(gS[l]), Test: len(gT[l]), Train: len(gR[l])})
		t := preprocess.SubsetSamplesShared(test, gT[l])
		afT[l] = metrics.AlleleFreqs(t)
		m := min(len(gS[l]), len(gR[l]))
		s := metrics.AlleleFreqs(preprocess.SubsetSamplesShared(synth, pick(rng, gS[l], m)))
		f := metrics.AlleleFreqs(preprocess.SubsetSamplesShared(train, pick(rng, gR[l], m)))
		rS, rF := metrics.Pearson(s, afT[l]), metrics.Pearson(f, afT[l])
		afMetrics = append(afMetrics, metricHigher("pop_af_r2["+l+"]",
			fmt.Sprintf("r² between the allele frequencies of %d synthetic and of the %d test individuals of %s (floor: %d training individuals of %s)", m, len(gT[l]), l, m, l),
			rS*rS, rF*rF))
		if k == 0 || len(pcSynth[l]) < 2 {
			continue
		}
		sT := p.project(toFloat(t))
		sS := p.project(toFloat(preprocess.SubsetSamplesShared(synth, pcSynth[l])))
		sF := p.project(toFloat(preprocess.SubsetSamplesShared(train, pcFloor[l])))
		var wS, wF float64
		for c := 0; c < k; c++ {
			tc := sortedScoreColumn(sT, len(gT[l]), k, c)
			wS += metrics.W1(sortedScoreColumn(sS, len(pcSynth[l]), k, c), tc)
			wF += metrics.W1(sortedScoreColumn(sF, len(pcFloor[l]), k, c), tc)
		}
		pcMetrics = append(pcMetrics, metricLower("pop_pca_w1["+l+"]",
			fmt.Sprintf("Wasserstein-1 distance between the PC scores of %d synthetic and of the %d test individuals of %s, mean over the top %d training PCs (floor: %d training individuals of %s, outside the PC fit)", len(pcSynth[l]), len(gT[l]), l, k, len(pcFloor[l]), l),
			wS/float64(k), wF/float64(k)))
	}
	res.Metrics = append(afMetrics, pcMetrics...)
	afS, afR := map[string][]float64{}, map[string][]float64{}
	for _, l := range labels {
		afS[l] = metrics.AlleleFreqs(preprocess.SubsetSamplesShared(synth, gS[l]))
		afR[l] = metrics.AlleleFreqs(preprocess.SubsetSamplesShared(train, gR[l]))
	}
	for a := 0; a < len(labels); a++ {
		for b := a + 1; b < len(labels); b++ {
			A, B := labels[a], labels[b]
			fp := FstPair{A: A, B: B,
				Synth: HudsonFst(afS[A], afS[B], len(gS[A]), len(gS[B])),
				Test:  HudsonFst(afT[A], afT[B], len(gT[A]), len(gT[B])),
				Train: HudsonFst(afR[A], afR[B], len(gR[A]), len(gR[B])),
			}
			fp.RelErr = math.Abs(fp.Synth/fp.Test - 1)
			fp.TrainRelErr = math.Abs(fp.Train/fp.Test - 1)
			res.Fst = append(res.Fst, fp)
			res.Metrics = append(res.Metrics, Metric{Name: "fst[" + A + "|" + B + "]", Value: fp.Synth, Floor: fp.Test, Ratio: math.NaN(), Better: "closer to the floor",
				Description: fmt.Sprintf("Hudson's Fst between %s and %s: synthetic (value) and held-out real (floor); training %s; relative difference %.1f%% (training vs held-out: %.1f%%)",
					A, B, fmtNum(fp.Train), 100*fp.RelErr, 100*fp.TrainRelErr)})
		}
	}
	return res, nil
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

// HudsonFst is Hudson's Fst between two samples of na and nb individuals
// (2na and 2nb alleles) with ALT allele frequencies pa and pb per site, as
// Bhatia et al. (2013) recommend: the ratio of the averages over sites of
// N = (pa − pb)² − pa(1−pa)/(2na−1) − pb(1−pb)/(2nb−1) and
// D = pa(1−pb) + pb(1−pa). Sites with a NaN frequency, or monomorphic in
// both samples, are skipped; NaN when none is left.
func HudsonFst(pa, pb []float64, na, nb int) float64 {
	var num, den float64
	for v := range pa {
		a, b := pa[v], pb[v]
		if math.IsNaN(a) || math.IsNaN(b) {
			continue
		}
		d := a*(1-b) + b*(1-a)
		if d == 0 {
			continue
		}
		num += (a-b)*(a-b) - a*(1-a)/float64(2*na-1) - b*(1-b)/float64(2*nb-1)
		den += d
	}
	if den == 0 {
		return math.NaN()
	}
	return num / den
}

// populationGroup is the report's table of the population metrics.
func populationGroup(p *Populations) metricGroup {
	intro := "Per population label: allele frequencies and PC positions of the synthetic individuals of each label against the held-out real individuals of that label, next to the floor of real training individuals of that label; then Hudson's Fst between each pair of labels, synthetic (value) next to held-out real (floor)."
	for _, l := range p.Labels {
		intro += fmt.Sprintf(" %s: %d synthetic, %d test, %d training.", l.Label, l.Synth, l.Test, l.Train)
	}
	return metricGroup{"Populations", intro, rows(p.Metrics)}
}
