package preprocess

import (
	"errors"
	"fmt"
	"math"

	"github.com/gousynth/gousynth/vcf"
)

// ErrNothingLeft is returned when a filter removes every site or every
// sample.
var ErrNothingLeft = errors.New("nothing left after filtering")

// ErrBadOption is wrapped by errors about invalid option values.
var ErrBadOption = errors.New("invalid option")

// FilterOptions selects sites and samples. Every zero field disables its
// filter, so FilterOptions{} keeps everything; DefaultFilterOptions is what
// the command line uses.
type FilterOptions struct {
	// MinMAF keeps sites whose minor-allele frequency is ≥ MinMAF (plink
	// --maf; bcftools view -q MinMAF:minor). Frequencies are counted over
	// called alleles.
	MinMAF float64
	// MaxSiteMissing removes sites whose fraction of missing calls exceeds
	// it (plink --geno). 0 disables the filter.
	MaxSiteMissing float64
	// MaxSampleMissing removes samples whose fraction of missing calls
	// exceeds it (plink --mind). 0 disables the filter.
	MaxSampleMissing float64
	// HWEPValue removes sites whose Hardy–Weinberg exact test p-value
	// (Wigginton et al. 2005, as plink --hwe) is below it. 0 disables it.
	HWEPValue float64
	// BiallelicSNPsOnly keeps only sites with one-base REF and ALT alleles
	// (A, C, G or T): no indels, symbolic alleles or multi-allelic records.
	BiallelicSNPsOnly bool
}

// DefaultFilterOptions returns the command line's defaults: biallelic SNPs
// with MAF ≥ 0.01, no missingness or HWE filter.
func DefaultFilterOptions() FilterOptions {
	return FilterOptions{MinMAF: 0.01, BiallelicSNPsOnly: true}
}

func (o FilterOptions) validate() error {
	check := func(name string, v, hi float64) error {
		if math.IsNaN(v) || v < 0 || v > hi {
			return fmt.Errorf("%w: %s = %g, want a value in [0, %g]", ErrBadOption, name, v, hi)
		}
		return nil
	}
	for _, c := range []struct {
		name  string
		v, hi float64
	}{
		{"MinMAF", o.MinMAF, 0.5}, {"MaxSiteMissing", o.MaxSiteMissing, 1},
		{"MaxSampleMissing", o.MaxSampleMissing, 1}, {"HWEPValue", o.HWEPValue, 1},
	} {
		if err := check(c.name, c.v, c.hi); err != nil {
			return err
		}
	}
	return nil
}

// Filter applies the filters of opts in plink's order (biallelic SNPs,
// sample missingness, site missingness, Hardy–Weinberg, MAF) and returns the
// filtered copy of g with a log of what each step removed. It returns an
// error wrapping ErrNothingLeft when no site or no sample survives.
func Filter(g *vcf.Genotypes, opts FilterOptions) (*vcf.Genotypes, *Log, error) {
	if err := opts.validate(); err != nil {
		return nil, nil, err
	}
	log := &Log{}
	if g.NumSites() == 0 {
		return nil, log, fmt.Errorf("%w: the input has no sites", ErrNothingLeft)
	}
	if g.NumSamples() == 0 {
		return nil, log, fmt.Errorf("%w: the input has no samples", ErrNothingLeft)
	}
	var err error
	if opts.BiallelicSNPsOnly {
		if g, err = keepSites(g, log, "--snps-only", "not a biallelic SNP", func(g *vcf.Genotypes, v int) bool {
			return IsBiallelicSNP(g.Sites[v])
		}); err != nil {
			return nil, log, err
		}
	}
	if opts.MaxSampleMissing > 0 {
		if g, err = keepCalledSamples(g, log, opts.MaxSampleMissing); err != nil {
			return nil, log, err
		}
	}
	if opts.MaxSiteMissing > 0 {
		if g, err = keepSites(g, log, "--geno", fmt.Sprintf("missing genotype rate > %g", opts.MaxSiteMissing), func(g *vcf.Genotypes, v int) bool {
			return float64(CountSite(g, v).Missing) <= opts.MaxSiteMissing*float64(g.NumSamples())
		}); err != nil {
			return nil, log, err
		}
	}
	if opts.HWEPValue > 0 {
		if g, err = keepSites(g, log, "--hwe", fmt.Sprintf("Hardy-Weinberg exact test p < %g", opts.HWEPValue), func(g *vcf.Genotypes, v int) bool {
			c := CountSite(g, v)
			return HWEExact(c.Het, c.HomRef, c.HomAlt) >= opts.HWEPValue
		}); err != nil {
			return nil, log, err
		}
	}
	if opts.MinMAF > 0 {
		if g, err = keepSites(g, log, "--maf", fmt.Sprintf("minor allele frequency < %g", opts.MinMAF), func(g *vcf.Genotypes, v int) bool {
			return CountSite(g, v).MAF() >= opts.MinMAF
		}); err != nil {
			return nil, log, err
		}
	}
	return g, log, nil
}

// keepSites applies the site filter step name: it returns g with the sites v
// for which keep(g, v) holds, logging what it removed (for reason), and an
// error wrapping ErrNothingLeft when it removes them all.
func keepSites(g *vcf.Genotypes, log *Log, name, reason string, keep func(g *vcf.Genotypes, v int) bool) (*vcf.Genotypes, error) {
	var idx []int
	for v := range g.Sites {
		if keep(g, v) {
			idx = append(idx, v)
		}
	}
	removed := g.NumSites() - len(idx)
	log.add(Step{Name: name, Unit: "variants", Removed: removed, Remaining: len(idx), Reason: reason})
	if len(idx) == 0 {
		return nil, fmt.Errorf("%w: %s removed all %d variants (%s)", ErrNothingLeft, name, removed, reason)
	}
	if removed > 0 {
		g = SubsetSites(g, idx)
	}
	return g, nil
}

// keepCalledSamples is the --mind step: it returns g with the samples whose
// fraction of missing calls is at most maxMissing, logging what it removed,
// and an error wrapping ErrNothingLeft when it removes them all.
func keepCalledSamples(g *vcf.Genotypes, log *Log, maxMissing float64) (*vcf.Genotypes, error) {
	m := g.NumSites()
	var idx []int
	for s := range g.Samples {
		miss := 0
		for v := 0; v < m; v++ {
			if g.At(v, s) < 0 {
				miss++
			}
		}
		if float64(miss) <= maxMissing*float64(m) {
			idx = append(idx, s)
		}
	}
	removed := g.NumSamples() - len(idx)
	reason := fmt.Sprintf("missing genotype rate > %g", maxMissing)
	log.add(Step{Name: "--mind", Unit: "samples", Removed: removed, Remaining: len(idx), Reason: reason})
	if len(idx) == 0 {
		return nil, fmt.Errorf("%w: --mind removed all %d samples (%s)", ErrNothingLeft, removed, reason)
	}
	if removed > 0 {
		g = SubsetSamples(g, idx)
	}
	return g, nil
}

// IsBiallelicSNP reports whether a site has one-base REF and ALT alleles
// from A, C, G, T (case-insensitive) that differ: vcf.IsSNP, the definition
// the reader applies too, so that every command keeps the same sites.
func IsBiallelicSNP(s vcf.Site) bool { return vcf.IsSNP(s.Ref, s.Alt) }

// SiteCounts are the genotype and allele counts of one site.
//
// Genotype counts follow plink, which codes a haploid call as homozygous: a
// haploid REF call counts in HomRef, a haploid ALT call in HomAlt. Allele
// counts follow bcftools (AC, AN): a haploid call is one allele.
type SiteCounts struct {
	HomRef, Het, HomAlt int // calls by dosage 0, 1, 2 (haploid calls as homozygous)
	Missing             int // missing calls
	AltAlleles          int // ALT alleles over called alleles
	CalledAlleles       int // called alleles (AN)
}

// MAF returns the minor-allele frequency, 0 when no allele is called.
func (c SiteCounts) MAF() float64 {
	if c.CalledAlleles == 0 {
		return 0
	}
	minor := min(c.AltAlleles, c.CalledAlleles-c.AltAlleles)
	return float64(minor) / float64(c.CalledAlleles)
}

// CountSite counts the calls of site v. A haploid call counts one allele
// (as bcftools' AN does; see vcf.Genotypes.Ploidy), a diploid call two.
func CountSite(g *vcf.Genotypes, v int) SiteCounts {
	return countRow(g.Row(v), g.PloidyRow(v))
}

// countRow counts the calls of one site from its dosages and, when not
// nil, the ploidy of each call (alleles as vcf.AlleleCounts counts them),
// as CountSite does.
func countRow(dos, ploidy []int8) SiteCounts {
	var c SiteCounts
	for _, d := range dos {
		switch d {
		case 0:
			c.HomRef++
		case 1:
			c.Het++
		case 2:
			c.HomAlt++
		default:
			c.Missing++
		}
	}
	c.AltAlleles, c.CalledAlleles = vcf.AlleleCounts(dos, ploidy)
	return c
}

// HWEExact returns the p-value of the Hardy–Weinberg exact test for a site
// with the given genotype counts (Wigginton, Cutler & Abecasis 2005, the
// test of plink --hwe): the total probability, given the allele counts, of
// heterozygote counts no more likely than the observed one. It returns 1
// for a site without calls or without a minor allele.
func HWEExact(het, homRef, homAlt int) float64 {
	if het < 0 || homRef < 0 || homAlt < 0 {
		return math.NaN()
	}
	homc, homr := max(homRef, homAlt), min(homRef, homAlt)
	rare := 2*homr + het
	n := het + homc + homr
	if n == 0 || rare == 0 {
		return 1
	}
	probs := make([]float64, rare+1)
	mid := int(int64(rare) * int64(2*n-rare) / int64(2*n))
	if (rare&1)^(mid&1) != 0 {
		mid++
	}
	probs[mid] = 1
	sum := 1.0
	hets, hr, hc := mid, (rare-mid)/2, n-mid-(rare-mid)/2
	for hets > 1 {
		probs[hets-2] = probs[hets] * float64(hets) * float64(hets-1) / (4 * float64(hr+1) * float64(hc+1))
		sum += probs[hets-2]
		hr++
		hc++
		hets -= 2
	}
	hets, hr, hc = mid, (rare-mid)/2, n-mid-(rare-mid)/2
	for hets <= rare-2 {
		probs[hets+2] = probs[hets] * 4 * float64(hr) * float64(hc) / (float64(hets+2) * float64(hets+1))
		sum += probs[hets+2]
		hr--
		hc--
		hets += 2
	}
	obs := probs[het] / sum
	var p float64
	for _, q := range probs {
		// Relative tolerance as plink uses, so that ties count as "as
		// extreme" despite rounding.
		if q/sum <= obs*(1+1e-8) {
			p += q / sum
		}
	}
	return math.Min(1, p)
}
