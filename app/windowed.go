package app

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"runtime"
	"strconv"
	"time"

	"github.com/gousynth/gousynth/autoreg"
	"github.com/gousynth/gousynth/chrom"
	"github.com/gousynth/gousynth/internal/atomicfile"
	"github.com/gousynth/gousynth/model"
	"github.com/gousynth/gousynth/report"
	"github.com/gousynth/gousynth/vcf"
)

// Values of DataOptions.Windows.
const (
	WindowsAuto = "auto"
	WindowsOff  = "off"
)

// WindowedResult describes a windowed fit.
type WindowedResult struct {
	Windows []chrom.Window
	Metrics *chrom.Metrics
	// Representative is the window whose report.Evaluate metrics fill
	// report.html's standard sections.
	Representative chrom.Window
	FitSeconds     float64 // wall time of fitting and assembling all windows
}

// fitWindowed is Fit for data marked Windowed: one model per window (package
// chrom), the synthetic chromosome streamed to one VCF, chromosome-scale
// metrics plus the standard report on a representative window. Its stages
// are planWindowed, the windows (chrom.Plan.Run here; the fit-window
// command's result files for Assemble) and assembleWindowed.
func fitWindowed(ctx context.Context, o FitOptions, j *job, start time.Time) (*FitResult, error) {
	t0 := time.Now()
	plan, err := planWindowed(ctx, o, j)
	if err != nil {
		return nil, err
	}
	windows := func(sink func(chrom.WindowDone) error) error { return plan.Run(ctx, j.data.Train, sink) }
	return assembleWindowed(ctx, o, j, plan, windows, start, t0)
}

// synthSize is the size of a fit's synthetic cohort.
func synthSize(o FitOptions, d *Data) int {
	if o.NSynth == 0 {
		return d.NumInput
	}
	return o.NSynth
}

// capWindows returns o with a target window size of at most limit SNPs
// (Data.WindowCap; 0: no limit) unless the window size is fixed, and an
// overlap of at most half a window.
func capWindows(o chrom.Options, limit int, fixed bool) chrom.Options {
	ws := o.WindowSNPs
	if ws == 0 {
		ws = chrom.DefaultWindowSNPs
	}
	if limit > 0 && !fixed && ws > limit {
		o.WindowSNPs = limit
		o.OverlapSNPs = min(o.OverlapSNPs, limit/2)
	}
	return o
}

// planWindowed is the first stage of a windowed fit: the windows, the
// whole-chromosome PCs and the ancestry latent (chrom.NewPlanLabelled).
func planWindowed(ctx context.Context, o FitOptions, j *job) (*chrom.Plan, error) {
	d := j.data
	n := synthSize(o, d)
	copts := capWindows(o.Windows, d.WindowCap, o.FixedWindowSNPs)
	copts.Seed = stageSeed(j.seed, stageModel)
	if copts.Model.Process == "" {
		copts.Model = chrom.WindowModelConfig(o.Model)
	}
	if copts.Workers == 0 {
		copts.Workers = o.Data.Read.Threads
	}
	if copts.Workers <= 0 {
		copts.Workers = runtime.GOMAXPROCS(0)
	}
	t0 := time.Now()
	var lab *model.Labelling
	if d.Panel != nil {
		lab = d.labelling()
	}
	plan, err := chrom.NewPlanLabelled(ctx, d.Train, n, copts, lab)
	if err != nil {
		return nil, err
	}
	copts = plan.Options
	m := d.Train.NumSites()
	j.log.Info("windowed fit", "snps", m, "windows", len(plan.Windows), "target window snps", copts.WindowSNPs, "overlap snps", copts.OverlapSNPs,
		"conditioning", copts.Conditioning, "residual", copts.Residual, "oversample", copts.Oversample, "ancestry pcs", plan.PCA.K(), "pc replication", fmt.Sprintf("%.3f", plan.PCReplication), "ancestry components", len(plan.Mixture.Weights),
		"workers", copts.Workers, "steps", copts.Model.Steps, "latent variance deconvolved", strconv.FormatFloat(plan.Deconvolved, 'f', 3, 64), "plan seconds", strconv.FormatFloat(time.Since(t0).Seconds(), 'f', 1, 64))
	if copts.Conditioning == chrom.CondChain {
		j.log.Warn(chainModelWarning)
	}
	return plan, nil
}

// chainModelWarning is logged by every chain-conditioned fit: the model
// file's regressions are fitted to each training person's genotypes
// (docs/privacy.md, "Chain conditioning on the windowed panels").
const chainModelWarning = "the windowed model file gives its training individuals away: the likelihood of a person's genotypes under its per-SNP regressions separates members from non-members (audit --model density AUC 0.61–1.00 on simulated and 1000 Genomes panels); keep model.gsy as private as the training data and release only the synthetic cohort (docs/privacy.md)"

// assembleWindowed is the last stage of a windowed fit: windows calls its
// sink with every window's result, assembled in window order; the synthetic
// VCF, the model file, the chromosome metrics and the report are written
// from them (t0: when the fit's plan began, for its timings).
func assembleWindowed(ctx context.Context, o FitOptions, j *job, plan *chrom.Plan, windows func(sink func(chrom.WindowDone) error) error, start, t0 time.Time) (*FitResult, error) {
	a, err := newAssembly(o, j, plan, t0)
	if err != nil {
		return nil, err
	}
	defer a.abort()
	if err := a.create(); err != nil {
		return nil, err
	}
	if err := windows(a.add); err != nil {
		return nil, err
	}
	if err := a.commit(); err != nil {
		return nil, err
	}
	fitSeconds := time.Since(t0).Seconds()
	j.log.Info("windows done", "seconds", strconv.FormatFloat(fitSeconds, 'f', 1, 64))
	cm, err := a.chromosomeMetrics(ctx)
	if err != nil {
		return nil, err
	}
	met, err := a.evaluateRepresentative(ctx)
	if err != nil {
		return nil, err
	}
	if err := a.writeReport(met, cm); err != nil {
		return nil, err
	}
	j.log.Info("done", "seconds", strconv.FormatFloat(time.Since(start).Seconds(), 'f', 1, 64))
	files, err := j.finish(ctx)
	if err != nil {
		return nil, err
	}
	return &FitResult{Data: j.data, Metrics: met, Files: files, Windowed: &WindowedResult{Windows: plan.Windows, Metrics: cm, Representative: a.rep, FitSeconds: fitSeconds}}, nil
}

// assembly is the state of assembleWindowed's steps. The synthetic cohort
// is streamed to the VCF window by window and to the chromosome metrics
// (the evaluator and the per-window overview, which compare its first nm
// individuals), never held whole; only the representative window's
// genotypes are kept for the standard report.
type assembly struct {
	o     FitOptions
	j     *job
	d     *Data
	plan  *chrom.Plan
	t0    time.Time // when the fit's plan began
	n, nm int       // synthetic individuals, and those the metrics compare
	all   *vcf.Genotypes
	// ev and ov are the chromosome metrics and overview. Without held-out
	// individuals ev is nil and the report has no overview: only the
	// representative window's sections, against the training individuals.
	ev       *chrom.Evaluator
	ov       *report.Overview
	ropts    report.Options
	rep      chrom.Window // the representative window: the middle one
	repSynth *vcf.Genotypes
	// The outputs: the synthetic cohort, the model file and its windows.
	w    vcf.SiteWriter
	mf   *atomicfile.File
	fw   *chrom.FileWriter
	done int // windows assembled
}

// newAssembly sets up the synthetic cohort's samples, the evaluator and
// the report options of plan's windows.
func newAssembly(o FitOptions, j *job, plan *chrom.Plan, t0 time.Time) (*assembly, error) {
	d := j.data
	n := synthSize(o, d)
	a := &assembly{o: o, j: j, d: d, plan: plan, t0: t0, n: n, nm: min(n, d.Train.NumSamples()),
		all: &vcf.Genotypes{Sites: d.Train.Sites, Samples: synthIDs(n)}, rep: plan.Windows[len(plan.Windows)/2]}
	if d.HeldOut() {
		var err error
		if a.ev, err = chrom.NewEvaluator(d.Test, d.Train, n, plan.Windows, plan.EvalPCA, chrom.MetricOptions{Seed: stageSeed(j.seed, stageReport)}); err != nil {
			return nil, err
		}
	}
	a.ropts = o.Report
	a.ropts.Seed = stageSeed(j.seed, stageReport)
	a.ropts.Panel = d.populations()
	if plan.Cohort != nil {
		a.ropts.SynthLabels = synthGroups(plan.Mixture.LabelTable, plan.Cohort[:a.nm])
	}
	a.ov = &report.Overview{Representative: -1}
	return a, nil
}

// create opens the outputs: the synthetic cohort's writer (one file, or
// one per chromosome: genome.go) and the model file.
func (a *assembly) create() error {
	d, plan, copts := a.d, a.plan, a.plan.Options
	hdr := synthHeader(a.all, a.o.CommandLine, d.Contigs, d.Reference)
	hdr.ExtraLines = append(hdr.ExtraLines, fmt.Sprintf("##gousynthWindows=%d windowed models (target %d SNPs, overlap %d, conditioning %s)", len(plan.Windows), copts.WindowSNPs, copts.OverlapSNPs, copts.Conditioning))
	w, err := a.o.createSynthOutput(a.j.out, hdr, a.all.Sites)
	if err != nil {
		return err
	}
	a.w = w
	mf, err := atomicfile.Create(a.j.out.Path(ModelFile))
	if err != nil {
		return err
	}
	a.mf = mf
	a.fw, err = chrom.NewFileWriter(mf, &chrom.FileHeader{Options: copts, Sites: d.Train.Sites, Windows: plan.Windows, PCA: plan.PCA.Float32(), Mixture: plan.Mixture, NumTrain: d.Train.NumSamples(), Contigs: d.Contigs, Reference: d.Reference})
	return err
}

// abort removes the outputs not committed (those created: create may
// have failed half way).
func (a *assembly) abort() {
	if a.mf != nil {
		a.mf.Abort()
	}
	if a.w != nil {
		a.w.Abort()
	}
}

// add is the sink of the windows: it writes window wd's core to the
// synthetic cohort and its model to the model file, and feeds the
// chromosome metrics.
func (a *assembly) add(wd chrom.WindowDone) error {
	win, n, nm := wd.Window, a.n, a.nm
	if err := writeCore(a.w, a.all.Sites, wd, n); err != nil {
		return err
	}
	// The first nm individuals of the core, as the metrics compare
	// (without held-out individuals, only the representative window's).
	if a.ev != nil || win == a.rep {
		core := &vcf.Genotypes{Sites: a.all.Sites[win.CoreStart:win.End], Samples: a.all.Samples[:nm], Dosage: make([]int8, win.Core()*nm)}
		for v := 0; v < win.Core(); v++ {
			copy(core.Dosage[v*nm:(v+1)*nm], wd.Core[v*n:v*n+nm])
		}
		if a.ev != nil {
			if err := a.ev.Add(win, core.Dosage, nm); err != nil {
				return err
			}
			if err := a.overview(win, core); err != nil {
				return err
			}
		}
		if win == a.rep {
			a.repSynth = core
		}
	}
	if err := a.fw.WriteWindow(wd.Result); err != nil {
		return err
	}
	a.done++
	a.logWindow(wd)
	if a.o.Progress != nil {
		a.o.Progress(modelProgressWindows(a.done, len(a.plan.Windows), time.Since(a.t0)))
	}
	return nil
}

// overview adds window win's row to the chromosome overview: its LD and
// allele-frequency errors (pairs as chrom.Evaluate's, < 50 SNPs apart)
// and its zoom heatmaps (report.WindowHeatmap, 64 × 64 cells).
func (a *assembly) overview(win chrom.Window, core *vcf.Genotypes) error {
	d := a.d
	wo, err := report.WindowErrors(d.Test.SiteRange(win.CoreStart, win.End), core, d.Train.SiteRange(win.CoreStart, win.End),
		[]report.WindowSpan{{Start: 0, End: win.Core()}}, report.Options{Seed: a.ropts.Seed, LDWindowSNPs: 50, LDWindowKB: a.ropts.LDWindowKB})
	if err != nil {
		return err
	}
	a.ov.Append(wo) // with the window's zoom heatmaps
	return nil
}

// logWindow logs window wd's region, sizes and timings.
func (a *assembly) logWindow(wd chrom.WindowDone) {
	win := wd.Window
	first, last := a.all.Sites[win.Start], a.all.Sites[win.End-1]
	a.j.log.Info("window", "index", win.Index, "of", len(a.plan.Windows), "region", fmt.Sprintf("%s:%d-%d", first.Chrom, first.Pos, last.Pos),
		"snps", win.End-win.Start, "overlap", win.Overlap(), "fit seconds", strconv.FormatFloat(wd.Result.FitSeconds, 'f', 1, 64),
		"generate seconds", strconv.FormatFloat(wd.Result.GenerateSeconds, 'f', 1, 64),
		"overlap mismatch", strconv.FormatFloat(wd.OverlapMismatch, 'f', 4, 64), "ancestry chi2", strconv.FormatFloat(wd.AncestryChi2, 'f', 2, 64))
}

// commit closes the synthetic cohort (and notes its indexes), writes the
// synthetic panel of a labelled plan and commits the model file.
func (a *assembly) commit() error {
	if err := a.w.Close(); err != nil {
		return err
	}
	a.o.noteSynthIndex(a.j.log, a.all.Sites)
	if a.plan.Cohort != nil {
		if err := WriteSynthPanel(a.j.out.Path(SynthPanelFile), a.plan.Mixture.LabelTable, a.plan.Cohort); err != nil {
			return err
		}
	}
	if err := a.fw.Close(); err != nil {
		return err
	}
	return a.mf.Commit()
}

// chromosomeMetrics returns the chromosome-scale metrics, nil without
// held-out individuals.
func (a *assembly) chromosomeMetrics(ctx context.Context) (*chrom.Metrics, error) {
	if a.ev == nil {
		return nil, nil
	}
	a.j.log.Info("evaluating the chromosome", "test", a.d.Test.NumSamples(), "synthetic", a.n)
	startPhase(ctx, "evaluate")
	return a.ev.Finish()
}

// evaluateRepresentative returns the standard report's metrics, on the
// representative window.
func (a *assembly) evaluateRepresentative(ctx context.Context) (*report.Metrics, error) {
	d, rep, plan := a.d, a.rep, a.plan
	a.j.log.Info("evaluating the representative window", "index", rep.Index, "snps", rep.Core())
	startPhase(ctx, "evaluate window")
	var testRep *vcf.Genotypes
	if d.HeldOut() {
		testRep = d.Test.SiteRange(rep.CoreStart, rep.End)
	}
	met, err := report.Evaluate(testRep, a.repSynth, d.Train.SiteRange(rep.CoreStart, rep.End), a.ropts)
	if err != nil {
		return nil, err
	}
	met.Notes = append(met.Notes, d.TestNotes...)
	if plan.Cohort != nil && d.HeldOut() {
		// Population metrics on the representative window, as the
		// standard sections.
		sub := &Data{Panel: d.Panel, Train: d.Train.SiteRange(rep.CoreStart, rep.End), Test: d.Test.SiteRange(rep.CoreStart, rep.End)}
		if err := sub.evaluatePopulations(met, a.repSynth, plan.Mixture.LabelTable, plan.Cohort[:a.nm], met.Options.PCs, a.ropts.Seed^0x706f70); err != nil {
			return nil, err
		}
	}
	return met, nil
}

// writeReport writes report.html and metrics.json: the standard sections
// (met) on the representative window, the chromosome metrics (cm) and
// overview in the provenance table.
func (a *assembly) writeReport(met *report.Metrics, cm *chrom.Metrics) error {
	plan, rep, sites := a.plan, a.rep, a.all.Sites
	ov := a.ov
	if cm == nil {
		ov = nil
	} else {
		ov.Representative = len(plan.Windows) / 2
		if len(cm.Ancestry.PerWindowSynth) > 0 {
			ov.Ancestry, ov.AncestryTest = cm.Ancestry.PerWindowSynth[0], cm.Ancestry.PerWindowTest[0]
		}
	}
	prov := windowedProvenance(a.o, a.d, plan, cm, rep, a.n)
	title := fmt.Sprintf("gousynth windowed fit: %d windows; standard sections on window %d (%s:%d-%d)", len(plan.Windows), rep.Index,
		sites[rep.CoreStart].Chrom, sites[rep.CoreStart].Pos, sites[rep.End-1].Pos)
	return writeWindowedReport(a.j.out, met, cm, ov, prov, title)
}

// writeCore writes the core of window wd (n individuals a site, site by
// site) to w; sites are those of the whole chromosome.
func writeCore(w vcf.SiteWriter, sites []vcf.Site, wd chrom.WindowDone, n int) error {
	win := wd.Window
	for v := 0; v < win.Core(); v++ {
		if err := w.Write(sites[win.CoreStart+v], wd.Core[v*n:(v+1)*n], nil); err != nil {
			return err
		}
	}
	return nil
}

// synthIDs are the sample IDs of a synthetic cohort of n: SYN000001, ….
func synthIDs(n int) []string {
	ids := make([]string, n)
	for s := range ids {
		ids[s] = model.SyntheticID(s)
	}
	return ids
}

func modelProgressWindows(done, total int, el time.Duration) model.Progress {
	return model.Progress{Phase: "windows", Step: done, Total: total, Elapsed: el}
}

func logWindowedMetrics(j *job, cm *chrom.Metrics) {
	f := func(x float64) string { return strconv.FormatFloat(x, 'g', 4, 64) }
	j.log.Info("LD r² MAE vs test", "inside", f(cm.LD.Inside), "inside distance-matched", f(cm.LD.InsideMatched), "straddling", f(cm.LD.Straddle),
		"floor inside", f(cm.LD.FloorInside), "floor straddling", f(cm.LD.FloorStraddle), "pairs inside", cm.LD.InsidePairs, "pairs straddling", cm.LD.StraddlePairs)
	j.log.Info("allele frequency r²", "synthetic", f(cm.AFR2), "floor", f(cm.AFR2Floor))
	for k := range cm.PCW2 {
		j.log.Info("PCA W2 on whole-chromosome PCs", "pc", k+1, "synthetic", f(cm.PCW2[k]), "floor", f(cm.PCW2Floor[k]))
	}
	for k := range cm.Ancestry.SynthMean {
		j.log.Info("per-window vs global PC correlation", "pc", k+1, "synthetic mean", f(cm.Ancestry.SynthMean[k]), "synthetic min", f(cm.Ancestry.SynthMin[k]),
			"test mean", f(cm.Ancestry.TestMean[k]), "test min", f(cm.Ancestry.TestMin[k]))
	}
	p := cm.Privacy
	j.log.Info("privacy", "snps", p.SNPs, "identical rate", f(p.IdenticalRate), "synthetic DCR median", f(p.SynthDCRMedian), "synthetic DCR p5", f(p.SynthDCRP5),
		"test DCR median", f(p.TestDCRMedian), "test DCR p5", f(p.TestDCRP5))
}

// windowedProvenance is the provenance table of a windowed fit, with the
// chromosome-scale metrics (report.html shows it as a table).
func windowedProvenance(o FitOptions, d *Data, plan *chrom.Plan, cm *chrom.Metrics, rep chrom.Window, n int) report.Provenance {
	kv := func(k, v string) report.KeyValue { return report.KeyValue{Key: k, Value: v} }
	base := provenanceBase(o, d)
	f := func(x float64) string { return strconv.FormatFloat(x, 'g', 4, 64) }
	co := plan.Options
	cond := fmt.Sprintf("%s conditioning on an ancestry latent of %d whole-chromosome PCs (%d mixture components) and the overlap, %g candidates per individual",
		co.Conditioning, plan.PCA.K(), len(plan.Mixture.Weights), co.Oversample)
	switch {
	case co.Conditioning == chrom.CondChain:
		ac := autoreg.DefaultConfig()
		cond = fmt.Sprintf("chain conditioning: the chromosome drawn as one discrete autoregression, each genotype from two logistic regressions on the person's ancestry latent (%d whole-chromosome PCs, %d mixture components) and on up to %d of the %d preceding genotypes (chosen per site by forward selection with Schwarz's criterion), across window boundaries",
			plan.PCA.K(), len(plan.Mixture.Weights), ac.Keep, ac.Lags)
	case co.Conditioning == chrom.CondRegress && plan.PCA.K() == 0:
		cond = "regress conditioning without ancestry PCs: no whole-chromosome PC replicated between the two halves of the SNPs (one population), so the window models are fitted on the dosages less their mean and every synthetic individual has the cohort's allele frequencies"
	case co.Conditioning == chrom.CondRegress:
		cond = fmt.Sprintf("regress conditioning: window models fitted on the residuals of the dosages' regression on %d whole-chromosome PCs, each synthetic individual's ancestry latent (%d mixture components, %.0f%% of their variance deconvolved) added back as individual allele frequencies",
			plan.PCA.K(), len(plan.Mixture.Weights), 100*plan.Deconvolved)
	}
	base = append(base,
		kv("mode", fmt.Sprintf("windowed: %d windows of about %d SNPs (cuts at the weakest LD crossing, ±25%%), overlap %d SNPs; %s",
			len(plan.Windows), co.WindowSNPs, co.OverlapSNPs, cond)),
		kv("window model", fmt.Sprintf("%s, %d steps, network on %d leading eigen-directions, hidden %d×%d, %d sampler steps", co.Model.Process, co.Model.Steps, co.Model.NetDims, co.Model.Hidden, co.Model.Layers, co.Model.SamplerSteps)),
		kv("synthetic individuals", strconv.Itoa(n)),
		kv("representative window", fmt.Sprintf("window %d, SNPs %d-%d: the sections below this table are computed on it", rep.Index, rep.CoreStart+1, rep.End)),
	)
	if cm == nil {
		return append(base, kv("chromosome metrics", "not computed: no held-out individuals to compare with"))
	}
	base = append(base,
		kv("chromosome: LD r² MAE inside windows", fmt.Sprintf("%s (distance-matched %s; floor %s) over %d pairs ≤ %d SNPs apart", f(cm.LD.Inside), f(cm.LD.InsideMatched), f(cm.LD.FloorInside), cm.LD.InsidePairs, 50)),
		kv("chromosome: LD r² MAE straddling boundaries", fmt.Sprintf("%s (floor %s) over %d pairs; ratio to inside (distance-matched) %s", f(cm.LD.Straddle), f(cm.LD.FloorStraddle), cm.LD.StraddlePairs, f(cm.LD.Straddle/cm.LD.InsideMatched))),
		kv("chromosome: LD r² MAE, every pair ≤ 200 SNPs apart (the judge's)", fmt.Sprintf("%s (floor %s, ratio %s) over %d pairs", f(cm.LD.JudgeMAE), f(cm.LD.FloorJudgeMAE), f(cm.LD.JudgeMAE/cm.LD.FloorJudgeMAE), cm.LD.JudgePairs)),
		kv("chromosome: LD-decay L2 (the judge's 20 bins)", fmt.Sprintf("%s (floor %s, ratio %s)", f(cm.LD.JudgeDecayL2), f(cm.LD.FloorJudgeDecayL2), f(cm.LD.JudgeDecayL2/cm.LD.FloorJudgeDecayL2))),
		kv("chromosome: allele-frequency r²", fmt.Sprintf("%s (floor %s)", f(cm.AFR2), f(cm.AFR2Floor))),
	)
	for k := range cm.PCW2 {
		base = append(base, kv(fmt.Sprintf("chromosome: PC%d W2 vs test", k+1), fmt.Sprintf("%s (floor %s, ratio %s)", f(cm.PCW2[k]), f(cm.PCW2Floor[k]), f(cm.PCW2[k]/cm.PCW2Floor[k]))))
	}
	for k := range cm.Ancestry.SynthMean {
		base = append(base, kv(fmt.Sprintf("chromosome: per-window PC%d vs global PC%d correlation", k+1, k+1),
			fmt.Sprintf("synthetic mean %s, min %s; real test mean %s, min %s", f(cm.Ancestry.SynthMean[k]), f(cm.Ancestry.SynthMin[k]), f(cm.Ancestry.TestMean[k]), f(cm.Ancestry.TestMin[k]))))
	}
	base = append(base, genomeProvenance(cm)...) // genome mode (genome.go)
	p := cm.Privacy
	base = append(base, kv("chromosome: privacy", fmt.Sprintf("on %d evenly spaced SNPs: identical-match rate %s; distance to closest training record median %s, 5th percentile %s (held-out real: %s, %s)",
		p.SNPs, f(p.IdenticalRate), f(p.SynthDCRMedian), f(p.SynthDCRP5), f(p.TestDCRMedian), f(p.TestDCRP5))))
	return base
}

// writeWindowedReport writes report.html (the standard sections on the
// representative window, the chromosome metrics in the provenance table)
// and metrics.json ({"mode", "chromosome", "representative_window"}).
func writeWindowedReport(out *atomicfile.Dir, met *report.Metrics, cm *chrom.Metrics, ov *report.Overview, prov report.Provenance, title string) error {
	html, js, err := renderReport(met, prov, report.HTMLOptions{Title: title, Overview: ov})
	if err != nil {
		return err
	}
	all, err := json.MarshalIndent(struct {
		Mode           string          `json:"mode"`
		Chromosome     *chrom.Metrics  `json:"chromosome"`
		Representative json.RawMessage `json:"representative_window"`
	}{"windowed", cm, json.RawMessage(js)}, "", "  ")
	if err != nil {
		return err
	}
	return writeReportFiles(out, html, append(all, '\n'))
}

// streamWindowed selects the bounded-memory path of GenerateWindowed where
// the conditioning allows it; tests turn it off to compare with the
// whole-window path.
var streamWindowed = true

// IsWindowedModel reports whether path is a windowed model file (model.gsy
// of a windowed fit, chrom.FileMagic) rather than a single model.
func IsWindowedModel(path string) bool { return chrom.IsFile(path) }

// WindowedModel is an open windowed model file (chrom.OpenFile: its
// checksum verified once), from which Generate draws one cohort.
type WindowedModel struct {
	path string
	fr   *chrom.FileReader
}

// OpenWindowedModel opens the windowed model file at path.
func OpenWindowedModel(path string) (*WindowedModel, error) {
	fr, err := chrom.OpenFile(path)
	if err != nil {
		return nil, err
	}
	return &WindowedModel{path: path, fr: fr}, nil
}

// NumTrain is the number of training individuals of the model (the
// default cohort size of generate).
func (m *WindowedModel) NumTrain() int { return m.fr.Header().NumTrain }

// NumSites is the number of sites the model draws.
func (m *WindowedModel) NumSites() int { return len(m.fr.Header().Sites) }

// Close closes the file.
func (m *WindowedModel) Close() error { return m.fr.Close() }

// GenerateWindowed draws n synthetic individuals from a windowed model file
// into a bgzipped VCF (+ .tbi) at out (a PLINK 1 fileset when out ends in
// .bed), one window model in memory at a time.
// The same file, n and seed give the same output. With the conditionings
// that give candidate i to individual i (regress, the default, and none)
// memory is bounded independently of n (see siteSpill); the candidate
// selecting ones hold a window's candidates for all n individuals.
func GenerateWindowed(ctx context.Context, path string, n int, seed uint64, out, cmdline string) error {
	m, err := OpenWindowedModel(path)
	if err != nil {
		return err
	}
	defer m.Close()
	_, _, err = m.Generate(ctx, nil, n, seed, out, cmdline)
	return err
}

// Generate is GenerateWindowed for a cohort of the populations reqs asks
// for (model.ParseRequests; n is the cohort size unless the requests are
// counted; none: the training composition of a labelled model, exactly
// GenerateWindowed's cohort for an unlabelled one). It returns the model's
// labels and each synthetic individual's label (nil for an unlabelled
// model). A WindowedModel generates once: its windows are read as they are
// drawn.
func (m *WindowedModel) Generate(ctx context.Context, reqs []model.Request, n int, seed uint64, out, cmdline string) (labels []model.Label, cohort []int, err error) {
	hdr := m.fr.Header()
	if cohort, err = hdr.Mixture.Cohort(reqs, n, hdr.Options.MinClusterSize); err != nil {
		return nil, nil, fmt.Errorf("%s: %w", m.path, err)
	}
	if cohort != nil {
		n, labels = len(cohort), hdr.Mixture.LabelTable
	}
	return labels, cohort, generateWindowedBody(ctx, m.fr, cohort, n, seed, out, cmdline)
}

func generateWindowedBody(ctx context.Context, fr *chrom.FileReader, cohort []int, n int, seed uint64, out, cmdline string) error {
	hdr := fr.Header()
	progress := progressOf(ctx)
	progress(model.Progress{Phase: "generate", Total: len(hdr.Windows)})
	g := &vcf.Genotypes{Sites: hdr.Sites, Samples: synthIDs(n)}
	w, err := vcf.CreateOutput(out, synthHeader(g, cmdline, hdr.Contigs, hdr.Reference))
	if err != nil {
		return err
	}
	defer w.Abort()
	next := func() (chrom.WindowModel, bool, error) {
		wm, err := fr.Next()
		if err == io.EOF {
			return wm, false, nil
		}
		return wm, err == nil, err
	}
	if streamWindowed && chrom.Streams(hdr.Options.Conditioning) {
		// Window by window, chunk by chunk of individuals (see siteSpill):
		// memory bounded independently of n.
		maxCore := 0
		for _, w := range hdr.Windows {
			maxCore = max(maxCore, w.Core())
		}
		sp, err := newSiteSpill(maxCore, n)
		if err != nil {
			return err
		}
		defer sp.close()
		err = chrom.GenerateStreamCohort(ctx, hdr.PCA, hdr.Mixture, n, cohort, hdr.Options.Oversample, hdr.Options.Conditioning, seed, next,
			func(_ chrom.Window, lo, rows int, core []int8) error { return sp.add(lo, rows, core) },
			func(win chrom.Window) error {
				defer progress(model.Progress{Phase: "generate", Step: win.Index + 1, Total: len(hdr.Windows)})
				return sp.flush(ctx, func(v int, row []int8) error { return w.Write(hdr.Sites[win.CoreStart+v], row, nil) })
			})
		if err != nil {
			return err
		}
		return w.Close()
	}
	// Candidate selection needs every candidate of a window at once.
	err = chrom.GenerateCohort(ctx, hdr.PCA, hdr.Mixture, n, cohort, hdr.Options.Oversample, hdr.Options.Conditioning, seed, next, func(wd chrom.WindowDone) error {
		defer progress(model.Progress{Phase: "generate", Step: wd.Window.Index + 1, Total: len(hdr.Windows)})
		return writeCore(w, hdr.Sites, wd, n)
	})
	if err != nil {
		return err
	}
	if err := w.Close(); err != nil {
		return err
	}
	if !vcf.IsPLINKOutput(out) {
		NoteIndex(nil, out, hdr.Sites)
	}
	return nil
}
