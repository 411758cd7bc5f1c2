package main

import (
	"fmt"
	"log/slog"
	"strconv"
	"time"

	"github.com/spf13/cobra"

	"github.com/gousynth/gousynth/app"
	"github.com/gousynth/gousynth/internal/atomicfile"
	"github.com/gousynth/gousynth/internal/pathcheck"
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
      --synth out/synthetic.vcf.gz -o report.html

Set SOURCE_DATE_EPOCH to fix the time written into the report
(byte-identical reruns).`,
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
	c := app.ReportConfig{
		Real: fl.real, Synth: fl.synth, Train: fl.train,
		Region: fl.region, HeatmapRegion: fl.heatRegion,
		Panel: fl.panel, PanelColumn: fl.panelColumn, SynthPanel: fl.synthPanel,
		HTML: fl.out, JSON: fl.json, Title: fl.title,
		Metrics: fl.opts, Threads: global.threads, CommandLine: commandLine(), Logger: slog.Default(),
	}
	c.Metrics.Seed = global.seed
	if err := c.Validate(); err != nil {
		return usageFromApp(err)
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
	var err error
	if c.RealSamples, err = includedSamples(&fl.realSamples); err != nil {
		return err
	}
	if c.TrainSamples, err = includedSamples(&fl.trainSamples); err != nil {
		return err
	}
	start := time.Now()
	prog := newProgress("")
	res, err := app.Report(prog.context(cmd.Context()), c)
	prog.finish()
	if err != nil {
		return usageFromApp(err)
	}
	verdicts := cmd.OutOrStdout()
	if fl.out == atomicfile.Stdout || fl.json == atomicfile.Stdout {
		verdicts = cmd.ErrOrStderr() // standard output holds the report
	}
	for _, v := range res.Metrics.Verdicts {
		fmt.Fprintf(verdicts, "%-20s %-13s %s\n", v.Area, v.Verdict, v.Reason)
	}
	slog.Info("report written", "html", fl.out, "json", fl.json, "seconds", strconv.FormatFloat(time.Since(start).Seconds(), 'f', 1, 64))
	return nil
}

// includedSamples are the IDs of the individuals sel keeps (nil: all):
// those of its list and of its file.
func includedSamples(sel *sampleFlags) ([]string, error) {
	var ro vcf.ReadOptions
	if err := sel.apply(&ro); err != nil {
		return nil, err
	}
	return ro.IncludeSamples, nil
}
