package metrics

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/gousynth/gousynth/vcf"
)

// oneSite returns genotypes with one site holding the given dosages.
func oneSite(dos ...int8) *vcf.Genotypes {
	return &vcf.Genotypes{Sites: []vcf.Site{{Chrom: "1", Pos: 100, Ref: "A", Alt: "G"}}, Samples: make([]string, len(dos)), Dosage: dos}
}

// hweCohort draws n individuals at d SNPs in Hardy–Weinberg proportions:
// each dosage is Binomial(2, p) with p uniform in [0.05, 0.95] per SNP.
func hweCohort(rng *rand.Rand, n, d int) *vcf.Genotypes {
	p := make([]float64, d)
	for v := range p {
		p[v] = 0.05 + 0.9*rng.Float64()
	}
	return binomialCohort(rng, p, n)
}

func TestSiteStatsClosedForm(t *testing.T) {
	// 5 × 0, 2 × 1, 3 × 2 and a missing call: n = 10, p = (2 + 6)/20 = 0.4,
	// H_obs = 0.2, H_exp = 2·0.4·0.6 = 0.48, F = 1 − 0.2/0.48 = 7/12.
	g := oneSite(0, 0, 0, 0, 0, 1, 1, 2, 2, 2, vcf.Missing)
	st := SiteStatsOf(g)
	near(t, "het", st.Het[0], 0.2, 1e-15)
	near(t, "F", st.HWEF[0], 7.0/12, 1e-15)
	near(t, "MAF", st.MAF[0], 0.4, 1e-15)
	if st.ClassFreq[0] != [3]float64{0.5, 0.2, 0.3} {
		t.Errorf("class frequencies %v", st.ClassFreq[0])
	}
	if c := GenotypeCounts(g.Row(0)); c != [3]int{5, 2, 3} {
		t.Errorf("genotype counts %v, want [5 2 3] (the missing call left out)", c)
	}
	// Exact Hardy–Weinberg proportions (p = 0.5: 1/4, 1/2, 1/4) give F = 0;
	// all heterozygotes give F = −1; monomorphic sites give NaN.
	near(t, "F at HWE", SiteStatsOf(oneSite(0, 1, 1, 2)).HWEF[0], 0, 1e-15)
	near(t, "F all het", SiteStatsOf(oneSite(1, 1, 1)).HWEF[0], -1, 1e-15)
	if f := SiteStatsOf(oneSite(2, 2, 2)).HWEF[0]; !math.IsNaN(f) {
		t.Errorf("monomorphic F = %g, want NaN", f)
	}
	if st := SiteStatsOf(oneSite(vcf.Missing, vcf.Missing)); !math.IsNaN(st.Het[0]) || !math.IsNaN(st.MAF[0]) {
		t.Errorf("a site nobody is called at: het %g, MAF %g, want NaN", st.Het[0], st.MAF[0])
	}
	// Independent Hardy–Weinberg draws: F near 0 at every SNP, within a few
	// standard errors (SE of F ≈ 1/sqrt(n)).
	for v, f := range SiteStatsOf(hweCohort(rand.New(rand.NewPCG(5, 5)), 4000, 30)).HWEF {
		if math.Abs(f) > 5/math.Sqrt(4000) {
			t.Errorf("SNP %d of an HWE cohort: F = %g", v, f)
		}
	}
}

func TestFoldedSFSDirectCount(t *testing.T) {
	// 301 individuals: no minor allele count falls on a bin edge, where the
	// integer count below and the float division could round apart.
	g := hweCohort(rand.New(rand.NewPCG(6, 6)), 301, 80)
	got := FoldedSFS(SiteStatsOf(g).MAF)
	// Direct count: minor allele count per SNP, binned by MAF.
	want := make([]float64, SFSBins)
	n := g.NumSamples()
	for v := 0; v < g.NumSites(); v++ {
		alt := 0
		for _, x := range g.Row(v) {
			alt += int(x)
		}
		minor := min(alt, 2*n-alt)
		b := minor * 2 * SFSBins / (2 * n) // MAF/0.5·bins = minor/n·bins
		want[min(b, SFSBins-1)] += 1 / float64(g.NumSites())
	}
	total := 0.0
	for i := range want {
		near(t, "SFS bin", got[i], want[i], 1e-12)
		total += got[i]
	}
	near(t, "SFS total", total, 1, 1e-12)
	if e := FoldedSFS([]float64{math.NaN(), 0.5}); e[SFSBins-1] != 1 {
		t.Errorf("MAF 0.5 beside a NaN: last bin %g, want 1 (0.5 in the last bin, NaN left out)", e[SFSBins-1])
	}
}

func TestKLHandComputed(t *testing.T) {
	// Test site: dosages 0,0,1,2 → (½, ¼, ¼); X site: 0,1,1,1 → (¼, ¾, 0).
	mk := func(rows ...[]int8) *vcf.Genotypes {
		g := &vcf.Genotypes{Samples: make([]string, len(rows[0]))}
		for _, r := range rows {
			g.Sites = append(g.Sites, vcf.Site{Chrom: "1", Pos: len(g.Sites) + 1})
			g.Dosage = append(g.Dosage, r...)
		}
		return g
	}
	test := mk([]int8{0, 0, 1, 2}, []int8{0, 1, vcf.Missing, 2})
	x := mk([]int8{0, 1, 1, 1}, []int8{0, 1, 2, 2})
	e := KLSmoothing
	sm := func(f ...float64) []float64 {
		out := make([]float64, len(f))
		for i, v := range f {
			out[i] = (v + e) / (1 + 3*e)
		}
		return out
	}
	kl := func(p, q []float64) float64 {
		return p[0]*math.Log(p[0]/q[0]) + p[1]*math.Log(p[1]/q[1]) + p[2]*math.Log(p[2]/q[2])
	}
	want1 := kl(sm(0.5, 0.25, 0.25), sm(0.25, 0.75, 0))
	want2 := kl(sm(1.0/3, 1.0/3, 1.0/3), sm(0.25, 0.25, 0.5)) // missing call excluded
	near(t, "mean KL", MeanGenotypeKL(test, x), (want1+want2)/2, 1e-12)
	near(t, "KL self", MeanGenotypeKL(test, test), 0, 1e-15)
}
