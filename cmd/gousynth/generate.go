package main

import (
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/gousynth/gousynth/app"
	"github.com/gousynth/gousynth/internal/atomicfile"
	"github.com/gousynth/gousynth/internal/limits"
	"github.com/gousynth/gousynth/internal/pathcheck"
	"github.com/gousynth/gousynth/model"
	"github.com/gousynth/gousynth/preprocess"
	"github.com/gousynth/gousynth/vcf"
	"github.com/spf13/cobra"
)

type generateOptions struct {
	output string
	n      int
	region string
	// population is --population (see model.ParseRequests), parsed into
	// requests by RunE.
	population string
	requests   []model.Request
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
ancestry or regress-match still hold each window's candidates for all N.

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
			if o.output == "" {
				return usagef("generate: -o/--out is required")
			}
			if !atomicfile.IsStream(o.output) && !strings.HasSuffix(o.output, ".vcf.gz") && !vcf.IsPLINKOutput(o.output) {
				return usagef("generate: output %q must end in .vcf.gz, or .bed for a PLINK fileset (or be - for standard output)", o.output)
			}
			if o.n > limits.MaxIndividuals {
				return usagef("generate: -n must be at most %d synthetic individuals, got %d", limits.MaxIndividuals, o.n)
			}
			if o.population != "" {
				reqs, err := model.ParseRequests(o.population)
				if err != nil {
					return usagef("generate: --population: %v", err)
				}
				if model.Counted(reqs) && cmd.Flags().Changed("n") {
					return usagef("generate: --population %s gives the counts; drop -n, or give names without counts", o.population)
				}
				o.requests = reqs
			}
			logBeside(o.output)
			var files pathcheck.Set
			files.Input("model", args[0])
			if vcf.IsPLINKOutput(o.output) {
				files.PLINKOutput("output fileset", o.output)
			} else {
				files.VCFOutput("output VCF", o.output)
			}
			if !atomicfile.IsStream(o.output) {
				files.Output("output panel", app.PanelPath(o.output))
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
			if app.IsWindowedModel(args[0]) {
				return generateWindowed(cmd, args[0], o)
			}
			m, err := model.Load(args[0])
			if err != nil {
				return err
			}
			var keep []int
			if reg != nil {
				if keep = preprocess.SiteIndices(m.Sites, reg.Contains); len(keep) == 0 {
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
			n = cohortSize(o.requests, n)
			cohort, err := m.Cohort(o.requests, n)
			if err != nil {
				return fmt.Errorf("generate: %s: %w", args[0], err)
			}
			if cohort != nil {
				n = len(cohort)
			}
			start := time.Now()
			// Chunk by chunk of individuals: memory bounded independently of n.
			h := vcf.Header{CommandLine: generateCommandLine(args[0], n, o.region, o.population), ExtraLines: []string{app.PhaseLine}}
			prog := newProgress("")
			defer prog.finish()
			if err := app.GenerateModelCohort(prog.context(cmd.Context()), m, n, cohort, global.seed, o.output, h, keep); err != nil {
				return err
			}
			if err := writeCohortPanel(o.output, m.Labels, cohort); err != nil {
				return err
			}
			nSites := len(m.Sites)
			if keep != nil {
				nSites = len(keep)
			}
			if keep == nil && !vcf.IsPLINKOutput(o.output) {
				app.NoteIndex(nil, o.output, m.Sites)
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
	f.StringVar(&o.population, "population", "", "draw these populations: `NAME:N,...` (counts) or NAME,... with -n (population or super-population names of the training panel; needs a model fitted with --panel)")
	f.StringVarP(&o.region, "region", "r", "", "write only the model's sites in `chr:start-end` (1-based, inclusive); an error if the model has none there")
	return cmd
}

// generateCommandLine is the command line recorded in the output's header,
// with the cohort size and seed written out even when they were defaults.
func generateCommandLine(model string, n int, region, population string) string {
	cl := fmt.Sprintf("gousynth generate %s -n %d --seed %d", model, n, global.seed)
	if region != "" {
		cl += " --region " + region
	}
	if population != "" {
		cl += " --population " + population
	}
	return cl
}

// cohortSize is the size of the cohort: the sum of the counts of counted
// requests, else n.
func cohortSize(reqs []model.Request, n int) int {
	if !model.Counted(reqs) {
		return n
	}
	s := 0
	for _, r := range reqs {
		s += r.N
	}
	return s
}

// writeCohortPanel writes the labels of a labelled cohort to OUT.panel
// beside the output VCF (nothing for an unlabelled model; a warning for
// standard output, which has no place beside it).
func writeCohortPanel(output string, labels []model.Label, cohort []int) error {
	if cohort == nil {
		return nil
	}
	if atomicfile.IsStream(output) {
		slog.Warn("the synthetic individuals' population labels are not written: the VCF goes to standard output, which has no place beside it for OUT.panel")
		return nil
	}
	path := app.PanelPath(output)
	if err := app.WriteSynthPanel(path, labels, cohort); err != nil {
		return err
	}
	slog.Info("wrote population labels", "panel", path)
	return nil
}

// generateWindowed draws a cohort from a windowed (whole-chromosome) model
// file, one window model in memory at a time.
func generateWindowed(cmd *cobra.Command, path string, o generateOptions) error {
	if o.region != "" {
		return usagef("generate: --region is not supported for windowed (whole-chromosome) models; select sites from the output with bcftools view -r")
	}
	m, err := app.OpenWindowedModel(path)
	if err != nil {
		return err
	}
	defer m.Close()
	n := o.n
	if n == 0 {
		n = m.NumTrain()
	}
	if n < 1 {
		return usagef("generate: -n must be at least 1, got %d", n)
	}
	n = cohortSize(o.requests, n)
	start := time.Now()
	prog := newProgress("")
	defer prog.finish()
	labels, cohort, err := m.Generate(prog.context(cmd.Context()), o.requests, n, global.seed, o.output, generateCommandLine(path, n, "", o.population))
	if err != nil {
		return err
	}
	if err := writeCohortPanel(o.output, labels, cohort); err != nil {
		return err
	}
	slog.Info("generated", "individuals", n, "snps", m.NumSites(), "output", o.output, "windowed", true, "seconds", time.Since(start).Seconds())
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
