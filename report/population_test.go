package report

import (
	"encoding/json"
	"math"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"

	"github.com/gousynth/gousynth/vcf"
)

// labelledCohort draws n individuals per population over d SNPs of two
// populations whose frequencies differ (Balding–Nichols-like).
func labelledCohort(rng *rand.Rand, n, d int, pA, pB []float64, prefix string) (*vcf.Genotypes, []string) {
	g := &vcf.Genotypes{Sites: make([]vcf.Site, d), Samples: make([]string, 2*n), Dosage: make([]int8, 2*n*d)}
	lab := make([]string, 2*n)
	for i := range g.Samples {
		g.Samples[i] = prefix + string(rune('a'+i%26)) + string(rune('a'+i/26%26)) + string(rune('a'+i/676))
		lab[i] = []string{"A", "B"}[i/n]
	}
	for v := 0; v < d; v++ {
		g.Sites[v] = vcf.Site{Chrom: "1", Pos: 100 + v, ID: ".", Ref: "A", Alt: "C"}
		for i := 0; i < 2*n; i++ {
			p := pA[v]
			if i >= n {
				p = pB[v]
			}
			for h := 0; h < 2; h++ {
				if rng.Float64() < p {
					g.Dosage[v*2*n+i]++
				}
			}
		}
	}
	return g, lab
}

func TestEvaluatePopulations(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	const d = 200
	pA, pB := make([]float64, d), make([]float64, d)
	for v := range pA {
		pA[v] = 0.05 + 0.9*rng.Float64()
		pB[v] = math.Min(0.95, math.Max(0.05, pA[v]+0.3*rng.NormFloat64()))
	}
	train, lr := labelledCohort(rng, 100, d, pA, pB, "r")
	test, lt := labelledCohort(rng, 40, d, pA, pB, "t")
	synth, ls := labelledCohort(rng, 80, d, pA, pB, "s") // a perfect generator
	res, err := EvaluatePopulations(test, synth, train, lt, ls, lr, 4, 1)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Labels) != 2 || len(res.Fst) != 1 || len(res.Metrics) != 5 {
		t.Fatalf("%d labels, %d Fst pairs, %d metrics; want 2, 1, 5", len(res.Labels), len(res.Fst), len(res.Metrics))
	}
	for _, m := range res.Metrics[:2] {
		if math.Abs(m.Value-m.Floor) > 0.03 || m.Value < 0.8 {
			t.Errorf("%s = %.3f, floor %.3f: a perfect generator is at the floor", m.Name, m.Value, m.Floor)
		}
	}
	f := res.Fst[0]
	if f.RelErr > 0.15 || f.Test < 0.05 {
		t.Errorf("Fst synthetic %.4f, test %.4f, training %.4f", f.Synth, f.Test, f.Train)
	}
	checkFstSE(t, res)
	again, err := EvaluatePopulations(test, synth, train, lt, ls, lr, 4, 1)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(again.Fst, res.Fst) {
		t.Errorf("same seed, different Fst pairs: %+v, then %+v", res.Fst, again.Fst)
	}
	if other, err := EvaluatePopulations(test, synth, train, lt, ls, lr, 4, 2); err != nil || other.Fst[0].TestSE != f.TestSE {
		t.Errorf("seeds 1 and 2: test SE %v and %v (err %v); the jackknife draws nothing", f.TestSE, other.Fst[0].TestSE, err)
	}
	// Swapping the synthetic labels moves the per-label allele frequencies
	// off and the PC positions far from the floor.
	for i := range ls {
		ls[i] = map[string]string{"A": "B", "B": "A"}[ls[i]]
	}
	bad, err := EvaluatePopulations(test, synth, train, lt, ls, lr, 4, 1)
	if err != nil {
		t.Fatal(err)
	}
	if m := bad.Metrics[0]; m.Value > m.Floor-0.05 {
		t.Errorf("swapped labels: %s = %.3f, floor %.3f", m.Name, m.Value, m.Floor)
	}
	if m := bad.Metrics[2]; m.Ratio < 3 {
		t.Errorf("swapped labels: %s ratio %.2f", m.Name, m.Ratio)
	}
}

// checkFstSE checks the SEs and z of a perfect generator's Fst pairs, the
// JSON fields and the HTML cells.
func checkFstSE(t *testing.T, res *Populations) {
	t.Helper()
	f := res.Fst[0]
	// A jackknife SE is positive and well below Fst here (200 SNPs, 40 to
	// 100 individuals per label, Fst ~0.1); the smaller test cohort is the
	// noisier, and a perfect generator sits within noise of the test cohort.
	for _, c := range []struct {
		name   string
		se, of float64
	}{{"synthetic", f.SynthSE, f.Synth}, {"test", f.TestSE, f.Test}, {"training", f.TrainSE, f.Train}} {
		if !(c.se > 0 && c.se < c.of/3) {
			t.Errorf("%s Fst %.4f ± %.4f", c.name, c.of, c.se)
		}
	}
	if f.TestSE <= f.TrainSE {
		t.Errorf("test SE %.5f (40 per label) ≤ training SE %.5f (100 per label)", f.TestSE, f.TrainSE)
	}
	if z := (f.Synth - f.Test) / math.Hypot(f.SynthSE, f.TestSE); f.Z != z || math.Abs(z) > 3 {
		t.Errorf("z = %v, want %v within ±3", f.Z, z)
	}
	b, err := json.Marshal(res)
	if err != nil {
		t.Fatal(err)
	}
	var raw struct {
		Fst []map[string]any `json:"fst"`
	}
	if err := json.Unmarshal(b, &raw); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"synth_se", "test_se", "train_se", "z"} {
		if _, ok := raw.Fst[0][k].(float64); !ok {
			t.Errorf("JSON fst[0] has %s = %v, want a number", k, raw.Fst[0][k])
		}
	}
	var back Populations
	if err := json.Unmarshal(b, &back); err != nil || !reflect.DeepEqual(back.Fst, res.Fst) {
		t.Errorf("JSON round trip of the Fst pairs: %+v, want %+v (err %v)", back.Fst, res.Fst, err)
	}
	nan := FstPair{A: "A", B: "B", Z: math.NaN()}
	if b, err := json.Marshal(nan); err != nil || !strings.Contains(string(b), `"z":null`) {
		t.Errorf("NaN z in JSON: %s, %v", b, err)
	}
	g := populationGroup(res)
	row := g.Rows[len(g.Rows)-1]
	if row.Name != "fst[A|B]" || !strings.Contains(row.ValueS, " ± ") || !strings.Contains(row.FloorS, " ± ") || !strings.HasPrefix(row.RatioS, "z = ") ||
		!strings.Contains(row.Description, "z = ") {
		t.Errorf("HTML row %s: %q, %q, %q; %s", row.Name, row.ValueS, row.FloorS, row.RatioS, row.Description)
	}
}
