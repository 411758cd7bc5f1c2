package app

import (
	"context"
	"io"
	"log/slog"
	"slices"
	"strings"

	"github.com/gousynth/gousynth/vcf"
)

// StatsConfig describes a stats job: a summary of the biallelic SNPs of a
// VCF, read site by site.
type StatsConfig struct {
	// Input is the VCF (plain, gzip or BGZF).
	Input string
	// Read says what is read: Region, IncludeSamples, ExcludeSamples,
	// MaxVariants (0: no limit), SplitMultiallelic, Threads.
	Read vcf.ReadOptions
	// Logger receives the job's log (a warning for a region without
	// records); nil discards it.
	Logger *slog.Logger
}

// Validate reports a setting of c that cannot be run, as an ErrBadOption.
func (c StatsConfig) Validate() error {
	if c.Read.MaxVariants < 0 {
		return usagef("--max-variants must not be negative")
	}
	return nil
}

// StatsMAFBounds are the upper bounds of the minor-allele-frequency
// classes of StatsResult.MAF: (0, 0.01], (0.01, 0.05], ..., (0.4, 0.5].
var StatsMAFBounds = [...]float64{0.01, 0.05, 0.1, 0.2, 0.3, 0.4, 0.5}

// StatsResult is the summary of a VCF. Frequencies count alleles as
// bcftools' AF does: a haploid call is one allele.
type StatsResult struct {
	Samples int   // samples read (after the selection)
	Sites   int   // sites read
	Missing int64 // missing calls, over all sites and samples
	// Phased is set when at least one site was read and every one is phased.
	Phased bool
	// Monomorphic counts the sites with calls whose alleles are all the same.
	Monomorphic int
	// MAF counts the other sites with calls by minor-allele-frequency class
	// (StatsMAFBounds).
	MAF [len(StatsMAFBounds)]int
	// AllMissing counts the sites without any call.
	AllMissing int
	// Read holds the records examined, kept and skipped by reason.
	Read *vcf.ReadStats
}

// MissingRate is the fraction of the calls of the sites read that are
// missing (0 without any).
func (r *StatsResult) MissingRate() float64 {
	if n := int64(r.Sites) * int64(r.Samples); n > 0 {
		return float64(r.Missing) / float64(n)
	}
	return 0
}

// Stats reads c.Input site by site and summarises it, in memory bounded by
// the reader's buffers whatever the file's size (the genotype matrix of
// 2504 × 1,000,000 sites would take 7.5 GB with its haplotypes).
func Stats(ctx context.Context, c StatsConfig) (*StatsResult, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	r, err := vcf.OpenContext(ctx, c.Input, c.Read)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	s := &StatsResult{Samples: len(r.Samples()), Phased: true}
	startPhase(ctx, "read")
	for {
		rec, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		s.add(rec.Dosage, rec.Ploidy, rec.Haplotypes != nil)
		if s.Sites%4096 == 0 && ctx.Err() != nil {
			return nil, ctx.Err()
		}
	}
	s.Read = r.Stats()
	s.Phased = s.Phased && s.Sites > 0
	if c.Read.Region != "" && s.Read.Records == 0 {
		warnEmptyRegion(logOrDiscard(c.Logger), c.Input, c.Read.Region, r.Contigs())
	}
	return s, nil
}

// add counts one site's dosages with their ploidies (nil: all diploid);
// phased tells whether all its calls are phased.
func (s *StatsResult) add(row, ploidy []int8, phased bool) {
	s.Sites++
	s.Phased = s.Phased && phased
	for _, d := range row {
		if d == vcf.Missing {
			s.Missing++
		}
	}
	alt, called := vcf.AlleleCounts(row, ploidy)
	switch {
	case called == 0:
		s.AllMissing++
	case alt == 0 || alt == called:
		s.Monomorphic++
	default:
		maf := float64(alt) / float64(called)
		maf = min(maf, 1-maf)
		k, _ := slices.BinarySearch(StatsMAFBounds[:], maf)
		s.MAF[min(k, len(s.MAF)-1)]++
	}
}

// warnEmptyRegion says that region of path holds no records, and which
// contigs the header names (the first ten): most often the region names
// its chromosome otherwise ("chr1" for "1").
func warnEmptyRegion(log *slog.Logger, path, region string, contigs []vcf.Contig) {
	var names []string
	for _, c := range contigs {
		names = append(names, c.ID)
	}
	if len(names) > 10 {
		names = append(names[:10], "...")
	}
	log.Warn("the region holds no records", "file", path, "region", region, "contigs in the header", strings.Join(names, ","))
}
