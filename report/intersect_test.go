package report

import (
	"errors"
	"slices"
	"testing"

	"github.com/gousynth/gousynth/vcf"
)

func TestIntersectSites(t *testing.T) {
	site := func(pos int, alt string) vcf.Site { return vcf.Site{Chrom: "1", Pos: pos, Ref: "A", Alt: alt} }
	cohort := func(sites ...vcf.Site) *vcf.Genotypes {
		g := &vcf.Genotypes{Sites: sites, Samples: []string{"a", "b"}}
		for v := range sites {
			g.Dosage = append(g.Dosage, int8(v%3), int8((v+1)%3))
		}
		return g
	}
	a := cohort(site(10, "C"), site(20, "G"), site(30, "T"), site(40, "C"))
	// b: lacks 20, has 30 with another ALT (a different site), has 50.
	b := cohort(site(10, "C"), site(30, "G"), site(40, "C"), site(50, "C"))
	out, x, err := IntersectSites([]*vcf.Genotypes{a, nil, b}, []string{"A", "none", "B"})
	if err != nil {
		t.Fatal(err)
	}
	if out[1] != nil {
		t.Error("a nil cohort came back non-nil")
	}
	if x.Common != 2 || out[0].NumSites() != 2 || out[2].NumSites() != 2 {
		t.Fatalf("common %d, sites %d and %d, want 2", x.Common, out[0].NumSites(), out[2].NumSites())
	}
	if !slices.Equal(out[0].Sites, out[2].Sites) || out[0].Sites[1].Pos != 40 {
		t.Errorf("sites %v and %v", out[0].Sites, out[2].Sites)
	}
	// Genotypes follow their sites: a's rows 0 and 3, b's rows 0 and 2.
	if want := []int8{0, 1, 0, 1}; !slices.Equal(out[0].Dosage, want) {
		t.Errorf("A dosages %v, want %v", out[0].Dosage, want)
	}
	if want := []int8{0, 1, 2, 0}; !slices.Equal(out[2].Dosage, want) {
		t.Errorf("B dosages %v, want %v", out[2].Dosage, want)
	}
	// Union: 10, 20, 30T, 30G, 40, 50 = 6 sites.
	want := []CohortSites{{Name: "A", Sites: 4, Lacked: 2, Dropped: 2}, {Name: "B", Sites: 4, Lacked: 2, Dropped: 2}}
	if !slices.Equal(x.Cohorts, want) || x.Matched() {
		t.Errorf("cohorts %+v (matched %v), want %+v", x.Cohorts, x.Matched(), want)
	}
	// Identical site sets: the cohorts themselves come back.
	out, x, err = IntersectSites([]*vcf.Genotypes{a, a}, []string{"A", "A2"})
	if err != nil || out[0] != a || out[1] != a || !x.Matched() {
		t.Errorf("same sites: %v, matched %v", err, x.Matched())
	}
	// Nothing in common.
	c := cohort(vcf.Site{Chrom: "2", Pos: 10, Ref: "A", Alt: "C"})
	if _, _, err := IntersectSites([]*vcf.Genotypes{a, c}, []string{"A", "C"}); !errors.Is(err, ErrSiteMismatch) {
		t.Errorf("no common site: %v, want ErrSiteMismatch", err)
	}
}
