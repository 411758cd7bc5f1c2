package main

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

const realVCF = "../../testdata/1kg_chr1_11.7M.vcf.gz"

// gousynthBin builds the command once per test binary, for the tests that
// need a separate process (exit codes, signals).
var gousynthBin = func() func(t *testing.T) string {
	var path string
	var err error
	var out []byte
	built := false
	return func(t *testing.T) string {
		t.Helper()
		if !built {
			built = true
			dir, e := os.MkdirTemp("", "gousynth-bin-")
			if e != nil {
				t.Fatal(e)
			}
			tempDirs = append(tempDirs, dir)
			path = filepath.Join(dir, "gousynth")
			out, err = exec.Command("go", "build", "-o", path, ".").CombinedOutput()
		}
		if err != nil {
			t.Fatalf("go build: %v\n%s", err, out)
		}
		return path
	}
}()

// runCLI runs the command and returns its exit code and output.
func runCLI(t *testing.T, args ...string) (int, string) {
	t.Helper()
	return runCLIIn(t, "", args...)
}

// runCLIIn runs the command in directory dir ("" = the current one).
func runCLIIn(t *testing.T, dir string, args ...string) (int, string) {
	t.Helper()
	bin := gousynthBin(t)
	cmd := exec.Command(bin, args...)
	cmd.Dir = dir
	var buf bytes.Buffer
	cmd.Stdout, cmd.Stderr = &buf, &buf
	cmd.Env = append(os.Environ(), "SOURCE_DATE_EPOCH=1700000000")
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return code, buf.String()
}

// smallFit are settings that keep an end-to-end fit to seconds.
var smallFit = []string{"--region", "1:11700000-11760000", "--steps", "60", "--sampler-steps", "20", "-n", "300", "--quiet"}

func TestFitGenerateReportEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end fit in -short mode")
	}
	dir := t.TempDir()
	out := filepath.Join(dir, "fit")
	if code, msg := runCLI(t, append([]string{"fit", realVCF, "-o", out}, smallFit...)...); code != 0 {
		t.Fatalf("fit exited %d:\n%s", code, msg)
	}
	for _, f := range []string{"model.gsy", "synthetic.vcf.gz", "synthetic.vcf.gz.tbi", "report.html", "metrics.json", "run.log"} {
		if fi, err := os.Stat(filepath.Join(out, f)); err != nil || fi.Size() == 0 {
			t.Errorf("output %s missing or empty: %v", f, err)
		}
	}
	if es, _ := os.ReadDir(out); len(es) != 6 {
		t.Errorf("output directory holds %d entries, want exactly the 6 outputs", len(es))
	}

	var met struct {
		NumSites int `json:"num_sites"`
		Genetics []struct {
			Name  string   `json:"name"`
			Value *float64 `json:"value"`
		} `json:"genetics"`
		Privacy []struct {
			Name  string   `json:"name"`
			Value *float64 `json:"value"`
		} `json:"privacy"`
	}
	b, err := os.ReadFile(filepath.Join(out, "metrics.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &met); err != nil {
		t.Fatalf("metrics.json: %v", err)
	}
	if met.NumSites < 10 {
		t.Fatalf("only %d sites fitted", met.NumSites)
	}
	value := func(list []struct {
		Name  string   `json:"name"`
		Value *float64 `json:"value"`
	}, name string) float64 {
		for _, m := range list {
			if m.Name == name && m.Value != nil {
				return *m.Value
			}
		}
		t.Fatalf("metric %s missing from metrics.json", name)
		return 0
	}
	if af := value(met.Genetics, "af_r2"); af < 0.9 {
		t.Errorf("allele-frequency r² %.3f < 0.9 even for a short fit", af)
	}
	if im := value(met.Privacy, "identical_match_rate"); im != 0 {
		t.Errorf("identical-match rate %g, want 0", im)
	}

	synth := filepath.Join(out, "synthetic.vcf.gz")
	b, _ = exec.Command("gzip", "-dc", synth).Output()
	if bytes.Contains(b, []byte("HG00096")) || bytes.Contains(b, []byte("NA12878")) {
		t.Error("synthetic VCF contains a real sample ID")
	}
	if bcftools, err := exec.LookPath("bcftools"); err == nil {
		cmd := exec.Command(bcftools, "view", "-H", synth)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		body, err := cmd.Output()
		if err != nil || stderr.Len() > 0 {
			t.Fatalf("bcftools view: %v %s", err, stderr.String())
		}
		if n := bytes.Count(body, []byte("\n")); n != met.NumSites {
			t.Errorf("bcftools sees %d records, want %d", n, met.NumSites)
		}
	}

	gen := filepath.Join(dir, "gen.vcf.gz")
	if code, msg := runCLI(t, "generate", filepath.Join(out, "model.gsy"), "-n", "150", "-o", gen, "--seed", "3"); code != 0 {
		t.Fatalf("generate exited %d:\n%s", code, msg)
	}
	html := filepath.Join(dir, "r.html")
	js := filepath.Join(dir, "r.json")
	if code, msg := runCLI(t, "report", "--real", synth, "--synth", gen, "-o", html, "--json", js); code != 0 {
		t.Fatalf("report exited %d:\n%s", code, msg)
	}
	if b, err := os.ReadFile(html); err != nil || !bytes.Contains(b, []byte("<svg")) {
		t.Errorf("report.html without figures: %v", err)
	}
}

func TestFitIsReproducible(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end fit in -short mode")
	}
	dir := t.TempDir()
	input, err := filepath.Abs(realVCF)
	if err != nil {
		t.Fatal(err)
	}
	// The command line is part of the outputs' provenance, so both runs use
	// the same one, from two working directories.
	for _, o := range []string{"a", "b"} {
		os.Mkdir(filepath.Join(dir, o), 0o755)
		code, msg := runCLIIn(t, filepath.Join(dir, o), append([]string{"fit", input, "-o", "out", "--seed", "11"}, smallFit...)...)
		if code != 0 {
			t.Fatalf("fit exited %d:\n%s", code, msg)
		}
	}
	// run.log records wall times; every other output must be byte-identical.
	for _, f := range []string{"model.gsy", "synthetic.vcf.gz", "synthetic.vcf.gz.tbi", "report.html", "metrics.json"} {
		a, _ := os.ReadFile(filepath.Join(dir, "a", "out", f))
		b, _ := os.ReadFile(filepath.Join(dir, "b", "out", f))
		if len(a) == 0 || !bytes.Equal(a, b) {
			t.Errorf("%s differs between two runs with the same seed", f)
		}
	}
}

func TestInterruptedFitLeavesNoOutput(t *testing.T) {
	if testing.Short() {
		t.Skip("needs a running fit")
	}
	dir := t.TempDir()
	// Two seconds after the output directory is staged the fit has read its
	// input and is training.
	interruptRun(t, dir, 60*time.Second, 2*time.Second, syscall.SIGINT,
		"fit", realVCF, "-o", filepath.Join(dir, "fit"), "--steps", "100000", "--quiet")
}

func TestUsageErrors(t *testing.T) {
	dir := t.TempDir()
	cases := []usageCase{
		{"no input", []string{"fit"}, "fit needs one input VCF"},
		{"maf above 0.5", []string{"fit", realVCF, "--maf", "0.7", "-o", dir}, "--maf must be in [0, 0.5]"},
		{"negative count", []string{"fit", realVCF, "-n", "-5", "-o", dir}, "-n must not be negative"},
		{"unknown process", []string{"fit", realVCF, "--process", "ddpm", "-o", dir}, "unknown process"},
		{"test fraction 1", []string{"fit", realVCF, "--test-fraction", "1", "-o", dir}, "--test-fraction must be in [0, 1)"},
		{"zero threads", []string{"fit", realVCF, "--threads", "0", "-o", dir}, "--threads must be at least 1"},
		{"unknown flag", []string{"fit", realVCF, "--frobnicate"}, "unknown flag"},
		{"compare without process", []string{"compare", realVCF, "--process", ",", "-o", dir}, "at least one process"},
	}
	checkUsageErrors(t, dir, cases)
}

// usageCase is a command line that must fail as a usage error (exit 2)
// with a message containing want.
type usageCase struct {
	name string
	args []string
	want string
}

// checkUsageErrors runs each case and checks the exit code, the message and
// that nothing was written under dir.
func checkUsageErrors(t *testing.T, dir string, cases []usageCase) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			code, msg := runCLI(t, c.args...)
			if code != 2 {
				t.Errorf("exit code %d, want 2 (usage error)\n%s", code, msg)
			}
			if !strings.Contains(msg, c.want) {
				t.Errorf("message %q does not say %q", msg, c.want)
			}
		})
	}
	if es, _ := os.ReadDir(dir); len(es) != 0 {
		t.Errorf("usage errors left files: %d entries", len(es))
	}
}

func TestBadInputExitsOneWithFileName(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.vcf")
	os.WriteFile(bad, []byte("##fileformat=VCFv4.2\n#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tS1\tS2\n1\tabc\t.\tA\tG\t.\t.\t.\tGT\t0|1\t1|1\n"), 0o644)
	out := filepath.Join(dir, "out")
	code, msg := runCLI(t, "fit", bad, "-o", out)
	if code != 1 {
		t.Fatalf("exit code %d, want 1\n%s", code, msg)
	}
	if !strings.Contains(msg, "bad.vcf") || !strings.Contains(msg, ":3") {
		t.Errorf("error does not name the file and line: %s", msg)
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Errorf("failed fit left its output directory behind (%v)", err)
	}
}

// interruptRun starts the command, waits until it is under way (a
// temporary output file exists in dir, or for at most wait) and then settle
// longer, sends sig and checks that it exits with code 130 leaving nothing
// in dir.
func interruptRun(t *testing.T, dir string, wait, settle time.Duration, sig syscall.Signal, args ...string) {
	t.Helper()
	cmd := exec.Command(gousynthBin(t), args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(wait)
	for time.Now().Before(deadline) {
		if es, _ := os.ReadDir(dir); len(es) > 0 {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	time.Sleep(settle)
	cmd.Process.Signal(sig)
	err := cmd.Wait()
	ee, ok := err.(*exec.ExitError)
	if !ok || ee.ExitCode() != 130 {
		t.Fatalf("%v: %v (want exit 130)\n%s", sig, err, stderr.String())
	}
	if es, _ := os.ReadDir(dir); len(es) != 0 {
		var names []string
		for _, e := range es {
			names = append(names, e.Name())
		}
		t.Fatalf("interrupted run left %v in %s", names, dir)
	}
	if !strings.Contains(stderr.String(), "interrupted; no output was written") {
		t.Errorf("no interruption message: %s", stderr.String())
	}
}

// TestInterruptedSimulateLeavesNoOutput interrupts a simulation too large
// to finish (2504 × 1,000,000 SNPs) while it streams its VCF, panel and
// truth files.
func TestInterruptedSimulateLeavesNoOutput(t *testing.T) {
	if testing.Short() {
		t.Skip("needs a running simulation")
	}
	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM} {
		t.Run(sig.String(), func(t *testing.T) {
			dir := t.TempDir()
			interruptRun(t, dir, 20*time.Second, 300*time.Millisecond, sig, "simulate", "--individuals", "2504", "--snps", "1000000",
				"-o", filepath.Join(dir, "sim.vcf.gz"), "--truth-out", filepath.Join(dir, "truth.tsv"), "--quiet")
		})
	}
}

// TestInterruptedGenerateLeavesNoOutput interrupts generate while it
// samples a large cohort.
func TestInterruptedGenerateLeavesNoOutput(t *testing.T) {
	if testing.Short() {
		t.Skip("needs a running generate")
	}
	model := smallModel(t)
	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM} {
		t.Run(sig.String(), func(t *testing.T) {
			dir := t.TempDir()
			// generate samples in memory, then writes: the signal comes
			// while it samples (the write's own cancellation is tested by
			// vcf.TestWriteGenotypesCancelled).
			interruptRun(t, dir, 2*time.Second, 300*time.Millisecond, sig, "generate", model, "-n", "300000", "-o", filepath.Join(dir, "g.vcf.gz"), "--quiet")
		})
	}
}
