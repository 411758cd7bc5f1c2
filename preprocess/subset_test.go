package preprocess

import (
	"slices"
	"testing"

	"github.com/gousynth/gousynth/vcf"
)

func subsetFixture() *vcf.Genotypes {
	g := &vcf.Genotypes{Samples: []string{"A", "B", "C"}, Phased: true,
		Sites:      []vcf.Site{{Chrom: "1", Pos: 10, Ref: "A", Alt: "G"}, {Chrom: "1", Pos: 20, Ref: "C", Alt: "T"}, {Chrom: "2", Pos: 5, Ref: "G", Alt: "A"}},
		Dosage:     []int8{0, 1, 2, 1, vcf.Missing, 0, 2, 2, 1},
		Ploidy:     []int8{2, 2, 2, 2, 2, 1, 2, 2, 2},
		Haplotypes: []int8{0, 0, 0, 1, 1, 1, 1, 0, -1, -1, 0, 0, 1, 1, 1, 1, 0, 1}}
	return g
}

func TestSubsetSamplesCopiesEveryLayer(t *testing.T) {
	g := subsetFixture()
	sub := SubsetSamples(g, []int{2, 0})
	if !slices.Equal(sub.Samples, []string{"C", "A"}) || !slices.Equal(sub.Dosage, []int8{2, 0, 0, 1, 1, 2}) ||
		!slices.Equal(sub.Ploidy, []int8{2, 2, 1, 2, 2, 2}) || !slices.Equal(sub.Haplotypes, []int8{1, 1, 0, 0, 0, 0, 1, 0, 0, 1, 1, 1}) || !sub.Phased {
		t.Errorf("SubsetSamples = %+v", sub)
	}
	sub.Dosage[0], sub.Sites[0].Pos = 0, 99
	if g.Dosage[2] != 2 || g.Sites[0].Pos != 10 {
		t.Error("SubsetSamples aliases its input")
	}
	if SubsetSamplesShared(g, []int{0, 1, 2}) != g {
		t.Error("SubsetSamplesShared copied a selection of every sample in order")
	}
	if s := SubsetSamplesShared(g, []int{1, 0, 2}); s == g || s.Samples[0] != "B" {
		t.Error("SubsetSamplesShared of a permutation")
	}
}

func TestSubsetSitesAndSiteIndices(t *testing.T) {
	g := subsetFixture()
	reg := vcf.Region{Chrom: "1", Start: 15, End: 30}
	idx := SiteIndices(g.Sites, reg.Contains)
	if !slices.Equal(idx, []int{1}) {
		t.Fatalf("SiteIndices = %v", idx)
	}
	sub := SubsetSites(g, []int{2, 1})
	if sub.Sites[0].Pos != 5 || !slices.Equal(sub.Dosage, []int8{2, 2, 1, 1, vcf.Missing, 0}) ||
		!slices.Equal(sub.Ploidy, []int8{2, 2, 2, 2, 2, 1}) || !slices.Equal(sub.Haplotypes, []int8{1, 1, 1, 1, 0, 1, 1, 0, -1, -1, 0, 0}) {
		t.Errorf("SubsetSites = %+v", sub)
	}
}
