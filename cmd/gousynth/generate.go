package main

import (
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/gousynth/gousynth/internal/atomicfile"
	"github.com/gousynth/gousynth/internal/limits"
	"github.com/gousynth/gousynth/internal/pathcheck"
	"github.com/gousynth/gousynth/internal/pipeline"
	"github.com/gousynth/gousynth/model"
	"github.com/gousynth/gousynth/vcf"
	"github.com/spf13/cobra"
)

type generateOptions struct {
	output string
	n      int
	region string
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
on an interrupt. Windowed models fitted with --window-conditioning match,
ancestry or regress-match still hold each window's candidates for all N.`,
		Example: `  gousynth generate model.gsy -n 5000 -o synth.vcf.gz`,
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if o.output == "" {
				return usagef("generate: -o/--out is required")
			}
			if !atomicfile.IsStream(o.output) && !strings.HasSuffix(o.output, ".vcf.gz") && !vcf.IsPLINKOutput(o.output) {
				return usagef("generate: output %q must end in .vcf.gz, or .bed for a PLINK fileset (or be - for standard output)", o.output)
			}
			if o.n > limits.MaxIndividuals {
				return usagef("generate: -n must be at most %d synthetic individuals, got %d", limits.MaxIndividuals, o.n)
			}
			logBeside(o.output)
			var files pathcheck.Set
			files.Input("model", args[0])
			if vcf.IsPLINKOutput(o.output) {
				files.PLINKOutput("output fileset", o.output)
			} else {
				files.VCFOutput("output VCF", o.output)
			}
			if err := checkFiles(cmd, &files); err != nil {
				return err
			}
			var reg *vcf.Region
			if o.region != "" {
				r, err := vcf.ParseRegion(o.region)
				if err != nil {
					return usagef("generate: --region: %v", err)
				}
				reg = &r
			}
			if pipeline.IsWindowedModel(args[0]) {
				return generateWindowed(cmd, args[0], o)
			}
			m, err := model.Load(args[0])
			if err != nil {
				return err
			}
			var keep []int
			if reg != nil {
				for j, s := range m.Sites {
					if reg.Contains(s) {
						keep = append(keep, j)
					}
				}
				if len(keep) == 0 {
					return fmt.Errorf("generate: model %s holds no sites in region %s: it was fitted on %d sites, %s", args[0], o.region, len(m.Sites), siteSpan(m.Sites))
				}
			}
			n := o.n
			if n == 0 {
				n = m.TrainN
			}
			if n < 1 {
				return usagef("generate: -n must be at least 1, got %d", n)
			}
			start := time.Now()
			// Chunk by chunk of individuals: memory bounded independently of n.
			h := vcf.Header{CommandLine: generateCommandLine(args[0], n, o.region), ExtraLines: []string{pipeline.PhaseLine}}
			prog := newProgress("")
			defer prog.finish()
			if err := pipeline.GenerateModel(prog.context(cmd.Context()), m, n, global.seed, o.output, h, keep); err != nil {
				return err
			}
			nSites := len(m.Sites)
			if keep != nil {
				nSites = len(keep)
			}
			if keep == nil && !vcf.IsPLINKOutput(o.output) {
				pipeline.NoteIndex(nil, o.output, m.Sites)
			}
			slog.Info("generated", "individuals", n, "snps", nSites, "output", o.output, "seconds", time.Since(start).Seconds())
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVarP(&o.output, "out", "o", "", "output VCF (.vcf.gz; a .tbi index is written beside it, or a .csi when a position is beyond 2^29; - for standard output, without index), or X.bed for a PLINK fileset (X.bed, X.bim, X.fam)")
	f.StringVar(&o.output, "output", "", "the same as -o/--out")
	_ = f.MarkHidden("output")
	f.IntVarP(&o.n, "n", "n", 0, "number of synthetic individuals (default: the model's training size)")
	f.StringVarP(&o.region, "region", "r", "", "write only the model's sites in `chr:start-end` (1-based, inclusive); an error if the model has none there")
	return cmd
}

// generateCommandLine is the command line recorded in the output's header,
// with the cohort size and seed written out even when they were defaults.
func generateCommandLine(model string, n int, region string) string {
	cl := fmt.Sprintf("gousynth generate %s -n %d --seed %d", model, n, global.seed)
	if region != "" {
		cl += " --region " + region
	}
	return cl
}

// generateWindowed draws a cohort from a windowed (whole-chromosome) model
// file, one window model in memory at a time.
func generateWindowed(cmd *cobra.Command, path string, o generateOptions) error {
	if o.region != "" {
		return usagef("generate: --region is not supported for windowed (whole-chromosome) models; select sites from the output with bcftools view -r")
	}
	numTrain, numSites, err := pipeline.WindowedModelInfo(path)
	if err != nil {
		return err
	}
	n := o.n
	if n == 0 {
		n = numTrain
	}
	if n < 1 {
		return usagef("generate: -n must be at least 1, got %d", n)
	}
	start := time.Now()
	prog := newProgress("")
	defer prog.finish()
	if err := pipeline.GenerateWindowed(prog.context(cmd.Context()), path, n, global.seed, o.output, generateCommandLine(path, n, "")); err != nil {
		return err
	}
	slog.Info("generated", "individuals", n, "snps", numSites, "output", o.output, "windowed", true, "seconds", time.Since(start).Seconds())
	return nil
}

// siteSpan describes where sites lie: "1:11700010-11799000", one span per contig.
func siteSpan(sites []vcf.Site) string {
	var parts []string
	for i := 0; i < len(sites); {
		j := i
		for j+1 < len(sites) && sites[j+1].Chrom == sites[i].Chrom {
			j++
		}
		parts = append(parts, fmt.Sprintf("%s:%d-%d", sites[i].Chrom, sites[i].Pos, sites[j].Pos))
		i = j + 1
	}
	if len(parts) > 5 {
		parts = append(parts[:5], fmt.Sprintf("and %d more contigs", len(parts)-5))
	}
	return strings.Join(parts, ", ")
}
