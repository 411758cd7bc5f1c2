package chrom

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/gousynth/gousynth/model"
	"gonum.org/v1/gonum/mat"
)

// TestLabelledMixture checks the label bookkeeping of the ancestry
// mixture: components per label, the small label pooled, the default
// composition, and that a one-label cohort's latent lies on that label's
// cluster.
func TestLabelledMixture(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	const p = 3
	centre := map[string]float64{"A": -5, "B": 5, "S": 0}
	var pops []string
	for pop, n := range map[string]int{"A": 120, "B": 60, "S": 30} {
		for range n {
			pops = append(pops, pop)
		}
	}
	scores := mat.NewDense(len(pops), p, nil)
	for i, pop := range pops {
		for j := 0; j < p; j++ {
			scores.Set(i, j, centre[pop]*float64(1-j%2)+rng.NormFloat64())
		}
	}
	lab := &model.Labelling{Pop: pops, SuperPop: map[string]string{"A": "X", "B": "X", "S": "Y"}}
	mx, err := FitLabelledMixture(scores, 6, 40, 3, lab)
	if err != nil {
		t.Fatal(err)
	}
	if err := mx.CheckLabels(); err != nil {
		t.Fatal(err)
	}
	want := []model.Label{{Pop: "A", SuperPop: "X", N: 120}, {Pop: "B", SuperPop: "X", N: 60}, {Pop: "S", SuperPop: "Y", N: 30}}
	for i, l := range mx.LabelTable {
		if l != want[i] {
			t.Errorf("label %d: %+v, want %+v", i, l, want[i])
		}
	}
	seen := map[int]bool{}
	var wsum float64
	for c, l := range mx.Labels {
		seen[l] = true
		wsum += mx.Weights[c]
	}
	if !seen[0] || !seen[1] || seen[2] || seen[model.Unlabelled] {
		t.Errorf("component labels %v: want A and B only (S has 30 < 40 and its pool is too small)", mx.Labels)
	}
	if math.Abs(wsum-1) > 1e-9 {
		t.Errorf("weights sum to %g", wsum)
	}
	cohort, err := mx.Cohort(nil, 90, 40)
	if err != nil {
		t.Fatal(err)
	}
	var nA int
	for _, l := range cohort {
		if l == 0 {
			nA++
		}
	}
	if len(cohort) != 90 || nA != 60 {
		t.Errorf("default cohort: %d individuals, %d of A; want 90, 60", len(cohort), nA)
	}
	if _, err := mx.Cohort([]model.Request{{Name: "S", N: 5}}, 0, 40); err == nil {
		t.Error("the 30-person population S was not refused")
	}
	reqs, _ := model.ParseRequests("B:200")
	if cohort, err = mx.Cohort(reqs, 0, 40); err != nil {
		t.Fatal(err)
	}
	z, err := mx.SampleCohort(len(cohort), cohort, rand.New(rand.NewPCG(4, 5)))
	if err != nil {
		t.Fatal(err)
	}
	var m float64
	for i := 0; i < len(cohort); i++ {
		m += z.At(i, 0) / float64(len(cohort))
	}
	if math.Abs(m-5) > 0.5 {
		t.Errorf("cohort of B: mean first score %.2f, B's is 5", m)
	}
	// Without labels the draw is Sample's.
	a, _ := mx.SampleCohort(10, nil, rand.New(rand.NewPCG(4, 5)))
	b := mx.Sample(10, rand.New(rand.NewPCG(4, 5)))
	if !mat.Equal(a, b) {
		t.Error("SampleCohort without labels differs from Sample")
	}
	mx.Labels[0] = 7
	if err := mx.CheckLabels(); err == nil {
		t.Error("a component label beyond the table was accepted")
	}
}
