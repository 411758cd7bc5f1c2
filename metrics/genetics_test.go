package metrics

import (
	"math"
	"testing"

	"github.com/gousynth/gousynth/vcf"
)

func TestPearsonAndAlleleFreqs(t *testing.T) {
	near(t, "pearson", Pearson([]float64{1, 2, 3, math.NaN()}, []float64{2, 4, 7, 1}), 0.9933992677987828, 1e-12)
	g := &vcf.Genotypes{Sites: []vcf.Site{{}}, Samples: []string{"a", "b", "c"}, Dosage: []int8{2, 1, vcf.Missing}}
	near(t, "af", AlleleFreqs(g)[0], 0.75, 0)
}

func TestHudsonFst(t *testing.T) {
	// One site: pa 0.2, pb 0.6 in 10 and 20 individuals.
	pa, pb := 0.2, 0.6
	num := (pa-pb)*(pa-pb) - pa*(1-pa)/19 - pb*(1-pb)/39
	den := pa*(1-pb) + pb*(1-pa)
	if got := HudsonFst([]float64{pa, 0, math.NaN()}, []float64{pb, 0, 0.5}, 10, 20); math.Abs(got-num/den) > 1e-12 {
		t.Errorf("HudsonFst = %g, want %g (monomorphic and NaN sites skipped)", got, num/den)
	}
	if got := HudsonFst([]float64{0, 1}, []float64{0, 1}, 5, 5); !math.IsNaN(got) {
		t.Errorf("HudsonFst of monomorphic sites = %g, want NaN", got)
	}
}
