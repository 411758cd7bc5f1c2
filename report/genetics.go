package report

import (
	"fmt"
	"math"

	"github.com/gousynth/gousynth/ld"
	"github.com/gousynth/gousynth/metrics"
	"github.com/gousynth/gousynth/vcf"
)

// geneticsMetrics computes allele-frequency agreement and windowed LD
// agreement, and fills the allele-frequency and LD-decay plot data.
func geneticsMetrics(T, S cohort, F *cohort, opts Options, plots *PlotData) ([]Metric, error) {
	nan := math.NaN()
	afT, afS := metrics.AlleleFreqs(T.g), metrics.AlleleFreqs(S.g)
	afR2S, afR2F := metrics.Pearson(afT, afS), nan
	afR2S *= afR2S
	plots.AFTest, plots.AFSynth = afT, afS
	if F != nil {
		afF := metrics.AlleleFreqs(F.g)
		afR2F = metrics.Pearson(afT, afF)
		afR2F *= afR2F
		plots.AFFloor = afF
	}

	win := ld.WindowOptions{WindowSNPs: opts.LDWindowSNPs, WindowKB: opts.LDWindowKB, MinR2: 0}
	pairsT, err := windowPairs(T.g, win)
	if err != nil {
		return nil, err
	}
	pairsS, err := windowPairs(S.g, win)
	if err != nil {
		return nil, err
	}
	xS, tS := alignPairs(pairsS, pairsT)
	maeS, corrS := meanAbsDiff2(xS, tS), metrics.Pearson(xS, tS)
	maeF, corrF := nan, nan
	if F != nil {
		pairsF, err := windowPairs(F.g, win)
		if err != nil {
			return nil, err
		}
		xF, tF := alignPairs(pairsF, pairsT)
		maeF, corrF = meanAbsDiff2(xF, tF), metrics.Pearson(xF, tF)
	}

	edges := ld.LogBins(decayMinBP, opts.DecayMaxKB*1000, opts.DecayBins)
	plots.DecayCentres = binCentres(edges)
	if plots.DecayTest, err = decayCurve(T.g, edges); err != nil {
		return nil, err
	}
	if plots.DecaySynth, err = decayCurve(S.g, edges); err != nil {
		return nil, err
	}
	decS, decF := curveL2(plots.DecaySynth, plots.DecayTest), nan
	if F != nil {
		if plots.DecayFloor, err = decayCurve(F.g, edges); err != nil {
			return nil, err
		}
		decF = curveL2(plots.DecayFloor, plots.DecayTest)
	}

	win2 := fmt.Sprintf("SNP pairs fewer than %d sites and at most %g kb apart (%d pairs in the test cohort; undefined r² of monomorphic sites counts as 0)", opts.LDWindowSNPs, opts.LDWindowKB, len(pairsT))
	return []Metric{
		metricHigher("af_r2", "r² between per-SNP ALT allele frequencies and those of the test cohort", afR2S, afR2F),
		metricLower("ld_r2_mae", "mean |r² − r²_test| of dosage r² over "+win2, maeS, maeF),
		metricHigher("ld_r2_corr", "Pearson correlation of the dosage r² with those of the test cohort over "+win2, corrS, corrF),
		metricLower("ld_decay_l2", fmt.Sprintf("L2 distance between LD decay curves (mean r² in %d log-spaced distance bins from %g bp to %g kb)", opts.DecayBins, decayMinBP, opts.DecayMaxKB), decS, decF),
	}, nil
}

// windowPairs returns the site pairs in the window with a defined dosage r²
// (ld.Pairs, ordered by I then J).
func windowPairs(g *vcf.Genotypes, win ld.WindowOptions) ([]ld.Pair, error) {
	var out []ld.Pair
	err := ld.Pairs(g, win, func(p ld.Pair) error {
		out = append(out, p)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("report: LD r²: %w", err)
	}
	return out, nil
}

// alignPairs lines up two pair lists (both ordered by I then J) over the
// union of their pairs. A pair missing from one list has an undefined r² there
// (a monomorphic site): it counts as 0, no LD.
func alignPairs(a, b []ld.Pair) (va, vb []float64) {
	va = make([]float64, 0, max(len(a), len(b)))
	vb = make([]float64, 0, max(len(a), len(b)))
	clean := func(r float64) float64 {
		if math.IsNaN(r) {
			return 0
		}
		return r
	}
	i, j := 0, 0
	for i < len(a) || j < len(b) {
		switch {
		case j == len(b) || (i < len(a) && (a[i].I < b[j].I || (a[i].I == b[j].I && a[i].J < b[j].J))):
			va, vb = append(va, clean(a[i].R2)), append(vb, 0)
			i++
		case i == len(a) || (b[j].I < a[i].I || (b[j].I == a[i].I && b[j].J < a[i].J)):
			va, vb = append(va, 0), append(vb, clean(b[j].R2))
			j++
		default:
			va, vb = append(va, clean(a[i].R2)), append(vb, clean(b[j].R2))
			i++
			j++
		}
	}
	return va, vb
}

func meanAbsDiff2(a, b []float64) float64 {
	if len(a) == 0 {
		return math.NaN()
	}
	return meanAbsDiff(a, b)
}

// decayMinBP is the left edge of the first LD decay bin.
const decayMinBP = 10.0

// decayMaxPairsPerBin caps the pairs averaged per decay bin (ld.Decay picks
// the same deterministic subset for every cohort, since they share sites).
const decayMaxPairsPerBin = 50000

func binCentres(edges []float64) []float64 {
	c := make([]float64, len(edges)-1)
	for i := range c {
		c[i] = math.Sqrt(edges[i] * edges[i+1])
	}
	return c
}

// decayCurve is the mean r² per distance bin (ld.Decay; NaN for empty bins).
func decayCurve(g *vcf.Genotypes, edges []float64) ([]float64, error) {
	bins, err := ld.Decay(g, edges, decayMaxPairsPerBin)
	if err != nil {
		return nil, fmt.Errorf("report: LD decay: %w", err)
	}
	out := make([]float64, len(bins))
	for i, b := range bins {
		out[i] = b.MeanR2
	}
	return out, nil
}

// curveL2 is the Euclidean distance between two curves over the bins where
// both are defined.
func curveL2(a, b []float64) float64 {
	s := 0.0
	for i := range a {
		if math.IsNaN(a[i]) || math.IsNaN(b[i]) {
			continue
		}
		d := a[i] - b[i]
		s += d * d
	}
	return math.Sqrt(s)
}
