package pipeline

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/gob"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"runtime"
	"strconv"
	"time"

	"github.com/gousynth/gousynth/chrom"
	"github.com/gousynth/gousynth/internal/atomicfile"
	"github.com/gousynth/gousynth/model"
	"github.com/gousynth/gousynth/preprocess"
	"github.com/gousynth/gousynth/report"
	"github.com/gousynth/gousynth/vcf"
)

// Values of DataOptions.Windows.
const (
	WindowsAuto = "auto"
	WindowsOff  = "off"
)

// ChromModelMagic opens a windowed model file: the magic line, then a gob
// stream of one ChromModelHeader and one ChromModelWindow per window, in
// order, then the SHA-256 of that stream (32 bytes), verified before
// anything is decoded. Each window's Model is an ordinary model file
// (model.Decode). The number in the magic line is the format version.
//
// Format 3 (issue 18) is format 2 with population labels: the header's
// Mixture has Labels (each component's label) and LabelTable (per
// population: name, super-population, number of training individuals; no
// sample IDs), and each ChromModelWindow its LabelOffset. Files without
// labels are written as format 2, byte for byte.
const ChromModelMagic = "GOUSYNTH-CHROM-MODEL 2\n"

// ChromModelMagicLabelled opens a windowed model file with population
// labels (format 3).
const ChromModelMagicLabelled = "GOUSYNTH-CHROM-MODEL 3\n"

// chromModelPrefix is the magic line without its format version.
const chromModelPrefix = "GOUSYNTH-CHROM-MODEL "

// ChromModelHeader is the whole-chromosome part of a windowed model file:
// aggregate quantities only (windows, PCA means, scales and loadings, the
// ancestry mixture), never an individual's genotypes.
type ChromModelHeader struct {
	Options  chrom.Options
	Sites    []vcf.Site
	Windows  []chrom.Window
	PCA      *chrom.PCA
	Mixture  *chrom.Mixture
	NumTrain int
}

// ChromModelWindow is one window's model in a windowed model file, with
// its ancestry read-out (chrom.Result.Slope, NoiseVar).
type ChromModelWindow struct {
	Window          chrom.Window
	Model           []byte
	Slope, NoiseVar []float64
	// Coef, ResidMean and ResidSD
	// (chrom.Result) of a fit with regression conditioning; Model then
	// holds the window's residual model (model.ContinuousModel.Encode;
	// empty in files of older versions, which GenerateWindowed refuses with
	// a request to refit).
	Coef               []float64
	ResidMean, ResidSD []float64
	// The latent residual model (chrom.Result.LatentRank …; nil LatentSD
	// for a dosage-space residual model, whose Model is then the whole
	// residual model).
	LatentRank, LatentLags      int
	LatentU, LatentAR, LatentSD []float32
	// LabelOffset (format 3, chrom.Result.LabelOffset): per population
	// label and site, the shift of the expected dosage that gives the
	// label its training mean dosage; nil without labels.
	LabelOffset []float64
}

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
// metrics plus the standard report on a representative window.
func fitWindowed(ctx context.Context, o FitOptions, j *job, start time.Time) (*FitResult, error) {
	d := j.data
	n := o.NSynth
	if n == 0 {
		n = d.NumInput
	}
	copts := o.Windows
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
		"conditioning", copts.Conditioning, "oversample", copts.Oversample, "ancestry pcs", plan.PCA.K(), "ancestry components", len(plan.Mixture.Weights),
		"workers", copts.Workers, "steps", copts.Model.Steps, "latent variance deconvolved", strconv.FormatFloat(plan.Deconvolved, 'f', 3, 64), "plan seconds", strconv.FormatFloat(time.Since(t0).Seconds(), 'f', 1, 64))

	// Synthetic cohort: streamed to the VCF window by window; its first
	// nm individuals, as many as the metrics compare (chrom.Evaluate takes
	// the first min(synthetic, training)), are kept as int8 dosages.
	nm := min(n, d.Train.NumSamples())
	all := &vcf.Genotypes{Sites: d.Train.Sites, Samples: make([]string, n)}
	for s := range all.Samples {
		all.Samples[s] = fmt.Sprintf("SYN%06d", s+1)
	}
	synth := &vcf.Genotypes{Sites: d.Train.Sites, Samples: all.Samples[:nm], Dosage: make([]int8, m*nm)}
	hdr := synthHeader(all, o.CommandLine)
	hdr.ExtraLines = append(hdr.ExtraLines, fmt.Sprintf("##gousynthWindows=%d windowed models (target %d SNPs, overlap %d, conditioning %s)", len(plan.Windows), copts.WindowSNPs, copts.OverlapSNPs, copts.Conditioning))
	w, err := vcf.Create(j.out.Path(SynthFile), hdr)
	if err != nil {
		return nil, err
	}
	defer w.Abort()
	mf, err := atomicfile.Create(j.out.Path(ModelFile))
	if err != nil {
		return nil, err
	}
	defer mf.Abort()
	magic := ChromModelMagic
	if plan.Cohort != nil {
		magic = ChromModelMagicLabelled
	}
	if _, err := io.WriteString(mf, magic); err != nil {
		return nil, err
	}
	sum := sha256.New()
	enc := gob.NewEncoder(io.MultiWriter(mf, sum))
	if err := enc.Encode(ChromModelHeader{Options: copts, Sites: d.Train.Sites, Windows: plan.Windows, PCA: plan.PCA.Float32(), Mixture: plan.Mixture, NumTrain: d.Train.NumSamples()}); err != nil {
		return nil, err
	}
	done := 0
	err = plan.Run(ctx, d.Train, func(wd chrom.WindowDone) error {
		win := wd.Window
		for v := 0; v < win.Core(); v++ {
			row := wd.Core[v*n : (v+1)*n]
			if err := w.Write(synth.Sites[win.CoreStart+v], row, nil); err != nil {
				return err
			}
			copy(synth.Dosage[(win.CoreStart+v)*nm:(win.CoreStart+v+1)*nm], row[:nm])
		}
		if err := enc.Encode(ChromModelWindow{Window: win, Model: wd.Result.Model, Slope: wd.Result.Slope, NoiseVar: wd.Result.NoiseVar, Coef: wd.Result.Coef, ResidMean: wd.Result.ResidMean, ResidSD: wd.Result.ResidSD, LabelOffset: wd.Result.LabelOffset,
			LatentRank: wd.Result.LatentRank, LatentLags: wd.Result.LatentLags, LatentU: wd.Result.LatentU, LatentAR: wd.Result.LatentAR, LatentSD: wd.Result.LatentSD}); err != nil {
			return err
		}
		done++
		first, last := synth.Sites[win.Start], synth.Sites[win.End-1]
		j.log.Info("window", "index", win.Index, "of", len(plan.Windows), "region", fmt.Sprintf("%s:%d-%d", first.Chrom, first.Pos, last.Pos),
			"snps", win.End-win.Start, "overlap", win.Overlap(), "fit seconds", strconv.FormatFloat(wd.Result.FitSeconds, 'f', 1, 64),
			"generate seconds", strconv.FormatFloat(wd.Result.GenerateSeconds, 'f', 1, 64),
			"overlap mismatch", strconv.FormatFloat(wd.OverlapMismatch, 'f', 4, 64), "ancestry chi2", strconv.FormatFloat(wd.AncestryChi2, 'f', 2, 64))
		if o.Progress != nil {
			o.Progress(modelProgressWindows(done, len(plan.Windows), time.Since(t0)))
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	NoteIndex(j.log, SynthFile, synth.Sites)
	if plan.Cohort != nil {
		if err := WriteSynthPanel(j.out.Path(SynthPanelFile), plan.Mixture.LabelTable, plan.Cohort); err != nil {
			return nil, err
		}
	}
	if _, err := mf.Write(sum.Sum(nil)); err != nil {
		return nil, err
	}
	if err := mf.Commit(); err != nil {
		return nil, err
	}
	fitSeconds := time.Since(t0).Seconds()
	j.log.Info("windows done", "seconds", strconv.FormatFloat(fitSeconds, 'f', 1, 64))

	j.log.Info("evaluating the chromosome", "test", d.Test.NumSamples(), "synthetic", n)
	cm, err := chrom.Evaluate(d.Test, synth, d.Train, plan.Windows, plan.PCA, chrom.MetricOptions{Seed: stageSeed(j.seed, stageReport)})
	if err != nil {
		return nil, err
	}
	logWindowedMetrics(j, cm)

	// The standard report on a representative window: the middle one.
	rep := plan.Windows[len(plan.Windows)/2]
	idx := make([]int, 0, rep.Core())
	for v := rep.CoreStart; v < rep.End; v++ {
		idx = append(idx, v)
	}
	ropts := o.Report
	ropts.Seed = stageSeed(j.seed, stageReport)
	ropts.Panel = d.populations()
	if plan.Cohort != nil {
		ropts.SynthLabels = synthGroups(plan.Mixture.LabelTable, plan.Cohort[:nm])
	}
	j.log.Info("evaluating the representative window", "index", rep.Index, "snps", rep.Core())
	met, err := report.Evaluate(preprocess.SubsetSites(d.Test, idx), preprocess.SubsetSites(synth, idx), preprocess.SubsetSites(d.Train, idx), ropts)
	if err != nil {
		return nil, err
	}
	if plan.Cohort != nil {
		// Population metrics on the representative window, as the
		// standard sections.
		sub := &Data{Panel: d.Panel, Train: preprocess.SubsetSites(d.Train, idx), Test: preprocess.SubsetSites(d.Test, idx)}
		if err := sub.evaluatePopulations(met, preprocess.SubsetSites(synth, idx), plan.Mixture.LabelTable, plan.Cohort[:nm], met.Options.PCs, ropts.Seed^0x706f70); err != nil {
			return nil, err
		}
	}
	// The chromosome overview above it: per-window LD and allele-frequency
	// errors (pairs as chrom.Evaluate's, < 50 SNPs apart) and the
	// per-window ancestry agreement of chrom.Evaluate.
	spans := make([]report.WindowSpan, len(plan.Windows))
	for i, w := range plan.Windows {
		spans[i] = report.WindowSpan{Start: w.CoreStart, End: w.End}
	}
	ov, err := report.WindowErrors(d.Test, synth, d.Train, spans, report.Options{Seed: ropts.Seed, LDWindowSNPs: 50, LDWindowKB: ropts.LDWindowKB})
	if err != nil {
		return nil, err
	}
	ov.Representative = len(plan.Windows) / 2
	if len(cm.Ancestry.PerWindowSynth) > 0 {
		ov.Ancestry, ov.AncestryTest = cm.Ancestry.PerWindowSynth[0], cm.Ancestry.PerWindowTest[0]
	}
	prov := windowedProvenance(o, d, plan, cm, rep, n)
	title := fmt.Sprintf("gousynth windowed fit: %d windows; standard sections on window %d (%s:%d-%d)", len(plan.Windows), rep.Index,
		synth.Sites[rep.CoreStart].Chrom, synth.Sites[rep.CoreStart].Pos, synth.Sites[rep.End-1].Pos)
	if err := writeWindowedReport(j.out, met, cm, ov, prov, title); err != nil {
		return nil, err
	}
	j.log.Info("done", "seconds", strconv.FormatFloat(time.Since(start).Seconds(), 'f', 1, 64))
	files, err := j.finish(ctx)
	if err != nil {
		return nil, err
	}
	return &FitResult{Data: d, Metrics: met, Files: files, Windowed: &WindowedResult{Windows: plan.Windows, Metrics: cm, Representative: rep, FitSeconds: fitSeconds}}, nil
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
	if co.Conditioning == chrom.CondRegress {
		cond = fmt.Sprintf("regress conditioning: window models fitted on the residuals of the dosages' regression on %d whole-chromosome PCs, each synthetic individual's ancestry latent (%d mixture components, %.0f%% of their variance deconvolved) added back as individual allele frequencies",
			plan.PCA.K(), len(plan.Mixture.Weights), 100*plan.Deconvolved)
	}
	base = append(base,
		kv("mode", fmt.Sprintf("windowed: %d windows of about %d SNPs (cuts at the weakest LD crossing, ±25%%), overlap %d SNPs; %s",
			len(plan.Windows), co.WindowSNPs, co.OverlapSNPs, cond)),
		kv("window model", fmt.Sprintf("%s, %d steps, network on %d leading eigen-directions, hidden %d×%d, %d sampler steps", co.Model.Process, co.Model.Steps, co.Model.NetDims, co.Model.Hidden, co.Model.Layers, co.Model.SamplerSteps)),
		kv("synthetic individuals", strconv.Itoa(n)),
		kv("representative window", fmt.Sprintf("window %d, SNPs %d-%d: the sections below this table are computed on it", rep.Index, rep.CoreStart+1, rep.End)),
		kv("chromosome: LD r² MAE inside windows", fmt.Sprintf("%s (distance-matched %s; floor %s) over %d pairs ≤ %d SNPs apart", f(cm.LD.Inside), f(cm.LD.InsideMatched), f(cm.LD.FloorInside), cm.LD.InsidePairs, 50)),
		kv("chromosome: LD r² MAE straddling boundaries", fmt.Sprintf("%s (floor %s) over %d pairs; ratio to inside (distance-matched) %s", f(cm.LD.Straddle), f(cm.LD.FloorStraddle), cm.LD.StraddlePairs, f(cm.LD.Straddle/cm.LD.InsideMatched))),
		kv("chromosome: allele-frequency r²", fmt.Sprintf("%s (floor %s)", f(cm.AFR2), f(cm.AFR2Floor))),
	)
	for k := range cm.PCW2 {
		base = append(base, kv(fmt.Sprintf("chromosome: PC%d W2 vs test", k+1), fmt.Sprintf("%s (floor %s, ratio %s)", f(cm.PCW2[k]), f(cm.PCW2Floor[k]), f(cm.PCW2[k]/cm.PCW2Floor[k]))))
	}
	for k := range cm.Ancestry.SynthMean {
		base = append(base, kv(fmt.Sprintf("chromosome: per-window PC%d vs global PC%d correlation", k+1, k+1),
			fmt.Sprintf("synthetic mean %s, min %s; real test mean %s, min %s", f(cm.Ancestry.SynthMean[k]), f(cm.Ancestry.SynthMin[k]), f(cm.Ancestry.TestMean[k]), f(cm.Ancestry.TestMin[k]))))
	}
	p := cm.Privacy
	base = append(base, kv("chromosome: privacy", fmt.Sprintf("on %d evenly spaced SNPs: identical-match rate %s; distance to closest training record median %s, 5th percentile %s (held-out real: %s, %s)",
		p.SNPs, f(p.IdenticalRate), f(p.SynthDCRMedian), f(p.SynthDCRP5), f(p.TestDCRMedian), f(p.TestDCRP5))))
	return base
}

// writeWindowedReport writes report.html (the standard sections on the
// representative window, the chromosome metrics in the provenance table)
// and metrics.json ({"mode", "chromosome", "representative_window"}).
func writeWindowedReport(out *atomicfile.Dir, met *report.Metrics, cm *chrom.Metrics, ov *report.Overview, prov report.Provenance, title string) error {
	var html, js bytes.Buffer
	if err := report.WriteHTML(&html, met, report.HTMLOptions{Title: title, Provenance: prov, Overview: ov}); err != nil {
		return err
	}
	if err := report.WriteJSON(&js, met, prov); err != nil {
		return err
	}
	all, err := json.MarshalIndent(struct {
		Mode           string          `json:"mode"`
		Chromosome     *chrom.Metrics  `json:"chromosome"`
		Representative json.RawMessage `json:"representative_window"`
	}{"windowed", cm, json.RawMessage(js.Bytes())}, "", "  ")
	if err != nil {
		return err
	}
	if err := atomicfile.WriteFile(out.Path(ReportFile), html.Bytes()); err != nil {
		return err
	}
	return atomicfile.WriteFile(out.Path(JSONFile), append(all, '\n'))
}

// streamWindowed selects the bounded-memory path of GenerateWindowed where
// the conditioning allows it; tests turn it off to compare with the
// whole-window path.
var streamWindowed = true

// IsWindowedModel reports whether path is a windowed model file (model.gsy
// of a windowed fit) rather than a single model.
func IsWindowedModel(path string) bool {
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	b := make([]byte, len(chromModelPrefix))
	_, err = io.ReadFull(f, b)
	return err == nil && string(b) == chromModelPrefix
}

// GenerateWindowed draws n synthetic individuals from a windowed model file
// into a bgzipped VCF (+ .tbi) at out, one window model in memory at a time.
// The same file, n and seed give the same output. With the conditionings
// that give candidate i to individual i (regress, the default, and none)
// memory is bounded independently of n (see siteSpill); the candidate
// selecting ones hold a window's candidates for all n individuals.
func GenerateWindowed(ctx context.Context, path string, n int, seed uint64, out, cmdline string) error {
	_, _, err := GenerateWindowedCohort(ctx, path, nil, n, seed, out, cmdline)
	return err
}

// GenerateWindowedCohort is GenerateWindowed for a cohort of the
// populations reqs asks for (model.ParseRequests; n is the cohort size
// unless the requests are counted; none: the training composition of a
// labelled model, exactly GenerateWindowed's cohort for an unlabelled one).
// It returns the model's labels and each synthetic individual's label
// (nil for an unlabelled model).
func GenerateWindowedCohort(ctx context.Context, path string, reqs []model.Request, n int, seed uint64, out, cmdline string) ([]model.Label, []int, error) {
	labels, cohort, err := generateWindowed(ctx, path, reqs, n, seed, out, cmdline)
	return labels, cohort, err
}

func generateWindowed(ctx context.Context, path string, reqs []model.Request, n int, seed uint64, out, cmdline string) (labels []model.Label, cohort []int, err error) {
	f, dec, hdr, err := openWindowedModel(path)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	if cohort, err = hdr.Mixture.Cohort(reqs, n, hdr.Options.MinClusterSize); err != nil {
		return nil, nil, fmt.Errorf("%s: %w", path, err)
	}
	if cohort != nil {
		n, labels = len(cohort), hdr.Mixture.LabelTable
	}
	return labels, cohort, generateWindowedBody(ctx, path, f, dec, hdr, cohort, n, seed, out, cmdline)
}

func generateWindowedBody(ctx context.Context, path string, f *os.File, dec *gob.Decoder, hdr ChromModelHeader, cohort []int, n int, seed uint64, out, cmdline string) error {
	regress := hdr.Options.Conditioning == chrom.CondRegress || hdr.Options.Conditioning == chrom.CondRegressMatch
	g := &vcf.Genotypes{Sites: hdr.Sites, Samples: make([]string, n)}
	for s := range g.Samples {
		g.Samples[s] = fmt.Sprintf("SYN%06d", s+1)
	}
	w, err := vcf.Create(out, synthHeader(g, cmdline))
	if err != nil {
		return err
	}
	defer w.Abort()
	i := 0
	next := func() (chrom.WindowModel, bool, error) {
		if i == len(hdr.Windows) {
			return chrom.WindowModel{}, false, nil
		}
		var cw ChromModelWindow
		if err := dec.Decode(&cw); err != nil {
			return chrom.WindowModel{}, false, fmt.Errorf("%s: window %d: %w", path, i, model.ErrCorrupt)
		}
		wm := chrom.WindowModel{Window: cw.Window, Slope: cw.Slope, NoiseVar: cw.NoiseVar, Coef: cw.Coef, ResidMean: cw.ResidMean, ResidSD: cw.ResidSD, LabelOffset: cw.LabelOffset}
		if regress && cw.LatentSD != nil {
			d := cw.Window.End - cw.Window.Start
			if wm.Latent, err = chrom.DecodeLatentResidual(cw.Model, d, cw.LatentRank, cw.LatentLags, cw.LatentU, cw.LatentAR, cw.LatentSD); err != nil {
				return wm, false, fmt.Errorf("%s: window %d: %w", path, i, err)
			}
		} else if regress {
			if len(cw.Model) == 0 {
				return wm, false, fmt.Errorf("%s: window %d: fitted with --window-conditioning %s by an older gousynth that did not store the window's residual model; refit to generate more individuals: %w", path, i, hdr.Options.Conditioning, model.ErrConfig)
			}
			if wm.Residual, err = model.DecodeContinuous(cw.Model); err != nil {
				return wm, false, fmt.Errorf("%s: window %d: %w", path, i, err)
			}
		} else if wm.Model, err = model.Decode(cw.Model); err != nil {
			return wm, false, fmt.Errorf("%s: window %d: %w", path, i, err)
		}
		i++
		return wm, true, nil
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
				return sp.flush(ctx, func(v int, row []int8) error { return w.Write(hdr.Sites[win.CoreStart+v], row, nil) })
			})
		if err != nil {
			return err
		}
		return w.Close()
	}
	// Candidate selection needs every candidate of a window at once.
	err = chrom.GenerateCohort(ctx, hdr.PCA, hdr.Mixture, n, cohort, hdr.Options.Oversample, hdr.Options.Conditioning, seed, next, func(wd chrom.WindowDone) error {
		for v := 0; v < wd.Window.Core(); v++ {
			if err := w.Write(hdr.Sites[wd.Window.CoreStart+v], wd.Core[v*n:(v+1)*n], nil); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	if err := w.Close(); err != nil {
		return err
	}
	NoteIndex(nil, out, hdr.Sites)
	return nil
}
