package vcf

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

const fuzzDir = "../testdata/vcf/fuzz"

// seedLines returns the lines of a seed file (split on "\n" only, so that a
// "\r" stays part of its line).
func seedLines(f *testing.F, name string) []string {
	f.Helper()
	b, err := os.ReadFile(filepath.Join(fuzzDir, name))
	if err != nil {
		f.Fatal(err)
	}
	return strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
}

// FuzzParseGT checks that any GT value parses without panicking, that a
// parsed call re-renders to a value parsing to the same call, and that the
// fast path agrees with the general parser on what it accepts.
func FuzzParseGT(f *testing.F) {
	for _, s := range seedLines(f, "gt.txt") {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, gt string) {
		a0, a1, unph, err := parseGT([]byte(gt))
		if err != nil {
			return
		}
		var b strings.Builder
		put := func(a int32) {
			if a == alleleMissing {
				b.WriteByte('.')
			} else {
				b.WriteString(itoa(int(a)))
			}
		}
		put(a0)
		if a1 != alleleAbsent {
			if strings.Contains(gt, "/") && (unph || !strings.Contains(gt, "|")) {
				b.WriteByte('/')
			} else {
				b.WriteByte('|')
			}
			put(a1)
		}
		b0, b1, u2, err := parseGT([]byte(b.String()))
		if err != nil || b0 != a0 || b1 != a1 || u2 != unph {
			t.Fatalf("%q parsed as %d,%d,%v; re-rendered %q as %d,%d,%v (%v)", gt, a0, a1, unph, b.String(), b0, b1, u2, err)
		}
		if len(gt) == 3 {
			dos, haps := make([]int8, 1), make([]int8, 2)
			if sep, ok := fastGT([]byte(gt), dos, haps); ok {
				if a0 > 1 || a1 > 1 || a0 < 0 || a1 < 0 || dos[0] != int8(a0+a1) || haps[0] != int8(a0) || haps[1] != int8(a1) || (sep == '/') != unph {
					t.Fatalf("fast path decoded %q as %v %v", gt, dos, haps)
				}
			}
		}
	})
}

func itoa(v int) string {
	if v == 0 {
		return "0"
	}
	var b []byte
	for ; v > 0; v /= 10 {
		b = append([]byte{byte('0' + v%10)}, b...)
	}
	return string(b)
}

// parseBoth parses line with and without the fast path.
func parseBoth(line []byte, samples []string, keep []int32, split bool) (fast, slow *piece, errFast, errSlow *lineError) {
	pf := newParser(samples, keep, split, true, nil)
	ps := newParser(samples, keep, split, true, nil)
	ps.noFast = true
	fast, slow = &piece{}, &piece{}
	return fast, slow, pf.parseLine(line, fast), ps.parseLine(line, slow)
}

// FuzzParseRecord checks that any data line parses without panicking and
// that the GT fast path and the general parser give identical results.
func FuzzParseRecord(f *testing.F) {
	for _, s := range seedLines(f, "records.txt") {
		f.Add(s, false, uint8(0))
		f.Add(s, true, uint8(3))
	}
	f.Fuzz(func(t *testing.T, line string, split bool, drop uint8) {
		if strings.Contains(line, "\n") {
			return
		}
		// As many samples as the line has columns after FORMAT.
		n := max(0, strings.Count(line, "\t")-8)
		samples := make([]string, n)
		for i := range samples {
			samples[i] = "S" + itoa(i)
		}
		var keep []int32
		if drop > 0 && n > 0 {
			keep = []int32{}
			for i := range n {
				if i%int(drop%4+1) == 0 {
					keep = append(keep, int32(i))
				}
			}
		}
		fast, slow, ef, es := parseBoth([]byte(line), samples, keep, split)
		if (ef == nil) != (es == nil) || ef != nil && ef.msg != es.msg {
			t.Fatalf("errors differ: fast %v, general %v", ef, es)
		}
		if ef != nil {
			return
		}
		if !slices.Equal(fast.sites, slow.sites) || !slices.Equal(fast.dosage, slow.dosage) || !slices.Equal(fast.haps, slow.haps) ||
			!slices.Equal(fast.phased, slow.phased) || fast.skipped != slow.skipped || fast.records != slow.records {
			t.Fatalf("fast path and general parser differ on %q:\n%+v\n%+v", line, fast, slow)
		}
		nk := n
		if keep != nil {
			nk = len(keep)
		}
		if len(fast.dosage) != nk*len(fast.sites) || len(fast.haps) != 2*nk*len(fast.sites) {
			t.Fatalf("sizes: %d sites, %d dosages, %d haplotype alleles for %d samples", len(fast.sites), len(fast.dosage), len(fast.haps), nk)
		}
		for _, d := range fast.dosage {
			if d < Missing || d > 2 {
				t.Fatalf("dosage %d", d)
			}
		}
		// Ploidy: the same on both paths; when kept, one per call, and a
		// haploid call is coded as homozygous (0, 2 or Missing) with its
		// second haplotype Missing.
		if fast.haploid != slow.haploid || !slices.Equal(fast.ploidy, slow.ploidy) {
			t.Fatalf("ploidy differs: fast %v %v, general %v %v", fast.haploid, fast.ploidy, slow.haploid, slow.ploidy)
		}
		if fast.haploid {
			if len(fast.ploidy) != len(fast.dosage) {
				t.Fatalf("%d ploidies for %d calls", len(fast.ploidy), len(fast.dosage))
			}
			for i, p := range fast.ploidy {
				if p != 1 && p != 2 || p == 1 && (fast.dosage[i] == 1 || fast.haps[2*i+1] != Missing) {
					t.Fatalf("call %d: ploidy %d, dosage %d, haplotypes %v", i, p, fast.dosage[i], fast.haps[2*i:2*i+2])
				}
			}
		}
	})
}

// FuzzHeader checks that header parsing never panics, and that feeding the
// input in two parts (as the reader does, block by block) gives the same
// result as parsing it whole.
func FuzzHeader(f *testing.F) {
	names, _ := filepath.Glob(filepath.Join(fuzzDir, "header_*.vcf"))
	names = append(names, edgeVCF)
	for _, name := range names {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b, uint16(len(b)/2))
	}
	f.Fuzz(func(t *testing.T, data []byte, cut uint16) {
		h, n, err := parseHeader(data, true)
		if err == nil && (n > len(data) || h == nil) {
			t.Fatalf("consumed %d of %d bytes", n, len(data))
		}
		k := min(int(cut), len(data))
		// Resumed: the same parser fed the prefix, then the whole input.
		var hp headerParser
		if h3, _, err3 := hp.feed(data[:k], false); h3 == nil && err3 == nil {
			h3, n3, err3 := hp.feed(data, true)
			if (err == nil) != (err3 == nil) || err != nil && (err.msg != err3.msg || err.line != err3.line) ||
				err == nil && (n != n3 || h.NLines != h3.NLines || !slices.Equal(h.Samples, h3.Samples) || !slices.Equal(h.Lines, h3.Lines) || !slices.Equal(h.Contigs, h3.Contigs)) {
				t.Fatalf("resumed after %d bytes: %v %d, whole: %v %d", k, err3, n3, err, n)
			}
		}
		h2, n2, err2 := parseHeader(data[:k], false)
		if h2 == nil && err2 == nil {
			return // needs more input
		}
		if (err == nil) != (err2 == nil) || err == nil && (n != n2 || !slices.Equal(h.Samples, h2.Samples)) {
			t.Fatalf("prefix of %d bytes: %v %d, whole: %v %d", k, err2, n2, err, n)
		}
	})
}

// FuzzReader runs the whole reader (header, pipeline, stitching of records
// across batches) on arbitrary plain-text input: it must return a result or
// an error, never panic or hang, and NewReader on the same bytes (no file:
// no size, no index) must stream the same sites or fail with the same
// error.
func FuzzReader(f *testing.F) {
	b, err := os.ReadFile(edgeVCF)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(b)
	f.Add(bytes.ReplaceAll(b, []byte("\n"), []byte("\r\n")))
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, data []byte) {
		path := filepath.Join(dir, "in.vcf")
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		for _, split := range []bool{false, true} {
			done := make(chan struct{})
			go func() {
				select {
				case <-done:
				case <-time.After(20 * time.Second):
					panic(fmt.Sprintf("reader hangs on %q", data))
				}
			}()
			opts := ReadOptions{Threads: 2, SplitMultiallelic: split}
			g, st, err := ReadFile(path, opts)
			opts.Name = path
			recs, serr := streamAll(data, opts)
			close(done)
			if err != nil {
				if _, ok := err.(*Error); !ok {
					t.Fatalf("error of type %T: %v", err, err)
				}
				if serr == nil || serr.Error() != err.Error() {
					t.Fatalf("NewReader: error %v, ReadFile %v", serr, err)
				}
				continue
			}
			if len(g.Dosage) != g.NumSites()*g.NumSamples() || st.Kept != g.NumSites() {
				t.Fatalf("inconsistent result")
			}
			if serr != nil || len(recs) != g.NumSites() {
				t.Fatalf("NewReader: %d sites, error %v; ReadFile %d sites", len(recs), serr, g.NumSites())
			}
			for v, rec := range recs {
				if rec.Site != g.Sites[v] || !slices.Equal(rec.Dosage, g.Row(v)) {
					t.Fatalf("NewReader: site %d differs", v)
				}
			}
		}
	})
}

// streamAll reads data with NewReader to the end.
func streamAll(data []byte, opts ReadOptions) ([]Record, error) {
	r, err := NewReader(bytes.NewReader(data), opts)
	if err != nil {
		return nil, err
	}
	defer r.Close()
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
