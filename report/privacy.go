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
// distance and the distance-ratio attacks. synthIdx and floorIdx are the
// evaluated synthetic individuals and the floor subset of the training
// cohort (same size m). test (the held-out real individuals) may be nil:
// then floors are NaN and the attacks, which need non-members, are skipped.
// With draws > 1 and held-out individuals, the floors get draws−1 further
// draws (Metric.FloorDraws): bootstrap resamples of the held-out
// individuals for the distance and kinship floors, and new random subsets
// of held-out and training individuals for the AATS floors.
func privacyMetrics(train, test, synth *vcf.Genotypes, synthIdx, floorIdx []int, seed uint64, draws int, plots *PlotData) []Metric {
	fill := metrics.ImputeFill(train)
	pTrain := metrics.Pack(train, nil, fill)
	pSynth := metrics.Pack(synth, nil, fill)
	kTrain := metrics.PackKING(train)
	nan := math.NaN()

	// All synthetic × all training: DCR of each synthetic individual, and each
	// training member's distance to its closest synthetic individual (MIA).
	dST, ns, ntr := metrics.DistanceMatrix(pSynth, nil, pTrain, nil)
	dcrSynth := metrics.RowMin(dST, ns, ntr, false)
	memberDist := metrics.ColMin(dST, ns, ntr)

	// AATS with equal sizes: the floor subset of training (T) against the
	// evaluated synthetic individuals (S).
	m := len(floorIdx)
	dFF, _, _ := metrics.DistanceMatrix(pTrain, floorIdx, pTrain, floorIdx)
	dSS, _, _ := metrics.DistanceMatrix(pSynth, synthIdx, pSynth, synthIdx)
	sub := func(d []int32, cols int, ri, ci []int) ([]int32, int, int) {
		out := make([]int32, len(ri)*len(ci))
		for a, i := range ri {
			for b, j := range ci {
				out[a*len(ci)+b] = d[i*cols+j]
			}
		}
		return out, len(ri), len(ci)
	}
	dSF, r, c := sub(dST, ntr, synthIdx, floorIdx) // synthetic rows, floor cols
	aaTrain, aaSynth := metrics.AdversarialAccuracyHalves(metrics.ColMin(dSF, r, c), metrics.RowMin(dFF, m, m, true), metrics.RowMin(dSF, r, c, false), metrics.RowMin(dSS, m, m, true))

	// KING-robust kinship of every synthetic individual to every training one.
	kinSynth := metrics.MaxKinship(metrics.KinshipPacked(metrics.PackKING(synth), kTrain), ns, ntr)

	var dcrTest, kinTest []float64
	floorDrawn := map[string][]float64{} // further floor draws by metric
	mia, ratioAUC := nan, nan
	aaTrainRef, aaSynthRef := nan, nan
	if test != nil {
		pTest := metrics.Pack(test, nil, fill)
		dTeTr, nte, _ := metrics.DistanceMatrix(pTest, nil, pTrain, nil)
		dcrTest = metrics.RowMin(dTeTr, nte, ntr, false)
		dTeS, _, _ := metrics.DistanceMatrix(pTest, nil, pSynth, nil)
		nonMemberDist := metrics.RowMin(dTeS, nte, ns, false)
		plots.MIAMember, plots.MIANonMember = negate(memberDist), negate(nonMemberDist)
		mia = metrics.AUC(plots.MIAMember, plots.MIANonMember)
		plots.MIAROC = metrics.ROC(plots.MIAMember, plots.MIANonMember)

		// Reference AATS: held-out real test individuals in place of synthetic ones.
		k := min(m, nte)
		rng := rand.New(rand.NewPCG(seed, 1))
		testIdx := sampleSubset(rng, nte, k)
		kIdx := sampleSubset(rng, m, k) // positions within the floor subset
		fk := make([]int, k)
		for i, j := range kIdx {
			fk[i] = floorIdx[j]
		}
		dTT2, _, _ := metrics.DistanceMatrix(pTest, testIdx, pTest, testIdx)
		dTeF, r2, c2 := sub(dTeTr, ntr, testIdx, fk)
		dFFk, _, _ := sub(dFF, m, kIdx, kIdx)
		aaTrainRef, aaSynthRef = metrics.AdversarialAccuracyHalves(metrics.ColMin(dTeF, r2, c2), metrics.RowMin(dFFk, k, k, true), metrics.RowMin(dTeF, r2, c2, false), metrics.RowMin(dTT2, k, k, true))

		kinTest = metrics.MaxKinship(metrics.KinshipPacked(metrics.PackKING(test), kTrain), nte, ntr)

		// Distance-ratio attack: the held-out individuals are split into a
		// reference half R, the attacker's sample of the population, and a
		// non-member half N.
		if nte >= 4 {
			perm := rng.Perm(nte)
			refIdx, nonIdx := perm[:nte/2], perm[nte/2:]
			memberRef := make([]float64, ntr)
			for j := range memberRef {
				memberRef[j] = math.MaxInt32
				for _, i := range refIdx {
					memberRef[j] = min(memberRef[j], float64(dTeTr[i*ntr+j]))
				}
			}
			dNR, rn, cn := metrics.DistanceMatrix(pTest, nonIdx, pTest, refIdx)
			nonRef := metrics.RowMin(dNR, rn, cn, false)
			nonSynth := make([]float64, len(nonIdx))
			for a, i := range nonIdx {
				nonSynth[a] = nonMemberDist[i]
			}
			pos, neg := metrics.DistanceRatioScores(memberDist, memberRef), metrics.DistanceRatioScores(nonSynth, nonRef)
			ratioAUC = metrics.AUC(pos, neg)
			plots.RatioROC = metrics.ROC(pos, neg)
		}

		// Further floor draws.
		brng := rand.New(rand.NewPCG(seed, 2))
		for d := 1; d < draws; d++ {
			boot := make([]int, nte)
			for i := range boot {
				boot[i] = brng.IntN(nte)
			}
			dcr, kin := make([]float64, nte), make([]float64, nte)
			for i, j := range boot {
				dcr[i], kin[i] = dcrTest[j], kinTest[j]
			}
			fk2, testIdx2 := sampleSubset(brng, ntr, k), sampleSubset(brng, nte, k)
			dFF2, _, _ := metrics.DistanceMatrix(pTrain, fk2, pTrain, fk2)
			dTT3, _, _ := metrics.DistanceMatrix(pTest, testIdx2, pTest, testIdx2)
			dTeF2, r3, c3 := sub(dTeTr, ntr, testIdx2, fk2)
			aT, aS := metrics.AdversarialAccuracyHalves(metrics.ColMin(dTeF2, r3, c3), metrics.RowMin(dFF2, k, k, true), metrics.RowMin(dTeF2, r3, c3, false), metrics.RowMin(dTT3, k, k, true))
			for name, v := range map[string]float64{
				"dcr_median": metrics.Quantile(dcr, 0.5, metrics.Interpolated), "dcr_p5": metrics.Quantile(dcr, 0.05, metrics.Interpolated), "identical_match_rate": metrics.FracZero(dcr),
				"kinship_related_share": metrics.RelatedShare(kin), "kinship_max": maxOf(kin),
				"aats": 0.5 * (aT + aS), "aa_train": aT, "aa_synth": aS,
			} {
				floorDrawn[name] = append(floorDrawn[name], v)
			}
		}
	}
	aatsRef := 0.5 * (aaTrainRef + aaSynthRef)

	plots.DCRSynth, plots.DCRTest = dcrSynth, dcrTest
	plots.KinSynth, plots.KinTest = kinSynth, kinTest
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
	shareSynth, shareTest := metrics.RelatedShare(kinSynth), floorOf(metrics.RelatedShare, kinTest)
	out := []Metric{
		dcrMetric("dcr_median", "median Manhattan distance (dosage units) of synthetic individuals to their closest training individual; floor: held-out real test individuals", metrics.Quantile(dcrSynth, 0.5, metrics.Interpolated), floorOf(q(0.5), dcrTest)),
		dcrMetric("dcr_p5", "5th percentile of the distance to the closest training individual; floor: held-out real test individuals", metrics.Quantile(dcrSynth, 0.05, metrics.Interpolated), floorOf(q(0.05), dcrTest)),
		{Name: "identical_match_rate", Value: metrics.FracZero(dcrSynth), Floor: floorOf(metrics.FracZero, dcrTest), Ratio: nan, Better: BetterLower,
			Description: "fraction of synthetic individuals identical to a training individual at every site (must be 0); floor: held-out real test individuals"},
		{Name: "aats", Value: 0.5 * (aaTrain + aaSynth), Floor: aatsRef, Ratio: nan, Better: BetterHalf,
			Description: "nearest-neighbour adversarial accuracy AA_TS (Yale et al. 2020) of synthetic vs training individuals, the mean of aa_train and aa_synth; floor: held-out real test vs training; near 0 means copies"},
		{Name: "aa_train", Value: aaTrain, Floor: aaTrainRef, Ratio: nan, Better: BetterHalf,
			Description: "AATS half: share of training individuals whose closest synthetic individual is farther than their closest other training individual; floor: held-out real test individuals in place of synthetic ones"},
		{Name: "aa_synth", Value: aaSynth, Floor: aaSynthRef, Ratio: nan, Better: BetterHalf,
			Description: "AATS half: share of synthetic individuals whose closest training individual is farther than their closest other synthetic individual; floor: held-out real test individuals in place of synthetic ones"},
		{Name: "kinship_related_share", Value: shareSynth, Floor: shareTest, Ratio: ratioLower(shareSynth, shareTest), Better: BetterLower,
			Description: "share of synthetic individuals with a training relative of 2nd degree or closer (KING-robust kinship > 0.0884, as plink2 --make-king); floor: held-out real test individuals"},
		{Name: "kinship_max", Value: floorOf(maxOf, kinSynth), Floor: floorOf(maxOf, kinTest), Ratio: nan, Better: BetterLower,
			Description: "largest KING-robust kinship of any synthetic–training pair (0.5 duplicate, 0.25 first degree, 0.125 second degree); floor: held-out real test–training pairs"},
		{Name: "mia_auc", Value: mia, Floor: nan, Ratio: nan, Better: BetterHalf,
			Description: "membership-inference AUC of −(distance to the closest synthetic individual), training members vs held-out non-members; 0.5 means no leak"},
		{Name: "ratio_mia_auc", Value: ratioAUC, Floor: nan, Ratio: nan, Better: BetterHalf,
			Description: "membership-inference AUC of the distance-ratio attack −(1 + distance to the closest synthetic individual)/(1 + distance to the closest of a reference half of the held-out individuals), training members vs the other half; 0.5 means no leak"},
	}
	for i := range out {
		if d, ok := floorDrawn[out[i].Name]; ok {
			out[i].FloorDraws = append([]float64{out[i].Floor}, d...)
		}
	}
	return out
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
