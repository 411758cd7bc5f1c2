package ld

import (
	"os/exec"
	"strings"
	"testing"

	"github.com/gousynth/gousynth/vcf"
)

// TestHapStatsMatchesBcftoolsHaplotypes checks haplotype r² and D′ from
// vcf.ReadFile + SiteHapStats against the 2×2 haplotype tables built from
// bcftools query's GT strings on real phased data.
func TestHapStatsMatchesBcftoolsHaplotypes(t *testing.T) {
	bcftools, err := exec.LookPath("bcftools")
	if err != nil {
		t.Skip("bcftools not installed")
	}
	const region = "1:11697000-11705000"
	out, err := exec.Command(bcftools, "query", "-r", region, "-i", `TYPE="snp" && N_ALT=1`, "-f", "%ID[\t%GT]\n", testVCF).Output()
	if err != nil {
		t.Fatal(err)
	}
	ids := []string{}
	haps := [][]int8{}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		f := strings.Split(line, "\t")
		ids = append(ids, f[0])
		h := make([]int8, 0, 2*(len(f)-1))
		for _, gt := range f[1:] {
			for _, a := range strings.Split(gt, "|") {
				h = append(h, int8(a[0]-'0'))
			}
		}
		haps = append(haps, h)
	}
	g, _, err := vcf.ReadFile(testVCF, vcf.ReadOptions{Region: region})
	if err != nil {
		t.Fatal(err)
	}
	if !g.Phased || g.NumSites() != len(ids) || g.NumSites() < 50 {
		t.Fatalf("phased %v, %d sites, bcftools %d", g.Phased, g.NumSites(), len(ids))
	}
	span := 30
	if testing.Short() {
		span = 5
	}
	checked := 0
	for i := 0; i < len(ids); i++ {
		if g.Sites[i].ID != ids[i] {
			t.Fatalf("site %d: %s vs bcftools %s", i, g.Sites[i].ID, ids[i])
		}
		for j := i + 1; j < len(ids) && j < i+span; j++ {
			r2, _, dp, err := SiteHapStats(g, i, j)
			if err != nil {
				t.Fatal(err)
			}
			wr2, wdp := hapReference(haps[i], haps[j])
			if !sameFloat(r2, wr2, 1e-12) || !sameFloat(dp, wdp, 1e-12) {
				t.Fatalf("%s-%s: r² %v D′ %v, from bcftools haplotypes %v %v", ids[i], ids[j], r2, dp, wr2, wdp)
			}
			checked++
		}
	}
	t.Logf("%d pairs checked", checked)
}
