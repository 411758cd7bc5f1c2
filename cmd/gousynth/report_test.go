package main

import (
	"bytes"
	"encoding/json"
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
	g.Sites = slices.Clone(g.Sites)
	g.Sites[4].Alt = map[string]string{"A": "C", "C": "G", "G": "T", "T": "A"}[g.Sites[4].Alt]
	bad := filepath.Join(dir, "bad.vcf.gz")
	if err := vcf.WriteGenotypes(bad, g, vcf.Header{}); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "r.html")
	code, msg := runCLI(t, "report", "--real", test, "--synth", bad, "--train", train, "-o", out, "--quiet")
	s := g.Sites[4]
	if code != 1 || !strings.Contains(msg, "site 5 differs") || !strings.Contains(msg, bad) || !strings.Contains(msg, s.Alt) {
		t.Errorf("mismatching sites: exit %d, message %q", code, msg)
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
