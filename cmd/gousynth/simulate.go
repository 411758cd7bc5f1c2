package main

import (
	"log/slog"

	"github.com/gousynth/gousynth/app"
	"github.com/gousynth/gousynth/internal/pathcheck"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
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
			c := o.config(cmd.Flags())
			// A missing -o is reported first, by Validate.
			if c.Output != "" {
				if err := checkSimulateMode(cmd.Flags()); err != nil {
					return err
				}
			}
			return runSimulate(cmd, c)
		},
	}
	o.register(cmd.Flags())
	return cmd
}

func (o *simulateOptions) register(f *pflag.FlagSet) {
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
}

// checkSimulateMode refuses the flags of one mode (panel or distribution)
// given in the other.
func checkSimulateMode(fs *pflag.FlagSet) error {
	if fs.Changed("distribution") {
		for _, name := range genotypeFlags {
			if fs.Changed(name) {
				return usagef("simulate: --%s is for genotype panels and cannot be combined with --distribution", name)
			}
		}
		if d := fs.Lookup("distribution").Value.String(); d == "" {
			// Given but empty: not a panel either.
			return usagef("simulate: --distribution must be two-gaussians, grid25 or funnel, got %q", d)
		}
		return nil
	}
	for _, name := range distributionFlags {
		if fs.Changed(name) {
			return usagef("simulate: --%s needs --distribution", name)
		}
	}
	return nil
}

// config is the simulation the flags describe; the flags whose value
// overrides the preset's only when given become pointers.
func (o *simulateOptions) config(fs *pflag.FlagSet) app.SimulateConfig {
	c := app.SimulateConfig{
		Output: o.output, Seed: global.seed, Threads: global.threads, Logger: slog.Default(),
		Individuals: o.individuals, SNPs: o.snps, Preset: o.preset, Spectrum: o.spectrum,
		PanelOut: o.panelOut, TruthOut: o.truthOut, Chrom: o.chrom, Unphased: o.unphased,
	}
	if fs.Changed("distribution") {
		c.Distribution, c.N = o.distribution, o.n
		c.Dim = given(fs, "dim", o.dim)
		return c
	}
	c.BlockSize = given(fs, "block-size", o.blockSize)
	c.BlockSizes = given(fs, "block-sizes", o.blockSizes)
	c.Rho = given(fs, "rho", o.rho)
	c.MAFMin = given(fs, "maf-min", o.mafMin)
	c.MAFMax = given(fs, "maf-max", o.mafMax)
	c.Populations = given(fs, "populations", o.populations)
	c.Fst = given(fs, "fst", o.fst)
	return c
}

// given is &v when the flag name was given, else nil.
func given[T any](fs *pflag.FlagSet, name string, v T) *T {
	if !fs.Changed(name) {
		return nil
	}
	return &v
}

// runSimulate checks the output paths and runs app.Simulate.
func runSimulate(cmd *cobra.Command, c app.SimulateConfig) error {
	if err := c.Validate(); err != nil {
		return err
	}
	if c.Distribution == "" {
		var files pathcheck.Set
		files.VCFOutput("output VCF", c.Output)
		files.Output("panel file", c.PanelFile())
		files.Output("--truth-out", c.TruthOut)
		if err := checkFiles(cmd, &files); err != nil {
			return err
		}
	}
	prog := newProgress("")
	defer prog.finish()
	return app.Simulate(prog.context(cmd.Context()), c)
}
