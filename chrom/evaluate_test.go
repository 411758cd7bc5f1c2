package chrom

import (
	"math"
	"testing"

	"github.com/gousynth/gousynth/ld"
	"github.com/gousynth/gousynth/preprocess"
	"github.com/gousynth/gousynth/vcf"
)

func seq(n int) []int {
	s := make([]int, n)
	for i := range s {
		s[i] = i
	}
	return s
}

// pairsOf is the float32-rounded r² of every pair at most 30 sites apart.
func pairsOf(t *testing.T, g *vcf.Genotypes) map[[2]int]float64 {
	out := map[[2]int]float64{}
	err := ld.Pairs(g, ld.WindowOptions{WindowSNPs: 31, WindowKB: math.Inf(1)}, func(p ld.Pair) error {
		out[[2]int{p.I, p.J}] = float64(float32(p.R2))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// The streamed Evaluator, fed window by window, gives the metrics of a
// direct computation on the whole cohorts: LD errors inside and across
// window cores from every pair at once, allele-frequency r² and the
// whole-chromosome PC distances (over more sites than one PCA chunk, so
// that chunks straddle windows).
func TestEvaluatorMatchesWholeCohort(t *testing.T) {
	train, test := panel(t, 200, 6000, 21)
	other, _ := panel(t, 200, 6000, 22)
	m := train.NumSites()
	if other.NumSites() < m || m <= pcaChunk {
		t.Fatalf("panels of %d and %d sites", m, other.NumSites())
	}
	// A stand-in synthetic cohort of the training cohort's size (so that
	// the floor is the training cohort): another panel's individuals.
	n := min(train.NumSamples(), other.NumSamples())
	train = preprocess.SubsetSamples(train, seq(n))
	synth := preprocess.SubsetSamples(other.SiteRange(0, m), seq(n))
	synth.Sites = train.Sites
	windows := windowsOf(m, 700)
	got, pca := evaluate(t, test, synth, train, windows)

	// Direct: every pair of the whole cohorts, inside a core or across.
	core := make([]int, m)
	for _, w := range windows {
		for v := w.CoreStart; v < w.End; v++ {
			core[v] = w.Index
		}
	}
	rt, rs := pairsOf(t, test), pairsOf(t, synth)
	var sum, cnt [2]float64
	for p, tv := range rt {
		sv, ok := rs[p]
		if !ok || math.IsNaN(tv) || math.IsNaN(sv) {
			continue
		}
		c := 0
		if core[p[0]] != core[p[1]] {
			c = 1
		}
		sum[c] += math.Abs(sv - tv)
		cnt[c]++
	}
	if int(cnt[0]) != got.LD.InsidePairs || int(cnt[1]) != got.LD.StraddlePairs {
		t.Errorf("pairs: %v inside, %v straddling; Evaluate counted %d, %d", cnt[0], cnt[1], got.LD.InsidePairs, got.LD.StraddlePairs)
	}
	if near := func(a, b float64) bool { return math.Abs(a-b) <= 1e-9*math.Abs(b) }; !near(got.LD.Inside, sum[0]/cnt[0]) || !near(got.LD.Straddle, sum[1]/cnt[1]) {
		t.Errorf("LD MAE inside %v, straddling %v; direct %v, %v", got.LD.Inside, got.LD.Straddle, sum[0]/cnt[0], sum[1]/cnt[1])
	}
	pt, ps := pca.Project(test, 0, m, 0), pca.Project(synth, 0, m, 0)
	for k := 0; k < pca.K(); k++ {
		if w := math.Sqrt(w2sq(col(pt, k), col(ps, k))); math.Abs(w-got.PCW2[k]) > 1e-9*w {
			t.Errorf("PC%d W2 %v, direct %v", k+1, got.PCW2[k], w)
		}
	}
	af := func(g *vcf.Genotypes) []float64 {
		out := make([]float64, m)
		for v := range out {
			var s float64
			for _, d := range g.Dosage[v*g.NumSamples() : (v+1)*g.NumSamples()] {
				s += float64(d)
			}
			out[v] = s / float64(2*g.NumSamples())
		}
		return out
	}
	if r := sq(pearson(af(test), af(synth))); math.Abs(r-got.AFR2) > 1e-12 {
		t.Errorf("AF r² %v, direct %v", got.AFR2, r)
	}
	if got.Privacy.SNPs != min(m, 5000) {
		t.Errorf("privacy on %d SNPs", got.Privacy.SNPs)
	}
	if got.Genome != nil {
		t.Errorf("one chromosome, but Genome = %+v", got.Genome)
	}
}

// On sites of two chromosomes (genome mode) the Evaluator compares no pair
// across them, and Genome correlates each individual's share of the PC
// scores from one chromosome with its share from the other, as a direct
// projection of each chromosome's sites gives it.
func TestEvaluatorGenome(t *testing.T) {
	train, test := panel(t, 200, 3000, 23)
	other, _ := panel(t, 200, 3000, 24)
	m := min(train.NumSites(), other.NumSites())
	n := min(train.NumSamples(), other.NumSamples())
	train = preprocess.SubsetSamples(train.SiteRange(0, m), seq(n))
	test = test.SiteRange(0, m)
	synth := preprocess.SubsetSamples(other.SiteRange(0, m), seq(n))
	const cut = 1400 // chromosome 2 starts here, at a window boundary
	sites := append([]vcf.Site(nil), train.Sites...)
	for v := cut; v < m; v++ {
		sites[v].Chrom = "2"
	}
	train.Sites, test.Sites, synth.Sites = sites, sites, sites
	windows := windowsOf(m, 700)
	got, pca := evaluate(t, test, synth, train, windows)
	rt, rs := pairsOf(t, test), pairsOf(t, synth)
	var cnt [2]int
	for p, tv := range rt {
		if sv, ok := rs[p]; !ok || math.IsNaN(tv) || math.IsNaN(sv) || sites[p[0]].Chrom != sites[p[1]].Chrom {
			continue
		}
		c := 0
		if p[0]/700 != p[1]/700 {
			c = 1
		}
		cnt[c]++
	}
	if cnt[0] != got.LD.InsidePairs || cnt[1] != got.LD.StraddlePairs {
		t.Errorf("pairs on one chromosome: %v inside, %v straddling; Evaluate counted %d, %d", cnt[0], cnt[1], got.LD.InsidePairs, got.LD.StraddlePairs)
	}
	g := got.Genome
	if g == nil || len(g.Contigs) != 2 || g.Contigs[0] != "1" || g.Contigs[1] != "2" || len(g.Pairs) != 1 || len(g.Synth) != 2 {
		t.Fatalf("Genome = %+v", g)
	}
	s1, s2 := pca.Project(synth, 0, cut, 0), pca.Project(synth, cut, m, 0)
	t1, t2 := pca.Project(test, 0, cut, 0), pca.Project(test, cut, m, 0)
	for k := 0; k < 2; k++ {
		if want := pearson(col(s1, k), col(s2, k)); math.Abs(g.Synth[k][0]-want) > 1e-9 || g.SynthMean[k] != g.Synth[k][0] {
			t.Errorf("PC%d synthetic %v, direct %v", k+1, g.Synth[k][0], want)
		}
		if want := pearson(col(t1, k), col(t2, k)); math.Abs(g.Test[k][0]-want) > 1e-9 {
			t.Errorf("PC%d test %v, direct %v", k+1, g.Test[k][0], want)
		}
	}
}

// windowsOf cuts m sites into windows of size sites without overlap.
func windowsOf(m, size int) []Window {
	var windows []Window
	for lo, i := 0, 0; lo < m; lo, i = lo+size, i+1 {
		windows = append(windows, Window{Index: i, Start: lo, CoreStart: lo, End: min(lo+size, m)})
	}
	return windows
}

// evaluate fits the 4-PC PCA of train and runs Evaluate as the tests do.
func evaluate(t *testing.T, test, synth, train *vcf.Genotypes, windows []Window) (*Metrics, *PCA) {
	t.Helper()
	pca, _, err := FitPCA(train, 4, 3)
	if err != nil {
		t.Fatal(err)
	}
	got, err := Evaluate(test, synth, train, windows, pca, MetricOptions{Seed: 1, LDPairSNPs: 30})
	if err != nil {
		t.Fatal(err)
	}
	return got, pca
}
