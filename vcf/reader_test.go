package vcf

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

const realVCF = "../testdata/1kg_chr1_11.7M.vcf.gz"

// bcftoolsMatrix returns, per record of path, "CHROM POS" and the dosages
// derived from bcftools query's GT strings (an independent decoder).
func bcftoolsMatrix(t *testing.T, args ...string) (keys []string, rows [][]int8) {
	t.Helper()
	out := run(t, "bcftools", append([]string{"query", "-f", "%CHROM %POS %REF %ALT\t[%GT\t]\n"}, args...)...)
	for _, line := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
		if line == "" {
			continue
		}
		f := strings.Split(strings.TrimSuffix(line, "\t"), "\t")
		keys = append(keys, f[0])
		row := make([]int8, len(f)-1)
		for i, gt := range f[1:] {
			alleles := strings.FieldsFunc(gt, func(r rune) bool { return r == '|' || r == '/' })
			d := int8(0)
			for _, a := range alleles {
				if a == "." {
					d = Missing
					break
				}
				v, err := strconv.Atoi(a)
				if err != nil {
					t.Fatalf("bcftools GT %q", gt)
				}
				if v > 0 {
					d++
				}
			}
			row[i] = d
		}
		rows = append(rows, row)
	}
	return keys, rows
}

func siteKey(s Site) string { return fmt.Sprintf("%s %d %s %s", s.Chrom, s.Pos, s.Ref, s.Alt) }

func TestReadMatchesBcftools(t *testing.T) {
	need(t, "bcftools")
	if testing.Short() {
		t.Skip("reads the whole bundled region twice; run without -short")
	}
	g, stats, err := ReadFile(realVCF, ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	keys, rows := bcftoolsMatrix(t, realVCF)
	if g.NumSamples() != 2504 || len(keys) != 4296 {
		t.Fatalf("got %d samples; bcftools %d records", g.NumSamples(), len(keys))
	}
	if stats.Records != len(keys) || stats.Kept != g.NumSites() || stats.Skipped["symbolic"] != 2 || stats.Kept != 4294 {
		t.Fatalf("stats %+v", stats)
	}
	if !g.Phased || len(g.Haplotypes) != 2*len(g.Dosage) {
		t.Fatal("file is phased, haplotypes missing")
	}
	byKey := map[string]int{}
	for i, k := range keys {
		byKey[k] = i
	}
	for v, s := range g.Sites {
		i, ok := byKey[siteKey(s)]
		if !ok {
			t.Fatalf("site %v not in bcftools output", s)
		}
		if !slices.Equal(g.Row(v), rows[i]) {
			t.Fatalf("site %v: dosages differ from bcftools", s)
		}
		for j, d := range g.Row(v) {
			h := g.HapRow(v)
			if h[2*j]+h[2*j+1] != d {
				t.Fatalf("site %v sample %d: haplotypes %d|%d, dosage %d", s, j, h[2*j], h[2*j+1], d)
			}
		}
	}
}

func TestStreamingMatchesReadFile(t *testing.T) {
	path := realVCF
	if testing.Short() {
		path = smallVCF
	}
	g, _, err := ReadFile(path, ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, threads := range []int{1, 3} {
		r, err := Open(path, ReadOptions{Threads: threads})
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(r.Samples(), g.Samples) || len(r.Contigs()) < 1 || r.Contigs()[0].ID != "1" || r.Contigs()[0].Length != 249250621 || r.Contigs()[0].Assembly != "b37" ||
			r.HeaderLines()[0] != "##fileformat=VCFv4.1" {
			t.Fatalf("header: samples %d, contigs %v", len(r.Samples()), r.Contigs()[:1])
		}
		v := 0
		for {
			rec, err := r.Next()
			s, d, h := rec.Site, rec.Dosage, rec.Haplotypes
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			if s != g.Sites[v] || !slices.Equal(d, g.Row(v)) || !slices.Equal(h, g.HapRow(v)) {
				t.Fatalf("threads %d: site %d differs", threads, v)
			}
			v++
		}
		if v != g.NumSites() || r.Stats().Kept != v {
			t.Fatalf("streamed %d sites, want %d", v, g.NumSites())
		}
		r.Close()
	}
}

func TestRoundTrip(t *testing.T) {
	dir := t.TempDir()
	for _, phased := range []bool{true, false} {
		g := randomGenotypes(3, 500, 61, phased)
		path := filepath.Join(dir, fmt.Sprintf("rt%v.vcf.gz", phased))
		if err := WriteGenotypes(path, g, Header{}); err != nil {
			t.Fatal(err)
		}
		g2, _, err := ReadFile(path, ReadOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(g.Sites, g2.Sites) || !slices.Equal(g.Samples, g2.Samples) || !slices.Equal(g.Dosage, g2.Dosage) ||
			g.Phased != g2.Phased || !slices.Equal(g.Haplotypes, g2.Haplotypes) || !slices.Equal(g.Ploidy, g2.Ploidy) {
			t.Fatalf("phased=%v: round trip differs", phased)
		}
	}
	// The real file: read, write, read gives the same matrix and haplotypes.
	real := realVCF
	if testing.Short() {
		real = smallVCF
	}
	g, _, err := ReadFile(real, ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "real.vcf.gz")
	if err := WriteGenotypes(path, g, Header{Contigs: []Contig{{ID: "1", Length: 249250621}}}); err != nil {
		t.Fatal(err)
	}
	g2, _, err := ReadFile(path, ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(g.Sites, g2.Sites) || !slices.Equal(g.Dosage, g2.Dosage) || !slices.Equal(g.Haplotypes, g2.Haplotypes) {
		t.Fatal("real file round trip differs")
	}
	_ = os.Remove
	_ = errors.Is
}
