package vcf

import (
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// haploidVCF is a chrX-like fixture: five males with haploid calls ("0",
// "1", ".") and seven females with diploid ones.
const haploidVCF = "../testdata/haploid_chrX.vcf"

// TestHaploidCalls checks the coding of haploid calls: dosage 0 or 2 (as
// plink), ploidy 1, one allele in the allele counts.
func TestHaploidCalls(t *testing.T) {
	g, _, err := ReadFile(haploidVCF, ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if g.Ploidy == nil || len(g.Ploidy) != len(g.Dosage) {
		t.Fatalf("Ploidy has %d entries, want %d", len(g.Ploidy), len(g.Dosage))
	}
	// x1: M1 "1", M2 ".", M3 "0", F1 "0/0", F3 "0/1", F7 "1/0".
	for s, want := range map[int][2]int8{0: {2, 1}, 1: {Missing, 1}, 2: {0, 1}, 5: {0, 2}, 7: {1, 2}, 11: {1, 2}} {
		if d, p := g.At(0, s), g.PloidyRow(0)[s]; d != want[0] || p != want[1] {
			t.Errorf("x1 sample %s: dosage %d ploidy %d, want %d %d", g.Samples[s], d, p, want[0], want[1])
		}
	}
	// The example: four haploid calls 1 1 0 0 have AF 0.5.
	if ac, an := AlleleCounts([]int8{2, 2, 0, 0}, []int8{1, 1, 1, 1}); ac != 2 || an != 4 {
		t.Errorf("1 1 0 0: AC %d AN %d, want 2 4", ac, an)
	}
	// Streaming gives the same ploidies; a diploid-only file gives none.
	r, err := Open(haploidVCF, ReadOptions{IncludeSamples: []string{"M2", "F1"}})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	for v := 0; ; v++ {
		rec, err := r.Next()
		dos := rec.Dosage
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if p := rec.Ploidy; !slices.Equal(p, []int8{1, 2}) || dos[0] != g.At(v, 1) || dos[1] != g.At(v, 5) {
			t.Fatalf("site %d: streamed dosages %v ploidy %v", v, dos, p)
		}
	}
	d, _, err := ReadFile("../testdata/1kg_chr1_11.7M.vcf.gz", ReadOptions{MaxVariants: 10})
	if err != nil || d.Ploidy != nil {
		t.Fatalf("diploid file: Ploidy %v, err %v", d.Ploidy != nil, err)
	}
}

// TestHaploidMatchesBcftools checks allele counts (AC, AN, AF) against
// bcftools +fill-tags on mixed ploidy, and that a written file keeps the
// haploid calls haploid.
func TestHaploidMatchesBcftools(t *testing.T) {
	need(t, "bcftools")
	g, _, err := ReadFile(haploidVCF, ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	filled := filepath.Join(t.TempDir(), "filled.vcf")
	run(t, "bcftools", "+fill-tags", haploidVCF, "-Ov", "-o", filled, "--", "-t", "AC,AN,AF")
	want := strings.Split(strings.TrimSpace(run(t, "bcftools", "query", "-f", "%INFO/AC %INFO/AN %INFO/AF\n", filled)), "\n")
	if len(want) != g.NumSites() {
		t.Fatalf("bcftools: %d sites, gousynth %d", len(want), g.NumSites())
	}
	for v := range g.Sites {
		ac, an := AlleleCounts(g.Row(v), g.PloidyRow(v))
		var bac, ban int
		var baf float64
		fmt.Sscan(want[v], &bac, &ban, &baf)
		if ac != bac || an != ban || fmt.Sprintf("%.6g", float64(ac)/float64(an)) != fmt.Sprintf("%.6g", baf) {
			t.Errorf("site %s: AC %d AN %d, bcftools %s", g.Sites[v].ID, ac, an, want[v])
		}
	}
	// Written back: the same calls (haploid as "0"/"1"/"."), and INFO AC/AN
	// as bcftools recounts them.
	out := filepath.Join(t.TempDir(), "out.vcf.gz")
	if err := WriteGenotypes(out, g, Header{}); err != nil {
		t.Fatal(err)
	}
	norm := func(s string) string { return strings.ReplaceAll(s, "1/0", "0/1") }
	if a, b := norm(run(t, "bcftools", "query", "-f", "[%GT ]\n", haploidVCF)), norm(run(t, "bcftools", "query", "-f", "[%GT ]\n", out)); a != b {
		t.Errorf("written calls differ:\n%s\nwant\n%s", b, a)
	}
	if a, b := run(t, "bcftools", "query", "-f", "%INFO/AC %INFO/AN\n", filled), run(t, "bcftools", "query", "-f", "%INFO/AC %INFO/AN\n", out); a != b {
		t.Errorf("written AC/AN %s, bcftools %s", b, a)
	}
}
