package vcf

import (
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// TestWriterIndexFailureLeavesNoVCF: when the index cannot be written, the
// VCF does not appear either (and an older VCF there is kept).
func TestWriterIndexFailureLeavesNoVCF(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "out.vcf.gz")
	os.WriteFile(out, []byte("old"), 0o644)
	os.Mkdir(out+".tbi", 0o755) // the index cannot go there
	if err := WriteGenotypes(out, randomGenotypes(1, 20, 3, false), Header{}); err == nil {
		t.Fatal("write succeeded without an index")
	}
	if b, _ := os.ReadFile(out); string(b) != "old" {
		t.Errorf("the VCF was replaced without its index")
	}
	if es, _ := os.ReadDir(dir); len(es) != 2 {
		t.Errorf("leftovers: %v", es)
	}
}

// TestWriterStreamHasNoIndex: a VCF written to a FIFO goes through it, with
// no index file beside it.
func TestWriterStreamHasNoIndex(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "out.vcf.gz")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Skip("no FIFOs:", err)
	}
	got := make(chan int)
	go func() {
		b, _ := os.ReadFile(fifo)
		got <- len(b)
	}()
	if err := WriteGenotypes(fifo, randomGenotypes(2, 20, 3, false), Header{}); err != nil {
		t.Fatal(err)
	}
	if n := <-got; n == 0 {
		t.Error("nothing reached the reader")
	}
	if fi, err := os.Lstat(fifo); err != nil || fi.Mode()&fs.ModeNamedPipe == 0 {
		t.Error("the FIFO was replaced")
	}
	if _, err := os.Stat(fifo + ".tbi"); err == nil {
		t.Error("an index was written beside a stream")
	}
}
