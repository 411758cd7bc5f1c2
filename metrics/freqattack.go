package metrics

import (
	"math"

	"github.com/gousynth/gousynth/vcf"
)

// SmoothedAlleleFreqs returns, for each site of g, the ALT allele
// frequency of the individuals idx (all when nil) with half an allele of
// each kind added, (ALT count + ½)/(2·called + 1), so that it is never 0
// or 1 and its logarithms stay finite.
func SmoothedAlleleFreqs(g *vcf.Genotypes, idx []int) []float64 {
	out := make([]float64, g.NumSites())
	for v := range out {
		sum, called := alleleCount(g.Row(v), idx)
		out[v] = (float64(sum) + 0.5) / float64(2*called+1)
	}
	return out
}

// FrequencyLRScores returns the membership scores of the allele-frequency
// likelihood-ratio attack of Homer et al. (2008) in the form of
// Sankararaman et al. (2009): for each individual idx of g (all when nil),
// the log-likelihood ratio of its genotypes under the released cohort's
// allele frequencies against a reference sample's,
//
//	Σ_v x_v·ln(p̂_v/p_v) + (2 − x_v)·ln((1 − p̂_v)/(1 − p_v)),
//
// over its called sites, where p̂ are the released frequencies and p the
// reference's (both strictly between 0 and 1, as SmoothedAlleleFreqs
// gives). A member of the cohort the frequencies come from pulls them
// towards its own genotypes at every site, so its score is higher; the
// pull is 1/n per site for n members, and the sum over d sites separates
// members from non-members once √d/n is no longer small, whatever the
// distances between individuals say.
func FrequencyLRScores(g *vcf.Genotypes, idx []int, released, reference []float64) []float64 {
	n := g.NumSamples()
	if idx == nil {
		idx = indices(n)
	}
	out := make([]float64, len(idx))
	for v := range released {
		alt := math.Log(released[v] / reference[v])
		ref := math.Log((1 - released[v]) / (1 - reference[v]))
		row := g.Dosage[v*n : (v+1)*n]
		for a, i := range idx {
			if x := row[i]; x != vcf.Missing {
				out[a] += float64(x)*alt + float64(2-x)*ref
			}
		}
	}
	return out
}
