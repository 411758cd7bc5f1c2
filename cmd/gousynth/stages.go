package main

import (
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"strings"

	"github.com/gousynth/gousynth/app"
	"github.com/gousynth/gousynth/internal/pathcheck"
	"github.com/spf13/cobra"
)

// The stages of a windowed fit as commands of their own: plan, fit-window
// and assemble (app's Plan, FitWindow and Assemble), so that
// a workflow engine (workflow/Snakefile) runs the windows as jobs.

func newPlanCmd() *cobra.Command {
	cmd := newFitStageCmd(true)
	cmd.Use = "plan IN.vcf.gz [IN2.vcf.gz ...] -o DIR"
	cmd.Short = "First stage of a windowed fit run as jobs: write one job file per window"
	cmd.Long = `plan is the first of the three stages of a windowed fit (plan, fit-window,
assemble) for running its windows as separate jobs, on other cores or machines
(workflow/Snakefile wires them for Snakemake; see docs/scaling.md). It takes
fit's flags and does what fit does before fitting any window: read, filter,
split, whole-chromosome PCs, ancestry latent and window cuts. It writes, all
together or not at all:

  DIR/jobs/plan.state   the shared state: options, split, plan (REAL GENOTYPES
                        of the training and held-out individuals)
  DIR/jobs/wNNNN.job    one job per window (REAL training GENOTYPES)
  DIR/jobs/plan.json    the manifest: every job's window and SHA-256
  DIR/jobs/plan.log     the log of the plan

Job and state files hold real genotypes: keep them where the input may be.
Then 'gousynth fit-window DIR/jobs/wNNNN.job' for every job (in any order,
at once on several machines that see DIR) and 'gousynth assemble DIR', which
writes into DIR what 'gousynth fit' with the same flags and seed writes,
byte for byte (the outputs record that fit command). An input that one model
fits (no more SNPs than --max-snps) has no windows: plan says so and exits 2;
a lower --max-snps makes it windowed.

Genome mode, as for fit: several inputs (chr1.vcf.gz chr2.vcf.gz ..., or
--inputs-file LIST) of the same individuals, and --split-chromosomes. The
plan is the genome's (one ancestry latent per synthetic individual on every
chromosome), its jobs are the windows of every chromosome, numbered across
the genome (plan.json gives each job's contig), and assemble writes what
the same genome-mode fit writes.`
	cmd.Example = `  gousynth plan chr22.vcf.gz --panel samples.panel -o chr22_out
  for j in chr22_out/jobs/*.job; do gousynth fit-window "$j"; done
  gousynth assemble chr22_out
  snakemake -s workflow/Snakefile --cores 2 --config vcf=chr22.vcf.gz out=chr22_out
  gousynth plan chr1.vcf.gz chr2.vcf.gz chr3.vcf.gz --split-chromosomes -o genome  # genome mode
  snakemake -s workflow/Snakefile --cores 2 --config vcfs="chr1.vcf.gz chr2.vcf.gz" out=genome`
	return cmd
}

// runPlan runs app.Plan for the plan command with the flags fit
// parsed into o.
func runPlan(cmd *cobra.Command, prog *progress, o app.FitOptions) error {
	command := o.CommandLine
	o.CommandLine = stageCommandLine("plan", "fit")
	res, err := app.Plan(prog.context(cmd.Context()), o, command)
	prog.finish()
	if errors.Is(err, app.ErrNotWindowed) {
		return usagef("plan: %v", err)
	}
	if err != nil {
		return err
	}
	if !global.quiet {
		w := cmd.OutOrStdout()
		of := ""
		if in := res.Data.Inputs; in != nil {
			of = fmt.Sprintf(" of %d inputs (genome mode: one ancestry per synthetic individual)", len(in))
		}
		fmt.Fprintf(w, "planned %d windows over %d SNPs%s, %d training individuals\n", len(res.Windows), res.Data.Train.NumSites(), of, res.Data.Train.NumSamples())
		fmt.Fprintf(w, "  wrote %s (the shared state: REAL genotypes), %s, %s\n", filepath.Join(o.OutDir, app.JobsDir, app.StateFile),
			filepath.Join(o.OutDir, app.JobsDir, app.ManifestFile), filepath.Join(o.OutDir, app.JobsDir, app.PlanLogFile))
		fmt.Fprintf(w, "  wrote %d job files (REAL training genotypes): %s … %s\n", len(res.Jobs), res.Jobs[0], res.Jobs[len(res.Jobs)-1])
		fmt.Fprintf(w, "  next: gousynth fit-window JOB for each of them, then gousynth assemble %s\n", o.OutDir)
	}
	return nil
}

// stageCommandLine is the command line as typed with the subcommand from
// replaced by to: plan records the fit that gives the same outputs.
func stageCommandLine(from, to string) string {
	args := append([]string(nil), invocation...)
	takesValue := map[string]bool{"--threads": true, "--seed": true, "--log-level": true, "--log": true}
	for i := 0; i < len(args); i++ {
		a := args[i]
		if takesValue[a] {
			i++
			continue
		}
		if strings.HasPrefix(a, "-") {
			continue
		}
		if a == from {
			args[i] = to
		}
		break
	}
	return strings.Join(append([]string{"gousynth"}, args...), " ")
}

func newFitWindowCmd() *cobra.Command {
	var out string
	cmd := &cobra.Command{
		Use:   "fit-window DIR/jobs/NAME.job",
		Short: "Second stage of a windowed fit run as jobs: fit and generate one window",
		Long: `fit-window runs one window job written by 'gousynth plan': it fits the
window's model and draws its synthetic candidates, and writes the result
(the window's model and synthetic genotypes; no real genotype) atomically
to DIR/results/NAME.result, or -o FILE. A job that is corrupt, truncated or
stale (of an earlier plan: its checksum of the shared state is not that of
DIR/jobs/plan.json) is refused. When the result file already holds a valid
result of this very job, fit-window does nothing, so rerunning a workflow
recomputes only the windows that did not finish; an invalid or stale result
is replaced. The result does not depend on --threads.`,
		Example: `  gousynth fit-window chr22_out/jobs/w0007.job
  gousynth fit-window chr22_out/jobs/w0007.job -o /scratch/w0007.result --threads 1`,
		Args: exactArgs(1, "fit-window needs one job file"),
		RunE: func(cmd *cobra.Command, args []string) error {
			job := args[0]
			result := out
			if result == "" {
				result = app.DefaultResultPath(job)
			}
			var files pathcheck.Set
			files.Input("job file", job)
			files.Output("result", result)
			if err := checkFiles(cmd, &files); err != nil {
				return err
			}
			logBeside(result)
			prog := newProgress("")
			defer prog.finish()
			run, err := app.FitWindow(prog.context(cmd.Context()), job, result, slog.Default())
			prog.finish()
			if err != nil {
				return err
			}
			if !global.quiet {
				w := cmd.OutOrStdout()
				if run.UpToDate {
					fmt.Fprintf(w, "%s is up to date (a valid result of this job): nothing to do\n", run.Result)
				} else {
					fmt.Fprintf(w, "window %d (SNPs %d-%d): fitted in %.1f s, generated in %.1f s\n  wrote %s\n", run.Window.Index, run.Window.Start+1, run.Window.End,
						run.FitSeconds, run.GenerateSeconds, run.Result)
				}
			}
			return nil
		},
	}
	cmd.Flags().StringVarP(&out, "out", "o", "", "result `FILE` (default: DIR/results/NAME.result beside DIR/jobs)")
	return cmd
}

func newAssembleCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "assemble DIR",
		Short: "Last stage of a windowed fit run as jobs: assemble the windows' results",
		Long: `assemble reads the plan in DIR/jobs and every window's result in DIR/results
(in window order; all must be there, intact and of this plan) and does what
fit does after the windows: the synthetic VCF and its index, model.gsy,
metrics.json, report.html and run.log (the plan's log, then the assembly's),
written into DIR all together or not at all. They are byte for byte those
of 'gousynth fit' with the plan's flags and seed (dates pinned with
SOURCE_DATE_EPOCH), and record that fit command.`,
		Example: `  gousynth assemble chr22_out`,
		Args:    exactArgs(1, "assemble needs the plan's output directory"),
		RunE: func(cmd *cobra.Command, args []string) error {
			dir := args[0]
			if err := checkOutDir(cmd, dir); err != nil {
				return err
			}
			var files pathcheck.Set
			files.Input("plan state", filepath.Join(dir, app.JobsDir, app.StateFile))
			if err := checkFiles(cmd, &files); err != nil {
				return err
			}
			prog := newProgress("")
			defer prog.finish()
			res, err := app.Assemble(prog.context(cmd.Context()), dir, slog.Default(), prog.fn())
			prog.finish()
			if err != nil {
				return err
			}
			if !global.quiet {
				printSummary(cmd.OutOrStdout(), res)
			}
			return nil
		},
	}
	return cmd
}
