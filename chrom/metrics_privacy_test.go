package chrom

import (
	"testing"

	"github.com/gousynth/gousynth/vcf"
)

// A missing call in the chromosome privacy metrics takes the training
// cohort's rounded mean dosage, as in every other DCR of gousynth
// (metrics.Pack with metrics.ImputeFill of the training cohort): a held-out
// copy of a training person with one call missing where that person holds
// the training mean is still that person's identical record, and a
// synthetic copy of one is still an identical match.
func TestMetricPrivacyMissingCallsTakeTrainingMean(t *testing.T) {
	// Three training people over four sites; site 1 has training mean 4/3,
	// so its fill is 1, which is person 0's genotype there.
	train := &vcf.Genotypes{
		Sites:   make([]vcf.Site, 4),
		Samples: []string{"a", "b", "c"},
		// site-major: site v holds individuals 0..2
		Dosage: []int8{
			0, 2, 2,
			1, 2, 1,
			2, 0, 1,
			0, 0, 2,
		},
	}
	// The held-out person is training person 0 with site 1 missing.
	test := &vcf.Genotypes{Sites: make([]vcf.Site, 4), Samples: []string{"t0", "t1"},
		Dosage: []int8{0, 2, vcf.Missing, 0, 2, 0, 0, 2}}
	// The synthetic cohort is a bare dosage matrix, as Evaluator.Finish
	// passes it.
	synth := &vcf.Genotypes{Samples: []string{"s0", "s1"}, Dosage: []int8{0, 0, vcf.Missing, 2, 2, 0, 0, 0}}
	all := []int{0, 1, 2, 3}
	p := privacyOf(synth, all, test, train, all)
	if p.TestDCRP5 != 0 {
		t.Errorf("held-out copy of a training person with a call missing: DCR p5 %g, want 0 (the missing call takes the training mean)", p.TestDCRP5)
	}
	if p.IdenticalRate != 0.5 {
		t.Errorf("identical-match rate %g, want 0.5 (synthetic person 0 is training person 0 with a call missing)", p.IdenticalRate)
	}
}
