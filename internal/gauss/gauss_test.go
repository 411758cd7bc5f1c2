package gauss

import (
	"math"
	"math/rand/v2"
	"testing"
)

func TestQuantileInvertsCDF(t *testing.T) {
	for _, p := range []float64{1e-12, 0.001, 0.2, 0.5, 0.9, 1 - 1e-9} {
		if got := CDF(Quantile(p)); math.Abs(got-p) > 1e-12*math.Max(1, p/1e-3) {
			t.Errorf("Φ(Φ⁻¹(%g)) = %g", p, got)
		}
	}
	if !math.IsInf(Quantile(0), -1) || !math.IsInf(Quantile(1), 1) {
		t.Error("Quantile(0) and Quantile(1) must be −∞ and +∞")
	}
}

// Draws stay inside their interval, also far in the tails and on half
// lines, and their mean is TruncMean (Monte Carlo).
func TestTruncDraw(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	inf := math.Inf(1)
	for _, c := range []struct{ mu, sd, lo, hi float64 }{
		{0, 1, -inf, 0.43}, {40, 1, -inf, 0.43}, {-40, 1, 2, inf}, {0, 1, 8, 9}, {0, 1, -0.5, 0.5}, {3, 0.2, -inf, inf},
	} {
		const N = 40000
		var s float64
		for i := 0; i < N; i++ {
			x := TruncDraw(c.mu, c.sd, c.lo, c.hi, rng)
			if !(x >= c.lo && x <= c.hi) {
				t.Fatalf("TruncDraw(%v) = %g outside the interval", c, x)
			}
			s += x
		}
		if c.mu == 0 && c.sd == 1 {
			if got, want := s/N, TruncMean(c.lo, c.hi); math.Abs(got-want) > 0.02 {
				t.Errorf("mean of draws on [%g, %g] = %.4f, TruncMean %.4f", c.lo, c.hi, got, want)
			}
		}
	}
}
