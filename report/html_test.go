package report

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"image"
	"image/png"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// reportFixture evaluates an independent-SNP synthetic cohort (poor LD, good
// frequencies) with a population panel, the case a reader must see at a glance.
func reportFixture(t testing.TB) *Metrics {
	train, test, pops := fixture(t, 500, 150)
	panel := map[string]string{}
	for i, id := range test.Samples {
		panel[id] = pops[i]
	}
	synth := independentSNPs(rand.New(rand.NewPCG(1, 1)), train, 300)
	m, err := Evaluate(test, synth, train, Options{Seed: 3, Projections: 50, LDWindowSNPs: 20, Panel: panel})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// The figures of a report with a training cohort: the LD triangle pair and
// difference heatmaps; LD decay; allele frequencies, SFS, heterozygosity,
// HWE deviation, genotype classes; 2 × 2 PCA; distance to the closest
// training individual, distance to the closest synthetic individual, ROC.
const wantHeatmaps, wantPlots = 2, 1 + 5 + 4 + 4 // privacy: DCR, MIA distances, ROC, kinship

var testProvenance = Provenance{
	{Key: "input", Value: `cohort <script>alert("x")</script> & "quotes"`},
	{Key: "seed", Value: "3"},
}

func TestWriteHTMLSelfContainedAndEscaped(t *testing.T) {
	m := reportFixture(t)
	var buf bytes.Buffer
	if err := WriteHTML(&buf, m, HTMLOptions{Title: "T <b>", Provenance: testProvenance}); err != nil {
		t.Fatal(err)
	}
	html := buf.String()
	for _, bad := range []string{"<script", "<link", " src=", "@import", "url(", "T <b>"} {
		if strings.Contains(html, bad) {
			t.Errorf("report contains %q: not self-contained or not escaped", bad)
		}
	}
	if !strings.Contains(html, "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; &#34;quotes&#34;") || !strings.Contains(html, "<title>T &lt;b&gt;</title>") {
		t.Error("provenance value not escaped as expected")
	}
	// Only SVG namespace URIs may mention http.
	for _, u := range regexp.MustCompile(`https?://[^"' )]+`).FindAllString(html, -1) {
		if u != "http://www.w3.org/2000/svg" && u != "http://www.w3.org/1999/xlink" {
			t.Errorf("report references %s", u)
		}
	}
	if n := strings.Count(html, `class="heatmap"`); n != wantHeatmaps {
		t.Errorf("%d heatmaps, want %d (real/synthetic triangles, difference)", n, wantHeatmaps)
	}
	if n := strings.Count(html, `class="plot"`); n != wantPlots {
		t.Errorf("%d plots, want %d", n, wantPlots)
	}
	for _, want := range []string{`<h3>LD</h3><div class="v">poor</div>`, `<h3>Allele frequencies</h3><div class="v">good</div>`, "AFR", "EUR", "held-out real test → training", "ld_r2_mae", "mia_auc", "Closest training relative (KING-robust kinship)"} {
		if !strings.Contains(html, want) {
			t.Errorf("report lacks %q", want)
		}
	}
}

func TestWriteHTMLWithoutTraining(t *testing.T) {
	_, test, _ := fixture(t, 200, 40)
	m, err := Evaluate(test, test, nil, Options{Seed: 1, Projections: 20, LDWindowSNPs: 10})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := WriteHTML(&buf, m, HTMLOptions{}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), "Privacy was not assessed") {
		t.Error("report without training data does not say privacy was not assessed")
	}
}

func TestWriteJSONStable(t *testing.T) {
	m := reportFixture(t)
	var a, b bytes.Buffer
	if err := WriteJSON(&a, m, testProvenance); err != nil {
		t.Fatal(err)
	}
	if err := WriteJSON(&b, m, testProvenance); err != nil {
		t.Fatal(err)
	}
	if a.String() != b.String() {
		t.Fatal("WriteJSON is not deterministic")
	}
	var back struct {
		Provenance Provenance `json:"provenance"`
		Metrics
	}
	if err := json.Unmarshal(a.Bytes(), &back); err != nil {
		t.Fatal(err)
	}
	if len(back.Provenance) != 2 || back.PrivacyAssessed != m.PrivacyAssessed || len(back.Genetics) != len(m.Genetics) {
		t.Errorf("JSON round trip lost data: %+v", back.Provenance)
	}
	// Field order is the struct's: provenance first, then version, sizes, ....
	s := a.String()
	if !(strings.Index(s, `"provenance"`) < strings.Index(s, `"version"`) && strings.Index(s, `"paper"`) < strings.Index(s, `"privacy"`)) {
		t.Error("unexpected JSON field order")
	}
}

// TestHTMLRendersInChromium opens the report in headless Chromium, checks
// that the console stays silent, that the heatmaps and plots have a size in
// the rendered DOM, and that the screenshot is not blank.
func TestHTMLRendersInChromium(t *testing.T) {
	if testing.Short() {
		t.Skip("renders in a browser")
	}
	browser := ""
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			browser = p
			break
		}
	}
	if browser == "" {
		t.Skip("chromium not installed")
	}
	dir := t.TempDir()
	page := filepath.Join(dir, "report.html")
	f, err := os.Create(page)
	if err != nil {
		t.Fatal(err)
	}
	// A windowed fit's report: the chromosome overview (3 plots), the
	// window strip and one zoom figure per window, above the standard
	// sections.
	ov := zoomOverview(t)
	if err := WriteHTML(f, reportFixture(t), HTMLOptions{Provenance: testProvenance, Overview: ov}); err != nil {
		t.Fatal(err)
	}
	f.Close()
	shot := filepath.Join(dir, "shot.png")
	run := func(extra ...string) (stdout, stderr string) {
		args := append([]string{"--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
			"--disable-quic", "--no-first-run", "--disable-component-update", "--disable-sync",
			"--user-data-dir=" + t.TempDir(), "--window-size=1400,9000", "--hide-scrollbars", "--enable-logging=stderr", "--v=0"}, extra...)
		args = append(args, "file://"+page)
		cmd := exec.Command(browser, args...)
		var o, e bytes.Buffer
		cmd.Stdout, cmd.Stderr = &o, &e
		done := make(chan error, 1)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		go func() { done <- cmd.Wait() }()
		select {
		case err := <-done:
			if err != nil {
				t.Fatalf("%s: %v\n%s", browser, err, e.String())
			}
		case <-time.After(120 * time.Second):
			cmd.Process.Kill()
			t.Fatalf("%s did not finish", browser)
		}
		return o.String(), e.String()
	}

	dom, logs := run("--dump-dom")
	for _, line := range strings.Split(logs, "\n") {
		if strings.Contains(line, "CONSOLE") || strings.Contains(line, "Uncaught") {
			t.Errorf("browser console: %s", line)
		}
	}
	// Every heatmap and plot is an <svg> with positive width and height.
	svgs := regexp.MustCompile(`<svg class="(heatmap|plot|zoom|strip)"[^>]*>`).FindAllString(dom, -1)
	counts := map[string]int{}
	dim := regexp.MustCompile(`(width|height)="([0-9.]+)(pt)?"`)
	for _, s := range svgs {
		counts[regexp.MustCompile(`class="(\w+)"`).FindStringSubmatch(s)[1]]++
		wh := dim.FindAllStringSubmatch(s, -1)
		if len(wh) < 2 {
			t.Errorf("svg without width and height: %.120s", s)
		}
		for _, m := range wh {
			if v, err := strconv.ParseFloat(m[2], 64); err != nil || v <= 0 {
				t.Errorf("svg %s = %q", m[1], m[2])
			}
		}
	}
	if counts["heatmap"] != wantHeatmaps || counts["plot"] != wantPlots+3 || counts["strip"] != 1 || counts["zoom"] != len(ov.From) {
		t.Errorf("rendered DOM has %d heatmaps, %d plots, %d strips and %d zoom figures, want %d, %d, 1 and %d",
			counts["heatmap"], counts["plot"], counts["strip"], counts["zoom"], wantHeatmaps, wantPlots+3, len(ov.From))
	}
	// The strip links every window to its zoom figure, which exists.
	for i := range ov.From {
		if !strings.Contains(dom, `<a href="#zoom-`+strconv.Itoa(i)+`">`) || !strings.Contains(dom, `id="zoom-`+strconv.Itoa(i)+`"`) {
			t.Errorf("window %d: no link or no zoom figure", i)
		}
	}
	// Every zoom figure holds two heatmap images (triangle pair, difference).
	for i, el := range regexp.MustCompile(`(?s)<svg class="zoom"[^>]*>(.*?)</svg>`).FindAllStringSubmatch(dom, -1) {
		if n := strings.Count(el[1], "data:image/png;base64,"); n != 2 {
			t.Errorf("zoom figure %d holds %d images, want 2", i, n)
		}
	}
	// Floor ranges for the structure and privacy metrics, not only the cheap ones.
	for _, name := range []string{"pca_w1_mean", "dcr_median", "aats", "cov_frobenius"} {
		if !regexp.MustCompile(`<code>` + name + `</code></td><td class="num">[^<]*</td><td class="num">[^<]*</td><td class="num">[^<]+ – [^<]+</td>`).MatchString(dom) {
			t.Errorf("metrics table shows no floor range for %s", name)
		}
	}
	// Every vector plot draws something: its element holds paths.
	for i, el := range regexp.MustCompile(`(?s)<svg class="plot"[^>]*>(.*?)</svg>`).FindAllStringSubmatch(dom, -1) {
		if !strings.Contains(el[1], "<path") && !strings.Contains(el[1], "data:image/png;base64,") {
			t.Errorf("plot %d has neither paths nor an image", i)
		}
	}
	// Every embedded image (heatmap cells, raster scatter plots) decodes and
	// is not one flat colour.
	imgs := regexp.MustCompile(`data:image/png;base64,([A-Za-z0-9+/=]+)`).FindAllStringSubmatch(dom, -1)
	if len(imgs) == 0 {
		t.Error("images missing from the rendered DOM")
	}
	for i, m := range imgs {
		data, err := base64.StdEncoding.DecodeString(m[1])
		if err != nil {
			t.Fatalf("image %d: %v", i, err)
		}
		im, err := png.Decode(bytes.NewReader(data))
		if err != nil {
			t.Fatalf("image %d: %v", i, err)
		}
		if !varied(im) {
			t.Errorf("embedded image %d (%v) is one flat colour", i, im.Bounds())
		}
	}

	run("--screenshot=" + shot)
	pf, err := os.Open(shot)
	if err != nil {
		t.Fatal(err)
	}
	defer pf.Close()
	img, err := png.Decode(pf)
	if err != nil {
		t.Fatal(err)
	}
	b := img.Bounds()
	var ink, red int
	for y := b.Min.Y; y < b.Max.Y; y += 2 {
		for x := b.Min.X; x < b.Max.X; x += 2 {
			r, g, bl, _ := img.At(x, y).RGBA()
			r, g, bl = r>>8, g>>8, bl>>8
			if r < 200 || g < 200 || bl < 200 {
				ink++
			}
			if r > 150 && g < 90 && bl < 90 {
				red++ // heatmap diagonal, synthetic points
			}
		}
	}
	total := (b.Dx() / 2) * (b.Dy() / 2)
	if ink < total/50 || red < 200 {
		t.Errorf("screenshot looks blank: %d of %d sampled pixels drawn, %d red", ink, total, red)
	}
	if dst := os.Getenv("GOUSYNTH_KEEP_SCREENSHOT"); dst != "" {
		data, _ := os.ReadFile(shot)
		os.WriteFile(dst, data, 0o644)
	}
}

// zoomOverview is a chromosome overview of four windows of the report
// fixture's cohorts, with zoom heatmaps.
func zoomOverview(t testing.TB) *Overview {
	train, test, _ := fixture(t, 500, 150)
	synth := independentSNPs(rand.New(rand.NewPCG(1, 1)), train, 300)
	ov, err := WindowErrors(test, synth, train, []WindowSpan{{0, 40}, {40, 80}, {80, 110}, {110, 150}}, Options{Seed: 3, LDWindowSNPs: 20})
	if err != nil {
		t.Fatal(err)
	}
	ov.Representative = 1
	ov.Ancestry, ov.AncestryTest = []float64{0.9, 0.8, 0.95, 0.85}, []float64{0.97, 0.96, 0.98, 0.9}
	return ov
}

// varied reports whether im has at least two distinct colours.
func varied(im image.Image) bool {
	b := im.Bounds()
	r0, g0, b0, a0 := im.At(b.Min.X, b.Min.Y).RGBA()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bl, a := im.At(x, y).RGBA()
			if r != r0 || g != g0 || bl != b0 || a != a0 {
				return true
			}
		}
	}
	return false
}

// TestKinshipFigureSkipsUndefined: KING is NaN for an individual without
// heterozygous calls; the kinship histogram leaves such values out (and
// is left out when nothing is left).
func TestKinshipFigureSkipsUndefined(t *testing.T) {
	nan := math.NaN()
	if _, ok, err := kinshipFigure(&PlotData{KinSynth: []float64{nan, 0.1, 0.02}, KinTest: []float64{0.05, nan}}); !ok || err != nil {
		t.Errorf("figure drawn %v, error %v; want drawn", ok, err)
	}
	if _, ok, err := kinshipFigure(&PlotData{KinSynth: []float64{nan}, KinTest: []float64{0.05}}); ok || err != nil {
		t.Errorf("only undefined synthetic values: figure drawn %v, error %v; want none", ok, err)
	}
}
