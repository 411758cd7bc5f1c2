package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const ldTestVCF = "../../testdata/1kg_chr1_11.7M.vcf.gz"

// ldCLI runs gousynth in-process and returns its error and standard output.
func ldCLI(t *testing.T, args ...string) (string, error) {
	t.Helper()
	root := newRootCmd()
	var out, errb bytes.Buffer
	root.SetOut(&out)
	root.SetErr(&errb)
	root.SetArgs(append([]string{"--quiet"}, args...))
	err := root.ExecuteContext(context.Background())
	return out.String(), err
}

func TestLDCommand(t *testing.T) {
	dir := t.TempDir()
	gz := filepath.Join(dir, "ld.tsv.gz")
	decay := filepath.Join(dir, "decay.tsv")
	blocks := filepath.Join(dir, "blocks.tsv")
	if _, err := ldCLI(t, "ld", ldTestVCF, "-r", "1:11697000-11710000", "--window-snps", "50",
		"--window-kb", "100", "-o", gz, "--decay", decay, "--blocks", blocks, "--decay-bins", "5", "--decay-max-bp", "10000"); err != nil {
		t.Fatal(err)
	}
	stdout, err := ldCLI(t, "ld", ldTestVCF, "-r", "1:11697000-11710000", "--window-snps", "50", "--window-kb", "100", "-o", "-")
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(gz)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	var unz bytes.Buffer
	if _, err := unz.ReadFrom(zr); err != nil {
		t.Fatal(err)
	}
	if unz.String() != stdout {
		t.Error("gzip output differs from text output")
	}
	lines := strings.Split(strings.TrimSpace(stdout), "\n")
	if lines[0] != "CHR_A\tBP_A\tSNP_A\tCHR_B\tBP_B\tSNP_B\tR2" || len(lines) < 1000 {
		t.Fatalf("%d lines, header %q", len(lines), lines[0])
	}
	d, err := os.ReadFile(decay)
	if err != nil {
		t.Fatal(err)
	}
	if dl := strings.Split(strings.TrimSpace(string(d)), "\n"); len(dl) != 6 || dl[0] != "LO_BP\tHI_BP\tMEAN_R2\tPAIRS" {
		t.Errorf("decay file:\n%s", d)
	}
	b, err := os.ReadFile(blocks)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(b), "CHR\tSTART_BP\tEND_BP\tFIRST_SNP\tLAST_SNP\tN_SNPS\tCUT_R2\n1\t11697") {
		t.Errorf("blocks file:\n%s", b)
	}
}

func TestLDCommandErrors(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "ld.tsv")
	for _, tc := range []struct {
		name  string
		args  []string
		usage bool
		want  string
	}{
		{"window 0", []string{"--window-snps", "0"}, true, "--window-snps must be at least 2"},
		{"window kb 0", []string{"--window-kb", "0"}, true, "--window-kb must be positive"},
		{"bad min r2", []string{"--min-r2", "1.5"}, true, "--min-r2 must be in [0, 1]"},
		{"no output", []string{"-o", ""}, true, "nothing to do"},
		{"empty region", []string{"-r", "1:1-1000"}, false, "region 1:1-1000 has no biallelic SNPs"},
		{"all filtered", []string{"-r", "1:11697000-11697200", "--maf", "0.5"}, false, "SNPs were filtered out by --maf 0.5"},
		{"missing file", []string{"--window-snps", "10"}, false, "nope.vcf.gz"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := ldTestVCF
			if tc.name == "missing file" {
				in = filepath.Join(dir, "nope.vcf.gz")
			}
			args := append([]string{"ld", in, "-o", out}, tc.args...)
			_, err := ldCLI(t, args...)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want %q", err, tc.want)
			}
			var ue *usageError
			if errors.As(err, &ue) != tc.usage {
				t.Errorf("usage error = %v, want %v", !tc.usage, tc.usage)
			}
			if _, err := os.Stat(out); !os.IsNotExist(err) {
				t.Errorf("output written despite the error")
			}
		})
	}
}
