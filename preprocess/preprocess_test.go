package preprocess

import (
	"errors"
	"fmt"
	"math"
	"math/big"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gousynth/gousynth/vcf"
)

// randomGenotypes draws n diploid unphased samples × m sites with the given
// ALT frequencies cycling over freqs and a missing rate.
func randomGenotypes(n, m int, freqs []float64, miss float64, seed uint64) *vcf.Genotypes {
	rng := rand.New(rand.NewPCG(seed, 1))
	g := &vcf.Genotypes{}
	for s := 0; s < n; s++ {
		g.Samples = append(g.Samples, fmt.Sprintf("S%03d", s))
	}
	for v := 0; v < m; v++ {
		g.Sites = append(g.Sites, vcf.Site{Chrom: "1", Pos: 100 + 10*v, ID: fmt.Sprintf("v%d", v), Ref: "A", Alt: "C"})
		f := freqs[v%len(freqs)]
		for s := 0; s < n; s++ {
			d := int8(0)
			if rng.Float64() < f {
				d++
			}
			if rng.Float64() < f {
				d++
			}
			if rng.Float64() < miss {
				d = vcf.Missing
			}
			g.Dosage = append(g.Dosage, d)
		}
	}
	return g
}

func TestReadPanel(t *testing.T) {
	p, err := ReadPanel(filepath.Join("..", "testdata", "1kg_phase3_samples.panel"))
	if err != nil {
		t.Fatal(err)
	}
	if p.Len() != 2535 { // the integrated panel lists 2535 samples (2504 in the VCF)
		t.Errorf("Len = %d, want 2535", p.Len())
	}
	if e, ok := p.Lookup("HG00096"); !ok || e.Pop != "GBR" || e.SuperPop != "EUR" {
		t.Errorf("HG00096 = %+v, %v", e, ok)
	}
	for _, tc := range []struct{ name, text, want string }{
		{"short line", "sample\tpop\tsuper_pop\nA\tX\tY\nB\tX\n", "p:3: bad panel file: want at least 3 columns"},
		{"duplicate", "A X Y\nA X Y\n", `p:2: bad panel file: sample "A" listed twice`},
		{"empty", "sample pop super_pop\n", "p: bad panel file: no samples"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParsePanel(strings.NewReader(tc.text), "p")
			if err == nil || !strings.HasPrefix(err.Error(), tc.want) || !errors.Is(err, ErrBadPanel) {
				t.Errorf("err = %v, want prefix %q", err, tc.want)
			}
		})
	}
	if _, err := ReadPanel("/nonexistent.panel"); err == nil || !strings.Contains(err.Error(), "/nonexistent.panel") {
		t.Errorf("missing file: %v", err)
	}
}

func FuzzParsePanel(f *testing.F) {
	f.Add("sample pop super_pop gender\nA B C male\n")
	f.Add("A\tB\n")
	f.Add("#x\n\n A B C\n")
	f.Fuzz(func(t *testing.T, s string) {
		p, err := ParsePanel(strings.NewReader(s), "fuzz")
		if err == nil && p.Len() == 0 {
			t.Error("success with an empty panel")
		}
		if err != nil && !strings.HasPrefix(err.Error(), "fuzz") {
			t.Errorf("error does not name the input: %v", err)
		}
	})
}

// hweBrute is the exact HWE p-value by direct enumeration of the
// heterozygote-count distribution given the allele counts (Levene 1949):
// P(het) = n! / (AA! het! BB!) · 2^het · nA! nB! / (2n)!, in exact rationals.
func hweBrute(het, aa, bb int) float64 {
	n := het + aa + bb
	nA := 2*aa + het
	nB := 2*bb + het
	fact := func(k int) *big.Int { return new(big.Int).MulRange(1, int64(max(k, 1))) }
	prob := func(h int) *big.Rat {
		a, b := (nA-h)/2, (nB-h)/2
		num := new(big.Int).Mul(fact(n), new(big.Int).Lsh(big.NewInt(1), uint(h)))
		num.Mul(num, fact(nA))
		num.Mul(num, fact(nB))
		den := new(big.Int).Mul(fact(a), fact(h))
		den.Mul(den, fact(b))
		den.Mul(den, fact(2*n))
		return new(big.Rat).SetFrac(num, den)
	}
	obs := prob(het)
	p := new(big.Rat)
	for h := nA % 2; h <= min(nA, nB); h += 2 {
		if q := prob(h); q.Cmp(obs) <= 0 {
			p.Add(p, q)
		}
	}
	f, _ := p.Float64()
	return f
}

func TestHWEExact(t *testing.T) {
	for _, c := range [][3]int{{0, 50, 0}, {50, 0, 0}, {10, 20, 5}, {1, 0, 0}, {3, 30, 20}, {40, 20, 10}, {0, 25, 25}, {57, 14, 29}} {
		got := HWEExact(c[0], c[1], c[2])
		want := 1.0
		if c[0]+2*min(c[1], c[2]) > 0 {
			want = hweBrute(c[0], c[1], c[2])
		}
		if math.Abs(got-want) > 1e-9*math.Max(want, 1e-300) && math.Abs(got-want) > 1e-12 {
			t.Errorf("HWEExact%v = %v, want %v", c, got, want)
		}
	}
}

func TestFilter(t *testing.T) {
	g := randomGenotypes(200, 40, []float64{0, 0.003, 0.02, 0.3, 0.6, 0.995}, 0.02, 4)
	g.Sites[7].Alt = "AT"    // indel
	g.Sites[8].Alt = "<DEL>" // symbolic
	// Sample 3 is mostly missing; site 11 is half missing.
	for v := 0; v < g.NumSites(); v++ {
		if v%3 != 0 {
			g.Dosage[v*200+3] = vcf.Missing
		}
	}
	for s := 0; s < 100; s++ {
		g.Dosage[11*200+s] = vcf.Missing
	}
	opts := FilterOptions{MinMAF: 0.01, MaxSiteMissing: 0.1, MaxSampleMissing: 0.2, BiallelicSNPsOnly: true}
	out, log, err := Filter(g, opts)
	if err != nil {
		t.Fatal(err)
	}
	// Independent expectation by direct counting.
	var keepSamples []int
	for s := 0; s < 200; s++ {
		miss := 0
		for v := 0; v < g.NumSites(); v++ {
			if g.Sites[v].Alt == "C" && g.At(v, s) < 0 {
				miss++
			}
		}
		if float64(miss) <= 0.2*38 {
			keepSamples = append(keepSamples, s)
		}
	}
	var keepSites []string
	for v := 0; v < g.NumSites(); v++ {
		if g.Sites[v].Alt != "C" {
			continue
		}
		var miss, alt, called int
		for _, s := range keepSamples {
			d := g.At(v, s)
			if d < 0 {
				miss++
				continue
			}
			alt += int(d)
			called += 2
		}
		maf := math.Min(float64(alt), float64(called-alt)) / float64(called)
		if float64(miss) <= 0.1*float64(len(keepSamples)) && maf >= 0.01 {
			keepSites = append(keepSites, g.Sites[v].ID)
		}
	}
	if out.NumSamples() != len(keepSamples) || len(keepSamples) != 199 {
		t.Errorf("%d samples kept, want %d (199)", out.NumSamples(), len(keepSamples))
	}
	var got []string
	for _, s := range out.Sites {
		got = append(got, s.ID)
	}
	if strings.Join(got, ",") != strings.Join(keepSites, ",") {
		t.Errorf("sites kept %v, want %v", got, keepSites)
	}
	for i, s := range keepSamples {
		if out.Samples[i] != g.Samples[s] {
			t.Fatalf("sample %d = %s, want %s", i, out.Samples[i], g.Samples[s])
		}
	}
	wantSteps := []string{"--snps-only", "--mind", "--geno", "--maf"}
	if len(log.Steps) != len(wantSteps) {
		t.Fatalf("log %v", log)
	}
	for i, st := range log.Steps {
		if st.Name != wantSteps[i] {
			t.Errorf("step %d = %s, want %s", i, st.Name, wantSteps[i])
		}
	}
	if log.Steps[0].Removed != 2 || log.Steps[1].Removed != 1 || log.Steps[1].Unit != "samples" {
		t.Errorf("log:\n%s", log)
	}
	if !strings.Contains(log.String(), "--snps-only: 2 variants removed due to not a biallelic SNP (38 remaining).") {
		t.Errorf("log text:\n%s", log)
	}

	// All filtered out: a clear error.
	mono := randomGenotypes(10, 5, []float64{0}, 0, 1)
	if _, _, err := Filter(mono, FilterOptions{MinMAF: 0.01}); !errors.Is(err, ErrNothingLeft) || !strings.Contains(err.Error(), "--maf removed all 5 variants") {
		t.Errorf("err = %v", err)
	}
	if _, _, err := Filter(g, FilterOptions{MinMAF: 0.7}); !errors.Is(err, ErrBadOption) {
		t.Errorf("MAF 0.7: err = %v", err)
	}
}

func TestFilterHWE(t *testing.T) {
	g := randomGenotypes(100, 10, []float64{0.3}, 0, 2)
	// Site 0: all heterozygous, far from HWE.
	for s := 0; s < 100; s++ {
		g.Dosage[s] = 1
	}
	out, _, err := Filter(g, FilterOptions{HWEPValue: 1e-6})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range out.Sites {
		if s.ID == "v0" {
			t.Error("all-het site kept")
		}
	}
	for v := 1; v < 10; v++ {
		c := CountSite(g, v)
		kept := false
		for _, s := range out.Sites {
			kept = kept || s.ID == g.Sites[v].ID
		}
		if kept != (HWEExact(c.Het, c.HomRef, c.HomAlt) >= 1e-6) {
			t.Errorf("site %d kept = %v", v, kept)
		}
	}
}

func TestImpute(t *testing.T) {
	g := &vcf.Genotypes{
		Sites:   []vcf.Site{{ID: "a"}, {ID: "b"}, {ID: "c"}},
		Samples: []string{"x", "y", "z", "w"},
		Dosage: []int8{
			0, 1, 2, vcf.Missing, // mean 1
			2, 2, 1, vcf.Missing, // mean 5/3 → 2
			vcf.Missing, vcf.Missing, vcf.Missing, vcf.Missing, // no calls → 0
		},
	}
	m := Matrix(g)
	if r, c := m.Dims(); r != 4 || c != 3 {
		t.Fatalf("dims %d×%d", r, c)
	}
	if m.At(3, 0) != 1 || math.Abs(m.At(3, 1)-5.0/3) > 1e-15 || m.At(0, 2) != 0 || m.At(2, 1) != 1 {
		t.Errorf("matrix %v", m.RawMatrix().Data)
	}
	imp, n := ImputeMean(g)
	if n != 6 || imp.At(0, 3) != 1 || imp.At(1, 3) != 2 || imp.At(2, 0) != 0 || g.At(0, 3) != vcf.Missing {
		t.Errorf("imputed %v (%d), original changed: %v", imp.Dosage, n, g.Dosage[3])
	}
}

func TestSplit(t *testing.T) {
	panel, err := ReadPanel(filepath.Join("..", "testdata", "1kg_phase3_samples.panel"))
	if err != nil {
		t.Fatal(err)
	}
	samples := panel.Samples()
	tr1, te1, err := Split(samples, 0.3, 7, panel)
	if err != nil {
		t.Fatal(err)
	}
	tr2, te2, _ := Split(samples, 0.3, 7, panel)
	_, te3, _ := Split(samples, 0.3, 8, panel)
	if fmt.Sprint(tr1, te1) != fmt.Sprint(tr2, te2) {
		t.Error("same seed, different split")
	}
	if fmt.Sprint(te1) == fmt.Sprint(te3) {
		t.Error("different seeds, same split")
	}
	if len(tr1)+len(te1) != len(samples) {
		t.Fatalf("split loses samples")
	}
	seen := map[int]bool{}
	for _, i := range append(append([]int{}, tr1...), te1...) {
		if seen[i] {
			t.Fatalf("index %d twice", i)
		}
		seen[i] = true
	}
	// Stratification: each population's test share is 0.3 up to rounding.
	total, inTest := map[string]int{}, map[string]int{}
	for _, s := range samples {
		total[panel.Pop(s)]++
	}
	for _, i := range te1 {
		inTest[panel.Pop(samples[i])]++
	}
	for pop, n := range total {
		if want := math.Round(0.3 * float64(n)); float64(inTest[pop]) != want {
			t.Errorf("%s: %d of %d in test, want %v", pop, inTest[pop], n, want)
		}
	}
	// Unstratified.
	tr, te, err := Split(samples[:100], 0.25, 1, nil)
	if err != nil || len(te) != 25 || len(tr) != 75 {
		t.Errorf("unstratified: %d/%d %v", len(tr), len(te), err)
	}
	if _, _, err := Split(samples, 1, 1, nil); !errors.Is(err, ErrBadOption) {
		t.Errorf("fraction 1: %v", err)
	}
	if _, _, err := Split([]string{"NOPE", "HG00096"}, 0.5, 1, panel); err == nil || !strings.Contains(err.Error(), `"NOPE"`) {
		t.Errorf("unknown sample: %v", err)
	}
	a, _ := Subsample(100, 10, 3)
	b, _ := Subsample(100, 10, 3)
	c, _ := Subsample(100, 10, 4)
	if fmt.Sprint(a) != fmt.Sprint(b) || fmt.Sprint(a) == fmt.Sprint(c) || len(a) != 10 {
		t.Errorf("Subsample %v %v %v", a, b, c)
	}
}

func TestSelectAndSubset(t *testing.T) {
	g := randomGenotypes(5, 100, []float64{0.4}, 0, 9)
	g.Phased = true
	g.Haplotypes = make([]int8, 2*len(g.Dosage))
	for i, d := range g.Dosage {
		g.Haplotypes[2*i] = min(d, 1)
		g.Haplotypes[2*i+1] = d - min(d, 1)
	}
	w, _, err := SelectSNPs(g, SelectOptions{WindowStart: 10, WindowSNPs: 20})
	if err != nil || w.NumSites() != 20 || w.Sites[0].ID != "v10" || w.Row(0)[2] != g.Row(10)[2] {
		t.Fatalf("window: %v %v", err, w.Sites[0])
	}
	th, _, _ := SelectSNPs(g, SelectOptions{ThinBP: 25}) // sites 10 bp apart: keep every third
	if th.NumSites() != 34 || th.Sites[1].ID != "v3" {
		t.Errorf("thin: %d sites, second %s", th.NumSites(), th.Sites[1].ID)
	}
	r1, _, _ := SelectSNPs(g, SelectOptions{Random: 10, Seed: 1})
	r2, _, _ := SelectSNPs(g, SelectOptions{Random: 10, Seed: 1})
	r3, _, _ := SelectSNPs(g, SelectOptions{Random: 10, Seed: 2})
	if fmt.Sprint(r1.Sites) != fmt.Sprint(r2.Sites) || fmt.Sprint(r1.Sites) == fmt.Sprint(r3.Sites) || r1.NumSites() != 10 {
		t.Error("random selection not seed-determined")
	}
	if _, _, err := SelectSNPs(g, SelectOptions{WindowStart: 90, WindowSNPs: 20}); !errors.Is(err, ErrBadOption) {
		t.Errorf("window past end: %v", err)
	}
	sub := SubsetSamples(g, []int{4, 1})
	for v := 0; v < g.NumSites(); v++ {
		if sub.At(v, 0) != g.At(v, 4) || sub.At(v, 1) != g.At(v, 1) || sub.HapRow(v)[1] != g.HapRow(v)[9] {
			t.Fatalf("SubsetSamples wrong at site %d", v)
		}
	}
	if sub.Samples[0] != "S004" {
		t.Errorf("samples %v", sub.Samples)
	}
}

func TestTwoColumnPanel(t *testing.T) {
	p, err := ParsePanel(strings.NewReader("sample\tpop\nA\tPOP1\nB POP2\n"), "p")
	if err != nil {
		t.Fatal(err)
	}
	if e, _ := p.Lookup("B"); e.Pop != "POP2" || e.SuperPop != "POP2" {
		t.Errorf("B: %+v, want pop and super_pop POP2", e)
	}
	if _, err := ParsePanel(strings.NewReader("A\tPOP1\nB\n"), "p"); err == nil || !strings.Contains(err.Error(), "p:2:") {
		t.Errorf("one-column line: %v", err)
	}
}
