package main

import (
	"encoding/json"
	"fmt"
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
		if (p.Name == "mia_auc" || p.Name == "ratio_mia_auc") && p.Value != nil {
			t.Errorf("%s = %g without non-members, want null", p.Name, *p.Value)
		}
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
	_ = fmt.Sprint
}
