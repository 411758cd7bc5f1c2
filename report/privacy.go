package report

import (
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
	frac := func(x, y []float64) float64 {
		c := 0
		for i := range x {
			if x[i] > y[i] {
				c++
			}
		}
		return float64(c) / float64(len(x))
	}
	return 0.5 * (frac(dTS, dTT) + frac(dST, dSS))
}

// AUC returns the area under the ROC curve of scores that should be higher
// for positives than negatives: P(pos > neg) + ½P(pos = neg), computed from
// ranks (Mann–Whitney U) with ties sharing their mean rank.
func AUC(pos, neg []float64) float64 {
	type item struct {
		v   float64
		pos bool
	}
	all := make([]item, 0, len(pos)+len(neg))
	for _, v := range pos {
		all = append(all, item{v, true})
	}
	for _, v := range neg {
		all = append(all, item{v, false})
	}
	slices.SortFunc(all, func(a, b item) int {
		switch {
		case a.v < b.v:
			return -1
		case a.v > b.v:
			return 1
		}
		return 0
	})
	rankSum := 0.0
	for i := 0; i < len(all); {
		j := i
		for j < len(all) && all[j].v == all[i].v {
			j++
		}
		r := float64(i+j+1) / 2 // mean of 1-based ranks i+1 … j
		for k := i; k < j; k++ {
			if all[k].pos {
				rankSum += r
			}
		}
		i = j
	}
	np, nn := float64(len(pos)), float64(len(neg))
	return (rankSum - np*(np+1)/2) / (np * nn)
}

// ROC returns the receiver operating characteristic of scores that should be
// higher for positives than negatives: the false- and true-positive rates of
// the rule "score ≥ t" for every distinct score t from the highest down,
// starting at (0, 0) and ending at (1, 1). Tied scores move both rates at
// once, so the trapezoidal area under the curve equals AUC(pos, neg).
func ROC(pos, neg []float64) (fpr, tpr []float64) {
	p, n := slices.Clone(pos), slices.Clone(neg)
	slices.Sort(p)
	slices.Sort(n)
	i, j := len(p)-1, len(n)-1 // next scores, from the top
	fpr, tpr = []float64{0}, []float64{0}
	for i >= 0 || j >= 0 {
		t := math.Inf(-1)
		if i >= 0 {
			t = p[i]
		}
		if j >= 0 && n[j] > t {
			t = n[j]
		}
		for i >= 0 && p[i] == t {
			i--
		}
		for j >= 0 && n[j] == t {
			j--
		}
		fpr = append(fpr, float64(len(n)-1-j)/float64(len(n)))
		tpr = append(tpr, float64(len(p)-1-i)/float64(len(p)))
	}
	return fpr, tpr
}

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

// privacyMetrics computes DCR, identical matches, AATS and the
// membership-inference AUC. synthIdx and floorIdx are the evaluated synthetic
// individuals and the floor subset of the training cohort (same size m).
func privacyMetrics(train, test, synth *vcf.Genotypes, synthIdx, floorIdx []int, seed uint64, plots *PlotData) []Metric {
	fill := imputeFill(train)
	pTrain := packCohort(train, fill)
	pTest := packCohort(test, fill)
	pSynth := packCohort(synth, fill)

	// All synthetic × all training: DCR of each synthetic individual, and each
	// training member's distance to its closest synthetic individual (MIA).
	dST, ns, ntr := distanceMatrix(pSynth, nil, pTrain, nil)
	dcrSynth := rowMin(dST, ns, ntr, false)
	memberScore := colMin(dST, ns, ntr)
	dTeTr, nte, _ := distanceMatrix(pTest, nil, pTrain, nil)
	dcrTest := rowMin(dTeTr, nte, ntr, false)
	dTeS, _, _ := distanceMatrix(pTest, nil, pSynth, nil)
	nonMemberScore := rowMin(dTeS, nte, ns, false)
	plots.MIAMember, plots.MIANonMember = negate(memberScore), negate(nonMemberScore)
	mia := AUC(plots.MIAMember, plots.MIANonMember)

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
	aats := AdversarialAccuracy(colMin(dSF, r, c), rowMin(dFF, m, m, true), rowMin(dSF, r, c, false), rowMin(dSS, m, m, true))

	// Reference AATS: held-out real test individuals in place of synthetic ones.
	k := min(m, test.NumSamples())
	rng := rand.New(rand.NewPCG(seed, 1))
	testIdx := sampleSubset(rng, test.NumSamples(), k)
	kIdx := sampleSubset(rng, m, k) // positions within the floor subset
	fk := make([]int, k)
	for i, j := range kIdx {
		fk[i] = floorIdx[j]
	}
	dTT2, _, _ := distanceMatrix(pTest, testIdx, pTest, testIdx)
	dTeF, r2, c2 := sub(dTeTr, ntr, testIdx, fk)
	dFFk, _, _ := sub(dFF, m, kIdx, kIdx)
	aatsRef := AdversarialAccuracy(colMin(dTeF, r2, c2), rowMin(dFFk, k, k, true), rowMin(dTeF, r2, c2, false), rowMin(dTT2, k, k, true))

	plots.DCRSynth, plots.DCRTest = dcrSynth, dcrTest
	nan := math.NaN()
	dcrMetric := func(name, desc string, v, f float64) Metric {
		return Metric{Name: name, Value: v, Floor: f, Ratio: ratioLower(f, v), Better: BetterHigher, Description: desc}
	}
	return []Metric{
		dcrMetric("dcr_median", "median Manhattan distance (dosage units) of synthetic individuals to their closest training individual; floor: held-out real test individuals", quantile(dcrSynth, 0.5), quantile(dcrTest, 0.5)),
		dcrMetric("dcr_p5", "5th percentile of the distance to the closest training individual; floor: held-out real test individuals", quantile(dcrSynth, 0.05), quantile(dcrTest, 0.05)),
		{Name: "identical_match_rate", Value: fracZero(dcrSynth), Floor: fracZero(dcrTest), Ratio: nan, Better: BetterLower,
			Description: "fraction of synthetic individuals identical to a training individual at every site (must be 0); floor: held-out real test individuals"},
		{Name: "aats", Value: aats, Floor: aatsRef, Ratio: nan, Better: BetterHalf,
			Description: "nearest-neighbour adversarial accuracy AA_TS (Yale et al. 2020) of synthetic vs training individuals; floor: held-out real test vs training; near 0 means copies"},
		{Name: "mia_auc", Value: mia, Floor: nan, Ratio: nan, Better: BetterHalf,
			Description: "membership-inference AUC of −(distance to the closest synthetic individual), training members vs held-out non-members; 0.5 means no leak"},
	}
}
