package main

import (
	"bufio"
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/gousynth/gousynth/app"
	"github.com/gousynth/gousynth/vcf"
)

// loadCohort reads a synthetic cohort (VCF or PLINK fileset).
func loadCohort(t *testing.T, path string) *vcf.Genotypes {
	t.Helper()
	g, _, err := vcf.ReadFile(path, vcf.ReadOptions{DosageOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	return g
}

// sameCohort fails unless a and b hold the same samples, sites and calls.
func sameCohort(t *testing.T, what string, a, b *vcf.Genotypes) {
	t.Helper()
	if !slices.Equal(a.Samples, b.Samples) || !slices.Equal(a.Sites, b.Sites) || !slices.Equal(a.Dosage, b.Dosage) {
		t.Fatalf("%s: cohorts differ (%d × %d vs %d × %d)", what, a.NumSamples(), a.NumSites(), b.NumSamples(), b.NumSites())
	}
}

func mustRun(t *testing.T, dir string, args ...string) string {
	t.Helper()
	code, out := runCLIIn(t, dir, args...)
	if code != 0 {
		t.Fatalf("gousynth %s exited %d:\n%s", strings.Join(args, " "), code, out)
	}
	return out
}

func toolIn(t *testing.T, dir, name string, args ...string) {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
}

func headerOf(t *testing.T, path string) []string {
	t.Helper()
	g, err := vcf.Open(path, vcf.ReadOptions{MaxVariants: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer g.Close()
	return g.HeaderLines()
}

// TestPlinkFitGenerateAndPipes runs fit on the bundled VCF and checks,
// against the same fit (same seed), that a PLINK input written by plink2,
// standard input from a bcftools pipe (of a BCF file) and the PLINK output
// give the same synthetic cohort; that plink2 and plink 1.9 read the
// PLINK outputs of fit and generate; and the synthetic VCF's header.
func TestPlinkFitGenerateAndPipes(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end fits in -short mode")
	}
	dir := t.TempDir()
	abs, err := filepath.Abs(realVCF)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(abs, filepath.Join(dir, "in.vcf.gz")); err != nil {
		t.Fatal(err)
	}
	os.Symlink(abs+".tbi", filepath.Join(dir, "in.vcf.gz.tbi"))
	fit := func(in, out string, extra ...string) string {
		return mustRun(t, dir, append(append([]string{"fit", in, "-o", out}, smallFit...), extra...)...)
	}
	fit("in.vcf.gz", "base")
	base := loadCohort(t, filepath.Join(dir, "base", app.SynthFile))

	t.Run("header", func(t *testing.T) {
		hdr := headerOf(t, filepath.Join(dir, "base", app.SynthFile))
		in := headerOf(t, abs)
		want := []string{"##gousynthCommand=gousynth fit in.vcf.gz -o base " + strings.Join(smallFit, " "), app.PhaseLine,
			"##contig=<ID=1,assembly=b37,length=249250621>", "##contig=<ID=X,assembly=b37,length=155270560>"}
		for _, l := range in {
			if strings.HasPrefix(l, "##reference=") {
				want = append(want, l)
			}
		}
		if len(want) != 5 {
			t.Fatalf("the bundled VCF has no ##reference line")
		}
		for _, w := range want {
			if !slices.Contains(hdr, w) {
				t.Errorf("synthetic header lacks %q", w)
			}
		}
		var contigs []string
		for _, l := range hdr {
			if strings.HasPrefix(l, "##contig=") {
				contigs = append(contigs, l)
			}
			if strings.Contains(l, dir) || strings.Contains(l, abs) {
				t.Errorf("header line names a path the user did not type: %q", l)
			}
		}
		var inContigs []string
		for _, l := range in {
			if strings.HasPrefix(l, "##contig=") {
				inContigs = append(inContigs, l)
			}
		}
		if !slices.Equal(contigs, inContigs) {
			t.Errorf("synthetic ##contig lines differ from the input's: %d vs %d", len(contigs), len(inContigs))
		}
		if bcftools, err := exec.LookPath("bcftools"); err == nil {
			// The index over all 86 contigs works for a region query.
			out, err := exec.Command(bcftools, "view", "-H", "-r", "1:11700000-11720000", filepath.Join(dir, "base", app.SynthFile)).Output()
			if err != nil {
				t.Fatal(err)
			}
			n := 0
			for _, s := range base.Sites {
				if s.Pos <= 11720000 {
					n++
				}
			}
			if got := bytes.Count(out, []byte{'\n'}); got != n || n == 0 {
				t.Errorf("bcftools view -r: %d records, want %d", got, n)
			}
		}
	})

	t.Run("PLINK input", func(t *testing.T) {
		if _, err := exec.LookPath("plink2"); err != nil {
			t.Skip("plink2 not installed")
		}
		toolIn(t, dir, "plink2", "--vcf", "in.vcf.gz", "--make-bed", "--threads", "1", "--out", "kg")
		fit("kg.bed", "frombed")
		sameCohort(t, "fit of plink2's .bed", base, loadCohort(t, filepath.Join(dir, "frombed", app.SynthFile)))
		// stats reads the prefix as it reads the VCF.
		a := mustRun(t, dir, "stats", "in.vcf.gz", "--region", "1:11700000-11760000")
		b := mustRun(t, dir, "stats", "kg", "--region", "1:11700000-11760000")
		a = strings.Replace(a, "phased\ttrue", "phased\tfalse", 1) // a .bed holds no phase
		if strings.ReplaceAll(a, "in.vcf.gz", "X") != strings.ReplaceAll(b, "kg", "X") {
			t.Errorf("stats of the VCF and of the fileset differ:\n%s\n---\n%s", a, b)
		}
		// An output may not overwrite a part of an input fileset.
		if code, out := runCLIIn(t, dir, "ld", "kg", "-o", "kg.bim"); code != 2 || !strings.Contains(out, "same file as") {
			t.Errorf("ld kg -o kg.bim: exit %d: %s", code, out)
		}
		// The .bim instead of the .bed: a one-line hint.
		code, out := runCLIIn(t, dir, "stats", "kg.bim", "--quiet")
		if code != 1 || !strings.Contains(out, "kg.bim is the .bim of a PLINK fileset; give its .bed (kg.bed) or prefix (kg)") || strings.Count(out, "\n") != 1 {
			t.Errorf("stats kg.bim: exit %d: %q", code, out)
		}
	})

	t.Run("PLINK output", func(t *testing.T) {
		fit("in.vcf.gz", "plinkout", "--out-format", "plink")
		for _, f := range []string{"synthetic.bed", "synthetic.bim", "synthetic.fam", "model.gsy", "report.html"} {
			if _, err := os.Stat(filepath.Join(dir, "plinkout", f)); err != nil {
				t.Error(err)
			}
		}
		if _, err := os.Stat(filepath.Join(dir, "plinkout", app.SynthFile)); err == nil {
			t.Error("--out-format plink also wrote a VCF")
		}
		sameCohort(t, "fit --out-format plink", base, loadCohort(t, filepath.Join(dir, "plinkout", "synthetic.bed")))
		if _, err := exec.LookPath("plink2"); err == nil {
			toolIn(t, dir, "plink2", "--bfile", "plinkout/synthetic", "--export", "vcf", "--threads", "1", "--out", "p2")
			sameCohort(t, "plink2 --export vcf of fit's fileset", base, loadCohort(t, filepath.Join(dir, "p2.vcf")))
		}
		// generate writes the same cohort as a VCF and as a fileset, which
		// plink 1.9 reads.
		mustRun(t, dir, "generate", "base/model.gsy", "-n", "50", "-o", "g.vcf.gz")
		mustRun(t, dir, "generate", "base/model.gsy", "-n", "50", "-o", "g.bed")
		g := loadCohort(t, filepath.Join(dir, "g.vcf.gz"))
		if !slices.Contains(headerOf(t, filepath.Join(dir, "g.vcf.gz")), app.PhaseLine) {
			t.Error("generate's VCF lacks the phase line")
		}
		sameCohort(t, "generate -o g.bed", g, loadCohort(t, filepath.Join(dir, "g.bed")))
		if _, err := exec.LookPath("plink1.9"); err == nil {
			toolIn(t, dir, "plink1.9", "--bfile", "g", "--keep-allele-order", "--freq", "counts", "--allow-no-sex", "--threads", "1", "--out", "g1")
			checkFrq(t, filepath.Join(dir, "g1.frq.counts"), g)
		}
		if code, out := runCLIIn(t, dir, "fit", "in.vcf.gz", "-o", "x", "--out-format", "bcf"); code != 2 || !strings.Contains(out, "--out-format must be vcf or plink") {
			t.Errorf("--out-format bcf: exit %d: %s", code, out)
		}
	})

	t.Run("standard input", func(t *testing.T) {
		if _, err := exec.LookPath("bcftools"); err != nil {
			t.Skip("bcftools not installed")
		}
		toolIn(t, dir, "bcftools", "view", "-Ob", "-o", "in.bcf", "in.vcf.gz")
		pipe := func(args ...string) (int, string) {
			sh := "bcftools view -Ov in.bcf | " + gousynthBin(t) + " " + strings.Join(args, " ")
			cmd := exec.Command("sh", "-c", sh)
			cmd.Dir = dir
			cmd.Env = append(os.Environ(), "SOURCE_DATE_EPOCH=1700000000")
			out, err := cmd.CombinedOutput()
			if ee, ok := err.(*exec.ExitError); ok {
				return ee.ExitCode(), string(out)
			} else if err != nil {
				t.Fatal(err)
			}
			return 0, string(out)
		}
		if code, out := pipe(append([]string{"fit", "-", "-o", "piped"}, smallFit...)...); code != 0 {
			t.Fatalf("piped fit exited %d:\n%s", code, out)
		}
		sameCohort(t, "fit of a bcftools pipe", base, loadCohort(t, filepath.Join(dir, "piped", app.SynthFile)))
		hdr := headerOf(t, filepath.Join(dir, "piped", app.SynthFile))
		if !slices.Contains(hdr, "##contig=<ID=1,assembly=b37,length=249250621>") {
			t.Error("the piped fit lost the ##contig lines")
		}
		code, out := pipe(append([]string{"fit", "-", "-o", "piped2", "--mind", "0.5"}, smallFit...)...)
		if code != 1 || !strings.Contains(out, "standard input can be read only once") {
			t.Errorf("fit - --mind: exit %d: %s", code, out)
		}
		// The BCF itself: a one-line hint, no bytes of the file.
		code, out = runCLIIn(t, dir, "fit", "in.bcf", "-o", "bcfout", "--quiet")
		want := "in.bcf:1: this is a BCF file, not VCF; convert it with: bcftools view -Oz -o in.vcf.gz in.bcf"
		if code != 1 || !strings.Contains(out, want) || strings.Count(out, "\n") != 1 || strings.ContainsRune(out, 0) {
			t.Errorf("fit in.bcf: exit %d: %q, want %q", code, out, want)
		}
	})
}

// checkFrq compares plink 1.9's --freq counts (CHR SNP A1 A2 C1 C2 G0)
// with g: A1 = ALT with count C1, A2 = REF with count C2, G0 missing.
func checkFrq(t *testing.T, path string, g *vcf.Genotypes) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Scan()
	v := 0
	for ; sc.Scan(); v++ {
		fl := strings.Fields(sc.Text())
		s := g.Sites[v]
		alt, ref, miss := 0, 0, 0
		for _, d := range g.Row(v) {
			if d < 0 {
				miss++
				continue
			}
			alt, ref = alt+int(d), ref+2-int(d)
		}
		want := []string{s.Alt, s.Ref, strconv.Itoa(alt), strconv.Itoa(ref), strconv.Itoa(miss)}
		if len(fl) != 7 || !slices.Equal(fl[2:], want) {
			t.Fatalf("%s: site %d: %v, want %v", path, v, fl, want)
		}
	}
	if v != g.NumSites() {
		t.Fatalf("%s: %d variants, want %d", path, v, g.NumSites())
	}
}
