package vcf

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestPosBounds: POS 0 and POS beyond 2^31-1 are read errors with the
// file and line; 1 and 2^31-1 are read.
func TestPosBounds(t *testing.T) {
	head := "##fileformat=VCFv4.2\n#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tS1\n"
	dir := t.TempDir()
	for _, c := range []struct {
		pos, want string
	}{
		{"0", ":3: POS 0 is outside the VCF range 1 to 2^31-1"},
		{"2147483648", ":3: POS 2147483648 is outside the VCF range"},
		{"99999999999", ":3: POS 99999999999 is outside"},
		{"1", ""},
		{"2147483647", ""},
	} {
		path := filepath.Join(dir, "p"+c.pos+".vcf")
		os.WriteFile(path, []byte(head+"1\t"+c.pos+"\t.\tA\tG\t.\t.\t.\tGT\t0/1\n"), 0o644)
		_, _, err := ReadFile(path, ReadOptions{})
		switch {
		case c.want == "" && err != nil:
			t.Errorf("POS %s: %v", c.pos, err)
		case c.want != "" && (err == nil || !strings.Contains(err.Error(), path+c.want)):
			t.Errorf("POS %s: got %v, want %q", c.pos, err, path+c.want)
		}
	}
}

// TestDirectoryIsNotEmpty: a directory given as a VCF says so.
func TestDirectoryIsNotEmpty(t *testing.T) {
	dir := t.TempDir()
	_, _, err := ReadFile(dir, ReadOptions{})
	if err == nil || !strings.Contains(err.Error(), "is a directory") || strings.Contains(err.Error(), "empty") {
		t.Errorf("got %v", err)
	}
}
