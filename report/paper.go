package report

import (
	"fmt"
	"math"

	"github.com/gousynth/gousynth/metrics"
)

// paperMetrics computes the metrics of the GOU paper for S (synthetic) and F
// (floor, may be nil) against T (test). cov_frobenius and corr_frobenius
// (most of the cost) come from fr, the test cohort's metrics.CovCorrFrobenius; with fr nil
// they are NaN.
func paperMetrics(T, S cohort, F *cohort, projections int, seed uint64, fr *metrics.CovCorrFrobenius) []Metric {
	tStats := metrics.ColumnStats(T.x)
	sStats := metrics.ColumnStats(S.x)
	var fStats *metrics.ColStats
	if F != nil {
		fStats = metrics.ColumnStats(F.x)
	}
	nan := math.NaN()
	pick := func(f func(*metrics.ColStats) float64) float64 {
		if fStats == nil {
			return nan
		}
		return f(fStats)
	}

	meanErr := func(x *metrics.ColStats) float64 { return metrics.MeanAbsDiff(x.Mean, tStats.Mean) }
	stdErr := func(x *metrics.ColStats) float64 { return metrics.MeanAbsDiff(x.SD, tStats.SD) }

	covS, corrS, covF, corrF := nan, nan, nan, nan
	if fr != nil {
		covS, corrS = fr.Dist(S.x, sStats)
		if F != nil {
			covF, corrF = fr.Dist(F.x, fStats)
		}
	}

	w2T := metrics.SortedColumns(T.x)
	w2S := metrics.PerSiteW2(w2T, metrics.SortedColumns(S.x))
	var w2F []float64
	if F != nil {
		w2F = metrics.PerSiteW2(w2T, metrics.SortedColumns(F.x))
	}

	klS := metrics.MeanGenotypeKL(T.g, S.g)
	klF := nan
	if F != nil {
		klF = metrics.MeanGenotypeKL(T.g, F.g)
	}

	dirs := metrics.NewDirections(T.x.D, projections, seed, 0x5bd1e995, metrics.DrawSiteMajor)
	pT := dirs.SortedProjections(T.x)
	swS := metrics.SlicedW2(pT, dirs.SortedProjections(S.x))
	swF := nan
	if F != nil {
		swF = metrics.SlicedW2(pT, dirs.SortedProjections(F.x))
	}

	out := []Metric{
		metricLower("mean_error", "mean over SNPs of |mean dosage − test mean dosage|", meanErr(sStats), pick(meanErr)),
		metricLower("std_error", "mean over SNPs of |dosage SD − test dosage SD|", stdErr(sStats), pick(stdErr)),
		metricLower("cov_frobenius", "‖Cov − Cov_test‖_F of the SNP × SNP dosage covariance", covS, covF),
		metricLower("corr_frobenius", "‖Corr − Corr_test‖_F of the SNP × SNP dosage correlation (monomorphic SNPs → 0)", corrS, corrF),
		metricLower("w2_mean", "per-SNP 1-D Wasserstein-2 distance of dosages, mean over SNPs", mean(w2S), meanOrNaN(w2F)),
	}
	for i := 0; i < 5 && i < len(w2S); i++ {
		f := nan
		if w2F != nil {
			f = w2F[i]
		}
		out = append(out, metricLower(fmt.Sprintf("w2_snp%d", i+1), fmt.Sprintf("1-D Wasserstein-2 distance of dosages at SNP %d", i+1), w2S[i], f))
	}
	out = append(out,
		metricLower("kl_mean", "per-SNP KL(test ‖ X) of genotype-class frequencies (+1e-3 smoothing), mean over SNPs", klS, klF),
		metricLower("sliced_w2", fmt.Sprintf("sliced Wasserstein-2 distance, %d random directions: sqrt(mean W2²)", projections), swS, swF),
	)
	return out
}

func mean(a []float64) float64 {
	s := 0.0
	for _, v := range a {
		s += v
	}
	return s / float64(len(a))
}

func meanOrNaN(a []float64) float64 {
	if a == nil {
		return math.NaN()
	}
	return mean(a)
}
