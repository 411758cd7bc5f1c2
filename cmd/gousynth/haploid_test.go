package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestStatsHaploid checks that stats counts a haploid call as one allele, as
// bcftools' AF does: the calls 1 1 0 0 are at MAF 0.5, not 0.25.
func TestStatsHaploid(t *testing.T) {
	path := filepath.Join(t.TempDir(), "h.vcf")
	vcf := "##fileformat=VCFv4.2\n##contig=<ID=X>\n#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\ta\tb\tc\td\n" +
		"X\t100\t.\tA\tG\t.\t.\t.\tGT\t1\t1\t0\t0\n"
	if err := os.WriteFile(path, []byte(vcf), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := statsCLI(t, path)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "MAF (0.4, 0.5]\t1\n") {
		t.Errorf("site 1 1 0 0 not in the MAF (0.4, 0.5] class:\n%s", out)
	}
}
