package report

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"html/template"
	"image/color"
	"math"
	"slices"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"

	"github.com/gousynth/gousynth/metrics"
)

// renderPNG draws p as a PNG at twice the CSS resolution, wrapped in an
// inline <svg> like the other figures. Used for plots with one glyph per SNP
// or per individual, which as vector paths would make the page megabytes
// long.
func renderPNG(p *plot.Plot, w, h vg.Length) (template.HTML, error) {
	c := vgimg.PngCanvas{Canvas: vgimg.NewWith(vgimg.UseWH(w, h), vgimg.UseDPI(144), vgimg.UseBackgroundColor(color.White))}
	p.Draw(draw.New(c))
	var buf bytes.Buffer
	if _, err := c.WriteTo(&buf); err != nil {
		return "", err
	}
	pw, ph := w.Points()*96/72, h.Points()*96/72 // CSS pixels
	svg := fmt.Sprintf(`<svg class="plot" role="img" width="%.0f" height="%.0f" viewBox="0 0 %.0f %.0f" xmlns="http://www.w3.org/2000/svg"><image width="%.0f" height="%.0f" href="data:image/png;base64,%s"/></svg>`,
		pw, ph, pw, ph, pw, ph, base64.StdEncoding.EncodeToString(buf.Bytes()))
	return template.HTML(svg), nil //nolint:gosec // built here from a PNG
}

// siteScatter plots a per-SNP statistic of the synthetic cohort and of the
// floor against the real test cohort's, with the diagonal.
func siteScatter(title, stat string, test, synth, floor []float64, lo, hi float64) (template.HTML, error) {
	p := newPlot(title, stat+", real test cohort", stat+", synthetic / real floor")
	p.X.Min, p.X.Max, p.Y.Min, p.Y.Max = lo, hi, lo, hi
	diag := plotter.NewFunction(func(x float64) float64 { return x })
	diag.Color = color.Gray{0x44}
	diag.Dashes = []vg.Length{vg.Points(3), vg.Points(3)}
	p.Add(diag)
	if floor != nil {
		s, err := scatter(xys(test, floor), withAlpha(colFloor, 0x90), vg.Points(1.5), draw.CircleGlyph{})
		if err != nil {
			return "", err
		}
		p.Add(s)
		p.Legend.Add("real training subset (floor)", s)
	}
	s, err := scatter(xys(test, synth), withAlpha(colSynth, 0xa0), vg.Points(1.5), draw.CircleGlyph{})
	if err != nil {
		return "", err
	}
	p.Add(s)
	p.Legend.Add("synthetic", s)
	p.Legend.Left, p.Legend.XOffs = true, vg.Points(4)
	return renderPNG(p, vg.Points(380), vg.Points(360))
}

// clip limits x to [lo, hi] (NaN stays NaN), so that outliers stay on a
// plot's fixed axes at its edge.
func clip(x []float64, lo, hi float64) []float64 {
	if x == nil {
		return nil
	}
	out := make([]float64, len(x))
	for i, v := range x {
		out[i] = math.Max(lo, math.Min(hi, v))
		if math.IsNaN(v) {
			out[i] = v
		}
	}
	return out
}

// hweRange returns a symmetric axis range holding the central 99% of the
// real test cohort's Hardy–Weinberg F values (at least ±0.1).
func hweRange(f []float64) float64 {
	var a []float64
	for _, v := range f {
		if !math.IsNaN(v) {
			a = append(a, math.Abs(v))
		}
	}
	if len(a) == 0 {
		return 1
	}
	r := metrics.Quantile(a, 0.99, metrics.Interpolated) * 1.3
	return math.Min(1, math.Max(0.1, math.Ceil(r*20)/20))
}

// stepCurve adds a step line of y over equal bins of [lo, hi].
func stepCurve(p *plot.Plot, y []float64, lo, hi float64, c color.RGBA, name string, dashed bool) error {
	w := (hi - lo) / float64(len(y))
	pts := make(plotter.XYs, 0, len(y)+1)
	for i, v := range y {
		pts = append(pts, plotter.XY{X: lo + float64(i)*w, Y: v})
	}
	pts = append(pts, plotter.XY{X: hi, Y: y[len(y)-1]})
	l, err := plotter.NewLine(pts)
	if err != nil {
		return err
	}
	l.StepStyle = plotter.PostStep
	l.Color, l.Width = c, vg.Points(1.6)
	if dashed {
		l.Dashes = []vg.Length{vg.Points(4), vg.Points(3)}
	}
	p.Add(l)
	p.Legend.Add(name, l)
	return nil
}

// sfsPlot: the folded site-frequency spectrum of the three cohorts.
func sfsPlot(pd *PlotData) (template.HTML, error) {
	p := newPlot("Site-frequency spectrum (folded)", "minor allele frequency", "fraction of SNPs")
	p.Y.Min = 0
	p.X.Min, p.X.Max = 0, 0.5
	t, s := metrics.FoldedSFS(pd.SitesTest.MAF), metrics.FoldedSFS(pd.SitesSynth.MAF)
	peak := slices.Max(slices.Concat(t, s))
	if err := stepCurve(p, t, 0, 0.5, colReal, "real test", false); err != nil {
		return "", err
	}
	if pd.SitesFloor != nil {
		f := metrics.FoldedSFS(pd.SitesFloor.MAF)
		peak = math.Max(peak, slices.Max(f))
		if err := stepCurve(p, f, 0, 0.5, colFloor, "real training subset (floor)", true); err != nil {
			return "", err
		}
	}
	if err := stepCurve(p, s, 0, 0.5, colSynth, "synthetic", false); err != nil {
		return "", err
	}
	p.Y.Max = 1.35 * peak
	p.Legend.Left = false
	return renderSVG(p, vg.Points(380), vg.Points(360))
}

// classPlot: the frequency of each genotype class (dosage 0, 1, 2) averaged
// over SNPs, as grouped bars per cohort.
func classPlot(pd *PlotData) (template.HTML, error) {
	p := newPlot("Genotype classes, mean over SNPs", "", "frequency")
	p.Y.Min = 0
	meanClass := func(st *SiteStats) plotter.Values {
		v := make(plotter.Values, 3)
		n := 0
		for _, c := range st.ClassFreq {
			if math.IsNaN(c[0]) {
				continue
			}
			for k := range v {
				v[k] += c[k]
			}
			n++
		}
		for k := range v {
			v[k] /= float64(max(n, 1))
		}
		return v
	}
	type series struct {
		st   *SiteStats
		c    color.RGBA
		name string
	}
	ss := []series{{pd.SitesTest, colReal, "real test"}}
	if pd.SitesFloor != nil {
		ss = append(ss, series{pd.SitesFloor, colFloor, "real training subset (floor)"})
	}
	ss = append(ss, series{pd.SitesSynth, colSynth, "synthetic"})
	w := vg.Points(22)
	peak := 0.0
	for i, s := range ss {
		v := meanClass(s.st)
		peak = math.Max(peak, slices.Max(v))
		b, err := plotter.NewBarChart(v, w)
		if err != nil {
			return "", err
		}
		b.Color, b.LineStyle.Width = s.c, 0
		b.Offset = w * vg.Length(float64(i)-float64(len(ss)-1)/2)
		p.Add(b)
		p.Legend.Add(s.name, b)
	}
	p.Y.Max = 1.35 * peak
	p.NominalX("0 (hom. REF)", "1 (het.)", "2 (hom. ALT)")
	p.Legend.Left = false
	return renderSVG(p, vg.Points(380), vg.Points(360))
}

// rocPlot: the ROC curve of the membership-inference attack of mia_auc.
func rocPlot(pd *PlotData, auc float64) (template.HTML, error) {
	p := newPlot(fmt.Sprintf("Membership inference ROC (AUC %.3f)", auc), "false-positive rate (non-members)", "true-positive rate (members)")
	p.X.Min, p.X.Max, p.Y.Min, p.Y.Max = 0, 1, 0, 1
	diag := plotter.NewFunction(func(x float64) float64 { return x })
	diag.Color = colFloor
	diag.Dashes = []vg.Length{vg.Points(3), vg.Points(3)}
	p.Add(diag)
	p.Legend.Add("no leak (AUC 0.5)", diag)
	roc := pd.MIAROC
	fpr, tpr := make([]float64, len(roc)), make([]float64, len(roc))
	for i, q := range roc {
		fpr[i], tpr[i] = q.FPR, q.TPR
	}
	l, err := plotter.NewLine(xys(fpr, tpr))
	if err != nil {
		return "", err
	}
	l.Color, l.Width = colSynth, vg.Points(1.8)
	p.Add(l)
	p.Legend.Add("attack", l)
	p.Legend.Top, p.Legend.Left = false, false
	p.Legend.YOffs, p.Legend.XOffs = vg.Points(8), -vg.Points(14)
	return renderSVG(p, vg.Points(380), vg.Points(360))
}

// histPlot: two histograms (as fractions over shared bins) of a, scaled by
// scale, next to b.
func histPlot(title, xlabel string, a, b []float64, scale float64, colA, colB color.RGBA, nameA, nameB string) (template.HTML, error) {
	if len(a) == 0 || len(b) == 0 {
		return "", nil
	}
	sc := func(x []float64) []float64 {
		out := make([]float64, len(x))
		for i, v := range x {
			out[i] = v * scale
		}
		return out
	}
	a, b = sc(a), sc(b)
	all := slices.Concat(a, b)
	lo, hi := slices.Min(all), slices.Max(all)
	if hi <= lo {
		hi = lo + 1
	}
	const nb = 40
	w := (hi - lo) / nb
	hist := func(x []float64) []float64 {
		cnt := make([]float64, nb)
		for _, v := range x {
			cnt[min(int((v-lo)/w), nb-1)] += 1 / float64(len(x))
		}
		return cnt
	}
	ha, hb := hist(a), hist(b)
	p := newPlot(title, xlabel, "fraction of individuals")
	p.Y.Min = 0
	p.Y.Max = 1.3 * math.Max(slices.Max(ha), slices.Max(hb))
	p.Legend.Left = false
	for _, s := range []struct {
		h    []float64
		c    color.RGBA
		name string
	}{{ha, colA, nameA}, {hb, colB, nameB}} {
		pts := make(plotter.XYs, 0, nb+1)
		for i, v := range s.h {
			pts = append(pts, plotter.XY{X: lo + float64(i)*w, Y: v})
		}
		pts = append(pts, plotter.XY{X: hi, Y: s.h[nb-1]})
		l, err := plotter.NewLine(pts)
		if err != nil {
			return "", err
		}
		l.StepStyle = plotter.PostStep
		l.Color, l.Width = s.c, vg.Points(1.4)
		l.FillColor = withAlpha(s.c, 0x50)
		p.Add(l)
		p.Legend.Add(s.name, l)
	}
	return renderSVG(p, vg.Points(560), vg.Points(320))
}
