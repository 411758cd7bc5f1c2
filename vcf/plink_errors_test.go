package vcf

import (
	"bytes"
	"compress/gzip"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gousynth/gousynth/plink"
)

// writeFileset writes prefix.bed, .bim and .fam (a nil part is not written).
func writeFileset(t testing.TB, prefix string, bed []byte, bim, fam string) {
	t.Helper()
	if bed != nil {
		if err := os.WriteFile(prefix+".bed", bed, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if bim != "" {
		if err := os.WriteFile(prefix+".bim", []byte(bim), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if fam != "" {
		if err := os.WriteFile(prefix+".fam", []byte(fam), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

const (
	testFam = "0 A 0 0 0 -9\n0 B 0 0 0 -9\n0 C 0 0 0 -9\n"
	testBim = "1\trs1\t0\t100\tG\tA\n1\trs2\t0\t200\tT\tC\n1\trs3\t0\t300\tTT\tC\n1\trs4\t0\t400\t0\tC\n"
)

// testBed holds, for A B C: rs1 0/0 0/1 1/1; rs2 ./. 0/0 0/1; rs3 and rs4 anything.
func testBed() []byte {
	b := append([]byte{}, plink.Magic...)
	b = plink.EncodeRow(b, []int8{0, 1, 2})
	b = plink.EncodeRow(b, []int8{Missing, 0, 1})
	b = plink.EncodeRow(b, []int8{0, 0, 0})
	b = plink.EncodeRow(b, []int8{0, 0, 0})
	return b
}

func TestPLINKReadSmall(t *testing.T) {
	prefix := filepath.Join(t.TempDir(), "s")
	writeFileset(t, prefix, testBed(), testBim, testFam)
	g, st, err := ReadFile(prefix, ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	want := &Genotypes{Samples: []string{"A", "B", "C"},
		Sites:  []Site{{"1", 100, "rs1", "A", "G"}, {"1", 200, "rs2", "C", "T"}},
		Dosage: []int8{0, 1, 2, Missing, 0, 1}}
	sameGenotypes(t, "small fileset", want, g)
	if g.Phased {
		t.Error("a .bed read as phased")
	}
	if st.Records != 4 || st.Skipped["not-snp"] != 1 || st.Skipped["no-alt"] != 1 {
		t.Errorf("stats %+v, want 4 records, one not-snp (rs3), one no-alt (rs4, A1 0)", st)
	}
}

func TestPLINKBadFilesets(t *testing.T) {
	dir := t.TempDir()
	p := func(name string) string { return filepath.Join(dir, name) }
	writeFileset(t, p("nofam"), testBed(), testBim, "")
	writeFileset(t, p("nobim"), testBed(), "", testFam)
	writeFileset(t, p("short"), testBed()[:6], testBim, testFam)
	writeFileset(t, p("badbim"), testBed(), strings.Replace(testBim, "200", "2x0", 1), testFam)
	writeFileset(t, p("badfam"), testBed(), testBim, "0 A 0 0 0 -9\n0 B 0 0\n0 C 0 0 0 -9\n")
	writeFileset(t, p("unsorted"), testBed(), strings.Replace(testBim, "200", "50", 1), testFam)
	writeFileset(t, p("indmajor"), []byte{0x6c, 0x1b, 0x00, 0, 0}, testBim, testFam)
	writeFileset(t, p("ok"), testBed(), testBim, testFam)
	var bcf bytes.Buffer
	zw := gzip.NewWriter(&bcf)
	zw.Write([]byte("BCF\x02\x02\x10\x00\x00\x00##fileformat=VCFv4.2\n"))
	zw.Close()
	os.WriteFile(p("x.bcf"), bcf.Bytes(), 0o644)
	for _, c := range []struct {
		name, path string
		kind       error
		want       string
	}{
		{"missing .fam", p("nofam.bed"), ErrNotVCF, p("nofam.bed") + ": PLINK .bed without its .fam: " + p("nofam.fam") + " does not exist"},
		{"missing .bim", p("nobim"), ErrNotVCF, "PLINK .bed without its .bim: " + p("nobim.bim")},
		{"truncated .bed", p("short.bed"), ErrMalformed, p("short.bed") + ": the .bed has 6 bytes, but " + p("short.bim") + " (4 variants) and " + p("short.fam") + " (3 samples) need 3 + 4 × 1 = 7"},
		{"bad .bim line", p("badbim.bed"), ErrMalformed, p("badbim.bim") + `:2: non-numeric position "2x0"`},
		{"bad .fam line", p("badfam.bed"), plink.ErrFormat, p("badfam.fam") + ":2: a .fam line has 6 columns"},
		{"unsorted .bim", p("unsorted.bed"), ErrUnsorted, p("unsorted.bim") + ":2: records are not sorted: POS 50 comes after POS 100"},
		{"individual-major .bed", p("indmajor.bed"), ErrNotVCF, "individual-major PLINK .bed"},
		{".bim given", p("ok.bim"), ErrNotVCF, p("ok.bim") + ":1: not a VCF file: " + p("ok.bim") + " is the .bim of a PLINK fileset; give its .bed (" + p("ok.bed") + ") or prefix (" + p("ok") + ")"},
		{".fam given", p("ok.fam"), ErrNotVCF, "is the .fam of a PLINK fileset"},
		{"BCF", p("x.bcf"), ErrNotVCF, p("x.bcf") + ":1: this is a BCF file, not VCF; convert it with: bcftools view -Oz -o " + p("x.vcf.gz") + " " + p("x.bcf")},
	} {
		_, _, err := ReadFile(c.path, ReadOptions{})
		if err == nil || !strings.Contains(err.Error(), c.want) || !errors.Is(err, c.kind) {
			t.Errorf("%s: error %v, want %q (%v)", c.name, err, c.want, c.kind)
		}
		if err != nil && strings.ContainsAny(err.Error(), "\x00\x01\x1b") {
			t.Errorf("%s: the message quotes bytes of the file: %q", c.name, err)
		}
	}
}

// FuzzReadPLINK checks that no fileset crashes or hangs the reader.
func FuzzReadPLINK(f *testing.F) {
	f.Add(testBed(), []byte(testBim), []byte(testFam))
	f.Add(testBed()[:5], []byte(testBim), []byte(testFam))
	f.Add(append(testBed(), 0), []byte("1 a 0 1 A C\n\n"), []byte("0 A 0 0 0 -9\n"))
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, bed, bim, fam []byte) {
		prefix := filepath.Join(dir, "f")
		os.WriteFile(prefix+".bed", append(append([]byte{}, plink.Magic...), bed...), 0o644)
		os.WriteFile(prefix+".bim", bim, 0o644)
		os.WriteFile(prefix+".fam", fam, 0o644)
		g, _, err := ReadFile(prefix+".bed", ReadOptions{Region: "1:1-1000"})
		if err == nil && len(g.Dosage) != g.NumSites()*g.NumSamples() {
			t.Fatalf("%d dosages for %d sites × %d samples", len(g.Dosage), g.NumSites(), g.NumSamples())
		}
	})
}
