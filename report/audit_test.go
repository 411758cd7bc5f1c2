package report

import (
	"bytes"
	"encoding/json"
	"errors"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/gousynth/gousynth/metrics"
	"github.com/gousynth/gousynth/preprocess"
	"github.com/gousynth/gousynth/vcf"
)

// TestRunAudit: copies of the training cohort fail every check; a fresh
// sample of the same population (held-out individuals standing in for a
// perfect generator) passes; without held-out individuals the attacks are
// not run and the verdict says so.
func TestRunAudit(t *testing.T) {
	train, test, _ := fixture(t, 400, 60)
	fresh, rest := splitCohort(test, 60)
	for _, c := range []struct {
		name        string
		synth, test *vcf.Genotypes
		verdict     string
		attacks     int
		say         string
	}{
		{"copies", train, test, "poor", 3, "exact copies"},
		{"fresh real individuals", fresh, rest, "good", 3, "in line with held-out"},
		{"no held-out individuals", fresh, nil, "fair", 0, "membership inference not assessed"},
	} {
		t.Run(c.name, func(t *testing.T) {
			a, err := RunAudit(train, c.synth, c.test, AuditOptions{Seed: 3})
			if err != nil {
				t.Fatal(err)
			}
			if a.Verdict != c.verdict || len(a.Attacks) != c.attacks {
				t.Errorf("verdict %s with %d attacks, want %s with %d; reasons %q", a.Verdict, len(a.Attacks), c.verdict, c.attacks, a.Reasons)
			}
			if !strings.Contains(strings.Join(a.Reasons, "; "), c.say) {
				t.Errorf("reasons %q do not say %q", a.Reasons, c.say)
			}
			for _, at := range a.Attacks {
				if n := len(at.ROC); n < 2 || at.ROC[0] != (metrics.ROCPoint{FPR: 0, TPR: 0}) || at.ROC[n-1] != (metrics.ROCPoint{FPR: 1, TPR: 1}) {
					t.Errorf("%s: ROC %v does not run from (0,0) to (1,1)", at.Name, at.ROC)
				}
			}
			var buf bytes.Buffer
			if err := a.WriteJSON(&buf); err != nil {
				t.Fatal(err)
			}
			var back struct {
				Verdict string   `json:"verdict"`
				Metrics []Metric `json:"metrics"`
			}
			if err := json.Unmarshal(buf.Bytes(), &back); err != nil || back.Verdict != a.Verdict || len(back.Metrics) != len(a.Metrics) {
				t.Errorf("JSON round trip: %v, verdict %q, %d metrics", err, back.Verdict, len(back.Metrics))
			}
			buf.Reset()
			if err := a.WriteText(&buf); err != nil || !strings.Contains(buf.String(), "verdict: "+c.verdict) {
				t.Errorf("text output (%v):\n%s", err, buf.String())
			}
		})
	}
}

func TestRunAuditErrors(t *testing.T) {
	train, test, _ := fixture(t, 100, 30)
	for _, c := range []struct {
		name               string
		train, synth, test *vcf.Genotypes
		want               error
	}{
		{"other sites", train, preprocess.SubsetSites(test, iota(20)), nil, ErrSiteMismatch},
		{"test on other sites", train, test, preprocess.SubsetSites(test, iota(20)), ErrSiteMismatch},
		{"one synthetic individual", train, preprocess.SubsetSamplesShared(test, []int{0}), nil, ErrTooFew},
		{"no training cohort", nil, test, nil, ErrTooFew},
	} {
		t.Run(c.name, func(t *testing.T) {
			if _, err := RunAudit(c.train, c.synth, c.test, AuditOptions{}); !errors.Is(err, c.want) {
				t.Errorf("error %v, want %v", err, c.want)
			}
		})
	}
}

func TestRestrictToSites(t *testing.T) {
	train, _, _ := fixture(t, 20, 30)
	keep := []int{2, 5, 6, 29}
	sub := preprocess.SubsetSites(train, keep)
	got, err := RestrictToSites(train, sub.Sites, "train")
	if err != nil {
		t.Fatal(err)
	}
	if err := SameSites(got, sub, "got", "want"); err != nil || !slices.Equal(got.Dosage, sub.Dosage) {
		t.Errorf("restricted cohort differs: %v", err)
	}
	if same, _ := RestrictToSites(train, train.Sites, "train"); same != train {
		t.Error("restricting to all sites copied the cohort")
	}
	reversed := []vcf.Site{train.Sites[5], train.Sites[2]}
	if _, err := RestrictToSites(train, reversed, "train"); !errors.Is(err, ErrSiteMismatch) {
		t.Errorf("sites out of order: error %v, want ErrSiteMismatch", err)
	}
}

// TestPrivacyFindingsKinship: how the kinship share enters the verdict.
func TestPrivacyFindingsKinship(t *testing.T) {
	nan := math.NaN()
	for _, c := range []struct {
		name         string
		value, floor float64
		grade        int
		say          string
	}{
		{"below held-out", 0.01, 0.02, 0, "held-out real 2.00%"},
		{"slightly above", 0.025, 0.02, 1, "held-out real: 2.00%"},
		{"well above", 0.05, 0.02, 2, "held-out real: 2.00%"},
		{"uninformative SNPs", 0.99, 0.96, 0, "kinship not graded"},
		{"no held-out, none related", 0, nan, 0, "no identical matches"},
		{"no held-out, some related", 0.1, nan, 1, "no held-out individuals to compare with"},
	} {
		t.Run(c.name, func(t *testing.T) {
			m := &Metrics{PrivacyAssessed: true, Privacy: []Metric{{Name: "kinship_related_share", Value: c.value, Floor: c.floor}}}
			g, reasons := privacyFindings(m)
			if g != c.grade || !strings.Contains(strings.Join(reasons, "; "), c.say) {
				t.Errorf("grade %d, reasons %q; want %d saying %q", g, reasons, c.grade, c.say)
			}
		})
	}
}

// TestRunAuditModelProbe: a probe that recognises training individuals (its
// score is the distance to the closest of them) is an attack of AUC 1 and
// makes the verdict poor; a probe that knows nothing has AUC 0.5.
func TestRunAuditModelProbe(t *testing.T) {
	train, test, _ := fixture(t, 400, 60)
	fresh, rest := splitCohort(test, 60)
	d := train.NumSites()
	rows := make([][]float64, train.NumSamples())
	for s := range rows {
		rows[s] = make([]float64, d)
		for v := 0; v < d; v++ {
			rows[s][v] = float64(train.Row(v)[s])
		}
	}
	oracle := func(x []float64) float64 {
		best := math.Inf(1)
		for _, r := range rows {
			dist := 0.0
			for j := range x {
				dist += math.Abs(x[j] - r[j])
			}
			best = min(best, dist)
		}
		return best
	}
	blind := func([]float64) float64 { return 1 }
	for _, c := range []struct {
		name    string
		probe   func([]float64) float64
		auc     float64
		verdict string
	}{{"oracle", oracle, 1, "poor"}, {"blind", blind, 0.5, "good"}} {
		t.Run(c.name, func(t *testing.T) {
			a, err := RunAudit(train, fresh, rest, AuditOptions{Seed: 3, ModelProbe: c.probe})
			if err != nil {
				t.Fatal(err)
			}
			x, ok := a.Get("probe_mia_auc")
			if !ok || x.Value != c.auc || a.Verdict != c.verdict || len(a.Attacks) != 4 {
				t.Errorf("probe AUC %v (present %v), verdict %s, %d attacks; want %v, %s, 4; reasons %q", x.Value, ok, a.Verdict, len(a.Attacks), c.auc, c.verdict, a.Reasons)
			}
		})
	}
}

// TestRunAuditModelDensity: a density score that recognises training
// individuals (higher the closer one is) is an attack of AUC 1 and makes the
// verdict poor; a constant score has AUC 0.5. Both attacks of the model file
// are reported when both scores are given.
func TestRunAuditModelDensity(t *testing.T) {
	train, test, _ := fixture(t, 400, 60)
	fresh, rest := splitCohort(test, 60)
	d := train.NumSites()
	rows := make([][]float64, train.NumSamples())
	for s := range rows {
		rows[s] = make([]float64, d)
		for v := 0; v < d; v++ {
			rows[s][v] = float64(train.Row(v)[s])
		}
	}
	oracle := func(x []float64) float64 {
		best := math.Inf(1)
		for _, r := range rows {
			dist := 0.0
			for j := range x {
				dist += math.Abs(x[j] - r[j])
			}
			best = min(best, dist)
		}
		return -best
	}
	blind := func([]float64) float64 { return 1 }
	for _, c := range []struct {
		name    string
		density func([]float64) float64
		auc     float64
		verdict string
	}{{"oracle", oracle, 1, "poor"}, {"blind", blind, 0.5, "good"}} {
		t.Run(c.name, func(t *testing.T) {
			a, err := RunAudit(train, fresh, rest, AuditOptions{Seed: 3, ModelProbe: blind, ModelDensity: c.density})
			if err != nil {
				t.Fatal(err)
			}
			x, ok := a.Get("density_mia_auc")
			if !ok || x.Value != c.auc || a.Verdict != c.verdict || len(a.Attacks) != 5 || a.Attacks[4].Name != "model density" {
				t.Errorf("density AUC %v (present %v), verdict %s, %d attacks; want %v, %s, 5; reasons %q", x.Value, ok, a.Verdict, len(a.Attacks), c.auc, c.verdict, a.Reasons)
			}
		})
	}
	a, err := RunAudit(train, fresh, nil, AuditOptions{Seed: 3, ModelDensity: oracle})
	if err != nil {
		t.Fatal(err)
	}
	if x, ok := a.Get("density_mia_auc"); !ok || !math.IsNaN(x.Value) || len(a.Attacks) != 0 {
		t.Errorf("without held-out individuals: density AUC %v (present %v), %d attacks; want NaN, none", x.Value, ok, len(a.Attacks))
	}
}

// TestRunAuditReference: with an external reference panel the
// allele-frequency attack finds the members whose own frequencies are
// released (the training cohort as "synthetic", 100 members at 2000 sites:
// √d/n = 0.45) and nobody when an independent sample's are, and the audit
// notes the reference.
func TestRunAuditReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(31, 32))
	g, _ := simCohort(rng, 1300, 2000, 10, 0.9, baseFreqs(rng, 2000))
	take := func(lo, hi int) *vcf.Genotypes { return preprocess.SubsetSamplesShared(g, iotaFrom(lo, hi)) }
	train, test, fresh, ref := take(0, 100), take(100, 200), take(200, 300), take(300, 1300)
	for _, c := range []struct {
		name   string
		synth  *vcf.Genotypes
		lo, hi float64
	}{{"training frequencies", train, 0.9, 1}, {"independent sample", fresh, 0.38, 0.62}} {
		a, err := RunAudit(train, c.synth, test, AuditOptions{Seed: 3, Reference: ref})
		if err != nil {
			t.Fatal(err)
		}
		x, ok := a.Get("freq_mia_auc")
		t.Logf("%s: allele-frequency attack AUC %.3f", c.name, x.Value)
		if !ok || x.Value < c.lo || x.Value > c.hi {
			t.Errorf("%s: allele-frequency attack AUC %v (present %v), want in [%g, %g]", c.name, x.Value, ok, c.lo, c.hi)
		}
		if !slices.ContainsFunc(a.Notes, func(n string) bool { return strings.Contains(n, "1000 individuals of the reference cohort") }) {
			t.Errorf("%s: notes %q do not name the reference", c.name, a.Notes)
		}
	}
	if _, err := RunAudit(train, fresh, test, AuditOptions{Reference: preprocess.SubsetSamplesShared(&vcf.Genotypes{Sites: g.Sites[:10], Samples: g.Samples, Dosage: g.Dosage[:10*g.NumSamples()]}, iotaFrom(0, 5))}); err == nil {
		t.Error("a reference on other sites was accepted")
	}
}
