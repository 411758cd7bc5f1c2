package main

import (
	"fmt"
	"log/slog"
	"strings"

	"github.com/gousynth/gousynth/app"
	"github.com/gousynth/gousynth/internal/limits"
	"github.com/gousynth/gousynth/internal/pathcheck"
	"github.com/gousynth/gousynth/model"
	"github.com/gousynth/gousynth/report"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// compareFlags are the flags of compare.
type compareFlags struct {
	data      dataFlags
	mflags    modelFlags
	outf      outputFlags
	outDir    string
	processes string
	dist      distFlags
}

func newCompareCmd() *cobra.Command {
	var f compareFlags
	cmd := &cobra.Command{
		Use:   "compare {IN.vcf.gz | --dist NAME}",
		Short: "Fit several forward processes on the same split and budget and compare them",
		Long: `compare prepares the data once (filters, split) and fits every process in
--process on the same training individuals with the same training budget
(steps, network size, sampler steps: those of the GOU default unless set by
flags) and seed. It evaluates each synthetic cohort against the same held-out
individuals, so all share one floor, prints the paper's table layout (value
and ratio to the floor per process), and writes OUTDIR/comparison.{md,html,json},
one report-<process>.html per process and run.log.

With --dist NAME instead of a VCF, compare works on continuous data, the
GOU paper's Table 1 setting: --dist-n samples are drawn from a benchmark
distribution (two-gaussians, grid25 or funnel; see 'gousynth simulate
--help') with --seed, --test-fraction of them are held out, each process is
fitted on the rest, and -n continuous samples of each (default: --dist-n)
are compared with the held-out samples on the paper's metrics (per
coordinate mean and SD error, covariance and correlation Frobenius
distances, per-coordinate W2, histogram KL, sliced W2; for mixtures the
share of samples per mode). The floor is a random subset of the training
samples of the same size. Writes OUTDIR/comparison.{md,html,json},
run.log, the held-out samples (test.tsv) and each process's samples
(samples-<process>.tsv).`,
		Example: `  gousynth compare testdata/1kg_chr1_11.7M.vcf.gz --process vp,gou -o cmp
  gousynth compare sim.vcf.gz --process vp,gou,cld,cld-eps --steps 2000 -o cmp
  gousynth compare --dist two-gaussians --dist-n 2000 --process vp,gou,cld -o table1`,
		Args: func(cmd *cobra.Command, args []string) error {
			if cmd.Flags().Changed("dist") {
				if len(args) != 0 {
					return usagef("compare --dist draws its own data and takes no input VCF (got %d arguments); see '%s --help'", len(args), cmd.CommandPath())
				}
				return nil
			}
			return exactArgs(1, "compare needs one input VCF (or --dist NAME)")(cmd, args)
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := f.outf.validate(); err != nil {
				return err
			}
			if cmd.Flags().Changed("dist") {
				return runCompareDist(cmd, &f)
			}
			return runCompare(cmd, &f, args[0])
		},
	}
	f.register(cmd.Flags())
	return cmd
}

func (f *compareFlags) register(fs *pflag.FlagSet) {
	fs.StringVarP(&f.outDir, "out", "o", "gousynth_compare", "output `DIR`")
	fs.StringVar(&f.processes, "process", "vp,gou", "comma-separated forward processes: "+orList(model.ProcessKinds()))
	f.outf.register(fs)
	f.data.register(fs)
	f.mflags.register(fs)
	f.dist.register(fs)
}

// runCompare runs app.Compare on the input VCF and prints the table.
func runCompare(cmd *cobra.Command, f *compareFlags, input string) error {
	if err := f.dist.rejectWithVCF(cmd); err != nil {
		return err
	}
	dopts, err := f.data.options(cmd.Flags(), input)
	if err != nil {
		return err
	}
	procs, configs, err := compareConfigs(f.processes, &f.mflags)
	if err != nil {
		return err
	}
	o := app.CompareOptions{
		Data: dopts, OutDir: f.outDir, Processes: procs, Configs: configs, NSynth: f.outf.nSynth,
		Report: report.Options{LDWindowSNPs: f.outf.ldWindowSNPs}, CommandLine: commandLine(), Logger: slog.Default(),
	}
	if err := o.Validate(); err != nil {
		return err
	}
	if err := checkOutDir(cmd, f.outDir); err != nil {
		return err
	}
	var files pathcheck.Set
	f.data.files(&files, input)
	dirOutputs(&files, f.outDir, app.CompareOutputNames(procs, false))
	if err := checkFiles(cmd, &files); err != nil {
		return err
	}
	prog := newProgress("")
	defer prog.finish()
	o.Progress = prog.labelled
	res, err := app.Compare(prog.context(cmd.Context()), o)
	prog.finish()
	if err != nil {
		return err
	}
	printComparison(cmd, res)
	return nil
}

// compareConfigs builds one configuration per process, all with the same
// training budget.
func compareConfigs(list string, mf *modelFlags) ([]string, map[string]model.Config, error) {
	budget := model.DefaultConfig("gou")
	seen := map[string]bool{}
	var procs []string
	configs := map[string]model.Config{}
	for _, p := range strings.Split(list, ",") {
		p = strings.ToLower(strings.TrimSpace(p))
		if p == "" || seen[p] {
			continue
		}
		seen[p] = true
		c, err := mf.config(p)
		if err != nil {
			return nil, nil, err
		}
		// Equal budget: whatever a process's own default, every process trains
		// as many steps of the same network and samples with as many steps.
		if mf.steps == 0 {
			c.Steps = budget.Steps
		}
		if mf.hidden == 0 {
			c.Hidden = budget.Hidden
		}
		if mf.layers == 0 {
			c.Layers = budget.Layers
		}
		if mf.batch == 0 {
			c.BatchSize = budget.BatchSize
		}
		if mf.samplerSteps == 0 {
			c.SamplerSteps = budget.SamplerSteps
		}
		procs = append(procs, p)
		configs[p] = c
	}
	return procs, configs, nil
}

// distFlags select the benchmark distribution of compare --dist.
type distFlags struct {
	name   string
	n, dim int
}

func (f *distFlags) register(fs *pflag.FlagSet) {
	fs.StringVar(&f.name, "dist", "", "compare on continuous data drawn from this benchmark distribution instead of a VCF: "+strings.Join(app.CompareDistributions, ", "))
	fs.IntVar(&f.n, "dist-n", app.DefaultDistN, "samples drawn from --dist (training + test)")
	fs.IntVar(&f.dim, "dist-dim", app.DefaultFunnelDim, "dimension of --dist funnel")
}

// validate refuses what app.CompareDistOptions.Validate cannot tell from
// a default: --dist-n 0 (its default) and a --dist-dim given for another
// distribution than funnel, or out of range.
func (f *distFlags) validate(fs *pflag.FlagSet) error {
	if f.n == 0 {
		return checkCount("--dist-n", f.n, 10, limits.MaxIndividuals)
	}
	if !fs.Changed("dist-dim") {
		return nil
	}
	if f.name != "funnel" {
		return usagef("--dist-dim applies only to --dist funnel")
	}
	if err := checkCount("--dist-dim", f.dim, 2, limits.MaxSmall); err != nil {
		return err
	}
	if f.n*f.dim > limits.MaxValues {
		return usagef("--dist-n × --dist-dim must be at most %d values, got %d × %d", limits.MaxValues, f.n, f.dim)
	}
	return nil
}

// rejectWithVCF refuses the --dist-* flags without --dist.
func (f *distFlags) rejectWithVCF(cmd *cobra.Command) error {
	for _, name := range []string{"dist-n", "dist-dim"} {
		if cmd.Flags().Changed(name) {
			return usagef("--%s needs --dist", name)
		}
	}
	return nil
}

// genotypeOnlyFlags are the compare flags that only make sense for VCF input.
var genotypeOnlyFlags = []string{"region", "samples", "samples-file", "exclude-samples", "exclude-samples-file", "panel", "maf", "geno", "mind", "hwe", "max-snps", "ld-window-snps", "discretiser"}

// runCompareDist runs app.CompareDist on a benchmark distribution and
// prints the table.
func runCompareDist(cmd *cobra.Command, f *compareFlags) error {
	for _, name := range genotypeOnlyFlags {
		if cmd.Flags().Changed(name) {
			return usagef("--%s is for genotype input and cannot be combined with --dist", name)
		}
	}
	if err := f.dist.validate(cmd.Flags()); err != nil {
		return err
	}
	procs, configs, err := compareConfigs(f.processes, &f.mflags)
	if err != nil {
		return err
	}
	o := app.CompareDistOptions{
		Dist: f.dist.name, Dim: f.dist.dim, N: f.dist.n, TestFraction: f.data.testFraction, Seed: global.seed,
		OutDir: f.outDir, Processes: procs, Configs: configs, NSynth: f.outf.nSynth,
		CommandLine: commandLine(), Logger: slog.Default(),
	}
	if err := o.Validate(); err != nil {
		return err
	}
	if err := checkOutDir(cmd, f.outDir); err != nil {
		return err
	}
	prog := newProgress("")
	defer prog.finish()
	o.Progress = prog.labelled
	res, err := app.CompareDist(prog.context(cmd.Context()), o)
	prog.finish()
	if err != nil {
		return err
	}
	printComparison(cmd, res)
	return nil
}

// printComparison prints the comparison table and the files written,
// unless --quiet.
func printComparison(cmd *cobra.Command, res *app.CompareResult) {
	if global.quiet {
		return
	}
	res.WriteTable(cmd.OutOrStdout())
	for _, f := range res.Files {
		fmt.Fprintf(cmd.OutOrStdout(), "wrote %s\n", f)
	}
}
