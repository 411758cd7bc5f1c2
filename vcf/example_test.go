package vcf_test

import (
	"bytes"
	"fmt"
	"io"
	"log"
	"strings"

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

// Stream VCF text from any io.Reader (here a string; os.Stdin or an HTTP
// body work the same, plain, gzip or BGZF) one site at a time. Next
// returns a Record: the site, one ALT dosage per sample and, when the
// calls are phased, the haplotypes.
func ExampleNewReader() {
	const text = "##fileformat=VCFv4.2\n" +
		"#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tA\tB\tC\n" +
		"1\t100\trs1\tA\tG\t.\tPASS\t.\tGT\t0|1\t1|1\t0|0\n" +
		"1\t200\trs2\tC\tT,G\t.\tPASS\t.\tGT\t0|1\t1|2\t0|0\n" +
		"1\t300\trs3\tG\tA\t.\tPASS\t.\tGT:DP\t0/1:9\t./.:0\t0/0:7\n"
	r, err := vcf.NewReader(strings.NewReader(text), vcf.ReadOptions{Name: "example"})
	if err != nil {
		log.Fatal(err)
	}
	defer r.Close()
	for {
		rec, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			log.Fatal(err)
		}
		fmt.Printf("%s:%d %s>%s dosages %v haplotypes %v\n", rec.Site.Chrom, rec.Site.Pos, rec.Site.Ref, rec.Site.Alt, rec.Dosage, rec.Haplotypes)
	}
	fmt.Println("skipped:", r.Stats().Skipped)
	// Output:
	// 1:100 A>G dosages [1 2 0] haplotypes [0 1 1 1 0 0]
	// 1:300 G>A dosages [1 -1 0] haplotypes []
	// skipped: map[multiallelic:1]
}

// Write a VCF to an io.Writer (standard output, a
// network connection, a buffer); bcftools and NewReader read it back.
func ExampleNewWriter() {
	var buf bytes.Buffer
	w, err := vcf.NewWriter(&buf, vcf.Header{Samples: []string{"S1", "S2"}, Contigs: []vcf.Contig{{ID: "1"}}})
	if err != nil {
		log.Fatal(err)
	}
	w.Write(vcf.Site{Chrom: "1", Pos: 100, Ref: "A", Alt: "G"}, []int8{0, 2}, nil)
	w.Write(vcf.Site{Chrom: "1", Pos: 200, Ref: "C", Alt: "T"}, []int8{1, vcf.Missing}, nil)
	if err := w.Close(); err != nil {
		log.Fatal(err)
	}
	r, err := vcf.NewReader(&buf, vcf.ReadOptions{})
	if err != nil {
		log.Fatal(err)
	}
	defer r.Close()
	for {
		rec, err := r.Next()
		if err != nil {
			break
		}
		fmt.Println(rec.Site.Pos, rec.Dosage)
	}
	// Output:
	// 100 [0 2]
	// 200 [1 -1]
}
