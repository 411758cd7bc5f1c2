package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/gousynth/gousynth/vcf"
)

// fitMetrics is the part of metrics.json the workflow tests read.
type fitMetrics struct {
	NumSites int      `json:"num_sites"`
	NumTest  int      `json:"num_test"`
	NumTrain int      `json:"num_train"`
	Notes    []string `json:"notes"`
	Verdicts []struct {
		Area, Verdict, Reason string
	} `json:"verdicts"`
	Privacy []struct {
		Name  string   `json:"name"`
		Value *float64 `json:"value"`
	} `json:"privacy"`
}

func readFitMetrics(t *testing.T, path string) fitMetrics {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var m fitMetrics
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return m
}

func readLines(t *testing.T, path string) []string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
}

// TestFitWithoutHeldOut: --test-fraction 0 trains on every individual;
// the report says there are no held-out comparisons instead of failing,
// the privacy checks that need non-members are not available, and
// --write-split writes the training list only.
func TestFitWithoutHeldOut(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end fit in -short mode")
	}
	out := filepath.Join(t.TempDir(), "fit")
	code, msg := runCLI(t, append([]string{"fit", realVCF, "--test-fraction", "0", "--write-split", "-o", out}, smallFit...)...)
	if code != 0 {
		t.Fatalf("fit exited %d:\n%s", code, msg)
	}
	m := readFitMetrics(t, filepath.Join(out, "metrics.json"))
	if m.NumTest != 0 || m.NumTrain != 2504 {
		t.Errorf("num_test %d, num_train %d; want 0 and all 2504", m.NumTest, m.NumTrain)
	}
	if !strings.Contains(strings.Join(m.Notes, "\n"), "no held-out individuals") {
		t.Errorf("notes do not say there are no held-out individuals: %q", m.Notes)
	}
	for _, v := range m.Verdicts {
		if v.Area != "Privacy" && v.Verdict != "not assessed" {
			t.Errorf("%s verdict %q without held-out individuals", v.Area, v.Verdict)
		}
		if v.Area == "Privacy" && !strings.Contains(v.Reason, "not available: no held-out individuals") {
			t.Errorf("privacy verdict %+v does not say what is not available", v)
		}
	}
	for _, p := range m.Privacy {
		if (p.Name == "mia_auc" || p.Name == "ratio_mia_auc" || p.Name == "freq_mia_auc") && p.Value != nil {
			t.Errorf("%s = %g without non-members, want null", p.Name, *p.Value)
		}
	}
	// run.log starts with the provenance of the run.
	runLog := readLines(t, filepath.Join(out, "run.log"))
	if !strings.HasPrefix(runLog[0], "level=DEBUG msg=run gousynth=") || !strings.Contains(runLog[0], "--test-fraction 0 --write-split") || !strings.Contains(runLog[0], " seed=1 ") {
		t.Errorf("run.log starts %q", runLog[0])
	}
	ids := readLines(t, filepath.Join(out, "train.samples.real-ids.txt"))
	if len(ids) != 2504 || ids[0] != "HG00096" {
		t.Errorf("training list: %d IDs, first %q", len(ids), ids[0])
	}
	if _, err := os.Stat(filepath.Join(out, "test.samples.real-ids.txt")); !os.IsNotExist(err) {
		t.Errorf("a test list was written without held-out individuals: %v", err)
	}
}

// TestFitExternalTest: --test evaluates against another file's
// individuals, on the sites both hold; the mismatches are counted in
// run.log and metrics.json, and --test with --test-fraction > 0 is a
// usage error.
func TestFitExternalTest(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end fit in -short mode")
	}
	dir := t.TempDir()
	g, _, err := vcf.ReadFile(realVCF, vcf.ReadOptions{Region: "1:11700000-11760000"})
	if err != nil {
		t.Fatal(err)
	}
	write := func(name string, lo, hi, dropEvery int) string {
		sub := &vcf.Genotypes{Samples: g.Samples[lo:hi]}
		n := g.NumSamples()
		for v, s := range g.Sites {
			if dropEvery > 0 && v%dropEvery == 0 {
				continue
			}
			sub.Sites = append(sub.Sites, s)
			sub.Dosage = append(sub.Dosage, g.Dosage[v*n+lo:v*n+hi]...)
		}
		p := filepath.Join(dir, name)
		if err := vcf.WriteGenotypes(p, sub, vcf.Header{}); err != nil {
			t.Fatal(err)
		}
		return p
	}
	train, test := write("train.vcf.gz", 0, 1800, 0), write("test.vcf.gz", 1800, 2504, 10)
	out := filepath.Join(dir, "fit")
	code, msg := runCLI(t, append([]string{"fit", train, "--test", test, "--write-split", "-o", out}, smallFit...)...)
	if code != 0 {
		t.Fatalf("fit exited %d:\n%s", code, msg)
	}
	m := readFitMetrics(t, filepath.Join(out, "metrics.json"))
	if m.NumTest != 704 || m.NumTrain != 1800 {
		t.Errorf("num_test %d, num_train %d; want 704 and 1800", m.NumTest, m.NumTrain)
	}
	notes := strings.Join(m.Notes, "\n")
	logText, _ := os.ReadFile(filepath.Join(out, "run.log"))
	for _, where := range []string{notes, string(logText)} {
		if !strings.Contains(where, "external test cohort "+test+" (704 individuals)") || !strings.Contains(where, "training sites that passed the filters are not in it") {
			t.Errorf("the site mismatches are not reported:\n%s", where)
		}
	}
	s, _, err := vcf.ReadFile(filepath.Join(out, "synthetic.vcf.gz"), vcf.ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if s.NumSites() != m.NumSites {
		t.Errorf("synthetic VCF has %d sites, the evaluation %d", s.NumSites(), m.NumSites)
	}
	// Every evaluated site is in the test file.
	tg, _, _ := vcf.ReadFile(test, vcf.ReadOptions{})
	for _, site := range s.Sites {
		if !slices.ContainsFunc(tg.Sites, func(x vcf.Site) bool { return x == site }) {
			t.Fatalf("site %v of the fit is not in the test file", site)
		}
	}
	if ids := readLines(t, filepath.Join(out, "train.samples.real-ids.txt")); len(ids) != 1800 {
		t.Errorf("training list of %d IDs, want 1800", len(ids))
	}
	code, msg = runCLI(t, "fit", train, "--test", test, "--test-fraction", "0.2", "-o", filepath.Join(dir, "bad"))
	if code != 2 || !strings.Contains(msg, "--test-fraction 0.2 cannot go with it") {
		t.Errorf("--test with --test-fraction 0.2: exit %d, %s", code, msg)
	}
	code, msg = runCLI(t, "compare", train, "--test-fraction", "0", "-o", filepath.Join(dir, "bad"))
	if code != 2 || !strings.Contains(msg, "compare: --test-fraction must be in (0, 1)") {
		t.Errorf("compare --test-fraction 0: exit %d, %s", code, msg)
	}
}

// TestReportOnFitSplit: the sample lists of fit --write-split let report
// recompute fit's evaluation from the input VCF and the synthetic cohort:
// the same individuals on each side and the same sites.
func TestReportOnFitSplit(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end fit in -short mode")
	}
	dir := t.TempDir()
	out := filepath.Join(dir, "fit")
	if code, msg := runCLI(t, append([]string{"fit", realVCF, "--write-split", "-o", out}, smallFit...)...); code != 0 {
		t.Fatalf("fit exited %d:\n%s", code, msg)
	}
	fm := readFitMetrics(t, filepath.Join(out, "metrics.json"))
	trainIDs := readLines(t, filepath.Join(out, "train.samples.real-ids.txt"))
	testIDs := readLines(t, filepath.Join(out, "test.samples.real-ids.txt"))
	if len(trainIDs) != fm.NumTrain || len(testIDs) != fm.NumTest || len(trainIDs)+len(testIDs) != 2504 {
		t.Fatalf("lists of %d and %d IDs for %d training and %d test individuals", len(trainIDs), len(testIDs), fm.NumTrain, fm.NumTest)
	}
	for _, id := range testIDs {
		if slices.Contains(trainIDs, id) {
			t.Fatalf("%s is in both lists", id)
		}
	}
	js := filepath.Join(dir, "r.json")
	code, msg := runCLI(t, "report", "--real", realVCF, "--real-samples-file", filepath.Join(out, "test.samples.real-ids.txt"),
		"--train", realVCF, "--train-samples-file", filepath.Join(out, "train.samples.real-ids.txt"),
		"--synth", filepath.Join(out, "synthetic.vcf.gz"), "-r", "1:11700000-11760000", "--projections", "50", "--json", js)
	if code != 0 {
		t.Fatalf("report exited %d:\n%s", code, msg)
	}
	rm := readFitMetrics(t, js)
	if rm.NumTest != fm.NumTest || rm.NumTrain != fm.NumTrain || rm.NumSites != fm.NumSites {
		t.Errorf("report on the split: %d test, %d training, %d sites; fit had %d, %d, %d", rm.NumTest, rm.NumTrain, rm.NumSites, fm.NumTest, fm.NumTrain, fm.NumSites)
	}
}

// TestOneSetOfFlags: every command that reads genotypes has -r/--region and
// sample selection, every output is -o/--out (the old spellings still
// work, hidden), and --version prints what "version" does.
func TestOneSetOfFlags(t *testing.T) {
	root := newRootCmd()
	for _, c := range []struct {
		cmd     string
		samples []string // sample-selection flags
		out     bool
	}{
		{"fit", []string{"samples", "samples-file", "exclude-samples", "exclude-samples-file"}, true},
		{"compare", []string{"samples", "samples-file", "exclude-samples", "exclude-samples-file"}, true},
		{"ld", []string{"samples", "samples-file", "exclude-samples", "exclude-samples-file"}, true},
		{"stats", []string{"samples", "samples-file", "exclude-samples", "exclude-samples-file"}, false},
		{"report", []string{"real-samples", "real-samples-file", "train-samples", "train-samples-file"}, true},
		{"audit", []string{"train-samples", "train-samples-file", "test-samples", "test-samples-file"}, true},
		{"generate", nil, true},
		{"simulate", nil, true},
	} {
		sub, _, err := root.Find([]string{c.cmd})
		if err != nil {
			t.Fatal(err)
		}
		fs := sub.Flags()
		if c.cmd != "simulate" {
			if f := fs.Lookup("region"); f == nil || f.Shorthand != "r" {
				t.Errorf("%s has no -r/--region", c.cmd)
			}
		}
		for _, name := range c.samples {
			if fs.Lookup(name) == nil {
				t.Errorf("%s has no --%s", c.cmd, name)
			}
		}
		if f := fs.Lookup("out"); c.out && (f == nil || f.Shorthand != "o") {
			t.Errorf("%s has no -o/--out", c.cmd)
		}
	}
	for _, alias := range [][2]string{{"generate", "output"}, {"simulate", "output"}, {"audit", "json"}} {
		sub, _, _ := root.Find([]string{alias[0]})
		if f := sub.Flags().Lookup(alias[1]); f == nil || !f.Hidden {
			t.Errorf("%s --%s is not a hidden alias", alias[0], alias[1])
		}
	}
	code1, v1 := runCLI(t, "--version")
	code2, v2 := runCLI(t, "version")
	if code1 != 0 || code2 != 0 || v1 != v2 || !strings.HasPrefix(v1, "gousynth ") {
		t.Errorf("--version %d %q, version %d %q", code1, v1, code2, v2)
	}
	// The old spelling still writes the output.
	dir := t.TempDir()
	sim := filepath.Join(dir, "s.vcf.gz")
	if code, msg := runCLI(t, "simulate", "--individuals", "20", "--snps", "30", "--output", sim, "--quiet"); code != 0 {
		t.Fatalf("simulate --output: exit %d %s", code, msg)
	}
	// ld --samples-file keeps the listed individuals only: r² of 3 of them.
	ids := filepath.Join(dir, "ids.txt")
	g, _, err := vcf.ReadFile(sim, vcf.ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(ids, []byte(strings.Join(g.Samples[:3], "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, msg := runCLI(t, "stats", sim, "--samples-file", ids)
	if code != 0 || !strings.Contains(msg, "samples\t3\n") {
		t.Errorf("stats --samples-file: exit %d %s", code, msg)
	}
	r2 := filepath.Join(dir, "ld.tsv")
	if code, msg := runCLI(t, "ld", sim, "--samples-file", ids, "-o", r2, "--quiet"); code != 0 {
		t.Fatalf("ld --samples-file: exit %d %s", code, msg)
	}
	sub := filepath.Join(dir, "sub.vcf.gz")
	three := &vcf.Genotypes{Sites: g.Sites, Samples: g.Samples[:3]}
	for v := range g.Sites {
		three.Dosage = append(three.Dosage, g.Row(v)[:3]...)
	}
	if err := vcf.WriteGenotypes(sub, three, vcf.Header{}); err != nil {
		t.Fatal(err)
	}
	r2sub := filepath.Join(dir, "ld3.tsv")
	if code, msg := runCLI(t, "ld", sub, "-o", r2sub, "--quiet"); code != 0 {
		t.Fatalf("ld: exit %d %s", code, msg)
	}
	a, _ := os.ReadFile(r2)
	b, _ := os.ReadFile(r2sub)
	if len(a) == 0 || string(a) != string(b) {
		t.Errorf("ld --samples-file differs from ld on the 3 individuals' file (%d vs %d bytes)", len(a), len(b))
	}
}
