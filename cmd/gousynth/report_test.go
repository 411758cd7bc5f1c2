package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/gousynth/gousynth/vcf"
)

// reportInputs writes train, test and "synthetic" VCFs cut from the bundled
// 1000 Genomes region (the synthetic file holds other real individuals: the
// command does not care where genotypes come from).
func reportInputs(t *testing.T) (dir, train, test, synth string) {
	t.Helper()
	g, _, err := vcf.ReadFile(realVCF, vcf.ReadOptions{Region: "1:11700000-11760000"})
	if err != nil {
		t.Fatal(err)
	}
	dir = t.TempDir()
	part := func(name string, lo, hi int) string {
		idx := make([]int, 0, hi-lo)
		for i := lo; i < hi; i++ {
			idx = append(idx, i)
		}
		sub := &vcf.Genotypes{Sites: g.Sites, Samples: g.Samples[lo:hi]}
		n := g.NumSamples()
		for v := range g.Sites {
			sub.Dosage = append(sub.Dosage, g.Dosage[v*n+lo:v*n+hi]...)
		}
		path := filepath.Join(dir, name)
		if err := vcf.WriteGenotypes(path, sub, vcf.Header{}); err != nil {
			t.Fatal(err)
		}
		return path
	}
	return dir, part("train.vcf.gz", 0, 600), part("test.vcf.gz", 600, 900), part("synth.vcf.gz", 900, 1400)
}

func TestReportCommand(t *testing.T) {
	dir, train, test, synth := reportInputs(t)
	panel := "../../testdata/1kg_phase3_samples.panel"
	var outs [2][2][]byte
	for i := range outs {
		html := filepath.Join(dir, "r.html")
		js := filepath.Join(dir, "m.json")
		code, msg := runCLI(t, "report", "--real", test, "--synth", synth, "--train", train, "--panel", panel,
			"--region", "1:11700000-11730000", "--projections", "100", "-o", html, "--json", js, "--quiet")
		if code != 0 {
			t.Fatalf("report exited %d:\n%s", code, msg)
		}
		for _, area := range []string{"LD", "Allele frequencies", "Structure", "Privacy"} {
			if !strings.Contains(msg, area) {
				t.Errorf("summary lacks %s:\n%s", area, msg)
			}
		}
		var err error
		if outs[i][0], err = os.ReadFile(html); err != nil {
			t.Fatal(err)
		}
		if outs[i][1], err = os.ReadFile(js); err != nil {
			t.Fatal(err)
		}
	}
	if !bytes.Equal(outs[0][0], outs[1][0]) || !bytes.Equal(outs[0][1], outs[1][1]) {
		t.Error("same seed and inputs gave different report files")
	}
	var m struct {
		Provenance []struct{ Key, Value string }
		NumTest    int  `json:"num_test"`
		Privacy    bool `json:"privacy_assessed"`
		Options    struct {
			HeatmapRegion struct{ Chrom string } `json:"heatmap_region"`
		} `json:"options"`
	}
	if err := json.Unmarshal(outs[0][1], &m); err != nil {
		t.Fatal(err)
	}
	if m.NumTest != 300 || !m.Privacy || m.Options.HeatmapRegion.Chrom != "1" || len(m.Provenance) < 5 {
		t.Errorf("metrics JSON: %+v", m)
	}
	if !bytes.Contains(outs[0][0], []byte(`class="heatmap"`)) || !bytes.Contains(outs[0][0], []byte("EUR")) {
		t.Error("HTML report lacks heatmaps or population colours")
	}
	if bytes.Contains(outs[0][1], []byte("HG00")) || bytes.Contains(outs[0][1], []byte("NA1")) {
		t.Error("metrics JSON contains real sample IDs")
	}
}

func TestReportCommandErrors(t *testing.T) {
	dir, train, test, _ := reportInputs(t)
	g, _, err := vcf.ReadFile(test, vcf.ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "r.html")
	// No site in common (another chromosome): an error naming the files.
	other := &vcf.Genotypes{Sites: slices.Clone(g.Sites[:10]), Samples: g.Samples, Dosage: g.Dosage[:10*g.NumSamples()]}
	for i := range other.Sites {
		other.Sites[i].Chrom = "2"
	}
	otherPath := filepath.Join(dir, "other.vcf.gz")
	if err := vcf.WriteGenotypes(otherPath, other, vcf.Header{}); err != nil {
		t.Fatal(err)
	}
	code, msg := runCLI(t, "report", "--real", test, "--synth", otherPath, "--train", train, "-o", out, "--quiet")
	if code != 1 || !strings.Contains(msg, "no site (CHROM/POS/REF/ALT) is common") || !strings.Contains(msg, otherPath) {
		t.Errorf("no common sites: exit %d, message %q", code, msg)
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Error("a report was written despite the error")
	}
	if code, msg := runCLI(t, "report", "--real", test, "-o", out); code != 2 || !strings.Contains(msg, "--synth") {
		t.Errorf("missing --synth: exit %d, message %q", code, msg)
	}
	if code, msg := runCLI(t, "report", "--real", test, "--synth", test, "--region", "1:x-y", "-o", out); code != 2 || !strings.Contains(msg, "region") {
		t.Errorf("bad --region: exit %d, message %q", code, msg)
	}
}

// TestReportDifferentSites: --real and --synth with different site sets
// are compared on their intersection; stderr and the JSON notes say how
// many sites each side lacked.
func TestReportDifferentSites(t *testing.T) {
	dir, train, test, synth := reportInputs(t)
	g, _, err := vcf.ReadFile(synth, vcf.ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	n := g.NumSites()
	// The synthetic file: one ALT changed (a site the real files lack) and
	// its last 3 sites dropped.
	g.Sites = slices.Clone(g.Sites[:n-3])
	g.Dosage = g.Dosage[:(n-3)*g.NumSamples()]
	for _, b := range []string{"A", "C", "G", "T"} {
		if b != g.Sites[4].Ref && b != g.Sites[4].Alt {
			g.Sites[4].Alt = b
			break
		}
	}
	other := filepath.Join(dir, "other.vcf.gz")
	if err := vcf.WriteGenotypes(other, g, vcf.Header{}); err != nil {
		t.Fatal(err)
	}
	js := filepath.Join(dir, "m.json")
	code, msg := runCLI(t, "report", "--real", test, "--synth", other, "--train", train, "--projections", "20", "--json", js)
	if code != 0 {
		t.Fatalf("exit %d:\n%s", code, msg)
	}
	want := []string{
		fmt.Sprintf("%d common to all cohorts are compared", n-4),
		fmt.Sprintf("--real %s holds %d (lacks 1 that another holds; 4 of its own left out)", test, n),
		fmt.Sprintf("--synth %s holds %d (lacks 4 that another holds; 1 of its own left out)", other, n-3),
	}
	for _, w := range want {
		if !strings.Contains(msg, w) {
			t.Errorf("stderr does not say %q:\n%s", w, msg)
		}
	}
	b, err := os.ReadFile(js)
	if err != nil {
		t.Fatal(err)
	}
	var m struct {
		NumSites int      `json:"num_sites"`
		Notes    []string `json:"notes"`
	}
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	if m.NumSites != n-4 {
		t.Errorf("num_sites %d, want %d", m.NumSites, n-4)
	}
	if !strings.Contains(strings.Join(m.Notes, "\n"), want[1]) {
		t.Errorf("notes do not say %q: %q", want[1], m.Notes)
	}
}

func TestReportSynthPanel(t *testing.T) {
	dir, train, test, synth := reportInputs(t)
	g, _, err := vcf.ReadFile(synth, vcf.ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	// The format fit and generate write: tab-separated, with a header.
	var b strings.Builder
	b.WriteString("sample\tpop\tsuper_pop\n")
	for i, id := range g.Samples {
		if i == 3 {
			continue // one unlabelled individual
		}
		b.WriteString(id + "\tPOP" + string(rune('A'+i%3)) + "\t" + []string{"AFR", "EUR"}[i%2] + "\n")
	}
	own := filepath.Join(dir, "synthetic.panel")
	if err := os.WriteFile(own, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "r.html")
	for _, p := range []struct{ file, column string }{{own, "super_pop"}, {own, "pop"}, {"../../testdata/1kg_phase3_samples.panel", "super_pop"}} {
		code, msg := runCLI(t, "report", "--real", test, "--synth", synth, "--train", train, "--synth-panel", p.file, "--panel-column", p.column,
			"--projections", "20", "-o", out, "--quiet")
		if code != 0 {
			t.Fatalf("report --synth-panel %s exited %d:\n%s", p.file, code, msg)
		}
		html, err := os.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(html, []byte("Synthetic individuals carry no population labels")) || !bytes.Contains(html, []byte("synthetic panel")) {
			t.Errorf("--synth-panel %s: synthetic individuals not coloured by label", p.file)
		}
	}
	// A panel that labels nobody is a usage error.
	none := filepath.Join(dir, "none.panel")
	if err := os.WriteFile(none, []byte("sample\tpop\tsuper_pop\nSYN999\tX\tY\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, msg := runCLI(t, "report", "--real", test, "--synth", synth, "--synth-panel", none, "-o", out, "--quiet"); code != 2 || !strings.Contains(msg, "labels none") {
		t.Errorf("panel without the synthetic IDs: exit %d, message %q", code, msg)
	}
}

// gousynth's LD and allele-frequency metrics are the independent judge's
// (../shared/judge/judge.py) on the same files: LD r² error over pairs
// fewer than 200 SNPs apart, the LD-decay L2 in the judge's bins and the
// allele-frequency r² (judge values in testdata/judge/judge.json).
func TestReportAgreesWithJudge(t *testing.T) {
	dir := t.TempDir()
	js := filepath.Join(dir, "m.json")
	fx := func(f string) string { return filepath.Join("..", "..", "testdata", "judge", f) }
	if code, out := runCLI(t, "report", "--real", fx("test.vcf.gz"), "--synth", fx("synth.vcf.gz"), "--train", fx("train.vcf.gz"),
		"--json", js, "--quiet"); code != 0 {
		t.Fatalf("report exit %d: %s", code, out)
	}
	var judge struct {
		Synth map[string]float64 `json:"synth"`
	}
	if err := json.Unmarshal(readFile(t, fx("judge.json")), &judge); err != nil {
		t.Fatal(err)
	}
	var m struct {
		NumSites int `json:"num_sites"`
		Genetics []struct {
			Name  string  `json:"name"`
			Value float64 `json:"value"`
		} `json:"genetics"`
	}
	if err := json.Unmarshal(readFile(t, js), &m); err != nil {
		t.Fatal(err)
	}
	if m.NumSites != 400 {
		t.Errorf("compared %d sites; the judge matched 400", m.NumSites)
	}
	got := map[string]float64{}
	for _, g := range m.Genetics {
		got[g.Name] = g.Value
	}
	for ours, theirs := range map[string]string{"ld_r2_mae": "ld_mae", "ld_decay_l2": "ld_decay_l2", "af_r2": "af_r2", "ld_r2_corr": "ld_corr"} {
		want := judge.Synth[theirs]
		if g, ok := got[ours]; !ok || math.Abs(g-want) > 0.01*math.Abs(want) {
			t.Errorf("%s = %v (present %v), the judge's %s = %v: want within 1%%", ours, g, ok, theirs, want)
		}
	}
}
