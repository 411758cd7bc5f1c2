package main

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/gousynth/gousynth/internal/atomicfile"
	"github.com/gousynth/gousynth/internal/limits"
	"github.com/gousynth/gousynth/internal/pathcheck"
	"github.com/gousynth/gousynth/internal/version"
	"github.com/gousynth/gousynth/preprocess"
	"github.com/gousynth/gousynth/report"
	"github.com/gousynth/gousynth/vcf"
)

type reportFlags struct {
	real, synth, train, panel, panelColumn string
	synthPanel                             string
	region, heatRegion, out, json, title   string
	realSamples, trainSamples              sampleFlags
	opts                                   report.Options
}

func newReportCmd() *cobra.Command {
	var fl reportFlags
	cmd := &cobra.Command{
		Use:   "report --real TEST.vcf.gz --synth SYNTH.vcf.gz [--train TRAIN.vcf.gz] -o report.html",
		Short: "Fidelity and privacy report of a synthetic cohort (HTML and JSON)",
		Long: `report compares a synthetic cohort with held-out real individuals (--real)
and writes a self-contained HTML page (-o) and/or the metrics as JSON (--json).

  gousynth report --real test.vcf.gz --synth synth.vcf.gz --train train.vcf.gz \
      --panel 1kg.panel -o report.html --json metrics.json

Metrics: allele frequencies, LD (windowed dosage r², LD decay), population
structure (PCA on the training cohort), the GOU paper's moment, Wasserstein
and KL metrics, each next to its floor: the same metric for a random subset of
real training individuals of the same size. With --train the report also
assesses privacy (distance to closest record, identical matches, adversarial
accuracy, membership inference); without it, no floor and no privacy.
The cohorts are compared on the sites they all hold (matched on
CHROM/POS/REF/ALT, in the order of --real); how many sites each lacked is
printed on stderr and written into the report's notes. -r/--region reads
only that region of every cohort; --heatmap-region selects the sites of
the LD heatmaps among those compared. --real-samples-file and
--train-samples-file select individuals of a file, so that the lists of
"gousynth fit --write-split" cut the held-out and training individuals out
of the input VCF:

  gousynth report --real in.vcf.gz --real-samples-file out/test.samples.real-ids.txt \
      --train in.vcf.gz --train-samples-file out/train.samples.real-ids.txt \
      --synth out/synthetic.vcf.gz -o report.html Set SOURCE_DATE_EPOCH to fix the time written
into the report (byte-identical reruns).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runReport(cmd, &fl)
		},
	}
	f := cmd.Flags()
	f.StringVar(&fl.real, "real", "", "held-out real individuals (`VCF`), never used in training")
	f.StringVar(&fl.synth, "synth", "", "synthetic individuals (`VCF`)")
	f.StringVar(&fl.train, "train", "", "training individuals (`VCF`): enables the floor and the privacy metrics")
	f.StringVar(&fl.panel, "panel", "", "1000 Genomes panel `FILE` (sample pop super_pop ...): colour the PCA plot")
	f.StringVar(&fl.panelColumn, "panel-column", "super_pop", "panel column that colours the PCA plot: super_pop or pop")
	f.StringVar(&fl.synthPanel, "synth-panel", "", "labels of the synthetic individuals, `FILE` in panel format (sample pop super_pop, tab-separated with a header, as fit and generate write): colour them in the PCA plot by --panel-column")
	f.StringVarP(&fl.region, "region", "r", "", "read only the sites in `chr:start-end` (1-based, inclusive) of every cohort")
	f.StringVar(&fl.heatRegion, "heatmap-region", "", "sites of the LD heatmaps, `chr:start-end` (default: all that are compared; large regions are thinned and block-averaged)")
	fl.realSamples.register(f, "real-", " of the --real file", true)
	fl.trainSamples.register(f, "train-", " of the --train file", true)
	f.StringVarP(&fl.out, "out", "o", "", "HTML report `FILE` (- for standard output)")
	f.StringVar(&fl.json, "json", "", "metrics JSON `FILE` (- for standard output)")
	f.StringVar(&fl.title, "title", "", "title of the HTML report")
	f.IntVar(&fl.opts.LDWindowSNPs, "ld-window-snps", 200, "LD comparison: pair SNPs fewer than this many sites apart")
	f.Float64Var(&fl.opts.LDWindowKB, "ld-window-kb", 500, "LD comparison: pair SNPs at most this many kb apart")
	f.IntVar(&fl.opts.Projections, "projections", 500, "random directions of the sliced Wasserstein distance")
	f.IntVar(&fl.opts.PCs, "pcs", 10, "training principal components to compare")
	f.IntVar(&fl.opts.FloorSize, "floor-size", 0, "individuals in the floor set and the evaluated synthetic set (0: min of synthetic and training)")
	f.IntVar(&fl.opts.HeatmapCells, "heatmap-cells", 300, "heatmap resolution: at most this many cells per side")
	f.IntVar(&fl.opts.HeatmapMaxSNPs, "heatmap-max-snps", 1500, "thin larger heatmap regions to this many evenly spaced SNPs")
	return cmd
}

func runReport(cmd *cobra.Command, fl *reportFlags) error {
	switch {
	case fl.real == "" || fl.synth == "":
		return usagef("report needs --real and --synth")
	case fl.out == "" && fl.json == "":
		return usagef("report needs -o FILE (HTML) and/or --json FILE")
	case fl.panelColumn != "super_pop" && fl.panelColumn != "pop":
		return usagef("--panel-column must be super_pop or pop, got %q", fl.panelColumn)
	case fl.opts.LDWindowSNPs < 2:
		return usagef("--ld-window-snps must be at least 2, got %d", fl.opts.LDWindowSNPs)
	case !(fl.opts.LDWindowKB > 0):
		return usagef("--ld-window-kb must be positive, got %g", fl.opts.LDWindowKB)
	case fl.opts.Projections < 1 || fl.opts.PCs < 1 || fl.opts.FloorSize < 0 || fl.opts.HeatmapCells < 1 || fl.opts.HeatmapMaxSNPs < 2:
		return usagef("--projections, --pcs, --heatmap-cells must be ≥ 1, --heatmap-max-snps ≥ 2, --floor-size ≥ 0")
	}
	for _, c := range []struct {
		flag   string
		v, max int
	}{{"--ld-window-snps", fl.opts.LDWindowSNPs, limits.MaxSNPs}, {"--projections", fl.opts.Projections, limits.MaxSmall},
		{"--pcs", fl.opts.PCs, 1000}, {"--floor-size", fl.opts.FloorSize, limits.MaxIndividuals},
		{"--heatmap-cells", fl.opts.HeatmapCells, 10000}, {"--heatmap-max-snps", fl.opts.HeatmapMaxSNPs, 10000}} {
		if err := checkCount(c.flag, c.v, 0, c.max); err != nil {
			return err
		}
	}
	logBeside(fl.out)
	if fl.out == "" || atomicfile.IsStream(fl.out) {
		logBeside(fl.json)
	}
	var files pathcheck.Set
	files.VCFInput("--real VCF", fl.real)
	files.VCFInput("--synth VCF", fl.synth)
	files.VCFInput("--train VCF", fl.train)
	files.Input("--panel file", fl.panel)
	files.Input("--synth-panel file", fl.synthPanel)
	fl.realSamples.files(&files)
	fl.trainSamples.files(&files)
	files.Output("HTML report (-o)", fl.out)
	files.Output("--json", fl.json)
	if err := checkFiles(cmd, &files); err != nil {
		return err
	}
	opts := fl.opts
	opts.Seed = global.seed
	for _, r := range []struct{ flag, v string }{{"--region", fl.region}, {"--heatmap-region", fl.heatRegion}} {
		if r.v == "" {
			continue
		}
		reg, err := report.ParseRegion(r.v)
		if err != nil {
			return usagef("%s: %v", r.flag, err)
		}
		if r.flag == "--region" && fl.heatRegion != "" {
			continue
		}
		opts.HeatmapRegion = reg
	}
	prog := newProgress("")
	defer prog.finish()
	prog.phaseStart("read")
	start := time.Now()
	read := func(path string, sel *sampleFlags) (*vcf.Genotypes, error) {
		return readCohort(cmd.Context(), path, fl.region, sel)
	}
	test, err := read(fl.real, &fl.realSamples)
	if err != nil {
		return err
	}
	synth, err := read(fl.synth, nil)
	if err != nil {
		return err
	}
	train, err := read(fl.train, &fl.trainSamples)
	if err != nil {
		return err
	}
	// The cohorts are compared on the sites they all hold.
	cs, isect, err := report.IntersectSites([]*vcf.Genotypes{test, synth, train}, []string{"--real " + fl.real, "--synth " + fl.synth, "--train " + fl.train})
	if err != nil {
		return err
	}
	test, synth, train = cs[0], cs[1], cs[2]
	if !isect.Matched() {
		slog.Warn("report: cohorts hold different sites: " + isect.String())
	}
	if fl.panel != "" {
		p, err := preprocess.ReadPanel(fl.panel)
		if err != nil {
			return err
		}
		opts.Panel = map[string]string{}
		for _, id := range test.Samples {
			if e, ok := p.Lookup(id); ok {
				opts.Panel[id] = e.SuperPop
				if fl.panelColumn == "pop" {
					opts.Panel[id] = e.Pop
				}
			}
		}
	}
	if fl.synthPanel != "" {
		if opts.SynthLabels, err = synthLabels(fl.synthPanel, fl.panelColumn, synth.Samples); err != nil {
			return err
		}
	}
	prog.phaseStart("evaluate")
	m, err := report.Evaluate(test, synth, train, opts)
	prog.finish()
	if err != nil {
		return err
	}
	if !isect.Matched() {
		m.Notes = append(m.Notes, isect.String())
	}
	slog.Info("metrics computed", "seconds", strconv.FormatFloat(time.Since(start).Seconds(), 'f', 1, 64))

	prov := report.Provenance{
		{Key: "real test cohort", Value: describe(fl.real, test)},
		{Key: "synthetic cohort", Value: describe(fl.synth, synth)},
	}
	if train != nil {
		prov = append(prov, report.KeyValue{Key: "training cohort", Value: describe(fl.train, train)})
	}
	if fl.panel != "" {
		prov = append(prov, report.KeyValue{Key: "panel", Value: fl.panel + " (" + fl.panelColumn + ")"})
	}
	if fl.synthPanel != "" {
		prov = append(prov, report.KeyValue{Key: "synthetic panel", Value: fl.synthPanel + " (" + fl.panelColumn + ")"})
	}
	prov = append(prov,
		report.KeyValue{Key: "command", Value: "gousynth " + strings.Join(invocation, " ")},
		report.KeyValue{Key: "seed", Value: strconv.FormatUint(global.seed, 10)},
		report.KeyValue{Key: "gousynth version", Value: version.String()},
		report.KeyValue{Key: "generated", Value: reportTime().Format(time.RFC3339)},
	)
	if fl.out != "" {
		var buf bytes.Buffer
		if err := report.WriteHTML(&buf, m, report.HTMLOptions{Title: fl.title, Provenance: prov}); err != nil {
			return err
		}
		if err := atomicfile.WriteFile(fl.out, buf.Bytes()); err != nil {
			return err
		}
	}
	if fl.json != "" {
		var buf bytes.Buffer
		if err := report.WriteJSON(&buf, m, prov); err != nil {
			return err
		}
		if err := atomicfile.WriteFile(fl.json, buf.Bytes()); err != nil {
			return err
		}
	}
	verdicts := cmd.OutOrStdout()
	if fl.out == atomicfile.Stdout || fl.json == atomicfile.Stdout {
		verdicts = cmd.ErrOrStderr() // standard output holds the report
	}
	for _, v := range m.Verdicts {
		fmt.Fprintf(verdicts, "%-20s %-13s %s\n", v.Area, v.Verdict, v.Reason)
	}
	slog.Info("report written", "html", fl.out, "json", fl.json, "seconds", strconv.FormatFloat(time.Since(start).Seconds(), 'f', 1, 64))
	return nil
}

// synthLabels reads a panel of the synthetic individuals and returns the
// column's label of each of samples ("" for those not in it). A panel that
// labels none of them is an error (the wrong file, most likely).
func synthLabels(path, column string, samples []string) ([]string, error) {
	p, err := preprocess.ReadPanel(path)
	if err != nil {
		return nil, err
	}
	labels := make([]string, len(samples))
	found := 0
	for i, id := range samples {
		if e, ok := p.Lookup(id); ok {
			labels[i] = e.SuperPop
			if column == "pop" {
				labels[i] = e.Pop
			}
			found++
		}
	}
	if found == 0 {
		return nil, usagef("--synth-panel %s labels none of the %d synthetic individuals (first ID %q)", path, len(samples), samples[0])
	}
	if found < len(samples) {
		slog.Warn("synthetic individuals without a label", "file", path, "unlabelled", len(samples)-found, "of", len(samples))
	}
	return labels, nil
}

func describe(path string, g *vcf.Genotypes) string {
	return fmt.Sprintf("%s: %d individuals × %d SNPs", path, g.NumSamples(), g.NumSites())
}

// reportTime is now, or SOURCE_DATE_EPOCH when set (reproducible reports).
func reportTime() time.Time {
	if s := os.Getenv("SOURCE_DATE_EPOCH"); s != "" {
		if sec, err := strconv.ParseInt(s, 10, 64); err == nil {
			return time.Unix(sec, 0).UTC()
		}
	}
	return time.Now().UTC()
}

// readCohort reads a cohort VCF (nil for an empty path), the sites in
// region ("" for all) of the samples sel selects (nil for all), and logs
// its size; report and audit read their cohorts with it.
func readCohort(ctx context.Context, path, region string, sel *sampleFlags) (*vcf.Genotypes, error) {
	if path == "" {
		return nil, nil
	}
	ro := vcf.ReadOptions{Threads: global.threads, Region: region}
	if sel != nil {
		if err := sel.apply(&ro); err != nil {
			return nil, err
		}
	}
	g, _, err := vcf.ReadFileContext(ctx, path, ro)
	if err != nil {
		return nil, err
	}
	slog.Info("read", "file", path, "sites", g.NumSites(), "individuals", g.NumSamples())
	return g, nil
}
