package report

import (
	"github.com/gousynth/gousynth/internal/roc"

	"math"
	"math/bits"
	"math/rand/v2"
	"runtime"
	"slices"
	"sync"

	"github.com/gousynth/gousynth/vcf"
)

// packedCohort holds each individual's dosages in a 2-bit thermometer code
// (0 → 00, 1 → 01, 2 → 11), 32 sites per uint64, so that the Manhattan
// distance |a − b| summed over sites is popcount(codeA XOR codeB). This is the
// hot path of the privacy metrics (millions of pairs × thousands of sites),
// hence the hand-written bit packing instead of a float distance.
type packedCohort struct {
	n, words int
	bits     []uint64 // n × words
}

func (p *packedCohort) row(i int) []uint64 { return p.bits[i*p.words : (i+1)*p.words] }

// imputeFill returns, per site, the rounded mean dosage of the reference
// cohort; missing calls of every cohort are replaced by it before distances
// are computed, so a missing call adds the same amount for everyone.
func imputeFill(ref *vcf.Genotypes) []int8 {
	fill := make([]int8, ref.NumSites())
	for v := range fill {
		sum, cnt := 0, 0
		for _, x := range ref.Row(v) {
			if x != vcf.Missing {
				sum += int(x)
				cnt++
			}
		}
		if cnt > 0 {
			fill[v] = int8(math.Round(float64(sum) / float64(cnt)))
		}
	}
	return fill
}

var thermometer = [3]uint64{0, 1, 3}

func packCohort(g *vcf.Genotypes, fill []int8) *packedCohort {
	n, d := g.NumSamples(), g.NumSites()
	words := (d + 31) / 32
	p := &packedCohort{n: n, words: words, bits: make([]uint64, n*words)}
	for v := 0; v < d; v++ {
		w, shift := v/32, uint(2*(v%32))
		for s, x := range g.Row(v) {
			if x == vcf.Missing {
				x = fill[v]
			}
			if x < 0 || x > 2 {
				x = min(max(x, 0), 2)
			}
			p.bits[s*words+w] |= thermometer[x] << shift
		}
	}
	return p
}

// manhattan returns Σ |a − b| over sites of two packed individuals.
func manhattan(a, b []uint64) int32 {
	s := 0
	b = b[:len(a)]
	i := 0
	for ; i+4 <= len(a); i += 4 {
		s += bits.OnesCount64(a[i]^b[i]) + bits.OnesCount64(a[i+1]^b[i+1]) +
			bits.OnesCount64(a[i+2]^b[i+2]) + bits.OnesCount64(a[i+3]^b[i+3])
	}
	for ; i < len(a); i++ {
		s += bits.OnesCount64(a[i] ^ b[i])
	}
	return int32(s)
}

// distanceMatrix returns the len(ai) × len(bi) Manhattan distances between
// individuals ai of a and bi of b (nil index slices mean "all"), computed on
// all cores.
func distanceMatrix(a *packedCohort, ai []int, b *packedCohort, bi []int) (out []int32, rows, cols int) {
	if ai == nil {
		ai = iota(a.n)
	}
	if bi == nil {
		bi = iota(b.n)
	}
	rows, cols = len(ai), len(bi)
	out = make([]int32, rows*cols)
	workers := min(runtime.GOMAXPROCS(0), max(rows, 1))
	var wg sync.WaitGroup
	next := make(chan int, rows)
	for i := 0; i < rows; i++ {
		next <- i
	}
	close(next)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				ra := a.row(ai[i])
				o := out[i*cols : (i+1)*cols]
				for j, bj := range bi {
					o[j] = manhattan(ra, b.row(bj))
				}
			}
		}()
	}
	wg.Wait()
	return out, rows, cols
}

func iota(n int) []int {
	idx := make([]int, n)
	for i := range idx {
		idx[i] = i
	}
	return idx
}

// rowMin returns the minimum of each row; skipDiag ignores entry (i, i) (a
// leave-one-out nearest neighbour within one set).
func rowMin(d []int32, rows, cols int, skipDiag bool) []float64 {
	out := make([]float64, rows)
	for i := 0; i < rows; i++ {
		m := int32(math.MaxInt32)
		for j, v := range d[i*cols : (i+1)*cols] {
			if skipDiag && i == j {
				continue
			}
			m = min(m, v)
		}
		out[i] = float64(m)
	}
	return out
}

func colMin(d []int32, rows, cols int) []float64 {
	m := make([]int32, cols)
	for j := range m {
		m[j] = math.MaxInt32
	}
	for i := 0; i < rows; i++ {
		for j, v := range d[i*cols : (i+1)*cols] {
			m[j] = min(m[j], v)
		}
	}
	out := make([]float64, cols)
	for j, v := range m {
		out[j] = float64(v)
	}
	return out
}

// AdversarialAccuracy is the nearest-neighbour adversarial accuracy AA_TS of
// Yale et al. (2020) from the four nearest-neighbour distance sets:
// ½[mean(dTS > dTT) + mean(dST > dSS)], where dTS[i] is the distance of real
// individual i to its closest synthetic one, dTT[i] to its closest other real
// one, dST and dSS likewise for synthetic individuals. 0.5 is ideal; near 0
// means the synthetic individuals sit on top of real ones (copies).
func AdversarialAccuracy(dTS, dTT, dST, dSS []float64) float64 {
	aaTrain, aaSynth := AdversarialAccuracyHalves(dTS, dTT, dST, dSS)
	return 0.5 * (aaTrain + aaSynth)
}

// AdversarialAccuracyHalves returns the two halves whose mean is
// AdversarialAccuracy: aaTrain = mean(dTS > dTT), the share of real
// individuals whose closest synthetic individual is farther than their
// closest other real one, and aaSynth = mean(dST > dSS), the share of
// synthetic individuals whose closest real individual is farther than their
// closest other synthetic one. Each is 0.5 when the two cohorts are
// exchangeable (the names follow the independent judge's aa_train and
// aa_synth); docs/privacy.md explains what moves them.
func AdversarialAccuracyHalves(dTS, dTT, dST, dSS []float64) (aaTrain, aaSynth float64) {
	frac := func(x, y []float64) float64 {
		c := 0
		for i := range x {
			if x[i] > y[i] {
				c++
			}
		}
		return float64(c) / float64(len(x))
	}
	return frac(dTS, dTT), frac(dST, dSS)
}

// AUC returns the area under the ROC curve of scores that should be higher
// for positives than negatives, P(pos > neg) + ½P(pos = neg) (roc.AUC). It
// is NaN when either set is empty.
func AUC(pos, neg []float64) float64 { return roc.AUC(pos, neg) }

// quantile returns the q-quantile (linear interpolation between order
// statistics, as numpy's default) of x.
func quantile(x []float64, q float64) float64 {
	if len(x) == 0 {
		return math.NaN()
	}
	s := slices.Clone(x)
	slices.Sort(s)
	pos := q * float64(len(s)-1)
	lo := int(math.Floor(pos))
	hi := min(lo+1, len(s)-1)
	return s[lo] + (pos-float64(lo))*(s[hi]-s[lo])
}

func fracZero(x []float64) float64 {
	c := 0
	for _, v := range x {
		if v == 0 {
			c++
		}
	}
	return float64(c) / float64(len(x))
}

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
	fill := imputeFill(train)
	pTrain := packCohort(train, fill)
	pSynth := packCohort(synth, fill)
	kTrain := packKing(train)
	nan := math.NaN()

	// All synthetic × all training: DCR of each synthetic individual, and each
	// training member's distance to its closest synthetic individual (MIA).
	dST, ns, ntr := distanceMatrix(pSynth, nil, pTrain, nil)
	dcrSynth := rowMin(dST, ns, ntr, false)
	memberDist := colMin(dST, ns, ntr)

	// AATS with equal sizes: the floor subset of training (T) against the
	// evaluated synthetic individuals (S).
	m := len(floorIdx)
	dFF, _, _ := distanceMatrix(pTrain, floorIdx, pTrain, floorIdx)
	dSS, _, _ := distanceMatrix(pSynth, synthIdx, pSynth, synthIdx)
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
	aaTrain, aaSynth := AdversarialAccuracyHalves(colMin(dSF, r, c), rowMin(dFF, m, m, true), rowMin(dSF, r, c, false), rowMin(dSS, m, m, true))

	// KING-robust kinship of every synthetic individual to every training one.
	kinSynth := MaxKinship(kinshipPacked(packKing(synth), kTrain), ns, ntr)

	var dcrTest, kinTest []float64
	floorDrawn := map[string][]float64{} // further floor draws by metric
	mia, ratioAUC := nan, nan
	aaTrainRef, aaSynthRef := nan, nan
	if test != nil {
		pTest := packCohort(test, fill)
		dTeTr, nte, _ := distanceMatrix(pTest, nil, pTrain, nil)
		dcrTest = rowMin(dTeTr, nte, ntr, false)
		dTeS, _, _ := distanceMatrix(pTest, nil, pSynth, nil)
		nonMemberDist := rowMin(dTeS, nte, ns, false)
		plots.MIAMember, plots.MIANonMember = negate(memberDist), negate(nonMemberDist)
		mia = AUC(plots.MIAMember, plots.MIANonMember)
		plots.MIAROC = ROC(plots.MIAMember, plots.MIANonMember)

		// Reference AATS: held-out real test individuals in place of synthetic ones.
		k := min(m, nte)
		rng := rand.New(rand.NewPCG(seed, 1))
		testIdx := sampleSubset(rng, nte, k)
		kIdx := sampleSubset(rng, m, k) // positions within the floor subset
		fk := make([]int, k)
		for i, j := range kIdx {
			fk[i] = floorIdx[j]
		}
		dTT2, _, _ := distanceMatrix(pTest, testIdx, pTest, testIdx)
		dTeF, r2, c2 := sub(dTeTr, ntr, testIdx, fk)
		dFFk, _, _ := sub(dFF, m, kIdx, kIdx)
		aaTrainRef, aaSynthRef = AdversarialAccuracyHalves(colMin(dTeF, r2, c2), rowMin(dFFk, k, k, true), rowMin(dTeF, r2, c2, false), rowMin(dTT2, k, k, true))

		kinTest = MaxKinship(kinshipPacked(packKing(test), kTrain), nte, ntr)

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
			dNR, rn, cn := distanceMatrix(pTest, nonIdx, pTest, refIdx)
			nonRef := rowMin(dNR, rn, cn, false)
			nonSynth := make([]float64, len(nonIdx))
			for a, i := range nonIdx {
				nonSynth[a] = nonMemberDist[i]
			}
			pos, neg := DistanceRatioScores(memberDist, memberRef), DistanceRatioScores(nonSynth, nonRef)
			ratioAUC = AUC(pos, neg)
			plots.RatioROC = ROC(pos, neg)
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
			dFF2, _, _ := distanceMatrix(pTrain, fk2, pTrain, fk2)
			dTT3, _, _ := distanceMatrix(pTest, testIdx2, pTest, testIdx2)
			dTeF2, r3, c3 := sub(dTeTr, ntr, testIdx2, fk2)
			aT, aS := AdversarialAccuracyHalves(colMin(dTeF2, r3, c3), rowMin(dFF2, k, k, true), rowMin(dTeF2, r3, c3, false), rowMin(dTT3, k, k, true))
			for name, v := range map[string]float64{
				"dcr_median": quantile(dcr, 0.5), "dcr_p5": quantile(dcr, 0.05), "identical_match_rate": fracZero(dcr),
				"kinship_related_share": RelatedShare(kin), "kinship_max": maxOf(kin),
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
	q := func(p float64) func([]float64) float64 { return func(x []float64) float64 { return quantile(x, p) } }
	dcrMetric := func(name, desc string, v, f float64) Metric {
		return Metric{Name: name, Value: v, Floor: f, Ratio: ratioLower(f, v), Better: BetterHigher, Description: desc}
	}
	shareSynth, shareTest := RelatedShare(kinSynth), floorOf(RelatedShare, kinTest)
	out := []Metric{
		dcrMetric("dcr_median", "median Manhattan distance (dosage units) of synthetic individuals to their closest training individual; floor: held-out real test individuals", quantile(dcrSynth, 0.5), floorOf(q(0.5), dcrTest)),
		dcrMetric("dcr_p5", "5th percentile of the distance to the closest training individual; floor: held-out real test individuals", quantile(dcrSynth, 0.05), floorOf(q(0.05), dcrTest)),
		{Name: "identical_match_rate", Value: fracZero(dcrSynth), Floor: floorOf(fracZero, dcrTest), Ratio: nan, Better: BetterLower,
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
