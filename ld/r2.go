package ld

import (
	"fmt"
	"math"

	"github.com/gousynth/gousynth/vcf"
)

// R2 returns the dosage r² of two sites: the squared Pearson correlation of
// their dosages over the individuals called at both (x[s] and y[s] not
// vcf.Missing). This is what plink 1.9 --r2 reports on unphased data. It
// returns NaN when either site has no variance over those individuals (for
// example a monomorphic site), where r² is undefined.
//
// x and y must have the same length; R2 panics otherwise (a programming error,
// not a property of the input data).
func R2(x, y []int8) float64 {
	if len(x) != len(y) {
		panic(fmt.Sprintf("ld.R2: length mismatch %d != %d", len(x), len(y)))
	}
	var n, sx, sxx, sy, syy, sxy int64
	for s, a := range x {
		b := y[s]
		if a < 0 || b < 0 {
			continue
		}
		ai, bi := int64(a), int64(b)
		n++
		sx += ai
		sxx += ai * ai
		sy += bi
		syy += bi * bi
		sxy += ai * bi
	}
	return r2FromSums(n, sx, sxx, sy, syy, sxy)
}

// R2Float returns the squared Pearson correlation of two float columns (for
// example continuous or imputed dosages of synthetic individuals), or NaN
// when either column is constant. It has no notion of missing values: impute
// first. It uses the same definition as R2, so real and synthetic data are
// measured alike.
func R2Float(x, y []float64) float64 {
	if len(x) != len(y) {
		panic(fmt.Sprintf("ld.R2Float: length mismatch %d != %d", len(x), len(y)))
	}
	n := float64(len(x))
	if n == 0 {
		return math.NaN()
	}
	var mx, my float64
	for i := range x {
		mx += x[i]
		my += y[i]
	}
	mx /= n
	my /= n
	var cxy, cxx, cyy float64
	for i := range x {
		dx, dy := x[i]-mx, y[i]-my
		cxy += dx * dy
		cxx += dx * dx
		cyy += dy * dy
	}
	if cxx <= 0 || cyy <= 0 {
		return math.NaN()
	}
	r := cxy * cxy / (cxx * cyy)
	if r > 1 {
		r = 1
	}
	return r
}

// HapStats returns the haplotype r², D and D′ of two phased sites given as
// haplotype rows (two alleles per individual, 0 or 1, or vcf.Missing; see
// vcf.Genotypes.HapRow), counted over the haplotypes called at both sites.
//
// With p_A, p_B the ALT allele frequencies and p_AB the frequency of
// haplotypes carrying both ALT alleles, D = p_AB − p_A·p_B,
// r² = D² / (p_A(1−p_A)p_B(1−p_B)) and D′ = D / D_max, where D_max is
// min(p_A(1−p_B), (1−p_A)p_B) when D > 0 and min(p_A·p_B, (1−p_A)(1−p_B))
// otherwise. D′ keeps its sign (it lies in [−1, 1]); use math.Abs for |D′|.
// All three are NaN when either site is monomorphic on those haplotypes.
func HapStats(x, y []int8) (r2, D, Dprime float64) {
	if len(x) != len(y) {
		panic(fmt.Sprintf("ld.HapStats: length mismatch %d != %d", len(x), len(y)))
	}
	var n, na, nb, nab int
	for h, a := range x {
		b := y[h]
		if a < 0 || b < 0 {
			continue
		}
		n++
		if a > 0 {
			na++
			if b > 0 {
				nab++
			}
		}
		if b > 0 {
			nb++
		}
	}
	return hapStatsFromCounts(n, na, nb, nab)
}

func hapStatsFromCounts(n, na, nb, nab int) (r2, D, Dprime float64) {
	if n == 0 || na == 0 || na == n || nb == 0 || nb == n {
		return math.NaN(), math.NaN(), math.NaN()
	}
	fn := float64(n)
	pa, pb, pab := float64(na)/fn, float64(nb)/fn, float64(nab)/fn
	// D from integer counts to avoid cancellation: D = (n·nab − na·nb)/n².
	D = float64(int64(n)*int64(nab)-int64(na)*int64(nb)) / (fn * fn)
	_ = pab
	r2 = D * D / (pa * (1 - pa) * pb * (1 - pb))
	if r2 > 1 {
		r2 = 1
	}
	var dmax float64
	if D > 0 {
		dmax = math.Min(pa*(1-pb), (1-pa)*pb)
	} else {
		dmax = math.Min(pa*pb, (1-pa)*(1-pb))
	}
	if D == 0 {
		Dprime = 0
	} else {
		Dprime = D / dmax
	}
	if Dprime > 1 {
		Dprime = 1
	} else if Dprime < -1 {
		Dprime = -1
	}
	return r2, D, Dprime
}

// SiteHapStats returns the haplotype r², D and D′ of sites i and j of a phased
// g (see HapStats), or an error when g is not phased.
func SiteHapStats(g *vcf.Genotypes, i, j int) (r2, D, Dprime float64, err error) {
	if !g.Phased || g.Haplotypes == nil {
		return 0, 0, 0, ErrNotPhased
	}
	r2, D, Dprime = HapStats(g.HapRow(i), g.HapRow(j))
	return r2, D, Dprime, nil
}
