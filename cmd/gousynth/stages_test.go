package main

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// stageFlags are the flags of the windowed fits of the stage tests: a
// simulated 160 × 1200 panel (1060 SNPs kept) gives 4 windows of about 300
// SNPs, each fitted in well under a second.
var stageFlags = []string{"--threads", "2", "--max-snps", "500", "--window-snps", "300", "--steps", "40", "--sampler-steps", "10", "--hidden", "32", "--quiet"}

// stageOutputs are the files that plan → fit-window → assemble must give
// byte for byte as fit does.
var stageOutputs = []string{"synthetic.vcf.gz", "synthetic.vcf.gz.tbi", "model.gsy", "metrics.json", "report.html"}

// stageFixture simulates the panel and runs the reference fit once per test
// binary: DIR/in.vcf.gz and DIR/out, from `gousynth fit in.vcf.gz -o out
// stageFlags` run in DIR (relative names, so that another directory with
// the same names records the same command).
var stageFixture = onceFixture("gousynth-stages-", func(t *testing.T, d string) string {
	if code, out := runCLIIn(t, d, "simulate", "--preset", "1kg-like", "--individuals", "160", "--snps", "1200",
		"--populations", "3", "--seed", "4", "-o", "in.vcf.gz", "--quiet"); code != 0 {
		return "simulate: " + out
	}
	if code, out := runCLIIn(t, d, append([]string{"fit", "in.vcf.gz", "-o", "out"}, stageFlags...)...); code != 0 {
		return "fit: " + out
	}
	return ""
})

// onceFixture returns a function that runs build once per test binary in a
// new directory (named prefix…, removed when the tests end) and returns that
// directory; build returns what failed ("" for nothing), and every later
// call fails with the same message. The stage fixtures skip in -short mode:
// the stages run as subprocesses (not built with -race), and the plain run
// covers them.
func onceFixture(prefix string, build func(t *testing.T, dir string) string) func(t *testing.T) string {
	var dir, failed string
	return func(t *testing.T) string {
		t.Helper()
		if testing.Short() {
			t.Skip("end-to-end windowed fits in -short mode")
		}
		if dir == "" && failed == "" {
			d, err := os.MkdirTemp("", prefix)
			if err != nil {
				t.Fatal(err)
			}
			tempDirs = append(tempDirs, d)
			if failed = build(t, d); failed == "" {
				dir = d
			}
		}
		if failed != "" {
			t.Fatal(failed)
		}
		return dir
	}
}

// stageDir is a new directory holding a link to the fixture's input as
// in.vcf.gz.
func stageDir(t *testing.T, fixture string) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.Symlink(filepath.Join(fixture, "in.vcf.gz"), filepath.Join(dir, "in.vcf.gz")); err != nil {
		t.Fatal(err)
	}
	return dir
}

// sameOutputs fails unless every stage output in got equals want's.
func sameOutputs(t *testing.T, want, got string) {
	t.Helper()
	for _, name := range stageOutputs {
		a, b := readFile(t, filepath.Join(want, name)), readFile(t, filepath.Join(got, name))
		if !bytes.Equal(a, b) {
			t.Errorf("%s differs from fit's (%d and %d bytes)", name, len(b), len(a))
		}
	}
}

func jobFiles(t *testing.T, out string) []string {
	t.Helper()
	jobs, err := filepath.Glob(filepath.Join(out, "jobs", "w*.job"))
	if err != nil || len(jobs) < 3 {
		t.Fatalf("jobs %v (%v): want at least 3 windows", jobs, err)
	}
	return jobs
}

// plan → fit-window (each job, in reverse order) → assemble writes the
// same synthetic VCF, index, model file, metrics and report as one fit;
// planning again gives the same files; a finished window is not
// recomputed.
func TestStagesMatchFit(t *testing.T) {
	fix := stageFixture(t)
	dir := stageDir(t, fix)
	mustRun(t, dir, append([]string{"plan", "in.vcf.gz", "-o", "out"}, stageFlags...)...)
	out := filepath.Join(dir, "out")
	jobs := jobFiles(t, out)
	for _, name := range []string{"plan.state", "plan.json", "plan.log"} {
		if _, err := os.Stat(filepath.Join(out, "jobs", name)); err != nil {
			t.Errorf("plan did not write %s: %v", name, err)
		}
	}
	for _, name := range stageOutputs {
		if _, err := os.Stat(filepath.Join(out, name)); err == nil {
			t.Errorf("plan wrote %s", name)
		}
	}
	// The same plan again writes the same state and jobs, so that finished
	// results stay valid.
	again := stageDir(t, fix)
	mustRun(t, again, append([]string{"plan", "in.vcf.gz", "-o", "out"}, stageFlags...)...)
	for _, j := range append([]string{filepath.Join(out, "jobs", "plan.state"), filepath.Join(out, "jobs", "plan.json")}, jobs...) {
		rel, _ := filepath.Rel(dir, j)
		if !bytes.Equal(readFile(t, j), readFile(t, filepath.Join(again, rel))) {
			t.Errorf("a second plan wrote another %s", rel)
		}
	}
	for _, j := range slices.Backward(jobs) {
		mustRun(t, dir, "fit-window", j, "--threads", "1")
	}
	r0 := filepath.Join(out, "results", "w0000.result")
	before := readFile(t, r0)
	if msg := mustRun(t, dir, "fit-window", jobs[0]); !strings.Contains(msg, "up to date") {
		t.Errorf("rerun of a finished window: %q, want up to date", msg)
	}
	if !bytes.Equal(before, readFile(t, r0)) {
		t.Error("rerun of a finished window rewrote its result")
	}
	// Results hold no real individual's data: not even a sample ID (the
	// simulated ones are POP<k>_<n>), which the state does hold.
	results, _ := filepath.Glob(filepath.Join(out, "results", "*.result"))
	for _, r := range results {
		if bytes.Contains(readFile(t, r), []byte("POP1_0")) {
			t.Errorf("%s holds a real sample ID", r)
		}
	}
	if !bytes.Contains(readFile(t, filepath.Join(out, "jobs", "plan.state")), []byte("POP1_0")) {
		t.Error("the state holds no sample ID: the check above proves nothing")
	}
	mustRun(t, dir, "assemble", "out", "--quiet")
	sameOutputs(t, filepath.Join(fix, "out"), out)
	log := string(readFile(t, filepath.Join(out, "run.log")))
	if !strings.Contains(log, "msg=plan ") || !strings.Contains(log, "msg=assemble ") {
		t.Errorf("run.log lacks the plan's or the assembly's log:\n%s", log)
	}
}

// Corrupt, truncated and stale jobs are refused; missing, corrupt and
// stale results (of another plan) stop assemble, which then writes
// nothing, and fit-window recomputes them; a killed fit-window leaves no
// result; a corrupt state is refused.
func TestStagesRefuseBadFiles(t *testing.T) {
	fix := stageFixture(t)
	dir := stageDir(t, fix)
	mustRun(t, dir, append([]string{"plan", "in.vcf.gz", "-o", "out"}, stageFlags...)...)
	out := filepath.Join(dir, "out")
	jobs := jobFiles(t, out)
	results := filepath.Join(out, "results")
	noResults := func(what string) {
		t.Helper()
		if es, _ := os.ReadDir(results); len(es) > 0 {
			t.Errorf("%s: fit-window left %d files in results/", what, len(es))
		}
	}

	// Corrupt and truncated job files.
	good := readFile(t, jobs[0])
	for name, bad := range map[string][]byte{
		"flipped":   func() []byte { b := bytes.Clone(good); b[len(b)/2] ^= 0x10; return b }(),
		"truncated": good[:len(good)*2/3],
	} {
		if err := os.WriteFile(jobs[0], bad, 0o644); err != nil {
			t.Fatal(err)
		}
		code, msg := runCLIIn(t, dir, "fit-window", jobs[0])
		if code != 1 || !strings.Contains(msg, jobs[0]) || !strings.Contains(msg, "checksum mismatch") {
			t.Errorf("%s job: exit %d, %q; want exit 1 naming the job and a checksum mismatch", name, code, msg)
		}
		noResults(name + " job")
	}
	if err := os.WriteFile(jobs[0], good, 0o644); err != nil {
		t.Fatal(err)
	}

	// A job of another plan (another seed) in this plan's directory.
	other := stageDir(t, fix)
	mustRun(t, other, append([]string{"plan", "in.vcf.gz", "-o", "out", "--seed", "9"}, stageFlags...)...)
	stale := filepath.Join(out, "jobs", "w0001.job")
	goodStale := readFile(t, stale)
	if err := os.WriteFile(stale, readFile(t, filepath.Join(other, "out", "jobs", "w0001.job")), 0o644); err != nil {
		t.Fatal(err)
	}
	code, msg := runCLIIn(t, dir, "fit-window", stale)
	if code != 1 || !strings.Contains(msg, stale) || !strings.Contains(msg, "stale") {
		t.Errorf("stale job: exit %d, %q; want exit 1 naming the job as stale", code, msg)
	}
	noResults("stale job")
	if err := os.WriteFile(stale, goodStale, 0o644); err != nil {
		t.Fatal(err)
	}

	// A fit-window killed while it runs writes no result. A chain window
	// fits in tens of milliseconds, so the killed job is one of a plan of
	// diffusion window models (regress), which take seconds.
	slow := stageDir(t, fix)
	slowFlags := slices.Clone(stageFlags)
	slowFlags[slices.Index(slowFlags, "--steps")+1] = "3000"
	mustRun(t, slow, append([]string{"plan", "in.vcf.gz", "-o", "out", "--window-conditioning", "regress"}, slowFlags...)...)
	cmd := exec.Command(gousynthBin(t), "fit-window", filepath.Join(slow, "out", "jobs", "w0000.job"), "--quiet")
	cmd.Dir = slow
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(300 * time.Millisecond)
	cmd.Process.Signal(syscall.SIGKILL)
	if err := cmd.Wait(); err == nil {
		t.Error("fit-window of a 3000-step window finished within 300 ms: the kill came too late to test")
	} else if _, err := os.Stat(filepath.Join(slow, "out", "results", "w0000.result")); err == nil {
		t.Error("a killed fit-window left a result")
	}

	// Missing results: assemble names them and writes nothing.
	for _, j := range jobs[1:] {
		mustRun(t, dir, "fit-window", j)
	}
	os.Remove(filepath.Join(results, "w0000.result"))
	code, msg = runCLIIn(t, dir, "assemble", "out")
	if code != 1 || !strings.Contains(msg, filepath.Join("out", "results", "w0000.result")) || !strings.Contains(msg, "no result") {
		t.Errorf("missing result: exit %d, %q; want exit 1 naming it", code, msg)
	}
	mustRun(t, dir, "fit-window", jobs[0])
	if es, _ := os.ReadDir(results); len(es) != 2*len(jobs) { // results and their logs, no temporary file
		var names []string
		for _, e := range es {
			names = append(names, e.Name())
		}
		t.Errorf("results/ holds %v, want one result and one log per job", names)
	}

	// A corrupt result: assemble refuses it and writes nothing; fit-window
	// replaces it; then assemble gives fit's outputs.
	r := filepath.Join(results, "w0002.result")
	b := readFile(t, r)
	b[len(b)/3] ^= 0x01
	if err := os.WriteFile(r, b, 0o644); err != nil {
		t.Fatal(err)
	}
	code, msg = runCLIIn(t, dir, "assemble", "out")
	if code != 1 || !strings.Contains(msg, filepath.Join("out", "results", "w0002.result")) || !strings.Contains(msg, "checksum mismatch") {
		t.Errorf("corrupt result: exit %d, %q; want exit 1 naming it and a checksum mismatch", code, msg)
	}
	for _, name := range append(stageOutputs, "run.log") {
		if _, err := os.Stat(filepath.Join(out, name)); err == nil {
			t.Errorf("assemble with a corrupt result wrote %s", name)
		}
	}
	if msg := mustRun(t, dir, "fit-window", jobs[2]); strings.Contains(msg, "up to date") {
		t.Error("fit-window took a corrupt result for up to date")
	}

	// A result of another plan's job: assemble refuses it, fit-window
	// recomputes it.
	mustRun(t, other, "fit-window", filepath.Join("out", "jobs", "w0001.job"))
	r1 := filepath.Join(results, "w0001.result")
	if err := os.WriteFile(r1, readFile(t, filepath.Join(other, "out", "results", "w0001.result")), 0o644); err != nil {
		t.Fatal(err)
	}
	code, msg = runCLIIn(t, dir, "assemble", "out")
	if code != 1 || !strings.Contains(msg, filepath.Join("out", "results", "w0001.result")) || !strings.Contains(msg, "another job") {
		t.Errorf("result of another plan: exit %d, %q; want exit 1 naming it", code, msg)
	}
	if msg := mustRun(t, dir, "fit-window", jobs[1]); strings.Contains(msg, "up to date") {
		t.Error("fit-window took another plan's result for up to date")
	}
	mustRun(t, dir, "assemble", "out")
	sameOutputs(t, filepath.Join(fix, "out"), out)

	// A corrupt or truncated state: assemble refuses it.
	st := filepath.Join(out, "jobs", "plan.state")
	good = readFile(t, st)
	for name, bad := range map[string][]byte{
		"flipped":   func() []byte { b := bytes.Clone(good); b[len(b)/2] ^= 0x01; return b }(),
		"truncated": good[:len(good)-100],
	} {
		if err := os.WriteFile(st, bad, 0o644); err != nil {
			t.Fatal(err)
		}
		if code, msg := runCLIIn(t, dir, "assemble", "out"); code != 1 || !strings.Contains(msg, filepath.Join("out", "jobs", "plan.state")) || !strings.Contains(msg, "checksum mismatch") {
			t.Errorf("%s state: exit %d, %q; want exit 1 naming it and a checksum mismatch", name, code, msg)
		}
	}
}

// plan on an input that one model fits says so, exits 2 and leaves
// nothing behind.
func TestPlanRefusesSingleModelInput(t *testing.T) {
	fix := stageFixture(t)
	dir := stageDir(t, fix)
	// An explicit budget: by default the fixture's SNPs outnumber its
	// training individuals, which makes it windowed (app.Data.WindowCap).
	code, msg := runCLIIn(t, dir, "plan", "in.vcf.gz", "-o", "out", "--quiet", "--max-snps", "2000")
	if code != 2 || !strings.Contains(msg, "in.vcf.gz") || !strings.Contains(msg, "no windows") {
		t.Errorf("plan within the budget: exit %d, %q; want exit 2 saying there are no windows", code, msg)
	}
	if _, err := os.Stat(filepath.Join(dir, "out")); err == nil {
		t.Error("plan within the budget left its output directory")
	}
}

// workflow/Snakefile run by Snakemake on 2 cores gives fit's bytes, and
// after a stopped run reruns only what did not finish.
func TestSnakemakeWorkflowMatchesFit(t *testing.T) {
	sm, err := exec.LookPath("snakemake")
	if err != nil {
		t.Skip("snakemake is not on PATH")
	}
	fix := stageFixture(t)
	dir := stageDir(t, fix)
	snakefile, err := filepath.Abs("../../workflow/Snakefile")
	if err != nil {
		t.Fatal(err)
	}
	// The Snakefile passes --threads (plan's threads: 2) before the flags.
	snakemake := func(extra ...string) string {
		t.Helper()
		args := append([]string{"-s", snakefile, "--cores", "2", "--quiet"}, extra...)
		args = append(args, "--config", "vcf=in.vcf.gz", "out=out", "gousynth="+gousynthBin(t), "flags="+strings.Join(stageFlags[2:], " "))
		cmd := exec.Command(sm, args...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "SOURCE_DATE_EPOCH=1700000000")
		b, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("snakemake %s: %v\n%s", strings.Join(extra, " "), err, b)
		}
		return string(b)
	}
	snakemake()
	out := filepath.Join(dir, "out")
	sameOutputs(t, filepath.Join(fix, "out"), out)
	if msg := snakemake("--dry-run"); !strings.Contains(msg, "Nothing to be done") {
		t.Errorf("second snakemake run: %s; want nothing to be done", msg)
	}
	// A run stopped before one window and the assembly finished reruns
	// that window alone.
	for _, name := range []string{"metrics.json", "model.gsy", "report.html", "run.log", "results/w0001.result"} {
		if err := os.Remove(filepath.Join(out, name)); err != nil {
			t.Fatal(err)
		}
	}
	if msg := snakemake("--dry-run"); !regexp.MustCompile(`fit_window\s+1\s`).MatchString(msg) || !regexp.MustCompile(`assemble\s+1\s`).MatchString(msg) {
		t.Errorf("snakemake after a stopped run plans:\n%s\nwant one fit_window job and the assembly", msg)
	}
	snakemake()
	sameOutputs(t, filepath.Join(fix, "out"), out)
}

// genomeInputs are the inputs of the genome-mode stage tests: two
// simulated chromosomes of the same 100 individuals, 600 SNPs each (2
// windows of about 300 SNPs each with stageFlags).
var genomeInputs = []string{"chr1.vcf.gz", "chr2.vcf.gz"}

// genomeFlags are the flags of the genome-mode stage tests, in the order
// workflow/Snakefile gives them to plan (after -o: --threads, then its
// flags).
var genomeFlags = append([]string{"--threads", "2", "--split-chromosomes"}, stageFlags[2:]...)

// genomeOutputs are the files of a genome-mode fit with
// --split-chromosomes that the stages must give byte for byte.
var genomeOutputs = []string{"synthetic.1.vcf.gz", "synthetic.1.vcf.gz.tbi", "synthetic.2.vcf.gz", "synthetic.2.vcf.gz.tbi", "model.gsy", "metrics.json", "report.html"}

// genomeFixture simulates the chromosomes and runs the reference
// genome-mode fit once per test binary: DIR/chr{1,2}.vcf.gz and DIR/out,
// from `gousynth fit chr1.vcf.gz chr2.vcf.gz -o out genomeFlags` run in
// DIR.
var genomeFixture = onceFixture("gousynth-genome-stages-", func(t *testing.T, d string) string {
	for i, in := range genomeInputs {
		c := strconv.Itoa(i + 1)
		if code, out := runCLIIn(t, d, "simulate", "--individuals", "100", "--snps", "600", "--populations", "2", "--chrom", c, "--seed", c, "-o", in, "--quiet"); code != 0 {
			return "simulate: " + out
		}
	}
	args := append(append([]string{"fit"}, genomeInputs...), append([]string{"-o", "out"}, genomeFlags...)...)
	if code, out := runCLIIn(t, d, args...); code != 0 {
		return "fit: " + out
	}
	return ""
})

// genomeDir is a new directory holding links to the fixture's inputs.
func genomeDir(t *testing.T, fixture string) string {
	t.Helper()
	dir := t.TempDir()
	for _, in := range genomeInputs {
		if err := os.Symlink(filepath.Join(fixture, in), filepath.Join(dir, in)); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// sameGenomeOutputs fails unless every genome-mode output in got equals
// want's, and got has no single synthetic.vcf.gz.
func sameGenomeOutputs(t *testing.T, want, got string) {
	t.Helper()
	for _, name := range genomeOutputs {
		a, b := readFile(t, filepath.Join(want, name)), readFile(t, filepath.Join(got, name))
		if !bytes.Equal(a, b) {
			t.Errorf("%s differs from fit's (%d and %d bytes)", name, len(b), len(a))
		}
	}
	if _, err := os.Stat(filepath.Join(got, "synthetic.vcf.gz")); err == nil {
		t.Error("--split-chromosomes also wrote synthetic.vcf.gz")
	}
}

// Genome mode through the stages: plan over two chromosomes writes one job
// per window of each (the manifest gives the inputs and each job's
// contig), and plan → fit-window (in reverse order) → assemble writes the
// per-chromosome synthetic VCFs, model, metrics and report of the same
// genome-mode fit, byte for byte.
func TestStagesGenomeMatchFit(t *testing.T) {
	fix := genomeFixture(t)
	dir := genomeDir(t, fix)
	// The same flags as the fit, --quiet included: the outputs record the
	// plan's command line with plan replaced by fit.
	mustRun(t, dir, append(append([]string{"plan"}, genomeInputs...), append([]string{"-o", "out"}, genomeFlags...)...)...)
	out := filepath.Join(dir, "out")
	var man struct {
		Inputs []string `json:"inputs"`
		Jobs   []struct {
			Name   string `json:"name"`
			Contig string `json:"contig"`
		} `json:"jobs"`
	}
	if err := json.Unmarshal(readFile(t, filepath.Join(out, "jobs", "plan.json")), &man); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(man.Inputs, genomeInputs) {
		t.Errorf("plan.json lists the inputs %q, want %q", man.Inputs, genomeInputs)
	}
	perContig := map[string]int{}
	for _, j := range man.Jobs {
		perContig[j.Contig]++
	}
	if len(perContig) != 2 || perContig["1"] < 2 || perContig["2"] < 2 {
		t.Errorf("jobs per contig %v: want at least 2 windows on each of contigs 1 and 2", perContig)
	}
	jobs := jobFiles(t, out)
	if len(jobs) != len(man.Jobs) {
		t.Errorf("%d job files, plan.json lists %d", len(jobs), len(man.Jobs))
	}
	for _, j := range slices.Backward(jobs) {
		mustRun(t, dir, "fit-window", j, "--threads", "1")
	}
	if msg := mustRun(t, dir, "assemble", "out"); !strings.Contains(msg, "genome mode: 2 inputs") {
		t.Errorf("assemble's summary does not say genome mode:\n%s", msg)
	}
	sameGenomeOutputs(t, filepath.Join(fix, "out"), out)
}

// workflow/Snakefile in genome mode (vcfs: several inputs) runs every
// window of both chromosomes as a fit_window job and gives the genome-mode
// fit's bytes; inputs_file passes gousynth's --inputs-file; vcf and vcfs
// together are refused.
func TestSnakemakeGenomeMatchesFit(t *testing.T) {
	sm, err := exec.LookPath("snakemake")
	if err != nil {
		t.Skip("snakemake is not on PATH")
	}
	fix := genomeFixture(t)
	dir := genomeDir(t, fix)
	snakefile, err := filepath.Abs("../../workflow/Snakefile")
	if err != nil {
		t.Fatal(err)
	}
	snakemake := func(config ...string) (string, error) {
		t.Helper()
		args := append([]string{"-s", snakefile, "--cores", "2", "--config", "out=out", "gousynth=" + gousynthBin(t), "flags=" + strings.Join(genomeFlags[2:], " ")}, config...)
		cmd := exec.Command(sm, args...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "SOURCE_DATE_EPOCH=1700000000")
		b, err := cmd.CombinedOutput()
		return string(b), err
	}
	msg, err := snakemake("vcfs=" + strings.Join(genomeInputs, " "))
	if err != nil {
		t.Fatalf("snakemake: %v\n%s", err, msg)
	}
	var man struct {
		Jobs []struct{ Name string } `json:"jobs"`
	}
	if err := json.Unmarshal(readFile(t, filepath.Join(dir, "out", "jobs", "plan.json")), &man); err != nil {
		t.Fatal(err)
	}
	// The job table is printed before the checkpoint: count the jobs run.
	if n := strings.Count(msg, "rule fit_window:"); n != len(man.Jobs) || n < 4 {
		t.Errorf("snakemake ran %d fit_window jobs; want one per window of both chromosomes (%d):\n%s", n, len(man.Jobs), msg)
	}
	sameGenomeOutputs(t, filepath.Join(fix, "out"), filepath.Join(dir, "out"))

	// inputs_file: the plan command takes --inputs-file (a dry run).
	if err := os.WriteFile(filepath.Join(dir, "chroms.txt"), []byte("# genome\n"+strings.Join(genomeInputs, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	msg, err = snakemake("out=out2", "inputs_file=chroms.txt", "--dry-run", "--printshellcmds")
	if err != nil || !strings.Contains(msg, " plan --inputs-file chroms.txt -o out2 --threads 2 --split-chromosomes ") {
		t.Errorf("dry run with inputs_file (%v):\n%s\nwant plan --inputs-file chroms.txt -o out2 --threads 2 FLAGS", err, msg)
	}
	msg, err = snakemake("vcf=chr1.vcf.gz", "vcfs=chr2.vcf.gz", "--dry-run")
	if err == nil || !strings.Contains(msg, "give vcf (one input) or vcfs (several") {
		t.Errorf("vcf and vcfs together (%v):\n%s\nwant refused", err, msg)
	}
}

// Haplotype window models (--window-residual haplotype, which learn the
// phase) through the stages give fit's bytes too, here in genome mode:
// plan keeps the phase for the jobs as fit does.
func TestStagesHaplotypeMatchFit(t *testing.T) {
	fix := genomeFixture(t) // phased simulated chromosomes
	ref, dir := genomeDir(t, fix), genomeDir(t, fix)
	flags := append(append(slices.Clone(genomeInputs), "-o", "out", "--window-conditioning", "regress", "--window-residual", "haplotype"), genomeFlags...)
	mustRun(t, ref, append([]string{"fit"}, flags...)...)
	if !strings.Contains(string(readFile(t, filepath.Join(ref, "out", "run.log"))), "residual=haplotype") {
		t.Fatal("the reference fit did not fit haplotype window models")
	}
	mustRun(t, dir, append([]string{"plan"}, flags...)...)
	for _, j := range jobFiles(t, filepath.Join(dir, "out")) {
		mustRun(t, dir, "fit-window", j)
	}
	mustRun(t, dir, "assemble", "out", "--quiet")
	sameGenomeOutputs(t, filepath.Join(ref, "out"), filepath.Join(dir, "out"))
}
