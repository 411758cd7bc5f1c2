package report

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"

	"github.com/gousynth/gousynth/metrics"
	"github.com/gousynth/gousynth/vcf"
)

// fitPCA fits the PCs of the structure metrics on src
// (metrics.FitDosagePCA): fewer than 2 individuals or no site is
// ErrTooFew.
func fitPCA(src *metrics.Matrix, k int, seed uint64) (*metrics.DosagePCA, error) {
	if min(k, src.N-1, src.D) < 1 {
		return nil, fmt.Errorf("report: PCA needs at least 2 individuals and 1 site: %w", ErrTooFew)
	}
	p, err := metrics.FitDosagePCA(src, k, seed)
	if err != nil {
		return nil, fmt.Errorf("report: %w", err)
	}
	return p, nil
}

// structureMetrics projects test, synthetic and floor individuals on the top
// principal axes of src and compares their distributions per axis.
func structureMetrics(src *vcf.Genotypes, T, S cohort, F *cohort, opts Options, seed uint64, plots *PlotData) ([]Metric, error) {
	srcF := T.x
	if src != T.g {
		srcF = metrics.NewMatrix(src)
	}
	p, err := fitPCA(srcF, opts.PCs, seed)
	if err != nil {
		return nil, err
	}
	k := len(p.VarFrac)
	if k == 0 {
		return nil, fmt.Errorf("report: PCA found no axis with variance: %w", ErrTooFew)
	}
	if k < p.Axes.RawMatrix().Cols {
		p.Axes = mat.DenseCopyOf(p.Axes.Slice(0, T.x.D, 0, k))
	}
	sT, sS := p.Project(T.x), p.Project(S.x)
	var sF []float64
	if F != nil {
		sF = p.Project(F.x)
	}
	plots.PCs, plots.PCTest, plots.PCSynth, plots.PCVarianceExplained = k, sT, sS, p.VarFrac
	plots.TestPop = make([]string, T.g.NumSamples())
	if opts.Panel != nil {
		for i, id := range T.g.Samples {
			plots.TestPop[i] = opts.Panel[id]
		}
	}
	wS := metrics.ColumnW1(sS, S.x.N, sT, T.x.N, k)
	wF := make([]float64, k)
	meanF := math.NaN()
	if F != nil {
		wF = metrics.ColumnW1(sF, F.x.N, sT, T.x.N, k)
		meanF = mean(wF)
	} else {
		for c := range wF {
			wF[c] = math.NaN()
		}
	}
	out := []Metric{metricLower("pca_w1_mean", fmt.Sprintf("Wasserstein-1 distance between PC scores and those of the test cohort, mean over the top %d training PCs", k), mean(wS), meanF)}
	for c := 0; c < k && c < 4; c++ {
		out = append(out, metricLower(fmt.Sprintf("pca_w1_pc%d", c+1), fmt.Sprintf("Wasserstein-1 distance of PC%d scores (%.1f%% of training variance)", c+1, 100*p.VarFrac[c]), wS[c], wF[c]))
	}
	return out, nil
}
