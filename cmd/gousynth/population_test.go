package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const realPanel = "../../testdata/1kg_phase3_samples.panel"

func TestPopulationUsageErrors(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "x.vcf.gz")
	m := filepath.Join(dir, "none.gsy")
	checkUsageErrors(t, dir, []usageCase{
		{"zero count", []string{"generate", m, "--population", "EUR:0", "-o", out}, "count \"0\" is not a positive whole number"},
		{"bad count", []string{"generate", m, "--population", "EUR:many", "-o", out}, "--population"},
		{"mixed counts", []string{"generate", m, "--population", "EUR:5,AFR", "-o", out}, "for every population or for none"},
		{"listed twice", []string{"generate", m, "--population", "EUR,EUR", "-o", out}, "listed twice"},
		{"empty entry", []string{"generate", m, "--population", "EUR,,AFR", "-o", out}, "empty population"},
		{"counts and -n", []string{"generate", m, "--population", "EUR:5", "-n", "10", "-o", out}, "drop -n"},
	})
}

// readSynthPanel returns the rows (pop, super_pop) of a synthetic panel,
// checking its header and sample IDs.
func readSynthPanel(t *testing.T, path string) [][2]string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
	if lines[0] != "sample\tpop\tsuper_pop" {
		t.Fatalf("%s: header %q", path, lines[0])
	}
	var rows [][2]string
	for i, l := range lines[1:] {
		f := strings.Split(l, "\t")
		if len(f) != 3 || f[0] != "SYN"+strings.Repeat("0", 6-len(itoa(i+1)))+itoa(i+1) {
			t.Fatalf("%s: row %d %q", path, i+1, l)
		}
		rows = append(rows, [2]string{f[1], f[2]})
	}
	return rows
}

func itoa(i int) string {
	s := ""
	for ; i > 0; i /= 10 {
		s = string(rune('0'+i%10)) + s
	}
	return s
}

// TestPopulationsEndToEnd fits the bundled region with a panel in which 12
// individuals form a population of their own, then draws cohorts by
// population and checks the labels written, the refusal of the small
// population and of an unknown one.
func TestPopulationsEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end fit in -short mode")
	}
	dir := t.TempDir()
	b, err := os.ReadFile(realPanel)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	for i := 1; i <= 12; i++ { // 12 of the panel's first samples become TINY
		f := strings.Fields(lines[i])
		lines[i] = f[0] + "\tTINY\tTNY\t" + f[3]
	}
	panel := filepath.Join(dir, "p.panel")
	if err := os.WriteFile(panel, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "fit")
	if code, msg := runCLI(t, append([]string{"fit", realVCF, "--panel", panel, "-o", out}, smallFit...)...); code != 0 {
		t.Fatalf("fit exited %d:\n%s", code, msg)
	}
	rows := readSynthPanel(t, filepath.Join(out, "synthetic.panel"))
	if len(rows) != 300 {
		t.Fatalf("synthetic.panel has %d rows, want 300", len(rows))
	}
	sup := map[string]int{}
	for _, r := range rows {
		sup[r[1]]++
	}
	// The training composition (about 20% AFR... of 2504 in 1000 Genomes;
	// EUR 503, AFR 661, EAS 504, SAS 489, AMR 347 of 2504).
	for s, want := range map[string]int{"AFR": 661 * 300 / 2504, "EUR": 503 * 300 / 2504, "AMR": 347 * 300 / 2504} {
		if d := sup[s] - want; d < -8 || d > 8 {
			t.Errorf("synthetic.panel has %d %s, the training composition gives about %d", sup[s], s, want)
		}
	}
	if sup["TNY"] != 0 {
		t.Errorf("%d synthetic individuals labelled with the 8-person population TINY", sup["TNY"])
	}

	m := filepath.Join(out, "model.gsy")
	gen := filepath.Join(dir, "mix.vcf.gz")
	if code, msg := runCLI(t, "generate", m, "--population", "EUR:40,YRI:20", "-o", gen, "--quiet"); code != 0 {
		t.Fatalf("generate exited %d:\n%s", code, msg)
	}
	rows = readSynthPanel(t, filepath.Join(dir, "mix.panel"))
	count := map[string]int{}
	for _, r := range rows {
		count[r[1]]++
		if r[0] == "YRI" {
			count["pop YRI"]++
		}
	}
	if len(rows) != 60 || count["EUR"] != 40 || count["pop YRI"] != 20 {
		t.Errorf("mix.panel: %d rows, %d EUR, %d YRI; want 60, 40, 20", len(rows), count["EUR"], count["pop YRI"])
	}
	code, msg := runCLI(t, "generate", m, "--population", "TINY", "-n", "10", "-o", filepath.Join(dir, "tiny.vcf.gz"))
	if code != 1 || !strings.Contains(msg, "fewer than the minimum cluster size 20") {
		t.Errorf("generate --population TINY: exit %d, %q; want a refusal (exit 1)", code, msg)
	}
	code, msg = runCLI(t, "generate", m, "--population", "XYZ", "-n", "10", "-o", filepath.Join(dir, "xyz.vcf.gz"))
	if code != 1 || !strings.Contains(msg, "not among the model's training labels") {
		t.Errorf("generate --population XYZ: exit %d, %q", code, msg)
	}
	if _, err := os.Stat(filepath.Join(dir, "tiny.vcf.gz")); err == nil {
		t.Error("a refused population left an output")
	}
}
