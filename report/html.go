package report

import (
	"encoding/json"
	"fmt"
	"html/template"
	"io"
	"math"
	"strconv"
)

// KeyValue is one line of provenance.
type KeyValue struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

// Provenance says where a report comes from: inputs, filters, model
// settings, seed, version, time. The caller fills it (in its order); the
// report prints it as given.
type Provenance []KeyValue

// HTMLOptions controls WriteHTML.
type HTMLOptions struct {
	// Title of the page; default "gousynth synthetic cohort report".
	Title string
	// Provenance is printed at the end of the report.
	Provenance Provenance
	// Overview, for a windowed fit, is drawn as a chromosome overview above
	// the standard sections (which then describe its representative
	// window); nil for none.
	Overview *Overview
}

// WriteJSON writes the metrics, with the provenance, as indented JSON.
// Fields and metrics come in a fixed order; non-finite numbers are null.
func WriteJSON(w io.Writer, m *Metrics, prov Provenance) error {
	out := struct {
		Provenance Provenance `json:"provenance"`
		*Metrics
	}{prov, m}
	if out.Provenance == nil {
		out.Provenance = Provenance{}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(out); err != nil {
		return fmt.Errorf("report: write JSON: %w", err)
	}
	return nil
}

type figure struct {
	SVG     template.HTML
	Caption string
}

type metricRow struct {
	Metric
	ValueS, FloorS, RatioS, Class string
	// SpreadS is the floor's range over its draws, "" without draws.
	SpreadS string
}

type metricGroup struct {
	Title, Intro string
	Rows         []metricRow
}

type page struct {
	Title      string
	M          *Metrics
	Verdicts   []Verdict
	Groups     []metricGroup
	Heatmaps   []figure
	HeatNote   string
	LDFigs     []figure
	AFFigs     []figure
	GenoFigs   []figure
	PCAFigs    []figure
	DCRFigs    []figure
	Provenance Provenance
	GoodRatio  float64
	FairRatio  float64
	// Draws is the number of floor draws behind the floor ranges (0: none);
	// FidelityDraws says whether the fidelity metrics have them (the
	// privacy floors are drawn whenever there are held-out individuals).
	Draws         int
	FidelityDraws bool
	// Overview holds the chromosome overview of a windowed fit.
	Overview     []figure
	OverviewNote string
	// Strip and Zoom: the clickable window strip and every window's zoom
	// panel (nil without Overview.Heatmaps).
	Strip     template.HTML
	Zoom      []zoomPanel
	ZoomCells int
}

// WriteHTML renders the report as one self-contained HTML page: inline SVG
// figures (heatmaps carry an inline PNG), inline CSS, no scripts, fonts or
// network access. m must come from Evaluate (it needs m.Plots).
func WriteHTML(w io.Writer, m *Metrics, opts HTMLOptions) error {
	if m == nil || m.Plots == nil {
		return fmt.Errorf("report: WriteHTML needs metrics from Evaluate (with plot data)")
	}
	pg := newPage(m, opts)
	if opts.Overview != nil && len(opts.Overview.From) > 0 {
		if err := pg.addOverview(opts.Overview); err != nil {
			return err
		}
	}
	var figs figures
	pg.addLDFigures(&figs, m.Plots)
	pg.addGenotypeFigures(&figs, m.Plots)
	pg.addPCAFigures(&figs, m.Plots)
	if m.PrivacyAssessed {
		pg.addPrivacyFigures(&figs, m)
	}
	if figs.err != nil {
		return fmt.Errorf("report: draw figures: %w", figs.err)
	}
	if err := pageTemplate.Execute(w, pg); err != nil {
		return fmt.Errorf("report: write HTML: %w", err)
	}
	return nil
}

// newPage returns the page of m without its figures: title, verdicts,
// metric tables and the number of floor draws behind their ranges.
func newPage(m *Metrics, opts HTMLOptions) *page {
	pg := &page{Title: opts.Title, M: m, Verdicts: m.Verdicts, Provenance: opts.Provenance, GoodRatio: GoodRatio, FairRatio: FairRatio}
	if pg.Title == "" {
		pg.Title = "gousynth synthetic cohort report"
	}
	pg.Groups = []metricGroup{
		{"Genetics", "Allele frequencies and linkage disequilibrium.", rows(m.Genetics)},
		{"Population structure", "Real test, synthetic and floor individuals projected on the principal components of the training cohort.", rows(m.Structure)},
		{"Paper metrics", "The moment, Wasserstein and KL metrics of the GOU paper, on dosage matrices (individuals × SNPs).", rows(m.Paper)},
	}
	if m.Populations != nil && len(m.Populations.Metrics) > 0 {
		pg.Groups = append(pg.Groups, populationGroup(m.Populations))
	}
	if m.PrivacyAssessed {
		pg.Groups = append(pg.Groups, metricGroup{"Privacy", "Distances are Manhattan distances on dosages (missing calls filled with the training cohort's rounded mean). The floor column holds held-out real test individuals, who were never seen in training.", rows(m.Privacy)})
	}
	for gi, g := range [][]Metric{m.Paper, m.Genetics, m.Structure, m.Privacy} {
		for _, x := range g {
			pg.Draws = max(pg.Draws, len(x.FloorDraws))
			pg.FidelityDraws = pg.FidelityDraws || (gi < 3 && len(x.FloorDraws) > 1)
		}
	}
	if pg.Draws < 2 {
		pg.Draws = 0
	}
	return pg
}

// figures collects the page's figures and keeps the first error of
// drawing them, so that one failed figure stops the page.
type figures struct{ err error }

func (f *figures) fig(svg template.HTML, err error, caption string) figure {
	if err != nil && f.err == nil {
		f.err = err
	}
	return figure{svg, caption}
}

// addOverview draws the chromosome overview of a windowed fit, its window
// strip and every window's zoom panel.
func (pg *page) addOverview(ov *Overview) error {
	figs, note, err := overviewFigures(ov)
	if err != nil {
		return fmt.Errorf("report: draw chromosome overview: %w", err)
	}
	pg.Overview, pg.OverviewNote = figs, note
	if pg.Zoom, err = zoomPanels(ov); err != nil {
		return fmt.Errorf("report: draw window zoom: %w", err)
	}
	if pg.Zoom != nil {
		pg.Strip = windowStrip(ov)
		for _, h := range ov.Heatmaps {
			pg.ZoomCells = max(pg.ZoomCells, h.Cells)
		}
	}
	return nil
}

// addLDFigures draws the LD heatmaps (when Evaluate computed them) and the
// LD decay curves.
func (pg *page) addLDFigures(figs *figures, pd *PlotData) {
	if pd.HeatCells > 0 {
		pair, diff, scale, err := ldHeatmaps(pd)
		pg.Heatmaps = []figure{figs.fig(pair, err, "Each triangle is one cohort's r² matrix, so a cell below the diagonal and its mirror above compare the same SNP pairs: real test (below) against synthetic (above); the floor is how much two real cohorts differ (the ld_r2 rows of the table)."),
			figs.fig(diff, nil, "Synthetic minus real r² per cell; the colour scale is fitted to the data (±"+strconv.FormatFloat(scale, 'g', 3, 64)+", the largest difference off the diagonal): red, more LD in the synthetic cohort, blue, less. Compare with ld_r2_mae and its floor in the table.")}
		pg.HeatNote = fmt.Sprintf("%d SNPs from %s:%d to %s:%d", pd.HeatSNPs, pd.HeatFirst.Chrom, pd.HeatFirst.Pos, pd.HeatLast.Chrom, pd.HeatLast.Pos)
		if pd.HeatCells < pd.HeatSNPs {
			pg.HeatNote += fmt.Sprintf(", each cell the mean r² of a block of about %d × %d SNP pairs", (pd.HeatSNPs+pd.HeatCells-1)/pd.HeatCells, (pd.HeatSNPs+pd.HeatCells-1)/pd.HeatCells)
		}
	}
	d, err := decayPlot(pd)
	pg.LDFigs = []figure{figs.fig(d, err, "Mean r² of SNP pairs by distance (log-spaced bins). The synthetic curve should follow the real one as closely as the grey floor does.")}
}

// addGenotypeFigures draws the allele frequencies and, with per-SNP
// summaries, the site frequency spectrum, heterozygosity, Hardy–Weinberg
// deviation and genotype classes.
func (pg *page) addGenotypeFigures(figs *figures, pd *PlotData) {
	a, err := afPlot(pd)
	pg.AFFigs = []figure{figs.fig(a, err, "Each point is a SNP. Points on the diagonal keep the real allele frequency; the grey floor shows the sampling noise of a real cohort of the same size.")}
	if pd.SitesTest == nil || pd.SitesSynth == nil {
		return
	}
	var fh, ff []float64
	if pd.SitesFloor != nil {
		fh, ff = pd.SitesFloor.Het, pd.SitesFloor.HWEF
	}
	sfs, e1 := sfsPlot(pd)
	het, e2 := siteScatter("Heterozygosity per SNP", "observed heterozygosity", pd.SitesTest.Het, pd.SitesSynth.Het, fh, 0, 1)
	r := hweRange(pd.SitesTest.HWEF)
	hwe, e3 := siteScatter("Hardy–Weinberg deviation per SNP", "F = 1 − H_obs/H_exp", clip(pd.SitesTest.HWEF, -r, r), clip(pd.SitesSynth.HWEF, -r, r), clip(ff, -r, r), -r, r)
	cls, e4 := classPlot(pd)
	pg.GenoFigs = []figure{
		figs.fig(sfs, e1, "Fraction of SNPs per minor-allele-frequency bin (width 0.02). The synthetic line should lie on the real one; the dashed grey floor shows a real cohort of the same size."),
		figs.fig(het, e2, "Each point is a SNP: observed heterozygosity, synthetic (orange) and floor (grey) against real. Synthetic points should scatter around the diagonal no wider than the grey ones."),
		figs.fig(hwe, e3, fmt.Sprintf("Each point is a SNP: F = 1 − H_obs/2p(1−p), 0 under Hardy–Weinberg equilibrium, > 0 for too few heterozygotes (values beyond ±%g drawn at the edge). Synthetic points should spread like the grey floor.", r)),
		figs.fig(cls, e4, "Frequency of each genotype class averaged over SNPs; the synthetic bar should match the real one as closely as the grey floor bar does (per-SNP: kl_mean in the table)."),
	}
}

// addPCAFigures draws the real and synthetic panels of PCs 1–2 and, with
// at least four PCs, of PCs 3–4.
func (pg *page) addPCAFigures(figs *figures, pd *PlotData) {
	for _, ab := range [][2]int{{0, 1}, {2, 3}} {
		if pd.PCs >= ab[1]+1 {
			l, r, err := pcaPlots(pd, ab[0], ab[1])
			pg.PCAFigs = append(pg.PCAFigs, figs.fig(l, err, ""), figs.fig(r, nil, ""))
		}
	}
}

// addPrivacyFigures draws the distances to the closest training
// individual, the membership-inference evidence and ROC (with held-out
// individuals) and the kinship figure.
func (pg *page) addPrivacyFigures(figs *figures, m *Metrics) {
	pd := m.Plots
	ibs := 1 / (2 * float64(max(pd.NumSNPs, 1)))
	xl := "IBS distance (share of alleles that differ)"
	h, err := histPlot("Distance to the closest training individual", xl, pd.DCRTest, pd.DCRSynth, ibs, colReal, colSynth, "held-out real test → training", "synthetic → training")
	pg.DCRFigs = []figure{figs.fig(h, err, "Nearest-neighbour IBS distance to the training cohort. A synthetic cohort that copies or nearly copies training individuals shows a pile-up left of the held-out real (floor) distribution.")}
	if len(pd.MIAMember) > 0 {
		h2, e2 := histPlot("Distance to the closest synthetic individual", xl, negate(pd.MIANonMember), negate(pd.MIAMember), ibs, colReal, colFloor, "held-out real test (non-members)", "training members")
		auc := math.NaN()
		if x, ok := m.Get("mia_auc"); ok {
			auc = x.Value
		}
		roc, e3 := rocPlot(pd, auc)
		pg.DCRFigs = append(pg.DCRFigs,
			figs.fig(h2, e2, "The attacker's evidence: if training members sit closer to the synthetic cohort than held-out individuals do, the two distributions separate; overlapping distributions are the floor (no leak)."),
			figs.fig(roc, e3, "ROC of the membership-inference attack of mia_auc (a training member is called when its distance to the closest synthetic individual is small). The dashed diagonal is the floor: no better than guessing."))
	}
	if kf, ok, err := kinshipFigure(pd); ok || err != nil {
		pg.DCRFigs = append(pg.DCRFigs, figs.fig(kf.SVG, err, kf.Caption))
	}
}

func rows(ms []Metric) []metricRow {
	out := make([]metricRow, len(ms))
	for i, x := range ms {
		out[i] = metricRow{Metric: x, ValueS: fmtNum(x.Value), FloorS: fmtNum(x.Floor), RatioS: "–", Class: "na"}
		if lo, hi, ok := floorRange(x.FloorDraws); ok {
			out[i].SpreadS = fmtNum(lo) + " – " + fmtNum(hi)
		}
		if !math.IsNaN(x.Ratio) {
			out[i].RatioS = fmtRatio(x.Ratio) + "×"
			switch {
			case x.Ratio <= GoodRatio:
				out[i].Class = "good"
			case x.Ratio <= FairRatio:
				out[i].Class = "fair"
			default:
				out[i].Class = "poor"
			}
		}
	}
	return out
}

// floorRange returns the smallest and largest finite floor draw (ok false
// with fewer than two).
func floorRange(draws []float64) (lo, hi float64, ok bool) {
	lo, hi = math.Inf(1), math.Inf(-1)
	n := 0
	for _, v := range draws {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			continue
		}
		lo, hi = math.Min(lo, v), math.Max(hi, v)
		n++
	}
	return lo, hi, n >= 2
}

func fmtNum(v float64) string {
	switch {
	case math.IsNaN(v):
		return "–"
	case math.IsInf(v, 0):
		return "∞"
	case v == 0:
		return "0"
	case math.Abs(v) >= 1e5 || math.Abs(v) < 1e-3:
		return strconv.FormatFloat(v, 'e', 3, 64)
	}
	return strconv.FormatFloat(v, 'g', 4, 64)
}

var pageTemplate = template.Must(template.New("report").Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}}</title>
<style>
body{font-family:-apple-system,"Segoe UI",Helvetica,Arial,sans-serif;margin:0 auto;max-width:1340px;padding:16px 28px;color:#222;line-height:1.4}
h1{font-size:1.6em;margin:.3em 0}h2{font-size:1.3em;border-bottom:2px solid #ddd;padding-bottom:4px;margin-top:1.6em}
.sub{color:#555}
nav.toc{border:1px solid #ddd;border-radius:6px;padding:6px 14px;background:#fafafa;font-size:.92em}
nav.toc ol{margin:4px 0;padding-left:20px;columns:2}nav.toc a{color:#1a4f8a;text-decoration:none}
.verdicts{display:flex;flex-wrap:wrap;gap:12px;margin:12px 0;align-items:flex-start}
.card{flex:1 1 240px;border-radius:8px;padding:10px 14px;border:1px solid #ccc}
.card h3{margin:0 0 4px 0;font-size:1.05em}.card .v{font-size:1.5em;font-weight:bold;text-transform:uppercase}
.card.good{background:#e7f5e9;border-color:#6abf69}.card.fair{background:#fff6dc;border-color:#e0b43b}
.card.poor{background:#fde7e7;border-color:#e06666}.card.na{background:#f1f1f1}
.card p{margin:4px 0 0 0;font-size:.88em;color:#333}
table{border-collapse:collapse;margin:8px 0;font-size:.9em}
th,td{border-bottom:1px solid #e3e3e3;padding:4px 10px;text-align:left;vertical-align:top}
th{background:#f6f6f6}td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
td.good{background:#e7f5e9}td.fair{background:#fff6dc}td.poor{background:#fde7e7}
td.desc{color:#555;font-size:.92em}
table.prov td{white-space:pre-line}
.figs{display:flex;flex-wrap:wrap;gap:18px;align-items:flex-start}
figure{margin:0}figcaption{font-size:.85em;color:#555;max-width:560px}
svg.plot,svg.heatmap,svg.zoom,svg.strip{max-width:100%;height:auto}
.zwin{display:none;scroll-margin-top:8px}.zwin.rep{display:block}.zwin:target{display:block}
.zooms:has(.zwin:target) .zwin.rep:not(:target){display:none}
.zhead{font-size:.9em;margin:6px 0}.zhead a{color:#1a4f8a}
.notes li{color:#7a4b00}
code{background:#f3f3f3;padding:0 3px}
@media print{
body{max-width:none;padding:0;font-size:10pt}
nav.toc{display:none}
h2{break-after:avoid}
figure,tr,.card{break-inside:avoid}
.figs{gap:8px}
svg.plot,svg.heatmap{max-width:48%}
a{color:inherit;text-decoration:none}
}
</style>
</head>
<body>
<h1>{{.Title}}</h1>
<p class="sub">{{.M.NumSites}} SNPs · real test cohort {{.M.NumTest}} individuals · synthetic {{.M.NumSynth}} ({{.M.EvalSize}} evaluated){{if .M.NumTrain}} · training {{.M.NumTrain}}{{end}} · gousynth {{.M.Version}}</p>
<nav class="toc"><b>Contents</b><ol>
<li><a href="#summary">Summary</a></li>
{{if .Overview}}<li><a href="#chromosome">Chromosome overview</a>{{if .Zoom}} · <a href="#zoom">zoom to a window</a>{{end}}</li>{{end}}
<li><a href="#ld">Linkage disequilibrium</a></li>
<li><a href="#af">Allele frequencies and genotypes</a></li>
<li><a href="#structure">Population structure</a></li>
<li><a href="#privacy">Privacy</a></li>
<li><a href="#metrics">All metrics</a></li>
<li><a href="#provenance">Provenance</a></li>
</ol></nav>

<h2 id="summary">Summary</h2>
<div class="verdicts">
{{range .Verdicts}}<div class="card {{if eq .Verdict "not assessed"}}na{{else}}{{.Verdict}}{{end}}"><h3>{{.Area}}</h3><div class="v">{{.Verdict}}</div><p>{{.Reason}}</p></div>
{{end}}</div>
<p>Every fidelity metric is shown next to its <b>floor</b>: the same metric for a random subset of
{{.M.EvalSize}} <i>real</i> training individuals judged against the same real test cohort, so that
both carry the same sampling noise. The <b>ratio</b> says how many times worse than real data the
synthetic cohort is (1× = as good as real data; for r² and correlations, the ratio of the shortfalls
from 1). An area is <b>good</b> when its worst metric is within {{.GoodRatio}}× the floor,
<b>fair</b> within {{.FairRatio}}×, otherwise <b>poor</b>. Privacy is judged against held-out real
individuals, who were never used in training.</p>
{{if .M.Notes}}<ul class="notes">{{range .M.Notes}}<li>{{.}}</li>{{end}}</ul>{{end}}
{{if .Overview}}
<h2 id="chromosome">Chromosome overview</h2>
<p>{{.OverviewNote}}</p>
<div class="figs">{{range .Overview}}<figure>{{.SVG}}<figcaption>{{.Caption}}</figcaption></figure>{{end}}</div>
{{if .Zoom}}<h3 id="zoom">Zoom to a window</h3>
<figure>{{.Strip}}<figcaption>One bar per window, its height the window's LD error over its floor (1× = as good as a real cohort; green up to {{.GoodRatio}}×, orange up to {{.FairRatio}}×, red beyond; bars above 4× are cut, with a dark cap; hover for the values). Click a bar to show that window's LD heatmaps below (the representative window is shown first).</figcaption></figure>
<div class="zooms">{{range .Zoom}}<div class="{{.Class}}" id="{{.ID}}"><p class="zhead">{{.Head}} · {{if ge .Prev 0}}<a href="#zoom-{{.Prev}}">‹ previous</a>{{end}}{{if and (ge .Prev 0) (ge .Next 0)}} · {{end}}{{if ge .Next 0}}<a href="#zoom-{{.Next}}">next ›</a>{{end}}</p>{{.SVG}}</div>
{{end}}</div>
<p class="sub">Each window's r² matrix is block averaged to at most {{.ZoomCells}} × {{.ZoomCells}} cells (real test below the diagonal, synthetic above); the difference panel's colour scale is fitted to that window (its maximum in the title).</p>{{end}}
{{end}}
<h2 id="ld">Linkage disequilibrium</h2>
{{if .Heatmaps}}<p>Dosage r² heatmaps: {{.HeatNote}}.</p>
<div class="figs">{{range .Heatmaps}}<figure>{{.SVG}}<figcaption>{{.Caption}}</figcaption></figure>{{end}}</div>{{end}}
<div class="figs">{{range .LDFigs}}<figure>{{.SVG}}<figcaption>{{.Caption}}</figcaption></figure>{{end}}</div>

<h2 id="af">Allele frequencies and genotypes</h2>
<div class="figs">{{range .AFFigs}}<figure>{{.SVG}}<figcaption>{{.Caption}}</figcaption></figure>{{end}}
{{range .GenoFigs}}<figure>{{.SVG}}<figcaption>{{.Caption}}</figcaption></figure>{{end}}</div>

<h2 id="structure">Population structure</h2>
<div class="figs">{{range .PCAFigs}}<figure>{{.SVG}}</figure>{{end}}</div>
<p class="sub">Individuals projected on the principal components of the {{if .M.NumTrain}}training{{else}}test{{end}} cohort (dosages standardised per SNP); populations have their own colour and shape (Okabe–Ito colours).{{if not .M.Plots.SynthPop}} Synthetic individuals carry no population labels, so they are drawn in one colour.{{end}}</p>

<h2 id="privacy">Privacy</h2>
{{if .M.PrivacyAssessed}}<div class="figs">{{range .DCRFigs}}<figure>{{.SVG}}<figcaption>{{.Caption}}</figcaption></figure>{{end}}</div>
{{else}}<p><b>Privacy was not assessed</b>: it needs the training cohort (<code>--train</code>).</p>{{end}}

<h2 id="metrics">All metrics</h2>
<p class="sub">{{if .Draws}}The floor range is the smallest and largest floor over {{.Draws}} draws; a synthetic value inside it is within the sampling noise of real data.
{{if .FidelityDraws}}For fidelity metrics each draw is an independent floor subset (a seeded random subset of {{.M.EvalSize}} training individuals; for the structure metrics the PCs are refitted without it).{{end}}
{{if .M.PrivacyAssessed}}For privacy metrics the draws are bootstrap resamples of the held-out individuals (distances, identical matches, kinship) and new random subsets of held-out and training individuals (AATS); the membership-inference AUCs have no floor (0.5 is ideal).{{end}}{{end}}</p>
{{range .Groups}}<h3>{{.Title}}</h3><p class="sub">{{.Intro}}</p>
<table><tr><th>metric</th><th>synthetic</th><th>floor</th><th>floor range{{if $.Draws}} ({{$.Draws}} draws){{end}}</th><th>ratio</th><th>better</th><th>definition</th></tr>
{{range .Rows}}<tr><td><code>{{.Name}}</code></td><td class="num">{{.ValueS}}</td><td class="num">{{.FloorS}}</td><td class="num">{{.SpreadS}}</td><td class="num {{.Class}}">{{.RatioS}}</td><td>{{.Better}}</td><td class="desc">{{.Description}}</td></tr>
{{end}}</table>
{{end}}

<h2 id="provenance">Provenance</h2>
<table class="prov">{{range .Provenance}}<tr><th>{{.Key}}</th><td>{{.Value}}</td></tr>
{{end}}<tr><th>metric options</th><td>LD window {{.M.Options.LDWindowSNPs}} SNPs / {{.M.Options.LDWindowKB}} kb · {{.M.Options.Projections}} sliced-W2 projections · {{.M.Options.PCs}} PCs · seed {{.M.Options.Seed}} · floor size {{.M.Options.FloorSize}} · {{.M.Options.FloorDraws}} floor draws</td></tr>
<tr><th>report version</th><td>gousynth {{.M.Version}}</td></tr></table>
<p class="sub">This page shows summaries of the real cohorts (LD, allele frequencies, principal-component
coordinates and distances of held-out individuals); share it only where such summaries of the real data may go.</p>
</body>
</html>
`))
