package report

import (
	"github.com/gousynth/gousynth/metrics"
	"github.com/gousynth/gousynth/vcf"
)

// Kinship returns the len(a) × len(b) row-major matrix of KING-robust
// kinship coefficients between every individual of a and every individual of
// b (the estimator of plink2 --make-king: 0.5 for duplicates, about 0.25 for
// first-degree, 0.125 for second-degree relatives, about 0 or below for
// unrelated individuals). Counts run over the sites both individuals have
// called, as in plink2. a and b must hold the same sites in the same order
// (ErrSiteMismatch). Pairs where one individual has no heterozygous call are
// −Inf, or NaN when neither has one and they share no opposite homozygote
// (plink2 writes the same). It is metrics.KinshipPacked of the two cohorts
// once their sites are checked.
func Kinship(a, b *vcf.Genotypes) ([]float64, error) {
	if err := SameSites(a, b, "first cohort", "second cohort"); err != nil {
		return nil, err
	}
	return metrics.KinshipPacked(metrics.PackKING(a), metrics.PackKING(b)), nil
}
