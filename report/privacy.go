package report

import (
	"math"
	"math/rand/v2"

	"github.com/gousynth/gousynth/metrics"
	"github.com/gousynth/gousynth/vcf"
)

func negate(x []float64) []float64 {
	out := make([]float64, len(x))
	for i, v := range x {
		out[i] = -v
	}
	return out
}

// privacyMetrics computes DCR, identical matches, AATS with its halves, the
// KING kinship shares, and the membership-inference AUCs of the nearest
// distance, the distance-ratio and the allele-frequency attacks. synthIdx and floorIdx are the
// evaluated synthetic individuals and the floor subset of the training
// cohort (same size m). test (the held-out real individuals) may be nil:
// then floors are NaN and the attacks, which need non-members, are skipped.
// With draws > 1 and held-out individuals, the floors get draws−1 further
// draws (Metric.FloorDraws): bootstrap resamples of the held-out
// individuals for the distance and kinship floors, and new random subsets
// of held-out and training individuals for the AATS floors.
//
// reference, when not nil, is an external sample of the population for the
// allele-frequency attack; nil: half the held-out individuals, as for the
// distance-ratio attack.
func privacyMetrics(train, test, synth, reference *vcf.Genotypes, synthIdx, floorIdx []int, seed uint64, draws int, plots *PlotData) []Metric {
	c := newPrivacyCohorts(train, synth, reference, floorIdx)
	v := c.synthValues(synth, synthIdx)
	ref := noHeldOut()
	if test != nil {
		ref = c.heldOut(test, seed, draws, plots)
	}
	plots.DCRSynth, plots.DCRTest = v.dcr, ref.dcr
	plots.KinSynth, plots.KinTest = v.kin, ref.kin
	out := privacyRows(v, ref)
	for i := range out {
		if d, ok := ref.floorDrawn[out[i].Name]; ok {
			out[i].FloorDraws = append([]float64{out[i].Floor}, d...)
		}
	}
	return out
}

// privacyCohorts holds the packed training and synthetic cohorts and the
// distances every privacy metric starts from.
type privacyCohorts struct {
	fill           []int8 // missing calls: the training cohort's rounded mean
	train, synth   *vcf.Genotypes
	reference      *vcf.Genotypes // of the allele-frequency attack; nil: half of test
	pTrain, pSynth *metrics.Packed
	kTrain         *metrics.KINGPacked
	ns, ntr        int
	// dST: all synthetic × all training distances; memberDist: each
	// training member's distance to its closest synthetic individual (MIA).
	dST        []int32
	memberDist []float64
	// floorIdx is the floor subset of training (m individuals), dFF its
	// m × m distances.
	floorIdx []int
	dFF      []int32
}

func newPrivacyCohorts(train, synth, reference *vcf.Genotypes, floorIdx []int) *privacyCohorts {
	fill := metrics.ImputeFill(train)
	c := &privacyCohorts{fill: fill, train: train, synth: synth, reference: reference, pTrain: metrics.Pack(train, nil, fill), pSynth: metrics.Pack(synth, nil, fill), kTrain: metrics.PackKING(train), floorIdx: floorIdx}
	c.dST, c.ns, c.ntr = metrics.DistanceMatrix(c.pSynth, nil, c.pTrain, nil)
	c.memberDist = metrics.ColMin(c.dST, c.ns, c.ntr)
	c.dFF, _, _ = metrics.DistanceMatrix(c.pTrain, floorIdx, c.pTrain, floorIdx)
	return c
}

// privacyValues are the synthetic cohort's privacy measures: distances to
// the closest training individual, AATS halves and largest kinships.
type privacyValues struct {
	dcr, kin         []float64
	aaTrain, aaSynth float64
}

// synthValues measures the synthetic cohort against training: DCR of every
// synthetic individual, AATS with equal sizes (the floor subset of
// training against the evaluated synthetic individuals synthIdx) and the
// KING-robust kinship of every synthetic individual to every training one.
func (c *privacyCohorts) synthValues(synth *vcf.Genotypes, synthIdx []int) privacyValues {
	v := privacyValues{dcr: metrics.RowMin(c.dST, c.ns, c.ntr, false)}
	dSS, _, _ := metrics.DistanceMatrix(c.pSynth, synthIdx, c.pSynth, synthIdx)
	dSF, r, cols := metrics.SubMatrix(c.dST, c.ntr, synthIdx, c.floorIdx)
	v.aaTrain, v.aaSynth = metrics.AdversarialAccuracyMatrices(dSF, r, cols, c.dFF, dSS)
	v.kin = metrics.MaxKinship(metrics.KinshipPacked(metrics.PackKING(synth), c.kTrain), c.ns, c.ntr)
	return v
}

// privacyReference is what the held-out individuals give: the floors of
// the distances, AATS and kinship, their further draws by metric name, and
// the membership-inference AUCs.
type privacyReference struct {
	dcr, kin         []float64
	aaTrain, aaSynth float64
	mia, ratioAUC    float64
	freqAUC          float64
	floorDrawn       map[string][]float64
}

// noHeldOut is the reference without held-out individuals: no floors, no
// attacks.
func noHeldOut() privacyReference {
	nan := math.NaN()
	return privacyReference{aaTrain: nan, aaSynth: nan, mia: nan, ratioAUC: nan, freqAUC: nan, floorDrawn: map[string][]float64{}}
}

// heldOut computes the reference of the held-out individuals test: their
// distances to training (the DCR floor), the nearest-distance attack, the
// reference AATS, their kinship to training, the distance-ratio attack
// and draws−1 further floor draws. It fills the attacks' plot data.
func (c *privacyCohorts) heldOut(test *vcf.Genotypes, seed uint64, draws int, plots *PlotData) privacyReference {
	ref := noHeldOut()
	pTest := metrics.Pack(test, nil, c.fill)
	dTeTr, nte, _ := metrics.DistanceMatrix(pTest, nil, c.pTrain, nil)
	ref.dcr = metrics.RowMin(dTeTr, nte, c.ntr, false)
	dTeS, _, _ := metrics.DistanceMatrix(pTest, nil, c.pSynth, nil)
	nonMemberDist := metrics.RowMin(dTeS, nte, c.ns, false)
	plots.MIAMember, plots.MIANonMember = negate(c.memberDist), negate(nonMemberDist)
	ref.mia = metrics.AUC(plots.MIAMember, plots.MIANonMember)
	plots.MIAROC = metrics.ROC(plots.MIAMember, plots.MIANonMember)

	// Reference AATS: held-out real test individuals in place of synthetic
	// ones, k of them against k of the floor subset.
	m := len(c.floorIdx)
	k := min(m, nte)
	rng := rand.New(rand.NewPCG(seed, 1))
	testIdx := sampleSubset(rng, nte, k)
	kIdx := sampleSubset(rng, m, k) // positions within the floor subset
	fk := make([]int, k)
	for i, j := range kIdx {
		fk[i] = c.floorIdx[j]
	}
	dTT, _, _ := metrics.DistanceMatrix(pTest, testIdx, pTest, testIdx)
	dTeF, r, cols := metrics.SubMatrix(dTeTr, c.ntr, testIdx, fk)
	dFFk, _, _ := metrics.SubMatrix(c.dFF, m, kIdx, kIdx)
	ref.aaTrain, ref.aaSynth = metrics.AdversarialAccuracyMatrices(dTeF, r, cols, dFFk, dTT)

	ref.kin = metrics.MaxKinship(metrics.KinshipPacked(metrics.PackKING(test), c.kTrain), nte, c.ntr)
	if nte >= 4 {
		perm := rng.Perm(nte)
		ref.ratioAUC, plots.RatioROC = c.distanceRatioAttack(pTest, dTeTr, nonMemberDist, perm)
		ref.freqAUC, plots.FreqROC = frequencyAttack(c.train, test, c.synth, c.reference, perm)
	}
	c.floorDraws(pTest, dTeTr, &ref, k, seed, draws)
	return ref
}

// distanceRatioAttack runs the distance-ratio attack: the held-out
// individuals are split (by the permutation perm) into a reference half R,
// the attacker's sample of the population, and a non-member half N. dTeTr
// holds the held-out × training distances and nonMemberDist each held-out
// individual's distance to its closest synthetic individual.
func (c *privacyCohorts) distanceRatioAttack(pTest *metrics.Packed, dTeTr []int32, nonMemberDist []float64, perm []int) (float64, []metrics.ROCPoint) {
	nte := len(perm)
	refIdx, nonIdx := perm[:nte/2], perm[nte/2:]
	dRTr, rr, rc := metrics.SubMatrix(dTeTr, c.ntr, refIdx, nil)
	memberRef := metrics.ColMin(dRTr, rr, rc)
	dNR, rn, cn := metrics.DistanceMatrix(pTest, nonIdx, pTest, refIdx)
	nonRef := metrics.RowMin(dNR, rn, cn, false)
	nonSynth := make([]float64, len(nonIdx))
	for a, i := range nonIdx {
		nonSynth[a] = nonMemberDist[i]
	}
	pos, neg := metrics.DistanceRatioScores(c.memberDist, memberRef), metrics.DistanceRatioScores(nonSynth, nonRef)
	return metrics.AUC(pos, neg), metrics.ROC(pos, neg)
}

// frequencyAttack runs the allele-frequency likelihood-ratio attack
// (metrics.FrequencyLRScores) on the synthetic cohort's allele
// frequencies: every training member against held-out non-members. The
// reference frequencies are those of ref, an external sample of the
// population, when there is one (every held-out individual is then a
// non-member); otherwise of the distance-ratio attack's reference half of
// the held-out individuals (perm[:n/2]), the other half being the
// non-members.
func frequencyAttack(train, test, synth, ref *vcf.Genotypes, perm []int) (float64, []metrics.ROCPoint) {
	released := metrics.SmoothedAlleleFreqs(synth, nil)
	var reference []float64
	var nonIdx []int
	if ref != nil {
		reference, nonIdx = metrics.SmoothedAlleleFreqs(ref, nil), perm
	} else {
		reference, nonIdx = metrics.SmoothedAlleleFreqs(test, perm[:len(perm)/2]), perm[len(perm)/2:]
	}
	pos, neg := metrics.FrequencyLRScores(train, nil, released, reference), metrics.FrequencyLRScores(test, nonIdx, released, reference)
	return metrics.AUC(pos, neg), metrics.ROC(pos, neg)
}

// floorDraws adds draws−1 further floor draws to ref.floorDrawn: bootstrap
// resamples of the held-out individuals for the distance and kinship
// floors, and new random subsets of k held-out and k training individuals
// for the AATS floors.
func (c *privacyCohorts) floorDraws(pTest *metrics.Packed, dTeTr []int32, ref *privacyReference, k int, seed uint64, draws int) {
	nte := len(ref.dcr)
	brng := rand.New(rand.NewPCG(seed, 2))
	for d := 1; d < draws; d++ {
		boot := make([]int, nte)
		for i := range boot {
			boot[i] = brng.IntN(nte)
		}
		dcr, kin := make([]float64, nte), make([]float64, nte)
		for i, j := range boot {
			dcr[i], kin[i] = ref.dcr[j], ref.kin[j]
		}
		fk, testIdx := sampleSubset(brng, c.ntr, k), sampleSubset(brng, nte, k)
		dFF, _, _ := metrics.DistanceMatrix(c.pTrain, fk, c.pTrain, fk)
		dTT, _, _ := metrics.DistanceMatrix(pTest, testIdx, pTest, testIdx)
		dTeF, r, cols := metrics.SubMatrix(dTeTr, c.ntr, testIdx, fk)
		aT, aS := metrics.AdversarialAccuracyMatrices(dTeF, r, cols, dFF, dTT)
		for name, v := range map[string]float64{
			"dcr_median": metrics.Quantile(dcr, 0.5, metrics.Interpolated), "dcr_p5": metrics.Quantile(dcr, 0.05, metrics.Interpolated), "identical_match_rate": metrics.FracZero(dcr),
			"kinship_related_share": metrics.RelatedShare(kin), "kinship_max": maxOf(kin),
			"aats": 0.5 * (aT + aS), "aa_train": aT, "aa_synth": aS,
		} {
			ref.floorDrawn[name] = append(ref.floorDrawn[name], v)
		}
	}
}

// privacyRows lays the synthetic values v out as metric rows next to the
// floors of the held-out reference ref (NaN without one).
func privacyRows(v privacyValues, ref privacyReference) []Metric {
	nan := math.NaN()
	floorOf := func(f func([]float64) float64, x []float64) float64 {
		if x == nil {
			return nan
		}
		return f(x)
	}
	q := func(p float64) func([]float64) float64 {
		return func(x []float64) float64 { return metrics.Quantile(x, p, metrics.Interpolated) }
	}
	dcrMetric := func(name, desc string, v, f float64) Metric {
		return Metric{Name: name, Value: v, Floor: f, Ratio: ratioLower(f, v), Better: BetterHigher, Description: desc}
	}
	shareSynth, shareTest := metrics.RelatedShare(v.kin), floorOf(metrics.RelatedShare, ref.kin)
	aatsRef := 0.5 * (ref.aaTrain + ref.aaSynth)
	return []Metric{
		dcrMetric("dcr_median", "median Manhattan distance (dosage units) of synthetic individuals to their closest training individual; floor: held-out real test individuals", q(0.5)(v.dcr), floorOf(q(0.5), ref.dcr)),
		dcrMetric("dcr_p5", "5th percentile of the distance to the closest training individual; floor: held-out real test individuals", q(0.05)(v.dcr), floorOf(q(0.05), ref.dcr)),
		{Name: "identical_match_rate", Value: metrics.FracZero(v.dcr), Floor: floorOf(metrics.FracZero, ref.dcr), Ratio: nan, Better: BetterLower,
			Description: "fraction of synthetic individuals identical to a training individual at every site (must be 0); floor: held-out real test individuals"},
		{Name: "aats", Value: 0.5 * (v.aaTrain + v.aaSynth), Floor: aatsRef, Ratio: nan, Better: BetterHalf,
			Description: "nearest-neighbour adversarial accuracy AA_TS (Yale et al. 2020) of synthetic vs training individuals, the mean of aa_train and aa_synth; floor: held-out real test vs training; near 0 means copies"},
		{Name: "aa_train", Value: v.aaTrain, Floor: ref.aaTrain, Ratio: nan, Better: BetterHalf,
			Description: "AATS half: share of training individuals whose closest synthetic individual is farther than their closest other training individual; floor: held-out real test individuals in place of synthetic ones"},
		{Name: "aa_synth", Value: v.aaSynth, Floor: ref.aaSynth, Ratio: nan, Better: BetterHalf,
			Description: "AATS half: share of synthetic individuals whose closest training individual is farther than their closest other synthetic individual; floor: held-out real test individuals in place of synthetic ones"},
		{Name: "kinship_related_share", Value: shareSynth, Floor: shareTest, Ratio: ratioLower(shareSynth, shareTest), Better: BetterLower,
			Description: "share of synthetic individuals with a training relative of 2nd degree or closer (KING-robust kinship > 0.0884, as plink2 --make-king); floor: held-out real test individuals"},
		{Name: "kinship_max", Value: floorOf(maxOf, v.kin), Floor: floorOf(maxOf, ref.kin), Ratio: nan, Better: BetterLower,
			Description: "largest KING-robust kinship of any synthetic–training pair (0.5 duplicate, 0.25 first degree, 0.125 second degree); floor: held-out real test–training pairs"},
		{Name: "mia_auc", Value: ref.mia, Floor: nan, Ratio: nan, Better: BetterHalf,
			Description: "membership-inference AUC of −(distance to the closest synthetic individual), training members vs held-out non-members; 0.5 means no leak"},
		{Name: "ratio_mia_auc", Value: ref.ratioAUC, Floor: nan, Ratio: nan, Better: BetterHalf,
			Description: "membership-inference AUC of the distance-ratio attack −(1 + distance to the closest synthetic individual)/(1 + distance to the closest of a reference half of the held-out individuals), training members vs the other half; 0.5 means no leak"},
		{Name: "freq_mia_auc", Value: ref.freqAUC, Floor: nan, Ratio: nan, Better: BetterHalf,
			Description: "membership-inference AUC of the allele-frequency likelihood-ratio attack (Homer et al. 2008; Sankararaman et al. 2009): each candidate's log-likelihood under the synthetic cohort's allele frequencies against a reference half of the held-out individuals', training members vs the other half; 0.5 means no leak"},
	}
}

// maxOf returns the largest non-NaN value of x (NaN if none).
func maxOf(x []float64) float64 {
	m := math.NaN()
	for _, v := range x {
		if !math.IsNaN(v) && (math.IsNaN(m) || v > m) {
			m = v
		}
	}
	return m
}
