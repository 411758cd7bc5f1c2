package ld

import (
	"fmt"
	"math/rand/v2"

	"github.com/gousynth/gousynth/vcf"
)

// simulate returns phased genotypes with LD: each haplotype is a mosaic of
// a few founder haplotypes (switching founder with probability 0.05 per
// site), so r² decays with distance. missRate sets calls to missing.
func simulate(nInd, nSites int, missRate float64, seed uint64) *vcf.Genotypes {
	rng := rand.New(rand.NewPCG(seed, 7))
	const founders = 8
	freq := make([]float64, nSites)
	for v := range freq {
		freq[v] = 0.02 + 0.96*rng.Float64()
	}
	f := make([][]int8, founders)
	for k := range f {
		f[k] = make([]int8, nSites)
		for v := range f[k] {
			if rng.Float64() < freq[v] {
				f[k][v] = 1
			}
		}
	}
	g := &vcf.Genotypes{Phased: true}
	pos := 1000
	for v := 0; v < nSites; v++ {
		pos += 1 + rng.IntN(400)
		chrom := "1"
		if v >= nSites*3/4 {
			chrom = "2"
		}
		g.Sites = append(g.Sites, vcf.Site{Chrom: chrom, Pos: pos, ID: fmt.Sprintf("rs%d", v), Ref: "A", Alt: "G"})
	}
	for s := 0; s < nInd; s++ {
		g.Samples = append(g.Samples, fmt.Sprintf("S%d", s))
	}
	g.Dosage = make([]int8, nInd*nSites)
	g.Haplotypes = make([]int8, 2*nInd*nSites)
	for s := 0; s < nInd; s++ {
		for h := 0; h < 2; h++ {
			k := rng.IntN(founders)
			for v := 0; v < nSites; v++ {
				if rng.Float64() < 0.05 {
					k = rng.IntN(founders)
				}
				a := f[k][v]
				if rng.Float64() < 0.02 { // mutation noise
					a = 1 - a
				}
				g.Haplotypes[2*(v*nInd+s)+h] = a
			}
		}
	}
	for v := 0; v < nSites; v++ {
		for s := 0; s < nInd; s++ {
			i := v*nInd + s
			if missRate > 0 && rng.Float64() < missRate {
				g.Dosage[i] = vcf.Missing
				g.Haplotypes[2*i], g.Haplotypes[2*i+1] = vcf.Missing, vcf.Missing
				continue
			}
			g.Dosage[i] = g.Haplotypes[2*i] + g.Haplotypes[2*i+1]
		}
	}
	return g
}
