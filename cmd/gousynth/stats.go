package main

import (
	"fmt"
	"io"
	"log/slog"
	"maps"
	"slices"

	"github.com/gousynth/gousynth/app"
	"github.com/gousynth/gousynth/internal/pathcheck"
	"github.com/gousynth/gousynth/vcf"
	"github.com/spf13/cobra"
)

func newStatsCmd() *cobra.Command {
	var opts vcf.ReadOptions
	var samples sampleFlags // registered below with stats' own help texts
	cmd := &cobra.Command{
		Use:   "stats FILE.vcf.gz",
		Short: "Read a VCF into a genotype matrix and summarise it",
		Long: `stats streams the biallelic SNPs of a VCF (plain, gzip or BGZF) site by
site, in constant memory, and prints the number of samples and sites, the
records skipped by reason, the missing-call rate, whether the data are
phased, and the minor allele frequency spectrum.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runStats(cmd, args[0], opts, &samples)
		},
	}
	f := cmd.Flags()
	f.StringVarP(&opts.Region, "region", "r", "", "region chr, chr:pos or chr:start-end (1-based, inclusive)")
	f.StringVar(&samples.include, "samples", "", "comma-separated sample IDs to keep")
	f.StringVar(&samples.exclude, "exclude-samples", "", "comma-separated sample IDs to drop")
	f.StringVar(&samples.includeFile, "samples-file", "", "file of sample IDs to keep, one whole ID per line (as bcftools -S)")
	f.StringVar(&samples.excludeFile, "exclude-samples-file", "", "file of sample IDs to drop, one whole ID per line (as bcftools -S)")
	f.IntVar(&opts.MaxVariants, "max-variants", 0, "stop after this many sites (0: no limit)")
	f.BoolVar(&opts.SplitMultiallelic, "split-multiallelic", false, "split multi-allelic SNPs into biallelic sites instead of skipping them")
	return cmd
}

func runStats(cmd *cobra.Command, in string, opts vcf.ReadOptions, samples *sampleFlags) error {
	var files pathcheck.Set
	files.VCFInput("input VCF", in)
	samples.files(&files)
	if err := checkFiles(cmd, &files); err != nil {
		return err
	}
	if err := samples.apply(&opts); err != nil {
		return err
	}
	opts.Threads = global.threads
	c := app.StatsConfig{Input: in, Read: opts, Logger: slog.Default()}
	if err := c.Validate(); err != nil {
		return usageFromApp(err)
	}
	prog := newProgress("")
	res, err := app.Stats(prog.context(cmd.Context()), c)
	prog.finish()
	if err != nil {
		return usageFromApp(err)
	}
	printStats(cmd.OutOrStdout(), in, res)
	return nil
}

// printStats prints the summary of path, one "name\tvalue" line each.
func printStats(w io.Writer, path string, s *app.StatsResult) {
	st := s.Read
	fmt.Fprintf(w, "file\t%s\n", path)
	fmt.Fprintf(w, "samples\t%d\n", s.Samples)
	fmt.Fprintf(w, "records\t%d\n", st.Records)
	fmt.Fprintf(w, "sites kept\t%d\n", st.Kept)
	for _, k := range slices.Sorted(maps.Keys(st.Skipped)) {
		fmt.Fprintf(w, "skipped %s\t%d\n", k, st.Skipped[k])
	}
	fmt.Fprintf(w, "missing rate\t%.6f\n", s.MissingRate())
	fmt.Fprintf(w, "phased\t%v\n", s.Phased)
	fmt.Fprintf(w, "MAF 0 (monomorphic)\t%d\n", s.Monomorphic)
	lo := 0.0
	for i, hi := range app.StatsMAFBounds {
		fmt.Fprintf(w, "MAF (%g, %g]\t%d\n", lo, hi, s.MAF[i])
		lo = hi
	}
	if s.AllMissing > 0 {
		fmt.Fprintf(w, "all calls missing\t%d\n", s.AllMissing)
	}
}
