package vcf_test

import (
	"fmt"
	"log"

	"github.com/gousynth/gousynth/vcf"
)

// Read a bgzipped VCF into a dosage matrix and look at one site. The
// numbers are those of bcftools view -H and query on the same file.
func ExampleReadFile() {
	g, stats, err := vcf.ReadFile("../testdata/vcf/small_phased.vcf.gz", vcf.ReadOptions{DosageOnly: true})
	if err != nil {
		log.Fatal(err)
	}
	s := g.Sites[19]
	fmt.Printf("%d sites × %d samples (%d records)\n", g.NumSites(), g.NumSamples(), stats.Records)
	fmt.Printf("site 20: %s:%d %s>%s, ALT dosages %v\n", s.Chrom, s.Pos, s.Ref, s.Alt, g.Row(19))
	// Output:
	// 372 sites × 12 samples (372 records)
	// site 20: 1:11700576 A>T, ALT dosages [2 2 2 2 2 2 1 1 2 1 2 2]
}
