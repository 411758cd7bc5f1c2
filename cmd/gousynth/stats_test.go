package main

import (
	"bytes"
	"context"
	"fmt"
	"os/exec"
	"strconv"
	"strings"
	"testing"
)

func statsCLI(t *testing.T, args ...string) (string, error) {
	t.Helper()
	root := newRootCmd()
	var out, errb bytes.Buffer
	root.SetOut(&out)
	root.SetErr(&errb)
	root.SetArgs(append([]string{"--quiet", "stats"}, args...))
	err := root.ExecuteContext(context.Background())
	return out.String(), err
}

// TestStatsCommand checks the summary of the bundled region against the
// file's own INFO AC/AN (computed by the 1000 Genomes project on the same
// 2504 samples) read with bcftools.
func TestStatsCommand(t *testing.T) {
	out, err := statsCLI(t, realVCF)
	if err != nil {
		t.Fatal(err)
	}
	fields := map[string]string{}
	for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
		k, v, _ := strings.Cut(l, "\t")
		fields[k] = v
	}
	for k, want := range map[string]string{"samples": "2504", "records": "4296", "sites kept": "4294", "skipped symbolic": "2", "phased": "true", "missing rate": "0.000000"} {
		if fields[k] != want {
			t.Errorf("%s = %q, want %q\n%s", k, fields[k], want, out)
		}
	}
	if _, err := exec.LookPath("bcftools"); err != nil {
		t.Skip("bcftools not installed")
	}
	q, err := exec.Command("bcftools", "view", "-v", "snps", realVCF, "-Ou").Output()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("bcftools", "query", "-f", "%INFO/AC %INFO/AN\n")
	cmd.Stdin = bytes.NewReader(q)
	acan, err := cmd.Output()
	if err != nil {
		t.Fatal(err)
	}
	bins := []float64{0.01, 0.05, 0.1, 0.2, 0.3, 0.4, 0.5}
	counts := make([]int, len(bins))
	mono := 0
	for _, l := range strings.Split(strings.TrimSpace(string(acan)), "\n") {
		f := strings.Fields(l)
		ac, _ := strconv.Atoi(f[0])
		an, _ := strconv.Atoi(f[1])
		if ac == 0 || ac == an {
			mono++
			continue
		}
		maf := min(float64(ac)/float64(an), 1-float64(ac)/float64(an))
		for i, hi := range bins {
			if maf <= hi {
				counts[i]++
				break
			}
		}
	}
	if got := fields["MAF 0 (monomorphic)"]; got != strconv.Itoa(mono) {
		t.Errorf("monomorphic %s, want %d", got, mono)
	}
	lo := 0.0
	for i, hi := range bins {
		key := fmt.Sprintf("MAF (%g, %g]", lo, hi)
		if got := fields[key]; got != strconv.Itoa(counts[i]) {
			t.Errorf("%s: %s, want %d", key, got, counts[i])
		}
		lo = hi
	}
}

func TestStatsBadInput(t *testing.T) {
	code, msg := runCLI(t, "stats", "stats_test.go")
	if code != 1 || !strings.Contains(msg, "stats_test.go:1: not a VCF file") {
		t.Errorf("exit %d, output %q", code, msg)
	}
	if _, err := statsCLI(t, realVCF, "--max-variants", "-1"); err == nil {
		t.Error("negative --max-variants accepted")
	}
}
