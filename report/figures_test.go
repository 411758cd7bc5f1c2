package report

import (
	"bytes"
	"encoding/json"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/gousynth/gousynth/ld"
	"github.com/gousynth/gousynth/metrics"
	"github.com/gousynth/gousynth/preprocess"
	"github.com/gousynth/gousynth/vcf"
)

func TestDiffScaleAndTicks(t *testing.T) {
	test := []float64{1, 0.2, 0.2, 1}
	synth := []float64{0.5, 0.0123, 0.3, 1} // diagonal ignored; off-diagonal max 0.1877
	near(t, "scale", diffScale(test, synth, 2), 0.19, 1e-12)
	near(t, "scale of equal", diffScale(test, test, 2), 0.01, 0)

	// Cells starting at 11.70, 11.71, 11.74 Mb, last SNP at 11.80 Mb: ticks
	// every 0.02 Mb, interpolated within the cell that holds them.
	at, labels := mbTicks([]float64{11.70e6, 11.71e6, 11.74e6}, 11.80e6)
	if !slices.Equal(labels, []string{"11.70", "11.72", "11.74", "11.76", "11.78", "11.80"}) {
		t.Fatalf("labels %v", labels)
	}
	want := []float64{0, 1 + 1.0/3, 2, 2 + 1.0/3, 2 + 2.0/3, 3}
	for i := range want {
		near(t, "tick "+labels[i], at[i], want[i], 1e-9)
	}
}

func TestFloorDraws(t *testing.T) {
	m := reportFixture(t) // 350 training, 300 evaluated: draws differ
	const draws = 5
	for _, x := range slices.Concat(m.Paper, m.Genetics, m.Structure, m.Privacy) {
		if x.Name == "mia_auc" || x.Name == "ratio_mia_auc" || x.Name == "freq_mia_auc" {
			if x.FloorDraws != nil {
				t.Errorf("%s (no floor) has floor draws", x.Name)
			}
			continue
		}
		if len(x.FloorDraws) != draws || !(x.FloorDraws[0] == x.Floor || math.IsNaN(x.Floor) && math.IsNaN(x.FloorDraws[0])) {
			t.Fatalf("%s: floor draws %v, floor %g", x.Name, x.FloorDraws, x.Floor)
		}
	}
	for _, name := range []string{"af_r2", "cov_frobenius", "corr_frobenius", "pca_w1_mean", "pca_w1_pc1", "dcr_median", "aats", "aa_synth"} {
		x, _ := m.Get(name)
		if lo, hi, _ := floorRange(x.FloorDraws); !(hi > lo) {
			t.Errorf("%s floor draws do not vary: %v", name, x.FloorDraws)
		}
	}
	if x, _ := m.Get("identical_match_rate"); slices.Max(x.FloorDraws) != 0 {
		t.Errorf("held-out individuals identical to training ones in a draw: %v", x.FloorDraws)
	}
	// The PCA floor draws scatter around the main floor: each is the same
	// measurement on another subset (within a factor of 2 here).
	if x, _ := m.Get("pca_w1_mean"); slices.Max(x.FloorDraws) > 2*x.Floor || slices.Min(x.FloorDraws) < x.Floor/2 {
		t.Errorf("pca_w1_mean floor draws %v far from the floor %g", x.FloorDraws, x.Floor)
	}
	x, _ := m.Get("af_r2")
	// Each draw is af_r2 and cov_frobenius of a random subset of the
	// training cohort, as an independent computation from the same subsets
	// finds.
	train, test, _ := fixture(t, 500, 150)
	rng := rand.New(rand.NewPCG(3, 0x5851f42d4c957f2d))
	afT := directAF(test)
	cov, _ := m.Get("cov_frobenius")
	for k := 1; k < draws; k++ {
		sub := preprocess.SubsetSamplesShared(train, sampleSubset(rng, train.NumSamples(), m.EvalSize))
		r := metrics.Pearson(afT, directAF(sub))
		near(t, "af_r2 draw", x.FloorDraws[k], r*r, 1e-12)
		var diff mat.Dense
		diff.Sub(directCov(sub), directCov(test))
		near(t, "cov_frobenius draw", cov.FloorDraws[k], mat.Norm(&diff, 2), 1e-9)
	}
	// JSON keeps the draws.
	b, err := json.Marshal(x)
	if err != nil {
		t.Fatal(err)
	}
	var back Metric
	if err := json.Unmarshal(b, &back); err != nil || !slices.Equal(back.FloorDraws, x.FloorDraws) {
		t.Errorf("JSON round trip of floor draws: %s → %v (%v)", b, back.FloorDraws, err)
	}

	// A floor set that is the whole training cohort has no further draws.
	m2, err := Evaluate(test, train, train, Options{Seed: 3, Projections: 20, LDWindowSNPs: 10})
	if err != nil {
		t.Fatal(err)
	}
	if x, _ := m2.Get("af_r2"); x.FloorDraws != nil || !slices.ContainsFunc(m2.Notes, func(s string) bool { return strings.Contains(s, "show no floor range") }) {
		t.Errorf("whole-cohort floor: draws %v, notes %q", x.FloorDraws, m2.Notes)
	}
}

// directCov is the SNP × SNP sample covariance of g's dosages by a plain
// double loop (no missing calls).
func directCov(g *vcf.Genotypes) *mat.Dense {
	d, n := g.NumSites(), g.NumSamples()
	c := mat.NewDense(d, d, nil)
	mu := make([]float64, d)
	for v := range mu {
		for _, x := range g.Row(v) {
			mu[v] += float64(x) / float64(n)
		}
	}
	for i := 0; i < d; i++ {
		for j := 0; j < d; j++ {
			s, a, b := 0.0, g.Row(i), g.Row(j)
			for k := range a {
				s += (float64(a[k]) - mu[i]) * (float64(b[k]) - mu[j])
			}
			c.Set(i, j, s/float64(n-1))
		}
	}
	return c
}

func TestFrobeniusDrawsSkippedOnGramPath(t *testing.T) {
	// 400 SNPs, 40 evaluated and 30 test individuals: the n × n Gram path.
	train, test, _ := fixture(t, 100, 400)
	synth := independentSNPs(rand.New(rand.NewPCG(1, 1)), train, 40)
	m, err := Evaluate(test, synth, train, Options{Seed: 3, Projections: 20, LDWindowSNPs: 10, PCs: 3})
	if err != nil {
		t.Fatal(err)
	}
	cov, _ := m.Get("cov_frobenius")
	af, _ := m.Get("af_r2")
	if cov.FloorDraws != nil || len(af.FloorDraws) != 5 || !slices.ContainsFunc(m.Notes, func(s string) bool {
		return strings.Contains(s, "cov_frobenius and corr_frobenius have one floor draw")
	}) {
		t.Errorf("Gram path: cov_frobenius draws %v, af_r2 draws %v, notes %q", cov.FloorDraws, af.FloorDraws, m.Notes)
	}
}

// directAF is the ALT allele frequency per SNP by a plain count.
func directAF(g *vcf.Genotypes) []float64 {
	out := make([]float64, g.NumSites())
	for v := range out {
		s := 0
		for _, x := range g.Row(v) {
			s += int(x)
		}
		out[v] = float64(s) / float64(2*g.NumSamples())
	}
	return out
}

func TestSynthLabelsColourPCA(t *testing.T) {
	train, test, pops := fixture(t, 500, 150)
	panel := map[string]string{}
	for i, id := range test.Samples {
		panel[id] = pops[i]
	}
	synth := independentSNPs(rand.New(rand.NewPCG(1, 1)), train, 400)
	labels := make([]string, 400)
	for i := range labels {
		labels[i] = []string{"AFR", "EUR"}[i%2]
	}
	opts := Options{Seed: 3, Projections: 20, LDWindowSNPs: 10, Panel: panel, SynthLabels: labels, FloorDraws: 1}
	m, err := Evaluate(test, synth, train, opts)
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Plots.SynthPop) != m.EvalSize {
		t.Fatalf("%d synthetic labels for %d evaluated individuals", len(m.Plots.SynthPop), m.EvalSize)
	}
	var buf bytes.Buffer
	if err := WriteHTML(&buf, m, HTMLOptions{}); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(buf.String(), "Synthetic individuals carry no population labels") {
		t.Error("labelled synthetic individuals reported as unlabelled")
	}
	opts.SynthLabels = labels[:10]
	if _, err := Evaluate(test, synth, train, opts); err == nil {
		t.Error("wrong number of synthetic labels accepted")
	}
}

func TestHTMLProvenanceTOCPrint(t *testing.T) {
	m := reportFixture(t)
	var buf bytes.Buffer
	prov := Provenance{{Key: "model", Value: "line one\nline two"}}
	if err := WriteHTML(&buf, m, HTMLOptions{Provenance: prov}); err != nil {
		t.Fatal(err)
	}
	h := buf.String()
	for _, want := range []string{`<table class="prov">`, "table.prov td{white-space:pre-line}", "line one\nline two", `<nav class="toc">`, `href="#privacy"`, "@media print",
		"floor range (5 draws)", "Synthetic − real r² (scale ±", "Site-frequency spectrum", "Membership inference ROC"} {
		if !strings.Contains(h, want) {
			t.Errorf("report lacks %q", want)
		}
	}
	// Every section the table of contents links to exists.
	for _, id := range []string{"summary", "ld", "af", "structure", "privacy", "metrics", "provenance"} {
		if !strings.Contains(h, `<h2 id="`+id+`">`) {
			t.Errorf("no section %q", id)
		}
	}
}

func TestWindowErrorsDirect(t *testing.T) {
	train, test, _ := fixture(t, 500, 60)
	synth := independentSNPs(rand.New(rand.NewPCG(2, 2)), train, 200) // 200 < 350: all evaluated
	windows := []WindowSpan{{0, 20}, {20, 45}, {45, 60}}
	opts := Options{Seed: 4, LDWindowSNPs: 8, LDWindowKB: 500}
	ov, err := WindowErrors(test, synth, train, windows, opts)
	if err != nil {
		t.Fatal(err)
	}
	if len(ov.LDErr) != 3 || ov.Representative != -1 || ov.From[1] != float64(test.Sites[20].Pos) || ov.To[2] != float64(test.Sites[59].Pos) {
		t.Fatalf("overview %+v", ov)
	}
	for k, w := range windows {
		idx := iotaFrom(w.Start, w.End)
		ts, ss := preprocess.SubsetSites(test, idx), preprocess.SubsetSites(synth, idx)
		// Allele-frequency error by a plain count.
		at, as := directAF(ts), directAF(ss)
		e := 0.0
		for v := range at {
			e += math.Abs(as[v] - at[v])
		}
		near(t, "AF error", ov.AFErr[k], e/float64(len(at)), 1e-12)
		// LD error from the full r² matrices, over the pairs < 8 SNPs apart.
		rt, err := ld.Matrix(ts)
		if err != nil {
			t.Fatal(err)
		}
		rs, _ := ld.Matrix(ss)
		sum, n := 0.0, 0
		for i := range idx {
			for j := i + 1; j < len(idx) && j-i < 8; j++ {
				sum += math.Abs(rs.At(i, j) - rt.At(i, j))
				n++
			}
		}
		near(t, "LD error", ov.LDErr[k], sum/float64(n), 1e-9)
		if !(ov.LDErrFloor[k] > 0) || !(ov.AFErrFloor[k] > 0) {
			t.Errorf("window %d floor %g %g", k, ov.LDErrFloor[k], ov.AFErrFloor[k])
		}
	}
	// Independent SNPs lose LD: the synthetic LD error exceeds the floor.
	if !(ov.LDErr[0] > ov.LDErrFloor[0]) {
		t.Errorf("LD error %g not above floor %g", ov.LDErr[0], ov.LDErrFloor[0])
	}

	// Drawn above the standard sections, with a contents entry.
	ov.Ancestry, ov.AncestryTest, ov.Representative = []float64{0.9, 0.8, 0.95}, []float64{0.97, 0.96, 0.98}, 1
	var buf bytes.Buffer
	if err := WriteHTML(&buf, reportFixture(t), HTMLOptions{Overview: ov}); err != nil {
		t.Fatal(err)
	}
	h := buf.String()
	if !strings.Contains(h, `<h2 id="chromosome">`) || !strings.Contains(h, `href="#chromosome"`) || strings.Index(h, `id="chromosome"`) > strings.Index(h, `id="ld"`) {
		t.Error("chromosome overview missing or below the standard sections")
	}
	if n := strings.Count(h, `class="plot"`); n != wantPlots+3 {
		t.Errorf("%d plots with the overview, want %d", n, wantPlots+3)
	}
}

func TestWindowZoom(t *testing.T) {
	train, test, _ := fixture(t, 500, 90)
	synth := independentSNPs(rand.New(rand.NewPCG(2, 2)), train, 200)
	windows := []WindowSpan{{0, 20}, {20, 45}, {45, 90}}
	ov, err := WindowErrors(test, synth, train, windows, Options{Seed: 4, LDWindowSNPs: 8, WindowHeatCells: 30})
	if err != nil {
		t.Fatal(err)
	}
	if len(ov.Heatmaps) != len(windows) {
		t.Fatalf("%d zoom heatmaps for %d windows", len(ov.Heatmaps), len(windows))
	}
	for k, w := range windows {
		h := ov.Heatmaps[k]
		if want := min(30, w.End-w.Start); h.Cells != want || h.SNPs != w.End-w.Start || len(h.Test) != want*want || h.Last != float64(test.Sites[w.End-1].Pos) || h.Pos[0] != float64(test.Sites[w.Start].Pos) {
			t.Fatalf("window %d: cells %d, SNPs %d, last %g", k, h.Cells, h.SNPs, h.Last)
		}
	}
	// The last window's real test cells are the block averages of its r²
	// matrix (45 SNPs in 30 cells).
	idx := iotaFrom(45, 90)
	want, err := blockR2(preprocess.SubsetSites(test, idx), 30)
	if err != nil {
		t.Fatal(err)
	}
	for i, v := range want {
		near(t, "zoom cell", float64(ov.Heatmaps[2].Test[i]), v, 1e-6)
	}
	// Independent SNPs: the synthetic triangle holds less LD off the diagonal.
	off := func(x []float32, n int) (s float64) {
		for i := 0; i < n; i++ {
			for j := 0; j < n; j++ {
				if i != j {
					s += float64(x[i*n+j])
				}
			}
		}
		return s
	}
	if h := ov.Heatmaps[2]; !(off(h.Synth, h.Cells) < off(h.Test, h.Cells)) {
		t.Error("independent SNPs keep their LD in the zoom heatmap")
	}

	ov.Representative = 1
	var buf bytes.Buffer
	if err := WriteHTML(&buf, reportFixture(t), HTMLOptions{Overview: ov}); err != nil {
		t.Fatal(err)
	}
	h := buf.String()
	if n := strings.Count(h, `<svg class="zoom"`); n != len(windows) {
		t.Errorf("%d zoom figures, want %d", n, len(windows))
	}
	if n := strings.Count(h, `<a href="#zoom-`); n < len(windows) {
		t.Errorf("%d links to windows", n)
	}
	for _, want := range []string{`<svg class="strip"`, `<h3 id="zoom">`, `href="#zoom"`, `<div class="zwin rep" id="zoom-1">`, `<div class="zwin" id="zoom-0">`, `<a href="#zoom-2">next ›</a>`, `id="zseq"`, `.zwin:target{display:block}`, "Window 2 of 3"} {
		if !strings.Contains(h, want) {
			t.Errorf("report lacks %q", want)
		}
	}
	// No scripts: the zoom works with links and CSS :target alone.
	if strings.Contains(h, "<script") {
		t.Error("report has a script")
	}

	ov, err = WindowErrors(test, synth, train, windows, Options{Seed: 4, LDWindowSNPs: 8, WindowHeatCells: -1})
	if err != nil {
		t.Fatal(err)
	}
	buf.Reset()
	if err := WriteHTML(&buf, reportFixture(t), HTMLOptions{Overview: ov}); err != nil {
		t.Fatal(err)
	}
	if ov.Heatmaps != nil || strings.Contains(buf.String(), `id="zoom"`) {
		t.Error("WindowHeatCells −1 still draws a zoom")
	}
}

func TestWindowStrip(t *testing.T) {
	nan := math.NaN()
	ov := &Overview{Chrom: "1", From: []float64{1e6, 2e6, 3e6}, To: []float64{1.9e6, 2.9e6, 3.9e6},
		LDErr: []float64{0.01, 0.05, nan}, LDErrFloor: []float64{0.01, 0.01, 0.01}, Representative: 0}
	s := string(windowStrip(ov))
	for _, want := range []string{`<a href="#zoom-0">`, `<a href="#zoom-2">`, `fill="#009e73"`, `fill="#d55e00"`, `fill="#bbbbbb"`, `height="3" fill="#222"`,
		"window 1: 1:2000000-2900000, LD error 0.05 (floor 0.01, 5.00×)", `id="zseq"`, `id="zdiv"`} {
		if !strings.Contains(s, want) {
			t.Errorf("strip lacks %q", want)
		}
	}
	if n := strings.Count(s, `fill="#222"`); n != 1 {
		t.Errorf("%d capped bars, want 1 (the 5× window)", n)
	}
}

func TestOverviewAppend(t *testing.T) {
	train, test, _ := fixture(t, 300, 60)
	synth := independentSNPs(rand.New(rand.NewPCG(2, 2)), train, 100)
	opts := Options{Seed: 4, LDWindowSNPs: 8}
	whole, err := WindowErrors(test, synth, train, []WindowSpan{{0, 30}, {30, 60}}, opts)
	if err != nil {
		t.Fatal(err)
	}
	// Window by window, as the windowed fit computes it.
	ov := &Overview{Representative: -1}
	for _, w := range []WindowSpan{{0, 30}, {30, 60}} {
		idx := iotaFrom(w.Start, w.End)
		wo, err := WindowErrors(preprocess.SubsetSites(test, idx), preprocess.SubsetSites(synth, idx), preprocess.SubsetSites(train, idx), []WindowSpan{{0, w.End - w.Start}}, opts)
		if err != nil {
			t.Fatal(err)
		}
		ov.Append(wo)
	}
	if !slices.Equal(ov.From, whole.From) || !slices.Equal(ov.LDErr, whole.LDErr) || !slices.Equal(ov.AFErrFloor, whole.AFErrFloor) ||
		len(ov.Heatmaps) != 2 || !slices.Equal(ov.Heatmaps[1].Synth, whole.Heatmaps[1].Synth) || ov.Chrom != whole.Chrom {
		t.Errorf("appended overview differs from the whole one")
	}
}
