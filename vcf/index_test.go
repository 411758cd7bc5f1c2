package vcf

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// bigContigGenotypes has sites on a contig longer than 2^29 (as the
// chromosomes of wheat or the axolotl): some below 2^29, some beyond it,
// up to 2^31-2, and a second, short contig.
func bigContigGenotypes() (*Genotypes, Header) {
	g := &Genotypes{Samples: []string{"A", "B", "C"}}
	pos := []int{1000, 5_000_000, 536_870_000, 536_870_912, 536_871_000, 900_000_000, 1_500_000_000, 2_147_483_000, 2_147_483_646}
	for i, p := range pos {
		g.Sites = append(g.Sites, Site{Chrom: "big", Pos: p, ID: fmt.Sprintf("b%d", i), Ref: "A", Alt: "G"})
		g.Dosage = append(g.Dosage, int8(i%3), int8((i+1)%3), int8((i+2)%3))
	}
	for i, p := range []int{100, 200} {
		g.Sites = append(g.Sites, Site{Chrom: "small", Pos: p, ID: fmt.Sprintf("s%d", i), Ref: "C", Alt: "T"})
		g.Dosage = append(g.Dosage, 0, 1, 2)
	}
	return g, Header{Samples: g.Samples, Contigs: []Contig{{ID: "big", Length: 2_147_483_647}, {ID: "small", Length: 1000}}}
}

// TestCSIForLargePositions checks that positions beyond 2^29 get a CSI
// index that tabix, bcftools and this package's region reader all use.
func TestCSIForLargePositions(t *testing.T) {
	g, h := bigContigGenotypes()
	dir := t.TempDir()
	path := filepath.Join(dir, "big.vcf.gz")
	w, err := Create(path, h)
	if err != nil {
		t.Fatal(err)
	}
	for v := range g.Sites {
		if err := w.Write(g.Sites[v], g.Row(v), nil); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if w.IndexPath() != path+".csi" || IndexPathFor(path, g.Sites) != path+".csi" {
		t.Fatalf("index %q, want %s.csi", w.IndexPath(), path)
	}
	if _, err := os.Stat(path + ".tbi"); !os.IsNotExist(err) {
		t.Errorf("a .tbi was written too: %v", err)
	}
	regions := []struct {
		region string
		want   []string
	}{
		{"big:536870900-536871000", []string{"b3", "b4"}},
		{"big:1-6000000", []string{"b0", "b1"}},
		{"big:2147483000-2147483646", []string{"b7", "b8"}},
		{"big:1000000000-1400000000", nil},
		{"small:150-300", []string{"s1"}},
	}
	for _, r := range regions {
		got, _, err := ReadFile(path, ReadOptions{Region: r.region})
		if err != nil {
			t.Fatalf("%s: %v", r.region, err)
		}
		var ids []string
		for _, s := range got.Sites {
			ids = append(ids, s.ID)
		}
		if strings.Join(ids, ",") != strings.Join(r.want, ",") {
			t.Errorf("region %s: %v, want %v", r.region, ids, r.want)
		}
	}
	// The index is what the reader used: an index that finds nothing says so.
	idx, _, err := loadIndex(path)
	if err != nil || idx == nil || idx.depth != 6 || idx.minShift != 14 {
		t.Fatalf("index %+v, %v", idx, err)
	}
	for _, tool := range []string{"bcftools", "tabix"} {
		t.Run(tool, func(t *testing.T) {
			need(t, tool)
			for _, r := range regions {
				var out string
				if tool == "bcftools" {
					out = run(t, "bcftools", "query", "-r", r.region, "-f", "%ID\n", path)
				} else {
					out = run(t, "tabix", path, r.region)
				}
				var ids []string
				for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
					if l == "" {
						continue
					}
					if tool == "tabix" {
						l = strings.Split(l, "\t")[2]
					}
					ids = append(ids, l)
				}
				if strings.Join(ids, ",") != strings.Join(r.want, ",") {
					t.Errorf("%s -r %s: %v, want %v", tool, r.region, ids, r.want)
				}
			}
			if tool == "tabix" {
				// The region reader uses htslib's own CSI of the same file.
				other := filepath.Join(t.TempDir(), "htslib.vcf.gz")
				b, _ := os.ReadFile(path)
				os.WriteFile(other, b, 0o644)
				run(t, "tabix", "--csi", "-p", "vcf", other)
				for _, r := range regions {
					got, _, err := ReadFile(other, ReadOptions{Region: r.region})
					if err != nil || len(got.Sites) != len(r.want) {
						t.Errorf("htslib CSI, region %s: %d sites, want %d (%v)", r.region, len(got.Sites), len(r.want), err)
					}
				}
			}
			if tool == "bcftools" {
				// bcftools index --stats reads the index: the record counts are ours.
				if out := run(t, "bcftools", "index", "--stats", path); !strings.Contains(out, "big\t2147483647\t9") || !strings.Contains(out, "small\t1000\t2") {
					t.Errorf("bcftools index --stats:\n%s", out)
				}
			}
		})
	}
}

// TestTBIBelowLimit: a file whose positions fit a .tbi still gets one.
func TestTBIBelowLimit(t *testing.T) {
	g, h := bigContigGenotypes()
	g.Sites, g.Dosage = g.Sites[:3], g.Dosage[:9]
	path := filepath.Join(t.TempDir(), "x.vcf.gz")
	if err := WriteGenotypes(path, g, h); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path + ".tbi"); err != nil || IndexPathFor(path, g.Sites) != path+".tbi" {
		t.Fatalf("no .tbi: %v", err)
	}
}

// TestIndexOfAnotherFile checks that an index belonging to another file is
// reported as such, not as a corrupt data file, whatever the mismatch.
func TestIndexOfAnotherFile(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, g *Genotypes, h Header) string {
		p := filepath.Join(dir, name)
		if err := WriteGenotypes(p, g, h); err != nil {
			t.Fatal(err)
		}
		return p
	}
	// a: 200 sites on contig 1; b: another file on contig 1 with longer
	// lines (more samples); c: contig 7 only; big: a much larger file.
	a := write("a.vcf.gz", randomGenotypes(1, 4000, 5, false), Header{Contigs: []Contig{{ID: "1"}, {ID: "2"}}})
	b := write("b.vcf.gz", randomGenotypes(2, 1000, 23, true), Header{Contigs: []Contig{{ID: "1"}, {ID: "2"}}})
	if ib, _, _ := loadIndex(b); ib == nil || func() bool { fi, _ := os.Stat(a); return ib.maxCoff >= fi.Size() }() {
		t.Fatal("the index of b must fit inside a for the in-a-line case")
	}
	cg := randomGenotypes(3, 50, 5, false)
	cg.Sites, cg.Dosage, cg.Ploidy = cg.Sites[:25], cg.Dosage[:25*5], cg.Ploidy[:25*5]
	for i := range cg.Sites {
		cg.Sites[i].Chrom = "7"
	}
	c := write("c.vcf.gz", cg, Header{})
	big := write("big.vcf.gz", randomGenotypes(4, 20000, 40, true), Header{Contigs: []Contig{{ID: "1"}, {ID: "2"}}})
	for _, tc := range []struct{ name, index, region string }{
		{"offsets beyond the file", big + ".tbi", "2"},
		{"other contigs", c + ".tbi", "7"},
		{"offset inside a line", b + ".tbi", "2"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			data, err := os.ReadFile(tc.index)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(a+".tbi", data, 0o644); err != nil {
				t.Fatal(err)
			}
			_, _, err = ReadFile(a, ReadOptions{Region: tc.region})
			want := "index " + a + ".tbi does not match " + a + " (re-index with tabix -p vcf)"
			if !errors.Is(err, ErrIndexMismatch) || err.Error() != want {
				t.Errorf("got %v, want %q", err, want)
			}
		})
	}
	// Its own index again: the region reads.
	if err := WriteGenotypes(a, randomGenotypes(1, 4000, 5, false), Header{Contigs: []Contig{{ID: "1"}, {ID: "2"}}}); err != nil {
		t.Fatal(err)
	}
	if g, _, err := ReadFile(a, ReadOptions{Region: "2"}); err != nil || g.NumSites() != 2000 {
		t.Fatalf("own index: %v", err)
	}
}
