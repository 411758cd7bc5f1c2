package preprocess

import (
	"context"
	"fmt"
	"slices"
	"sync"

	"github.com/gousynth/gousynth/vcf"
)

// StreamFilter applies the filters of FilterOptions while a VCF is read,
// so that the sites they drop are never stored: the per-site filters
// (biallelic SNPs, --geno, --hwe, --maf) run in the reader's parse workers
// (vcf.ReadOptions.Filter), and --mind, which needs every sample's
// missingness over the biallelic SNPs, is decided by a first streaming
// pass that holds no genotypes.
//
// The result is that of Filter on the whole input, site for site and call
// for call, with one documented difference: allele counts (for --maf)
// always count a haploid call as one allele, as bcftools does. Filter
// does so only when the whole matrix holds haplotypes; on an input that is
// not entirely phased and has haploid calls it counts them as two.
type StreamFilter struct {
	opts FilterOptions
	mind *Step // the --mind step of the first pass; nil when off

	mu     sync.Mutex
	counts []*streamCounts
}

// streamCounts are one parse worker's counts: sites seen, and removed by
// each step.
type streamCounts struct {
	seen, snps, geno, hwe, maf int
}

// NewStreamFilter prepares the streamed filters of opts for reading path
// with ro. When opts.MaxSampleMissing is set it first streams path once,
// counting each sample's missing calls over the biallelic SNPs without
// holding genotypes, and excludes the samples --mind removes. It returns
// the read options of the pass that keeps the data: ro with those samples
// excluded and the site filters installed. Read with them once, then call
// Log.
func NewStreamFilter(path string, ro vcf.ReadOptions, opts FilterOptions) (*StreamFilter, vcf.ReadOptions, error) {
	if err := opts.validate(); err != nil {
		return nil, ro, err
	}
	f := &StreamFilter{opts: opts}
	if opts.MaxSampleMissing > 0 {
		drop, step, err := mindPass(path, ro, opts)
		if err != nil {
			return nil, ro, err
		}
		f.mind = step
		if step.Remaining == 0 && step.Removed > 0 {
			return nil, ro, fmt.Errorf("%w: --mind removed all %d samples (%s)", ErrNothingLeft, step.Removed, step.Reason)
		}
		if len(drop) > 0 {
			ro.ExcludeSamples = append(slices.Clip(ro.ExcludeSamples), drop...)
		}
	}
	ro.Filter = f.newSiteFilter
	return f, ro, nil
}

// mindPass streams path and returns the samples whose missing-call rate
// over the biallelic SNPs (all sites without BiallelicSNPsOnly) exceeds
// opts.MaxSampleMissing, and the --mind step.
func mindPass(path string, ro vcf.ReadOptions, opts FilterOptions) ([]string, *Step, error) {
	var mu sync.Mutex
	var workers []*[]int
	var sites []*int
	ro.DosageOnly = true
	ro.Filter = func() vcf.SiteFilter {
		miss, m := new([]int), new(int)
		mu.Lock()
		workers, sites = append(workers, miss), append(sites, m)
		mu.Unlock()
		return func(s *vcf.Site, dos, _ []int8) bool {
			if opts.BiallelicSNPsOnly && !IsBiallelicSNP(*s) {
				return false
			}
			if *miss == nil {
				*miss = make([]int, len(dos))
			}
			(*m)++
			for i, d := range dos {
				if d < 0 {
					(*miss)[i]++
				}
			}
			return false // hold nothing
		}
	}
	r, err := vcf.Open(path, ro)
	if err != nil {
		return nil, nil, err
	}
	err = r.Scan(func(vcf.Record, int) error { return nil })
	r.Close() // waits for the workers: their counts are final
	if err != nil {
		return nil, nil, err
	}
	samples := r.Samples()
	miss := make([]int, len(samples))
	m := 0
	for i, w := range workers {
		for j, c := range *w {
			miss[j] += c
		}
		m += *sites[i]
	}
	var drop []string
	for s, id := range samples {
		if !(float64(miss[s]) <= opts.MaxSampleMissing*float64(m)) {
			drop = append(drop, id)
		}
	}
	step := &Step{Name: "--mind", Unit: "samples", Removed: len(drop), Remaining: len(samples) - len(drop),
		Reason: fmt.Sprintf("missing genotype rate > %g", opts.MaxSampleMissing)}
	return drop, step, nil
}

// newSiteFilter makes the SiteFilter of one parse worker.
func (f *StreamFilter) newSiteFilter() vcf.SiteFilter {
	c := &streamCounts{}
	f.mu.Lock()
	f.counts = append(f.counts, c)
	f.mu.Unlock()
	o := f.opts
	counted := o.MaxSiteMissing > 0 || o.HWEPValue > 0 || o.MinMAF > 0
	return func(s *vcf.Site, dos, ploidy []int8) bool {
		c.seen++
		if o.BiallelicSNPsOnly && !IsBiallelicSNP(*s) {
			c.snps++
			return false
		}
		if !counted {
			return true
		}
		sc := countRow(dos, ploidy)
		if o.MaxSiteMissing > 0 && !(float64(sc.Missing) <= o.MaxSiteMissing*float64(len(dos))) {
			c.geno++
			return false
		}
		if o.HWEPValue > 0 && !(HWEExact(sc.Het, sc.HomRef, sc.HomAlt) >= o.HWEPValue) {
			c.hwe++
			return false
		}
		if o.MinMAF > 0 && !(sc.MAF() >= o.MinMAF) {
			c.maf++
			return false
		}
		return true
	}
}

// Log returns, once the data pass is over (its reader closed or read to
// the end), the log of the filters as Filter writes it, given the number
// of samples the data pass kept, and an error wrapping ErrNothingLeft when
// a step removed every site, with Filter's message.
func (f *StreamFilter) Log(nSamples int) (*Log, error) {
	f.mu.Lock()
	var t streamCounts
	for _, c := range f.counts {
		t.seen += c.seen
		t.snps += c.snps
		t.geno += c.geno
		t.hwe += c.hwe
		t.maf += c.maf
	}
	f.mu.Unlock()
	log := &Log{}
	if t.seen == 0 {
		return log, fmt.Errorf("%w: the input has no sites", ErrNothingLeft)
	}
	if nSamples == 0 {
		return log, fmt.Errorf("%w: the input has no samples", ErrNothingLeft)
	}
	left := t.seen
	step := func(name, reason string, removed int) error {
		left -= removed
		log.add(Step{Name: name, Unit: "variants", Removed: removed, Remaining: left, Reason: reason})
		if left == 0 {
			return fmt.Errorf("%w: %s removed all %d variants (%s)", ErrNothingLeft, name, removed, reason)
		}
		return nil
	}
	o := f.opts
	if o.BiallelicSNPsOnly {
		if err := step("--snps-only", "not a biallelic SNP", t.snps); err != nil {
			return log, err
		}
	}
	if f.mind != nil {
		log.add(*f.mind)
	}
	if o.MaxSiteMissing > 0 {
		if err := step("--geno", fmt.Sprintf("missing genotype rate > %g", o.MaxSiteMissing), t.geno); err != nil {
			return log, err
		}
	}
	if o.HWEPValue > 0 {
		if err := step("--hwe", fmt.Sprintf("Hardy-Weinberg exact test p < %g", o.HWEPValue), t.hwe); err != nil {
			return log, err
		}
	}
	if o.MinMAF > 0 {
		if err := step("--maf", fmt.Sprintf("minor allele frequency < %g", o.MinMAF), t.maf); err != nil {
			return log, err
		}
	}
	return log, nil
}

// ReadFiltered is vcf.ReadFile followed by Filter, with the filters
// applied while reading (see StreamFilter): the sites they drop are never
// stored. The matrix keeps haplotypes unless ro.DosageOnly is set.
// ro.MaxVariants, if set, counts the sites kept after filtering. When a
// step removes every site (or there are no sites or samples) the error
// wraps ErrNothingLeft and the (empty) matrix and the stats are returned
// too, for messages.
func ReadFiltered(path string, ro vcf.ReadOptions, opts FilterOptions) (*vcf.Genotypes, *vcf.ReadStats, *Log, error) {
	return ReadFilteredContext(context.Background(), path, ro, opts)
}

// ReadFilteredContext is ReadFiltered that stops when ctx is cancelled
// (vcf.ReadFileContext).
func ReadFilteredContext(ctx context.Context, path string, ro vcf.ReadOptions, opts FilterOptions) (*vcf.Genotypes, *vcf.ReadStats, *Log, error) {
	f, ro2, err := NewStreamFilter(path, ro, opts)
	if err != nil {
		return nil, nil, nil, err
	}
	g, stats, err := vcf.ReadFileContext(ctx, path, ro2)
	if err != nil {
		return nil, nil, nil, err
	}
	log, err := f.Log(g.NumSamples())
	if err != nil {
		return g, stats, log, err
	}
	return g, stats, log, nil
}
