package main

import (
	"fmt"
	"io"
	"log/slog"
	"maps"
	"slices"
	"strings"

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
			var files pathcheck.Set
			files.VCFInput("input VCF", args[0])
			samples.files(&files)
			if err := checkFiles(cmd, &files); err != nil {
				return err
			}
			if err := samples.apply(&opts); err != nil {
				return err
			}
			if opts.MaxVariants < 0 {
				return usagef("--max-variants must not be negative")
			}
			opts.Threads = global.threads
			return streamStats(cmd, args[0], opts)
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

// mafBins are the upper bounds of the minor-allele-frequency classes printed.
var mafBins = []float64{0.01, 0.05, 0.1, 0.2, 0.3, 0.4, 0.5}

// siteStats accumulates the summary of a VCF one site at a time, so that
// stats runs in memory bounded by the reader's buffers whatever the file's
// size (the genotype matrix of 2504 × 1,000,000 sites would take 7.5 GB with
// its haplotypes).
type siteStats struct {
	samples, sites int
	missing        int64 // missing calls
	phased         bool  // every site so far is phased
	counts         []int // monomorphic, the MAF bins, all missing
}

func newSiteStats(samples int) *siteStats {
	return &siteStats{samples: samples, phased: true, counts: make([]int, len(mafBins)+2)}
}

// add counts one site's dosages with their ploidies (nil: all diploid);
// phased tells whether all its calls are phased. Frequencies count alleles
// as bcftools' AF does: a haploid call is one allele.
func (s *siteStats) add(row, ploidy []int8, phased bool) {
	s.sites++
	s.phased = s.phased && phased
	for _, d := range row {
		if d == vcf.Missing {
			s.missing++
		}
	}
	alt, called := vcf.AlleleCounts(row, ploidy)
	switch {
	case called == 0:
		s.counts[len(s.counts)-1]++
	case alt == 0 || alt == called:
		s.counts[0]++
	default:
		maf := float64(alt) / float64(called)
		maf = min(maf, 1-maf)
		k, _ := slices.BinarySearch(mafBins, maf)
		s.counts[1+min(k, len(mafBins)-1)]++
	}
}

// streamStats reads path site by site and prints its summary.
func streamStats(cmd *cobra.Command, path string, opts vcf.ReadOptions) error {
	r, err := vcf.OpenContext(cmd.Context(), path, opts)
	if err != nil {
		return err
	}
	defer r.Close()
	s := newSiteStats(len(r.Samples()))
	prog := newProgress("")
	defer prog.finish()
	prog.phaseStart("read")
	ctx := cmd.Context()
	for {
		rec, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
		s.add(rec.Dosage, rec.Ploidy, rec.Haplotypes != nil)
		if s.sites%4096 == 0 && ctx != nil && ctx.Err() != nil {
			return ctx.Err()
		}
	}
	st := r.Stats()
	if opts.Region != "" && st.Records == 0 {
		var names []string
		for _, c := range r.Contigs() {
			names = append(names, c.ID)
		}
		if len(names) > 10 {
			names = append(names[:10], "...")
		}
		slog.Warn("the region holds no records", "file", path, "region", opts.Region, "contigs in the header", strings.Join(names, ","))
	}
	printStats(cmd.OutOrStdout(), path, s, st)
	return nil
}

func printStats(w io.Writer, path string, s *siteStats, st *vcf.ReadStats) {
	counts := s.counts
	fmt.Fprintf(w, "file\t%s\n", path)
	fmt.Fprintf(w, "samples\t%d\n", s.samples)
	fmt.Fprintf(w, "records\t%d\n", st.Records)
	fmt.Fprintf(w, "sites kept\t%d\n", st.Kept)
	for _, k := range slices.Sorted(maps.Keys(st.Skipped)) {
		fmt.Fprintf(w, "skipped %s\t%d\n", k, st.Skipped[k])
	}
	rate := 0.0
	if n := int64(s.sites) * int64(s.samples); n > 0 {
		rate = float64(s.missing) / float64(n)
	}
	fmt.Fprintf(w, "missing rate\t%.6f\n", rate)
	fmt.Fprintf(w, "phased\t%v\n", s.phased && s.sites > 0)
	fmt.Fprintf(w, "MAF 0 (monomorphic)\t%d\n", counts[0])
	lo := 0.0
	for i, hi := range mafBins {
		fmt.Fprintf(w, "MAF (%g, %g]\t%d\n", lo, hi, counts[1+i])
		lo = hi
	}
	if c := counts[len(counts)-1]; c > 0 {
		fmt.Fprintf(w, "all calls missing\t%d\n", c)
	}
}
