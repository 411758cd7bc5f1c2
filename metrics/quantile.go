package metrics

import (
	"math"
	"slices"
)

// QuantileMethod is the rule by which Quantile picks a value between order
// statistics.
type QuantileMethod int

const (
	// Interpolated interpolates linearly between the order statistics at
	// positions ⌊q(n−1)⌋ and ⌈q(n−1)⌉ (numpy's default, R type 7): the
	// report's DCR quantiles.
	Interpolated QuantileMethod = iota
	// RoundedRank takes the order statistic at position q(n−1) rounded
	// half up, a value of the sample itself: the chromosome-scale DCR
	// quantiles (chrom.Privacy).
	RoundedRank
)

// Quantile returns the q-quantile (0 ≤ q ≤ 1) of x by method m, NaN for an
// empty x. x is not modified.
func Quantile(x []float64, q float64, m QuantileMethod) float64 {
	return QuantileSorted(slices.Sorted(slices.Values(x)), q, m)
}

// QuantileSorted is Quantile of an already sorted sample.
func QuantileSorted(sorted []float64, q float64, m QuantileMethod) float64 {
	n := len(sorted)
	if n == 0 {
		return math.NaN()
	}
	pos := q * float64(n-1)
	if m == RoundedRank {
		return sorted[int(pos+0.5)]
	}
	lo := int(math.Floor(pos))
	hi := min(lo+1, n-1)
	return sorted[lo] + (pos-float64(lo))*(sorted[hi]-sorted[lo])
}

// FracZero returns the fraction of x that is exactly 0 (NaN for an empty
// x): the identical-match rate of a set of distances to the closest
// record.
func FracZero(x []float64) float64 {
	c := 0
	for _, v := range x {
		if v == 0 {
			c++
		}
	}
	return float64(c) / float64(len(x))
}
