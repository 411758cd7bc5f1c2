package preprocess

import (
	"fmt"
	"os/exec"
	"strings"
	"testing"

	"github.com/gousynth/gousynth/vcf"
)

const testVCF = "../testdata/1kg_chr1_11.7M.vcf.gz"

// TestMAFMatchesBcftools checks that the MAF filter keeps exactly the sites
// bcftools view -q MAF:minor keeps (biallelic SNPs, all samples and a
// 100-sample subset, whose AC/AN bcftools recomputes).
func TestMAFMatchesBcftools(t *testing.T) {
	bcftools, err := exec.LookPath("bcftools")
	if err != nil {
		t.Skip("bcftools not installed")
	}
	all, _, err := vcf.ReadFile(testVCF, vcf.ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var subset []string
	var subsetIdx []int
	for i := 0; i < len(all.Samples); i += 25 {
		subset = append(subset, all.Samples[i])
		subsetIdx = append(subsetIdx, i)
	}
	for _, tc := range []struct {
		name    string
		samples []string
		maf     float64
	}{
		{"all samples, 0.01", nil, 0.01},
		{"all samples, 0.05", nil, 0.05},
		{"100 samples, 0.01", subset, 0.01},
		{"100 samples, 0.2", subset, 0.2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if testing.Short() && tc.maf != 0.01 {
				t.Skip("one threshold per sample set in -short mode")
			}
			g := all
			view := fmt.Sprintf("%s view -v snps -m2 -M2 -Ou %s", bcftools, testVCF)
			if tc.samples != nil {
				g = SubsetSamples(all, subsetIdx)
				view = fmt.Sprintf("%s view -v snps -m2 -M2 -s %s -Ou %s", bcftools, strings.Join(tc.samples, ","), testVCF)
			}
			cmd := fmt.Sprintf("%s | %s view -q %g:minor -Ou | %s query -f '%%POS:%%ID\\n'", view, bcftools, tc.maf, bcftools)
			out, err := exec.Command("bash", "-o", "pipefail", "-c", cmd).Output()
			if err != nil {
				t.Fatalf("%s: %v", cmd, err)
			}
			want := strings.Fields(string(out))
			kept, log, err := Filter(g, FilterOptions{MinMAF: tc.maf, BiallelicSNPsOnly: true})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, s := range kept.Sites {
				got = append(got, fmt.Sprintf("%d:%s", s.Pos, s.ID))
			}
			if len(want) < 50 || len(want) == g.NumSites() {
				t.Fatalf("bcftools kept %d of %d sites: the case tests nothing", len(want), g.NumSites())
			}
			if strings.Join(got, " ") != strings.Join(want, " ") {
				t.Fatalf("kept %d sites, bcftools %d\n%s", len(got), len(want), log)
			}
			t.Logf("%d of %d sites kept, as bcftools", len(got), g.NumSites())
		})
	}
}
