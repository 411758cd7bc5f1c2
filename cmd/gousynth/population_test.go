package main

import (
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gousynth/gousynth/vcf"
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
	// fit's report colours the synthetic individuals by their labels (an
	// unlabelled cohort's PCA caption says they carry none).
	html, err := os.ReadFile(filepath.Join(out, "report.html"))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(html), "Synthetic individuals carry no population labels") {
		t.Error("fit --panel: the report's PCA plots do not colour the synthetic individuals by label")
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

// TestPopulationsWindowed fits a simulated 3-population panel with windowed
// models and its panel, checks the labelled file format and draws one
// population: its allele frequencies are those of that population, not of
// the others.
func TestPopulationsWindowed(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end fit in -short mode")
	}
	dir := t.TempDir()
	in := filepath.Join(dir, "sim.vcf.gz")
	if code, out := runCLI(t, "simulate", "--preset", "1kg-like", "--individuals", "240", "--snps", "1200",
		"--populations", "3", "--fst", "0.1", "--seed", "4", "-o", in, "--quiet"); code != 0 {
		t.Fatalf("simulate exit %d: %s", code, out)
	}
	fitDir := filepath.Join(dir, "fit")
	if code, out := runCLI(t, "fit", in, "--panel", filepath.Join(dir, "sim.panel"), "-o", fitDir, "--max-snps", "500", "--window-snps", "300",
		"--steps", "40", "--sampler-steps", "10", "--hidden", "32", "--quiet"); code != 0 {
		t.Fatalf("fit exit %d: %s", code, out)
	}
	m := filepath.Join(fitDir, "model.gsy")
	if b, err := os.ReadFile(m); err != nil || !strings.HasPrefix(string(b), "GOUSYNTH-CHROM-MODEL 3\n") {
		t.Fatalf("labelled windowed model not in format 3: %v", err)
	}
	if rows := readSynthPanel(t, filepath.Join(fitDir, "synthetic.panel")); len(rows) != 240 {
		t.Errorf("synthetic.panel has %d rows, want 240", len(rows))
	}
	gen := filepath.Join(dir, "pop2.vcf.gz")
	if code, msg := runCLI(t, "generate", m, "--population", "POP2", "-n", "150", "-o", gen, "--quiet"); code != 0 {
		t.Fatalf("generate exited %d:\n%s", code, msg)
	}
	for _, r := range readSynthPanel(t, filepath.Join(dir, "pop2.panel")) {
		if r[0] != "POP2" {
			t.Fatalf("pop2.panel holds %v", r)
		}
	}
	real, _, err := vcf.ReadFile(in, vcf.ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	syn, _, err := vcf.ReadFile(gen, vcf.ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	// Mean absolute allele-frequency difference to each real population,
	// over the sites of the synthetic cohort.
	pos := map[int]int{}
	for v, s := range real.Sites {
		pos[s.Pos] = v
	}
	dist := map[string]float64{}
	for _, pop := range []string{"POP1", "POP2", "POP3"} {
		var sum float64
		for v, s := range syn.Sites {
			rv := pos[s.Pos]
			var a, na, b float64
			for i, id := range real.Samples {
				if strings.HasPrefix(id, pop+"_") {
					a += float64(real.Dosage[rv*real.NumSamples()+i])
					na++
				}
			}
			for _, x := range syn.Row(v) {
				b += float64(x)
			}
			sum += math.Abs(a/(2*na) - b/float64(2*syn.NumSamples()))
		}
		dist[pop] = sum / float64(syn.NumSites())
	}
	if !(dist["POP2"] < 0.6*dist["POP1"] && dist["POP2"] < 0.6*dist["POP3"]) {
		t.Errorf("cohort of POP2: mean |ΔAF| to POP1 %.4f, POP2 %.4f, POP3 %.4f; want POP2 clearly the closest", dist["POP1"], dist["POP2"], dist["POP3"])
	}
}
