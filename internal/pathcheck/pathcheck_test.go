package pathcheck

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestCheck(t *testing.T) {
	dir := t.TempDir()
	p := func(name string) string { return filepath.Join(dir, name) }
	os.MkdirAll(p("out"), 0o755)
	os.MkdirAll(p("real"), 0o755)
	for _, n := range []string{"in.vcf.gz", "in.vcf.gz.tbi", "out/synthetic.vcf.gz", "model.gsy", "real/x.tsv"} {
		os.WriteFile(p(n), []byte("x"), 0o644)
	}
	os.Link(p("model.gsy"), p("hard.gsy"))
	os.Symlink(p("in.vcf.gz"), p("link.vcf.gz"))
	os.Symlink("real", p("linkdir"))
	type add func(*Set)
	in := func(role, path string) add { return func(s *Set) { s.Input(role, path) } }
	vin := func(role, path string) add { return func(s *Set) { s.VCFInput(role, path) } }
	out := func(role, path string) add { return func(s *Set) { s.Output(role, path) } }
	vout := func(role, path string) add { return func(s *Set) { s.VCFOutput(role, path) } }
	rel, _ := filepath.Rel(mustWd(t), p("in.vcf.gz"))
	for _, c := range []struct {
		name  string
		files []add
		want  string // "" = no conflict; else words of the message
	}{
		{"distinct", []add{vin("input VCF", p("in.vcf.gz")), vout("output VCF", p("new.vcf.gz"))}, ""},
		{"output is the input", []add{vin("input VCF", p("out/synthetic.vcf.gz")), vout("synthetic VCF", p("out/synthetic.vcf.gz"))}, "synthetic VCF " + p("out/synthetic.vcf.gz") + " is the same file as input VCF"},
		{"output is the input's index", []add{vin("input VCF", p("in.vcf.gz")), out("truth TSV", p("in.vcf.gz.tbi"))}, "is the same file as index of input VCF"},
		{"missing input index is no conflict", []add{vin("input VCF", p("model.gsy")), out("report", p("model.gsy.csi"))}, ""},
		{"hard link", []add{in("model", p("model.gsy")), out("output", p("hard.gsy"))}, "is the same file as model"},
		{"symlink to the input", []add{in("input VCF", p("in.vcf.gz")), out("output", p("link.vcf.gz"))}, "same file"},
		{"relative and absolute", []add{in("input VCF", rel), out("output", p("in.vcf.gz"))}, "same file"},
		{"new file through a linked directory", []add{out("HTML report", p("linkdir/r.html")), out("JSON", p("real/r.html"))}, "are the same file"},
		{"existing file through a linked directory", []add{in("truth", p("real/x.tsv")), out("TSV", p("linkdir/x.tsv"))}, "same file"},
		{"output is another output's index", []add{vout("output VCF", p("x.vcf.gz")), out("truth TSV", p("x.vcf.gz.tbi"))}, "index of output VCF " + p("x.vcf.gz.tbi") + " and truth TSV"},
		{"two outputs on stdout", []add{out("HTML report", "-"), out("JSON", "-")}, "both go to standard output"},
		{"stdin and stdout", []add{in("input VCF", "-"), vout("output VCF", "-")}, ""},
		{"devices are shared", []add{out("r2", os.DevNull), out("decay", os.DevNull)}, ""},
		{"input is a directory", []add{vin("input VCF", p("out"))}, p("out") + ": is a directory"},
		{"output is a directory", []add{out("report", p("real"))}, p("real") + ": is a directory"},
	} {
		t.Run(c.name, func(t *testing.T) {
			var s Set
			for _, f := range c.files {
				f(&s)
			}
			err := s.Check()
			switch {
			case c.want == "" && err != nil:
				t.Errorf("unexpected error: %v", err)
			case c.want != "" && err == nil:
				t.Errorf("no error, want %q", c.want)
			case c.want != "" && !strings.Contains(err.Error(), c.want):
				t.Errorf("error %q does not say %q", err, c.want)
			}
			var cf *Conflict
			var na *NotAFile
			if err != nil && !errors.As(err, &cf) && !errors.As(err, &na) {
				t.Errorf("error of type %T", err)
			}
		})
	}
}

func mustWd(t *testing.T) string {
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	return wd
}
