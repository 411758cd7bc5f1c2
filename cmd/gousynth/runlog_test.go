package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestCommandLogs: every command that writes files writes its log beside
// its main output (command line, version, seed and the counts of what it
// read and wrote), or to --log FILE; standard output gets none beside it.
func TestCommandLogs(t *testing.T) {
	dir := t.TempDir()
	sim := filepath.Join(dir, "sim.vcf.gz")
	gen := filepath.Join(dir, "gen.vcf.gz")
	js := filepath.Join(dir, "r.json")
	pairs := filepath.Join(dir, "pairs.tsv.gz")
	for _, c := range []struct {
		args []string
		log  string
		want []string
	}{
		{[]string{"simulate", "--individuals", "40", "--snps", "50", "-o", sim, "--seed", "3"}, "sim.log",
			[]string{"# command: gousynth simulate --individuals 40 --snps 50 -o " + sim + " --seed 3", "# seed: 3", "# gousynth ", "msg=\"wrote simulated panel\"", "individuals=40", "snps=50"}},
		{[]string{"generate", smallModel(t), "-n", "30", "-o", gen}, "gen.log",
			[]string{"# command: gousynth generate", "# seed: 1", "msg=generated individuals=30"}},
		{[]string{"report", "--real", gen, "--synth", gen, "--projections", "10", "--json", js}, "r.log",
			[]string{"# command: gousynth report", "msg=read file=" + gen + " sites=197 individuals=30", "msg=\"report written\""}},
		{[]string{"ld", sim, "-o", pairs}, "pairs.log", []string{"# command: gousynth ld", "msg=read"}},
		{[]string{"stats", sim, "--log", filepath.Join(dir, "stats-run.log")}, "stats-run.log", []string{"# command: gousynth stats"}},
	} {
		code, msg := runCLI(t, append(c.args, "--quiet")...)
		if code != 0 {
			t.Fatalf("%v: exit %d\n%s", c.args, code, msg)
		}
		b, err := os.ReadFile(filepath.Join(dir, c.log))
		if err != nil {
			t.Errorf("%s: no log: %v", c.args[0], err)
			continue
		}
		for _, w := range c.want {
			if !strings.Contains(string(b), w) {
				t.Errorf("%s log lacks %q:\n%s", c.args[0], w, b)
			}
		}
	}
	// --log may not name an input.
	if code, msg := runCLI(t, "stats", sim, "--log", sim); code != 2 || !strings.Contains(msg, "--log") {
		t.Errorf("--log naming the input: exit %d, %s", code, msg)
	}
	// Standard output: no log beside "-".
	before, _ := os.ReadDir(dir)
	if code, msg := runCLI(t, "ld", sim, "-o", "-", "--quiet"); code != 0 {
		t.Fatalf("ld -o -: exit %d\n%s", code, msg)
	}
	if after, _ := os.ReadDir(dir); len(after) != len(before) {
		t.Errorf("ld -o - wrote %d new files", len(after)-len(before))
	}
}
