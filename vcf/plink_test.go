package vcf

import (
	"bufio"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

const plinkTestVCF = "../testdata/1kg_chr1_11.7M.vcf.gz"

func lookTool(t *testing.T, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		t.Skipf("%s not installed", name)
	}
	return p
}

func runTool(t *testing.T, name string, args ...string) {
	t.Helper()
	out, err := exec.Command(name, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
}

// sameGenotypes fails unless a and b have the same samples, sites and dosages.
func sameGenotypes(t *testing.T, what string, a, b *Genotypes) {
	t.Helper()
	if !slices.Equal(a.Samples, b.Samples) {
		t.Fatalf("%s: samples differ: %d %v... vs %d %v...", what, len(a.Samples), a.Samples[:min(3, len(a.Samples))], len(b.Samples), b.Samples[:min(3, len(b.Samples))])
	}
	if len(a.Sites) != len(b.Sites) {
		t.Fatalf("%s: %d sites vs %d", what, len(a.Sites), len(b.Sites))
	}
	for v := range a.Sites {
		if a.Sites[v] != b.Sites[v] {
			t.Fatalf("%s: site %d: %+v vs %+v", what, v, a.Sites[v], b.Sites[v])
		}
		if !slices.Equal(a.Row(v), b.Row(v)) {
			t.Fatalf("%s: site %d (%s:%d): dosages differ", what, v, a.Sites[v].Chrom, a.Sites[v].Pos)
		}
	}
}

// TestReadPlinkWrittenBed reads filesets written by plink2 and plink 1.9
// from the bundled VCF and compares them with the VCF read directly.
func TestReadPlinkWrittenBed(t *testing.T) {
	dir := t.TempDir()
	opts := []ReadOptions{
		{DosageOnly: true},
		{DosageOnly: true, Region: "1:11720000-11730000", ExcludeSamples: []string{"HG00097", "NA21144"}},
		{DosageOnly: true, IncludeSamples: []string{"HG00096", "HG00100", "NA19648"}, MaxVariants: 50},
	}
	check := func(t *testing.T, tool, prefix string) {
		for i, o := range opts {
			want, wstats, err := ReadFile(plinkTestVCF, o)
			if err != nil {
				t.Fatal(err)
			}
			for _, name := range []string{prefix + ".bed", prefix} {
				got, gstats, err := ReadFile(name, o)
				if err != nil {
					t.Fatalf("%s: %v", name, err)
				}
				sameGenotypes(t, tool+" "+filepath.Base(name)+" options "+strconv.Itoa(i), want, got)
				if gstats.Kept != wstats.Kept {
					t.Errorf("kept %d, VCF %d", gstats.Kept, wstats.Kept)
				}
			}
		}
	}
	t.Run("plink2", func(t *testing.T) {
		p2 := lookTool(t, "plink2")
		runTool(t, p2, "--vcf", plinkTestVCF, "--make-bed", "--threads", "1", "--out", filepath.Join(dir, "p2"))
		check(t, "plink2", filepath.Join(dir, "p2"))
	})
	t.Run("plink1.9", func(t *testing.T) {
		p1 := lookTool(t, "plink1.9")
		runTool(t, p1, "--vcf", plinkTestVCF, "--double-id", "--keep-allele-order", "--make-bed", "--threads", "1", "--out", filepath.Join(dir, "p1"))
		check(t, "plink1.9", filepath.Join(dir, "p1"))
	})
}

// plinkTestGenotypes is a small panel with missing calls, a sample count
// that is not a multiple of 4, two contigs and a site without an ID.
func plinkTestGenotypes() *Genotypes {
	r := rand.New(rand.NewPCG(1, 2))
	g := &Genotypes{Samples: []string{"S1", "S2", "S3", "S4", "S5", "S6", "S7"}}
	bases := "ACGT"
	for v := range 40 {
		chrom := "1"
		if v >= 30 {
			chrom = "2"
		}
		ref := bases[v%4]
		alt := bases[(v+1+v/4%3)%4]
		id := "rs" + strconv.Itoa(1000+v)
		if v == 5 {
			id = "."
		}
		g.Sites = append(g.Sites, Site{Chrom: chrom, Pos: 100 + 10*v, ID: id, Ref: string(ref), Alt: string(alt)})
		for range g.Samples {
			d := int8(r.IntN(3))
			if r.IntN(8) == 0 {
				d = Missing
			}
			g.Dosage = append(g.Dosage, d)
		}
	}
	return g
}

// TestPLINKRoundTrip writes filesets, reads them back, and checks them
// with plink2 (--export vcf: REF, ALT, calls, missing calls) and plink 1.9
// (--freq counts: A1 and A2 counts, missing calls; sample and variant
// counts).
func TestPLINKRoundTrip(t *testing.T) {
	small := plinkTestGenotypes()
	kg, _, err := ReadFile(plinkTestVCF, ReadOptions{DosageOnly: true, ExcludeSamples: []string{"HG00096"}, MaxVariants: 300})
	if err != nil {
		t.Fatal(err)
	}
	// Missing calls in the 1000 Genomes panel too.
	for i := 0; i < len(kg.Dosage); i += 97 {
		kg.Dosage[i] = Missing
	}
	for _, tc := range []struct {
		name string
		g    *Genotypes
	}{{"small", small}, {"1kg", kg}} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			bed := filepath.Join(dir, "x.bed")
			if err := WriteGenotypes(bed, tc.g, Header{}); err != nil {
				t.Fatal(err)
			}
			got, _, err := ReadFile(bed, ReadOptions{DosageOnly: true})
			if err != nil {
				t.Fatal(err)
			}
			want := *tc.g
			want.Sites = slices.Clone(tc.g.Sites)
			for i := range want.Sites {
				if want.Sites[i].ID == "" {
					want.Sites[i].ID = "."
				}
			}
			sameGenotypes(t, "read back", &want, got)

			if p2, err := exec.LookPath("plink2"); err == nil {
				runTool(t, p2, "--bfile", filepath.Join(dir, "x"), "--export", "vcf", "--threads", "1", "--out", filepath.Join(dir, "p2"))
				back, _, err := ReadFile(filepath.Join(dir, "p2.vcf"), ReadOptions{DosageOnly: true})
				if err != nil {
					t.Fatal(err)
				}
				sameGenotypes(t, "plink2 --export vcf", &want, back)
			} else {
				t.Log("plink2 not installed")
			}
			if p1, err := exec.LookPath("plink1.9"); err == nil {
				runTool(t, p1, "--bfile", filepath.Join(dir, "x"), "--keep-allele-order", "--freq", "counts", "--allow-no-sex", "--threads", "1", "--out", filepath.Join(dir, "p1"))
				checkFreqCounts(t, filepath.Join(dir, "p1.frq.counts"), &want)
				log, err := os.ReadFile(filepath.Join(dir, "p1.log"))
				if err != nil {
					t.Fatal(err)
				}
				for _, line := range []string{strconv.Itoa(want.NumSites()) + " variants loaded from .bim file", strconv.Itoa(want.NumSamples()) + " people ("} {
					if !strings.Contains(string(log), line) {
						t.Errorf("plink1.9 log lacks %q:\n%s", line, log)
					}
				}
			} else {
				t.Log("plink1.9 not installed")
			}
		})
	}
}

// checkFreqCounts compares plink 1.9's --freq counts (CHR SNP A1 A2 C1 C2
// G0) with g: A1 is ALT, C1 its count, C2 the REF count, G0 the missing
// calls.
func checkFreqCounts(t *testing.T, path string, g *Genotypes) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Scan() // header
	v := 0
	for sc.Scan() {
		fl := strings.Fields(sc.Text())
		if len(fl) != 7 {
			t.Fatalf("%s: unexpected line %q", path, sc.Text())
		}
		s := g.Sites[v]
		alt, ref, miss := 0, 0, 0
		for _, d := range g.Row(v) {
			if d == Missing {
				miss++
				continue
			}
			alt += int(d)
			ref += 2 - int(d)
		}
		got := strings.Join(fl[2:], " ")
		want := strings.Join([]string{s.Alt, s.Ref, strconv.Itoa(alt), strconv.Itoa(ref), strconv.Itoa(miss)}, " ")
		if got != want {
			t.Fatalf("%s: site %d (%s:%d): plink1.9 says A1 A2 C1 C2 G0 = %s, want %s", path, v, s.Chrom, s.Pos, got, want)
		}
		v++
	}
	if v != g.NumSites() {
		t.Fatalf("%s: %d variants, want %d", path, v, g.NumSites())
	}
}
