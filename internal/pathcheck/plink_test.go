package pathcheck

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// A PLINK fileset input (named by its .bed or its prefix) brings its .bim
// and .fam; a fileset output brings X.bim and X.fam.
func TestPLINKFilesets(t *testing.T) {
	dir := t.TempDir()
	p := func(name string) string { return filepath.Join(dir, name) }
	for _, n := range []string{"kg.bed", "kg.bim", "kg.fam"} {
		os.WriteFile(p(n), []byte("x"), 0o644)
	}
	for _, c := range []struct {
		name     string
		in, out  string
		plinkOut bool
		conflict bool
	}{
		{"prefix input, .bim output", p("kg"), p("kg.bim"), false, true},
		{".bed input, .fam output", p("kg.bed"), p("kg.fam"), false, true},
		{"prefix input, .bed output", p("kg"), p("kg.bed"), false, true},
		{"fileset output over the input's .fam", p("kg.bed"), p("kg"), true, true},
		{"fileset output beside it", p("kg.bed"), p("other.bed"), true, false},
		{"VCF input, fileset output", p("in.vcf.gz"), p("kg2.bed"), true, false},
	} {
		var s Set
		s.VCFInput("input VCF", c.in)
		if c.plinkOut {
			s.PLINKOutput("output fileset", c.out)
		} else {
			s.Output("-o", c.out)
		}
		err := s.Check()
		var cf *Conflict
		if got := errors.As(err, &cf); got != c.conflict {
			t.Errorf("%s: Check() = %v, want conflict %v", c.name, err, c.conflict)
		}
	}
}
