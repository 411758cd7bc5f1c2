package plink

import (
	"errors"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestEncodeDecodeRow(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for n := range 13 {
		dos := make([]int8, n)
		for i := range dos {
			dos[i] = int8(r.IntN(4)) - 1
		}
		row := EncodeRow(nil, dos)
		if len(row) != BytesPerVariant(n) {
			t.Fatalf("n=%d: row of %d bytes, want %d", n, len(row), BytesPerVariant(n))
		}
		got := make([]int8, n)
		DecodeRow(got, row)
		if !slices.Equal(got, dos) {
			t.Fatalf("n=%d: %v -> %v", n, dos, got)
		}
	}
	// The codes of the PLINK documentation: 00 hom A1, 01 missing, 10 het,
	// 11 hom A2, first sample in the lowest bits.
	got := make([]int8, 4)
	DecodeRow(got, []byte{0b11_10_01_00})
	if want := []int8{2, Missing, 1, 0}; !slices.Equal(got, want) {
		t.Fatalf("0b11100100 decodes to %v, want %v", got, want)
	}
}

func TestSampleID(t *testing.T) {
	for _, c := range []struct{ fid, iid, want string }{{"0", "A", "A"}, {"A", "A", "A"}, {"F", "A", "F_A"}} {
		if got := (Sample{FID: c.fid, IID: c.iid}).ID(); got != c.want {
			t.Errorf("FID %s IID %s: ID %s, want %s", c.fid, c.iid, got, c.want)
		}
	}
}

func TestParseErrors(t *testing.T) {
	for _, c := range []struct{ name, data, want string }{
		{"five columns", "F1 I1 0 0 0 -9\nF2 I2 0 0 0\n", "x.fam:2: a .fam line has 6 columns (FID IID father mother sex phenotype), this one has 5"},
		{"empty line", "F1 I1 0 0 0 -9\n\n", "x.fam:2: empty line"},
		{"duplicate", "0 A 0 0 0 -9\nA A 0 0 0 -9\n", `x.fam:2: duplicate sample ID "A" (first on line 1)`},
		{"binary", "\x00\x01 b c d e\n", "(the file is not text)"},
	} {
		_, err := ParseFam("x.fam", []byte(c.data))
		if err == nil || !strings.Contains(err.Error(), c.want) || !errors.Is(err, ErrFormat) {
			t.Errorf("%s: error %v, want %q", c.name, err, c.want)
		}
	}
	for _, c := range []struct{ name, line, want string }{
		{"columns", "1 rs1 0 100 A", "x.bim:7: a .bim line has 6 columns"},
		{"position", "1 rs1 0 12x A G", `x.bim:7: non-numeric position "12x"`},
		{"position 0", "1 rs1 0 0 A G", "x.bim:7: position 0 is outside"},
		{"empty", "  ", "x.bim:7: empty line"},
	} {
		_, err := ParseBimLine("x.bim", 7, []byte(c.line))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want %q", c.name, err, c.want)
		}
	}
	v, err := ParseBimLine("x.bim", 1, []byte("22\trs9\t0.5\t16050075\tG\tA\r"))
	if err != nil || v != (Variant{Chrom: "22", ID: "rs9", CM: "0.5", Pos: 16050075, A1: "G", A2: "A"}) {
		t.Fatalf("ParseBimLine: %+v, %v", v, err)
	}
}

// FuzzParseFam checks that no .fam content crashes the parser, and that
// what it accepts has unique IDs.
func FuzzParseFam(f *testing.F) {
	f.Add([]byte("F1 I1 0 0 0 -9\nF2 I2 0 0 1 2\n"))
	f.Add([]byte("0\tA\t0\t0\t0\t-9"))
	f.Add([]byte("\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := ParseFam("f.fam", data)
		if err != nil {
			return
		}
		seen := map[string]bool{}
		for _, x := range s {
			if seen[x.ID()] {
				t.Fatalf("duplicate ID %q accepted", x.ID())
			}
			seen[x.ID()] = true
		}
	})
}

// FuzzParseBimLine checks that no .bim line crashes the parser, and that a
// line it accepts has a valid position.
func FuzzParseBimLine(f *testing.F) {
	f.Add([]byte("1\trs1\t0\t100\tA\tG"))
	f.Add([]byte("1 rs1 0 -5 A G"))
	f.Add([]byte("X . 0 99999999999999999999 0 0"))
	f.Fuzz(func(t *testing.T, line []byte) {
		v, err := ParseBimLine("f.bim", 1, line)
		if err == nil && (v.Pos < 1 || v.Pos > MaxPos) {
			t.Fatalf("position %d accepted", v.Pos)
		}
	})
}

// The writer publishes the three files together, or none of them, and
// refuses standard output and IDs a .fam cannot hold.
func TestWriterAtomic(t *testing.T) {
	dir := t.TempDir()
	list := func() []string {
		es, _ := os.ReadDir(dir)
		var names []string
		for _, e := range es {
			names = append(names, e.Name())
		}
		return names
	}
	w, err := Create(filepath.Join(dir, "x.bed"), []string{"A", "B"})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Write(Variant{Chrom: "1", ID: "rs1", Pos: 5, A1: "C", A2: "A"}, []int8{0, 2}); err != nil {
		t.Fatal(err)
	}
	w.Abort()
	if n := list(); len(n) != 0 {
		t.Fatalf("an aborted fileset left %v", n)
	}
	w, err = Create(filepath.Join(dir, "x"), []string{"A", "B"})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Write(Variant{Chrom: "1", ID: "rs1", Pos: 5, A1: "C", A2: "A"}, []int8{0, 2}); err != nil {
		t.Fatal(err)
	}
	if err := w.Write(Variant{Chrom: "1", ID: "rs 2", Pos: 6, A1: "C", A2: "A"}, []int8{0, 2}); err == nil {
		t.Fatal("an ID with a space was written to the .bim")
	}
	if err := w.Close(); err == nil {
		t.Fatal("Close after a failed Write succeeded")
	}
	if n := list(); len(n) != 0 {
		t.Fatalf("a failed fileset left %v", n)
	}
	w, err = Create(filepath.Join(dir, "x.bed"), []string{"A", "B"})
	if err != nil {
		t.Fatal(err)
	}
	w.Write(Variant{Chrom: "1", ID: "rs1", Pos: 5, A1: "C", A2: "A"}, []int8{Missing, 1})
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if n := list(); !slices.Equal(n, []string{"x.bed", "x.bim", "x.fam"}) {
		t.Fatalf("files %v", n)
	}
	bed, _ := os.ReadFile(filepath.Join(dir, "x.bed"))
	if want := []byte{0x6c, 0x1b, 0x01, 0b1001}; !slices.Equal(bed, want) {
		t.Fatalf(".bed %x, want %x", bed, want)
	}
	if _, err := Create("-", []string{"A"}); err == nil || !strings.Contains(err.Error(), "cannot be streamed") {
		t.Errorf("Create(-): %v", err)
	}
	if _, err := Create(filepath.Join(dir, "y.bed"), []string{"A B"}); err == nil || !strings.Contains(err.Error(), "cannot be written to a .fam") {
		t.Errorf("sample ID with a space: %v", err)
	}
}
