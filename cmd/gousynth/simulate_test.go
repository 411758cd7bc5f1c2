package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/gousynth/gousynth/vcf"
)

func TestSimulatePanelCommand(t *testing.T) {
	t.Setenv("SOURCE_DATE_EPOCH", "1767225600") // pin ##fileDate for the byte comparison
	dir := t.TempDir()
	out := func(name string) string { return filepath.Join(dir, name) }
	args := []string{"simulate", "--individuals", "40", "--snps", "300", "--populations", "2", "--fst", "0.1", "--block-sizes", "variable", "--quiet", "--seed", "5"}
	if code := run(append(args, "-o", out("a.vcf.gz"), "--threads", "1", "--truth-out", out("a.truth"))); code != exitOK {
		t.Fatalf("exit code %d", code)
	}
	if code := run(append(args, "-o", out("b.vcf.gz"), "--threads", "2")); code != exitOK {
		t.Fatalf("exit code %d", code)
	}
	a, _ := os.ReadFile(out("a.vcf.gz"))
	b, _ := os.ReadFile(out("b.vcf.gz"))
	if len(a) == 0 || !bytes.Equal(a, b) {
		t.Fatalf("--threads 1 and 2 gave different files (%d and %d bytes)", len(a), len(b))
	}
	for _, f := range []string{"a.vcf.gz.tbi", "a.panel", "b.panel", "a.truth"} {
		if _, err := os.Stat(out(f)); err != nil {
			t.Errorf("missing %s: %v", f, err)
		}
	}
	g, _, err := vcf.ReadFile(out("a.vcf.gz"), vcf.ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if g.NumSites() != 300 || g.NumSamples() != 40 || !g.Phased {
		t.Fatalf("read %d × %d (phased %v)", g.NumSites(), g.NumSamples(), g.Phased)
	}
	panel, _ := os.ReadFile(out("a.panel"))
	lines := strings.Split(strings.TrimSpace(string(panel)), "\n")
	if len(lines) != 41 || lines[0] != "sample\tpop\tsuper_pop\tgender" {
		t.Fatalf("panel file:\n%s", panel)
	}
	for i, line := range lines[1:] {
		if id := strings.Split(line, "\t")[0]; id != g.Samples[i] {
			t.Fatalf("panel line %d names %s, VCF column %d is %s", i+2, id, i, g.Samples[i])
		}
	}
	if !strings.HasPrefix(g.Samples[0], "POP1_") || !strings.HasPrefix(g.Samples[39], "POP2_") {
		t.Fatalf("sample IDs %v not tagged with populations", g.Samples)
	}
}

func TestSimulateDistributionCommand(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		dist string
		dim  int
	}{{"two-gaussians", 2}, {"grid25", 2}, {"funnel", 100}} {
		path := filepath.Join(dir, tc.dist+".tsv")
		if code := run([]string{"simulate", "--distribution", tc.dist, "-n", "50", "-o", path, "--quiet"}); code != exitOK {
			t.Fatalf("%s: exit code %d", tc.dist, code)
		}
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(strings.TrimSpace(string(data)), "\n")
		if len(lines) != 51 {
			t.Fatalf("%s: %d lines, want 51", tc.dist, len(lines))
		}
		for _, line := range lines[1:] {
			f := strings.Split(line, "\t")
			if len(f) != tc.dim {
				t.Fatalf("%s: %d columns, want %d", tc.dist, len(f), tc.dim)
			}
			if _, err := strconv.ParseFloat(f[0], 64); err != nil {
				t.Fatalf("%s: %v", tc.dist, err)
			}
		}
	}
}

func TestSimulateUsageErrors(t *testing.T) {
	dir := t.TempDir()
	o := filepath.Join(dir, "x.vcf.gz")
	for _, args := range [][]string{
		{"simulate"},
		{"simulate", "-o", filepath.Join(dir, "x.vcf")},
		{"simulate", "-o", o, "--individuals", "0"},
		{"simulate", "-o", o, "--rho", "1.5"},
		{"simulate", "-o", o, "--block-sizes", "random"},
		{"simulate", "-o", o, "--maf-spectrum", "flat"},
		{"simulate", "-o", o, "--maf-min", "0.6"},
		{"simulate", "-o", o, "--fst", "0.1"},
		{"simulate", "-o", o, "--populations", "3", "--fst", "1"},
		{"simulate", "-o", o, "--preset", "hapmap"},
		{"simulate", "-o", o, "--preset", "1kg-like", "--block-size", "10"},
		{"simulate", "-o", o, "-n", "10"},
		{"simulate", "-o", filepath.Join(dir, "x.tsv"), "--distribution", "moons"},
		{"simulate", "-o", filepath.Join(dir, "x.tsv"), "--distribution", "funnel", "--snps", "10"},
		{"simulate", "-o", filepath.Join(dir, "x.tsv"), "--distribution", "grid25", "--dim", "3"},
		{"simulate", "-o", filepath.Join(dir, "x.tsv"), "--distribution", "funnel", "--dim", "1"},
	} {
		if code := run(append(args, "--quiet")); code != exitUsage {
			t.Errorf("%v: exit code %d, want %d", args, code, exitUsage)
		}
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("usage errors left files behind: %v", entries)
	}
}
