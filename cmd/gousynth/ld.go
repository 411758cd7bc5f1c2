package main

import (
	"bufio"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/klauspost/pgzip"
	"github.com/spf13/cobra"

	"github.com/gousynth/gousynth/internal/atomicfile"
	"github.com/gousynth/gousynth/internal/limits"
	"github.com/gousynth/gousynth/internal/pathcheck"
	"github.com/gousynth/gousynth/ld"
	"github.com/gousynth/gousynth/model"
	"github.com/gousynth/gousynth/preprocess"
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
	if fl.out == "" && fl.decay == "" && fl.blocks == "" {
		return usagef("nothing to do: give -o for pairwise r², --decay or --blocks")
	}
	if fl.window.WindowSNPs < 2 {
		return usagef("--window-snps must be at least 2 (a window of %d SNPs has no pairs)", fl.window.WindowSNPs)
	}
	for _, c := range []struct {
		flag        string
		v, min, max int
	}{{"--window-snps", fl.window.WindowSNPs, 2, limits.MaxSNPs}, {"--decay-bins", fl.decayBins, 1, limits.MaxSmall},
		{"--decay-max-pairs", fl.decayPairs, 0, 1 << 40}, {"--block-half-window", fl.blockOpts.HalfWindow, 0, limits.MaxSNPs},
		{"--block-min-snps", fl.blockOpts.MinSNPs, 0, limits.MaxSNPs}, {"--block-max-snps", fl.blockOpts.MaxSNPs, 0, limits.MaxSNPs}} {
		if err := checkCount(c.flag, c.v, c.min, c.max); err != nil {
			return err
		}
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
	if !(fl.window.WindowKB > 0) {
		return usagef("--window-kb must be positive, got %g", fl.window.WindowKB)
	}
	if math.IsNaN(fl.window.MinR2) || fl.window.MinR2 < 0 || fl.window.MinR2 > 1 {
		return usagef("--min-r2 must be in [0, 1], got %g", fl.window.MinR2)
	}
	if fl.maf < 0 || fl.maf > 0.5 {
		return usagef("--maf must be in [0, 0.5], got %g", fl.maf)
	}
	if fl.decay != "" && ld.LogBins(fl.decayMin, fl.decayMax, fl.decayBins) == nil {
		return usagef("--decay bins need 0 < --decay-min-bp < --decay-max-bp and --decay-bins ≥ 1")
	}
	if fl.blocks != "" && fl.blockOpts.MaxSNPs > 0 && fl.blockOpts.MaxSNPs < fl.blockOpts.MinSNPs {
		return usagef("--block-max-snps %d is below --block-min-snps %d", fl.blockOpts.MaxSNPs, fl.blockOpts.MinSNPs)
	}
	fl.window.Threads = global.threads

	prog := newProgress("")
	defer prog.finish()
	prog.phaseStart("read")
	start := time.Now()
	// Dosage r² only: no haplotypes (a third of the memory of phased input).
	ropts := vcf.ReadOptions{Region: fl.region, Threads: global.threads, DosageOnly: true}
	if err := fl.samples.apply(&ropts); err != nil {
		return err
	}
	// The MAF filter runs while reading: the dropped sites are never held.
	g, stats, flog, err := preprocess.ReadFilteredContext(cmd.Context(), in, ropts, preprocess.FilterOptions{MinMAF: fl.maf})
	if err != nil && !errors.Is(err, preprocess.ErrNothingLeft) {
		return err
	}
	slog.Info("read", "file", in, "samples", len(g.Samples), "snps", stats.Kept, "filtered", stats.Filtered, "records", stats.Records, "seconds", time.Since(start).Seconds())
	if len(g.Samples) == 0 {
		return fmt.Errorf("%s: the file has no samples: LD needs genotypes", in)
	}
	if stats.Kept+stats.Filtered == 0 {
		if fl.region != "" {
			return fmt.Errorf("%s: region %s has no biallelic SNPs (%d records examined)", in, fl.region, stats.Records)
		}
		return fmt.Errorf("%s: no biallelic SNPs (%d records examined)", in, stats.Records)
	}
	if err != nil {
		return fmt.Errorf("%s: all %d SNPs were filtered out by --maf %g", in, stats.Kept+stats.Filtered, fl.maf)
	}
	if fl.maf > 0 {
		for _, line := range strings.Split(strings.TrimSpace(flog.String()), "\n") {
			slog.Info(line)
		}
	}
	if g.NumSites() < 2 {
		return fmt.Errorf("%s: LD needs at least 2 SNPs, %d left", in, g.NumSites())
	}

	if fl.out != "" {
		if err := writeLDPairs(cmd, g, fl, prog); err != nil {
			return err
		}
	}
	if fl.decay != "" {
		bins, err := ld.Decay(g, ld.LogBins(fl.decayMin, fl.decayMax, fl.decayBins), fl.decayPairs)
		if err != nil {
			return err
		}
		var b strings.Builder
		b.WriteString("LO_BP\tHI_BP\tMEAN_R2\tPAIRS\n")
		for _, d := range bins {
			fmt.Fprintf(&b, "%s\t%s\t%s\t%d\n", strconv.FormatFloat(d.LoBP, 'f', 1, 64),
				strconv.FormatFloat(d.HiBP, 'f', 1, 64), ld.AppendR2(nil, d.MeanR2), d.Pairs)
		}
		if err := atomicfile.WriteFile(fl.decay, []byte(b.String())); err != nil {
			return err
		}
		slog.Info("wrote LD decay", "file", fl.decay, "bins", len(bins))
	}
	if fl.blocks != "" {
		blocks, err := ld.Blocks(g, fl.blockOpts)
		if err != nil {
			return err
		}
		var b strings.Builder
		b.WriteString("CHR\tSTART_BP\tEND_BP\tFIRST_SNP\tLAST_SNP\tN_SNPS\tCUT_R2\n")
		for _, bl := range blocks {
			fmt.Fprintf(&b, "%s\t%d\t%d\t%s\t%s\t%d\t%s\n", bl.Chrom, bl.StartBP, bl.EndBP,
				g.Sites[bl.Start].ID, g.Sites[bl.End-1].ID, bl.End-bl.Start, ld.AppendR2(nil, bl.MeanCrossR2))
		}
		if err := atomicfile.WriteFile(fl.blocks, []byte(b.String())); err != nil {
			return err
		}
		slog.Info("wrote LD blocks", "file", fl.blocks, "blocks", len(blocks))
	}
	return nil
}

// writeLDPairs writes the windowed r² TSV, through a temporary file that is
// renamed only when complete.
func writeLDPairs(cmd *cobra.Command, g *vcf.Genotypes, fl *ldFlags, prog *progress) error {
	var sink io.Writer
	var af *atomicfile.File
	if fl.out == "-" {
		sink = cmd.OutOrStdout()
	} else {
		var err error
		af, err = atomicfile.Create(fl.out)
		if err != nil {
			return err
		}
		defer af.Abort()
		sink = af
	}
	bw := bufio.NewWriterSize(sink, 1<<20)
	var w io.Writer = bw
	var zw *pgzip.Writer
	if strings.HasSuffix(fl.out, ".gz") {
		// Level 1: the text is tens of bytes per pair and tens of millions
		// of pairs; higher levels cost seconds for little gain.
		var err error
		zw, err = pgzip.NewWriterLevel(bw, gzip.BestSpeed)
		if err != nil {
			return err
		}
		if err := zw.SetConcurrency(1<<20, 2*runtime.GOMAXPROCS(0)); err != nil {
			return err
		}
		w = zw
	}
	opts := fl.window
	if prog != nil {
		opts.Progress = func(done, total int) { prog.update(model.Progress{Phase: "r²", Step: done, Total: total}) }
	}
	start := time.Now()
	n, err := ld.WriteTSV(cmd.Context(), w, g, opts)
	if err != nil {
		return fmt.Errorf("write %s: %w", fl.out, err)
	}
	if zw != nil {
		if err := zw.Close(); err != nil {
			return fmt.Errorf("write %s: %w", fl.out, err)
		}
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("write %s: %w", fl.out, err)
	}
	if af != nil {
		if err := af.Commit(); err != nil {
			return err
		}
	}
	slog.Info("wrote LD pairs", "file", fl.out, "pairs", n, "seconds", time.Since(start).Seconds())
	return nil
}
