package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestIndexOfAnotherFileCLI: a .tbi that belongs to another file is
// reported as such (exit 1), not as a corrupt data file.
func TestIndexOfAnotherFileCLI(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "x.vcf.gz")
	b, err := os.ReadFile("../../testdata/vcf/small_phased.vcf.gz")
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(path, b, 0o644)
	idx, err := os.ReadFile(realVCF + ".tbi")
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(path+".tbi", idx, 0o644)
	code, msg := runCLI(t, "stats", path, "--region", "1:11700000-11800000", "--quiet")
	want := "gousynth: index " + path + ".tbi does not match " + path + " (re-index with tabix -p vcf)"
	if code != 1 || !strings.Contains(msg, want) {
		t.Errorf("exit %d, want 1 and %q:\n%s", code, want, msg)
	}
}
