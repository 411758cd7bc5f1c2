package main

import (
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/gousynth/gousynth/internal/atomicfile"
	"github.com/gousynth/gousynth/internal/limits"
	"github.com/gousynth/gousynth/internal/pathcheck"
	"github.com/gousynth/gousynth/internal/version"
	"github.com/gousynth/gousynth/synth"
	"github.com/gousynth/gousynth/vcf"
	"github.com/spf13/cobra"
)

type simulateOptions struct {
	output       string
	individuals  int
	snps         int
	blockSize    int
	blockSizes   string
	rho          float64
	spectrum     string
	mafMin       float64
	mafMax       float64
	populations  int
	fst          float64
	preset       string
	panelOut     string
	truthOut     string
	chrom        string
	unphased     bool
	distribution string
	n            int
	dim          int
}

// genotypeFlags are the flags of panel simulation; distributionFlags those of
// the benchmark distributions. The two modes do not mix.
var (
	genotypeFlags     = []string{"individuals", "snps", "block-size", "block-sizes", "rho", "maf-spectrum", "maf-min", "maf-max", "populations", "fst", "preset", "panel-out", "truth-out", "chrom", "unphased"}
	distributionFlags = []string{"n", "dim"}
)

func newSimulateCmd() *cobra.Command {
	var o simulateOptions
	cmd := &cobra.Command{
		Use:   "simulate -o OUT [flags]",
		Short: "Simulate a genotype panel with known LD and structure, or a benchmark distribution",
		Long: `simulate writes data whose truth is known.

Genotype panels (default): a phased, bgzipped, tabix-indexed VCF streamed
site by site, plus a 1000 Genomes-style panel file (sample pop super_pop
gender) beside it. Every haplotype is a latent Gaussian process thresholded
at its population's allele-frequency quantile, so alleles are Bernoulli(p)
and genotypes in Hardy-Weinberg proportions.

  --preset paper     the GOU paper's §7.2 design: SNPs in blocks of
                     --block-size (fixed, or --block-sizes variable) with
                     latent correlation rho^|i-j| inside a block, MAF uniform
                     on [0.05, 0.5] (or --maf-spectrum beta, a rare tail)
  --preset 1kg-like  LD decaying with bp distance like 1000 Genomes (blocks
                     at recombination hotspots, r² ≈ 0.4 below 1 kb, ≈ 0
                     beyond 200 kb), beta spectrum, 5 populations at Fst 0.05

--populations K --fst F draws population frequencies from the
Balding-Nichols model; sample IDs name their population (POP2_000017).
The same --seed gives a byte-identical file whatever --threads is (set
SOURCE_DATE_EPOCH to pin the ##fileDate line across days).

Benchmark distributions (--distribution): n samples as a TSV matrix with a
header x1..xd:
  two-gaussians  2-D mixture of §7.1: weights 0.4/0.6, means (∓4, 0),
                 unit variances, correlations ±0.5
  grid25         25 Gaussians (sd 0.1) on the grid {-4,-2,0,2,4}²
  funnel         x1 ~ N(0,1), x_i | x1 ~ N(0, e^x1), d = --dim (100)`,
		Example: `  gousynth simulate --individuals 500 --snps 1000 -o sim.vcf.gz
  gousynth simulate --preset 1kg-like --individuals 2504 --snps 100000 -o kg.vcf.gz
  gousynth simulate --populations 3 --fst 0.1 --block-sizes variable -o pops.vcf.gz
  gousynth simulate --distribution funnel -n 10000 -o funnel.tsv`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			logBeside(o.output)
			if o.output == "" {
				return usagef("simulate: -o/--out is required")
			}
			if cmd.Flags().Changed("distribution") {
				for _, name := range genotypeFlags {
					if cmd.Flags().Changed(name) {
						return usagef("simulate: --%s is for genotype panels and cannot be combined with --distribution", name)
					}
				}
				return runSimulateDistribution(cmd, &o)
			}
			for _, name := range distributionFlags {
				if cmd.Flags().Changed(name) {
					return usagef("simulate: --%s needs --distribution", name)
				}
			}
			return runSimulatePanel(cmd, &o)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.output, "output", "", "the same as -o/--out")
	_ = f.MarkHidden("output")
	f.StringVarP(&o.output, "out", "o", "", "output file: a .vcf.gz for genotype panels, a .tsv for --distribution; - for standard output")
	f.IntVar(&o.individuals, "individuals", 500, "number of diploid individuals")
	f.IntVar(&o.snps, "snps", 1000, "number of biallelic SNPs")
	f.IntVar(&o.blockSize, "block-size", 50, "SNPs per LD block (the mean size with --block-sizes variable); paper preset")
	f.StringVar(&o.blockSizes, "block-sizes", "fixed", "LD block sizes: fixed, or variable (Gamma with shape 2 around --block-size); paper preset")
	f.Float64Var(&o.rho, "rho", 0.9, "latent correlation of adjacent SNPs in a block (rho^|i-j|); paper preset")
	f.StringVar(&o.spectrum, "maf-spectrum", "", "allele-frequency spectrum: uniform (MAF on [0.05, 0.5]), beta (Beta(0.5, 2) on [0.01, 0.5], a rare tail) or 1kg (1000 Genomes-like, mostly rare: 80% of sites MAF < 0.01, 20% ≥ 0.01 as in 1000 Genomes chr22; 1/p density inside MAF bins weighted as the bundled real data, on [1/5008, 0.5]); default: the preset's")
	f.Float64Var(&o.mafMin, "maf-min", 0, "lowest minor allele frequency of the spectrum (default: the spectrum's)")
	f.Float64Var(&o.mafMax, "maf-max", 0, "highest minor allele frequency of the spectrum (default 0.5)")
	f.IntVar(&o.populations, "populations", 0, "number of populations K (default: the preset's, 1 or 5)")
	f.Float64Var(&o.fst, "fst", 0, "Balding-Nichols Fst between populations (default: 0.05 when K > 1)")
	f.StringVar(&o.preset, "preset", "paper", "simulation design: paper or 1kg-like")
	f.StringVar(&o.panelOut, "panel-out", "", "panel file (sample pop super_pop gender); default: the output with .vcf.gz replaced by .panel")
	f.StringVar(&o.truthOut, "truth-out", "", "also write each site's block and true allele frequencies to this TSV")
	f.StringVar(&o.chrom, "chrom", "1", "contig name of the simulated SNPs")
	f.BoolVar(&o.unphased, "unphased", false, "write unphased genotypes (0/1) instead of phased haplotypes (0|1)")
	f.StringVar(&o.distribution, "distribution", "", "write a benchmark distribution instead: two-gaussians, grid25 or funnel")
	f.IntVarP(&o.n, "n", "n", 2000, "number of samples of --distribution")
	f.IntVar(&o.dim, "dim", 100, "dimension of --distribution funnel")
	return cmd
}

func runSimulateDistribution(cmd *cobra.Command, o *simulateOptions) error {
	if o.n < 1 {
		return usagef("simulate: -n must be at least 1, got %d", o.n)
	}
	if err := checkCount("simulate: -n", o.n, 1, limits.MaxIndividuals); err != nil {
		return err
	}
	if err := checkCount("simulate: --dim", o.dim, 1, limits.MaxSmall); err != nil {
		return err
	}
	if o.distribution == "funnel" && o.n*o.dim > limits.MaxValues {
		return usagef("simulate: -n × --dim must be at most %d values, got %d × %d", limits.MaxValues, o.n, o.dim)
	}
	var d synth.Distribution
	switch o.distribution {
	case "two-gaussians":
		d = synth.TwoGaussians()
	case "grid25":
		d = synth.GaussianGrid25()
	case "funnel":
		f, err := synth.Funnel(o.dim)
		if err != nil {
			return usagef("simulate: --dim: %v", err)
		}
		d = f
	default:
		return usagef("simulate: --distribution must be two-gaussians, grid25 or funnel, got %q", o.distribution)
	}
	if cmd.Flags().Changed("dim") && o.distribution != "funnel" {
		return usagef("simulate: --dim applies only to --distribution funnel")
	}
	x := d.Sample(synth.NewRand(global.seed), o.n)
	f, err := atomicfile.Create(o.output)
	if err != nil {
		return err
	}
	defer f.Abort()
	if err := synth.WriteTSV(f, x); err != nil {
		return fmt.Errorf("write %s: %w", o.output, err)
	}
	if err := f.Commit(); err != nil {
		return err
	}
	slog.Info("wrote benchmark samples", "distribution", o.distribution, "n", o.n, "dim", d.Dim(), "output", o.output)
	return nil
}

func runSimulatePanel(cmd *cobra.Command, o *simulateOptions) error {
	if !atomicfile.IsStream(o.output) && !strings.HasSuffix(o.output, ".vcf.gz") && !strings.HasSuffix(o.output, ".vcf.bgz") {
		return usagef("simulate: -o must end in .vcf.gz or .vcf.bgz (the VCF is bgzipped and tabix-indexed) or be - (standard output, no index), got %q", o.output)
	}
	if atomicfile.IsStream(o.output) && o.panelOut == "" {
		return usagef("simulate: -o %s (standard output, a FIFO or a device) needs --panel-out FILE for the panel file", o.output)
	}
	if err := checkCount("simulate: --individuals", o.individuals, 1, limits.MaxIndividuals); err != nil {
		return err
	}
	if err := checkCount("simulate: --snps", o.snps, 1, limits.MaxSNPs); err != nil {
		return err
	}
	changed := cmd.Flags().Changed
	var cfg synth.PanelConfig
	switch o.preset {
	case "paper":
		cfg = synth.PaperPreset(o.individuals, o.snps)
		if err := checkCount("simulate: --block-size", o.blockSize, 1, limits.MaxSNPs); err != nil {
			return err
		}
		cfg.BlockSize = o.blockSize
		switch o.blockSizes {
		case "fixed":
		case "variable":
			cfg.VariableBlocks = true
		default:
			return usagef("simulate: --block-sizes must be fixed or variable, got %q", o.blockSizes)
		}
		if !(o.rho >= 0 && o.rho <= 1) {
			return usagef("simulate: --rho must be in [0, 1], got %v", o.rho)
		}
		cfg.Rho = o.rho
	case "1kg-like":
		cfg = synth.OneKGLikePreset(o.individuals, o.snps)
		for _, name := range []string{"block-size", "block-sizes", "rho"} {
			if changed(name) {
				return usagef("simulate: --%s applies to --preset paper; the 1kg-like preset places blocks at recombination hotspots and sets LD by bp distance", name)
			}
		}
	default:
		return usagef("simulate: --preset must be paper or 1kg-like, got %q", o.preset)
	}
	switch o.spectrum {
	case "":
	case "uniform":
		cfg.Spectrum = synth.UniformSpectrum()
	case "beta":
		cfg.Spectrum = synth.BetaSpectrum()
	case "1kg":
		cfg.Spectrum = synth.OneKGSpectrum()
	default:
		return usagef("simulate: --maf-spectrum must be uniform, beta or 1kg, got %q", o.spectrum)
	}
	if changed("maf-min") {
		cfg.Spectrum.Min = o.mafMin
	}
	if changed("maf-max") {
		cfg.Spectrum.Max = o.mafMax
	}
	if !(cfg.Spectrum.Min > 0 && cfg.Spectrum.Min <= cfg.Spectrum.Max && cfg.Spectrum.Max <= 0.5) {
		return usagef("simulate: need 0 < --maf-min ≤ --maf-max ≤ 0.5, got %v and %v", cfg.Spectrum.Min, cfg.Spectrum.Max)
	}
	if changed("populations") {
		if err := checkCount("simulate: --populations", o.populations, 1, 1000); err != nil {
			return err
		}
		cfg.Populations = o.populations
		if cfg.Populations > 1 && cfg.Fst == 0 {
			cfg.Fst = 0.05
		}
	}
	if cfg.Populations > o.individuals {
		return usagef("simulate: %d populations need at least %d individuals, got %d", cfg.Populations, cfg.Populations, o.individuals)
	}
	if changed("fst") {
		if !(o.fst >= 0 && o.fst < 1) {
			return usagef("simulate: --fst must be in [0, 1), got %v", o.fst)
		}
		if cfg.Populations < 2 && o.fst > 0 {
			return usagef("simulate: --fst needs --populations 2 or more")
		}
		cfg.Fst = o.fst
	}
	if cfg.Populations == 1 {
		cfg.Fst = 0
	}
	if o.chrom == "" || strings.ContainsAny(o.chrom, "\t\n\r,<>= ") {
		return usagef("simulate: invalid --chrom %q", o.chrom)
	}
	cfg.Chrom = o.chrom
	cfg.Unphased = o.unphased
	panelPath := o.panelOut
	if panelPath == "" {
		panelPath = strings.TrimSuffix(strings.TrimSuffix(o.output, ".gz"), ".bgz")
		panelPath = strings.TrimSuffix(panelPath, ".vcf") + ".panel"
	}
	var files pathcheck.Set
	files.VCFOutput("output VCF", o.output)
	files.Output("panel file", panelPath)
	files.Output("--truth-out", o.truthOut)
	if err := checkFiles(cmd, &files); err != nil {
		return err
	}

	p, err := synth.NewPanel(cfg, global.seed)
	if err != nil {
		return usagef("simulate: %v", err)
	}
	prog := newProgress("")
	defer prog.finish()
	prog.phaseStart("simulate")
	start := time.Now()
	pf, err := atomicfile.Create(panelPath)
	if err != nil {
		return err
	}
	defer pf.Abort()
	if err := synth.WritePanel(pf, p.Samples()); err != nil {
		return fmt.Errorf("write %s: %w", panelPath, err)
	}
	opt := synth.VCFOptions{
		Header: vcf.Header{
			// No command line: it holds --threads, and the file must not
			// depend on it. The ##gousynthSimulation line records the design.
			Source: "gousynth " + version.String() + " simulate",
		},
		Threads: global.threads,
	}
	var tf *atomicfile.File
	if o.truthOut != "" {
		if tf, err = atomicfile.Create(o.truthOut); err != nil {
			return err
		}
		defer tf.Abort()
		opt.Truth = tf
	}
	if err := p.WriteVCF(cmd.Context(), o.output, opt); err != nil {
		return err
	}
	if err := pf.Commit(); err != nil {
		return err
	}
	if tf != nil {
		if err := tf.Commit(); err != nil {
			return err
		}
	}
	slog.Info("wrote simulated panel", "output", o.output, "individuals", cfg.Individuals, "snps", cfg.SNPs,
		"populations", cfg.Populations, "panel", panelPath, "seconds", fmt.Sprintf("%.2f", time.Since(start).Seconds()))
	return nil
}
