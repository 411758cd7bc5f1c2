package app

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/gousynth/gousynth/ld"
	"github.com/gousynth/gousynth/vcf"
)

const kgVCF = "../testdata/1kg_chr1_11.7M.vcf.gz"

// validLDConfig is LDConfig with the command's defaults and all three
// outputs in dir.
func validLDConfig(dir string) LDConfig {
	return LDConfig{
		Input: kgVCF, Pairs: filepath.Join(dir, "ld.tsv.gz"), Window: ld.DefaultWindow,
		Decay: filepath.Join(dir, "decay.tsv"), DecayBins: 30, DecayMinBP: 100, DecayMaxBP: 1e6, DecayMaxPairs: 200000,
		Blocks: filepath.Join(dir, "blocks.tsv"), BlockOptions: ld.BlockOptions{HalfWindow: 50, MaxCrossR2: 0.02, MinSNPs: 10},
	}
}

func TestLDConfigValidate(t *testing.T) {
	for _, tc := range []struct {
		name string
		edit func(*LDConfig)
		want string // "" for valid
	}{
		{"defaults", func(*LDConfig) {}, ""},
		{"decay only", func(c *LDConfig) { c.Pairs, c.Blocks = "", "" }, ""},
		{"no output", func(c *LDConfig) { c.Pairs, c.Decay, c.Blocks = "", "", "" }, "nothing to do: give -o for pairwise r², --decay or --blocks"},
		{"window of 1", func(c *LDConfig) { c.Window.WindowSNPs = 1 }, "--window-snps must be at least 2 (a window of 1 SNPs has no pairs)"},
		{"huge window", func(c *LDConfig) { c.Window.WindowSNPs = 1 << 30 }, "--window-snps must be at most 100000000, got 1073741824"},
		{"no decay bins", func(c *LDConfig) { c.DecayBins = 0 }, "--decay-bins must be at least 1, got 0"},
		{"negative block size", func(c *LDConfig) { c.BlockOptions.MinSNPs = -1 }, "--block-min-snps must be at least 0, got -1"},
		{"window 0 kb", func(c *LDConfig) { c.Window.WindowKB = 0 }, "--window-kb must be positive, got 0"},
		{"min r² above 1", func(c *LDConfig) { c.Window.MinR2 = 1.5 }, "--min-r2 must be in [0, 1], got 1.5"},
		{"MAF above 0.5", func(c *LDConfig) { c.MinMAF = 0.6 }, "--maf must be in [0, 0.5], got 0.6"},
		{"inverted decay range", func(c *LDConfig) { c.DecayMinBP = 2e6 }, "--decay bins need 0 < --decay-min-bp < --decay-max-bp and --decay-bins ≥ 1"},
		{"inverted range without decay", func(c *LDConfig) { c.DecayMinBP, c.Decay = 2e6, "" }, ""},
		{"blocks too short", func(c *LDConfig) { c.BlockOptions.MaxSNPs = 5 }, "--block-max-snps 5 is below --block-min-snps 10"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := validLDConfig(t.TempDir())
			tc.edit(&c)
			checkValidate(t, c.Validate(), tc.want)
		})
	}
}

// checkValidate fails unless err is nil for want "", or an ErrBadOption
// whose whole message is want.
func checkValidate(t *testing.T, err error, want string) {
	t.Helper()
	switch {
	case want == "" && err != nil:
		t.Errorf("Validate: %v, want nil", err)
	case want != "" && (err == nil || err.Error() != want || !errors.Is(err, ErrBadOption)):
		t.Errorf("Validate: %v, want ErrBadOption %q", err, want)
	}
}

// TestLDMatchesLibrary runs an ld job on a region, a sample subset and a
// MAF filter, and checks its three files against the ld package run on
// the same SNPs, selected here with vcf's allele counts; the pairs go to
// Stdout and, gzipped, to a file.
func TestLDMatchesLibrary(t *testing.T) {
	const region = "1:11697000-11760000"
	const minMAF = 0.02
	full, _, err := vcf.ReadFile(kgVCF, vcf.ReadOptions{Region: region})
	if err != nil {
		t.Fatal(err)
	}
	var samples []string
	for i := 0; i < full.NumSamples(); i += 7 { // 358 samples, 716 alleles: no MAF ties at 0.02
		samples = append(samples, full.Samples[i])
	}
	ro := vcf.ReadOptions{Region: region, IncludeSamples: samples}
	g, _, err := vcf.ReadFile(kgVCF, ro)
	if err != nil {
		t.Fatal(err)
	}
	want := keepSites(g, func(row []int8) bool {
		alt, called := vcf.AlleleCounts(row, nil)
		return called > 0 && float64(min(alt, called-alt))/float64(called) >= minMAF
	})
	if want.NumSites() == g.NumSites() || want.NumSites() < 50 {
		t.Fatalf("the MAF filter keeps %d of %d SNPs: no test of it", want.NumSites(), g.NumSites())
	}

	dir := t.TempDir()
	var stdout bytes.Buffer
	c := validLDConfig(dir)
	c.Read, c.MinMAF, c.Window = ro, minMAF, ld.WindowOptions{WindowSNPs: 40, WindowKB: 200, MinR2: 0.01}
	c.Pairs, c.Stdout = "-", &stdout
	c.DecayBins, c.DecayMaxBP = 8, 20000
	c.BlockOptions = ld.BlockOptions{HalfWindow: 10, MinSNPs: 5}
	res, err := LD(context.Background(), c)
	if err != nil {
		t.Fatal(err)
	}
	var pairs bytes.Buffer
	n, err := ld.WriteTSV(context.Background(), &pairs, want, c.Window)
	if err != nil {
		t.Fatal(err)
	}
	if stdout.String() != pairs.String() || res.Pairs != n || n < 100 {
		t.Errorf("pairs: %d lines, %d reported, want %d (%d bytes, want %d)", strings.Count(stdout.String(), "\n"), res.Pairs, n, stdout.Len(), pairs.Len())
	}
	if res.Samples != len(samples) || res.SNPs != want.NumSites() {
		t.Errorf("result: %d samples × %d SNPs, want %d × %d", res.Samples, res.SNPs, len(samples), want.NumSites())
	}
	decay, err := ld.Decay(want, ld.LogBins(c.DecayMinBP, c.DecayMaxBP, c.DecayBins), c.DecayMaxPairs)
	if err != nil {
		t.Fatal(err)
	}
	blocks, err := ld.Blocks(want, c.BlockOptions)
	if err != nil {
		t.Fatal(err)
	}
	// Compared as text: the last block's cross r² is NaN (nothing beyond it).
	if fmt.Sprint(res.Decay) != fmt.Sprint(decay) || fmt.Sprint(res.Blocks) != fmt.Sprint(blocks) {
		t.Errorf("decay %v, blocks %v; want %v, %v", res.Decay, res.Blocks, decay, blocks)
	}
	if lines := fileLines(t, c.Decay); len(lines) != 1+len(decay) || lines[0] != "LO_BP\tHI_BP\tMEAN_R2\tPAIRS" {
		t.Errorf("decay file: %q", lines)
	}
	if lines := fileLines(t, c.Blocks); len(lines) != 1+len(blocks) || !strings.HasPrefix(lines[1], "1\t"+strconv.Itoa(blocks[0].StartBP)+"\t") {
		t.Errorf("blocks file: %q", lines)
	}

	c.Pairs, c.Decay, c.Blocks = filepath.Join(dir, "ld.tsv.gz"), "", ""
	if _, err := LD(context.Background(), c); err != nil {
		t.Fatal(err)
	}
	if got := gunzipFile(t, c.Pairs); got != pairs.String() {
		t.Errorf("gzipped pairs: %d bytes, want %d", len(got), pairs.Len())
	}
}

// TestLDFailureWritesNothing: data without a pair leave no output file.
func TestLDFailureWritesNothing(t *testing.T) {
	dir := t.TempDir()
	c := validLDConfig(dir)
	c.Read.Region, c.MinMAF = "1:11697000-11697200", 0.5
	if _, err := LD(context.Background(), c); err == nil || !strings.Contains(err.Error(), "filtered out by --maf 0.5") {
		t.Fatalf("err = %v", err)
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 0 {
		t.Errorf("%d files left in the output directory", len(ents))
	}
}

// keepSites is g with only the sites whose dosage row keep accepts.
func keepSites(g *vcf.Genotypes, keep func(row []int8) bool) *vcf.Genotypes {
	n := g.NumSamples()
	out := &vcf.Genotypes{Samples: g.Samples}
	for v, s := range g.Sites {
		row := g.Dosage[v*n : (v+1)*n]
		if keep(row) {
			out.Sites = append(out.Sites, s)
			out.Dosage = append(out.Dosage, row...)
		}
	}
	return out
}

func fileLines(t *testing.T, path string) []string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
}
