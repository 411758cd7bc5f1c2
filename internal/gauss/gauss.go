// Package gauss holds the standard normal functions that the probit latent
// spaces of package model and package chrom share: the CDF, the quantile,
// the density, and the normal truncated to an interval (its mean and a
// draw by inversion). gonum's distuv.Normal has the first three but not
// the truncated draw in the tail-safe form the Gibbs samplers need, and
// these are on the samplers' hot paths, where a method call through a
// distribution value costs measurably more.
package gauss

import (
	"math"
	"math/rand/v2"
)

// CDF returns Φ(x).
func CDF(x float64) float64 { return 0.5 * math.Erfc(-x/math.Sqrt2) }

// PDF returns the standard normal density at x (0 at ±∞).
func PDF(x float64) float64 {
	if math.IsInf(x, 0) {
		return 0
	}
	return math.Exp(-0.5*x*x) / math.Sqrt(2*math.Pi)
}

// Quantile returns Φ⁻¹(p): −∞ for p ≤ 0, +∞ for p ≥ 1.
func Quantile(p float64) float64 {
	switch {
	case p <= 0:
		return math.Inf(-1)
	case p >= 1:
		return math.Inf(1)
	}
	return -math.Sqrt2 * math.Erfcinv(2*p)
}

// TruncMean returns the mean of the standard normal truncated to [lo, hi]
// (an endpoint when the interval carries no probability).
func TruncMean(lo, hi float64) float64 {
	// The interval's probability, from the tail that keeps precision.
	mass := CDF(hi) - CDF(lo)
	if lo > 0 {
		mass = CDF(-lo) - CDF(-hi)
	}
	if mass > 1e-300 {
		return min(hi, max(lo, (PDF(lo)-PDF(hi))/mass))
	}
	if !math.IsInf(lo, -1) {
		return lo
	}
	if !math.IsInf(hi, 1) {
		return hi
	}
	return 0
}

// TruncDraw draws from N(mu, sd²) truncated to [lo, hi] by inversion,
// working in the tail that keeps precision. The result always lies in
// [lo, hi] (mu itself when the interval is the whole line and the draw
// failed); lo ≤ hi is required.
func TruncDraw(mu, sd, lo, hi float64, rng *rand.Rand) float64 {
	a, b := (lo-mu)/sd, (hi-mu)/sd
	u := rng.Float64()
	var z float64
	if a > 0 { // upper tail: survival functions
		sa, sb := CDF(-a), CDF(-b)
		if sa-sb < 1e-300 {
			return lo
		}
		z = -Quantile(sb + u*(sa-sb))
	} else {
		pa, pb := CDF(a), CDF(b)
		if pb-pa < 1e-300 {
			if math.IsInf(hi, 1) {
				return lo
			}
			return hi
		}
		z = Quantile(pa + u*(pb-pa))
	}
	x := min(hi, max(lo, mu+sd*z))
	if math.IsInf(x, 0) || math.IsNaN(x) {
		// The inversion ran off the end of float64 (u at 0 or 1): the
		// nearest finite end of the interval, else mu, clamped into it.
		switch {
		case !math.IsInf(lo, 0) && !math.IsInf(hi, 0):
			return (lo + hi) / 2
		case !math.IsInf(hi, 0):
			return hi
		case !math.IsInf(lo, 0):
			return lo
		}
		return mu
	}
	return x
}
