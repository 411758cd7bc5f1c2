package main

import (
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/gousynth/gousynth/model"
	"github.com/gousynth/gousynth/vcf"
	"github.com/spf13/cobra"
)

type generateOptions struct {
	output string
	n      int
}

func newGenerateCmd() *cobra.Command {
	var o generateOptions
	cmd := &cobra.Command{
		Use:   "generate MODEL.gsy -o OUT.vcf.gz [-n N]",
		Short: "Generate a synthetic cohort from a fitted model",
		Long: `generate draws N synthetic individuals from a model written by
"gousynth fit" and writes them as an unphased, bgzipped, tabix-indexed VCF
(sample IDs SYN000001, ...). The same model, N and --seed give a
byte-identical file (set SOURCE_DATE_EPOCH to pin the ##fileDate line).`,
		Example: `  gousynth generate model.gsy -n 5000 -o synth.vcf.gz`,
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if o.output == "" {
				return usagef("generate: -o/--output is required")
			}
			if !strings.HasSuffix(o.output, ".vcf.gz") {
				return usagef("generate: output %q must end in .vcf.gz", o.output)
			}
			m, err := model.Load(args[0])
			if err != nil {
				return err
			}
			n := o.n
			if n == 0 {
				n = m.TrainN
			}
			if n < 1 {
				return usagef("generate: -n must be at least 1, got %d", n)
			}
			start := time.Now()
			g, err := m.Generate(cmd.Context(), n, global.seed)
			if err != nil {
				return err
			}
			h := vcf.Header{CommandLine: "gousynth " + strings.Join(args, " ") + fmt.Sprintf(" -n %d --seed %d", n, global.seed)}
			if err := vcf.WriteGenotypes(o.output, g, h); err != nil {
				return err
			}
			slog.Info("generated", "individuals", n, "snps", len(g.Sites), "output", o.output, "seconds", time.Since(start).Seconds())
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVarP(&o.output, "output", "o", "", "output VCF (.vcf.gz; a .tbi index is written beside it)")
	f.IntVarP(&o.n, "n", "n", 0, "number of synthetic individuals (default: the model's training size)")
	return cmd
}
