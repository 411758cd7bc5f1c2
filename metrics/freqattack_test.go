package metrics

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/gousynth/gousynth/vcf"
)

// binomialCohort draws n individuals at d sites of Binomial(2, p[v]).
func binomialCohort(rng *rand.Rand, p []float64, n int) *vcf.Genotypes {
	g := &vcf.Genotypes{Sites: make([]vcf.Site, len(p)), Samples: make([]string, n), Dosage: make([]int8, len(p)*n)}
	for v, q := range p {
		for i := 0; i < n; i++ {
			var x int8
			for a := 0; a < 2; a++ {
				if rng.Float64() < q {
					x++
				}
			}
			g.Dosage[v*n+i] = x
		}
	}
	return g
}

// TestFrequencyLRAttack checks the attack by Monte Carlo against what
// Sankararaman et al. (2009) predict: with √d/n = 0.63 (4000 sites, 100
// members) the members' scores lie several standard deviations above the
// non-members' when their own frequencies are released (AUC near 1),
// while the frequencies of an independent cohort of the same population
// identify nobody (AUC 0.5 within its standard error).
func TestFrequencyLRAttack(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	const d, n = 4000, 100
	p := make([]float64, d)
	for v := range p {
		p[v] = 0.05 + 0.9*rng.Float64()
	}
	members, others := binomialCohort(rng, p, n), binomialCohort(rng, p, n)
	independent, reference := binomialCohort(rng, p, n), binomialCohort(rng, p, 2000)
	pRef := SmoothedAlleleFreqs(reference, nil)
	for _, tc := range []struct {
		name     string
		released *vcf.Genotypes
		lo, hi   float64
	}{
		{"members' own frequencies", members, 0.95, 1},
		{"an independent cohort's", independent, 0.42, 0.58}, // AUC SE ≈ 0.04 at 100 vs 100
	} {
		pRel := SmoothedAlleleFreqs(tc.released, nil)
		auc := AUC(FrequencyLRScores(members, nil, pRel, pRef), FrequencyLRScores(others, nil, pRel, pRef))
		t.Logf("%s: AUC %.3f", tc.name, auc)
		if auc < tc.lo || auc > tc.hi {
			t.Errorf("%s: AUC %.3f outside [%g, %g]", tc.name, auc, tc.lo, tc.hi)
		}
	}
}

// TestFrequencyLRScoresBruteForce checks the scores and the smoothed
// frequencies of a subset with missing calls against a direct evaluation
// of the log-likelihood ratio of each genotype.
func TestFrequencyLRScoresBruteForce(t *testing.T) {
	g := &vcf.Genotypes{Sites: make([]vcf.Site, 2), Samples: make([]string, 3),
		Dosage: []int8{0, 1, vcf.Missing, 2, 2, 1}}
	idx := []int{2, 0}
	f := SmoothedAlleleFreqs(g, idx)
	if want := []float64{0.5 / 3, 3.5 / 5}; math.Abs(f[0]-want[0]) > 1e-15 || math.Abs(f[1]-want[1]) > 1e-15 {
		t.Fatalf("smoothed frequencies %v, want %v", f, want)
	}
	rel, ref := []float64{0.2, 0.7}, []float64{0.4, 0.5}
	lik := func(x int8, q float64) float64 { return math.Pow(q, float64(x)) * math.Pow(1-q, float64(2-x)) }
	got := FrequencyLRScores(g, idx, rel, ref)
	for a, i := range idx {
		var want float64
		for v := 0; v < 2; v++ {
			if x := g.Dosage[v*3+i]; x != vcf.Missing {
				want += math.Log(lik(x, rel[v]) / lik(x, ref[v]))
			}
		}
		if math.Abs(got[a]-want) > 1e-12 {
			t.Errorf("individual %d: score %g, direct %g", i, got[a], want)
		}
	}
}
