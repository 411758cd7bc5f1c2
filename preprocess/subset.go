package preprocess

import (
	"github.com/gousynth/gousynth/vcf"
)

// SubsetSamples returns a new Genotypes with the samples idx of g, in the
// order given (sites unchanged). Indices must be in range; the result does
// not alias g.
func SubsetSamples(g *vcf.Genotypes, idx []int) *vcf.Genotypes {
	n, k, m := g.NumSamples(), len(idx), g.NumSites()
	out := &vcf.Genotypes{
		Sites:   append([]vcf.Site(nil), g.Sites...),
		Samples: make([]string, k),
		Dosage:  make([]int8, m*k),
		Phased:  g.Phased,
	}
	for i, s := range idx {
		out.Samples[i] = g.Samples[s]
	}
	for v := 0; v < m; v++ {
		src := g.Dosage[v*n : (v+1)*n]
		dst := out.Dosage[v*k : (v+1)*k]
		for i, s := range idx {
			dst[i] = src[s]
		}
	}
	if g.Ploidy != nil {
		out.Ploidy = make([]int8, m*k)
		for v := 0; v < m; v++ {
			src, dst := g.Ploidy[v*n:(v+1)*n], out.Ploidy[v*k:(v+1)*k]
			for i, s := range idx {
				dst[i] = src[s]
			}
		}
	}
	if g.Haplotypes != nil {
		out.Haplotypes = make([]int8, 2*m*k)
		for v := 0; v < m; v++ {
			src := g.Haplotypes[2*v*n : 2*(v+1)*n]
			dst := out.Haplotypes[2*v*k : 2*(v+1)*k]
			for i, s := range idx {
				dst[2*i], dst[2*i+1] = src[2*s], src[2*s+1]
			}
		}
	}
	return out
}

// SubsetSamplesShared is SubsetSamples for read-only use: when idx selects
// every sample of g in order it returns g itself instead of a copy (the
// report's cohorts, which it never modifies).
func SubsetSamplesShared(g *vcf.Genotypes, idx []int) *vcf.Genotypes {
	if len(idx) == g.NumSamples() {
		all := true
		for i, j := range idx {
			if i != j {
				all = false
				break
			}
		}
		if all {
			return g
		}
	}
	return SubsetSamples(g, idx)
}

// SubsetSites returns a new Genotypes with the sites idx of g, in the order
// given (samples unchanged). The result does not alias g.
func SubsetSites(g *vcf.Genotypes, idx []int) *vcf.Genotypes {
	n := g.NumSamples()
	out := &vcf.Genotypes{
		Sites:   make([]vcf.Site, len(idx)),
		Samples: append([]string(nil), g.Samples...),
		Dosage:  make([]int8, 0, len(idx)*n),
		Phased:  g.Phased,
	}
	for i, v := range idx {
		out.Sites[i] = g.Sites[v]
		out.Dosage = append(out.Dosage, g.Row(v)...)
		if g.Ploidy != nil {
			out.Ploidy = append(out.Ploidy, g.PloidyRow(v)...)
		}
	}
	if g.Haplotypes != nil {
		out.Haplotypes = make([]int8, 0, 2*len(idx)*n)
		for _, v := range idx {
			out.Haplotypes = append(out.Haplotypes, g.Haplotypes[2*v*n:2*(v+1)*n]...)
		}
	}
	return out
}

// SiteIndices returns the indices of the sites for which in is true, in
// order: with SubsetSites, the sites of a region (vcf.Region.Contains, as
// generate --region selects a model's sites) or of any other selection.
func SiteIndices(sites []vcf.Site, in func(vcf.Site) bool) []int {
	var idx []int
	for v, s := range sites {
		if in(s) {
			idx = append(idx, v)
		}
	}
	return idx
}
