package main

import (
	"fmt"
	"io"
	"log/slog"
	"strings"

	"github.com/gousynth/gousynth/internal/pipeline"
	"github.com/gousynth/gousynth/report"
	"github.com/spf13/cobra"
)

func newFitCmd() *cobra.Command {
	var (
		data    dataFlags
		mflags  modelFlags
		outf    outputFlags
		outDir  string
		process string
	)
	cmd := &cobra.Command{
		Use:   "fit IN.vcf.gz",
		Short: "Filter, split, train a model and write a synthetic cohort with its report",
		Long: `fit is the main job. It reads a VCF, keeps biallelic SNPs that pass the
filters, holds out --test-fraction of the individuals as a real test set, fits
a diffusion model (GOU by default) on the rest, generates a synthetic cohort
(as many individuals as the input unless -n) and evaluates it against the
held-out individuals. It writes, all together or not at all:

  OUTDIR/model.gsy              the fitted model (no real genotypes or IDs)
  OUTDIR/synthetic.vcf.gz(.tbi) the synthetic cohort (samples SYN000001, ...)
  OUTDIR/report.html            fidelity and privacy report (self-contained)
  OUTDIR/metrics.json           every metric with its floor
  OUTDIR/run.log                what was read, filtered, fitted and measured

Beyond --max-snps SNPs (default 2000) the first --max-snps consecutive SNPs
are fitted, and the run says so; pick another stretch with --region.`,
		Example: `  gousynth fit testdata/1kg_chr1_11.7M.vcf.gz -o out
  gousynth fit chr22.vcf.gz --region 22:17000000-18000000 --panel samples.panel -o chr22_out
  gousynth fit in.vcf.gz --process vp --steps 2000 -n 5000 --seed 7 -o vp_out`,
		Args: exactArgs(1, "fit needs one input VCF"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := outf.validate(); err != nil {
				return err
			}
			dopts, err := data.options(args[0])
			if err != nil {
				return err
			}
			cfg, err := mflags.config(strings.ToLower(process))
			if err != nil {
				return err
			}
			res, err := pipeline.Fit(cmd.Context(), pipeline.FitOptions{
				Data:        dopts,
				OutDir:      outDir,
				NSynth:      outf.nSynth,
				Model:       cfg,
				Report:      report.Options{LDWindowSNPs: outf.ldWindowSNPs},
				CommandLine: commandLine(),
				Progress:    modelProgress(""),
				Logger:      slog.Default(),
			})
			if err != nil {
				return err
			}
			if !global.quiet {
				printSummary(cmd.OutOrStdout(), res)
			}
			return nil
		},
	}
	fs := cmd.Flags()
	fs.StringVarP(&outDir, "out", "o", "gousynth_out", "output `DIR`")
	fs.StringVar(&process, "process", "gou", "forward process: gou, vp, cld or cld-eps")
	outf.register(fs)
	data.register(fs)
	mflags.register(fs)
	return cmd
}

// printSummary prints the verdicts and where the outputs are.
func printSummary(w io.Writer, res *pipeline.FitResult) {
	m := res.Metrics
	fmt.Fprintf(w, "fitted %s on %d individuals × %d SNPs; %d synthetic individuals evaluated against %d held-out\n",
		res.Model.Config.Process, res.Data.Train.NumSamples(), res.Data.Train.NumSites(), m.NumSynth, m.NumTest)
	for _, v := range m.Verdicts {
		fmt.Fprintf(w, "  %-20s %-12s %s\n", v.Area, v.Verdict, v.Reason)
	}
	for _, f := range res.Files {
		fmt.Fprintf(w, "  wrote %s\n", f)
	}
}

// exactArgs is cobra.ExactArgs with a usage error that says what is missing.
func exactArgs(n int, msg string) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) != n {
			return usagef("%s (got %d arguments); see '%s --help'", msg, len(args), cmd.CommandPath())
		}
		return nil
	}
}

// commandLine is the command as the user typed it, for provenance.
func commandLine() string {
	return strings.Join(append([]string{"gousynth"}, invocation...), " ")
}
