package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gousynth/gousynth/vcf"
)

// These tests back the rows of docs/errors.md's table about
// what gousynth must never destroy: links, FIFOs and devices given as
// outputs, inputs given as outputs, an existing output directory after a
// failed run, and the leftovers of a killed run.

// simulateSmall writes a small simulated panel to path.
func simulateSmall(t *testing.T, path string, extra ...string) {
	t.Helper()
	args := append([]string{"simulate", "--individuals", "40", "--snps", "60", "-o", path, "--quiet"}, extra...)
	if code, msg := runCLI(t, args...); code != 0 {
		t.Fatalf("simulate exited %d:\n%s", code, msg)
	}
}

// TestOutputsThroughLinksFIFOsAndDevices: a symbolic link is followed and
// kept, a FIFO and /dev/null are written through and stay what they are.
func TestOutputsThroughLinksFIFOsAndDevices(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "in.vcf.gz")
	simulateSmall(t, in)

	t.Run("symlink", func(t *testing.T) {
		real := filepath.Join(dir, "real.tsv")
		os.WriteFile(real, []byte("old"), 0o644)
		link := filepath.Join(dir, "link.tsv")
		os.Symlink("real.tsv", link)
		if code, msg := runCLI(t, "ld", in, "-o", link, "--quiet"); code != 0 {
			t.Fatalf("exit %d:\n%s", code, msg)
		}
		if fi, err := os.Lstat(link); err != nil || fi.Mode()&fs.ModeSymlink == 0 {
			t.Errorf("the link was replaced: %v", err)
		}
		if b, _ := os.ReadFile(real); !bytes.HasPrefix(b, []byte("CHR_A\t")) {
			t.Errorf("the link's target holds %.40q", b)
		}
	})
	t.Run("/dev/null", func(t *testing.T) {
		if fi, err := os.Stat(os.DevNull); err != nil || fi.Mode()&fs.ModeCharDevice == 0 {
			t.Skip("no /dev/null device")
		}
		for _, args := range [][]string{
			{"ld", in, "-o", os.DevNull, "--decay", os.DevNull, "--quiet"},
			{"simulate", "--individuals", "10", "--snps", "10", "-o", os.DevNull, "--panel-out", os.DevNull, "--quiet"},
		} {
			if code, msg := runCLI(t, args...); code != 0 {
				t.Fatalf("%v: exit %d:\n%s", args, code, msg)
			}
			if fi, err := os.Lstat(os.DevNull); err != nil || fi.Mode()&fs.ModeCharDevice == 0 {
				t.Fatalf("%v replaced /dev/null: %v", args, err)
			}
		}
		if _, err := os.Stat(os.DevNull + ".tbi"); err == nil {
			t.Error("an index was written as /dev/null.tbi")
		}
	})
	t.Run("FIFO", func(t *testing.T) {
		fifo := filepath.Join(dir, "stream.vcf.gz")
		if err := syscall.Mkfifo(fifo, 0o644); err != nil {
			t.Skip("no FIFOs:", err)
		}
		got := make(chan []byte)
		go func() {
			b, _ := os.ReadFile(fifo)
			got <- b
		}()
		if code, msg := runCLI(t, "simulate", "--individuals", "10", "--snps", "10", "-o", fifo, "--panel-out", filepath.Join(dir, "f.panel"), "--quiet"); code != 0 {
			t.Fatalf("exit %d:\n%s", code, msg)
		}
		select {
		case b := <-got:
			if len(b) < 4 || b[0] != 0x1f || b[1] != 0x8b {
				t.Errorf("the FIFO's reader got %d bytes, not BGZF", len(b))
			}
		case <-time.After(20 * time.Second):
			t.Fatal("nothing reached the FIFO's reader")
		}
		if fi, err := os.Lstat(fifo); err != nil || fi.Mode()&fs.ModeNamedPipe == 0 {
			t.Errorf("the FIFO was replaced: %v", err)
		}
		if _, err := os.Stat(fifo + ".tbi"); err == nil {
			t.Error("an index was written beside a FIFO")
		}
	})
}

// TestStandardOutput: "-" streams generate's VCF, simulate's VCF and
// report's HTML to standard output and writes no file.
func TestStandardOutput(t *testing.T) {
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a.vcf.gz"), filepath.Join(dir, "b.vcf.gz")
	simulateSmall(t, a)
	simulateSmall(t, b)
	model := smallModel(t)
	for _, c := range []struct {
		name   string
		args   []string
		prefix []byte
	}{
		{"generate", []string{"generate", model, "-n", "20", "-o", "-", "--quiet"}, []byte{0x1f, 0x8b}},
		{"simulate", []string{"simulate", "--individuals", "10", "--snps", "10", "-o", "-", "--panel-out", filepath.Join(dir, "s.panel"), "--quiet"}, []byte{0x1f, 0x8b}},
		{"report", []string{"report", "--real", a, "--synth", b, "-o", "-", "--quiet"}, []byte("<!DOCTYPE html")},
		{"ld", []string{"ld", a, "-o", "-", "--quiet"}, []byte("CHR_A\t")},
	} {
		t.Run(c.name, func(t *testing.T) {
			before, _ := os.ReadDir(dir)
			cmd := exec.Command(gousynthBin(t), c.args...)
			cmd.Dir = dir
			var stdout, stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			if err := cmd.Run(); err != nil {
				t.Fatalf("%v\n%s", err, stderr.String())
			}
			if !bytes.HasPrefix(stdout.Bytes(), c.prefix) {
				t.Errorf("standard output starts %.20q, want %q", stdout.Bytes(), c.prefix)
			}
			after, _ := os.ReadDir(dir)
			extra := 0
			if c.name == "simulate" {
				extra = 1 // the panel file
			}
			if len(after) != len(before)+extra {
				t.Errorf("files written: %d before, %d after", len(before), len(after))
			}
		})
	}
}

// TestInputsNeverOverwritten: outputs that are an input, an input's index
// or another output are refused (exit 2) before any work, by file identity,
// and the files are left as they were.
func TestInputsNeverOverwritten(t *testing.T) {
	dir := t.TempDir()
	fitDir := filepath.Join(dir, "fit")
	os.Mkdir(fitDir, 0o755)
	synthIn := filepath.Join(fitDir, "synthetic.vcf.gz")
	simulateSmall(t, synthIn)
	modelVCF := filepath.Join(dir, "model.vcf.gz")
	os.WriteFile(modelVCF, []byte("not really a model"), 0o644)
	hard := filepath.Join(dir, "hard.vcf.gz")
	os.Link(synthIn, hard)
	truth := filepath.Join(dir, "t.vcf.gz.tbi")
	os.WriteFile(truth, []byte("an index"), 0o644)
	keep := map[string][]byte{}
	for _, p := range []string{synthIn, synthIn + ".tbi", modelVCF, truth} {
		keep[p], _ = os.ReadFile(p)
	}
	rel, _ := filepath.Rel(dir, modelVCF)
	for _, c := range []struct {
		name string
		args []string
		want []string
	}{
		{"fit into the input's directory", []string{"fit", synthIn, "-o", fitDir}, []string{"output " + synthIn + " is the same file as input VCF " + synthIn}},
		{"fit through a hard link", []string{"fit", hard, "-o", fitDir}, []string{"is the same file as input VCF " + hard}},
		{"generate over its model", []string{"generate", modelVCF, "-o", "./" + rel}, []string{"output VCF ./" + rel + " is the same file as model " + modelVCF}},
		{"simulate --truth-out over the index", []string{"simulate", "-o", filepath.Join(dir, "t.vcf.gz"), "--truth-out", truth}, []string{"index of output VCF", "and --truth-out " + truth + " are the same file"}},
		{"ld over the input's index", []string{"ld", synthIn, "-o", synthIn + ".tbi"}, []string{"is the same file as index of input VCF"}},
		{"report over an input", []string{"report", "--real", synthIn, "--synth", synthIn, "--json", synthIn}, []string{"--json " + synthIn + " is the same file as --real VCF"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			code, msg := runCLIIn(t, dir, c.args...)
			if code != 2 {
				t.Errorf("exit code %d, want 2\n%s", code, msg)
			}
			for _, w := range c.want {
				if !strings.Contains(msg, w) {
					t.Errorf("message does not say %q:\n%s", w, msg)
				}
			}
			for p, b := range keep {
				if now, _ := os.ReadFile(p); !bytes.Equal(now, b) {
					t.Fatalf("%s was changed", p)
				}
			}
		})
	}
}

// TestFailedFitKeepsExistingDirectory: a fit into a directory holding an
// earlier fit's files that cannot complete leaves every one of them as it
// was (here refused before any work; atomicfile's tests fail the commit
// itself).
func TestFailedFitKeepsExistingDirectory(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "fit")
	os.Mkdir(dir, 0o755)
	os.WriteFile(filepath.Join(dir, "model.gsy"), []byte("the user's model"), 0o644)
	os.WriteFile(filepath.Join(dir, "synthetic.vcf.gz"), []byte("the user's cohort"), 0o644)
	os.Mkdir(filepath.Join(dir, "run.log"), 0o755) // the commit cannot put run.log there
	code, msg := runCLI(t, "fit", realVCF, "-o", dir, "--region", "1:11700000-11740000",
		"--steps", "20", "--sampler-steps", "10", "-n", "50", "--quiet")
	if code != 1 || !strings.Contains(msg, filepath.Join(dir, "run.log")+": is a directory") {
		t.Errorf("exit %d:\n%s", code, msg)
	}
	for name, want := range map[string]string{"model.gsy": "the user's model", "synthetic.vcf.gz": "the user's cohort"} {
		if b, _ := os.ReadFile(filepath.Join(dir, name)); string(b) != want {
			t.Errorf("%s was replaced by a failed fit", name)
		}
	}
	if es, _ := os.ReadDir(dir); len(es) != 3 {
		t.Errorf("the directory holds %d entries, want the 3 it had", len(es))
	}
}

// TestStaleTemporaryFilesRemoved: the temporary files and staging
// directories of a killed run (its pid gone) are removed by the next run
// writing into the directory; nothing else is.
func TestStaleTemporaryFilesRemoved(t *testing.T) {
	dir := t.TempDir()
	const dead = "999999999"
	stale := []string{".s.vcf.gz.tmp-" + dead + "-1", ".gousynth-staging-" + dead + "-2"}
	os.WriteFile(filepath.Join(dir, stale[0]), []byte("partial"), 0o644)
	os.Mkdir(filepath.Join(dir, stale[1]), 0o755)
	os.WriteFile(filepath.Join(dir, stale[1], "model.gsy"), []byte("partial"), 0o644)
	mine := []string{"notes.txt", ".notes.tmp-mine"}
	for _, n := range mine {
		os.WriteFile(filepath.Join(dir, n), []byte("the user's"), 0o644)
	}
	simulateSmall(t, filepath.Join(dir, "s.vcf.gz"))
	for _, n := range stale {
		if _, err := os.Lstat(filepath.Join(dir, n)); err == nil {
			t.Errorf("stale %s was kept", n)
		}
	}
	for _, n := range mine {
		if _, err := os.Lstat(filepath.Join(dir, n)); err != nil {
			t.Errorf("%s was removed", n)
		}
	}
}

// TestSIGTERMWithManyThreads: --threads at its limit still stops promptly
// on SIGTERM, with exit 130 and no output.
func TestSIGTERMWithManyThreads(t *testing.T) {
	if testing.Short() {
		t.Skip("needs a running simulation")
	}
	dir := t.TempDir()
	start := time.Now()
	interruptRun(t, dir, 20*time.Second, 300*time.Millisecond, syscall.SIGTERM, "simulate", "--threads", "1024",
		"--individuals", "2504", "--snps", "1000000", "-o", filepath.Join(dir, "sim.vcf.gz"), "--quiet")
	if d := time.Since(start); d > 25*time.Second {
		t.Errorf("took %v to stop", d)
	}
}

// TestLDHelpRegionsParse: every region example in ld's help is one the
// region parser accepts.
func TestLDHelpRegionsParse(t *testing.T) {
	_, help := runCLI(t, "ld", "--help")
	re := regexp.MustCompile(`-r (\S+)`)
	found := re.FindAllStringSubmatch(help, -1)
	if len(found) == 0 {
		t.Fatal("no -r example in ld --help")
	}
	for _, m := range found {
		if _, err := vcf.ParseRegion(m[1]); err != nil {
			t.Errorf("ld --help shows region %q: %v", m[1], err)
		}
	}
}

// TestModelClaimingHugeCohort: a model file whose header claims 10^8
// training individuals (checksum valid) is refused by generate with exit 1,
// naming the file, before anything of that size is allocated.
func TestModelClaimingHugeCohort(t *testing.T) {
	b, err := os.ReadFile(smallModel(t))
	if err != nil {
		t.Fatal(err)
	}
	const fixed = 8 + 4 + 8 + 32
	le := binary.LittleEndian
	payload := b[fixed:]
	hl := le.Uint32(payload)
	var h map[string]any
	if err := json.Unmarshal(payload[4:4+hl], &h); err != nil {
		t.Fatal(err)
	}
	h["TrainN"] = 100000000
	js, _ := json.Marshal(h)
	p := append(le.AppendUint32(nil, uint32(len(js))), js...)
	p = append(p, payload[4+hl:]...)
	sum := sha256.Sum256(p)
	out := append([]byte{}, b[:12]...)
	out = le.AppendUint64(out, uint64(len(p)))
	out = append(append(out, sum[:]...), p...)
	dir := t.TempDir()
	huge := filepath.Join(dir, "huge.gsy")
	os.WriteFile(huge, out, 0o644)
	start := time.Now()
	code, msg := runCLI(t, "generate", huge, "-o", filepath.Join(dir, "g.vcf.gz"), "--quiet")
	if code != 1 || !strings.Contains(msg, huge+": corrupt model file: implausible training size 100000000 individuals (gousynth's limit is 10000000)") {
		t.Errorf("exit %d:\n%s", code, msg)
	}
	if d := time.Since(start); d > 20*time.Second {
		t.Errorf("took %v", d)
	}
}
