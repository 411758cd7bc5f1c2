package report

import (
	"fmt"
	"math"

	"github.com/gousynth/gousynth/ld"
	"github.com/gousynth/gousynth/vcf"
)

// geneticsMetrics computes allele-frequency agreement and windowed LD
// agreement, and fills the allele-frequency and LD-decay plot data.
func geneticsMetrics(T, S cohort, F *cohort, opts Options, plots *PlotData) ([]Metric, error) {
	nan := math.NaN()
	afT, afS := alleleFreqs(T.g), alleleFreqs(S.g)
	afR2S, afR2F := Pearson(afT, afS), nan
	afR2S *= afR2S
	plots.AFTest, plots.AFSynth = afT, afS
	if F != nil {
		afF := alleleFreqs(F.g)
		afR2F = Pearson(afT, afF)
		afR2F *= afR2F
		plots.AFFloor = afF
	}

	win := ld.WindowOptions{WindowSNPs: opts.LDWindowSNPs, WindowKB: opts.LDWindowKB, MinR2: 0}
	pairsT, dist, err := windowR2(T.g, win, true)
	if err != nil {
		return nil, err
	}
	pairsS, _, err := windowR2(S.g, win, false)
	if err != nil {
		return nil, err
	}
	maeS, corrS := meanAbsDiff2(pairsS, pairsT), Pearson(pairsS, pairsT)
	maeF, corrF := nan, nan
	var pairsF []float64
	if F != nil {
		if pairsF, _, err = windowR2(F.g, win, false); err != nil {
			return nil, err
		}
		maeF, corrF = meanAbsDiff2(pairsF, pairsT), Pearson(pairsF, pairsT)
	}

	edges := logEdges(1, opts.LDWindowKB*1000, opts.DecayBins)
	plots.DecayCentres = binCentres(edges)
	plots.DecayTest = decayCurve(pairsT, dist, edges)
	plots.DecaySynth = decayCurve(pairsS, dist, edges)
	decS, decF := curveL2(plots.DecaySynth, plots.DecayTest), nan
	if F != nil {
		plots.DecayFloor = decayCurve(pairsF, dist, edges)
		decF = curveL2(plots.DecayFloor, plots.DecayTest)
	}

	win2 := fmt.Sprintf("SNP pairs at most %d sites and %g kb apart (%d pairs; undefined r² of monomorphic sites counts as 0)", opts.LDWindowSNPs, opts.LDWindowKB, len(pairsT))
	return []Metric{
		metricHigher("af_r2", "r² between per-SNP ALT allele frequencies and those of the test cohort", afR2S, afR2F),
		metricLower("ld_r2_mae", "mean |r² − r²_test| of dosage r² over "+win2, maeS, maeF),
		metricHigher("ld_r2_corr", "Pearson correlation of the dosage r² with those of the test cohort over "+win2, corrS, corrF),
		metricLower("ld_decay_l2", fmt.Sprintf("L2 distance between LD decay curves (mean r² in %d log-spaced distance bins up to %g kb)", opts.DecayBins, opts.LDWindowKB), decS, decF),
	}, nil
}

// alleleFreqs returns the ALT allele frequency of each site: mean dosage of
// the called individuals over 2 (NaN when nobody is called).
func alleleFreqs(g *vcf.Genotypes) []float64 {
	out := make([]float64, g.NumSites())
	for v := range out {
		sum, cnt := 0, 0
		for _, x := range g.Row(v) {
			if x != vcf.Missing {
				sum += int(x)
				cnt++
			}
		}
		if cnt == 0 {
			out[v] = math.NaN()
			continue
		}
		out[v] = float64(sum) / float64(2*cnt)
	}
	return out
}

// Pearson returns the Pearson correlation of x and y over the indices where
// both are finite; NaN when either has no variance there.
func Pearson(x, y []float64) float64 {
	var n, sx, sy, sxx, syy, sxy float64
	for i := range x {
		a, b := x[i], y[i]
		if math.IsNaN(a) || math.IsNaN(b) {
			continue
		}
		n++
		sx += a
		sy += b
	}
	if n < 2 {
		return math.NaN()
	}
	mx, my := sx/n, sy/n
	for i := range x {
		a, b := x[i], y[i]
		if math.IsNaN(a) || math.IsNaN(b) {
			continue
		}
		sxx += (a - mx) * (a - mx)
		syy += (b - my) * (b - my)
		sxy += (a - mx) * (b - my)
	}
	if sxx == 0 || syy == 0 {
		return math.NaN()
	}
	return sxy / math.Sqrt(sxx*syy)
}

// windowR2 returns the dosage r² (ld.Pairs, in its fixed pair order) of every
// site pair in the window, NaN replaced by 0, and, when withDist, the bp
// distance of each pair. All cohorts share the sites, so the pair lists line up.
func windowR2(g *vcf.Genotypes, win ld.WindowOptions, withDist bool) (r2, dist []float64, err error) {
	err = ld.Pairs(g, win, func(p ld.Pair) error {
		v := p.R2
		if math.IsNaN(v) {
			v = 0
		}
		r2 = append(r2, v)
		if withDist {
			dist = append(dist, float64(g.Sites[p.J].Pos-g.Sites[p.I].Pos))
		}
		return nil
	})
	if err != nil {
		return nil, nil, fmt.Errorf("report: LD r²: %w", err)
	}
	return r2, dist, nil
}

func meanAbsDiff2(a, b []float64) float64 {
	if len(a) == 0 {
		return math.NaN()
	}
	return meanAbsDiff(a, b)
}

// logEdges returns n+1 log-spaced bin edges from lo to hi.
func logEdges(lo, hi float64, n int) []float64 {
	if hi <= lo {
		hi = lo * 10
	}
	e := make([]float64, n+1)
	for i := range e {
		e[i] = lo * math.Pow(hi/lo, float64(i)/float64(n))
	}
	return e
}

func binCentres(edges []float64) []float64 {
	c := make([]float64, len(edges)-1)
	for i := range c {
		c[i] = math.Sqrt(edges[i] * edges[i+1])
	}
	return c
}

// decayCurve is the mean r² per distance bin (NaN for empty bins). Pairs at
// distance below the first edge go to the first bin.
func decayCurve(r2, dist, edges []float64) []float64 {
	nb := len(edges) - 1
	sum := make([]float64, nb)
	cnt := make([]int, nb)
	for i, d := range dist {
		b := 0
		for b < nb-1 && d > edges[b+1] {
			b++
		}
		if d > edges[nb] {
			continue
		}
		sum[b] += r2[i]
		cnt[b]++
	}
	out := make([]float64, nb)
	for b := range out {
		if cnt[b] == 0 {
			out[b] = math.NaN()
		} else {
			out[b] = sum[b] / float64(cnt[b])
		}
	}
	return out
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
