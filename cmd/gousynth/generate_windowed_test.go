package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gousynth/gousynth/vcf"
)

// A windowed (whole-chromosome) model file written by fit is read back by
// generate: the cohort covers every fitted site in order, defaults to the
// training size, and the same seed gives the same file.
func TestGenerateFromWindowedModel(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "panel.vcf.gz")
	if code, out := runCLI(t, "simulate", "--preset", "1kg-like", "--individuals", "160", "--snps", "1200",
		"--populations", "3", "--seed", "4", "-o", in, "--quiet"); code != 0 {
		t.Fatalf("simulate exit %d: %s", code, out)
	}
	fitDir := filepath.Join(dir, "fit")
	if code, out := runCLI(t, "fit", in, "-o", fitDir, "--max-snps", "500", "--window-snps", "300",
		"--window-overlap", "40", "--steps", "40", "--sampler-steps", "10", "--hidden", "32", "--quiet"); code != 0 {
		t.Fatalf("fit exit %d: %s", code, out)
	}
	fitted, _, err := vcf.ReadFile(filepath.Join(fitDir, "synthetic.vcf.gz"), vcf.ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if fitted.NumSites() <= 500 {
		t.Fatalf("fit wrote %d sites; expected a windowed fit over more than the budget of 500", fitted.NumSites())
	}
	model := filepath.Join(fitDir, "model.gsy")
	a, b := filepath.Join(dir, "a.vcf.gz"), filepath.Join(dir, "b.vcf.gz")
	for _, out := range []string{a, b} {
		if code, msg := runCLI(t, "generate", model, "-o", out, "--seed", "9", "--quiet"); code != 0 {
			t.Fatalf("generate exit %d: %s", code, msg)
		}
	}
	g, _, err := vcf.ReadFile(a, vcf.ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if g.NumSites() != fitted.NumSites() {
		t.Fatalf("generate wrote %d sites, the fit %d", g.NumSites(), fitted.NumSites())
	}
	for v := range g.Sites {
		if g.Sites[v].Pos != fitted.Sites[v].Pos {
			t.Fatalf("site %d at %d, fit has %d", v, g.Sites[v].Pos, fitted.Sites[v].Pos)
		}
	}
	// Default size: the training individuals (70% of 160).
	if g.NumSamples() != 112 {
		t.Fatalf("generate wrote %d individuals, want the training size 112", g.NumSamples())
	}
	// Not a constant cohort: every site's dosages vary across individuals or
	// match a monomorphic training site; at least most sites must vary.
	varying := 0
	for v := 0; v < g.NumSites(); v++ {
		row := g.Row(v)
		for _, x := range row[1:] {
			if x != row[0] {
				varying++
				break
			}
		}
	}
	if varying < g.NumSites()*9/10 {
		t.Fatalf("only %d of %d sites vary in the generated cohort", varying, g.NumSites())
	}
	ba, _ := os.ReadFile(a)
	bb, _ := os.ReadFile(b)
	if !bytes.Equal(ba, bb) {
		t.Fatal("the same windowed model and seed gave different files")
	}
	if code, _ := runCLI(t, "generate", model, "-o", filepath.Join(dir, "c.vcf.gz"), "--region", "1:1-1000"); code != 2 {
		t.Fatalf("--region on a windowed model: exit %d, want 2", code)
	}
	// A modified or truncated windowed model fails its checksum: exit 1,
	// the file named, no output.
	for name, edit := range map[string]func([]byte) []byte{
		"flipped":   func(b []byte) []byte { b = bytes.Clone(b); b[len(b)/2] ^= 0x04; return b },
		"truncated": func(b []byte) []byte { return b[:len(b)*3/4] },
	} {
		bad := filepath.Join(dir, name+".gsy")
		if err := os.WriteFile(bad, edit(readFile(t, model)), 0o644); err != nil {
			t.Fatal(err)
		}
		out := filepath.Join(dir, name+".vcf.gz")
		code, msg := runCLI(t, "generate", bad, "-o", out)
		if code != 1 || !strings.Contains(msg, name+".gsy") || !strings.Contains(msg, "checksum mismatch") {
			t.Errorf("%s windowed model: exit %d, message %q; want exit 1 naming the file and a checksum mismatch", name, code, msg)
		}
		if _, err := os.Stat(out); !os.IsNotExist(err) {
			t.Errorf("%s windowed model: output written", name)
		}
	}
}

// readFile reads the file at path.
func readFile(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
