package vcf

// Missing is the dosage (and haplotype allele) value of a missing call.
const Missing int8 = -1

// Site is one biallelic variant: the fixed VCF columns gousynth keeps.
type Site struct {
	Chrom string // CHROM as written in the file
	Pos   int    // 1-based position (POS)
	ID    string // ID column, "." when absent
	Ref   string // reference allele
	Alt   string // the single alternate allele
}

// Genotypes is a variant-major genotype matrix with its sites and samples.
//
// Dosage[v*NumSamples()+s] is the ALT dosage of sample s at site v: 0, 1 or
// 2 ALT alleles for a diploid call, or Missing. A haploid call (GT "0" or
// "1", such as a male's chrX outside the PARs) is coded as homozygous, 0 or
// 2, as plink codes haploid calls: so every dosage-based statistic (LD r²,
// PCA, the model's training data) treats a haploid ALT as an ALT homozygote,
// never as a heterozygote, and agrees with plink 1.9 (--r2). The Missing
// value is the missing-genotype mask; a call with one missing allele (such
// as "0/.") is missing as a whole.
//
// Ploidy[v*NumSamples()+s] is the ploidy of the call, 1 or 2; Ploidy is nil
// when every call is diploid. Allele counts and frequencies (AlleleCounts)
// use it to count a haploid call as one allele, as bcftools (INFO/AN, AC, AF
// and +fill-tags) does: the calls 1 1 0 0 of four haploid samples give
// AF = 0.5, and "1" beside "0/0" gives AF = 1/3.
//
// When Phased is true, Haplotypes holds two entries per genotype,
// Haplotypes[2*(v*NumSamples()+s)+h] for h = 0, 1: the allele (0 or 1) on each
// haplotype, or Missing. A haploid call fills h = 0 and sets h = 1 to Missing.
// When Phased is false, Haplotypes is nil.
//
// PhaseBits is a compact alternative to Haplotypes for phased diploid data
// (one bit per genotype instead of two bytes), which readers that keep
// whole chromosomes fill instead: bit s%8 of PhaseBits[v*PhaseStride()+s/8]
// is the allele on the first haplotype of sample s at site v; the second
// is the dosage minus it. Only heterozygotes need the bit (HapRowTo). nil
// when the data are not phased or kept in Haplotypes.
type Genotypes struct {
	Sites      []Site
	Samples    []string
	Dosage     []int8
	Phased     bool
	Haplotypes []int8
	PhaseBits  []byte
	Ploidy     []int8
}

// PhaseStride is the number of bytes of a site's row of PhaseBits.
func (g *Genotypes) PhaseStride() int { return (len(g.Samples) + 7) / 8 }

// HasPhase reports whether g holds the phase of its genotypes (Haplotypes
// of phased data or PhaseBits).
func (g *Genotypes) HasPhase() bool {
	return (g.Phased && g.Haplotypes != nil) || g.PhaseBits != nil
}

// HapRowTo writes the haplotype alleles of site v, two per sample (sample s
// at 2s and 2s+1), to dst (len 2·NumSamples()) from Haplotypes or PhaseBits,
// and returns dst; a missing call gives Missing twice. It returns nil when g
// holds no phase (HasPhase).
func (g *Genotypes) HapRowTo(v int, dst []int8) []int8 {
	switch {
	case g.Phased && g.Haplotypes != nil:
		copy(dst, g.HapRow(v))
		return dst
	case g.PhaseBits != nil:
		st := g.PhaseStride()
		bits := g.PhaseBits[v*st : (v+1)*st]
		for s, d := range g.Row(v) {
			h0 := d / 2
			switch {
			case d < 0:
				dst[2*s], dst[2*s+1] = Missing, Missing
				continue
			case d == 1:
				h0 = int8(bits[s/8]>>(s%8)) & 1
			}
			dst[2*s], dst[2*s+1] = h0, d-h0
		}
		return dst
	}
	return nil
}

// SiteRange returns a view of g's sites [lo, hi): its slices alias g's, so
// it costs no copy of the genotypes (preprocess.SubsetSites copies).
func (g *Genotypes) SiteRange(lo, hi int) *Genotypes {
	n := len(g.Samples)
	r := &Genotypes{Sites: g.Sites[lo:hi:hi], Samples: g.Samples, Dosage: g.Dosage[lo*n : hi*n : hi*n], Phased: g.Phased}
	if g.Ploidy != nil {
		r.Ploidy = g.Ploidy[lo*n : hi*n : hi*n]
	}
	if g.Haplotypes != nil {
		r.Haplotypes = g.Haplotypes[2*lo*n : 2*hi*n : 2*hi*n]
	}
	if g.PhaseBits != nil {
		st := g.PhaseStride()
		r.PhaseBits = g.PhaseBits[lo*st : hi*st : hi*st]
	}
	return r
}

// PloidyRow returns the ploidy of the calls of site v, one per sample, or
// nil when every call of g is diploid. The slice aliases g.Ploidy.
func (g *Genotypes) PloidyRow(v int) []int8 {
	if g.Ploidy == nil {
		return nil
	}
	n := len(g.Samples)
	return g.Ploidy[v*n : (v+1)*n : (v+1)*n]
}

// AlleleCounts returns the ALT allele count and the number of called
// alleles (bcftools' AC and AN) of a row of dosages with its ploidies (nil:
// all diploid): a diploid call counts two alleles, a haploid one one allele.
func AlleleCounts(dosage, ploidy []int8) (ac, an int) {
	for s, d := range dosage {
		if d < 0 {
			continue
		}
		if ploidy != nil && ploidy[s] == 1 {
			an++
			ac += int(d) / 2
			continue
		}
		an += 2
		ac += int(d)
	}
	return ac, an
}

// NumSites returns the number of variants.
func (g *Genotypes) NumSites() int { return len(g.Sites) }

// NumSamples returns the number of samples (individuals).
func (g *Genotypes) NumSamples() int { return len(g.Samples) }

// Row returns the dosages of site v, one per sample. The slice aliases g.Dosage.
func (g *Genotypes) Row(v int) []int8 {
	n := len(g.Samples)
	return g.Dosage[v*n : (v+1)*n : (v+1)*n]
}

// At returns the dosage of sample s at site v.
func (g *Genotypes) At(v, s int) int8 { return g.Dosage[v*len(g.Samples)+s] }

// HapRow returns the haplotype alleles of site v, two per sample
// (sample s at 2s and 2s+1), or nil when the data are not phased.
func (g *Genotypes) HapRow(v int) []int8 {
	if !g.Phased {
		return nil
	}
	n := 2 * len(g.Samples)
	return g.Haplotypes[v*n : (v+1)*n : (v+1)*n]
}
