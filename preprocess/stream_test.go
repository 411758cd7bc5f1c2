package preprocess

import (
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/gousynth/gousynth/vcf"
)

// writeMessyVCF writes a VCF of n samples × m records with everything the
// filters look at: multi-allelic records, indels, missing calls (some
// samples and sites much more than others), rare and common sites, sites
// out of Hardy–Weinberg equilibrium, phased and unphased calls and, when
// haploid is set (an all-phased file), haploid calls.
func writeMessyVCF(t *testing.T, n, m int, haploid bool, seed uint64) string {
	t.Helper()
	rng := rand.New(rand.NewPCG(seed, 7))
	var b strings.Builder
	b.WriteString("##fileformat=VCFv4.2\n##contig=<ID=1>\n##contig=<ID=2>\n##FORMAT=<ID=GT,Number=1,Type=String,Description=\"Genotype\">\n")
	b.WriteString("#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT")
	for s := range n {
		fmt.Fprintf(&b, "\tS%d", s)
	}
	b.WriteString("\n")
	sampleMiss := make([]float64, n)
	for s := range sampleMiss {
		sampleMiss[s] = 0.01
		if s%9 == 0 {
			sampleMiss[s] = 0.3
		}
	}
	bases := "ACGT"
	for v := range m {
		chrom := "1"
		if v >= m/2 {
			chrom = "2"
		}
		ref := string(bases[rng.IntN(4)])
		alt := string(bases[(strings.IndexByte(bases, ref[0])+1+rng.IntN(3))%4])
		nAlt := 1
		switch r := rng.IntN(20); {
		case r == 0:
			alt += "," + string(bases[(strings.IndexByte(bases, alt[0])+1)%4])
			if alt[2] == ref[0] {
				alt = alt[:1] + ",AT"
			}
			nAlt = 2
		case r == 1:
			alt = ref + "T"
		}
		p := []float64{0.001, 0.005, 0.02, 0.1, 0.3, 0.5}[rng.IntN(6)]
		siteMiss := 0.0
		if rng.IntN(5) == 0 {
			siteMiss = 0.15 * rng.Float64()
		}
		unphased := rng.IntN(4) == 0 && !haploid
		hwe := rng.IntN(10) == 0 // all heterozygous-ish
		fmt.Fprintf(&b, "%s\t%d\trs%d\t%s\t%s\t.\tPASS\t.\tGT", chrom, 1000+10*v, v, ref, alt)
		for s := range n {
			if rng.Float64() < sampleMiss[s]+siteMiss {
				if unphased {
					b.WriteString("\t./.")
				} else {
					b.WriteString("\t.|.")
				}
				continue
			}
			a := func() int {
				if rng.Float64() < p {
					return 1 + rng.IntN(nAlt)
				}
				return 0
			}
			a0, a1 := a(), a()
			if hwe && rng.IntN(2) == 0 {
				a0, a1 = 0, 1
			}
			if haploid && s%7 == 3 {
				fmt.Fprintf(&b, "\t%d", a0)
				continue
			}
			sep := "|"
			if unphased {
				sep = "/"
			}
			fmt.Fprintf(&b, "\t%d%s%d", a0, sep, a1)
		}
		b.WriteString("\n")
	}
	path := filepath.Join(t.TempDir(), "messy.vcf")
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// readThenFilter is the path before streaming: read everything, then
// Filter.
func readThenFilter(path string, ro vcf.ReadOptions, fo FilterOptions) (*vcf.Genotypes, *Log, error) {
	g, _, err := vcf.ReadFile(path, ro)
	if err != nil {
		return nil, nil, err
	}
	return Filter(g, fo)
}

// TestStreamFilterMatchesFilter: the streamed filters keep exactly the
// sites, samples, dosages and haplotypes that read-then-filter keeps, and
// log the same steps (haplotypes are kept when every kept site is phased,
// where read-then-filter also required the dropped sites to be phased).
func TestStreamFilterMatchesFilter(t *testing.T) {
	unph := writeMessyVCF(t, 90, 6000, false, 1)
	hap := writeMessyVCF(t, 70, 3000, true, 2)
	opts := []FilterOptions{
		DefaultFilterOptions(),
		{},
		{BiallelicSNPsOnly: true},
		{MinMAF: 0.05},
		{MinMAF: 0.01, BiallelicSNPsOnly: true, MaxSiteMissing: 0.1},
		{MinMAF: 0.01, BiallelicSNPsOnly: true, HWEPValue: 1e-6},
		{MinMAF: 0.02, BiallelicSNPsOnly: true, MaxSampleMissing: 0.1, MaxSiteMissing: 0.05, HWEPValue: 1e-4},
		{BiallelicSNPsOnly: true, MaxSampleMissing: 0.5},     // --mind drops nobody
		{MinMAF: 0.49, BiallelicSNPsOnly: true},              // almost nothing left
		{MinMAF: 0.5, BiallelicSNPsOnly: true, HWEPValue: 1}, // nothing left: the same error
	}
	reads := []vcf.ReadOptions{
		{},
		{DosageOnly: true},
		{Region: "2:30000-", Threads: 1},
		{ExcludeSamples: []string{"S1", "S2", "S30"}},
		{SplitMultiallelic: true, Threads: 3},
	}
	for _, file := range []string{unph, hap} {
		for i, fo := range opts {
			for j, ro := range reads {
				name := fmt.Sprintf("%s/opts%d/read%d", filepath.Base(filepath.Dir(file)), i, j)
				if file == hap && j == 1 {
					continue // DosageOnly counts haploid calls as two alleles in Filter (see StreamFilter)
				}
				want, wlog, werr := readThenFilter(file, ro, fo)
				got, stats, glog, gerr := ReadFiltered(file, ro, fo)
				if (werr == nil) != (gerr == nil) || werr != nil && werr.Error() != gerr.Error() {
					t.Fatalf("%s: error %v, read-then-filter %v", name, gerr, werr)
				}
				if werr != nil {
					continue
				}
				// Haplotypes are kept when every kept site is phased; the old
				// path also required the dropped sites to be phased.
				sameHaps := !want.Phased || got.Phased && reflect.DeepEqual(got.Haplotypes, want.Haplotypes)
				if !reflect.DeepEqual(got.Sites, want.Sites) || !reflect.DeepEqual(got.Samples, want.Samples) || !reflect.DeepEqual(got.Dosage, want.Dosage) || !sameHaps {
					t.Fatalf("%s: %d sites × %d samples, read-then-filter %d × %d (or different calls)", name, got.NumSites(), got.NumSamples(), want.NumSites(), want.NumSamples())
				}
				if glog.String() != wlog.String() {
					t.Fatalf("%s: log\n%s\nread-then-filter\n%s", name, glog, wlog)
				}
				if stats.Kept != got.NumSites() {
					t.Fatalf("%s: stats.Kept %d, %d sites", name, stats.Kept, got.NumSites())
				}
			}
		}
	}
}

// TestStreamFilterMatchesBcftools: the streamed biallelic-SNP, MAF and
// call-rate filters keep the sites bcftools view keeps with the same
// filters, on the bundled 1000 Genomes file and on a file with missing
// calls.
func TestStreamFilterMatchesBcftools(t *testing.T) {
	bcftools, err := exec.LookPath("bcftools")
	if err != nil {
		t.Skip("bcftools not installed")
	}
	messy := writeMessyVCF(t, 80, 4000, false, 3)
	for _, tc := range []struct {
		file    string
		fo      FilterOptions
		samples []string
		expr    string
	}{
		{testVCF, FilterOptions{MinMAF: 0.01, BiallelicSNPsOnly: true}, nil, "-q 0.01:minor"},
		{testVCF, FilterOptions{MinMAF: 0.05, BiallelicSNPsOnly: true}, []string{"HG00096", "HG00097", "HG00099", "HG00100", "HG00101", "HG00102", "HG00103", "HG00105"}, "-q 0.05:minor"},
		{messy, FilterOptions{MinMAF: 0.01, BiallelicSNPsOnly: true, MaxSiteMissing: 0.1}, nil, "-q 0.01:minor -i 'F_MISSING<=0.1'"},
		{messy, FilterOptions{MinMAF: 0.1, BiallelicSNPsOnly: true, MaxSiteMissing: 0.05}, []string{"S3", "S4", "S5", "S9", "S10", "S11", "S12", "S18", "S40"}, "-q 0.1:minor -i 'F_MISSING<=0.05'"},
	} {
		name := fmt.Sprintf("%s %s %d samples", filepath.Base(tc.file), tc.expr, len(tc.samples))
		view := fmt.Sprintf("%s view -m2 -M2 -v snps", bcftools)
		if tc.samples != nil {
			view += " -s " + strings.Join(tc.samples, ",")
		}
		cmd := fmt.Sprintf("%s -Ou %s | %s view %s -Ou | %s query -f '%%CHROM:%%POS:%%ID\\n'", view, tc.file, bcftools, tc.expr, bcftools)
		out, err := exec.Command("bash", "-o", "pipefail", "-c", cmd).Output()
		if err != nil {
			t.Fatalf("%s: %v", cmd, err)
		}
		want := strings.Fields(string(out))
		g, stats, _, err := ReadFiltered(tc.file, vcf.ReadOptions{IncludeSamples: tc.samples, DosageOnly: true}, tc.fo)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, s := range g.Sites {
			got = append(got, fmt.Sprintf("%s:%d:%s", s.Chrom, s.Pos, s.ID))
		}
		if len(want) < 50 || stats.Filtered < 50 {
			t.Fatalf("%s: bcftools kept %d sites, %d filtered: the case tests nothing", name, len(want), stats.Filtered)
		}
		if strings.Join(got, " ") != strings.Join(want, " ") {
			t.Fatalf("%s: kept %d sites, bcftools %d", name, len(got), len(want))
		}
		t.Logf("%s: %d sites kept (%d filtered), as bcftools", name, len(got), stats.Filtered)
	}
}
