package app

import (
	"bufio"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"os"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/klauspost/pgzip"

	"github.com/gousynth/gousynth/internal/atomicfile"
	"github.com/gousynth/gousynth/internal/limits"
	"github.com/gousynth/gousynth/ld"
	"github.com/gousynth/gousynth/model"
	"github.com/gousynth/gousynth/preprocess"
	"github.com/gousynth/gousynth/vcf"
)

// LDConfig describes an ld job: the windowed pairwise dosage r² of the
// biallelic SNPs of a VCF, its decay with distance and a segmentation
// into LD blocks, each written to its own file (at least one of them).
type LDConfig struct {
	// Input is the VCF.
	Input string
	// Read says what is read: Region, IncludeSamples, ExcludeSamples,
	// Threads. LD reads dosages only (DosageOnly is set): no haplotypes,
	// a third of the memory of phased input.
	Read vcf.ReadOptions
	// MinMAF drops the SNPs with a lower minor-allele frequency, while
	// reading (0: keep all; at most 0.5).
	MinMAF float64
	// Pairs is the pairwise r² file (plink --r2's columns, tab-separated;
	// gzip when the name ends in .gz; "-" writes to Stdout; "" for none).
	Pairs string
	// Window selects the pairs (plink 1.9's --ld-window, --ld-window-kb,
	// --ld-window-r2) and the threads that compute them; its Progress is
	// set from the context's (WithProgress).
	Window ld.WindowOptions
	// Decay is the LD decay file ("" for none): the mean r² in DecayBins
	// log-spaced distance bins from DecayMinBP to DecayMaxBP, averaging at
	// most about DecayMaxPairs pairs per bin (0: all).
	Decay                  string
	DecayBins              int
	DecayMinBP, DecayMaxBP float64
	DecayMaxPairs          int
	// Blocks is the LD blocks file ("" for none), segmented by BlockOptions.
	Blocks       string
	BlockOptions ld.BlockOptions
	// Stdout receives the pairs when Pairs is "-"; nil means os.Stdout.
	// (Decay and Blocks "-" are written to os.Stdout.)
	Stdout io.Writer
	// Logger receives the job's log (what was read and written); nil
	// discards it.
	Logger *slog.Logger
}

// Validate reports a setting of c that cannot be run, as an ErrBadOption.
func (c LDConfig) Validate() error {
	if c.Pairs == "" && c.Decay == "" && c.Blocks == "" {
		return usagef("nothing to do: give -o for pairwise r², --decay or --blocks")
	}
	if c.Window.WindowSNPs < 2 {
		return usagef("--window-snps must be at least 2 (a window of %d SNPs has no pairs)", c.Window.WindowSNPs)
	}
	err := checkCounts([]countCheck{{"--window-snps", c.Window.WindowSNPs, 2, limits.MaxSNPs},
		{"--decay-bins", c.DecayBins, 1, limits.MaxSmall}, {"--decay-max-pairs", c.DecayMaxPairs, 0, 1 << 40},
		{"--block-half-window", c.BlockOptions.HalfWindow, 0, limits.MaxSNPs},
		{"--block-min-snps", c.BlockOptions.MinSNPs, 0, limits.MaxSNPs}, {"--block-max-snps", c.BlockOptions.MaxSNPs, 0, limits.MaxSNPs}})
	switch {
	case err != nil:
		return err
	case !(c.Window.WindowKB > 0):
		return usagef("--window-kb must be positive, got %g", c.Window.WindowKB)
	case math.IsNaN(c.Window.MinR2) || c.Window.MinR2 < 0 || c.Window.MinR2 > 1:
		return usagef("--min-r2 must be in [0, 1], got %g", c.Window.MinR2)
	case math.IsNaN(c.MinMAF) || c.MinMAF < 0 || c.MinMAF > 0.5:
		return usagef("--maf must be in [0, 0.5], got %g", c.MinMAF)
	case c.Decay != "" && c.decayEdges() == nil:
		return usagef("--decay bins need 0 < --decay-min-bp < --decay-max-bp and --decay-bins ≥ 1")
	case c.Blocks != "" && c.BlockOptions.MaxSNPs > 0 && c.BlockOptions.MaxSNPs < c.BlockOptions.MinSNPs:
		return usagef("--block-max-snps %d is below --block-min-snps %d", c.BlockOptions.MaxSNPs, c.BlockOptions.MinSNPs)
	}
	return nil
}

// decayEdges are the edges of the decay bins (nil when they make none).
func (c LDConfig) decayEdges() []float64 {
	return ld.LogBins(c.DecayMinBP, c.DecayMaxBP, c.DecayBins)
}

// LDResult is what an ld job computed.
type LDResult struct {
	Samples, SNPs int   // individuals and SNPs the r² are computed over
	Pairs         int64 // pairs written to LDConfig.Pairs
	// Decay and Blocks are the contents of the decay and blocks files (nil
	// when not asked for).
	Decay  []ld.DecayBin
	Blocks []ld.Block
}

// LD reads c.Input and writes the files c asks for, each through a
// temporary file renamed only when complete.
func LD(ctx context.Context, c LDConfig) (*LDResult, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	log := logOrDiscard(c.Logger)
	startPhase(ctx, "read")
	g, err := readLD(ctx, c, log)
	if err != nil {
		return nil, err
	}
	res := &LDResult{Samples: g.NumSamples(), SNPs: g.NumSites()}
	if c.Pairs != "" {
		if res.Pairs, err = writeLDPairs(ctx, g, c, log); err != nil {
			return nil, err
		}
	}
	if c.Decay != "" {
		if res.Decay, err = writeLDDecay(g, c, log); err != nil {
			return nil, err
		}
	}
	if c.Blocks != "" {
		if res.Blocks, err = writeLDBlocks(g, c, log); err != nil {
			return nil, err
		}
	}
	return res, nil
}

// readLD reads the SNPs of an ld job, MAF filter applied, and refuses data
// without a pair: no samples, fewer than 2 SNPs.
func readLD(ctx context.Context, c LDConfig, log *slog.Logger) (*vcf.Genotypes, error) {
	start := time.Now()
	ro := c.Read
	ro.DosageOnly = true
	in := c.Input
	// The MAF filter runs while reading: the dropped sites are never held.
	g, stats, flog, err := preprocess.ReadFilteredContext(ctx, in, ro, preprocess.FilterOptions{MinMAF: c.MinMAF})
	if err != nil && !errors.Is(err, preprocess.ErrNothingLeft) {
		return nil, err
	}
	log.Info("read", "file", in, "samples", len(g.Samples), "snps", stats.Kept, "filtered", stats.Filtered, "records", stats.Records, "seconds", time.Since(start).Seconds())
	if len(g.Samples) == 0 {
		return nil, fmt.Errorf("%s: the file has no samples: LD needs genotypes", in)
	}
	if stats.Kept+stats.Filtered == 0 {
		if ro.Region != "" {
			return nil, fmt.Errorf("%s: region %s has no biallelic SNPs (%d records examined)", in, ro.Region, stats.Records)
		}
		return nil, fmt.Errorf("%s: no biallelic SNPs (%d records examined)", in, stats.Records)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: all %d SNPs were filtered out by --maf %g", in, stats.Kept+stats.Filtered, c.MinMAF)
	}
	if c.MinMAF > 0 {
		for _, line := range strings.Split(strings.TrimSpace(flog.String()), "\n") {
			log.Info(line)
		}
	}
	if g.NumSites() < 2 {
		return nil, fmt.Errorf("%s: LD needs at least 2 SNPs, %d left", in, g.NumSites())
	}
	return g, nil
}

// writeLDPairs writes the windowed r² TSV, through a temporary file that is
// renamed only when complete, and returns the number of pairs.
func writeLDPairs(ctx context.Context, g *vcf.Genotypes, c LDConfig, log *slog.Logger) (int64, error) {
	var sink io.Writer
	var af *atomicfile.File
	if c.Pairs == atomicfile.Stdout {
		sink = c.Stdout
		if sink == nil {
			sink = os.Stdout
		}
	} else {
		var err error
		af, err = atomicfile.Create(c.Pairs)
		if err != nil {
			return 0, err
		}
		defer af.Abort()
		sink = af
	}
	bw := bufio.NewWriterSize(sink, 1<<20)
	var w io.Writer = bw
	var zw *pgzip.Writer
	if strings.HasSuffix(c.Pairs, ".gz") {
		// Level 1: the text is tens of bytes per pair and tens of millions
		// of pairs; higher levels cost seconds for little gain.
		var err error
		zw, err = pgzip.NewWriterLevel(bw, gzip.BestSpeed)
		if err != nil {
			return 0, err
		}
		if err := zw.SetConcurrency(1<<20, 2*runtime.GOMAXPROCS(0)); err != nil {
			return 0, err
		}
		w = zw
	}
	opts := c.Window
	progress := progressOf(ctx)
	opts.Progress = func(done, total int) { progress(model.Progress{Phase: "r²", Step: done, Total: total}) }
	start := time.Now()
	n, err := ld.WriteTSV(ctx, w, g, opts)
	if err != nil {
		return 0, fmt.Errorf("write %s: %w", c.Pairs, err)
	}
	if zw != nil {
		if err := zw.Close(); err != nil {
			return 0, fmt.Errorf("write %s: %w", c.Pairs, err)
		}
	}
	if err := bw.Flush(); err != nil {
		return 0, fmt.Errorf("write %s: %w", c.Pairs, err)
	}
	if af != nil {
		if err := af.Commit(); err != nil {
			return 0, err
		}
	}
	log.Info("wrote LD pairs", "file", c.Pairs, "pairs", n, "seconds", time.Since(start).Seconds())
	return n, nil
}

// writeLDDecay writes the LD decay curve of g as a TSV.
func writeLDDecay(g *vcf.Genotypes, c LDConfig, log *slog.Logger) ([]ld.DecayBin, error) {
	bins, err := ld.Decay(g, c.decayEdges(), c.DecayMaxPairs)
	if err != nil {
		return nil, err
	}
	var b strings.Builder
	b.WriteString("LO_BP\tHI_BP\tMEAN_R2\tPAIRS\n")
	for _, d := range bins {
		fmt.Fprintf(&b, "%s\t%s\t%s\t%d\n", strconv.FormatFloat(d.LoBP, 'f', 1, 64),
			strconv.FormatFloat(d.HiBP, 'f', 1, 64), ld.AppendR2(nil, d.MeanR2), d.Pairs)
	}
	if err := atomicfile.WriteFile(c.Decay, []byte(b.String())); err != nil {
		return nil, err
	}
	log.Info("wrote LD decay", "file", c.Decay, "bins", len(bins))
	return bins, nil
}

// writeLDBlocks writes the LD blocks of g as a TSV.
func writeLDBlocks(g *vcf.Genotypes, c LDConfig, log *slog.Logger) ([]ld.Block, error) {
	blocks, err := ld.Blocks(g, c.BlockOptions)
	if err != nil {
		return nil, err
	}
	var b strings.Builder
	b.WriteString("CHR\tSTART_BP\tEND_BP\tFIRST_SNP\tLAST_SNP\tN_SNPS\tCUT_R2\n")
	for _, bl := range blocks {
		fmt.Fprintf(&b, "%s\t%d\t%d\t%s\t%s\t%d\t%s\n", bl.Chrom, bl.StartBP, bl.EndBP,
			g.Sites[bl.Start].ID, g.Sites[bl.End-1].ID, bl.End-bl.Start, ld.AppendR2(nil, bl.MeanCrossR2))
	}
	if err := atomicfile.WriteFile(c.Blocks, []byte(b.String())); err != nil {
		return nil, err
	}
	log.Info("wrote LD blocks", "file", c.Blocks, "blocks", len(blocks))
	return blocks, nil
}
