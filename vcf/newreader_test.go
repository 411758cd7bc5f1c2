package vcf

import (
	"bytes"
	"compress/gzip"
	"errors"
	"io"
	"maps"
	"os"
	"slices"
	"strings"
	"testing"
)

// readAllRecords streams r to the end and returns copies of its records.
func readAllRecords(t *testing.T, r *Reader) ([]Record, error) {
	t.Helper()
	var recs []Record
	for {
		rec, err := r.Next()
		if err == io.EOF {
			return recs, nil
		}
		if err != nil {
			return recs, err
		}
		recs = append(recs, rec)
	}
}

// onlyReader hides every method of its reader but Read (no Stat, no
// Close): the plainest io.Reader.
type onlyReader struct{ r io.Reader }

func (o onlyReader) Read(p []byte) (int, error) { return o.r.Read(p) }

// closeCounter is an io.ReadCloser that counts Close calls.
type closeCounter struct {
	io.Reader
	closed int
}

func (c *closeCounter) Close() error { c.closed++; return nil }

// TestNewReaderMatchesOpen reads the same inputs through Open (a path:
// index, size) and through NewReader on an io.Reader (a *bytes.Reader, a
// Read-only wrapper, an *os.File) in BGZF, gzip and plain form, with
// several options, and checks that the records, their haplotypes and
// ploidy, the header and the counts are identical.
func TestNewReaderMatchesOpen(t *testing.T) {
	bgzf, err := os.ReadFile(realVCF)
	if err != nil {
		t.Fatal(err)
	}
	zr, err := gzip.NewReader(bytes.NewReader(bgzf))
	if err != nil {
		t.Fatal(err)
	}
	plain, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(plain)
	zw.Close()
	haploid, err := os.ReadFile(haploidVCF)
	if err != nil {
		t.Fatal(err)
	}
	multi, err := os.ReadFile(multiVCF)
	if err != nil {
		t.Fatal(err)
	}
	opts := []ReadOptions{
		{},
		{DosageOnly: true, Threads: 1},
		{Region: "1:11720000-11730000", IncludeSamples: []string{"HG00097", "NA19648", "HG00096"}},
		{ExcludeSamples: []string{"HG00097"}, MaxVariants: 37, Threads: 3},
	}
	type input struct {
		name, path string
		data       []byte
		opts       []ReadOptions
	}
	inputs := []input{
		{"BGZF", realVCF, bgzf, opts},
		{"gzip", realVCF, gz.Bytes(), opts},
		{"plain", realVCF, plain, opts},
		{"haploid", haploidVCF, haploid, []ReadOptions{{}, {DosageOnly: true}}},
		{"multiallelic", multiVCF, multi, []ReadOptions{{}, {SplitMultiallelic: true}}},
	}
	old := batchTarget
	defer func() { batchTarget = old }()
	for _, bt := range []int{old, 4 << 10} { // also records cut across many batches
		batchTarget = bt
		for _, in := range inputs {
			for _, o := range in.opts {
				ro, err := Open(in.path, o)
				if err != nil {
					t.Fatal(err)
				}
				want, err := readAllRecords(t, ro)
				if err != nil {
					t.Fatal(err)
				}
				wantStats := ro.Stats()
				wantSamples, wantContigs, wantLines := ro.Samples(), ro.Contigs(), ro.HeaderLines()
				ro.Close()
				if len(want) == 0 || o.MaxVariants > 0 && len(want) != o.MaxVariants {
					t.Fatalf("%s %+v: Open streamed %d records", in.name, o, len(want))
				}
				f, err := os.CreateTemp(t.TempDir(), "in")
				if err != nil {
					t.Fatal(err)
				}
				f.Write(in.data)
				f.Seek(0, io.SeekStart)
				for _, src := range []struct {
					name string
					r    io.Reader
				}{{"bytes.Reader", bytes.NewReader(in.data)}, {"Read only", onlyReader{bytes.NewReader(in.data)}}, {"*os.File", f}} {
					what := in.name + " via " + src.name
					r, err := NewReader(src.r, o)
					if err != nil {
						t.Fatalf("%s: %v", what, err)
					}
					got, err := readAllRecords(t, r)
					if err != nil {
						t.Fatalf("%s: %v", what, err)
					}
					if len(got) != len(want) {
						t.Fatalf("%s %+v: %d records, Open gave %d", what, o, len(got), len(want))
					}
					for i := range got {
						g, w := got[i], want[i]
						if g.Site != w.Site || !slices.Equal(g.Dosage, w.Dosage) || !slices.Equal(g.Haplotypes, w.Haplotypes) ||
							(g.Haplotypes == nil) != (w.Haplotypes == nil) || !slices.Equal(g.Ploidy, w.Ploidy) || (g.Ploidy == nil) != (w.Ploidy == nil) {
							t.Fatalf("%s %+v: record %d differs: %+v vs %+v", what, o, i, g.Site, w.Site)
						}
					}
					st := r.Stats()
					// With MaxVariants, Records counts what the batches
					// read held, which depends on how the input was cut.
					if o.MaxVariants == 0 && st.Records != wantStats.Records || st.Kept != wantStats.Kept || st.Filtered != wantStats.Filtered || !maps.Equal(st.Skipped, wantStats.Skipped) {
						t.Fatalf("%s %+v: stats %+v, Open %+v", what, o, st, wantStats)
					}
					if !slices.Equal(r.Samples(), wantSamples) || !slices.Equal(r.Contigs(), wantContigs) || !slices.Equal(r.HeaderLines(), wantLines) {
						t.Fatalf("%s: header differs", what)
					}
					r.Close()
				}
				f.Close()
			}
		}
	}
}

// TestNewReaderErrors checks that NewReader's errors are those of Open,
// named by ReadOptions.Name (or by line alone), that it does not close its
// input, and that a PLINK .bed, which needs its .bim and .fam, is refused.
func TestNewReaderErrors(t *testing.T) {
	bad := "##fileformat=VCFv4.2\n#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tA\tB\n1\t10\t.\tA\tG\t.\tPASS\t.\tGT\t0|1\n"
	path := t.TempDir() + "/bad.vcf"
	if err := os.WriteFile(path, []byte(bad), 0o644); err != nil {
		t.Fatal(err)
	}
	_, _, fileErr := ReadFile(path, ReadOptions{})
	if fileErr == nil {
		t.Fatal("malformed file read without error")
	}
	for _, name := range []string{path, ""} {
		in := &closeCounter{Reader: strings.NewReader(bad)}
		r, err := NewReader(in, ReadOptions{Name: name})
		if err != nil {
			t.Fatal(err)
		}
		_, err = readAllRecords(t, r)
		r.Close()
		want := fileErr.Error()
		if name == "" {
			want = "line 3: " + strings.TrimPrefix(want, path+":3: ")
		}
		if err == nil || err.Error() != want || !errors.Is(err, ErrMalformed) {
			t.Errorf("Name %q: got %v, want %q", name, err, want)
		}
		if in.closed != 0 {
			t.Errorf("NewReader closed its input")
		}
	}
	if _, err := NewReader(strings.NewReader(""), ReadOptions{}); !errors.Is(err, ErrEmpty) {
		t.Errorf("empty input: %v", err)
	}
	if _, err := NewReader(bytes.NewReader(testBed()), ReadOptions{}); !errors.Is(err, ErrNotVCF) || !strings.Contains(err.Error(), "the input is a PLINK .bed") {
		t.Errorf("a .bed: %v", err)
	}
	if _, err := NewReader(strings.NewReader(bad), ReadOptions{Region: "1:x"}); !errors.Is(err, ErrRegion) {
		t.Errorf("bad region: %v", err)
	}
}

// TestNextDoesNotAllocate checks that Next returns a Record without an
// allocation of its own: streaming allocates per batch of records, not per
// record. The input is one batch, and the pipeline's goroutines have
// finished before the count (they would allocate reading ahead).
func TestNextDoesNotAllocate(t *testing.T) {
	r, err := Open(smallVCF, ReadOptions{Threads: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if _, err := r.Next(); err != nil { // the first (and only) batch
		t.Fatal(err)
	}
	r.pl.done.Wait()
	var rec Record
	allocs := testing.AllocsPerRun(100, func() {
		if rec, err = r.Next(); err != nil {
			t.Fatal(err)
		}
	})
	if allocs != 0 || len(rec.Dosage) != len(r.Samples()) || rec.Haplotypes == nil {
		t.Errorf("Next: %v allocations per record", allocs)
	}
}

// TestScanMatchesNext checks that Scan hands fn the Records Next returns
// (copied: Scan reuses its buffers), with a hint of at least the sites
// seen, and honours MaxVariants.
func TestScanMatchesNext(t *testing.T) {
	for _, o := range []ReadOptions{{}, {MaxVariants: 37, Threads: 1}, {DosageOnly: true}} {
		for _, path := range []string{realVCF, haploidVCF} {
			r, err := Open(path, o)
			if err != nil {
				t.Fatal(err)
			}
			want, err := readAllRecords(t, r)
			r.Close()
			if err != nil {
				t.Fatal(err)
			}
			if r, err = Open(path, o); err != nil {
				t.Fatal(err)
			}
			var got []Record
			err = r.Scan(func(rec Record, hint int) error {
				got = append(got, Record{Site: rec.Site, Dosage: slices.Clone(rec.Dosage), Haplotypes: slices.Clone(rec.Haplotypes), Ploidy: slices.Clone(rec.Ploidy)})
				if hint < len(got) {
					t.Fatalf("hint %d after %d sites", hint, len(got))
				}
				return nil
			})
			r.Close()
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(want) {
				t.Fatalf("%s %+v: Scan gave %d sites, Next %d", path, o, len(got), len(want))
			}
			for i := range got {
				g, w := got[i], want[i]
				if g.Site != w.Site || !slices.Equal(g.Dosage, w.Dosage) || !slices.Equal(g.Haplotypes, w.Haplotypes) || !slices.Equal(g.Ploidy, w.Ploidy) {
					t.Fatalf("%s %+v: site %d differs", path, o, i)
				}
			}
		}
	}
}
