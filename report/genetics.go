package report

import (
	"fmt"
	"math"

	"github.com/gousynth/gousynth/ld"
	"github.com/gousynth/gousynth/metrics"
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
	pairsT, err := metrics.WindowPairs(T.g, win)
	if err != nil {
		return nil, err
	}
	pairsS, err := metrics.WindowPairs(S.g, win)
	if err != nil {
		return nil, err
	}
	xS, tS, dS := metrics.AlignPairs(pairsS, pairsT, T.g.Sites)
	maeS, corrS := metrics.MeanAbsDiff(xS, tS), metrics.Pearson(xS, tS)
	maeF, corrF := nan, nan
	var xF, tF, dF []float64
	if F != nil {
		pairsF, err := metrics.WindowPairs(F.g, win)
		if err != nil {
			return nil, err
		}
		xF, tF, dF = metrics.AlignPairs(pairsF, pairsT, T.g.Sites)
		maeF, corrF = metrics.MeanAbsDiff(xF, tF), metrics.Pearson(xF, tF)
	}

	// LD decay over the same pairs, in log-spaced bins spanning their
	// distances (as ../shared/judge does), so that the curve and its L2
	// distance describe the pairs whose r² error is reported.
	edges := metrics.DecayEdges(dS, opts.DecayBins)
	plots.DecayCentres = metrics.BinCentres(edges)
	plots.DecaySynth, plots.DecayTest = metrics.BinMeans(xS, dS, edges), metrics.BinMeans(tS, dS, edges)
	decS, decF := metrics.CurveL2(plots.DecaySynth, plots.DecayTest), nan
	if F != nil {
		plots.DecayFloor = metrics.BinMeans(xF, dF, edges)
		decF = metrics.CurveL2(plots.DecayFloor, metrics.BinMeans(tF, dF, edges))
	}

	win2 := fmt.Sprintf("SNP pairs fewer than %d sites and at most %g kb apart (%d pairs in the test cohort; undefined r² of monomorphic sites counts as 0)", opts.LDWindowSNPs, opts.LDWindowKB, len(pairsT))
	return []Metric{
		metricHigher("af_r2", "r² between per-SNP ALT allele frequencies and those of the test cohort", afR2S, afR2F),
		metricLower("ld_r2_mae", "mean |r² − r²_test| of dosage r² over "+win2, maeS, maeF),
		metricHigher("ld_r2_corr", "Pearson correlation of the dosage r² with those of the test cohort over "+win2, corrS, corrF),
		metricLower("ld_decay_l2", fmt.Sprintf("L2 distance between LD decay curves: mean r² in %d log-spaced bins of the base-pair distances of the "+win2, opts.DecayBins), decS, decF),
	}, nil
}
