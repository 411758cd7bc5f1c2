package metrics

import (
	"fmt"
	"math"
	"testing"

	"github.com/gousynth/gousynth/ld"
	"github.com/gousynth/gousynth/vcf"
)

func TestAlignPairsUnion(t *testing.T) {
	a := []ld.Pair{{I: 0, J: 1, R2: 0.5}, {I: 0, J: 2, R2: 0.2}, {I: 1, J: 2, R2: math.NaN()}}
	b := []ld.Pair{{I: 0, J: 2, R2: 0.4}, {I: 1, J: 3, R2: 0.9}}
	sites := []vcf.Site{{Pos: 100}, {Pos: 110}, {Pos: 150}, {Pos: 400}}
	va, vb, dist := AlignPairs(a, b, sites)
	want := [][3]float64{{0.5, 0, 10}, {0.2, 0.4, 50}, {0, 0, 40}, {0, 0.9, 290}}
	if len(va) != len(want) {
		t.Fatalf("aligned %d pairs, want %d", len(va), len(want))
	}
	for i, w := range want {
		if va[i] != w[0] || vb[i] != w[1] || dist[i] != w[2] {
			t.Errorf("pair %d: (%g, %g) at %g bp, want %v", i, va[i], vb[i], dist[i], w)
		}
	}
}

// The decay bins are the judge's: log-spaced from the smallest distance to
// just above the largest, right-open (numpy.searchsorted(side="right")).
func TestDecayBinsAsTheJudge(t *testing.T) {
	dist := []float64{10, 25, 50, 100, 150, 150}
	edges := DecayEdges(dist, 4)
	near(t, "first edge", edges[0], 10, 0)
	near(t, "last edge", edges[4], 150*(1+1e-9), 1e-6)
	near(t, "second edge", edges[1], 10*math.Pow(15, 0.25), 1e-6)
	x := []float64{1, 2, 3, 4, 5, 7}
	got := BinMeans(x, dist, edges)
	for i, w := range []float64{1, 2, 3, 16.0 / 3} { // the largest distance falls in the last bin
		near(t, fmt.Sprintf("bin %d", i), got[i], w, 1e-12)
	}
	if e := BinMeans([]float64{1}, []float64{10}, []float64{1, 2, 3}); !math.IsNaN(e[0]) || e[1] != 1 {
		t.Errorf("an empty bin and a distance beyond the last edge: %v, want [NaN 1]", e)
	}
}

func TestCurveL2Hand(t *testing.T) {
	near(t, "L2", CurveL2([]float64{1, math.NaN(), 3}, []float64{0, 5, 1}), math.Sqrt(5), 1e-12)
}

func TestMeanAbsDiff(t *testing.T) {
	near(t, "mean |a − b|", MeanAbsDiff([]float64{1, 2, 4}, []float64{2, 2, 1}), 4.0/3, 1e-12)
	if v := MeanAbsDiff(nil, nil); !math.IsNaN(v) {
		t.Errorf("MeanAbsDiff of no pairs = %g, want NaN", v)
	}
}

func TestBinCentresGeometric(t *testing.T) {
	got := BinCentres([]float64{1, 4, 16})
	near(t, "centre 0", got[0], 2, 1e-12)
	near(t, "centre 1", got[1], 8, 1e-12)
}
