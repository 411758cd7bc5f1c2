package report

import (
	"encoding/json"
	"errors"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/gousynth/gousynth/metrics"
	"github.com/gousynth/gousynth/preprocess"
	"github.com/gousynth/gousynth/vcf"
)

func near(t *testing.T, name string, got, want, tol float64) {
	t.Helper()
	if math.Abs(got-want) > tol || math.IsNaN(got) {
		t.Errorf("%s = %.10g, want %.10g ± %g", name, got, want, tol)
	}
}

func TestCovCorrMetricsMatchGonumStat(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	af := baseFreqs(rng, 12)
	g, _ := simCohort(rng, 80, 12, 4, 0.8, af)
	x, _ := simCohort(rng, 50, 12, 4, 0.3, af)
	// Make one synthetic site monomorphic: its correlations count as 0.
	for s := 0; s < 50; s++ {
		x.Dosage[3*50+s] = 0
	}
	ms := paperMetrics(cohort{g, metrics.NewMatrix(g)}, cohort{x, metrics.NewMatrix(x)}, nil, 50, 1, metrics.NewCovCorrFrobenius(metrics.NewMatrix(g)))
	get := func(name string) float64 {
		for _, m := range ms {
			if m.Name == name {
				return m.Value
			}
		}
		t.Fatalf("no metric %s", name)
		return 0
	}
	covOf := func(h *vcf.Genotypes, corr bool) *mat.Dense {
		f := metrics.NewMatrix(h)
		st := metrics.ColumnStats(f)
		c := mat.NewDense(f.D, f.D, nil)
		for i := 0; i < f.D; i++ {
			for j := 0; j < f.D; j++ {
				s := 0.0
				for k := 0; k < f.N; k++ {
					s += (f.Data[k*f.D+i] - st.Mean[i]) * (f.Data[k*f.D+j] - st.Mean[j])
				}
				s /= float64(f.N - 1)
				if corr {
					if st.SD[i] == 0 || st.SD[j] == 0 {
						s = 0
					} else {
						s /= st.SD[i] * st.SD[j]
					}
				}
				c.Set(i, j, s)
			}
		}
		return c
	}
	for _, corr := range []bool{false, true} {
		var diff mat.Dense
		diff.Sub(covOf(x, corr), covOf(g, corr))
		name := "cov_frobenius"
		if corr {
			name = "corr_frobenius"
		}
		near(t, name, get(name), mat.Norm(&diff, 2), 1e-9)
	}
	// Mean and std error against a direct computation.
	fx, fg := metrics.NewMatrix(x), metrics.NewMatrix(g)
	sx, sg := metrics.ColumnStats(fx), metrics.ColumnStats(fg)
	me, se := 0.0, 0.0
	for j := 0; j < 12; j++ {
		me += math.Abs(sx.Mean[j]-sg.Mean[j]) / 12
		se += math.Abs(sx.SD[j]-sg.SD[j]) / 12
	}
	near(t, "mean_error", get("mean_error"), me, 1e-12)
	near(t, "std_error", get("std_error"), se, 1e-12)
}

func TestPCAMatchesExactEigen(t *testing.T) {
	rng := rand.New(rand.NewPCG(13, 14))
	g, _ := simCohort(rng, 120, 40, 5, 0.7, baseFreqs(rng, 40))
	f := metrics.NewMatrix(g)
	p, err := fitPCA(f, 3, 1)
	if err != nil {
		t.Fatal(err)
	}
	z := p.Standardise(f)
	var cov mat.SymDense
	cov.SymOuterK(1, z.T())
	var eig mat.EigenSym
	if !eig.Factorize(&cov, true) {
		t.Fatal("eigen")
	}
	vals := eig.Values(nil)
	var vecs mat.Dense
	eig.VectorsTo(&vecs)
	total := 0.0
	for _, v := range vals {
		total += v
	}
	for a := 0; a < 3; a++ {
		c := len(vals) - 1 - a
		near(t, "variance fraction", p.VarFrac[a], vals[c]/total, 1e-6)
		dot := 0.0
		for j := 0; j < 40; j++ {
			dot += vecs.At(j, c) * p.Axes.At(j, a)
		}
		near(t, "|cos(axis, exact)|", math.Abs(dot), 1, 1e-5)
	}
}

func TestBlockR2AveragesLDMatrix(t *testing.T) {
	rng := rand.New(rand.NewPCG(15, 16))
	g, _ := simCohort(rng, 60, 7, 7, 0.8, baseFreqs(rng, 7))
	full, err := blockR2(g, 7)
	if err != nil {
		t.Fatal(err)
	}
	blocks, err := blockR2(g, 3) // cells: sites {0,1,2}, {3,4}, {5,6}
	if err != nil {
		t.Fatal(err)
	}
	want := 0.0
	for _, i := range []int{0, 1, 2} {
		for _, j := range []int{5, 6} {
			want += full[i*7+j] / 6
		}
	}
	near(t, "block (0,2)", blocks[0*3+2], want, 1e-12)
	near(t, "block (2,0)", blocks[2*3+0], want, 1e-12)
	near(t, "diagonal of full", full[3*7+3], 1, 0)
}

// fixture: training, test and a simulated "synthetic" cohort with LD.
func fixture(t testing.TB, n, d int) (train, test *vcf.Genotypes, pops []string) {
	rng := rand.New(rand.NewPCG(21, 22))
	g, pops := simCohort(rng, n, d, 10, 0.9, baseFreqs(rng, d))
	k := n * 7 / 10
	train, test = splitCohort(g, k)
	return train, test, pops[k:]
}

func TestEvaluateSelfIsZeroError(t *testing.T) {
	train, test, _ := fixture(t, 300, 60)
	m, err := Evaluate(test, test, train, Options{Seed: 1, Projections: 50, LDWindowSNPs: 20})
	if err != nil {
		t.Fatal(err)
	}
	for _, x := range slices.Concat(m.Paper, m.Structure) {
		near(t, x.Name, x.Value, 0, 1e-9)
	}
	for _, x := range m.Genetics {
		switch x.Name {
		case "af_r2", "ld_r2_corr":
			near(t, x.Name, x.Value, 1, 1e-12)
		default:
			near(t, x.Name, x.Value, 0, 1e-12)
		}
	}
	if m.EvalSize != test.NumSamples() {
		t.Errorf("eval size %d, want %d", m.EvalSize, test.NumSamples())
	}
	// The floor of a real subset is not zero, and every ratio is defined.
	if x, _ := m.Get("cov_frobenius"); !(x.Floor > 0) || x.Ratio > 1e-9 {
		t.Errorf("cov_frobenius floor %g ratio %g", x.Floor, x.Ratio)
	}
}

func TestEvaluateCopiesOfTraining(t *testing.T) {
	train, test, _ := fixture(t, 300, 60)
	m, err := Evaluate(test, train, train, Options{Seed: 2, Projections: 50, LDWindowSNPs: 20})
	if err != nil {
		t.Fatal(err)
	}
	imr, _ := m.Get("identical_match_rate")
	near(t, "identical_match_rate", imr.Value, 1, 0)
	near(t, "identical_match_rate floor", imr.Floor, 0, 0)
	aats, _ := m.Get("aats")
	near(t, "AATS of copies", aats.Value, 0, 0.02)
	near(t, "AATS of held-out real", aats.Floor, 0.5, 0.15)
	mia, _ := m.Get("mia_auc")
	if mia.Value < 0.95 {
		t.Errorf("membership-inference AUC of copies = %g, want ≈ 1", mia.Value)
	}
	// Every individual has its copy at distance 0, nearer than any other.
	for _, name := range []string{"aa_train", "aa_synth"} {
		x, _ := m.Get(name)
		near(t, name+" of copies", x.Value, 0, 0)
		near(t, name+" of held-out real", x.Floor, 0.5, 0.25)
	}
	kin, _ := m.Get("kinship_related_share")
	near(t, "kinship_related_share of copies", kin.Value, 1, 0)
	kmax, _ := m.Get("kinship_max")
	near(t, "kinship_max of copies", kmax.Value, 0.5, 1e-12)
	if r, _ := m.Get("ratio_mia_auc"); r.Value < 0.95 {
		t.Errorf("distance-ratio membership-inference AUC of copies = %g, want ≈ 1", r.Value)
	}
	if v := m.Verdicts[len(m.Verdicts)-1]; v.Area != "Privacy" || v.Verdict != "poor" {
		t.Errorf("privacy verdict %+v, want poor", v)
	}
}

func TestEvaluateIndependentSNPs(t *testing.T) {
	train, test, _ := fixture(t, 600, 80)
	synth := independentSNPs(rand.New(rand.NewPCG(1, 1)), train, 400)
	m, err := Evaluate(test, synth, train, Options{Seed: 3, Projections: 50, LDWindowSNPs: 5})
	if err != nil {
		t.Fatal(err)
	}
	af, _ := m.Get("af_r2")
	if af.Value < 0.95 || af.Ratio > 2 {
		t.Errorf("allele-frequency r² %g (floor %g, ratio %g): want close to the floor", af.Value, af.Floor, af.Ratio)
	}
	me, _ := m.Get("mean_error")
	if me.Ratio > 2 {
		t.Errorf("mean error %g is %g× the floor", me.Value, me.Ratio)
	}
	ldm, _ := m.Get("ld_r2_mae")
	ldc, _ := m.Get("ld_r2_corr")
	if ldc.Value > 0.2 || ldc.Floor < 0.8 {
		t.Errorf("LD r² correlation %g (floor %g): want ≈ 0 for independent SNPs, high for real ones", ldc.Value, ldc.Floor)
	}
	if ldm.Ratio < FairRatio {
		t.Errorf("LD r² error %g only %g× the floor %g: independent SNPs should lose LD", ldm.Value, ldm.Ratio, ldm.Floor)
	}
	if v := m.Verdicts[0]; v.Area != "LD" || v.Verdict != "poor" {
		t.Errorf("LD verdict %+v, want poor", v)
	}
	if v := m.Verdicts[1]; v.Area != "Allele frequencies" || v.Verdict != "good" {
		t.Errorf("allele-frequency verdict %+v, want good", v)
	}
}

func TestEvaluateWithoutTraining(t *testing.T) {
	_, test, _ := fixture(t, 200, 30)
	m, err := Evaluate(test, test, nil, Options{Seed: 1, Projections: 20, LDWindowSNPs: 10})
	if err != nil {
		t.Fatal(err)
	}
	if m.PrivacyAssessed || m.FloorAssessed || len(m.Privacy) != 0 || len(m.Notes) == 0 {
		t.Errorf("privacy %v floor %v metrics %d notes %q", m.PrivacyAssessed, m.FloorAssessed, len(m.Privacy), m.Notes)
	}
	x, _ := m.Get("cov_frobenius")
	if !math.IsNaN(x.Floor) || !math.IsNaN(x.Ratio) {
		t.Errorf("floor %g ratio %g, want NaN", x.Floor, x.Ratio)
	}
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	var back Metrics
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if y, _ := back.Get("cov_frobenius"); !math.IsNaN(y.Floor) || y.Value != x.Value {
		t.Errorf("JSON round trip: %+v, want %+v", y, x)
	}
}

func TestEvaluateSiteMismatch(t *testing.T) {
	train, test, _ := fixture(t, 100, 20)
	bad := preprocess.SubsetSamplesShared(test, iota(test.NumSamples()))
	bad = &vcf.Genotypes{Sites: slices.Clone(bad.Sites), Samples: bad.Samples, Dosage: bad.Dosage}
	bad.Sites[7].Pos++
	_, err := Evaluate(test, bad, train, Options{})
	if !errors.Is(err, ErrSiteMismatch) {
		t.Fatalf("err = %v, want ErrSiteMismatch", err)
	}
	if want := "site 8 differs: test cohort has 1:8000 A>G, synthetic cohort has 1:8001 A>G"; !strings.Contains(err.Error(), want) {
		t.Errorf("error %q does not contain %q", err, want)
	}
}

func TestEvaluateDeterministic(t *testing.T) {
	train, test, _ := fixture(t, 200, 40)
	synth := independentSNPs(rand.New(rand.NewPCG(2, 2)), train, 300)
	var out [2][]byte
	for i := range out {
		m, err := Evaluate(test, synth, train, Options{Seed: 9, Projections: 30, LDWindowSNPs: 10})
		if err != nil {
			t.Fatal(err)
		}
		m.Version = ""
		out[i], _ = json.Marshal(m)
	}
	if string(out[0]) != string(out[1]) {
		t.Error("same seed and inputs gave different metrics")
	}
}

func TestComplement(t *testing.T) {
	if got := complement([]int{0, 2, 3}, 6); !slices.Equal(got, []int{1, 4, 5}) {
		t.Errorf("complement = %v", got)
	}
}

func TestEvaluateWithMissingCallsAndMonomorphicSites(t *testing.T) {
	train, test, _ := fixture(t, 300, 50)
	rng := rand.New(rand.NewPCG(4, 4))
	synth := independentSNPs(rng, train, 150)
	for _, g := range []*vcf.Genotypes{train, test, synth} {
		g.Dosage = slices.Clone(g.Dosage)
		for i := range g.Dosage {
			if rng.IntN(20) == 0 {
				g.Dosage[i] = vcf.Missing
			}
		}
	}
	n := synth.NumSamples()
	for s := 0; s < n; s++ { // site 3 monomorphic in the synthetic cohort
		synth.Dosage[3*n+s] = 0
	}
	m, err := Evaluate(test, synth, train, Options{Seed: 5, Projections: 30, LDWindowSNPs: 10})
	if err != nil {
		t.Fatal(err)
	}
	for _, x := range slices.Concat(m.Paper, m.Genetics, m.Structure, m.Privacy) {
		if math.IsNaN(x.Value) || math.IsInf(x.Value, 0) {
			t.Errorf("%s = %g", x.Name, x.Value)
		}
	}
	var buf strings.Builder
	if err := WriteHTML(&buf, m, HTMLOptions{}); err != nil {
		t.Fatal(err)
	}
}

// TestEvaluateWithoutHeldOut: a model trained on every individual (no test
// cohort) is compared with its training individuals, without a floor; the
// privacy checks that need non-members are NaN and the verdicts say so,
// while the absolute ones still find copies.
func TestEvaluateWithoutHeldOut(t *testing.T) {
	train, _, _ := fixture(t, 300, 40)
	m, err := Evaluate(nil, train, train, Options{Seed: 2, Projections: 20, LDWindowSNPs: 10})
	if err != nil {
		t.Fatal(err)
	}
	if m.NumTest != 0 || m.FloorAssessed || !m.PrivacyAssessed || !slices.Contains(m.Notes, NoHeldOutNote) {
		t.Errorf("num_test %d, floor %v, privacy %v, notes %q", m.NumTest, m.FloorAssessed, m.PrivacyAssessed, m.Notes)
	}
	// The synthetic cohort is the training cohort: its errors against the
	// training individuals are 0.
	if x, _ := m.Get("mean_error"); x.Value > 1e-12 || !math.IsNaN(x.Floor) {
		t.Errorf("mean_error %g floor %g, want 0 and NaN", x.Value, x.Floor)
	}
	for _, name := range []string{"mia_auc", "ratio_mia_auc"} {
		if x, _ := m.Get(name); !math.IsNaN(x.Value) {
			t.Errorf("%s = %g without non-members, want NaN", name, x.Value)
		}
	}
	if x, _ := m.Get("identical_match_rate"); x.Value != 1 {
		t.Errorf("identical_match_rate of copies %g, want 1", x.Value)
	}
	for _, v := range m.Verdicts {
		switch {
		case v.Area == "Privacy":
			if v.Verdict != "poor" || !strings.Contains(v.Reason, "exact copies") || !strings.Contains(v.Reason, "not available: no held-out individuals") {
				t.Errorf("privacy verdict %+v", v)
			}
		case v.Verdict != "not assessed" || !strings.Contains(v.Reason, "no held-out individuals"):
			t.Errorf("%s verdict %+v, want not assessed for want of held-out individuals", v.Area, v)
		}
	}
	if _, err := json.Marshal(m); err != nil {
		t.Fatal(err)
	}
	if _, err := Evaluate(nil, train, nil, Options{}); !errors.Is(err, ErrTooFew) {
		t.Errorf("neither test nor training cohort: %v, want ErrTooFew", err)
	}
}
