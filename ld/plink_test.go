package ld

import (
	"bufio"
	"context"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/gousynth/gousynth/vcf"
)

const testVCF = "../testdata/1kg_chr1_11.7M.vcf.gz"

// plinkR2 runs plink 1.9 --r2 on the biallelic SNPs of testVCF in
// [from, to] for the given samples (all when nil) and returns r² by
// "SNP_A SNP_B".
func plinkR2(t *testing.T, plink string, from, to int, samples []string, o WindowOptions) map[string]float64 {
	t.Helper()
	dir := t.TempDir()
	args := []string{"--vcf", testVCF, "--double-id", "--allow-extra-chr", "--snps-only", "just-acgt",
		"--chr", "1", "--from-bp", strconv.Itoa(from), "--to-bp", strconv.Itoa(to),
		"--r2", "--ld-window", strconv.Itoa(o.WindowSNPs), "--ld-window-kb", strconv.FormatFloat(o.WindowKB, 'g', -1, 64),
		"--ld-window-r2", strconv.FormatFloat(o.MinR2, 'g', -1, 64), "--threads", "2", "--out", filepath.Join(dir, "p")}
	if samples != nil {
		keep := filepath.Join(dir, "keep.txt")
		var b strings.Builder
		for _, s := range samples {
			fmt.Fprintf(&b, "%s %s\n", s, s)
		}
		if err := os.WriteFile(keep, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
		args = append(args, "--keep", keep)
	}
	if out, err := exec.Command(plink, args...).CombinedOutput(); err != nil {
		t.Fatalf("plink1.9: %v\n%s", err, out)
	}
	f, err := os.Open(filepath.Join(dir, "p.ld"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	res := map[string]float64{}
	sc := bufio.NewScanner(f)
	sc.Scan() // header
	for sc.Scan() {
		fl := strings.Fields(sc.Text())
		r, err := strconv.ParseFloat(fl[6], 64)
		if err != nil {
			t.Fatalf("plink line %q: %v", sc.Text(), err)
		}
		res[fl[2]+" "+fl[5]] = r
	}
	return res
}

// TestR2MatchesPlink checks every pair of windowed dosage r² against plink
// 1.9 --r2 on real 1000 Genomes data, including the kb boundary (a window
// equal to an observed distance) and monomorphic sites in a sample subset.
func TestR2MatchesPlink(t *testing.T) {
	plink, err := exec.LookPath("plink1.9")
	if err != nil {
		t.Skip("plink1.9 not installed")
	}
	const from, to = 11697000, 11740000
	full, _, err := vcf.ReadFile(testVCF, vcf.ReadOptions{Region: fmt.Sprintf("1:%d-%d", from, to)})
	if err != nil {
		t.Fatal(err)
	}
	var subset []string
	for i := 0; i < len(full.Samples); i += 25 {
		subset = append(subset, full.Samples[i])
	}
	for _, tc := range []struct {
		name    string
		samples []string
		o       WindowOptions
	}{
		{"window 200 SNPs", nil, WindowOptions{WindowSNPs: 200, WindowKB: 1000}},
		// 41 bp is the distance of the first and third SNP: the bound is inclusive.
		{"window 0.041 kb", nil, WindowOptions{WindowSNPs: 1000, WindowKB: 0.041}},
		{"window 15 kb, min r2 0.1", nil, WindowOptions{WindowSNPs: 1000, WindowKB: 15, MinR2: 0.1}},
		{"101 samples with monomorphic sites", subset, WindowOptions{WindowSNPs: 100, WindowKB: 1000}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if testing.Short() && tc.o.WindowSNPs == 200 {
				t.Skip("250,000 pairs: skipped in -short mode")
			}
			g := full
			if tc.samples != nil {
				g, _, err = vcf.ReadFile(testVCF, vcf.ReadOptions{Region: fmt.Sprintf("1:%d-%d", from, to), IncludeSamples: tc.samples})
				if err != nil {
					t.Fatal(err)
				}
			}
			want := plinkR2(t, plink, from, to, tc.samples, tc.o)
			if len(want) < 100 {
				t.Fatalf("plink reported only %d pairs", len(want))
			}
			got := 0
			err := Pairs(g, tc.o, func(p Pair) error {
				key := g.Sites[p.I].ID + " " + g.Sites[p.J].ID
				w, ok := want[key]
				if !ok {
					return fmt.Errorf("pair %s (r² %g) not reported by plink", key, p.R2)
				}
				if math.Abs(w-p.R2) > 1e-4 || math.Abs(w-p.R2) > 1e-5*math.Max(w, 1e-3) {
					return fmt.Errorf("pair %s: r² %g, plink %g", key, p.R2, w)
				}
				got++
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			if got != len(want) {
				t.Fatalf("%d pairs, plink %d", got, len(want))
			}
			t.Logf("%d pairs agree with plink 1.9", got)
		})
	}
}

// TestWriteTSVMatchesPlinkText checks the text output: the same lines as
// plink's .ld with whitespace normalised to tabs.
func TestWriteTSVMatchesPlinkText(t *testing.T) {
	plink, err := exec.LookPath("plink1.9")
	if err != nil {
		t.Skip("plink1.9 not installed")
	}
	dir := t.TempDir()
	args := []string{"--vcf", testVCF, "--double-id", "--allow-extra-chr", "--snps-only", "just-acgt",
		"--chr", "1", "--from-bp", "11697000", "--to-bp", "11720000",
		"--r2", "--ld-window", "50", "--ld-window-kb", "1000", "--ld-window-r2", "0", "--out", filepath.Join(dir, "p")}
	if out, err := exec.Command(plink, args...).CombinedOutput(); err != nil {
		t.Fatalf("plink1.9: %v\n%s", err, out)
	}
	raw, err := os.ReadFile(filepath.Join(dir, "p.ld"))
	if err != nil {
		t.Fatal(err)
	}
	var want strings.Builder
	for _, line := range strings.Split(strings.TrimSpace(string(raw)), "\n") {
		want.WriteString(strings.Join(strings.Fields(line), "\t") + "\n")
	}
	g, _, err := vcf.ReadFile(testVCF, vcf.ReadOptions{Region: "1:11697000-11720000"})
	if err != nil {
		t.Fatal(err)
	}
	var got strings.Builder
	if _, err := WriteTSV(context.Background(), &got, g, WindowOptions{WindowSNPs: 50, WindowKB: 1000}); err != nil {
		t.Fatal(err)
	}
	gl, wl := strings.Split(got.String(), "\n"), strings.Split(want.String(), "\n")
	if len(gl) != len(wl) {
		t.Fatalf("%d lines, plink %d", len(gl), len(wl))
	}
	diff := 0
	for i := range gl {
		if gl[i] != wl[i] {
			// The last printed digit may differ where plink's float
			// arithmetic rounds the other way; values are checked to 1e-5
			// relative in TestR2MatchesPlink.
			diff++
			if diff <= 3 {
				t.Logf("line %d: %q vs plink %q", i+1, gl[i], wl[i])
			}
		}
	}
	if diff > len(gl)/1000 {
		t.Errorf("%d of %d lines differ from plink's text", diff, len(gl))
	}
}
