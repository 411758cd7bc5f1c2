package vcf

import (
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// textOf returns the decompressed text of a bundled VCF.
func textOf(t *testing.T, path string) []byte {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !isBGZFHeader(raw) {
		return raw
	}
	text, err := inflateAll(raw)
	if err != nil {
		t.Fatal(err)
	}
	return text
}

func bgzfOf(t *testing.T, text []byte) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := compressBGZF(&b, text); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// bgzfTiny compresses text into BGZF blocks of blockSize bytes.
func bgzfTiny(t *testing.T, text []byte, blockSize int) []byte {
	t.Helper()
	var b bytes.Buffer
	bw := newBGZFWriter(&b, 6, 2)
	bw.maxData = blockSize
	bw.Write(text)
	if err := bw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// smallBatches makes the reader hand out tiny batches for the rest of the
// test, so that small files exercise records split across batches.
func smallBatches(t *testing.T, n int) {
	old := batchTarget
	batchTarget = n
	t.Cleanup(func() { batchTarget = old })
}

func gzipOf(text []byte) []byte {
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	zw.Write(text)
	zw.Close()
	return b.Bytes()
}

// editLine applies f to line n (1-based) of text.
func editLine(text []byte, n int, f func(string) string) []byte {
	lines := strings.SplitAfter(string(text), "\n")
	nl := strings.HasSuffix(lines[n-1], "\n")
	l := f(strings.TrimSuffix(lines[n-1], "\n"))
	if nl && !strings.HasSuffix(l, "\n") {
		l += "\n"
	}
	lines[n-1] = l
	return []byte(strings.Join(lines, ""))
}

func headerLines(text []byte) int {
	return bytes.Count(text[:bytes.Index(text, []byte("\n#CHROM"))+1], []byte{'\n'}) + 1
}

func TestBadInput(t *testing.T) {
	smallBatches(t, 2000)
	small := textOf(t, smallVCF)
	H := headerLines(small)
	bgzfSmall := bgzfOf(t, small)
	// Many blocks and batches: line numbers must count across them.
	bgzfMany := bgzfTiny(t, small, 1000)
	// Without the #CHROM line the header fails at the first record.
	noChrom := bytes.Replace(small, bytes.SplitAfter(small, []byte("\n"))[H-1], nil, 1)
	dropLastColumn := func(l string) string { return l[:strings.LastIndexByte(l, '\t')] }
	setPos := func(pos string) func(string) string {
		return func(l string) string {
			f := strings.SplitN(l, "\t", 3)
			return f[0] + "\t" + pos + "\t" + f[2]
		}
	}
	cases := []struct {
		name    string
		data    []byte
		kind    error
		line    int
		message string
	}{
		{"empty", nil, ErrEmpty, 0, "empty file"},
		{"empty BGZF", bgzfEOF, ErrEmpty, 0, "empty file"},
		{"empty gzip", gzipOf(nil), ErrEmpty, 0, "empty file"},
		{"no fileformat line", editLine(small, 1, func(string) string { return "" })[1:], ErrHeader, 1, "missing ##fileformat"},
		{"no #CHROM line", noChrom, ErrHeader, H, "missing #CHROM header line"},
		{"malformed #CHROM line", editLine(small, H, func(l string) string { return strings.Replace(l, "\tREF\t", "\tREFX\t", 1) }), ErrHeader, H, `column 4 of the #CHROM line is "REFX"`},
		{"#CHROM line with spaces", editLine(small, H, func(l string) string { return strings.ReplaceAll(l, "\t", " ") }), ErrHeader, H, "is it tab-separated"},
		{"duplicate sample IDs", editLine(small, H, func(l string) string {
			f := strings.Split(l, "\t")
			f[10] = f[9]
			return strings.Join(f, "\t")
		}), ErrHeader, H, "duplicate sample ID"},
		{"missing sample column", editLine(small, H+3, dropLastColumn), ErrMalformed, H + 3, "wrong number of sample columns: got 11, header has 12"},
		{"extra sample column", editLine(small, H+2, func(l string) string { return l + "\t0|0" }), ErrMalformed, H + 2, "wrong number of sample columns: got 13, header has 12"},
		{"missing fixed columns", editLine(small, H+1, func(l string) string { return strings.Join(strings.Split(l, "\t")[:5], "\t") }), ErrMalformed, H + 1, "wrong number of columns"},
		{"non-numeric POS", editLine(small, H+1, func(l string) string { return strings.Replace(l, "\t", "\t1e6x", 1) }), ErrMalformed, H + 1, "non-numeric POS"},
		{"allele index beyond ALT", editLine(small, H+4, func(l string) string { return dropLastColumn(l) + "\t0|2" }), ErrMalformed, H + 4, "allele index 2 beyond the ALT list"},
		{"malformed GT", editLine(small, H+4, func(l string) string { return dropLastColumn(l) + "\t0|x" }), ErrMalformed, H + 4, `malformed GT "0|x"`},
		{"polyploid GT", editLine(small, H+4, func(l string) string { return dropLastColumn(l) + "\t0/1/1" }), ErrMalformed, H + 4, "polyploid"},
		{"header line among records", editLine(small, H+2, func(l string) string { return "##late=1\n" + l }), ErrMalformed, H + 2, "header line after the first record"},
		{"truncated BGZF", bgzfMany[:len(bgzfMany)/2], ErrTruncated, -1, "truncated BGZF block"},
		{"BGZF without EOF block", bgzfSmall[:len(bgzfSmall)-len(bgzfEOF)], ErrTruncated, -1, "no end-of-file marker"},
		{"corrupt BGZF block", func() []byte {
			b := bytes.Clone(bgzfMany)
			b[len(b)/3] ^= 0x55
			return b
		}(), ErrTruncated, -1, "corrupt BGZF block"},
		{"truncated gzip", func() []byte { g := gzipOf(small); return g[:len(g)*2/3] }(), ErrTruncated, -1, "truncated gzip stream"},
		{"not VCF text", []byte("chr1\t100\tA\tG\n"), ErrNotVCF, 1, "not a VCF file"},
		{"binary file", []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), ErrNotVCF, 1, "not a VCF file"},
		{"uncompressed BCF", []byte("BCF\x02\x02\x10\x00\x00\x00##fileformat=VCFv4.2\n"), ErrNotVCF, 1, "BCF file"},
		// A problem deep in a large file: the line number counts across
		// batches, blocks and workers.
		{"unsorted POS", editLine(small, H+5, setPos("1")), ErrUnsorted, H + 5, "records are not sorted: POS 1 comes after POS 11700116 on contig 1"},
		{"unsorted deep in BGZF", bgzfTiny(t, editLine(small, H+300, setPos("1")), 1000), ErrUnsorted, H + 300, "records are not sorted: POS 1 comes after"},
		{"contig appears again", editLine(small, H+10, func(l string) string { return "2" + l[1:] }), ErrUnsorted, H + 11, "contig 1 appears again after contig 2"},
		{"error deep in BGZF", bgzfTiny(t, editLine(small, H+300, dropLastColumn), 1000), ErrMalformed, H + 300, "got 11, header has 12"},
		{"error deep in plain text", editLine(small, H+222, func(l string) string { return strings.Replace(l, "0|0", "0|3", 1) }), ErrMalformed, H + 222, "allele index 3"},
	}
	if !testing.Short() {
		// The same in a large file with full-size blocks and batches.
		big := textOf(t, realVCF)
		bigH := headerLines(big)
		cases = append(cases, []struct {
			name    string
			data    []byte
			kind    error
			line    int
			message string
		}{
			{"error deep in large BGZF", bgzfOf(t, editLine(big, bigH+3000, dropLastColumn)), ErrMalformed, bigH + 3000, "got 2503, header has 2504"},
			{"error deep in large plain text", editLine(big, bigH+2222, func(l string) string { return strings.Replace(l, "0|0", "0|3", 1) }), ErrMalformed, bigH + 2222, "allele index 3"},
		}...)
	}
	dir := t.TempDir()
	for i, c := range cases {
		if strings.Contains(c.name, "large") {
			batchTarget = 512 << 10
		}
		t.Run(c.name, func(t *testing.T) {
			path := filepath.Join(dir, fmt.Sprintf("bad%02d.vcf.gz", i))
			if err := os.WriteFile(path, c.data, 0o644); err != nil {
				t.Fatal(err)
			}
			_, _, err := ReadFile(path, ReadOptions{Threads: 2})
			if err == nil {
				t.Fatal("no error")
			}
			var e *Error
			if !errors.Is(err, c.kind) || !errors.As(err, &e) {
				t.Fatalf("got %v, want an *Error wrapping %v", err, c.kind)
			}
			msg := err.Error()
			t.Log(msg)
			switch {
			case c.line > 0:
				if prefix := fmt.Sprintf("%s:%d: ", path, c.line); !strings.HasPrefix(msg, prefix) {
					t.Errorf("got %q, want prefix %q", msg, prefix)
				}
			case c.line < 0:
				if e.Line <= H || !strings.HasPrefix(msg, fmt.Sprintf("%s:%d: ", path, e.Line)) {
					t.Errorf("got %q: want a data line number", msg)
				}
			default:
				if !strings.HasPrefix(msg, path+": ") {
					t.Errorf("got %q, want prefix %q", msg, path+": ")
				}
			}
			if !strings.Contains(msg, c.message) {
				t.Errorf("got %q, want it to contain %q", msg, c.message)
			}
			// The streaming reader reports the same error.
			r, err := Open(path, ReadOptions{Threads: 3})
			if err == nil {
				for err == nil {
					_, err = r.Next()
				}
				r.Close()
			}
			if err.Error() != msg {
				t.Errorf("streaming: got %q, ReadFile %q", err, msg)
			}
		})
	}
}

func TestBCFGivenAsVCF(t *testing.T) {
	need(t, "bcftools")
	path := filepath.Join(t.TempDir(), "x.bcf")
	run(t, "bcftools", "view", "-Ob", "-o", path, smallVCF)
	_, _, err := ReadFile(path, ReadOptions{})
	if !errors.Is(err, ErrNotVCF) || !strings.Contains(err.Error(), "BCF") || !strings.HasPrefix(err.Error(), path+":1: ") {
		t.Errorf("got %v", err)
	}
}

// TestTinyBatches reads files cut into tiny blocks and batches, so that most
// records straddle batches, and compares with the normal read.
func TestTinyBatches(t *testing.T) {
	want, wantStats, err := ReadFile(smallVCF, ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	text := textOf(t, smallVCF)
	dir := t.TempDir()
	for _, c := range []struct {
		name  string
		data  []byte
		batch int
	}{
		{"bgzf-blocks-500", bgzfTiny(t, text, 500), 1},
		{"bgzf-blocks-3000", bgzfTiny(t, text, 3000), 7000},
		{"plain-97", text, 97},
		{"plain-4096", text, 4096},
	} {
		t.Run(c.name, func(t *testing.T) {
			smallBatches(t, c.batch)
			path := filepath.Join(dir, c.name+".vcf.gz")
			os.WriteFile(path, c.data, 0o644)
			for _, threads := range []int{1, 3} {
				g, st, err := ReadFile(path, ReadOptions{Threads: threads})
				if err != nil {
					t.Fatal(err)
				}
				if !slices.Equal(g.Sites, want.Sites) || !slices.Equal(g.Dosage, want.Dosage) || !slices.Equal(g.Haplotypes, want.Haplotypes) || st.Records != wantStats.Records {
					t.Fatalf("threads %d: differs from the normal read", threads)
				}
			}
		})
	}
}

// TestUnsortedLineNumbers moves each record in turn before its predecessor
// and reads with batches far smaller than a line and of about a line, so
// the violation falls inside batches, at their first line, and in records
// assembled across batches: the line reported must always be the record's.
func TestUnsortedLineNumbers(t *testing.T) {
	small := textOf(t, smallVCF)
	H := headerLines(small)
	dir := t.TempDir()
	for _, size := range []int{37, 200, 700} {
		smallBatches(t, size)
		for k := H + 2; k <= H+40; k++ {
			text := editLine(small, k, func(l string) string {
				f := strings.SplitN(l, "\t", 3)
				return f[0] + "\t1\t" + f[2]
			})
			path := filepath.Join(dir, fmt.Sprintf("u%d_%d.vcf", size, k))
			os.WriteFile(path, text, 0o644)
			_, _, err := ReadFile(path, ReadOptions{Threads: 2})
			want := fmt.Sprintf("%s:%d: records are not sorted: POS 1 comes after", path, k)
			if !errors.Is(err, ErrUnsorted) || !strings.HasPrefix(fmt.Sprint(err), want) {
				t.Fatalf("batch %d, line %d: got %v, want %q...", size, k, err, want)
			}
		}
	}
	// Equal positions (several records at one POS) are sorted.
	text := editLine(small, H+3, func(l string) string {
		f := strings.SplitN(l, "\t", 3)
		return f[0] + "\t11700095\t" + f[2]
	})
	path := filepath.Join(dir, "equal.vcf")
	os.WriteFile(path, text, 0o644)
	if _, _, err := ReadFile(path, ReadOptions{}); err != nil {
		t.Errorf("records at one position: %v", err)
	}
}
