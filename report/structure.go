package report

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"

	"github.com/gousynth/gousynth/metrics"
	"github.com/gousynth/gousynth/vcf"
)

// pca is a set of principal axes of standardised dosages.
type pca struct {
	mean, invSD []float64  // per site; invSD 0 for monomorphic sites
	axes        *mat.Dense // d × k loadings, orthonormal columns
	varFrac     []float64  // fraction of total variance per axis
}

// fitPCA finds the top k principal axes of src (standardised per site by its
// own mean and SD) with metrics.RandomisedPCA. The report's settings are
// 2k+10 directions, 7 power iterations and CholeskyQR2, where chrom's
// streaming PCA takes k+10, 3 and Gram–Schmidt: src is held in memory, so
// passes are cheap, and genotype spectra decay slowly, so the range finder
// needs several to resolve the top axes.
func fitPCA(src *floatMatrix, k int, seed uint64) (*pca, error) {
	n, d := src.n, src.d
	k = min(k, n-1, d)
	if k < 1 {
		return nil, fmt.Errorf("report: PCA needs at least 2 individuals and 1 site: %w", ErrTooFew)
	}
	st := columnStats(src)
	p := &pca{mean: st.mean, invSD: make([]float64, d)}
	for j, sd := range st.sd {
		if sd > monomorphicSD {
			p.invSD[j] = 1 / sd
		}
	}
	z := p.standardise(src)
	total := 0.0
	for _, v := range z.RawMatrix().Data {
		total += v * v
	}
	res, err := metrics.RandomisedPCA(metrics.DenseOperator{A: z}, k, seed, metrics.PCAOptions{
		PerComponent: 2, Extra: 10, PowerIterations: 7,
		Orthonormalise: metrics.CholeskyQR2, Stream: 0x243f6a8885a308d3, RowMajorB: true,
	})
	if err != nil {
		return nil, fmt.Errorf("report: PCA eigendecomposition did not converge")
	}
	// The axes up to the first without variance; the rest stay zero.
	p.axes = mat.NewDense(d, k, nil)
	for a, s2 := range res.Values {
		if s2 <= 0 {
			break
		}
		p.axes.SetCol(a, mat.Col(nil, a, res.Loadings))
		p.varFrac = append(p.varFrac, s2/total)
	}
	return p, nil
}

func (p *pca) standardise(x *floatMatrix) *mat.Dense {
	z := mat.NewDense(x.n, x.d, nil)
	raw := z.RawMatrix().Data
	for i := 0; i < x.n; i++ {
		r := x.row(i)
		o := raw[i*x.d : (i+1)*x.d]
		for j, v := range r {
			o[j] = (v - p.mean[j]) * p.invSD[j]
		}
	}
	return z
}

// project returns the n × k scores of x on the axes, row-major.
func (p *pca) project(x *floatMatrix) []float64 {
	var s mat.Dense
	s.Mul(p.standardise(x), p.axes)
	return s.RawMatrix().Data
}

// structureMetrics projects test, synthetic and floor individuals on the top
// principal axes of src and compares their distributions per axis.
func structureMetrics(src *vcf.Genotypes, T, S cohort, F *cohort, opts Options, seed uint64, plots *PlotData) ([]Metric, error) {
	srcF := T.x
	if src != T.g {
		srcF = toFloat(src)
	}
	p, err := fitPCA(srcF, opts.PCs, seed)
	if err != nil {
		return nil, err
	}
	k := len(p.varFrac)
	if k == 0 {
		return nil, fmt.Errorf("report: PCA found no axis with variance: %w", ErrTooFew)
	}
	if k < p.axes.RawMatrix().Cols {
		p.axes = mat.DenseCopyOf(p.axes.Slice(0, T.x.d, 0, k))
	}
	sT, sS := p.project(T.x), p.project(S.x)
	var sF []float64
	if F != nil {
		sF = p.project(F.x)
	}
	plots.PCs, plots.PCTest, plots.PCSynth, plots.PCVarianceExplained = k, sT, sS, p.varFrac
	plots.TestPop = make([]string, T.g.NumSamples())
	if opts.Panel != nil {
		for i, id := range T.g.Samples {
			plots.TestPop[i] = opts.Panel[id]
		}
	}
	wS := metrics.ColumnW1(sS, S.x.n, sT, T.x.n, k)
	wF := make([]float64, k)
	meanF := math.NaN()
	if F != nil {
		wF = metrics.ColumnW1(sF, F.x.n, sT, T.x.n, k)
		meanF = mean(wF)
	} else {
		for c := range wF {
			wF[c] = math.NaN()
		}
	}
	out := []Metric{metricLower("pca_w1_mean", fmt.Sprintf("Wasserstein-1 distance between PC scores and those of the test cohort, mean over the top %d training PCs", k), mean(wS), meanF)}
	for c := 0; c < k && c < 4; c++ {
		out = append(out, metricLower(fmt.Sprintf("pca_w1_pc%d", c+1), fmt.Sprintf("Wasserstein-1 distance of PC%d scores (%.1f%% of training variance)", c+1, 100*p.varFrac[c]), wS[c], wF[c]))
	}
	return out, nil
}
