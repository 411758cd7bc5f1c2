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
	region, out, json, title               string
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
All files must hold the same sites in the same order. --region only selects
the sites of the LD heatmaps. Set SOURCE_DATE_EPOCH to fix the time written
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
	f.StringVar(&fl.region, "region", "", "sites of the LD heatmaps, `chr:start-end` (default: all; large regions are thinned and block-averaged)")
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
	var files pathcheck.Set
	files.VCFInput("--real VCF", fl.real)
	files.VCFInput("--synth VCF", fl.synth)
	files.VCFInput("--train VCF", fl.train)
	files.Input("--panel file", fl.panel)
	files.Input("--synth-panel file", fl.synthPanel)
	files.Output("HTML report (-o)", fl.out)
	files.Output("--json", fl.json)
	if err := checkFiles(cmd, &files); err != nil {
		return err
	}
	opts := fl.opts
	opts.Seed = global.seed
	if fl.region != "" {
		r, err := report.ParseRegion(fl.region)
		if err != nil {
			return usagef("--region: %v", err)
		}
		opts.HeatmapRegion = r
	}
	start := time.Now()
	read := func(path string) (*vcf.Genotypes, error) { return readCohort(cmd.Context(), path) }
	test, err := read(fl.real)
	if err != nil {
		return err
	}
	synth, err := read(fl.synth)
	if err != nil {
		return err
	}
	train, err := read(fl.train)
	if err != nil {
		return err
	}
	if err := report.SameSites(test, synth, fl.real, fl.synth); err != nil {
		return err
	}
	if train != nil {
		if err := report.SameSites(test, train, fl.real, fl.train); err != nil {
			return err
		}
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
	m, err := report.Evaluate(test, synth, train, opts)
	if err != nil {
		return err
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

// readCohort reads a whole cohort VCF (nil for an empty path) and logs its
// size; report and audit read their cohorts with it.
func readCohort(ctx context.Context, path string) (*vcf.Genotypes, error) {
	if path == "" {
		return nil, nil
	}
	g, _, err := vcf.ReadFileContext(ctx, path, vcf.ReadOptions{Threads: global.threads})
	if err != nil {
		return nil, err
	}
	slog.Info("read", "file", path, "sites", g.NumSites(), "individuals", g.NumSamples())
	return g, nil
}
