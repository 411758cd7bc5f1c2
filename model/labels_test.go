package model

import (
	"context"
	"encoding/binary"
	"errors"
	"math"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/gousynth/gousynth/vcf"
)

func TestParseRequests(t *testing.T) {
	good := map[string][]Request{
		"EUR:500,AFR:200": {{"EUR", 500}, {"AFR", 200}},
		"EUR":             {{"EUR", 0}},
		" CEU , YRI ":     {{"CEU", 0}, {"YRI", 0}},
		"POP1:3":          {{"POP1", 3}},
	}
	for s, want := range good {
		got, err := ParseRequests(s)
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("ParseRequests(%q) = %v, %v; want %v", s, got, err, want)
		}
	}
	for _, s := range []string{"", "EUR:", "EUR:0", "EUR:-3", "EUR:1.5", ":5", "EUR,,AFR", "EUR:5,AFR", "EUR,EUR:2", "EUR,EUR"} {
		if _, err := ParseRequests(s); err == nil {
			t.Errorf("ParseRequests(%q) accepted", s)
		}
	}
}

// testLabels: two European populations, one African, one too small.
var testLabels = []Label{{"CEU", "EUR", 70}, {"TINY", "TNY", 8}, {"TSI", "EUR", 30}, {"YRI", "AFR", 50}}

func TestComposition(t *testing.T) {
	anchored := []bool{true, false, true, true, false} // TINY is below 20; the pool of 8 too
	cases := []struct {
		reqs string
		n    int
		want []int
	}{
		{"", 150, []int{70, 0, 30, 50, 0}},
		{"", 15, []int{7, 0, 3, 5, 0}},
		{"EUR:10", 0, []int{7, 0, 3, 0, 0}},
		{"EUR:10,YRI:4", 0, []int{7, 0, 3, 4, 0}},
		{"TSI", 9, []int{0, 0, 9, 0, 0}},
		{"EUR,AFR", 15, []int{7, 0, 3, 5, 0}},
	}
	for _, c := range cases {
		var reqs []Request
		if c.reqs != "" {
			var err error
			if reqs, err = ParseRequests(c.reqs); err != nil {
				t.Fatal(err)
			}
		}
		got, err := Composition(testLabels, anchored, reqs, c.n, 20)
		if err != nil || !reflect.DeepEqual(got, c.want) {
			t.Errorf("Composition(%q, %d) = %v, %v; want %v", c.reqs, c.n, got, err, c.want)
		}
	}
	for reqs, msg := range map[string]string{
		"TINY":     "fewer than the minimum cluster size 20",
		"TNY:5":    "fewer than the minimum cluster size 20",
		"XYZ":      "not among the model's training labels",
		"EUR,XYZ":  "not among the model's training labels",
		"TINY,EUR": "TINY (8)",
	} {
		r, _ := ParseRequests(reqs)
		if _, err := Composition(testLabels, anchored, r, 10, 20); err == nil || !strings.Contains(err.Error(), msg) {
			t.Errorf("Composition(%q): error %v, want one saying %q", reqs, err, msg)
		}
	}
	// With an anchored pool, the default cohort draws the small
	// populations' share from it.
	got, _ := Composition(testLabels, []bool{true, false, true, true, true}, nil, 158, 20)
	if want := []int{70, 0, 30, 50, 8}; !reflect.DeepEqual(got, want) {
		t.Errorf("composition with a pool %v, want %v", got, want)
	}
}

func TestInterleaveKeepsCompositionInEveryPrefix(t *testing.T) {
	counts := []int{70, 0, 30, 50, 8}
	seq := Interleave(counts)
	if len(seq) != 158 {
		t.Fatalf("%d labels", len(seq))
	}
	seen := make([]int, len(counts))
	for i, l := range seq {
		if l == Unlabelled {
			l = len(counts) - 1
		}
		seen[l]++
		for c, n := range counts {
			if d := float64(seen[c]) - float64(i+1)*float64(n)/158; math.Abs(d) > 1 {
				t.Fatalf("prefix %d has %d of label %d, its share is %.1f", i+1, seen[c], c, float64(i+1)*float64(n)/158)
			}
		}
	}
	if !reflect.DeepEqual(seen, counts) {
		t.Errorf("counts %v, want %v", seen, counts)
	}
}

// twoPopulations returns n individuals of population A then n of B over d
// SNPs, whose allele frequencies differ strongly (0.15 against 0.75 on the
// even SNPs, the reverse on the odd ones).
func twoPopulations(n, d int) (*mat.Dense, []vcf.Site, *Labelling) {
	rng := rand.New(rand.NewPCG(7, 8))
	x := mat.NewDense(2*n, d, nil)
	lab := &Labelling{Pop: make([]string, 2*n), SuperPop: map[string]string{"A": "AB", "B": "AB"}}
	for i := 0; i < 2*n; i++ {
		pop := i / n
		lab.Pop[i] = []string{"A", "B"}[pop]
		for j := 0; j < d; j++ {
			p := 0.15
			if (j%2 == 0) == (pop == 1) {
				p = 0.75
			}
			for h := 0; h < 2; h++ {
				if rng.Float64() < p {
					x.Set(i, j, x.At(i, j)+1)
				}
			}
		}
	}
	sites := make([]vcf.Site, d)
	for j := range sites {
		sites[j] = vcf.Site{Chrom: "1", Pos: 1000 + 10*j, ID: ".", Ref: "A", Alt: "G"}
	}
	return x, sites, lab
}

// TestLabelledFit checks the label bookkeeping of a labelled model (anchors
// per label, model file format 3 round trip with identical draws, the
// file holding no sample ID) and one quality check: a cohort of one
// population has that population's allele frequencies.
func TestLabelledFit(t *testing.T) {
	x, sites, lab := twoPopulations(60, 16)
	cfg := quickConfig("gou")
	cfg.MinClusterSize = 20
	cfg.Steps, cfg.Hidden, cfg.NetDims, cfg.SamplerSteps = 400, 32, 8, 20
	m, err := FitLabelled(context.Background(), x, sites, lab, cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	if want := []Label{{"A", "AB", 60}, {"B", "AB", 60}}; !reflect.DeepEqual(m.Labels, want) {
		t.Fatalf("labels %v, want %v", m.Labels, want)
	}
	if len(m.Init.Labels) != len(m.Init.Weights) || len(m.Init.Weights) < 2 {
		t.Fatalf("anchor labels %v for %d anchors", m.Init.Labels, len(m.Init.Weights))
	}
	var wsum float64
	for _, w := range m.Init.Weights {
		wsum += w
	}
	if math.Abs(wsum-1) > 1e-9 {
		t.Errorf("anchor weights sum to %g", wsum)
	}
	data, err := m.Encode()
	if err != nil {
		t.Fatal(err)
	}
	if v := binary.LittleEndian.Uint32(data[8:]); v != 3 {
		t.Errorf("labelled model written as format %d, want 3", v)
	}
	l, err := Decode(data)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(l.Labels, m.Labels) || !reflect.DeepEqual(l.Init.Labels, m.Init.Labels) {
		t.Errorf("labels after a round trip: %v %v, want %v %v", l.Labels, l.Init.Labels, m.Labels, m.Init.Labels)
	}
	if len(l.LabelThresholds) != 2 || len(l.LabelThresholds[0]) != len(sites) {
		t.Errorf("%d label thresholds after a round trip, want 2 × %d sites", len(l.LabelThresholds), len(sites))
	}
	reqs, _ := ParseRequests("A:150")
	cohort, err := l.Cohort(reqs, 0)
	if err != nil || len(cohort) != 150 {
		t.Fatalf("cohort of A: %d labels, %v", len(cohort), err)
	}
	a, err := m.GenerateCohort(context.Background(), 150, cohort, 5)
	if err != nil {
		t.Fatal(err)
	}
	b, err := l.GenerateCohort(context.Background(), 150, cohort, 5)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(a.Dosage, b.Dosage) {
		t.Error("the loaded labelled model draws other genotypes than the fitted one")
	}
	// Population A's frequencies: 0.15 on even SNPs, 0.75 on odd ones.
	var errA, errB float64
	for v := 0; v < len(sites); v++ {
		pA, pB := 0.15, 0.75
		if v%2 == 1 {
			pA, pB = 0.75, 0.15
		}
		var s float64
		for _, g := range a.Row(v) {
			s += float64(g)
		}
		f := s / float64(2*len(a.Row(v)))
		errA += math.Abs(f - pA)
		errB += math.Abs(f - pB)
	}
	errA /= float64(len(sites))
	errB /= float64(len(sites))
	if errA > 0.08 || errB < 0.4 {
		t.Errorf("cohort of A: mean |AF − AF_A| %.3f (want ≤ 0.08), |AF − AF_B| %.3f (want ≥ 0.4)", errA, errB)
	}
	// The default cohort keeps the training composition.
	all, err := m.Cohort(nil, 100)
	if err != nil {
		t.Fatal(err)
	}
	var nA int
	for _, c := range all {
		if c == 0 {
			nA++
		}
	}
	if nA != 50 {
		t.Errorf("default cohort has %d of A out of 100, want 50", nA)
	}
	// Refusals and an unlabelled model.
	if _, err := m.Cohort([]Request{{"C", 3}}, 0); err == nil {
		t.Error("an unknown population was accepted")
	}
	u, err := Fit(context.Background(), x, sites, cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	if c, err := u.Cohort(nil, 10); c != nil || err != nil {
		t.Errorf("unlabelled model: cohort %v, %v", c, err)
	}
	if _, err := u.Cohort(reqs, 0); err == nil || !strings.Contains(err.Error(), "--panel") {
		t.Errorf("unlabelled model asked for a population: %v", err)
	}
	// A file claiming labels in format 2 is refused.
	bad := append([]byte(nil), data...)
	binary.LittleEndian.PutUint32(bad[8:], 2)
	if _, err := Decode(bad); !errors.Is(err, ErrCorrupt) {
		t.Errorf("format 2 with labels: %v", err)
	}
}

func TestCalibrationDraws(t *testing.T) {
	cfg := DefaultConfig("gou")
	cfg.CalibrationSize = 2000
	for _, c := range []struct{ size, n, want int }{
		{10, 1000, 200},   // the minimum
		{67, 1750, 335},   // a 1000 Genomes population: five per person
		{350, 1050, 1750}, // five per person above the shared CalibrationSize (666)
		{900, 1000, 4500}, // five per person
		{100, 200, 1000},  // CalibrationSize shared by size (1000) beats five per person (500)
		{500, 1000, 2500}, // five per person beats the share (1000)
	} {
		if got := calibrationDraws(cfg, c.size, c.n, labelCalibrationPerPerson); got != c.want {
			t.Errorf("calibrationDraws(size %d of %d) = %d, want %d", c.size, c.n, got, c.want)
		}
	}
}

// TestLabelFrequenciesWithinCalibrationNoise checks that a large cohort of
// each label has the label's training allele frequencies to within the
// noise of its calibration draws (calibrationDraws): the per-label
// thresholds copy the training frequencies, and nothing else may move them.
func TestLabelFrequenciesWithinCalibrationNoise(t *testing.T) {
	if testing.Short() {
		t.Skip("fits a model")
	}
	const n, d, big = 60, 16, 4000
	x, sites, lab := twoPopulations(n, d)
	cfg := quickConfig("gou")
	cfg.MinClusterSize = 20
	cfg.Steps, cfg.Hidden, cfg.NetDims, cfg.SamplerSteps = 400, 32, 8, 20
	m, err := FitLabelled(context.Background(), x, sites, lab, cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	nc := calibrationDraws(m.Config, n, 2*n, labelCalibrationPerPerson)
	for l, name := range []string{"A", "B"} {
		cohort, err := m.Cohort([]Request{{name, big}}, 0)
		if err != nil {
			t.Fatal(err)
		}
		g, err := m.GenerateCohort(context.Background(), big, cohort, 9)
		if err != nil {
			t.Fatal(err)
		}
		var msd, want float64
		for v := 0; v < d; v++ {
			var s, r float64
			for _, x := range g.Row(v) {
				s += float64(x)
			}
			for i := l * n; i < (l+1)*n; i++ {
				r += x.At(i, v)
			}
			ps, pr := s/(2*big), r/(2*n)
			msd += (ps - pr) * (ps - pr)
			want += pr * (1 - pr) * (1/float64(2*big) + 1/float64(2*nc))
		}
		rms, lim := math.Sqrt(msd/d), 1.6*math.Sqrt(want/d)
		t.Logf("cohort of %s (%d calibration draws): rms(AF − training AF) %.4f, limit %.4f", name, nc, rms, lim)
		if rms > lim {
			t.Errorf("cohort of %s: rms(AF − training AF of %s) %.4f, above 1.6× the calibration and sampling noise %.4f", name, name, rms, lim)
		}
	}
}
