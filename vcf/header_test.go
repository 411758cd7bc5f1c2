package vcf

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// bigHeader returns a VCF whose header holds about size bytes of "##" lines.
func bigHeader(size int) []byte {
	var b strings.Builder
	b.WriteString("##fileformat=VCFv4.2\n##contig=<ID=1,length=1000>\n")
	for i := 0; b.Len() < size; i++ {
		fmt.Fprintf(&b, "##INFO=<ID=K%d,Number=1,Type=String,Description=\"padding line %d of a very large header, as written by some annotation pipelines\">\n", i, i)
	}
	b.WriteString("#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tA\tB\n1\t10\t.\tA\tG\t.\t.\t.\tGT\t0|1\t1|1\n")
	return []byte(b.String())
}

// countdownCtx is a context that is cancelled by its n-th Err call: a
// deterministic "the user pressed ^C while the header was being read".
type countdownCtx struct {
	context.Context
	mu   sync.Mutex
	n    int
	done chan struct{}
}

func newCountdown(n int) *countdownCtx {
	return &countdownCtx{Context: context.Background(), n: n, done: make(chan struct{})}
}

func (c *countdownCtx) Err() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.n > 0 {
		c.n--
		if c.n == 0 {
			close(c.done)
		}
	}
	if c.n == 0 {
		return context.Canceled
	}
	return nil
}

func (c *countdownCtx) Done() <-chan struct{} { return c.done }

// TestHeaderCancel checks that a reader stops in the middle of a large
// header when its context is cancelled, and reports context.Canceled.
func TestHeaderCancel(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "big.vcf")
	data := bigHeader(4 << 20)
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"big.vcf", "big.vcf.gz"} {
		p := filepath.Join(dir, name)
		if name == "big.vcf.gz" {
			if err := writeBGZFFile(p, data); err != nil {
				t.Fatal(err)
			}
		}
		// Cancelled after a few blocks of the header: never reaches the records.
		_, err := OpenContext(newCountdown(5), p, ReadOptions{})
		if !errors.Is(err, context.Canceled) {
			t.Errorf("%s: OpenContext after cancellation: err = %v, want context.Canceled", name, err)
		}
		_, _, err = ReadFileContext(newCountdown(5), p, ReadOptions{})
		if !errors.Is(err, context.Canceled) {
			t.Errorf("%s: ReadFileContext after cancellation: err = %v, want context.Canceled", name, err)
		}
		// Not cancelled: the same file reads.
		g, _, err := ReadFileContext(context.Background(), p, ReadOptions{})
		if err != nil || g.NumSites() != 1 {
			t.Fatalf("%s: %v", name, err)
		}
	}
}

// TestReaderCancelNext checks that Next returns context.Canceled once the
// reader's context is cancelled.
func TestReaderCancelNext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	r, err := OpenContext(ctx, "../testdata/1kg_chr1_11.7M.vcf.gz", ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if _, err := r.Next(); err != nil {
		t.Fatal(err)
	}
	cancel()
	for {
		_, err := r.Next()
		if err != nil {
			if !errors.Is(err, context.Canceled) {
				t.Fatalf("Next after cancel: %v, want context.Canceled", err)
			}
			break
		}
	}
}

// TestHeaderResume checks that the header fed block by block (as the reader
// does) gives the result of parsing it whole.
func TestHeaderResume(t *testing.T) {
	data := bigHeader(1 << 20)
	want, wn, err := parseHeader(data, true)
	if err != nil {
		t.Fatal(err)
	}
	var hp headerParser
	for k := 1000; ; k += 7919 {
		end := min(k, len(data))
		h, n, err := hp.feed(data[:end], end == len(data))
		if err != nil {
			t.Fatal(err)
		}
		if h != nil {
			if n != wn || h.NLines != want.NLines || len(h.Lines) != len(want.Lines) || len(h.Contigs) != 1 || strings.Join(h.Samples, ",") != "A,B" {
				t.Fatalf("resumed parse: %d bytes, %d lines; whole: %d bytes, %d lines", n, h.NLines, wn, want.NLines)
			}
			return
		}
		if end == len(data) {
			t.Fatal("no header")
		}
	}
}

// BenchmarkHeader reads a VCF with 40 MB of "##" header lines, the case that
// took 23.8 s when each block re-parsed the header from its start.
func BenchmarkHeader(b *testing.B) {
	path := filepath.Join(b.TempDir(), "big.vcf.gz")
	data := bigHeader(40 << 20)
	if err := writeBGZFFile(path, data); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	b.ResetTimer()
	for range b.N {
		r, err := Open(path, ReadOptions{})
		if err != nil {
			b.Fatal(err)
		}
		r.Close()
	}
}

// writeBGZFFile writes data to path as BGZF with an end-of-file block.
func writeBGZFFile(path string, data []byte) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := compressBGZF(f, data); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
