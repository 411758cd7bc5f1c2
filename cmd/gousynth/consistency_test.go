package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// consistencyVCF has samples whose IDs contain a space, and a REF N site
// (record 2) among three SNPs.
const consistencyVCF = "##fileformat=VCFv4.2\n##contig=<ID=1>\n##FORMAT=<ID=GT,Number=1,Type=String,Description=\"Genotype\">\n" +
	"#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tNA 1\tNA 2\tB\n" +
	"1\t100\t.\tA\tG\t.\t.\t.\tGT\t0/1\t1/1\t0/0\n" +
	"1\t200\t.\tN\tG\t.\t.\t.\tGT\t0/1\t1/1\t0/0\n" +
	"1\t300\t.\tC\tT\t.\t.\t.\tGT\t0/1\t0/0\t0/0\n" +
	"1\t400\t.\tg\ta\t.\t.\t.\tGT\t0/1\t0/0\t1/1\n"

// TestSampleListsLikeBcftools: a samples file holds one whole ID per line
// (bcftools -S), so IDs with spaces can be selected; a sample listed twice
// is an error (bcftools: "Duplicate sample name"), on the command line or
// in a file, with the exit code of the other sample errors (1).
func TestSampleListsLikeBcftools(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "s.vcf")
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	write("s.vcf", consistencyVCF)
	spaces := write("spaces.txt", "NA 2\r\n\nB\n")
	dup := write("dup.txt", "B\nNA 1\nB\n")
	for _, c := range []struct {
		name string
		args []string
		code int
		want string
	}{
		{"IDs with spaces", []string{"stats", path, "--samples-file", spaces}, 0, "samples\t2\n"},
		{"IDs with spaces (exclude)", []string{"stats", path, "--exclude-samples-file", spaces}, 0, "samples\t1\n"},
		{"first word is not an ID", []string{"stats", path, "--samples", "NA"}, 1, "included sample(s) not in the file: NA"},
		{"duplicate in --samples", []string{"stats", path, "--samples", "B,B"}, 1, path + `: included sample "B" is listed twice`},
		{"duplicate in --exclude-samples", []string{"stats", path, "--exclude-samples", "B,NA 1,B"}, 1, path + `: excluded sample "B" is listed twice`},
		{"duplicate in --samples-file", []string{"stats", path, "--samples-file", dup}, 1, dup + `:3: sample "B" is listed twice (first on line 1)`},
		{"duplicate in --samples-file (ld)", []string{"ld", path, "--samples", "B,B", "-o", filepath.Join(dir, "ld.tsv")}, 1, `included sample "B" is listed twice`},
		{"duplicate in --samples-file (fit)", []string{"fit", path, "--samples-file", dup, "-o", filepath.Join(dir, "fit")}, 1, dup + `:3: sample "B" is listed twice`},
	} {
		t.Run(c.name, func(t *testing.T) {
			code, msg := runCLI(t, append(c.args, "--quiet")...)
			if code != c.code || !strings.Contains(msg, c.want) {
				t.Errorf("exit %d, want %d; output does not say %q:\n%s", code, c.code, c.want, msg)
			}
		})
	}
}

// TestRefNIsNotASNP: stats and fit share one definition of a biallelic SNP
// (vcf.IsSNP): the REF N record is skipped as not-snp by the reader that
// every command uses, instead of being summarised by stats and dropped by
// fit's --snps-only step.
func TestRefNIsNotASNP(t *testing.T) {
	path := filepath.Join(t.TempDir(), "n.vcf")
	if err := os.WriteFile(path, []byte(consistencyVCF), 0o644); err != nil {
		t.Fatal(err)
	}
	code, msg := runCLI(t, "stats", path, "--quiet")
	if code != 0 || !strings.Contains(msg, "sites kept\t3\n") || !strings.Contains(msg, "skipped not-snp\t1\n") {
		t.Errorf("exit %d:\n%s", code, msg)
	}
}
