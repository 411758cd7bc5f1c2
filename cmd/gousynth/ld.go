package main

import (
	"log/slog"

	"github.com/spf13/cobra"

	"github.com/gousynth/gousynth/app"
	"github.com/gousynth/gousynth/internal/atomicfile"
	"github.com/gousynth/gousynth/internal/pathcheck"
	"github.com/gousynth/gousynth/ld"
	"github.com/gousynth/gousynth/vcf"
)

type ldFlags struct {
	out        string
	window     ld.WindowOptions
	region     string
	samples    sampleFlags
	maf        float64
	decay      string
	decayBins  int
	decayMin   float64
	decayMax   float64
	decayPairs int
	blocks     string
	blockOpts  ld.BlockOptions
}

func newLDCmd() *cobra.Command {
	var fl ldFlags
	cmd := &cobra.Command{
		Use:   "ld IN.vcf.gz -o ld.tsv.gz",
		Short: "Windowed pairwise LD (dosage r²), LD decay and LD blocks",
		Long: `ld computes the dosage r² (squared Pearson correlation of ALT allele
counts over individuals called at both sites, as plink 1.9 --r2 reports) of
every pair of biallelic SNPs within the window, and writes plink --r2's columns
CHR_A BP_A SNP_A CHR_B BP_B SNP_B R2, tab-separated (gzip when the name ends
in .gz, "-" for standard output).

  gousynth ld chr22.vcf.gz --window-snps 1000 --window-kb 1000 -o ld.tsv.gz
  gousynth ld chr22.vcf.gz -r 22:16000000-17000000 --decay decay.tsv --blocks blocks.tsv

The window matches plink 1.9's --ld-window, --ld-window-kb and --ld-window-r2:
sites i < j pair when j - i < --window-snps and their distance is at most
--window-kb. --decay writes the mean r² in log-spaced distance bins; --blocks
writes an r²-based segmentation into LD blocks (see the ld package docs).`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runLD(cmd, args[0], &fl)
		},
	}
	f := cmd.Flags()
	f.StringVarP(&fl.out, "out", "o", "", "pairwise r² output (TSV; .gz for gzip; - for stdout)")
	f.IntVar(&fl.window.WindowSNPs, "window-snps", 1000, "pair sites fewer than this many SNPs apart (plink --ld-window)")
	f.Float64Var(&fl.window.WindowKB, "window-kb", 1000, "pair sites at most this many kb apart (plink --ld-window-kb)")
	f.Float64Var(&fl.window.MinR2, "min-r2", 0, "report pairs with r² at least this (plink --ld-window-r2)")
	f.StringVarP(&fl.region, "region", "r", "", "region chr, chr:pos or chr:start-end (1-based, inclusive)")
	fl.samples.register(f, "", "", false)
	f.Float64Var(&fl.maf, "maf", 0, "drop SNPs with minor-allele frequency below this first (0: keep all)")
	f.StringVar(&fl.decay, "decay", "", "write the LD decay curve (TSV) here")
	f.IntVar(&fl.decayBins, "decay-bins", 30, "number of log-spaced distance bins for --decay")
	f.Float64Var(&fl.decayMin, "decay-min-bp", 100, "smallest distance (bp) of the --decay bins")
	f.Float64Var(&fl.decayMax, "decay-max-bp", 1e6, "largest distance (bp) of the --decay bins")
	f.IntVar(&fl.decayPairs, "decay-max-pairs", 200000, "average at most about this many pairs per decay bin (0: all)")
	f.StringVar(&fl.blocks, "blocks", "", "write LD blocks (TSV) here")
	f.IntVar(&fl.blockOpts.HalfWindow, "block-half-window", 50, "SNPs on each side of a candidate cut scored for --blocks")
	f.Float64Var(&fl.blockOpts.MaxCrossR2, "block-max-cross-r2", 0.02, "cut blocks where the mean r² across is below this")
	f.IntVar(&fl.blockOpts.MinSNPs, "block-min-snps", 10, "smallest block in SNPs")
	f.IntVar(&fl.blockOpts.MaxSNPs, "block-max-snps", 0, "split blocks longer than this many SNPs (0: no limit)")
	return cmd
}

func runLD(cmd *cobra.Command, in string, fl *ldFlags) error {
	c := app.LDConfig{
		Input: in, MinMAF: fl.maf, Pairs: fl.out, Window: fl.window,
		Decay: fl.decay, DecayBins: fl.decayBins, DecayMinBP: fl.decayMin, DecayMaxBP: fl.decayMax, DecayMaxPairs: fl.decayPairs,
		Blocks: fl.blocks, BlockOptions: fl.blockOpts,
		Stdout: cmd.OutOrStdout(), Logger: slog.Default(),
	}
	if err := c.Validate(); err != nil {
		return usageFromApp(err)
	}
	for _, o := range []string{fl.blocks, fl.decay, fl.out} {
		if o != "" && !atomicfile.IsStream(o) {
			logBeside(o) // the last regular file of -o, --decay, --blocks
		}
	}
	var files pathcheck.Set
	files.VCFInput("input VCF", in)
	fl.samples.files(&files)
	files.Output("-o", fl.out)
	files.Output("--decay", fl.decay)
	files.Output("--blocks", fl.blocks)
	if err := checkFiles(cmd, &files); err != nil {
		return err
	}
	c.Read = vcf.ReadOptions{Region: fl.region, Threads: global.threads}
	if err := fl.samples.apply(&c.Read); err != nil {
		return err
	}
	c.Window.Threads = global.threads
	prog := newProgress("")
	defer prog.finish()
	_, err := app.LD(prog.context(cmd.Context()), c)
	return usageFromApp(err)
}
