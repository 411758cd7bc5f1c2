package metrics

import (
	"math"

	"github.com/gousynth/gousynth/vcf"
)

// GenotypeCounts returns the number of called individuals with dosage 0, 1
// and 2 at a site (missing and out-of-range calls excluded).
func GenotypeCounts(row []int8) (c [3]int) {
	for _, x := range row {
		if x >= 0 && x <= 2 {
			c[x]++
		}
	}
	return c
}

// GenotypeClassFreqs returns the smoothed frequencies of dosage 0, 1 and 2
// at a site, (f_k + ε)/(1 + 3ε) with ε = KLSmoothing, missing calls
// excluded (ε/(1 + 3ε) each when nobody is called).
func GenotypeClassFreqs(row []int8) [3]float64 {
	c := GenotypeCounts(row)
	n := c[0] + c[1] + c[2]
	var p [3]float64
	for k := range p {
		f := 0.0
		if n > 0 {
			f = float64(c[k]) / float64(n)
		}
		p[k] = (f + KLSmoothing) / (1 + 3*KLSmoothing)
	}
	return p
}

// MeanGenotypeKL is the mean over sites of KL(ref ‖ x) of the smoothed
// genotype-class frequencies (GenotypeClassFreqs); ref and x hold the same
// sites.
func MeanGenotypeKL(ref, x *vcf.Genotypes) float64 {
	s := 0.0
	for v := 0; v < ref.NumSites(); v++ {
		p := GenotypeClassFreqs(ref.Row(v))
		q := GenotypeClassFreqs(x.Row(v))
		s += KL(p[:], q[:])
	}
	return s / float64(ref.NumSites())
}

// SiteStats are per-SNP genotype summaries of one cohort.
type SiteStats struct {
	// ClassFreq[v] holds the unsmoothed frequencies of dosage 0, 1 and 2 at
	// SNP v among called individuals (NaN when nobody is called).
	ClassFreq [][3]float64
	// Het is the observed heterozygosity, the frequency of dosage 1.
	Het []float64
	// HWEF is the Hardy–Weinberg deviation F = 1 − H_obs/H_exp with
	// H_exp = 2p(1 − p), p the ALT allele frequency (Wright's inbreeding
	// coefficient per SNP: 0 at equilibrium, > 0 for a heterozygote deficit,
	// < 0 for an excess); NaN for monomorphic SNPs.
	HWEF []float64
	// MAF is the minor allele frequency min(p, 1 − p).
	MAF []float64
}

// SiteStatsOf computes the SiteStats of g.
func SiteStatsOf(g *vcf.Genotypes) SiteStats {
	d := g.NumSites()
	st := SiteStats{ClassFreq: make([][3]float64, d), Het: make([]float64, d), HWEF: make([]float64, d), MAF: make([]float64, d)}
	for v := 0; v < d; v++ {
		c := GenotypeCounts(g.Row(v))
		n := float64(c[0] + c[1] + c[2])
		if n == 0 {
			nan := math.NaN()
			st.ClassFreq[v] = [3]float64{nan, nan, nan}
			st.Het[v], st.HWEF[v], st.MAF[v] = nan, nan, nan
			continue
		}
		for k := range c {
			st.ClassFreq[v][k] = float64(c[k]) / n
		}
		p := (float64(c[1]) + 2*float64(c[2])) / (2 * n)
		st.Het[v] = st.ClassFreq[v][1]
		st.MAF[v] = math.Min(p, 1-p)
		if hexp := 2 * p * (1 - p); hexp > 0 {
			st.HWEF[v] = 1 - st.Het[v]/hexp
		} else {
			st.HWEF[v] = math.NaN()
		}
	}
	return st
}

// SFSBins is the number of minor-allele-frequency bins of the folded site
// frequency spectrum, each 0.5/SFSBins wide.
const SFSBins = 25

// FoldedSFS returns the fraction of SNPs whose minor allele frequency falls
// in each of SFSBins equal bins of [0, 0.5] (the last bin includes 0.5);
// SNPs nobody is called at (NaN) are left out.
func FoldedSFS(maf []float64) []float64 {
	out := make([]float64, SFSBins)
	n := 0
	for _, f := range maf {
		if math.IsNaN(f) {
			continue
		}
		b := min(int(f/0.5*SFSBins), SFSBins-1)
		out[b]++
		n++
	}
	if n > 0 {
		for i := range out {
			out[i] /= float64(n)
		}
	}
	return out
}
