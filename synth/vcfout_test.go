package synth

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/gousynth/gousynth/ld"
	"github.com/gousynth/gousynth/vcf"
)

func writeVCF(t *testing.T, cfg PanelConfig, seed uint64, threads int, path string) *Panel {
	t.Helper()
	p, err := NewPanel(cfg, seed)
	if err != nil {
		t.Fatal(err)
	}
	var truth bytes.Buffer
	opt := VCFOptions{Header: vcf.Header{FileDate: "20260101", CommandLine: "test"}, Threads: threads, Truth: &truth}
	if err := p.WriteVCF(context.Background(), path, opt); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path+".truth.tsv", truth.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestSameSeedGivesByteIdenticalFile(t *testing.T) {
	dir := t.TempDir()
	cfg := OneKGLikePreset(123, 3000)
	if testing.Short() {
		cfg.SNPs = 600
	}
	files := map[string][]byte{}
	for _, run := range []struct {
		name    string
		seed    uint64
		threads int
	}{{"a", 1, 1}, {"b", 1, 2}, {"c", 1, 4}, {"other", 2, 2}} {
		path := filepath.Join(dir, run.name+".vcf.gz")
		writeVCF(t, cfg, run.seed, run.threads, path)
		for _, suffix := range []string{"", ".tbi", ".truth.tsv"} {
			b, err := os.ReadFile(path + suffix)
			if err != nil {
				t.Fatal(err)
			}
			files[run.name+suffix] = b
		}
	}
	for _, suffix := range []string{"", ".tbi", ".truth.tsv"} {
		for _, other := range []string{"b", "c"} {
			if !bytes.Equal(files["a"+suffix], files[other+suffix]) {
				t.Errorf("%s%s differs from a%s (same seed, other thread count)", other, suffix, suffix)
			}
		}
	}
	if bytes.Equal(files["a"], files["other"]) {
		t.Error("different seeds gave the same file")
	}
}

// TestVCFReadByBcftoolsAndPlink2 checks that the streamed file is what the
// in-memory simulation produced, through independent readers.
func TestVCFReadByBcftoolsAndPlink2(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "sim.vcf.gz")
	cfg := PaperPreset(60, 700)
	cfg.Populations, cfg.Fst = 2, 0.1
	p := writeVCF(t, cfg, 3, 2, path)
	g, _, err := p.Genotypes(context.Background(), 1)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := exec.LookPath("bcftools"); err != nil {
		t.Log("bcftools not installed: skipping the bcftools check")
	} else {
		out, err := exec.Command("bcftools", "view", "-H", path).CombinedOutput()
		if err != nil {
			t.Fatalf("bcftools view: %v\n%s", err, out)
		}
		lines := strings.Split(strings.TrimSuffix(string(out), "\n"), "\n")
		if len(lines) != g.NumSites() {
			t.Fatalf("bcftools view: %d records, want %d", len(lines), g.NumSites())
		}
		for v, line := range lines {
			f := strings.Split(line, "\t")
			s := g.Sites[v]
			if f[0] != s.Chrom || f[1] != strconv.Itoa(s.Pos) || f[2] != s.ID || f[3] != s.Ref || f[4] != s.Alt || len(f) != 9+g.NumSamples() {
				t.Fatalf("record %d: %q..., want %+v", v, strings.Join(f[:5], " "), s)
			}
			h := g.HapRow(v)
			for i, gt := range f[9:] {
				if want := fmt.Sprintf("%d|%d", h[2*i], h[2*i+1]); gt != want {
					t.Fatalf("record %d sample %d: %s, want %s", v, i, gt, want)
				}
			}
		}
		// A region query through the tabix index.
		s := g.Sites[300]
		region := fmt.Sprintf("%s:%d-%d", s.Chrom, s.Pos, g.Sites[309].Pos)
		out, err = exec.Command("bcftools", "view", "-H", "-r", region, path).CombinedOutput()
		if err != nil || strings.Count(string(out), "\n") != 10 {
			t.Fatalf("bcftools view -r %s: %v, %d records, want 10\n%s", region, err, strings.Count(string(out), "\n"), out)
		}
		out, err = exec.Command("bcftools", "query", "-l", path).CombinedOutput()
		if err != nil || strings.Join(strings.Fields(string(out)), ",") != strings.Join(p.SampleIDs(), ",") {
			t.Fatalf("bcftools query -l: %v\n%s", err, out)
		}
	}
	if _, err := exec.LookPath("plink2"); err != nil {
		t.Log("plink2 not installed: skipping the plink2 check")
		return
	}
	prefix := filepath.Join(dir, "plink")
	out, err := exec.Command("plink2", "--vcf", path, "--freq", "--out", prefix, "--threads", "1").CombinedOutput()
	if err != nil {
		t.Fatalf("plink2 --vcf --freq: %v\n%s", err, out)
	}
	afreq, err := os.ReadFile(prefix + ".afreq")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(string(afreq), "\n"), "\n")[1:]
	if len(lines) != g.NumSites() {
		t.Fatalf("plink2 read %d variants, want %d", len(lines), g.NumSites())
	}
	for v, line := range lines {
		f := strings.Fields(line)
		got, _ := strconv.ParseFloat(f[4], 64) // ALT_FREQS
		sum := 0
		for _, d := range g.Row(v) {
			sum += int(d)
		}
		if want := float64(sum) / float64(2*g.NumSamples()); math.Abs(got-want) > 1e-4 || f[1] != g.Sites[v].ID {
			t.Fatalf("plink2 variant %d: %s freq %v, want %s %v", v, f[1], got, g.Sites[v].ID, want)
		}
	}
}

// TestOneKGLikeDecayThroughFileAndLD writes the 1kg-like preset to a VCF,
// reads it back with the vcf reader and measures the dosage LD decay with the
// ld package (the code behind `gousynth ld`): an independent path from
// TestOneKGLikeDecay's in-memory haplotype r².
func TestOneKGLikeDecayThroughFileAndLD(t *testing.T) {
	n, snps := 1000, 4000
	if testing.Short() {
		n, snps = 300, 2000
	}
	path := filepath.Join(t.TempDir(), "kg.vcf.gz")
	writeVCF(t, OneKGLikePreset(n, snps), 21, 2, path)
	g, _, err := vcf.ReadFile(path, vcf.ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if g.NumSites() != snps || g.NumSamples() != n || !g.Phased {
		t.Fatalf("read %d sites × %d samples (phased %v), want %d × %d phased", g.NumSites(), g.NumSamples(), g.Phased, snps, n)
	}
	edges := []float64{0, 1000, 5000, 10000, 20000, 50000, 200000, 300000}
	bins, err := ld.Decay(g, edges, 0)
	if err != nil {
		t.Fatal(err)
	}
	var means []float64
	for _, b := range bins {
		means = append(means, b.MeanR2)
	}
	t.Logf("ld.Decay mean dosage r² by bin %v: %.3f", edges, means)
	floor := 1 / float64(n)
	for _, c := range []struct {
		bin    int
		lo, hi float64
	}{{0, 0.3, 0.6}, {2, 0.1, 0.4}, {4, 0, 0.15}, {6, 0, 0.01 + 2*floor}} {
		if b := bins[c.bin]; b.Pairs < 100 || b.MeanR2 < c.lo || b.MeanR2 > c.hi {
			t.Errorf("mean r² at %v–%v bp = %.3f over %d pairs, want in [%v, %v]", b.LoBP, b.HiBP, b.MeanR2, b.Pairs, c.lo, c.hi)
		}
	}
}

func TestUnphasedVCF(t *testing.T) {
	path := filepath.Join(t.TempDir(), "u.vcf.gz")
	cfg := PaperPreset(25, 120)
	cfg.Unphased = true
	p := writeVCF(t, cfg, 4, 2, path)
	want, _, err := p.Genotypes(context.Background(), 1)
	if err != nil {
		t.Fatal(err)
	}
	if want.Phased || want.Haplotypes != nil {
		t.Fatal("unphased simulation kept haplotypes")
	}
	got, _, err := vcf.ReadFile(path, vcf.ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if got.Phased || !bytes.Equal(int8Bytes(got.Dosage), int8Bytes(want.Dosage)) {
		t.Fatalf("read back phased=%v, dosages equal=%v", got.Phased, bytes.Equal(int8Bytes(got.Dosage), int8Bytes(want.Dosage)))
	}
}
