package app

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/gousynth/gousynth/chrom"
	"github.com/gousynth/gousynth/internal/atomicfile"
	"github.com/gousynth/gousynth/internal/limits"
	"github.com/gousynth/gousynth/internal/version"
	"github.com/gousynth/gousynth/model"
	"github.com/gousynth/gousynth/report"
	"github.com/gousynth/gousynth/vcf"
)

// Output file names of a fit, inside its output directory.
const (
	ModelFile = "model.gsy"
	SynthFile = "synthetic.vcf.gz"
	// SynthPLINKFile is the synthetic cohort with FitOptions.OutFormat
	// "plink": synthetic.bed with synthetic.bim and synthetic.fam.
	SynthPLINKFile = "synthetic.bed"
	ReportFile     = "report.html"
	JSONFile       = "metrics.json"
	LogFile        = "run.log"
)

// FitOptions describe a whole fit job.
type FitOptions struct {
	Data   DataOptions
	OutDir string
	// NSynth is the size of the synthetic cohort; 0 means as many
	// individuals as the input has.
	NSynth int
	Model  model.Config
	Report report.Options
	// CommandLine is recorded in the VCF header and the report.
	CommandLine string
	// Progress, when not nil, receives the model's progress.
	Progress func(model.Progress)
	// Logger receives the run's log (it is also written to run.log).
	Logger *slog.Logger
	// Windows configures the windowed fit of data with more SNPs than the
	// budget (Data.Windows "auto"); Model is then every window's model.
	Windows chrom.Options
	// FixedWindowSNPs says Windows.WindowSNPs was chosen (--window-snps):
	// Data.WindowCap does not lower it.
	FixedWindowSNPs bool
	// WriteSplit also writes the training and test sample lists
	// (TrainSplitFile, TestSplitFile: real sample IDs) into OutDir.
	WriteSplit bool
	// OutFormat is the format of the synthetic cohort: "vcf" or "" (a
	// bgzipped, indexed VCF, SynthFile) or "plink" (a PLINK 1 fileset,
	// SynthPLINKFile).
	OutFormat string
	// SplitChromosomes writes the synthetic cohort of genome mode
	// (DataOptions.Inputs) as one file per contig (SplitSynthFile) instead
	// of one SynthFile.
	SplitChromosomes bool
}

// Validate checks o before any work: the data options (DataOptions.Validate),
// the size of the synthetic cohort, the report's LD window and the output
// format. Its errors are usage errors (ErrUsage). Fit and Plan call it; the
// checks that need the data (the budget, genome mode's inputs) come once
// it is read.
func (o FitOptions) Validate() error {
	if err := validateCohort(o.NSynth, o.Report); err != nil {
		return err
	}
	if err := o.Data.Validate(); err != nil {
		return err
	}
	switch o.OutFormat {
	case "", FormatVCF, FormatPLINK:
		return nil
	}
	return usagef("--out-format must be vcf or plink, got %q", o.OutFormat)
}

// validateCohort checks the size of a synthetic cohort (0: as many as the
// input) and the report's LD window (0: report's default).
func validateCohort(nSynth int, r report.Options) error {
	switch {
	case nSynth < 0:
		return usagef("-n must not be negative, got %d", nSynth)
	case nSynth > limits.MaxIndividuals:
		return usagef("-n must be at most %d synthetic individuals, got %d", limits.MaxIndividuals, nSynth)
	case r.LDWindowSNPs < 0 || r.LDWindowSNPs > limits.MaxSNPs:
		return checkCount("--ld-window-snps", r.LDWindowSNPs, 1, limits.MaxSNPs)
	}
	return nil
}

// Validate checks the filters, the test fraction and the SNP budget of o
// (0 is DefaultMaxSNPs); its errors are usage errors (ErrUsage).
func (o DataOptions) Validate() error {
	f := o.Filter
	switch {
	case f.MinMAF < 0 || f.MinMAF > 0.5:
		return usagef("--maf must be in [0, 0.5], got %g", f.MinMAF)
	case f.MaxSiteMissing < 0 || f.MaxSiteMissing > 1:
		return usagef("--geno must be in [0, 1], got %g", f.MaxSiteMissing)
	case f.MaxSampleMissing < 0 || f.MaxSampleMissing > 1:
		return usagef("--mind must be in [0, 1], got %g", f.MaxSampleMissing)
	case f.HWEPValue < 0 || f.HWEPValue > 1:
		return usagef("--hwe must be in [0, 1], got %g", f.HWEPValue)
	case o.TestFraction < 0 || o.TestFraction >= 1:
		return usagef("--test-fraction must be in [0, 1), got %g", o.TestFraction)
	case o.MaxSNPs < -1:
		return usagef("--max-snps must be a positive number of SNPs or -1, got %d", o.MaxSNPs)
	case o.MaxSNPs > limits.MaxSNPs:
		return usagef("--max-snps must be at most %d (or -1 for no limit), got %d", limits.MaxSNPs, o.MaxSNPs)
	}
	return nil
}

// Output formats of the synthetic cohort (FitOptions.OutFormat).
const (
	FormatVCF   = "vcf"
	FormatPLINK = "plink"
)

// synthFile is the name of the synthetic cohort's file in a fit's output
// directory.
func (o FitOptions) synthFile() string {
	if o.OutFormat == FormatPLINK {
		return SynthPLINKFile
	}
	return SynthFile
}

// FitResult is what a fit produced.
type FitResult struct {
	Data    *Data
	Model   *model.Model
	Metrics *report.Metrics
	Files   []string // final paths of the outputs, in name order
	// Windowed is set for a windowed fit; Model is then nil and Metrics are
	// those of the representative window.
	Windowed *WindowedResult
}

// Seeds of the stages of a job, derived from the one --seed so that each
// stage has its own random stream.
func stageSeed(seed uint64, stage uint64) uint64 {
	// splitmix64 finaliser: distinct, well-mixed seeds per stage.
	z := seed + stage*0x9E3779B97F4A7C15
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9
	z = (z ^ (z >> 27)) * 0x94D049BB133111EB
	return z ^ (z >> 31)
}

const (
	stageSplit uint64 = iota + 1
	stageModel
	stageGenerate
	stageReport
)

// Fit runs the main job: prepare the data, fit the model, generate the
// synthetic cohort, evaluate it, and write model, synthetic VCF (+ .tbi),
// report, metrics and log into OutDir. Either all outputs appear or none.
func Fit(ctx context.Context, o FitOptions) (_ *FitResult, err error) {
	start := time.Now()
	if err := o.Validate(); err != nil {
		return nil, err
	}
	if o.Windows.Residual == chrom.ResidHaplotype {
		o.Data.KeepPhase = true // haplotype window models learn the phase
	}
	j, err := startJob(ctx, o.Logger, o.OutDir, o.Data, o.CommandLine)
	if err != nil {
		return nil, err
	}
	defer j.out.Abort()
	defer func() { err = j.out.UserError(err) }()
	d := j.data
	if err := o.checkSplitChromosomes(d); err != nil {
		return nil, err
	}
	if o.WriteSplit {
		if err := j.writeSplit(); err != nil {
			return nil, err
		}
	}
	if d.Windowed {
		return fitWindowed(ctx, o, j, start)
	}
	j.labelled = d.Panel != nil
	run, err := j.fitGenerateEvaluate(ctx, o.Model, o.NSynth, o.Report, o.Progress)
	if err != nil {
		return nil, err
	}
	m := run.model
	prov := provenance(FitOptions{Data: o.Data, CommandLine: o.CommandLine}, d, m, run.synth.NumSamples())
	if err := m.Save(j.out.Path(ModelFile)); err != nil {
		return nil, err
	}
	if err := vcf.WriteGenotypes(j.out.Path(o.synthFile()), run.synth, synthHeader(run.synth, o.CommandLine, d.Contigs, d.Reference)); err != nil {
		return nil, err
	}
	if o.OutFormat != FormatPLINK {
		NoteIndex(j.log, SynthFile, run.synth.Sites)
	}
	if run.cohort != nil {
		if err := WriteSynthPanel(j.out.Path(SynthPanelFile), m.Labels, run.cohort); err != nil {
			return nil, err
		}
	}
	if err := writeReport(j.out, run.metrics, prov, ""); err != nil {
		return nil, err
	}
	j.log.Info("done", "seconds", strconv.FormatFloat(time.Since(start).Seconds(), 'f', 1, 64))
	files, err := j.finish(ctx)
	if err != nil {
		return nil, err
	}
	return &FitResult{Data: d, Model: m, Metrics: run.metrics, Files: files}, nil
}

// job is the state shared by the steps of one run: its log, its staged
// output directory and its prepared data.
type job struct {
	log    *slog.Logger
	logBuf *bytes.Buffer
	out    *atomicfile.Dir
	data   *Data
	seed   uint64
	// labelled: fit the model with the panel's population labels (fit
	// only; compare fits every process without them).
	labelled bool
}

// startJob stages the output directory and prepares the data. The caller
// must `defer j.out.Abort()`.
func startJob(ctx context.Context, logger *slog.Logger, outDir string, o DataOptions, cmdline string) (*job, error) {
	j := &job{logBuf: new(bytes.Buffer), seed: o.Seed}
	j.log = teeLogger(logger, j.logBuf)
	j.log.Debug("run", "gousynth", version.String(), "command", cmdline, "seed", o.Seed, "threads", o.Read.Threads)
	out, err := atomicfile.CreateDir(outDir)
	if err != nil {
		return nil, err
	}
	j.out = out
	o.Seed = stageSeed(j.seed, stageSplit)
	if j.data, err = Prepare(ctx, o, j.log); err != nil {
		out.Abort()
		return nil, err
	}
	return j, nil
}

// modelRun is one fitted model with its synthetic cohort and evaluation.
type modelRun struct {
	model                       *model.Model
	synth                       *vcf.Genotypes
	metrics                     *report.Metrics
	fitSeconds, generateSeconds float64
	// cohort is the label of each synthetic individual (model.Cohort), nil
	// for a model without labels.
	cohort []int
}

// fitGenerateEvaluate fits cfg on the job's training set, generates n
// synthetic individuals (0: as many as the input) and evaluates them
// against the held-out individuals. Every model of a job gets the same
// seeds, so processes are compared on equal terms.
func (j *job) fitGenerateEvaluate(ctx context.Context, cfg model.Config, n int, ropts report.Options, progress func(model.Progress)) (*modelRun, error) {
	d := j.data
	cfg.Seed = stageSeed(j.seed, stageModel)
	j.log.Info("fitting", "process", cfg.Process, "train", d.Train.NumSamples(), "snps", d.Train.NumSites(), "steps", cfg.Steps)
	t0 := time.Now()
	var lab *model.Labelling
	if j.labelled {
		lab = d.labelling()
	}
	m, err := model.FitLabelled(ctx, d.TrainMatrix, d.Train.Sites, lab, cfg, progress)
	if err != nil {
		return nil, err
	}
	m.Preprocess = d.Summary()
	m.Contigs, m.Reference = d.Contigs, d.Reference
	r := &modelRun{model: m, fitSeconds: time.Since(t0).Seconds()}
	for _, pt := range m.Timings {
		j.log.Info("fit phase", "phase", pt.Phase, "seconds", strconv.FormatFloat(pt.Seconds, 'f', 2, 64))
	}
	if n == 0 {
		n = d.NumInput
	}
	j.log.Info("generating", "individuals", n)
	t0 = time.Now()
	if r.cohort, err = m.Cohort(nil, n); err != nil {
		return nil, err
	}
	if r.cohort != nil {
		j.log.Info("population labels", "labels", len(m.Labels), "anchors", len(m.Init.Weights))
	}
	if r.synth, err = generateAll(ctx, m, n, r.cohort, stageSeed(j.seed, stageGenerate)); err != nil {
		return nil, err
	}
	r.generateSeconds = time.Since(t0).Seconds()
	ropts.Seed = stageSeed(j.seed, stageReport)
	ropts.Panel = d.populations()
	j.log.Info("evaluating", "test", d.Test.NumSamples(), "synthetic", r.synth.NumSamples())
	if r.cohort != nil {
		ropts.SynthLabels = synthGroups(m.Labels, r.cohort)
	}
	startPhase(ctx, "evaluate")
	if r.metrics, err = report.Evaluate(d.evalTest(), r.synth, d.Train, ropts); err != nil {
		return nil, err
	}
	r.metrics.Notes = append(r.metrics.Notes, d.TestNotes...)
	if r.cohort != nil && d.HeldOut() {
		if err := d.evaluatePopulations(r.metrics, r.synth, m.Labels, r.cohort, r.metrics.Options.PCs, ropts.Seed^0x706f70); err != nil {
			return nil, err
		}
	}
	return r, ctx.Err()
}

// finish writes run.log and moves every staged output into place.
func (j *job) finish(ctx context.Context) ([]string, error) {
	if err := atomicfile.WriteFile(j.out.Path(LogFile), j.logBuf.Bytes()); err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return j.out.Commit()
}

// writeReport writes report.html and metrics.json into out.
func writeReport(out *atomicfile.Dir, met *report.Metrics, prov report.Provenance, title string) error {
	html, js, err := renderReport(met, prov, report.HTMLOptions{Title: title})
	if err != nil {
		return err
	}
	return writeReportFiles(out, html, js)
}

// renderReport renders met as the HTML report (with opts, whose
// Provenance is set to prov) and as metrics.json.
func renderReport(met *report.Metrics, prov report.Provenance, opts report.HTMLOptions) (html, js []byte, err error) {
	var h, j bytes.Buffer
	opts.Provenance = prov
	if err := report.WriteHTML(&h, met, opts); err != nil {
		return nil, nil, err
	}
	if err := report.WriteJSON(&j, met, prov); err != nil {
		return nil, nil, err
	}
	return h.Bytes(), j.Bytes(), nil
}

// writeReportFiles writes report.html and metrics.json into out.
func writeReportFiles(out *atomicfile.Dir, html, js []byte) error {
	if err := atomicfile.WriteFile(out.Path(ReportFile), html); err != nil {
		return err
	}
	return atomicfile.WriteFile(out.Path(JSONFile), js)
}

// PhaseLine is the header line of every synthetic VCF: its genotypes are
// unphased because the models generate genotypes (dosages), not haplotypes.
const PhaseLine = "##gousynthPhase=unphased: the model generates genotypes (ALT dosages 0/1/2), not haplotypes, so calls are written unphased (0/1)"

// synthHeader is the VCF header of a synthetic cohort: synthetic sample IDs,
// the command line, the phase line, and the input's ##contig lines (ID,
// length, assembly, ...) and ##reference line, when it had them (Data's,
// or a model file's copies); contigs the input did not declare get an ID
// only.
func synthHeader(g *vcf.Genotypes, cmdline string, contigs []vcf.Contig, reference string) vcf.Header {
	var extra []string
	if reference != "" {
		extra = append(extra, reference)
	}
	extra = append(extra, "##gousynthNote=Synthetic genotypes generated by a diffusion model; no real individual's genotypes", PhaseLine)
	return vcf.Header{
		Samples:     g.Samples,
		Contigs:     vcf.MergeContigs(contigs, g.Sites),
		CommandLine: cmdline,
		ExtraLines:  extra,
	}
}

// Summary describes the data preparation in one line, for model files.
func (d *Data) Summary() string {
	var steps []string
	for _, s := range d.Log.Steps {
		steps = append(steps, fmt.Sprintf("%s: -%d (%d left)", s.Name, s.Removed, s.Remaining))
	}
	return fmt.Sprintf("input %s; %s; train %d, test %d individuals; %d SNPs",
		filepath.Base(d.Input), strings.Join(steps, "; "), d.Train.NumSamples(), d.Test.NumSamples(), d.Train.NumSites())
}

// runDate is the date recorded in outputs: SOURCE_DATE_EPOCH when set (the
// reproducible-builds convention, for byte-identical reruns), else today.
func runDate() string {
	if s := os.Getenv("SOURCE_DATE_EPOCH"); s != "" {
		if sec, err := strconv.ParseInt(s, 10, 64); err == nil {
			return time.Unix(sec, 0).UTC().Format("2006-01-02")
		}
	}
	return time.Now().UTC().Format("2006-01-02")
}

func provenance(o FitOptions, d *Data, m *model.Model, n int) report.Provenance {
	kv := func(k, v string) report.KeyValue { return report.KeyValue{Key: k, Value: v} }
	return append(provenanceBase(o, d),
		kv("model", m.Summary()),
		kv("synthetic individuals", strconv.Itoa(n)),
	)
}

// provenanceBase is the data part of the provenance: version, command,
// input, filters, notes and split.
func provenanceBase(o FitOptions, d *Data) report.Provenance {
	kv := func(k, v string) report.KeyValue { return report.KeyValue{Key: k, Value: v} }
	p := report.Provenance{
		kv("gousynth version", version.String()),
		kv("date", runDate()),
		kv("command", o.CommandLine),
		kv("input", d.Input),
		kv("seed", strconv.FormatUint(o.Data.Seed, 10)),
	}
	if o.Data.Read.Region != "" {
		p = append(p, kv("region", o.Data.Read.Region))
	}
	p = append(p, kv("records read", fmt.Sprintf("%d (skipped: %s)", d.ReadStats.Records, formatCounts(d.ReadStats.Skipped))))
	for _, s := range d.Log.Steps {
		p = append(p, kv("filter: "+s.Name, fmt.Sprintf("removed %d, %d left (%s)", s.Removed, s.Remaining, s.Reason)))
	}
	for _, note := range d.Notes {
		p = append(p, kv("note", note))
	}
	p = append(p,
		kv("split", d.splitDescription(o.Data)),
	)
	return p
}

// FitOutputNames are the files a fit may write into its output directory
// (SynthPanelFile only for a fit with a panel), for checking before any
// work that none of them is an input.
func FitOutputNames() []string {
	return FitOutputNamesFor(FormatVCF)
}

// FitOutputNamesFor is FitOutputNames for a synthetic cohort in format
// (FitOptions.OutFormat).
func FitOutputNamesFor(format string) []string {
	if format == FormatPLINK {
		return []string{ModelFile, SynthPLINKFile, "synthetic.bim", "synthetic.fam", SynthPanelFile, ReportFile, JSONFile, LogFile}
	}
	return []string{ModelFile, SynthFile, SynthFile + ".tbi", SynthPanelFile, ReportFile, JSONFile, LogFile}
}
