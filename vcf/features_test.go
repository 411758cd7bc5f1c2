package vcf

import (
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

const (
	edgeVCF  = "../testdata/vcf/edge_cases.vcf"
	smallVCF = "../testdata/vcf/small_phased.vcf.gz"
	multiVCF = "../testdata/1kg_chr1_11.7M_multiallelic.vcf.gz"
)

// compareWithBcftools checks that g (and the streaming reader) hold exactly
// the SNP records bcftools prints, in order, with the same calls.
func compareWithBcftools(t *testing.T, path string, opts ReadOptions, want []bcfSite) {
	t.Helper()
	var snps []bcfSite
	for _, s := range want {
		if isSNPKey(s.key) {
			snps = append(snps, s)
		}
	}
	g, stats, err := ReadFile(path, opts)
	if err != nil {
		t.Fatal(err)
	}
	if g.NumSites() != len(snps) || stats.Kept != len(snps) {
		t.Fatalf("kept %d sites (stats %d), bcftools has %d SNPs", g.NumSites(), stats.Kept, len(snps))
	}
	allPhased := true
	for v, s := range snps {
		if siteKey(g.Sites[v]) != s.key {
			t.Fatalf("site %d: got %s, bcftools %s", v, siteKey(g.Sites[v]), s.key)
		}
		if !slices.Equal(g.Row(v), s.dosage) {
			t.Fatalf("site %s: dosages %v, bcftools %v", s.key, g.Row(v), s.dosage)
		}
		allPhased = allPhased && !s.unphased
	}
	if g.Phased != (allPhased && len(snps) > 0) {
		t.Fatalf("Phased = %v, want %v", g.Phased, allPhased)
	}
	// Streaming: per-site haplotypes, nil for unphased sites.
	r, err := Open(path, opts)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	for v := 0; ; v++ {
		rec, err := r.Next()
		site, dos, haps := rec.Site, rec.Dosage, rec.Haplotypes
		if err == io.EOF {
			if v != len(snps) {
				t.Fatalf("streamed %d sites, want %d", v, len(snps))
			}
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		s := snps[v]
		if siteKey(site) != s.key || !slices.Equal(dos, s.dosage) {
			t.Fatalf("streamed site %d differs", v)
		}
		if s.unphased != (haps == nil) || haps != nil && !slices.Equal(haps, s.haps) {
			t.Fatalf("streamed site %s: haplotypes %v, bcftools %v (unphased %v)", s.key, haps, s.haps, s.unphased)
		}
		if g.Phased && !slices.Equal(g.HapRow(v), s.haps) {
			t.Fatalf("site %s: haplotypes differ", s.key)
		}
	}
	if !maps.Equal(r.Stats().Skipped, stats.Skipped) || r.Stats().Records != stats.Records {
		t.Errorf("streaming stats %+v, ReadFile %+v", r.Stats(), stats)
	}
}

func TestEdgeCases(t *testing.T) {
	need(t, "bcftools")
	plain := bcftoolsSites(t, run(t, "bcftools", "query", "-f", queryFormat, edgeVCF))
	split := bcftoolsSites(t, run(t, "bash", "-c", "bcftools norm -m -any "+edgeVCF+" | bcftools query -f '"+queryFormat+"'"))
	for _, c := range []struct {
		name    string
		opts    ReadOptions
		want    []bcfSite
		skipped map[string]int
	}{
		{"biallelic", ReadOptions{}, plain, map[string]int{"multiallelic": 3, "not-snp": 1, "symbolic": 1, "no-alt": 1}},
		{"split", ReadOptions{SplitMultiallelic: true}, split, map[string]int{"not-snp": 9, "symbolic": 1, "no-alt": 1}},
	} {
		t.Run(c.name, func(t *testing.T) {
			compareWithBcftools(t, edgeVCF, c.opts, c.want)
			_, st, _ := ReadFile(edgeVCF, c.opts)
			if st.Records != 13 || !maps.Equal(st.Skipped, c.skipped) {
				t.Errorf("stats %+v, want 13 records, skipped %v", st, c.skipped)
			}
		})
	}
}

func TestMultiallelicFile(t *testing.T) {
	need(t, "bcftools")
	if testing.Short() {
		t.Skip("reads the whole bundled region; run without -short")
	}
	_, st, err := ReadFile(multiVCF, ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if st.Skipped["multiallelic"] != 1 || st.Kept != 4293 {
		t.Errorf("stats %+v: want 1 multiallelic skipped, 4293 kept", st)
	}
	_, st, err = ReadFile(multiVCF, ReadOptions{SplitMultiallelic: true})
	if err != nil {
		t.Fatal(err)
	}
	if st.Skipped["multiallelic"] != 0 || st.Kept != 4295 {
		t.Errorf("split: stats %+v: want 4295 kept", st)
	}
	// The split calls, around the multi-allelic site (the file has no index:
	// this also exercises the streaming region filter).
	const region = "1:11697000-11697100"
	split := bcftoolsSites(t, run(t, "bash", "-c", "bcftools view -t "+region+" "+multiVCF+" | bcftools annotate -x INFO | bcftools norm -m -any | bcftools query -f '"+queryFormat+"'"))
	compareWithBcftools(t, multiVCF, ReadOptions{SplitMultiallelic: true, Region: region}, split)
}

// plainCopy writes path decompressed (optionally with CRLF line ends).
func plainCopy(t *testing.T, path string, crlf bool) string {
	t.Helper()
	text := run(t, "bash", "-c", "zcat -f "+path)
	if crlf {
		text = strings.ReplaceAll(text, "\n", "\r\n")
	}
	out := filepath.Join(t.TempDir(), "copy.vcf")
	if err := os.WriteFile(out, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestRegions(t *testing.T) {
	need(t, "bcftools")
	src := realVCF
	regions := []string{"1:11700000-11710000", "1:11697074", "1:11836000-", "1:11,750,000-11,760,000", "2", "1:1-100"}
	if testing.Short() {
		src = smallVCF
		regions = []string{"1:11701000-11705000", "1:11700576", "1:11710000-"}
	}
	dir := t.TempDir()
	noIndex := filepath.Join(dir, "noindex.vcf.gz")
	raw, _ := os.ReadFile(src)
	os.WriteFile(noIndex, raw, 0o644)
	// A CSI index made by bcftools must work as well as the .tbi.
	csi := filepath.Join(dir, "csi.vcf.gz")
	os.WriteFile(csi, raw, 0o644)
	run(t, "bcftools", "index", "-c", csi)
	plain := plainCopy(t, src, false)
	for _, region := range regions {
		bcfRegion := strings.ReplaceAll(region, ",", "")
		if strings.HasSuffix(bcfRegion, "-") {
			bcfRegion += "300000000"
		}
		want := bcftoolsSites(t, run(t, "bcftools", "query", "-r", bcfRegion, "-f", queryFormat, src))
		for _, path := range []string{src, noIndex, csi, plain} {
			t.Run(region+"/"+filepath.Base(path), func(t *testing.T) {
				compareWithBcftools(t, path, ReadOptions{Region: region}, want)
			})
		}
	}
	// A whole contig is the whole file here.
	whole, _, err := ReadFile(src, ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{src, noIndex} {
		g, _, err := ReadFile(path, ReadOptions{Region: "1"})
		if err != nil || !slices.Equal(g.Sites, whole.Sites) || !slices.Equal(g.Dosage, whole.Dosage) {
			t.Errorf("%s: region 1 is not the whole file (%v)", path, err)
		}
	}
	if _, _, err := ReadFile(realVCF, ReadOptions{Region: "1:20-10"}); !errors.Is(err, ErrRegion) {
		t.Errorf("bad region: got %v", err)
	}
}

func TestSamplesAndMaxVariants(t *testing.T) {
	need(t, "bcftools")
	all, _, err := ReadFile(smallVCF, ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	ids := all.Samples
	want := bcftoolsSites(t, run(t, "bcftools", "query", "-s", ids[2]+","+ids[5]+","+ids[7], "-f", queryFormat, smallVCF))
	// Included samples come back in file order whatever the order asked.
	opts := ReadOptions{IncludeSamples: []string{ids[7], ids[2], ids[5]}}
	g, _, err := ReadFile(smallVCF, opts)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(g.Samples, []string{ids[2], ids[5], ids[7]}) {
		t.Fatalf("samples %v", g.Samples)
	}
	compareWithBcftools(t, smallVCF, opts, want)
	ex, _, err := ReadFile(smallVCF, ReadOptions{ExcludeSamples: ids[1:]})
	if err != nil {
		t.Fatal(err)
	}
	for v := range all.Sites {
		if ex.At(v, 0) != all.At(v, 0) || !slices.Equal(ex.HapRow(v), all.HapRow(v)[:2]) {
			t.Fatalf("exclude: site %d differs", v)
		}
	}
	_, _, err = ReadFile(smallVCF, ReadOptions{IncludeSamples: []string{ids[0], "NOPE1", "NOPE2"}})
	if !errors.Is(err, ErrUnknownSample) || !strings.Contains(err.Error(), "NOPE1, NOPE2") || !strings.Contains(err.Error(), smallVCF) {
		t.Errorf("unknown sample: got %v", err)
	}
	for _, max := range []int{1, 17, 1000} {
		g, st, err := ReadFile(smallVCF, ReadOptions{MaxVariants: max})
		if err != nil {
			t.Fatal(err)
		}
		n := min(max, all.NumSites())
		if g.NumSites() != n || st.Kept != n || !slices.Equal(g.Dosage, all.Dosage[:n*all.NumSamples()]) || !slices.Equal(g.Sites, all.Sites[:n]) {
			t.Errorf("MaxVariants %d: got %d sites", max, g.NumSites())
		}
	}
}

func TestCRLFAndPlainAndGzip(t *testing.T) {
	need(t, "bcftools")
	want, _, err := ReadFile(smallVCF, ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	crlf := plainCopy(t, smallVCF, true)
	plain := plainCopy(t, smallVCF, false)
	gz := filepath.Join(t.TempDir(), "plain.vcf.gz")
	run(t, "bash", "-c", "gzip -c "+plain+" > "+gz)
	for _, path := range []string{crlf, plain, gz} {
		g, _, err := ReadFile(path, ReadOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(g.Sites, want.Sites) || !slices.Equal(g.Dosage, want.Dosage) || !slices.Equal(g.Haplotypes, want.Haplotypes) {
			t.Errorf("%s: differs from the BGZF original", path)
		}
	}
}

func TestPlink2ReadsOutput(t *testing.T) {
	need(t, "plink2")
	g, _, err := ReadFile(smallVCF, ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	out := filepath.Join(dir, "out.vcf.gz")
	if err := WriteGenotypes(out, g, Header{Contigs: []Contig{{ID: "1", Length: 249250621}}, CommandLine: "go test"}); err != nil {
		t.Fatal(err)
	}
	log := run(t, "plink2", "--vcf", out, "--freq", "counts", "--out", filepath.Join(dir, "p"))
	if strings.Contains(strings.ToLower(log), "warning") {
		t.Errorf("plink2 warned:\n%s", log)
	}
	counts, err := os.ReadFile(filepath.Join(dir, "p.acount"))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(counts)), "\n")[1:]
	if len(lines) != g.NumSites() {
		t.Fatalf("plink2 saw %d variants, want %d", len(lines), g.NumSites())
	}
	for v, l := range lines {
		f := strings.Fields(l)
		ac := 0
		for _, d := range g.Row(v) {
			ac += int(d)
		}
		if got := f[len(f)-2] + " " + f[len(f)-1]; got != fmt.Sprintf("%d %d", ac, 2*g.NumSamples()) {
			t.Fatalf("site %d: plink2 ALT_CTS OBS_CT %s, want %d %d", v, got, ac, 2*g.NumSamples())
		}
	}
}

func TestIndexProblems(t *testing.T) {
	dir := t.TempDir()
	data, _ := os.ReadFile(smallVCF)
	path := filepath.Join(dir, "x.vcf.gz")
	os.WriteFile(path, data, 0o644)
	const region = "1:11701000-11705000"
	want, _, err := ReadFile(path, ReadOptions{Region: region}) // no index: scan
	if err != nil || want.NumSites() == 0 {
		t.Fatalf("%v, %d sites", err, want.NumSites())
	}
	// The index of another file, older than the data: ignored.
	wrong, _ := os.ReadFile(realVCF + ".tbi")
	os.WriteFile(path+".tbi", wrong, 0o644)
	old := time.Now().Add(-time.Hour)
	os.Chtimes(path+".tbi", old, old)
	g, _, err := ReadFile(path, ReadOptions{Region: region})
	if err != nil || !slices.Equal(g.Sites, want.Sites) || !slices.Equal(g.Dosage, want.Dosage) {
		t.Errorf("stale index: %v", err)
	}
	// A corrupt index newer than the data: an error naming it.
	os.WriteFile(path+".tbi", []byte("not an index"), 0o644)
	if _, _, err := ReadFile(path, ReadOptions{Region: region}); !errors.Is(err, ErrIndex) || !strings.Contains(err.Error(), path+".tbi") {
		t.Errorf("corrupt index: got %v", err)
	}
}

func TestReadSampleFile(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "ids.txt")
	// As bcftools -S: the whole line is the ID (spaces and '#' included),
	// a trailing CR is dropped, blank lines are skipped.
	os.WriteFile(good, []byte("HG 00096\n\n#x y \r\nHG00097\r\nHG00099\n"), 0o644)
	ids, err := ReadSampleFile(good)
	if err != nil || !slices.Equal(ids, []string{"HG 00096", "#x y ", "HG00097", "HG00099"}) {
		t.Fatalf("got %q, %v", ids, err)
	}
	ids = []string{"HG00096", "HG00097", "HG00099"}
	g, _, err := ReadFile(smallVCF, ReadOptions{IncludeSamples: ids})
	if err != nil || !slices.Equal(g.Samples, ids) {
		t.Fatalf("samples %v, %v", g.Samples, err)
	}
	dup := filepath.Join(dir, "dup.txt")
	os.WriteFile(dup, []byte("A\nB\nA\n"), 0o644)
	if _, err := ReadSampleFile(dup); !errors.Is(err, ErrSampleList) || !strings.HasPrefix(err.Error(), dup+":3: ") {
		t.Errorf("duplicate: got %v", err)
	}
	empty := filepath.Join(dir, "empty.txt")
	os.WriteFile(empty, []byte("\n\n"), 0o644)
	if _, err := ReadSampleFile(empty); !errors.Is(err, ErrSampleList) {
		t.Errorf("empty list: got %v", err)
	}
	// A sample named twice in ReadOptions, as bcftools -s A,A, is an error.
	for _, o := range []ReadOptions{{IncludeSamples: []string{"HG00096", "HG00096"}}, {ExcludeSamples: []string{"HG00097", "HG00097"}}} {
		if _, _, err := ReadFile(smallVCF, o); !errors.Is(err, ErrSampleList) || !strings.Contains(err.Error(), "listed twice") {
			t.Errorf("%+v: got %v", o, err)
		}
	}
}

// TestIsSNP checks the one definition of a biallelic SNP: REF or ALT N is
// not one, and the reader skips exactly the records it rejects.
func TestIsSNP(t *testing.T) {
	for _, c := range []struct {
		ref, alt string
		want     bool
	}{
		{"A", "G", true}, {"g", "a", true}, {"c", "T", true},
		{"N", "G", false}, {"A", "N", false}, {"n", "a", false},
		{"A", "A", false}, {"a", "A", false}, {"AT", "A", false}, {"A", "*", false}, {"A", "<DEL>", false}, {"A", ".", false}, {"", "A", false},
	} {
		if got := IsSNP(c.ref, c.alt); got != c.want {
			t.Errorf("IsSNP(%q, %q) = %v, want %v", c.ref, c.alt, got, c.want)
		}
	}
	path := filepath.Join(t.TempDir(), "n.vcf")
	os.WriteFile(path, []byte("##fileformat=VCFv4.2\n#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tS\n"+
		"1\t1\t.\tN\tA\t.\t.\t.\tGT\t0/1\n1\t2\t.\tA\tN\t.\t.\t.\tGT\t0/1\n1\t3\t.\tA\tC\t.\t.\t.\tGT\t0/1\n1\t4\t.\tN\tA,C\t.\t.\t.\tGT\t1/2\n"), 0o644)
	g, st, err := ReadFile(path, ReadOptions{SplitMultiallelic: true})
	if err != nil || g.NumSites() != 1 || g.Sites[0].Pos != 3 || st.Skipped["not-snp"] != 2 || st.Skipped["multiallelic"] != 1 {
		t.Fatalf("sites %v, stats %+v, err %v", g.Sites, st, err)
	}
}

func TestParseRegion(t *testing.T) {
	for _, c := range []struct {
		in   string
		want Region
		ok   bool
	}{
		{"1", Region{"1", 1, 1<<62 - 1}, true},
		{"chr1:1,000-2,000", Region{"chr1", 1000, 2000}, true},
		{"1:500", Region{"1", 500, 500}, true},
		{"1:500-", Region{"1", 500, 1<<62 - 1}, true},
		{"HLA-A:1-10", Region{"HLA-A", 1, 10}, true},
		{"1:200-100", Region{}, false},
		{"1:0-10", Region{}, false},
		{":1-10", Region{}, false},
		{"", Region{}, false},
	} {
		got, err := ParseRegion(c.in)
		if (err == nil) != c.ok || got != c.want {
			t.Errorf("ParseRegion(%q) = %+v, %v; want %+v, ok %v", c.in, got, err, c.want, c.ok)
		}
	}
	r := Region{"1", 100, 200}
	for _, c := range []struct {
		s    Site
		want bool
	}{
		{Site{Chrom: "1", Pos: 100, Ref: "A"}, true},
		{Site{Chrom: "1", Pos: 200, Ref: "A"}, true},
		{Site{Chrom: "1", Pos: 99, Ref: "A"}, false},
		{Site{Chrom: "1", Pos: 98, Ref: "ACG"}, true}, // a deletion overlapping the start
		{Site{Chrom: "1", Pos: 201, Ref: "A"}, false},
		{Site{Chrom: "2", Pos: 150, Ref: "A"}, false},
	} {
		if got := r.Contains(c.s); got != c.want {
			t.Errorf("%+v contains %+v = %v", r, c.s, got)
		}
	}
}

// TestDosageOnly: the same dosages, sites and samples without haplotypes.
func TestDosageOnly(t *testing.T) {
	full, st1, err := ReadFile(smallVCF, ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	dos, st2, err := ReadFile(smallVCF, ReadOptions{DosageOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	if !full.Phased || full.Haplotypes == nil {
		t.Fatal("the fixture should be phased")
	}
	if dos.Phased || dos.Haplotypes != nil {
		t.Errorf("DosageOnly kept haplotypes (phased %v, %d alleles)", dos.Phased, len(dos.Haplotypes))
	}
	if !slices.Equal(full.Dosage, dos.Dosage) || !slices.Equal(full.Sites, dos.Sites) || !slices.Equal(full.Samples, dos.Samples) || st1.Kept != st2.Kept {
		t.Error("DosageOnly changed the dosages, sites or samples")
	}
}

// SiteRange is a view: the sites, dosages, ploidies and haplotypes of
// [lo, hi) without a copy.
func TestSiteRange(t *testing.T) {
	g := &Genotypes{Sites: []Site{{Pos: 1}, {Pos: 2}, {Pos: 3}}, Samples: []string{"a", "b"},
		Dosage: []int8{0, 1, 2, 0, 1, 2}, Ploidy: []int8{2, 2, 1, 2, 2, 1}, Phased: true, Haplotypes: []int8{0, 0, 0, 1, 1, 1, 0, -1, 0, 0, 0, 1}}
	r := g.SiteRange(1, 3)
	if r.NumSites() != 2 || r.Sites[0].Pos != 2 || r.NumSamples() != 2 {
		t.Fatalf("view has %d sites from %d", r.NumSites(), r.Sites[0].Pos)
	}
	if want := []int8{2, 0, 1, 2}; string(int8Bytes(r.Dosage)) != string(int8Bytes(want)) {
		t.Errorf("dosages %v, want %v", r.Dosage, want)
	}
	if r.PloidyRow(0)[0] != 1 || len(r.Haplotypes) != 8 || r.Haplotypes[0] != 1 || !r.Phased {
		t.Errorf("ploidy %v, haplotypes %v", r.Ploidy, r.Haplotypes)
	}
	r.Dosage[0] = -1
	if g.Dosage[2] != -1 {
		t.Error("SiteRange copied the dosages")
	}
	if len(append(r.Sites[:2], Site{Pos: 9})) != 3 || g.NumSites() != 3 || g.Sites[2].Pos != 3 {
		t.Error("appending to the view's sites changed g")
	}
}

func int8Bytes(x []int8) []byte {
	b := make([]byte, len(x))
	for i, v := range x {
		b[i] = byte(v)
	}
	return b
}
