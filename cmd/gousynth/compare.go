package main

import (
	"fmt"
	"log/slog"
	"strings"

	"github.com/gousynth/gousynth/internal/pipeline"
	"github.com/gousynth/gousynth/model"
	"github.com/gousynth/gousynth/report"
	"github.com/spf13/cobra"
)

func newCompareCmd() *cobra.Command {
	var (
		data      dataFlags
		mflags    modelFlags
		outf      outputFlags
		outDir    string
		processes string
	)
	cmd := &cobra.Command{
		Use:   "compare IN.vcf.gz",
		Short: "Fit several forward processes on the same split and budget and compare them",
		Long: `compare prepares the data once (filters, split) and fits every process in
--process on the same training individuals with the same training budget
(steps, network size, sampler steps: those of the GOU default unless set by
flags) and seed. It evaluates each synthetic cohort against the same held-out
individuals, so all share one floor, prints the paper's table layout (value
and ratio to the floor per process), and writes OUTDIR/comparison.{md,html,json},
one report-<process>.html per process and run.log.`,
		Example: `  gousynth compare testdata/1kg_chr1_11.7M.vcf.gz --process vp,gou -o cmp
  gousynth compare sim.vcf.gz --process vp,gou,cld,cld-eps --steps 2000 -o cmp`,
		Args: exactArgs(1, "compare needs one input VCF"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := outf.validate(); err != nil {
				return err
			}
			dopts, err := data.options(args[0])
			if err != nil {
				return err
			}
			procs, configs, err := compareConfigs(processes, &mflags)
			if err != nil {
				return err
			}
			res, err := pipeline.Compare(cmd.Context(), pipeline.CompareOptions{
				Data: dopts, OutDir: outDir, Processes: procs, Configs: configs, NSynth: outf.nSynth,
				Report: report.Options{LDWindowSNPs: outf.ldWindowSNPs}, CommandLine: commandLine(),
				Progress: modelProgress, Logger: slog.Default(),
			})
			if err != nil {
				return err
			}
			if !global.quiet {
				res.WriteTable(cmd.OutOrStdout())
				for _, f := range res.Files {
					fmt.Fprintf(cmd.OutOrStdout(), "wrote %s\n", f)
				}
			}
			return nil
		},
	}
	fs := cmd.Flags()
	fs.StringVarP(&outDir, "out", "o", "gousynth_compare", "output `DIR`")
	fs.StringVar(&processes, "process", "vp,gou", "comma-separated forward processes: vp, gou, cld, cld-eps")
	outf.register(fs)
	data.register(fs)
	mflags.register(fs)
	return cmd
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
	if len(procs) == 0 {
		return nil, nil, usagef("--process needs at least one process")
	}
	return procs, configs, nil
}
