package report

import (
	"fmt"
	"html/template"
	"image/color"
	"math"
	"math/rand/v2"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"

	"github.com/gousynth/gousynth/ld"
	"github.com/gousynth/gousynth/metrics"
	"github.com/gousynth/gousynth/preprocess"
	"github.com/gousynth/gousynth/vcf"
)

// WindowSpan is one window of a windowed fit: the sites [Start, End) of the
// cohorts (the window's core, the sites it writes).
type WindowSpan struct{ Start, End int }

// Overview holds per-window metrics along a chromosome, drawn above the
// standard sections of a windowed fit's report (HTMLOptions.Overview).
type Overview struct {
	// Chrom names the chromosome; From and To are the positions (bp) of
	// each window's first and last site.
	Chrom    string
	From, To []float64
	// LDErr is ld_r2_mae (mean |r² − r²_test| over the SNP pairs within
	// Options.LDWindowSNPs and Options.LDWindowKB) inside each window, for
	// the synthetic cohort and for the floor (a seeded random subset of real
	// training individuals of the synthetic cohort's size).
	LDErr, LDErrFloor []float64
	// AFErr is the mean |ALT allele frequency − test frequency| over the
	// window's SNPs, synthetic and floor.
	AFErr, AFErrFloor []float64
	// Ancestry is the correlation of the individuals' PC1 scores predicted
	// from the window's SNPs alone with their whole-chromosome PC1 scores,
	// for the synthetic and the real test cohort (the reference); nil when
	// not computed (the caller fills them, see chrom.AncestryConsistency).
	Ancestry, AncestryTest []float64
	// Representative is the index of the window of the standard sections
	// (−1 for none).
	Representative int
	// PairSNPs and PairKB bound the SNP pairs of LDErr (Options.LDWindowSNPs
	// and LDWindowKB).
	PairSNPs int
	PairKB   float64
	// Heatmaps holds each window's zoom heatmaps (real test and
	// synthetic r², downsampled to Options.WindowHeatCells); the report
	// then lets the reader pick any window and shows its LD triangle pair
	// and difference panel. Nil for none.
	Heatmaps []WindowHeatmap
}

// Append adds the windows of w (from WindowErrors on further windows)
// after those of ov, with their zoom heatmaps, and takes w's chromosome and
// pair bounds. Representative and the ancestry series are left as they are.
func (ov *Overview) Append(w *Overview) {
	ov.Chrom, ov.PairSNPs, ov.PairKB = w.Chrom, w.PairSNPs, w.PairKB
	ov.From, ov.To = append(ov.From, w.From...), append(ov.To, w.To...)
	ov.LDErr, ov.LDErrFloor = append(ov.LDErr, w.LDErr...), append(ov.LDErrFloor, w.LDErrFloor...)
	ov.AFErr, ov.AFErrFloor = append(ov.AFErr, w.AFErr...), append(ov.AFErrFloor, w.AFErrFloor...)
	ov.Heatmaps = append(ov.Heatmaps, w.Heatmaps...)
}

// WindowErrors computes the LD and allele-frequency errors of Overview for
// each window, with their floors. The three cohorts share sites; the
// synthetic cohort and the floor are seeded random subsets (opts.Seed) of
// m = min(n_synth, n_train) individuals, as in Evaluate. Unless
// opts.WindowHeatCells is negative it also computes each window's zoom
// heatmaps (Overview.Heatmaps: r² of all the window's SNPs, at most
// opts.HeatmapMaxSNPs, block averaged to at most WindowHeatCells cells per
// side). Ancestry is left nil and Representative −1.
func WindowErrors(test, synth, train *vcf.Genotypes, windows []WindowSpan, opts Options) (*Overview, error) {
	opts = opts.withDefaults()
	heatCells := opts.WindowHeatCells
	if heatCells == 0 {
		heatCells = DefaultWindowHeatCells
	}
	if err := SameSites(test, synth, "test cohort", "synthetic cohort"); err != nil {
		return nil, err
	}
	if err := SameSites(test, train, "test cohort", "training cohort"); err != nil {
		return nil, err
	}
	m := min(synth.NumSamples(), train.NumSamples())
	if m < 2 || test.NumSamples() < 2 {
		return nil, fmt.Errorf("report: window overview needs at least 2 individuals per cohort: %w", ErrTooFew)
	}
	rng := rand.New(rand.NewPCG(opts.Seed, 0x2545f4914f6cdd1d))
	// The sample subsets are taken window by window (preprocess.SubsetSites of
	// the window, then SubsetSamplesShared), never as whole-chromosome copies: on a
	// chromosome those would cost two more bytes per kept genotype.
	sIdx := sampleSubset(rng, synth.NumSamples(), m)
	fIdx := sampleSubset(rng, train.NumSamples(), m)
	win := ld.WindowOptions{WindowSNPs: opts.LDWindowSNPs, WindowKB: opts.LDWindowKB}
	ov := &Overview{Representative: -1, PairSNPs: opts.LDWindowSNPs, PairKB: opts.LDWindowKB}
	for _, w := range windows {
		if w.Start < 0 || w.End > test.NumSites() || w.End-w.Start < 2 {
			return nil, fmt.Errorf("report: window sites [%d, %d) of %d: %w", w.Start, w.End, test.NumSites(), ErrTooFew)
		}
		idx := make([]int, 0, w.End-w.Start)
		for v := w.Start; v < w.End; v++ {
			idx = append(idx, v)
		}
		t := preprocess.SubsetSites(test, idx)
		s, f := preprocess.SubsetSamplesShared(preprocess.SubsetSites(synth, idx), sIdx), preprocess.SubsetSamplesShared(preprocess.SubsetSites(train, idx), fIdx)
		pt, err := metrics.WindowPairs(t, win)
		if err != nil {
			return nil, err
		}
		ldErr := func(x *vcf.Genotypes) (float64, error) {
			px, err := metrics.WindowPairs(x, win)
			if err != nil {
				return 0, err
			}
			a, b, _ := metrics.AlignPairs(px, pt, t.Sites)
			return metrics.MeanAbsDiff(a, b), nil
		}
		ls, err := ldErr(s)
		if err != nil {
			return nil, err
		}
		lf, err := ldErr(f)
		if err != nil {
			return nil, err
		}
		afT := metrics.AlleleFreqs(t)
		if heatCells > 0 {
			h, err := windowHeatmap(t, s, heatCells, opts.HeatmapMaxSNPs)
			if err != nil {
				return nil, err
			}
			ov.Heatmaps = append(ov.Heatmaps, h)
		}
		ov.From = append(ov.From, float64(test.Sites[w.Start].Pos))
		ov.To = append(ov.To, float64(test.Sites[w.End-1].Pos))
		ov.LDErr, ov.LDErrFloor = append(ov.LDErr, ls), append(ov.LDErrFloor, lf)
		ov.AFErr = append(ov.AFErr, metrics.MeanAbsDiff(metrics.AlleleFreqs(s), afT))
		ov.AFErrFloor = append(ov.AFErrFloor, metrics.MeanAbsDiff(metrics.AlleleFreqs(f), afT))
	}
	if len(windows) > 0 {
		ov.Chrom = test.Sites[windows[0].Start].Chrom
	}
	return ov, nil
}

// overviewPlot draws one per-window series of ov (synthetic and reference)
// along the chromosome, the representative window shaded.
func overviewPlot(ov *Overview, title, ylabel string, synth, ref []float64, refName string) (template.HTML, error) {
	p := newPlot(title, fmt.Sprintf("chromosome %s position (Mb)", ov.Chrom), ylabel)
	mid := make([]float64, len(ov.From))
	for i := range mid {
		mid[i] = (ov.From[i] + ov.To[i]) / 2e6
	}
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, y := range [][]float64{synth, ref} {
		for _, v := range y {
			if !math.IsNaN(v) {
				lo, hi = math.Min(lo, v), math.Max(hi, v)
			}
		}
	}
	if math.IsInf(lo, 0) {
		lo, hi = 0, 1
	}
	lo = math.Min(lo, 0)
	p.Y.Min, p.Y.Max = lo, hi+0.8*(hi-lo)+1e-12 // head room for the legend
	// Round Mb ticks with the decimals they need.
	step, prec := mbStep(ov.From[0], ov.To[len(ov.To)-1])
	p.X.Tick.Marker = plot.TickerFunc(func(min, max float64) []plot.Tick {
		var ts []plot.Tick
		for t := math.Ceil(min/step) * step; t <= max+1e-12; t += step {
			ts = append(ts, plot.Tick{Value: t, Label: strconv.FormatFloat(t, 'f', prec, 64)})
		}
		return ts
	})
	if r := ov.Representative; r >= 0 && r < len(ov.From) {
		band, err := plotter.NewPolygon(plotter.XYs{{X: ov.From[r] / 1e6, Y: p.Y.Min}, {X: ov.To[r] / 1e6, Y: p.Y.Min}, {X: ov.To[r] / 1e6, Y: p.Y.Max}, {X: ov.From[r] / 1e6, Y: p.Y.Max}})
		if err != nil {
			return "", err
		}
		band.Color, band.LineStyle.Width = color.NRGBA{0x00, 0x9e, 0x73, 0x40}, 0
		p.Add(band)
		p.Legend.Add("representative window", band)
	}
	add := func(y []float64, c color.RGBA, name string, dashed bool) error {
		return addCurve(p, mid, y, c, vg.Points(1.4), vg.Points(1.8), name, dashed)
	}
	if err := add(ref, colFloor, refName, true); err != nil {
		return "", err
	}
	if err := add(synth, colSynth, "synthetic", false); err != nil {
		return "", err
	}
	p.Legend.Left = false
	return renderSVG(p, vg.Points(920), vg.Points(200))
}

// overviewFigures draws the chromosome overview of a windowed fit.
func overviewFigures(ov *Overview) ([]figure, string, error) {
	var figs []figure
	ldf, err := overviewPlot(ov, "LD error per window", "mean |r² − r²_test|", ov.LDErr, ov.LDErrFloor, "real training subset (floor)")
	if err != nil {
		return nil, "", err
	}
	figs = append(figs, figure{ldf, fmt.Sprintf("Mean absolute r² error of the SNP pairs inside each window (fewer than %d SNPs and at most %g kb apart); the dashed grey line is the floor, a real cohort of the same size. Peaks mark windows whose LD the model misses.", ov.PairSNPs, ov.PairKB)})
	aff, err := overviewPlot(ov, "Allele-frequency error per window", "mean |AF − AF_test|", ov.AFErr, ov.AFErrFloor, "real training subset (floor)")
	if err != nil {
		return nil, "", err
	}
	figs = append(figs, figure{aff, "Mean absolute ALT allele-frequency difference from the real test cohort per window; the dashed grey floor is the sampling noise of real data."})
	if ov.Ancestry != nil {
		anc, err := overviewPlot(ov, "Ancestry agreement per window", "PC1 correlation", ov.Ancestry, ov.AncestryTest, "real test (reference)")
		if err != nil {
			return nil, "", err
		}
		figs = append(figs, figure{anc, "Correlation of each individual's PC1 from the window's SNPs alone with its whole-chromosome PC1; synthetic individuals should keep their ancestry from window to window as the real ones (dashed grey) do."})
	}
	note := fmt.Sprintf("%d windows along chromosome %s; the sections below are computed on the shaded representative window.", len(ov.From), ov.Chrom)
	return figs, note, nil
}
