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
// Dosage[v*NumSamples()+s] is the number of ALT alleles that sample s carries
// at site v: 0, 1 or 2 for a diploid call, 0 or 1 for a haploid one, or
// Missing. The Missing value is the missing-genotype mask; a call with one
// missing allele (such as "0/.") is missing as a whole.
//
// When Phased is true, Haplotypes holds two entries per genotype,
// Haplotypes[2*(v*NumSamples()+s)+h] for h = 0, 1: the allele (0 or 1) on each
// haplotype, or Missing. A haploid call fills h = 0 and sets h = 1 to Missing.
// When Phased is false, Haplotypes is nil.
type Genotypes struct {
	Sites      []Site
	Samples    []string
	Dosage     []int8
	Phased     bool
	Haplotypes []int8
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

// IsMissing reports whether the call of sample s at site v is missing.
func (g *Genotypes) IsMissing(v, s int) bool { return g.At(v, s) == Missing }

// HapRow returns the haplotype alleles of site v, two per sample
// (sample s at 2s and 2s+1), or nil when the data are not phased.
func (g *Genotypes) HapRow(v int) []int8 {
	if !g.Phased {
		return nil
	}
	n := 2 * len(g.Samples)
	return g.Haplotypes[v*n : (v+1)*n : (v+1)*n]
}
