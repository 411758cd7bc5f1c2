package pipeline

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"strings"

	"github.com/gousynth/gousynth/preprocess"
	"github.com/gousynth/gousynth/vcf"
	"gonum.org/v1/gonum/mat"
)

// DefaultMaxSNPs is the default SNP budget of one model: the GOU paper fits
// 2000 SNPs, and on 2 cores a fit of that size takes a few minutes.
const DefaultMaxSNPs = 2000

// ErrBadOption marks an invalid pipeline option.
var ErrBadOption = errors.New("invalid option")

// DataOptions say which data a job fits and how it is split.
type DataOptions struct {
	Input  string          // VCF path (plain or bgzipped)
	Read   vcf.ReadOptions // region, samples, threads
	Filter preprocess.FilterOptions
	// MaxSNPs is the SNP budget: when more sites pass the filters, the job
	// fits the first MaxSNPs consecutive sites and says so. 0 means
	// DefaultMaxSNPs; a negative value means no limit.
	MaxSNPs int
	// PanelPath names a 1000 Genomes-style panel (sample pop super_pop
	// gender); when given, the split is stratified by population and the
	// report colours individuals by population.
	PanelPath string
	// TestFraction of the individuals is held out as the real test set.
	TestFraction float64
	// Seed drives the split (the model and generation seeds derive from it).
	Seed uint64
	// Windows is what happens beyond MaxSNPs: "off" or "" fits the first
	// MaxSNPs consecutive sites (the old behaviour), "auto" keeps every site
	// and marks the data for a windowed fit (see FitWindowed).
	Windows string
}

// Data is a prepared job: filtered, split and imputed genotypes.
type Data struct {
	Input     string
	ReadStats *vcf.ReadStats
	Log       *preprocess.Log
	Panel     *preprocess.Panel
	// NumInput is the number of individuals in the input (after sample
	// selection), the default size of a synthetic cohort.
	NumInput int
	// Train and Test hold the training and held-out individuals over the same
	// sites, missing calls imputed (see preprocess.ImputeMean).
	Train, Test *vcf.Genotypes
	// TrainMatrix is Train as an individuals × SNPs float matrix.
	TrainMatrix *mat.Dense
	// Notes are things the user must know about the data the job used.
	Notes []string
	// Windowed is set when more sites than the budget passed the filters
	// and DataOptions.Windows is "auto": every site is kept, and
	// TrainMatrix is nil (a windowed fit reads Train window by window).
	Windowed bool
}

// Prepare reads, filters, limits, splits and imputes the input.
func Prepare(ctx context.Context, o DataOptions, log *slog.Logger) (*Data, error) {
	if o.TestFraction <= 0 || o.TestFraction >= 1 {
		return nil, fmt.Errorf("%w: test fraction must be in (0, 1), got %g", ErrBadOption, o.TestFraction)
	}
	d := &Data{Input: o.Input}
	var panel *preprocess.Panel
	if o.PanelPath != "" {
		p, err := preprocess.ReadPanel(o.PanelPath)
		if err != nil {
			return nil, err
		}
		panel = p
		d.Panel = p
	}
	log.Info("reading", "file", o.Input, "region", o.Read.Region)
	g, stats, err := vcf.ReadFileContext(ctx, o.Input, o.Read)
	if err != nil {
		return nil, err
	}
	d.ReadStats = stats
	log.Info("read", "samples", g.NumSamples(), "sites", g.NumSites(), "records", stats.Records, "skipped", formatCounts(stats.Skipped))
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if g.NumSamples() == 0 {
		return nil, fmt.Errorf("%s: the file has no samples", o.Input)
	}
	if g.NumSites() == 0 {
		if o.Read.Region != "" {
			return nil, fmt.Errorf("%s: no variants in region %s", o.Input, o.Read.Region)
		}
		return nil, fmt.Errorf("%s: no usable variants", o.Input)
	}
	d.NumInput = g.NumSamples()
	g, flog, err := preprocess.Filter(g, o.Filter)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", o.Input, err)
	}
	d.Log = flog
	if g.NumSites() < 2 {
		return nil, fmt.Errorf("%s: %d SNP passed the filters; a model needs at least 2 SNPs (widen --region or relax --maf, --geno, --hwe)", o.Input, g.NumSites())
	}
	max := o.MaxSNPs
	if max == 0 {
		max = DefaultMaxSNPs
	}
	switch o.Windows {
	case "", WindowsOff, WindowsAuto:
	default:
		return nil, fmt.Errorf("%w: --windows must be auto or off, got %q", ErrBadOption, o.Windows)
	}
	if max > 0 && g.NumSites() > max && o.Windows == WindowsAuto {
		first, last := g.Sites[0], g.Sites[g.NumSites()-1]
		note := fmt.Sprintf("%d SNPs passed the filters, more than the budget of %d of one model: fitting all of them (%s:%d-%d) with windowed models (--windows off fits the first %d instead)",
			g.NumSites(), max, first.Chrom, first.Pos, last.Pos, max)
		log.Warn(note)
		d.Notes = append(d.Notes, note)
		d.Windowed = true
		// Windowed models fit dosages: drop the haplotypes of a whole
		// chromosome rather than copy them into the split.
		g.Haplotypes, g.Phased = nil, false
	} else if max > 0 && g.NumSites() > max {
		first, last := g.Sites[0], g.Sites[max-1]
		note := fmt.Sprintf("%d SNPs passed the filters, more than the budget of %d: fitting the first %d consecutive SNPs (%s:%d-%d); choose another stretch with --region, or raise --max-snps",
			g.NumSites(), max, max, first.Chrom, first.Pos, last.Pos)
		log.Warn(note)
		d.Notes = append(d.Notes, note)
		var slog2 *preprocess.Log
		g, slog2, err = preprocess.SelectSNPs(g, preprocess.SelectOptions{WindowSNPs: max})
		if err != nil {
			return nil, err
		}
		d.Log.Append(slog2)
	}
	for _, line := range strings.Split(strings.TrimSpace(d.Log.String()), "\n") {
		if line != "" {
			log.Debug("filter", "step", line) // preprocess logs these at Info already; this copy is for run.log
		}
	}
	train, test, err := preprocess.Split(g.Samples, o.TestFraction, o.Seed, panel)
	if err != nil {
		return nil, err
	}
	if len(train) < 2 || len(test) < 2 {
		return nil, fmt.Errorf("%w: %d individuals are too few to split into training and test sets (test fraction %g)", ErrBadOption, g.NumSamples(), o.TestFraction)
	}
	trainG, nTrainImp := preprocess.ImputeMean(preprocess.SubsetSamples(g, train))
	testG, nTestImp := preprocess.ImputeMean(preprocess.SubsetSamples(g, test))
	if nTrainImp+nTestImp > 0 {
		log.Info("imputed missing genotypes with the per-SNP mean dosage", "train", nTrainImp, "test", nTestImp)
	}
	d.Train, d.Test = trainG, testG
	if !d.Windowed {
		d.TrainMatrix = preprocess.Matrix(trainG)
	}
	log.Info("split", "train", len(train), "test", len(test), "snps", g.NumSites(), "stratified", panel != nil)
	return d, nil
}

// formatCounts prints a reason → count map in a stable order.
func formatCounts(m map[string]int) string {
	if len(m) == 0 {
		return "none"
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	for i, k := range keys {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "%s=%d", k, m[k])
	}
	return b.String()
}

// populations maps the test individuals to their super-population (or
// population) for colouring the report.
func (d *Data) populations() map[string]string {
	if d.Panel == nil {
		return nil
	}
	out := make(map[string]string, d.Test.NumSamples())
	for _, s := range d.Test.Samples {
		if e, ok := d.Panel.Lookup(s); ok {
			out[s] = e.SuperPop
			if out[s] == "" {
				out[s] = e.Pop
			}
		}
	}
	return out
}
