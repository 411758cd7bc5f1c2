package report

import (
	"fmt"
	"strings"

	"github.com/gousynth/gousynth/preprocess"
	"github.com/gousynth/gousynth/vcf"
)

// siteKey identifies a site as the cohorts are matched on it: chromosome,
// position, REF and ALT.
type siteKey struct {
	Chrom    string
	Pos      int
	Ref, Alt string
}

// keyOf is the siteKey of s.
func keyOf(s vcf.Site) siteKey { return siteKey{s.Chrom, s.Pos, s.Ref, s.Alt} }

// CohortSites says how one cohort's sites relate to the others' in an
// Intersection.
type CohortSites struct {
	Name string `json:"name"`
	// Sites is the number of sites the cohort holds.
	Sites int `json:"sites"`
	// Lacked is the number of sites that another cohort holds and this one
	// does not (so they were left out of the comparison).
	Lacked int `json:"lacked"`
	// Dropped is the number of this cohort's sites left out of the
	// comparison because another cohort lacks them.
	Dropped int `json:"dropped"`
}

// Intersection is the outcome of IntersectSites.
type Intersection struct {
	// Common is the number of sites every cohort holds, the ones compared.
	Common  int           `json:"common"`
	Cohorts []CohortSites `json:"cohorts"`
}

// Matched reports whether every cohort held exactly the common sites.
func (x *Intersection) Matched() bool {
	for _, c := range x.Cohorts {
		if c.Lacked > 0 || c.Dropped > 0 {
			return false
		}
	}
	return true
}

// String says, in one line, how many sites were compared and how many
// each cohort lacked or had left out.
func (x *Intersection) String() string {
	parts := make([]string, len(x.Cohorts))
	for i, c := range x.Cohorts {
		parts[i] = fmt.Sprintf("%s holds %d (lacks %d that another holds; %d of its own left out)", c.Name, c.Sites, c.Lacked, c.Dropped)
	}
	return fmt.Sprintf("sites matched on CHROM/POS/REF/ALT: %d common to all cohorts are compared; %s", x.Common, strings.Join(parts, "; "))
}

// IntersectSites restricts the cohorts (nil entries are skipped and stay
// nil) to the sites all of them hold, matched on chromosome, position, REF
// and ALT, in the order of the first non-nil cohort. A cohort that already
// holds exactly those sites in that order is returned as it is. A site
// listed twice in one cohort counts once (its first occurrence). It fails
// when no site is common to all, naming the cohorts.
func IntersectSites(cohorts []*vcf.Genotypes, names []string) ([]*vcf.Genotypes, *Intersection, error) {
	var sets []map[siteKey]int
	var live []int
	for i, g := range cohorts {
		if g == nil {
			continue
		}
		set := make(map[siteKey]int, g.NumSites())
		for v, s := range g.Sites {
			if _, dup := set[keyOf(s)]; !dup {
				set[keyOf(s)] = v
			}
		}
		sets = append(sets, set)
		live = append(live, i)
	}
	out := make([]*vcf.Genotypes, len(cohorts))
	x := &Intersection{}
	if len(live) == 0 {
		return out, x, nil
	}
	union := map[siteKey]bool{}
	for _, set := range sets {
		for k := range set {
			union[k] = true
		}
	}
	first := cohorts[live[0]]
	var common []siteKey
	seen := map[siteKey]bool{}
	for _, s := range first.Sites {
		k := keyOf(s)
		if seen[k] {
			continue
		}
		seen[k] = true
		in := true
		for _, set := range sets[1:] {
			if _, ok := set[k]; !ok {
				in = false
				break
			}
		}
		if in {
			common = append(common, k)
		}
	}
	x.Common = len(common)
	for a, i := range live {
		g := cohorts[i]
		x.Cohorts = append(x.Cohorts, CohortSites{Name: names[i], Sites: g.NumSites(), Lacked: len(union) - len(sets[a]), Dropped: g.NumSites() - len(common)})
	}
	if len(common) == 0 {
		var desc []string
		for _, i := range live {
			desc = append(desc, fmt.Sprintf("%s %d sites", names[i], cohorts[i].NumSites()))
		}
		return nil, x, fmt.Errorf("report: no site (CHROM/POS/REF/ALT) is common to all cohorts (%s): %w", strings.Join(desc, ", "), ErrSiteMismatch)
	}
	for a, i := range live {
		g := cohorts[i]
		idx := make([]int, len(common))
		identity := len(common) == g.NumSites()
		for j, k := range common {
			idx[j] = sets[a][k]
			identity = identity && idx[j] == j
		}
		if identity {
			out[i] = g
		} else {
			out[i] = preprocess.SubsetSites(g, idx)
		}
	}
	return out, x, nil
}
