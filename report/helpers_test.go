package report

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/gousynth/gousynth/metrics"
	"github.com/gousynth/gousynth/preprocess"
	"github.com/gousynth/gousynth/vcf"
)

// simCohort simulates n diploid individuals at d sites (1 kb apart) with LD
// and population structure: sites come in blocks of blockLen whose
// haplotypes are thresholded correlated Gaussians (neighbour correlation rho),
// and two populations have different allele frequencies. Population labels
// are returned per sample.
func simCohort(rng *rand.Rand, n, d, blockLen int, rho float64, baseAF []float64) (*vcf.Genotypes, []string) {
	g := &vcf.Genotypes{Sites: make([]vcf.Site, d), Samples: make([]string, n), Dosage: make([]int8, n*d)}
	for v := range g.Sites {
		g.Sites[v] = vcf.Site{Chrom: "1", Pos: 1000 * (v + 1), ID: ".", Ref: "A", Alt: "G"}
	}
	pops := make([]string, n)
	z := make([]float64, d)
	for s := 0; s < n; s++ {
		g.Samples[s] = fmt.Sprintf("S%04d", s)
		pop := s % 2
		pops[s] = []string{"AFR", "EUR"}[pop]
		for h := 0; h < 2; h++ {
			for v := 0; v < d; v++ {
				e := rng.NormFloat64()
				if v%blockLen == 0 {
					z[v] = e
				} else {
					z[v] = rho*z[v-1] + math.Sqrt(1-rho*rho)*e
				}
				af := baseAF[v]
				if pop == 1 {
					af = math.Min(0.95, math.Max(0.05, af+0.25*math.Sin(float64(v))))
				}
				// P(z > t) = af for standard normal z.
				t := -math.Sqrt2 * math.Erfinv(2*af-1)
				if z[v] > t {
					g.Dosage[v*n+s]++
				}
			}
		}
	}
	return g, pops
}

func baseFreqs(rng *rand.Rand, d int) []float64 {
	af := make([]float64, d)
	for i := range af {
		af[i] = 0.05 + 0.45*rng.Float64()
	}
	return af
}

// splitCohort splits g into the first k samples and the rest.
func splitCohort(g *vcf.Genotypes, k int) (a, b *vcf.Genotypes) {
	return preprocess.SubsetSamplesShared(g, iota(k)), preprocess.SubsetSamplesShared(g, iotaFrom(k, g.NumSamples()))
}

func iotaFrom(lo, hi int) []int {
	idx := make([]int, 0, hi-lo)
	for i := lo; i < hi; i++ {
		idx = append(idx, i)
	}
	return idx
}

// independentSNPs samples n individuals whose dosages at each site are
// independent draws with the site's allele frequency in ref (Hardy–Weinberg),
// so frequencies are right and LD is gone.
func independentSNPs(rng *rand.Rand, ref *vcf.Genotypes, n int) *vcf.Genotypes {
	af := metrics.AlleleFreqs(ref)
	d := ref.NumSites()
	g := &vcf.Genotypes{Sites: ref.Sites, Samples: make([]string, n), Dosage: make([]int8, n*d)}
	for s := range g.Samples {
		g.Samples[s] = fmt.Sprintf("SYN%d", s)
	}
	for v := 0; v < d; v++ {
		for s := 0; s < n; s++ {
			var x int8
			for h := 0; h < 2; h++ {
				if rng.Float64() < af[v] {
					x++
				}
			}
			g.Dosage[v*n+s] = x
		}
	}
	return g
}

// iota returns 0, 1, …, n−1.
func iota(n int) []int {
	idx := make([]int, n)
	for i := range idx {
		idx[i] = i
	}
	return idx
}
