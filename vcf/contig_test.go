package vcf

import (
	"path/filepath"
	"slices"
	"testing"
)

func TestMergeContigs(t *testing.T) {
	in := []Contig{{ID: "1", Length: 10, Line: "##contig=<ID=1,length=10,assembly=b37>"}, {ID: "2", Length: 20}, {ID: "X", Length: 30}}
	sites := func(chroms ...string) []Site {
		var s []Site
		for _, c := range chroms {
			s = append(s, Site{Chrom: c, Pos: 1})
		}
		return s
	}
	ids := func(cs []Contig) []string {
		var out []string
		for _, c := range cs {
			out = append(out, c.ID)
		}
		return out
	}
	for _, c := range []struct {
		sites []Site
		want  []string
	}{
		{sites("1", "1", "X"), []string{"1", "2", "X"}}, // in the input's order: all of the input's contigs
		{sites("X", "1"), []string{"X", "1", "2"}},      // out of order: the sites' first
		{sites("2", "7"), []string{"2", "7", "1", "X"}}, // a contig the input did not declare
	} {
		got := MergeContigs(in, c.sites)
		if !slices.Equal(ids(got), c.want) {
			t.Errorf("MergeContigs(%v) = %v, want %v", c.sites, ids(got), c.want)
		}
	}
	// Contigs a header cannot declare are dropped or repaired.
	odd := []Contig{{ID: "1"}, {ID: "1", Length: 5}, {ID: "a=b"}, {ID: "2", Line: "##contig=<ID=3>", Length: 4}}
	got := MergeContigs(odd, sites("1", "2"))
	if !slices.Equal(ids(got), []string{"1", "2"}) || got[1].Line != "" || got[1].Length != 4 {
		t.Errorf("odd input contigs: %+v", got)
	}
	if got := MergeContigs(nil, sites("3", "4")); !slices.Equal(ids(got), []string{"3", "4"}) {
		t.Errorf("without input contigs: %v", ids(got))
	}
}

// A ##contig line read from a VCF (length, assembly, other attributes) is
// written back unchanged; a bad line is refused.
func TestContigLinesKept(t *testing.T) {
	dir := t.TempDir()
	line := "##contig=<ID=1,assembly=b37,length=249250621,md5=abc>"
	c, ok := parseContig(line)
	if !ok || c.ID != "1" || c.Length != 249250621 || c.Assembly != "b37" || c.Line != line {
		t.Fatalf("parseContig: %+v %v", c, ok)
	}
	g := &Genotypes{Samples: []string{"A"}, Sites: []Site{{Chrom: "1", Pos: 5, ID: ".", Ref: "A", Alt: "C"}}, Dosage: []int8{1}}
	out := filepath.Join(dir, "x.vcf.gz")
	if err := WriteGenotypes(out, g, Header{Contigs: []Contig{c, {ID: "2", Length: 7, Assembly: "b37"}}}); err != nil {
		t.Fatal(err)
	}
	r, err := Open(out, ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	hl := r.HeaderLines()
	for _, want := range []string{line, "##contig=<ID=2,length=7,assembly=b37>"} {
		if !slices.Contains(hl, want) {
			t.Errorf("header lacks %q: %v", want, hl)
		}
	}
	bad := Contig{ID: "1", Line: "##contig=<ID=2>"}
	if err := WriteGenotypes(filepath.Join(dir, "y.vcf.gz"), g, Header{Contigs: []Contig{bad}}); err == nil {
		t.Error("a contig line for another contig was accepted")
	}
}
