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
