package main

import (
	"path/filepath"
	"strings"
	"testing"
)

func TestCompareDistUsageErrors(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "out")
	cases := []usageCase{
		{"unknown distribution", []string{"compare", "--dist", "moons", "-o", out}, "--dist must be one of"},
		{"VCF and dist", []string{"compare", realVCF, "--dist", "two-gaussians", "-o", out}, "takes no input VCF"},
		{"dist-n without dist", []string{"compare", realVCF, "--dist-n", "100", "-o", out}, "--dist-n needs --dist"},
		{"genotype flag", []string{"compare", "--dist", "two-gaussians", "--maf", "0.05", "-o", out}, "--maf is for genotype input"},
		{"dim of a 2-D distribution", []string{"compare", "--dist", "two-gaussians", "--dist-dim", "5", "-o", out}, "--dist-dim applies only to --dist funnel"},
		{"too few samples", []string{"compare", "--dist", "grid25", "--dist-n", "3", "-o", out}, "--dist-n must be at least 10"},
	}
	checkUsageErrors(t, dir, cases)
}

func TestCompareDistRuns(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "out")
	code, msg := runCLI(t, "compare", "--dist", "two-gaussians", "--dist-n", "300", "--process", "gou,vp",
		"--steps", "20", "--hidden", "8", "--sampler-steps", "10", "-o", out)
	if code != 0 {
		t.Fatalf("compare --dist exited %d:\n%s", code, msg)
	}
	for _, want := range []string{"| metric | floor | gou | vp |", "| w2_x1 |", "wrote " + filepath.Join(out, "comparison.json")} {
		if !strings.Contains(msg, want) {
			t.Errorf("output lacks %q:\n%s", want, msg)
		}
	}
}
