package metrics

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/gousynth/gousynth/vcf"
)

// TestKingPhiClosedForms checks the estimator on pairs whose kinship is
// known exactly.
func TestKingPhiClosedForms(t *testing.T) {
	for _, c := range []struct {
		name                     string
		hethet, ibs0, hetX, hetY int
		want                     float64
	}{
		{"duplicate", 100, 0, 100, 100, 0.5},
		{"no shared hets, no IBS0, equal hets", 0, 0, 100, 100, 0},
		{"only opposite homozygotes", 0, 50, 100, 100, -0.5},
		{"unequal hets", 40, 0, 80, 120, (2*40 - 40) / (4.0 * 80)},
		{"one has no heterozygous call", 0, 3, 0, 10, math.Inf(-1)},
		{"neither has a heterozygous call", 0, 0, 0, 0, math.NaN()},
	} {
		t.Run(c.name, func(t *testing.T) {
			got := kingPhi(c.hethet, c.ibs0, c.hetX, c.hetY)
			if !(got == c.want || math.IsNaN(got) && math.IsNaN(c.want)) {
				t.Errorf("kingPhi = %v, want %v", got, c.want)
			}
		})
	}
}

func TestRelatedShare(t *testing.T) {
	for _, c := range []struct {
		name string
		max  []float64
		want float64
	}{
		{"none", []float64{0.01, -0.2}, 0},
		{"half", []float64{0.2, 0.0}, 0.5},
		{"at the cutoff is not related", []float64{RelatedKinship}, 0},
		{"empty", nil, math.NaN()},
	} {
		t.Run(c.name, func(t *testing.T) {
			got := RelatedShare(c.max)
			if !(got == c.want || math.IsNaN(got) && math.IsNaN(c.want)) {
				t.Errorf("RelatedShare = %v, want %v", got, c.want)
			}
		})
	}
}

// A duplicate has kinship ½, whether or not calls are missing elsewhere,
// and MaxKinship finds it.
func TestKinshipPackedDuplicate(t *testing.T) {
	a := randomCohort(rand.New(rand.NewPCG(1, 2)), 3, 300)
	for i, x := range a.Dosage {
		if x == vcf.Missing {
			a.Dosage[i] = 1
		}
	}
	b := &vcf.Genotypes{Sites: a.Sites, Samples: make([]string, 2), Dosage: make([]int8, 2*300)}
	for v := 0; v < 300; v++ {
		b.Dosage[2*v], b.Dosage[2*v+1] = a.At(v, 2), a.At(v, 0)
	}
	for _, missing := range []bool{false, true} {
		if missing {
			b.Dosage[2*7+1] = vcf.Missing // a call missing in b's second individual
		}
		k := KinshipPacked(PackKING(a), PackKING(b))
		if k[2*2+0] != 0.5 || k[0*2+1] != 0.5 {
			t.Errorf("missing %v: duplicate kinships %v, %v, want 0.5", missing, k[2*2+0], k[0*2+1])
		}
		if m := MaxKinship(k, 3, 2); m[0] != 0.5 || m[2] != 0.5 || m[1] >= 0.5 {
			t.Errorf("missing %v: MaxKinship %v", missing, m)
		}
	}
}
