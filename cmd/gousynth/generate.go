package main

import (
	"log/slog"

	"github.com/gousynth/gousynth/app"
	"github.com/gousynth/gousynth/internal/atomicfile"
	"github.com/gousynth/gousynth/internal/pathcheck"
	"github.com/gousynth/gousynth/vcf"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

type generateOptions struct {
	output string
	n      int
	region string
	// population is --population (see model.ParseRequests).
	population string
}

func newGenerateCmd() *cobra.Command {
	var o generateOptions
	cmd := &cobra.Command{
		Use:   "generate MODEL.gsy -o OUT.vcf.gz [-n N]",
		Short: "Generate a synthetic cohort from a fitted model",
		Long: `generate draws N synthetic individuals from a model written by
"gousynth fit" and writes them as an unphased, bgzipped, tabix-indexed VCF
(sample IDs SYN000001, ...). The same model, N and --seed give a
byte-identical file (set SOURCE_DATE_EPOCH to pin the ##fileDate line).

Individuals are drawn in chunks and written window by window, so memory
does not grow with N (about 250 MB for N = 300,000 from a windowed model):
a window's genotypes for all N individuals (window SNPs × N bytes) go to
a temporary file in $TMPDIR when larger than 64 MB, removed at the end or
on an interrupt. A chain model (the default windowed model) also keeps
each individual's last 255 genotypes (77 MB for N = 300,000; generate
-n 100000 of a 19-window chain model peaked at 155 MB). Windowed models
fitted with --window-conditioning match, ancestry or regress-match still
hold each window's candidates for all N.

A model fitted with --panel knows the training populations: --population
EUR:500,AFR:200 draws 500 individuals of EUR and 200 of AFR (population or
super-population names of the panel), --population EUR -n 1000 draws 1000
of EUR; without it the cohort keeps the training composition. A population
with fewer than 20 training individuals (the minimum cluster size) is
refused. The labels go to OUT.panel beside the VCF (sample pop super_pop,
tab-separated).`,
		Example: `  gousynth generate model.gsy -n 5000 -o synth.vcf.gz
  gousynth generate model.gsy --population EUR:500,AFR:200 -o mix.vcf.gz   # also writes mix.panel
  gousynth generate model.gsy --population CEU -n 300 -o ceu.vcf.gz`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			// GenerateConfig.N = 0 means the default size; an explicit -n 0
			// is a mistake, not a request for it.
			if cmd.Flags().Changed("n") && o.n == 0 {
				return &usageError{"generate: -n must be at least 1, got 0"}
			}
			c := app.GenerateConfig{Model: args[0], Output: o.output, N: o.n, Population: o.population, Region: o.region, Seed: global.seed, Logger: slog.Default()}
			if err := c.Validate(); err != nil {
				return err
			}
			logBeside(o.output)
			if err := checkGenerateFiles(cmd, c); err != nil {
				return err
			}
			prog := newProgress("")
			defer prog.finish()
			_, err := app.Generate(prog.context(cmd.Context()), c)
			return err
		},
	}
	o.register(cmd.Flags())
	return cmd
}

func (o *generateOptions) register(f *pflag.FlagSet) {
	f.StringVarP(&o.output, "out", "o", "", "output VCF (.vcf.gz; a .tbi index is written beside it, or a .csi when a position is beyond 2^29; - for standard output, without index), or X.bed for a PLINK fileset (X.bed, X.bim, X.fam)")
	f.StringVar(&o.output, "output", "", "the same as -o/--out")
	_ = f.MarkHidden("output")
	f.IntVarP(&o.n, "n", "n", 0, "number of synthetic individuals (default: the model's training size)")
	f.StringVar(&o.population, "population", "", "draw these populations: `NAME:N,...` (counts) or NAME,... with -n (population or super-population names of the training panel; needs a model fitted with --panel)")
	f.StringVarP(&o.region, "region", "r", "", "write only the model's sites in `chr:start-end` (1-based, inclusive); an error if the model has none there")
}

// checkGenerateFiles refuses, before any work, outputs that are the model
// or one another.
func checkGenerateFiles(cmd *cobra.Command, c app.GenerateConfig) error {
	var files pathcheck.Set
	files.Input("model", c.Model)
	if vcf.IsPLINKOutput(c.Output) {
		files.PLINKOutput("output fileset", c.Output)
	} else {
		files.VCFOutput("output VCF", c.Output)
	}
	if !atomicfile.IsStream(c.Output) {
		files.Output("output panel", app.PanelPath(c.Output))
	}
	return checkFiles(cmd, &files)
}
