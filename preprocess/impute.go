package preprocess

import (
	"math"

	"gonum.org/v1/gonum/mat"

	"github.com/gousynth/gousynth/vcf"
)

// SiteMeans returns every site's mean dosage over its called genotypes (0 for
// a site without calls).
func SiteMeans(g *vcf.Genotypes) []float64 {
	means := make([]float64, g.NumSites())
	for v := range means {
		var sum, n int
		for _, d := range g.Row(v) {
			if d >= 0 {
				sum += int(d)
				n++
			}
		}
		if n > 0 {
			means[v] = float64(sum) / float64(n)
		}
	}
	return means
}

// Matrix returns the individuals × sites float64 dosage matrix of g, with
// each missing call replaced by its site's mean dosage (SiteMeans).
//
// Mean imputation is the usual choice for PCA, LD and model fitting on
// genotype matrices (plink --pca, EIGENSOFT, scikit-allel): it leaves every
// site's mean unchanged and adds no spurious correlation; it shrinks the
// variance slightly in proportion to the missing rate, which is negligible at
// the call rates that pass filtering.
func Matrix(g *vcf.Genotypes) *mat.Dense {
	n, m := g.NumSamples(), g.NumSites()
	if n == 0 || m == 0 {
		return &mat.Dense{}
	}
	means := SiteMeans(g)
	data := make([]float64, n*m)
	// Transpose in tiles of 64 sites × 64 samples so that both the int8 rows
	// and the float64 rows stay in cache.
	const tile = 64
	for v0 := 0; v0 < m; v0 += tile {
		v1 := min(v0+tile, m)
		for s0 := 0; s0 < n; s0 += tile {
			s1 := min(s0+tile, n)
			for v := v0; v < v1; v++ {
				row := g.Dosage[v*n : (v+1)*n]
				mean := means[v]
				for s := s0; s < s1; s++ {
					x := mean
					if d := row[s]; d >= 0 {
						x = float64(d)
					}
					data[s*m+v] = x
				}
			}
		}
	}
	return mat.NewDense(n, m, data)
}

// ImputeMean returns a copy of g whose missing calls are replaced by the
// site's mean dosage rounded to the nearest integer (halves away from zero),
// the int8 counterpart of Matrix for code that needs genotype classes, and
// the number of calls it imputed. Rounding the mean keeps the site's mean
// closest among integer fills; for phased data an imputed genotype gets
// haplotypes (0,0), (0,1) or (1,1), whose phase is arbitrary.
func ImputeMean(g *vcf.Genotypes) (*vcf.Genotypes, int) {
	out := &vcf.Genotypes{
		Sites:   append([]vcf.Site(nil), g.Sites...),
		Samples: append([]string(nil), g.Samples...),
		Dosage:  append([]int8(nil), g.Dosage...),
		Phased:  g.Phased,
	}
	if g.Haplotypes != nil {
		out.Haplotypes = append([]int8(nil), g.Haplotypes...)
	}
	if g.Ploidy != nil {
		out.Ploidy = append([]int8(nil), g.Ploidy...)
	}
	return out, ImputeMeanInPlace(out)
}

// ImputeMeanInPlace is ImputeMean without the copy: it replaces the
// missing calls of g itself (dosages and, when present, haplotypes; a
// haploid call stays haploid and homozygous) and returns the number it
// imputed. For matrices too large to hold twice.
func ImputeMeanInPlace(g *vcf.Genotypes) int {
	n := g.NumSamples()
	means := SiteMeans(g)
	imputed := 0
	for v := range g.Sites {
		fill := int8(math.Round(means[v]))
		row := g.Row(v)
		for s, d := range row {
			if d >= 0 {
				continue
			}
			row[s] = fill
			imputed++
			if g.Ploidy != nil && g.Ploidy[v*n+s] == 1 {
				// A haploid call stays homozygous: 0 or 2 (allele 0 or 1).
				row[s] = 2 * int8(math.Round(means[v]/2))
				if g.Haplotypes != nil {
					i := 2 * (v*n + s)
					g.Haplotypes[i], g.Haplotypes[i+1] = row[s]/2, vcf.Missing
				}
				continue
			}
			if g.Haplotypes != nil {
				i := 2 * (v*n + s)
				g.Haplotypes[i], g.Haplotypes[i+1] = 0, 0
				if fill >= 1 {
					g.Haplotypes[i+1] = 1
				}
				if fill == 2 {
					g.Haplotypes[i] = 1
				}
			}
		}
	}
	return imputed
}
