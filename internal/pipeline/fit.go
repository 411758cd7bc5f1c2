package pipeline

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

	"github.com/gousynth/gousynth/internal/atomicfile"
	"github.com/gousynth/gousynth/internal/version"
	"github.com/gousynth/gousynth/model"
	"github.com/gousynth/gousynth/report"
	"github.com/gousynth/gousynth/vcf"
)

// Output file names of a fit, inside its output directory.
const (
	ModelFile  = "model.gsy"
	SynthFile  = "synthetic.vcf.gz"
	ReportFile = "report.html"
	JSONFile   = "metrics.json"
	LogFile    = "run.log"
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
}

// FitResult is what a fit produced.
type FitResult struct {
	Data    *Data
	Model   *model.Model
	Metrics *report.Metrics
	Files   []string // final paths of the outputs, in name order
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
func Fit(ctx context.Context, o FitOptions) (*FitResult, error) {
	var logBuf bytes.Buffer
	log := teeLogger(o.Logger, &logBuf)
	start := time.Now()

	out, err := atomicfile.CreateDir(o.OutDir)
	if err != nil {
		return nil, err
	}
	defer out.Abort()

	dataOpts := o.Data
	dataOpts.Seed = stageSeed(o.Data.Seed, stageSplit)
	d, err := Prepare(ctx, dataOpts, log)
	if err != nil {
		return nil, err
	}
	res := &FitResult{Data: d}

	cfg := o.Model
	cfg.Seed = stageSeed(o.Data.Seed, stageModel)
	log.Info("fitting", "process", cfg.Process, "train", d.Train.NumSamples(), "snps", d.Train.NumSites(), "steps", cfg.Steps)
	m, err := model.Fit(ctx, d.TrainMatrix, d.Train.Sites, cfg, o.Progress)
	if err != nil {
		return nil, err
	}
	m.Preprocess = d.Summary()
	res.Model = m
	for _, pt := range m.Timings {
		log.Info("fit phase", "phase", pt.Phase, "seconds", strconv.FormatFloat(pt.Seconds, 'f', 2, 64))
	}

	n := o.NSynth
	if n == 0 {
		n = d.NumInput
	}
	log.Info("generating", "individuals", n)
	synth, err := m.Generate(ctx, n, stageSeed(o.Data.Seed, stageGenerate))
	if err != nil {
		return nil, err
	}

	ropts := o.Report
	ropts.Seed = stageSeed(o.Data.Seed, stageReport)
	ropts.Panel = d.populations()
	log.Info("evaluating", "test", d.Test.NumSamples(), "synthetic", synth.NumSamples())
	met, err := report.Evaluate(d.Test, synth, d.Train, ropts)
	if err != nil {
		return nil, err
	}
	res.Metrics = met
	if err := ctx.Err(); err != nil {
		return nil, err
	}

	prov := provenance(o, d, m, n)
	if err := m.Save(out.Path(ModelFile)); err != nil {
		return nil, err
	}
	if err := vcf.WriteGenotypes(out.Path(SynthFile), synth, synthHeader(synth, o.CommandLine)); err != nil {
		return nil, err
	}
	if err := writeReport(out, met, prov, ""); err != nil {
		return nil, err
	}
	log.Info("done", "seconds", strconv.FormatFloat(time.Since(start).Seconds(), 'f', 1, 64))
	if err := atomicfile.WriteFile(out.Path(LogFile), logBuf.Bytes()); err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	res.Files, err = out.Commit()
	return res, err
}

// writeReport writes report.html and metrics.json into out.
func writeReport(out *atomicfile.Dir, met *report.Metrics, prov report.Provenance, title string) error {
	var html, js bytes.Buffer
	if err := report.WriteHTML(&html, met, report.HTMLOptions{Title: title, Provenance: prov}); err != nil {
		return err
	}
	if err := report.WriteJSON(&js, met, prov); err != nil {
		return err
	}
	if err := atomicfile.WriteFile(out.Path(ReportFile), html.Bytes()); err != nil {
		return err
	}
	return atomicfile.WriteFile(out.Path(JSONFile), js.Bytes())
}

// synthHeader is the VCF header of a synthetic cohort: synthetic sample IDs
// only, contigs in the order of the sites.
func synthHeader(g *vcf.Genotypes, cmdline string) vcf.Header {
	var contigs []vcf.Contig
	seen := map[string]bool{}
	for _, s := range g.Sites {
		if !seen[s.Chrom] {
			seen[s.Chrom] = true
			contigs = append(contigs, vcf.Contig{ID: s.Chrom})
		}
	}
	return vcf.Header{
		Samples:     g.Samples,
		Contigs:     contigs,
		CommandLine: cmdline,
		ExtraLines:  []string{"##gousynthNote=Synthetic genotypes generated by a diffusion model; no real individual's genotypes"},
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
		kv("split", fmt.Sprintf("%d training / %d test individuals (test fraction %g, stratified by population: %v)", d.Train.NumSamples(), d.Test.NumSamples(), o.Data.TestFraction, d.Panel != nil)),
		kv("model", m.Summary()),
		kv("synthetic individuals", strconv.Itoa(n)),
	)
	return p
}
