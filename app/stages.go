package app

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/gob"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/gousynth/gousynth/chrom"
	"github.com/gousynth/gousynth/internal/atomicfile"
	"github.com/gousynth/gousynth/internal/version"
	"github.com/gousynth/gousynth/model"
	"github.com/gousynth/gousynth/preprocess"
	"github.com/gousynth/gousynth/report"
	"github.com/gousynth/gousynth/vcf"
)

// The stages of a windowed fit as separate commands (plan, fit-window,
// assemble), for running the windows as jobs of a workflow engine. Plan
// writes into DIR/JobsDir the shared state (StateFile), one job file per
// window (NAME + JobExt) and the manifest (ManifestFile) that lists them;
// FitWindow writes DIR/ResultsDir/NAME + ResultExt; Assemble reads the
// results in window order and writes into DIR what Fit writes.
//
// Every file is sealed: a magic line, the content, and the SHA-256 of both.
// A job carries the SHA-256 of the state it was cut from, a result that of
// its job, so that corrupt, truncated or stale files (of an earlier plan)
// are refused. The state and the jobs hold real training (and held-out)
// genotypes; results hold none.
const (
	JobsDir      = "jobs"
	ResultsDir   = "results"
	StateFile    = "plan.state"
	ManifestFile = "plan.json"
	PlanLogFile  = "plan.log"
	JobExt       = ".job"
	ResultExt    = ".result"
)

// ErrNotWindowed is returned by Plan for an input that one model fits
// (no more SNPs than the budget, or windows off): there is nothing to
// split into jobs.
var ErrNotWindowed = errors.New("not a windowed fit")

// ErrStage marks the errors of a stage file (state, manifest, job,
// result) that is missing, corrupt, truncated or stale (errors.Is).
var ErrStage = errors.New("invalid stage file")

type stageError struct{ msg string }

func (e *stageError) Error() string        { return e.msg }
func (e *stageError) Is(target error) bool { return target == ErrStage }

func stageErrorf(format string, a ...any) error { return &stageError{fmt.Sprintf(format, a...)} }

const (
	stateMagic  = "gousynth plan state 1\n"
	jobMagic    = "gousynth window job 1\n"
	resultMagic = "gousynth window result 1\n"
	// ManifestFormat is the "format" of a plan's manifest (ManifestFile).
	ManifestFormat = "gousynth plan 1"
)

// Manifest is a plan's index (ManifestFile, JSON): the state's checksum
// and every job with its window and checksum, in window order. In genome
// mode (several inputs) Inputs lists them, and the jobs are the windows of
// every chromosome, numbered across the genome.
type Manifest struct {
	Format      string        `json:"format"`
	Version     string        `json:"gousynth"`
	Input       string        `json:"input"`
	Inputs      []string      `json:"inputs,omitempty"`
	SNPs        int           `json:"snps"`
	StateSHA256 string        `json:"state_sha256"`
	Jobs        []ManifestJob `json:"jobs"`
}

// ManifestJob is one window's job in a Manifest, with the contig its
// window lies on (a window never straddles two).
type ManifestJob struct {
	Name   string       `json:"name"`
	Contig string       `json:"contig"`
	Window chrom.Window `json:"window"`
	SHA256 string       `json:"sha256"`
}

// stateOptions are the FitOptions that the stages after the plan need.
type stateOptions struct {
	Data        DataOptions
	NSynth      int
	Report      report.Options
	CommandLine string
	WriteSplit  bool
	OutFormat   string
	// SplitChromosomes: genome mode's one synthetic file per contig.
	SplitChromosomes bool
}

// stateMeta is the gob part of the state file; the training and test
// dosages follow it raw.
type stateMeta struct {
	Version string
	Options stateOptions
	Plan    *chrom.Plan
	// Data, without its dosages.
	Input                     string
	Inputs                    []string // genome mode's, nil otherwise
	Records, Kept, Filtered   int
	Skipped                   []countEntry // ReadStats.Skipped, sorted
	Log                       *preprocess.Log
	Panel                     []panelEntry // nil: no panel
	HasPanel                  bool
	NumInput                  int
	TrainSites, TestSites     []vcf.Site
	TrainSamples, TestSamples []string
	Notes, TestNotes          []string
	TestInput                 string
	Contigs                   []vcf.Contig
	Reference                 string
}

type countEntry struct {
	Key string
	N   int
}

type panelEntry struct {
	Sample string
	Entry  preprocess.PanelEntry
}

// jobFile is the content of a job file.
type jobFile struct {
	Version  string
	StateSum [32]byte
	Name     string
	Job      []byte // chrom.EncodeJob
}

// resultFile is the content of a result file.
type resultFile struct {
	Version  string
	StateSum [32]byte
	JobSum   [32]byte
	Name     string
	Result   []byte // chrom.EncodeResult
}

// PlanResult is what Plan wrote.
type PlanResult struct {
	Data    *Data
	Windows []chrom.Window
	// Jobs are the job files, in window order; Files every file written.
	Jobs, Files []string
}

// JobName is the name of window i's job among n (w0000, w0001, ...).
func JobName(i, n int) string {
	return fmt.Sprintf("w%0*d", max(4, len(strconv.Itoa(n-1))), i)
}

// Plan is the first stage of a windowed fit run as separate jobs: it
// prepares the data and plans the windows as Fit does (o as for Fit, whose
// CommandLine is what the outputs record: the fit that gives the same
// bytes), and writes into o.OutDir/JobsDir the shared state, one job file
// per window and the manifest, all together or none. command is the plan
// command as typed, for the log. An input that one model fits is refused
// (ErrNotWindowed). In genome mode (o.Data.Inputs) the jobs are the
// windows of every chromosome, numbered in the order of the inputs, all
// drawn with the genome's one ancestry latent per synthetic individual.
func Plan(ctx context.Context, o FitOptions, command string) (_ *PlanResult, err error) {
	if err := checkPlanOptions(o); err != nil {
		return nil, err
	}
	if o.Windows.Residual == chrom.ResidHaplotype {
		// As Fit: haplotype window models learn the phase, which their
		// jobs carry (the state, which the assembly reads, needs none).
		o.Data.KeepPhase = true
	}
	_, statErr := os.Stat(o.OutDir)
	defer func() {
		if err != nil && errors.Is(statErr, fs.ErrNotExist) {
			os.Remove(o.OutDir) // only if empty: created by this plan
		}
	}()
	jobsDir := filepath.Join(o.OutDir, JobsDir)
	j, err := startJob(ctx, o.Logger, jobsDir, o.Data, o.CommandLine)
	if err != nil {
		return nil, err
	}
	defer j.out.Abort()
	defer func() { err = j.out.UserError(err) }()
	if err := o.checkPlanData(j.data); err != nil {
		return nil, err
	}
	j.log.Info("plan", "command", command, "jobs", jobsDir, "outputs recorded as the command", o.CommandLine)
	plan, err := planWindowed(ctx, o, j)
	if err != nil {
		return nil, err
	}
	res, err := writePlan(ctx, o, j, plan, jobsDir)
	if err != nil {
		return nil, err
	}
	removeStaleJobs(jobsDir, res.Jobs)
	return res, nil
}

// checkPlanOptions refuses the options of a fit that has no windows to
// plan, before any work.
func checkPlanOptions(o FitOptions) error {
	if err := o.Validate(); err != nil {
		return err
	}
	if o.Data.Windows != WindowsAuto {
		return fmt.Errorf("%w: plan runs the windows of a windowed fit as jobs; with --windows off there are none (run gousynth fit)", ErrNotWindowed)
	}
	return nil
}

// checkPlanData refuses prepared data that one model fits (ErrNotWindowed)
// or that cannot be written as o says.
func (o FitOptions) checkPlanData(d *Data) error {
	if err := o.checkSplitChromosomes(d); err != nil {
		return err
	}
	if d.Windowed {
		return nil
	}
	budget := o.Data.MaxSNPs
	if budget == 0 {
		budget = DefaultMaxSNPs
	}
	if d.WindowCap > 0 {
		budget = d.WindowCap
	}
	return fmt.Errorf("%w: %s: %d SNPs pass the filters, within the budget of one model (--max-snps %d): there are no windows to run as jobs; run gousynth fit, or give --max-snps below %d to fit windowed models",
		ErrNotWindowed, d.Input, d.Train.NumSites(), budget, d.Train.NumSites())
}

// writePlan writes the state, one job per window, the manifest and the
// plan's log into the job's staged directory and commits them.
func writePlan(ctx context.Context, o FitOptions, j *job, plan *chrom.Plan, jobsDir string) (*PlanResult, error) {
	d := j.data
	stateSum, err := writeState(j.out.Path(StateFile), o, d, plan)
	if err != nil {
		return nil, err
	}
	man := Manifest{Format: ManifestFormat, Version: version.String(), Input: d.Input, Inputs: d.Inputs, SNPs: d.Train.NumSites(), StateSHA256: hex.EncodeToString(stateSum[:])}
	res := &PlanResult{Data: d, Windows: plan.Windows}
	if man.Jobs, res.Jobs, err = writeJobs(ctx, j, plan, stateSum, jobsDir); err != nil {
		return nil, err
	}
	mb, err := json.MarshalIndent(man, "", "  ")
	if err != nil {
		return nil, err
	}
	if err := atomicfile.WriteFile(j.out.Path(ManifestFile), append(mb, '\n')); err != nil {
		return nil, err
	}
	j.log.Info("planned", "windows", len(plan.Windows), "contigs", len(vcf.MergeContigs(nil, d.Train.Sites)), "jobs", jobsDir, "state sha256", man.StateSHA256)
	if err := atomicfile.WriteFile(j.out.Path(PlanLogFile), j.logBuf.Bytes()); err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if res.Files, err = j.out.Commit(); err != nil {
		return nil, err
	}
	return res, nil
}

// writeJobs writes one sealed job file per window of plan, cut from the
// state with checksum stateSum, and returns their manifest entries and
// final paths (in jobsDir), in window order.
func writeJobs(ctx context.Context, j *job, plan *chrom.Plan, stateSum [32]byte, jobsDir string) ([]ManifestJob, []string, error) {
	var entries []ManifestJob
	var paths []string
	for i, w := range plan.Windows {
		if err := ctx.Err(); err != nil {
			return nil, nil, err
		}
		name := JobName(i, len(plan.Windows))
		b, err := chrom.EncodeJob(plan.Job(j.data.Train, w))
		if err != nil {
			return nil, nil, err
		}
		sum, err := writeSealed(j.out.Path(name+JobExt), jobMagic, &jobFile{Version: version.String(), StateSum: stateSum, Name: name, Job: b})
		if err != nil {
			return nil, nil, err
		}
		entries = append(entries, ManifestJob{Name: name, Contig: j.data.Train.Sites[w.Start].Chrom, Window: w, SHA256: hex.EncodeToString(sum[:])})
		paths = append(paths, filepath.Join(jobsDir, name+JobExt))
	}
	return entries, paths, nil
}

// removeStaleJobs removes the job files in jobsDir other than jobs: those
// of an earlier plan of more windows would look like jobs of this one (and
// be refused as stale).
func removeStaleJobs(jobsDir string, jobs []string) {
	old, _ := filepath.Glob(filepath.Join(jobsDir, "*"+JobExt))
	keep := map[string]bool{}
	for _, p := range jobs {
		keep[p] = true
	}
	for _, p := range old {
		if !keep[p] {
			if err := os.Remove(p); err == nil {
				slog.Info("removed the job file of an earlier plan", "file", p)
			}
		}
	}
}

// WindowRun describes what FitWindow did.
type WindowRun struct {
	Job, Result string
	Window      chrom.Window
	// UpToDate: a valid result of the same job was there already, and
	// nothing was computed.
	UpToDate                    bool
	FitSeconds, GenerateSeconds float64
}

// DefaultResultPath is where FitWindow writes the result of the job file
// DIR/JobsDir/NAME.job: DIR/ResultsDir/NAME.result.
func DefaultResultPath(jobPath string) string {
	name := strings.TrimSuffix(filepath.Base(jobPath), JobExt)
	return filepath.Join(filepath.Dir(filepath.Dir(jobPath)), ResultsDir, name+ResultExt)
}

// FitWindow is the middle stage: it runs the window job at jobPath (fit and
// generate, chrom.Job.Run) and writes its result to resultPath ("":
// DefaultResultPath) atomically. The job must be intact and of the plan
// beside it (the manifest in its directory). When resultPath already holds
// a valid result of this very job, it does nothing (WindowRun.UpToDate); an
// invalid or stale one is replaced.
func FitWindow(ctx context.Context, jobPath, resultPath string, log *slog.Logger) (*WindowRun, error) {
	if log == nil {
		log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if resultPath == "" {
		resultPath = DefaultResultPath(jobPath)
	}
	jf, jobSum, err := readJob(jobPath)
	if err != nil {
		return nil, err
	}
	man, err := readManifest(filepath.Join(filepath.Dir(jobPath), ManifestFile))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", jobPath, err)
	}
	if err := man.checkJob(jobPath, jf, jobSum); err != nil {
		return nil, err
	}
	run := &WindowRun{Job: jobPath, Result: resultPath}
	if rf, _, err := readResultFile(resultPath); err == nil && rf.JobSum == jobSum && rf.StateSum == jf.StateSum {
		if r, err := chrom.DecodeResult(rf.Result); err == nil {
			run.Window, run.UpToDate = r.Window, true
			log.Info("result up to date", "job", jobPath, "result", resultPath)
			return run, nil
		}
	} else if err == nil || !errors.Is(err, fs.ErrNotExist) {
		log.Warn("replacing an invalid or stale result", "result", resultPath, "reason", resultReason(err))
	}
	job, err := chrom.DecodeJob(jf.Job)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", jobPath, err)
	}
	log.Info("window job", "job", jobPath, "window", job.Window.Index, "snps", len(job.Sites), "train", job.NTrain, "candidates", job.NCandidates)
	r, err := job.Run(ctx, progressOf(ctx))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", jobPath, err)
	}
	b, err := chrom.EncodeResult(r)
	if err != nil {
		return nil, err
	}
	dir := filepath.Dir(resultPath)
	_, statErr := os.Stat(dir)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	if _, err := writeSealed(resultPath, resultMagic, &resultFile{Version: version.String(), StateSum: jf.StateSum, JobSum: jobSum, Name: jf.Name, Result: b}); err != nil {
		if errors.Is(statErr, fs.ErrNotExist) {
			os.Remove(dir)
		}
		return nil, err
	}
	run.Window, run.FitSeconds, run.GenerateSeconds = r.Window, r.FitSeconds, r.GenerateSeconds
	log.Info("window done", "result", resultPath, "fit seconds", strconv.FormatFloat(r.FitSeconds, 'f', 1, 64), "generate seconds", strconv.FormatFloat(r.GenerateSeconds, 'f', 1, 64))
	return run, nil
}

func resultReason(err error) string {
	if err != nil {
		return err.Error()
	}
	return "computed from another job (an earlier plan)"
}

// Assemble is the last stage: it reads the plan in dir (dir/JobsDir) and
// every window's result (dir/ResultsDir) in window order, and writes into
// dir what Fit writes, byte for byte as `gousynth fit` with the plan's
// flags and seed (dates pinned with SOURCE_DATE_EPOCH), all together or
// none. run.log is the plan's log followed by the assembly's.
func Assemble(ctx context.Context, dir string, logger *slog.Logger, progress func(model.Progress)) (_ *FitResult, err error) {
	start := time.Now()
	sp, err := readPlan(dir)
	if err != nil {
		return nil, err
	}
	paths, err := sp.resultPaths(dir)
	if err != nil {
		return nil, err
	}
	j, err := sp.assembleJob(dir, logger)
	if err != nil {
		return nil, err
	}
	defer j.out.Abort()
	defer func() { err = j.out.UserError(err) }()
	plan := sp.meta.Plan
	j.log.Info("assemble", "dir", dir, "windows", len(plan.Windows), "gousynth", version.String())
	so := sp.meta.Options
	o := FitOptions{Data: so.Data, OutDir: dir, NSynth: so.NSynth, Report: so.Report, CommandLine: so.CommandLine, Progress: progress, Logger: logger,
		Windows: plan.Options, WriteSplit: so.WriteSplit, OutFormat: so.OutFormat, SplitChromosomes: so.SplitChromosomes}
	if o.WriteSplit {
		if err := j.writeSplit(); err != nil {
			return nil, err
		}
	}
	asm, err := plan.Assembler()
	if err != nil {
		return nil, err
	}
	return assembleWindowed(ctx, o, j, plan, sp.resultWindows(ctx, j, asm, paths), start, start)
}

// storedPlan is a plan read back for its assembly: the manifest, the state
// and the state's checksum.
type storedPlan struct {
	jobsDir  string
	man      *Manifest
	meta     *stateMeta
	data     *Data
	stateSum [32]byte
}

// readPlan reads the plan in dir/JobsDir, and refuses a state that is not
// the manifest's or has another number of windows than it lists jobs.
func readPlan(dir string) (*storedPlan, error) {
	sp := &storedPlan{jobsDir: filepath.Join(dir, JobsDir)}
	var err error
	if sp.man, err = readManifest(filepath.Join(sp.jobsDir, ManifestFile)); err != nil {
		return nil, err
	}
	statePath := filepath.Join(sp.jobsDir, StateFile)
	if sp.meta, sp.data, sp.stateSum, err = readState(statePath); err != nil {
		return nil, err
	}
	if hex.EncodeToString(sp.stateSum[:]) != sp.man.StateSHA256 {
		return nil, stageErrorf("%s does not match %s (another plan's state); run gousynth plan again", statePath, filepath.Join(sp.jobsDir, ManifestFile))
	}
	if len(sp.man.Jobs) != len(sp.meta.Plan.Windows) {
		return nil, stageErrorf("%s lists %d jobs for %d windows", filepath.Join(sp.jobsDir, ManifestFile), len(sp.man.Jobs), len(sp.meta.Plan.Windows))
	}
	return sp, nil
}

// resultPaths are the result files of the plan's jobs in dir/ResultsDir,
// in window order; every one must be there before any output is written.
func (sp *storedPlan) resultPaths(dir string) ([]string, error) {
	var missing []string
	paths := make([]string, len(sp.man.Jobs))
	for i, mj := range sp.man.Jobs {
		paths[i] = filepath.Join(dir, ResultsDir, mj.Name+ResultExt)
		if _, err := os.Stat(paths[i]); err != nil {
			missing = append(missing, paths[i])
		}
	}
	if len(missing) == 0 {
		return paths, nil
	}
	total, more := len(missing), ""
	if total > 5 {
		more, missing = fmt.Sprintf(" and %d more", total-5), missing[:5]
	}
	return nil, stageErrorf("%s: %d of %d windows have no result (%s%s); run gousynth fit-window on their jobs in %s first",
		dir, total, len(sp.man.Jobs), strings.Join(missing, ", "), more, sp.jobsDir)
}

// assembleJob is the job of the assembly: its log continues the plan's,
// and its outputs are staged in dir. The caller must `defer j.out.Abort()`.
func (sp *storedPlan) assembleJob(dir string, logger *slog.Logger) (*job, error) {
	planLog, err := os.ReadFile(filepath.Join(sp.jobsDir, PlanLogFile))
	if err != nil {
		planLog = []byte(fmt.Sprintf("# the plan's log (%s) could not be read: %v\n", PlanLogFile, err))
	}
	j := &job{logBuf: bytes.NewBuffer(planLog), seed: sp.meta.Options.Data.Seed, data: sp.data}
	j.log = teeLogger(logger, j.logBuf)
	if j.out, err = atomicfile.CreateDir(dir); err != nil {
		return nil, err
	}
	return j, nil
}

// resultWindows feeds the windows' results at paths, in window order, to
// the assembler asm and then to the sink of assembleWindowed, refusing a
// result of another job or window than the plan's.
func (sp *storedPlan) resultWindows(ctx context.Context, j *job, asm *chrom.Assembler, paths []string) func(sink func(chrom.WindowDone) error) error {
	return func(sink func(chrom.WindowDone) error) error {
		for i, w := range sp.meta.Plan.Windows {
			if err := ctx.Err(); err != nil {
				return err
			}
			rf, sum, err := readResultFile(paths[i])
			if err != nil {
				return err
			}
			if rf.StateSum != sp.stateSum || hex.EncodeToString(rf.JobSum[:]) != sp.man.Jobs[i].SHA256 {
				return stageErrorf("%s was computed from another job than %s (an earlier plan?); delete it and rerun gousynth fit-window on the job",
					paths[i], filepath.Join(sp.jobsDir, sp.man.Jobs[i].Name+JobExt))
			}
			r, err := chrom.DecodeResult(rf.Result)
			if err != nil {
				return fmt.Errorf("%s: %w", paths[i], err)
			}
			if r.Window != w {
				return stageErrorf("%s holds window %+v, the plan's window %d is %+v", paths[i], r.Window, i, w)
			}
			j.log.Debug("result", "file", paths[i], "sha256", hex.EncodeToString(sum[:]))
			core, err := asm.Add(r)
			if err != nil {
				return err
			}
			if err := sink(chrom.WindowDone{Window: w, Result: r, Core: core, OverlapMismatch: asm.LastOverlapMismatch, AncestryChi2: asm.LastAncestryChi2}); err != nil {
				return err
			}
		}
		return nil
	}
}

// checkJob refuses a job that is not the manifest's (of another plan).
func (m *Manifest) checkJob(path string, jf *jobFile, sum [32]byte) error {
	if hex.EncodeToString(jf.StateSum[:]) != m.StateSHA256 {
		return stageErrorf("%s is stale: it was cut from another plan state (sha256 %.12s…) than the one in %s (%.12s…); run gousynth plan again",
			path, hex.EncodeToString(jf.StateSum[:]), filepath.Dir(path), m.StateSHA256)
	}
	for _, mj := range m.Jobs {
		if mj.Name == jf.Name {
			if mj.SHA256 != hex.EncodeToString(sum[:]) {
				return stageErrorf("%s is not the job the plan in %s lists as %s (its checksum differs); run gousynth plan again", path, filepath.Dir(path), mj.Name)
			}
			return nil
		}
	}
	return stageErrorf("%s: the plan in %s has no job %s; run gousynth plan again", path, filepath.Dir(path), jf.Name)
}

func readManifest(path string) (*Manifest, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, stageErrorf("%s: no such file: not a plan directory (gousynth plan writes it)", path)
		}
		return nil, err
	}
	m := new(Manifest)
	if err := json.Unmarshal(b, m); err != nil {
		return nil, stageErrorf("%s: %v", path, err)
	}
	if m.Format != ManifestFormat {
		return nil, stageErrorf("%s: format %q, this build reads %q", path, m.Format, ManifestFormat)
	}
	if m.Version != version.String() {
		return nil, stageErrorf("%s: planned by gousynth %s, this is %s: the stages of one fit must run the same build (plan again with this one)", path, m.Version, version.String())
	}
	return m, nil
}

func readJob(path string) (*jobFile, [32]byte, error) {
	jf := new(jobFile)
	sum, err := readSealed(path, jobMagic, "window job", jf)
	return jf, sum, err
}

func readResultFile(path string) (*resultFile, [32]byte, error) {
	rf := new(resultFile)
	sum, err := readSealed(path, resultMagic, "window result", rf)
	return rf, sum, err
}

// writeSealed writes magic, the gob of v and the SHA-256 of both to path
// atomically, and returns that checksum.
func writeSealed(path, magic string, v any) ([32]byte, error) {
	var buf bytes.Buffer
	buf.WriteString(magic)
	if err := gob.NewEncoder(&buf).Encode(v); err != nil {
		return [32]byte{}, err
	}
	sum := sha256.Sum256(buf.Bytes())
	buf.Write(sum[:])
	return sum, atomicfile.WriteFile(path, buf.Bytes())
}

// readSealed reads a file written by writeSealed into v and returns its
// checksum; what is the kind of file, for errors.
func readSealed(path, magic, what string, v any) ([32]byte, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return [32]byte{}, err
	}
	if !bytes.HasPrefix(b, []byte(magic)) {
		return [32]byte{}, stageErrorf("%s: not a gousynth %s file (or of another format version)", path, what)
	}
	if len(b) < len(magic)+sha256.Size {
		return [32]byte{}, stageErrorf("%s: checksum mismatch: the %s file is truncated", path, what)
	}
	body, stored := b[:len(b)-sha256.Size], b[len(b)-sha256.Size:]
	sum := sha256.Sum256(body)
	if !bytes.Equal(sum[:], stored) {
		return sum, stageErrorf("%s: checksum mismatch: the %s file is corrupt or truncated", path, what)
	}
	if err := gob.NewDecoder(bytes.NewReader(body[len(magic):])).Decode(v); err != nil {
		return sum, stageErrorf("%s: %v", path, err)
	}
	return sum, nil
}

// hashWriter and hashReader pass bytes through and hash them.
type hashWriter struct {
	w io.Writer
	h hash.Hash
}

func (hw hashWriter) Write(p []byte) (int, error) {
	hw.h.Write(p)
	return hw.w.Write(p)
}

type hashReader struct {
	r io.Reader
	h hash.Hash
}

func (hr hashReader) Read(p []byte) (int, error) {
	n, err := hr.r.Read(p)
	hr.h.Write(p[:n])
	return n, err
}

// writeState writes the state file: stateMagic, the length and gob of
// stateMeta, the training and the test dosages raw, and the SHA-256 of
// all of it, which it returns. The same data and options give the same
// bytes (no maps, no times).
func writeState(path string, o FitOptions, d *Data, plan *chrom.Plan) ([32]byte, error) {
	meta := stateMeta{
		Version: version.String(),
		Options: stateOptions{Data: o.Data, NSynth: o.NSynth, Report: o.Report, CommandLine: o.CommandLine, WriteSplit: o.WriteSplit, OutFormat: o.OutFormat, SplitChromosomes: o.SplitChromosomes},
		Plan:    plan,
		Input:   d.Input, Inputs: d.Inputs, Log: d.Log, NumInput: d.NumInput,
		TrainSites: d.Train.Sites, TestSites: d.Test.Sites, TrainSamples: d.Train.Samples, TestSamples: d.Test.Samples,
		Notes: d.Notes, TestNotes: d.TestNotes, TestInput: d.TestInput, Contigs: d.Contigs, Reference: d.Reference,
	}
	meta.Options.Report.Panel, meta.Options.Report.SynthLabels = nil, nil
	if d.Train.Ploidy != nil || d.Test.Ploidy != nil || d.Train.Haplotypes != nil || d.Test.Haplotypes != nil {
		return [32]byte{}, fmt.Errorf("pipeline: the plan state stores dosages only")
	}
	if s := d.ReadStats; s != nil {
		meta.Records, meta.Kept, meta.Filtered = s.Records, s.Kept, s.Filtered
		for k, n := range s.Skipped {
			meta.Skipped = append(meta.Skipped, countEntry{k, n})
		}
		sort.Slice(meta.Skipped, func(a, b int) bool { return meta.Skipped[a].Key < meta.Skipped[b].Key })
	}
	if d.Panel != nil {
		meta.HasPanel = true
		for _, s := range d.Panel.Samples() {
			e, _ := d.Panel.Lookup(s)
			meta.Panel = append(meta.Panel, panelEntry{s, e})
		}
		sort.Slice(meta.Panel, func(a, b int) bool { return meta.Panel[a].Sample < meta.Panel[b].Sample })
	}
	var mb bytes.Buffer
	if err := gob.NewEncoder(&mb).Encode(&meta); err != nil {
		return [32]byte{}, err
	}
	f, err := atomicfile.Create(path)
	if err != nil {
		return [32]byte{}, err
	}
	defer f.Abort()
	bw := bufio.NewWriterSize(f, 1<<20)
	hw := hashWriter{bw, sha256.New()}
	var n [8]byte
	binary.LittleEndian.PutUint64(n[:], uint64(mb.Len()))
	for _, b := range [][]byte{[]byte(stateMagic), n[:], mb.Bytes()} {
		if _, err := hw.Write(b); err != nil {
			return [32]byte{}, fmt.Errorf("write %s: %w", path, err)
		}
	}
	for _, x := range [][]int8{d.Train.Dosage, d.Test.Dosage} {
		if err := writeInt8s(hw, x); err != nil {
			return [32]byte{}, fmt.Errorf("write %s: %w", path, err)
		}
	}
	var sum [32]byte
	copy(sum[:], hw.h.Sum(nil))
	if _, err := bw.Write(sum[:]); err != nil {
		return sum, fmt.Errorf("write %s: %w", path, err)
	}
	if err := bw.Flush(); err != nil {
		return sum, fmt.Errorf("write %s: %w", path, err)
	}
	return sum, f.Commit()
}

// int8Chunk is the buffer size of writeInt8s and readInt8s: dosages are
// converted chunk by chunk, never copied whole.
const int8Chunk = 1 << 20

// writeInt8s writes x as bytes (two's complement).
func writeInt8s(w io.Writer, x []int8) error {
	buf := make([]byte, min(len(x), int8Chunk))
	for len(x) > 0 {
		k := min(len(x), len(buf))
		for i, v := range x[:k] {
			buf[i] = byte(v)
		}
		if _, err := w.Write(buf[:k]); err != nil {
			return err
		}
		x = x[k:]
	}
	return nil
}

// readInt8s reads n values written by writeInt8s.
func readInt8s(r io.Reader, n int64) ([]int8, error) {
	x := make([]int8, n)
	buf := make([]byte, min(n, int8Chunk))
	for rest := x; len(rest) > 0; {
		k := min(len(rest), len(buf))
		if _, err := io.ReadFull(r, buf[:k]); err != nil {
			return nil, err
		}
		for i, v := range buf[:k] {
			rest[i] = int8(v)
		}
		rest = rest[k:]
	}
	return x, nil
}

// readState reads a state file (writeState) and returns its metadata, the
// prepared data and its checksum. Sizes are checked against the file's
// before any dosage is read; the checksum at the end before the data is
// returned.
func readState(path string) (*stateMeta, *Data, [32]byte, error) {
	var sum [32]byte
	f, err := os.Open(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, nil, sum, stageErrorf("%s: no such file: not a plan directory (gousynth plan writes it)", path)
		}
		return nil, nil, sum, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, nil, sum, err
	}
	corrupt := func(format string, a ...any) error {
		return stageErrorf("%s: %s", path, fmt.Sprintf(format, a...))
	}
	br := bufio.NewReaderSize(f, 1<<20)
	hr := hashReader{br, sha256.New()}
	head := make([]byte, len(stateMagic)+8)
	if _, err := io.ReadFull(hr, head); err != nil || string(head[:len(stateMagic)]) != stateMagic {
		return nil, nil, sum, corrupt("not a gousynth plan state file (or of another format version)")
	}
	size := fi.Size()
	ml := binary.LittleEndian.Uint64(head[len(stateMagic):])
	if ml > uint64(size) {
		return nil, nil, sum, corrupt("checksum mismatch: the state file is corrupt or truncated")
	}
	mb := make([]byte, ml)
	if _, err := io.ReadFull(hr, mb); err != nil {
		return nil, nil, sum, corrupt("checksum mismatch: the state file is truncated")
	}
	meta := new(stateMeta)
	if err := gob.NewDecoder(bytes.NewReader(mb)).Decode(meta); err != nil || meta.Plan == nil {
		return nil, nil, sum, corrupt("checksum mismatch: the state file is corrupt (%v)", err)
	}
	nTrain := int64(len(meta.TrainSamples)) * int64(len(meta.TrainSites))
	nTest := int64(len(meta.TestSamples)) * int64(len(meta.TestSites))
	if want := int64(len(head)) + int64(ml) + nTrain + nTest + sha256.Size; want != size {
		return nil, nil, sum, corrupt("checksum mismatch: the state file is corrupt or truncated (%d bytes, its header says %d)", size, want)
	}
	trainDos, err := readInt8s(hr, nTrain)
	if err != nil {
		return nil, nil, sum, corrupt("checksum mismatch: the state file is truncated")
	}
	testDos, err := readInt8s(hr, nTest)
	if err != nil {
		return nil, nil, sum, corrupt("checksum mismatch: the state file is truncated")
	}
	copy(sum[:], hr.h.Sum(nil))
	stored := make([]byte, sha256.Size)
	if _, err := io.ReadFull(br, stored); err != nil || !bytes.Equal(stored, sum[:]) {
		return nil, nil, sum, corrupt("checksum mismatch: the state file is corrupt or truncated")
	}
	if meta.Version != version.String() {
		return nil, nil, sum, corrupt("planned by gousynth %s, this is %s: the stages of one fit must run the same build", meta.Version, version.String())
	}
	d := &Data{Input: meta.Input, Inputs: meta.Inputs, Log: meta.Log, NumInput: meta.NumInput, Notes: meta.Notes, TestNotes: meta.TestNotes, TestInput: meta.TestInput,
		Windowed: true, Contigs: meta.Contigs, Reference: meta.Reference,
		ReadStats: &vcf.ReadStats{Records: meta.Records, Kept: meta.Kept, Filtered: meta.Filtered},
		Train:     &vcf.Genotypes{Sites: meta.TrainSites, Samples: meta.TrainSamples, Dosage: trainDos},
		Test:      &vcf.Genotypes{Sites: meta.TestSites, Samples: meta.TestSamples, Dosage: testDos},
	}
	if d.Log == nil {
		d.Log = &preprocess.Log{}
	}
	if len(meta.Skipped) > 0 {
		d.ReadStats.Skipped = map[string]int{}
		for _, c := range meta.Skipped {
			d.ReadStats.Skipped[c.Key] = c.N
		}
	}
	if meta.HasPanel {
		entries := make(map[string]preprocess.PanelEntry, len(meta.Panel))
		for _, e := range meta.Panel {
			entries[e.Sample] = e.Entry
		}
		d.Panel = preprocess.NewPanel(entries)
	}
	return meta, d, sum, nil
}
