package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Genome mode's flag combinations it cannot take are usage errors (exit
// 2) before any work, and nothing is written.
func TestGenomeUsageErrors(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "out")
	a, b := realVCF, filepath.Join(dir, "b.vcf.gz")
	empty := filepath.Join(t.TempDir(), "empty.txt")
	os.WriteFile(empty, []byte("# no inputs\n\n"), 0o644)
	stdin := filepath.Join(t.TempDir(), "stdin.txt")
	os.WriteFile(stdin, []byte(a+"\n-\n"), 0o644)
	checkUsageErrors(t, dir, []usageCase{
		{"external test", []string{"fit", a, b, "--test", a, "-o", out}, "--test cannot go with several inputs"},
		{"region", []string{"fit", a, b, "-r", "1:1-100", "-o", out}, "--region selects a stretch of one chromosome"},
		{"mind", []string{"fit", a, b, "--mind", "0.1", "-o", out}, "--mind would drop different individuals"},
		{"windows off", []string{"fit", a, b, "--windows", "off", "-o", out}, "always fits windowed models"},
		{"standard input", []string{"fit", a, "-", "-o", out}, "standard input (-) cannot be one of several inputs"},
		{"twice", []string{"fit", a, a, "-o", out}, "is given twice as an input"},
		{"empty list", []string{"fit", "--inputs-file", empty, "-o", out}, "lists no input"},
		{"stdin in list", []string{"fit", "--inputs-file", stdin, "-o", out}, "stdin.txt:2: standard input (-) cannot be listed"},
		{"split with region", []string{"fit", a, "--split-chromosomes", "-r", "1:1-100", "-o", out}, "--region selects"},
		// plan takes fit's inputs and refuses the same combinations.
		{"plan without input", []string{"plan", "-o", out}, "plan needs one input VCF (or several"},
		{"plan windows off", []string{"plan", a, b, "--windows", "off", "-o", out}, "plan: genome mode (several inputs or --split-chromosomes) always fits windowed models"},
		{"plan empty list", []string{"plan", "--inputs-file", empty, "-o", out}, "lists no input"},
		{"plan twice", []string{"plan", a, a, "-o", out}, "is given twice as an input (as " + a},
	})
}

// A genome-mode fit from a file list writes one synthetic VCF per
// chromosome; inputs of other individuals are a data error (exit 1) that
// names both files, with nothing written.
func TestGenomeFitFromList(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end fit in -short mode")
	}
	dir := t.TempDir()
	var list []string
	for _, c := range []string{"1", "2"} {
		p := filepath.Join(dir, "chr"+c+".vcf.gz")
		if code, msg := runCLI(t, "simulate", "--individuals", "80", "--snps", "150", "--populations", "2", "--chrom", c, "--seed", c, "-o", p, "--quiet"); code != 0 {
			t.Fatalf("simulate exited %d:\n%s", code, msg)
		}
		list = append(list, p)
	}
	lf := filepath.Join(dir, "inputs.txt")
	os.WriteFile(lf, []byte("# chromosomes\n"+strings.Join(list, "\n")+"\n"), 0o644)
	out := filepath.Join(dir, "out")
	code, msg := runCLI(t, "fit", "--inputs-file", lf, "--split-chromosomes", "--max-snps", "100", "--steps", "20", "--sampler-steps", "10", "-o", out)
	if code != 0 {
		t.Fatalf("fit exited %d:\n%s", code, msg)
	}
	if !strings.Contains(msg, "genome mode: 2 inputs") {
		t.Errorf("the summary does not say genome mode:\n%s", msg)
	}
	for _, f := range []string{"synthetic.1.vcf.gz", "synthetic.1.vcf.gz.tbi", "synthetic.2.vcf.gz", "synthetic.2.vcf.gz.tbi", "model.gsy", "metrics.json", "report.html", "run.log"} {
		if _, err := os.Stat(filepath.Join(out, f)); err != nil {
			t.Errorf("missing output: %v", err)
		}
	}
	if _, err := os.Stat(filepath.Join(out, "synthetic.vcf.gz")); err == nil {
		t.Error("--split-chromosomes also wrote synthetic.vcf.gz")
	}
	// Other individuals: the bundled 1000 Genomes region with a simulated
	// chromosome.
	bad := filepath.Join(dir, "bad")
	code, msg = runCLI(t, "fit", list[0], realVCF, "-o", bad, "--quiet")
	if code != 1 || !strings.Contains(msg, "1kg_chr1_11.7M.vcf.gz has 2504 samples and "+list[0]+" 80") {
		t.Errorf("exit %d, message:\n%s", code, msg)
	}
	if _, err := os.Stat(bad); !os.IsNotExist(err) {
		t.Errorf("a refused fit left %s behind (%v)", bad, err)
	}
}
