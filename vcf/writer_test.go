package vcf

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// randomGenotypes makes a phased cohort with missing and haploid calls.
func randomGenotypes(seed uint64, nSites, nSamples int, phased bool) *Genotypes {
	rng := rand.New(rand.NewPCG(seed, 7))
	g := &Genotypes{Phased: phased}
	for s := range nSamples {
		g.Samples = append(g.Samples, fmt.Sprintf("SYN%06d", s+1))
	}
	pos := 1000
	for v := range nSites {
		chrom := "1"
		if v >= nSites/2 {
			chrom = "2"
			if v == nSites/2 {
				pos = 500
			}
		}
		pos += 1 + rng.IntN(40000)
		g.Sites = append(g.Sites, Site{Chrom: chrom, Pos: pos, ID: fmt.Sprintf("rs%d", v), Ref: "A", Alt: "G"})
		p := rng.Float64()
		for range nSamples {
			var h [2]int8
			for k := range h {
				if rng.Float64() < p {
					h[k] = 1
				}
			}
			d := h[0] + h[1]
			ploidy := int8(2)
			switch r := rng.IntN(50); {
			case r == 0:
				h, d = [2]int8{Missing, Missing}, Missing
			case r == 1:
				h[1], d, ploidy = Missing, 2*h[0], 1 // haploid, coded as homozygous
			case r == 2 && phased:
				h[1], d = Missing, Missing // "0|."
			}
			g.Dosage = append(g.Dosage, d)
			g.Ploidy = append(g.Ploidy, ploidy)
			if phased {
				g.Haplotypes = append(g.Haplotypes, h[0], h[1])
			}
		}
	}
	return g
}

func need(t testing.TB, tools ...string) {
	t.Helper()
	for _, tool := range tools {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s not installed", tool)
		}
	}
}

func run(t testing.TB, name string, args ...string) string {
	t.Helper()
	cmd := exec.Command(name, args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, stderr.String())
	}
	if s := stderr.String(); strings.Contains(s, "[W::") || strings.Contains(s, "[E::") {
		t.Errorf("%s %s warned:\n%s", name, strings.Join(args, " "), s)
	}
	return string(out)
}

// bcftoolsGT renders the genotypes the way `bcftools query -f '[%GT\t]\n'` does.
func expectedQuery(g *Genotypes) string {
	var b strings.Builder
	n := g.NumSamples()
	for v := range g.Sites {
		for s := range n {
			if g.Phased {
				h0, h1 := g.Haplotypes[2*(v*n+s)], g.Haplotypes[2*(v*n+s)+1]
				d := g.Dosage[v*n+s]
				switch {
				case h1 == Missing && h0 != Missing && d != Missing:
					fmt.Fprintf(&b, "%d", h0)
				default:
					b.WriteString(phasedGT[h0+1][h1+1])
				}
			} else if g.Ploidy != nil && g.Ploidy[v*n+s] == 1 {
				b.WriteString([]string{".", "0", "", "1"}[g.Dosage[v*n+s]+1])
			} else {
				b.WriteString(unphasedGT[g.Dosage[v*n+s]+1])
			}
			b.WriteByte('\t')
		}
		b.WriteByte('\n')
	}
	return b.String()
}

func TestWriterBcftools(t *testing.T) {
	need(t, "bcftools")
	for _, phased := range []bool{true, false} {
		t.Run(fmt.Sprint("phased=", phased), func(t *testing.T) {
			g := randomGenotypes(1, 300, 37, phased)
			path := filepath.Join(t.TempDir(), "out.vcf.gz")
			if err := WriteGenotypes(path, g, Header{}); err != nil {
				t.Fatal(err)
			}
			got := run(t, "bcftools", "query", "-f", "[%GT\t]\n", path)
			if want := expectedQuery(g); got != want {
				t.Fatalf("bcftools query differs from what was written")
			}
			// INFO AC/AN as written = bcftools' own recount.
			ours := run(t, "bcftools", "query", "-f", "%INFO/AC %INFO/AN\n", path)
			filled := filepath.Join(t.TempDir(), "filled.vcf")
			run(t, "bcftools", "+fill-tags", path, "-Ov", "-o", filled, "--", "-t", "AC,AN")
			if theirs := run(t, "bcftools", "query", "-f", "%INFO/AC %INFO/AN\n", filled); ours != theirs || ours == "" {
				t.Errorf("INFO AC/AN differ from bcftools +fill-tags")
			}
			run(t, "bcftools", "view", "-Ou", "-o", os.DevNull, path)
			// Our .tbi answers region queries like tabix's own index does.
			region := "1:200000-1500000"
			viaOurs := run(t, "bcftools", "view", "-H", "-r", region, path)
			os.Remove(path + ".tbi")
			run(t, "tabix", "-p", "vcf", path)
			viaTabix := run(t, "bcftools", "view", "-H", "-r", region, path)
			if viaOurs != viaTabix || viaOurs == "" {
				t.Errorf("region %s: our index gives %d bytes, tabix's %d", region, len(viaOurs), len(viaTabix))
			}
		})
	}
}

func TestWriterErrors(t *testing.T) {
	dir := t.TempDir()
	h := Header{Samples: []string{"A", "B"}, Contigs: []Contig{{ID: "1"}, {ID: "2"}}}
	site := Site{Chrom: "1", Pos: 10, ID: ".", Ref: "A", Alt: "C"}
	cases := []struct {
		name  string
		h     Header
		write func(w *Writer) error
	}{
		{"duplicate sample", Header{Samples: []string{"A", "A"}}, nil},
		{"undeclared contig", h, func(w *Writer) error { s := site; s.Chrom = "3"; return w.Write(s, []int8{0, 1}, nil) }},
		{"unsorted", h, func(w *Writer) error {
			w.Write(Site{Chrom: "2", Pos: 5, Ref: "A", Alt: "C"}, []int8{0, 1}, nil)
			return w.Write(site, []int8{0, 1}, nil)
		}},
		{"wrong count", h, func(w *Writer) error { return w.Write(site, []int8{0}, nil) }},
		{"bad dosage", h, func(w *Writer) error { return w.Write(site, []int8{0, 3}, nil) }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			path := filepath.Join(dir, strings.ReplaceAll(c.name, " ", "_")+".vcf.gz")
			w, err := Create(path, c.h)
			if err == nil {
				err = c.write(w)
				if cerr := w.Close(); err != nil && cerr == nil {
					t.Error("Close succeeded after a failed Write")
				}
			}
			if !errors.Is(err, ErrWrite) || !strings.Contains(err.Error(), path) {
				t.Fatalf("got %v, want ErrWrite naming %s", err, path)
			}
			if _, err := os.Stat(path); !os.IsNotExist(err) {
				t.Errorf("output exists after failure")
			}
			m, _ := filepath.Glob(filepath.Join(dir, ".*"))
			if len(m) > 0 {
				t.Errorf("temporary files left: %v", m)
			}
		})
	}
}

// TestWriterReproducible: the same genotypes and header give byte-identical
// files (blocks are compressed in parallel but independently), and
// SOURCE_DATE_EPOCH fixes the ##fileDate.
func TestWriterReproducible(t *testing.T) {
	t.Setenv("SOURCE_DATE_EPOCH", "1700000000")
	g := randomGenotypes(5, 400, 150, true)
	dir := t.TempDir()
	var files [2][2][]byte
	for i := range files {
		path := filepath.Join(dir, fmt.Sprintf("r%d.vcf.gz", i))
		if err := WriteGenotypes(path, g, Header{Source: "test"}); err != nil {
			t.Fatal(err)
		}
		files[i][0], _ = os.ReadFile(path)
		files[i][1], _ = os.ReadFile(path + ".tbi")
	}
	if !bytes.Equal(files[0][0], files[1][0]) || !bytes.Equal(files[0][1], files[1][1]) || len(files[0][0]) < 1000 {
		t.Fatal("two writes of the same data differ")
	}
	text, err := inflateAll(files[0][0])
	if err != nil || !bytes.Contains(text, []byte("\n##fileDate=20231114\n")) {
		t.Fatalf("fileDate not from SOURCE_DATE_EPOCH (%v)", err)
	}
}

func TestReg2Bin(t *testing.T) {
	// Values from the tabix/SAM specification's binning scheme.
	for _, c := range []struct {
		beg, end int64
		bin      int
	}{{0, 1, 4681}, {16383, 16384, 4681}, {16384, 16385, 4682}, {0, 16385, 585}, {0, 1 << 17, 585}, {0, 1<<17 + 1, 73}, {0, 1 << 29, 0}, {1 << 26, 1<<26 + 1, 4681 + 1<<12}} {
		if got := reg2bin(c.beg, c.end, tbiMinShift, tbiDepth); got != c.bin {
			t.Errorf("reg2bin(%d, %d) = %d, want %d", c.beg, c.end, got, c.bin)
		}
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for range 2000 {
		beg := rng.Int64N(1 << 28)
		end := beg + 1 + rng.Int64N(1<<uint(rng.IntN(27)+1))
		qb := beg + rng.Int64N(end-beg)
		bin := reg2bin(beg, end, tbiMinShift, tbiDepth)
		if !slices.Contains(reg2bins(qb, qb+1, tbiMinShift, tbiDepth), bin) {
			t.Fatalf("bin %d of [%d,%d) not among the bins of a query inside it", bin, beg, end)
		}
	}
}

// TestIndexLongAlleles: records whose REF spans many 16 kb windows land in
// upper bins; region queries through our index must agree with tabix's.
func TestIndexLongAlleles(t *testing.T) {
	need(t, "bcftools", "tabix")
	rng := rand.New(rand.NewPCG(9, 9))
	g := &Genotypes{Samples: []string{"SYN1", "SYN2"}}
	pos := 1
	for range 300 {
		pos += 1 + rng.IntN(30000)
		ref := strings.Repeat("A", 1+rng.IntN(3)*rng.IntN(40000))
		g.Sites = append(g.Sites, Site{Chrom: "7", Pos: pos, ID: ".", Ref: ref, Alt: "C"})
		g.Dosage = append(g.Dosage, int8(rng.IntN(3)), int8(rng.IntN(3)))
	}
	path := filepath.Join(t.TempDir(), "long.vcf.gz")
	if err := WriteGenotypes(path, g, Header{Contigs: []Contig{{ID: "7", Length: 159138663}}}); err != nil {
		t.Fatal(err)
	}
	regions := []string{"7:1-20000", "7:500000-600000", "7:1000000-1000100", "7:2000000-", "7:3456789"}
	ours := map[string]string{}
	for _, r := range regions {
		ours[r] = run(t, "bcftools", "query", "-r", r, "-f", "%POS\n", path)
	}
	os.Remove(path + ".tbi")
	run(t, "tabix", "-p", "vcf", path)
	for _, r := range regions {
		if theirs := run(t, "bcftools", "query", "-r", r, "-f", "%POS\n", path); theirs != ours[r] {
			t.Errorf("region %s: our index gives %q, tabix's %q", r, ours[r], theirs)
		}
	}
}

func TestWriterAbort(t *testing.T) {
	path := filepath.Join(t.TempDir(), "a.vcf.gz")
	w, err := Create(path, Header{Samples: []string{"A"}, Contigs: []Contig{{ID: "1"}}})
	if err != nil {
		t.Fatal(err)
	}
	w.Write(Site{Chrom: "1", Pos: 1, Ref: "A", Alt: "C"}, []int8{1}, nil)
	w.Abort()
	w.Abort()
	if err := w.Close(); !errors.Is(err, ErrWrite) {
		t.Errorf("Close after Abort: %v", err)
	}
	if m, _ := filepath.Glob(filepath.Join(filepath.Dir(path), "*")); len(m) > 0 {
		t.Errorf("files left: %v", m)
	}
	m, _ := filepath.Glob(filepath.Join(filepath.Dir(path), ".*"))
	if len(m) > 0 {
		t.Errorf("temporary files left: %v", m)
	}
}

// TestWriteGenotypesCancelled: a cancelled write leaves neither the output,
// its index nor a temporary file.
func TestWriteGenotypesCancelled(t *testing.T) {
	g, _, err := ReadFile(smallVCF, ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := WriteGenotypesContext(ctx, filepath.Join(dir, "out.vcf.gz"), g, Header{}); !errors.Is(err, context.Canceled) {
		t.Fatalf("got %v, want context.Canceled", err)
	}
	if es, _ := os.ReadDir(dir); len(es) != 0 {
		t.Errorf("cancelled write left %d files (%s)", len(es), es[0].Name())
	}
	if err := WriteGenotypesContext(context.Background(), filepath.Join(dir, "out.vcf.gz"), g, Header{}); err != nil {
		t.Fatal(err)
	}
	if es, _ := os.ReadDir(dir); len(es) != 2 {
		t.Errorf("finished write: %d files, want the VCF and its index", len(es))
	}
}

// TestNewWriter writes the same genotypes (phased, unphased, with haploid
// calls) through NewWriter to a buffer and through Create to a file, and
// checks that the bytes are identical, that the buffer reads back to the
// genotypes through NewReader, and that NewWriter neither indexes nor
// closes its writer, and leaves no end-of-file marker when aborted.
func TestNewWriter(t *testing.T) {
	dir := t.TempDir()
	for _, phased := range []bool{true, false} {
		g := randomGenotypes(7, 300, 25, phased)
		h := Header{Samples: g.Samples, Contigs: MergeContigs(nil, g.Sites), Phased: phased, FileDate: "20240101", Source: "test"}
		path := filepath.Join(dir, "x.vcf.gz")
		fw, err := Create(path, h)
		if err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		out := &writeCloseCounter{Writer: &buf}
		sw, err := NewWriter(out, h)
		if err != nil {
			t.Fatal(err)
		}
		for v, s := range g.Sites {
			var haps []int8
			if phased {
				haps = g.HapRow(v)
			}
			for _, w := range []*Writer{fw, sw} {
				if err := w.WritePloidy(s, g.Row(v), haps, g.PloidyRow(v)); err != nil {
					t.Fatal(err)
				}
			}
		}
		if err := fw.Close(); err != nil {
			t.Fatal(err)
		}
		if err := sw.Close(); err != nil {
			t.Fatal(err)
		}
		file, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(file, buf.Bytes()) {
			t.Fatalf("phased %v: NewWriter wrote %d bytes, Create %d, not the same", phased, buf.Len(), len(file))
		}
		if sw.IndexPath() != "" || fw.IndexPath() != path+".tbi" || out.closed != 0 {
			t.Fatalf("index %q (Create: %q), writer closed %d times", sw.IndexPath(), fw.IndexPath(), out.closed)
		}
		r, err := NewReader(bytes.NewReader(buf.Bytes()), ReadOptions{})
		if err != nil {
			t.Fatal(err)
		}
		for v := range g.Sites {
			rec, err := r.Next()
			if err != nil {
				t.Fatal(err)
			}
			if rec.Site != g.Sites[v] || !slices.Equal(rec.Dosage, g.Row(v)) || phased && !slices.Equal(rec.Haplotypes, g.HapRow(v)) || rec.Ploidy != nil && !slices.Equal(rec.Ploidy, g.PloidyRow(v)) {
				t.Fatalf("phased %v: site %d read back differs", phased, v)
			}
		}
		r.Close()
	}
	// An aborted stream has no end-of-file marker: readers see it as truncated.
	var buf bytes.Buffer
	g := randomGenotypes(8, 5, 3, false)
	w, err := NewWriter(&buf, Header{Samples: g.Samples, Contigs: MergeContigs(nil, g.Sites)})
	if err != nil {
		t.Fatal(err)
	}
	w.Write(g.Sites[0], g.Row(0), nil)
	w.Abort()
	if bytes.HasSuffix(buf.Bytes(), bgzfEOF) {
		t.Errorf("aborted stream ends with the BGZF end-of-file marker")
	}
	if err := w.Write(g.Sites[1], g.Row(1), nil); err == nil {
		t.Errorf("Write after Abort succeeded")
	}
	if _, err := NewWriter(&buf, Header{Samples: []string{"A", "A"}}); !errors.Is(err, ErrWrite) {
		t.Errorf("duplicate samples: %v", err)
	}
}

// writeCloseCounter is an io.WriteCloser that counts Close calls.
type writeCloseCounter struct {
	io.Writer
	closed int
}

func (c *writeCloseCounter) Close() error { c.closed++; return nil }
