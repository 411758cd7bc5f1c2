package chrom

import (
	"bytes"
	"context"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/gousynth/gousynth/model"
	"github.com/gousynth/gousynth/preprocess"
	"github.com/gousynth/gousynth/synth"
	"github.com/gousynth/gousynth/vcf"
	"gonum.org/v1/gonum/mat"
)

// simulatedPanel simulates cfg's panel and keeps its SNPs of MAF ≥ 0.01.
func simulatedPanel(t testing.TB, cfg synth.PanelConfig, seed uint64) *vcf.Genotypes {
	t.Helper()
	p, err := synth.NewPanel(cfg, seed)
	if err != nil {
		t.Fatal(err)
	}
	g, _, err := p.Genotypes(context.Background(), 0)
	if err != nil {
		t.Fatal(err)
	}
	if g, _, err = preprocess.Filter(g, preprocess.FilterOptions{MinMAF: 0.01, BiallelicSNPsOnly: true}); err != nil {
		t.Fatal(err)
	}
	return g
}

// panel simulates a 1kg-like panel with 3 populations and splits it into
// imputed training and test sets.
func panel(t testing.TB, individuals, snps int, seed uint64) (train, test *vcf.Genotypes) {
	t.Helper()
	cfg := synth.OneKGLikePreset(individuals, snps)
	cfg.Populations, cfg.Fst = 3, 0.05
	g := simulatedPanel(t, cfg, seed)
	tr, te, err := preprocess.Split(g.Samples, 0.3, seed, nil)
	if err != nil {
		t.Fatal(err)
	}
	train, _ = preprocess.ImputeMean(preprocess.SubsetSamples(g, tr))
	test, _ = preprocess.ImputeMean(preprocess.SubsetSamples(g, te))
	return train, test
}

func sitesN(n int, chroms ...int) []vcf.Site {
	var s []vcf.Site
	for i := 0; i < n; i++ {
		c := "1"
		for _, b := range chroms {
			if i >= b {
				c = "2"
			}
		}
		s = append(s, vcf.Site{Chrom: c, Pos: 100 * (i + 1), Ref: "A", Alt: "C"})
	}
	return s
}

func TestCutWindows(t *testing.T) {
	const m, target, ov = 1000, 100, 20
	rng := rand.New(rand.NewPCG(1, 2))
	scores := make([]float64, m-1)
	for i := range scores {
		scores[i] = 0.1 + rng.Float64()
	}
	ws, err := CutWindows(sitesN(m), scores, target, ov)
	if err != nil {
		t.Fatal(err)
	}
	next := 0
	for i, w := range ws {
		if w.Index != i || w.CoreStart != next || w.End <= w.CoreStart {
			t.Fatalf("window %d = %+v does not continue at %d", i, w, next)
		}
		next = w.End
		if i > 0 && w.Overlap() != min(ov, ws[i-1].Core()/2) {
			t.Errorf("window %d overlap %d", i, w.Overlap())
		}
		if i < len(ws)-1 {
			if c := w.Core(); c < target-target/4 || c > target+target/4 {
				t.Errorf("window %d core %d outside [75, 125]", i, c)
			}
		}
	}
	if next != m {
		t.Fatalf("windows end at %d of %d", next, m)
	}
	// A chromosome change is a cut without overlap across it.
	ws, err = CutWindows(sitesN(m, 430), scores, target, ov)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, w := range ws {
		if w.CoreStart == 430 {
			found = true
			if w.Overlap() != 0 {
				t.Errorf("window across the chromosome change has overlap %d", w.Overlap())
			}
		}
		if w.Start < 430 && w.End > 430 {
			t.Errorf("window %+v spans the chromosome change", w)
		}
	}
	if !found {
		t.Error("no cut at the chromosome change")
	}
	// The cuts have the least total score of every admissible cutting into
	// as many windows (brute force on short chromosomes, some of them
	// without an exact tiling), and there are about L/target of them.
	for L := 20; L <= 62; L += 7 {
		const target = 8 // windows of 6 to 10
		sc := scores[:L-1]
		ws, err := CutWindows(sitesN(L), sc, target, 0)
		if err != nil {
			t.Fatal(err)
		}
		var got float64
		for _, w := range ws[1:] {
			got += sc[w.CoreStart-1]
		}
		if n := float64(L) / target; math.Abs(float64(len(ws))-n) > 1 {
			t.Errorf("L %d: %d windows, want about %.1f", L, len(ws), n)
		}
		if want := bruteCut(sc, L, 6, 10, len(ws)); math.Abs(got-want) > 1e-9 {
			t.Errorf("L %d: cuts %v score %.4f, least possible with %d windows %.4f", L, ws, got, len(ws), want)
		}
	}
	if _, err := CutWindows(sitesN(10), nil, 1, 0); err == nil {
		t.Error("window of 1 site accepted")
	}
}

// The randomised PCA agrees with the exact eigenvectors of the standardised
// covariance.
func TestFitPCAExact(t *testing.T) {
	train, _ := panel(t, 200, 600, 5)
	n, m := train.NumSamples(), train.NumSites()
	p, scores, err := FitPCA(train, 3, 1)
	if err != nil {
		t.Fatal(err)
	}
	z := mat.NewDense(n, m, nil)
	for v := 0; v < m; v++ {
		for i := 0; i < n; i++ {
			z.Set(i, v, (float64(train.At(v, i))-p.Mean[v])*p.Scale[v])
		}
	}
	var cov mat.SymDense
	cov.SymOuterK(1, z.T())
	var eig mat.EigenSym
	if !eig.Factorize(&cov, true) {
		t.Fatal("eigen failed")
	}
	var vecs mat.Dense
	eig.VectorsTo(&vecs)
	vals := eig.Values(nil)
	for k := 0; k < 2; k++ { // the leading PCs (population structure) are well separated
		col := m - 1 - k // ascending order
		var dot float64
		for j := 0; j < m; j++ {
			dot += vecs.At(j, col) * p.Loadings.At(j, k)
		}
		if math.Abs(dot) < 0.99 {
			t.Errorf("PC%d: |cos| with the exact eigenvector %.4f (eigenvalues %.1f, %.1f)", k+1, math.Abs(dot), vals[col], vals[col-1])
		}
		// scores = Z·loading
		var ss float64
		for i := 0; i < n; i++ {
			ss += scores.At(i, k) * scores.At(i, k)
		}
		if math.Abs(ss-vals[col]) > 0.01*vals[col] {
			t.Errorf("PC%d: score sum of squares %.2f, eigenvalue %.2f", k+1, ss, vals[col])
		}
	}
}

func TestMixtureMoments(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	x := mat.NewDense(600, 2, nil)
	for i := 0; i < 600; i++ {
		c := float64(i % 2)
		x.Set(i, 0, 10*c+rng.NormFloat64())
		x.Set(i, 1, -5*c+0.5*rng.NormFloat64())
	}
	mx, err := FitMixture(x, 4, 20, 1)
	if err != nil {
		t.Fatal(err)
	}
	s := mx.Sample(20000, rand.New(rand.NewPCG(5, 6)))
	var m0, m1, hi float64
	for i := 0; i < 20000; i++ {
		m0 += s.At(i, 0)
		m1 += s.At(i, 1)
		if s.At(i, 0) > 5 {
			hi++
		}
	}
	m0, m1, hi = m0/20000, m1/20000, hi/20000
	// Means 5, −2.5; half the mass in the upper cluster (Monte-Carlo sd ≈ 0.004).
	if math.Abs(m0-5) > 0.15 || math.Abs(m1+2.5) > 0.1 || math.Abs(hi-0.5) > 0.02 {
		t.Errorf("mixture sample means (%.3f, %.3f), upper fraction %.3f; want (5, −2.5), 0.5", m0, m1, hi)
	}
}

// With a candidate whose overlap equals an individual's, matching picks it.
func TestAssemblerMatchesOverlap(t *testing.T) {
	const n, M, o, core = 30, 60, 40, 10
	rng := rand.New(rand.NewPCG(7, 8))
	target := mat.NewDense(n, 1, nil)
	asm, err := NewAssembler(CondMatch, n, target, 1)
	if err != nil {
		t.Fatal(err)
	}
	// Window 0: 50 sites, core 50 (no overlap): any assignment.
	first := &Result{Window: Window{Index: 0, Start: 0, CoreStart: 0, End: 50}, NCandidates: M, K: 1,
		Candidates: make([]int8, 50*M), Ancestry: make([]float64, M), Slope: []float64{1}, NoiseVar: []float64{1}}
	for i := range first.Candidates {
		first.Candidates[i] = int8(rng.IntN(3))
	}
	out0, err := asm.Add(first)
	if err != nil {
		t.Fatal(err)
	}
	// Window 1 overlaps the last o sites; candidate perm[i] continues individual i exactly.
	w1 := Window{Index: 1, Start: 50 - o, CoreStart: 50, End: 50 + core}
	r := &Result{Window: w1, NCandidates: M, K: 1, Candidates: make([]int8, (o+core)*M), Ancestry: make([]float64, M), Slope: []float64{1}, NoiseVar: []float64{1}}
	for i := range r.Candidates {
		r.Candidates[i] = int8(rng.IntN(3))
	}
	perm := rng.Perm(M)
	for i := 0; i < n; i++ {
		for v := 0; v < o; v++ {
			r.Candidates[v*M+perm[i]] = out0[(50-o+v)*n+i]
		}
		for v := 0; v < core; v++ {
			r.Candidates[(o+v)*M+perm[i]] = int8(100 + i%3) // marker: not a genotype
		}
	}
	out1, err := asm.Add(r)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < n; i++ {
		if out1[i] != int8(100+i%3) {
			t.Fatalf("individual %d got a candidate that does not continue its overlap", i)
		}
	}
	if asm.LastOverlapMismatch != 0 {
		t.Errorf("overlap mismatch %g, want 0", asm.LastOverlapMismatch)
	}
}

func smallOptions(short bool) Options {
	cfg := WindowModelConfig(model.DefaultConfig("gou"))
	cfg.Steps = 300
	if short {
		cfg.Steps, cfg.SamplerSteps, cfg.CalibrationSize = 60, 20, 300
	}
	return Options{WindowSNPs: 1000, Model: cfg, Seed: 11, Workers: 2}
}

func runAll(t *testing.T, train *vcf.Genotypes, n int, o Options) (*Plan, *vcf.Genotypes) {
	t.Helper()
	p, err := NewPlan(context.Background(), train, n, o)
	if err != nil {
		t.Fatal(err)
	}
	g := &vcf.Genotypes{Sites: train.Sites, Samples: make([]string, n), Dosage: make([]int8, train.NumSites()*n)}
	err = p.Run(context.Background(), train, func(d WindowDone) error {
		copy(g.Dosage[d.Window.CoreStart*n:], d.Core)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return p, g
}

// The small panel: 300 individuals × 5000 SNPs, 3 populations, about
// 5 windows. Boundaries must not cost LD, ancestry must hold along the
// chromosome, and a seed gives the same cohort.
func TestWindowedPanel(t *testing.T) {
	snps := 5000
	if testing.Short() {
		snps = 2500
	}
	train, test := panel(t, 300, snps, 3)
	o := smallOptions(testing.Short())
	p, g := runAll(t, train, 300, o)
	if len(p.Windows) < 2 {
		t.Fatalf("%d windows", len(p.Windows))
	}
	met, err := Evaluate(test, g, train, p.Windows, p.PCA, MetricOptions{Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d windows; LD MAE inside %.4f (matched %.4f, floor %.4f), straddling %.4f (floor %.4f); PC W2 %.3v floor %.3v; per-window PC1 corr synth %.3f test %.3f",
		len(p.Windows), met.LD.Inside, met.LD.InsideMatched, met.LD.FloorInside, met.LD.Straddle, met.LD.FloorStraddle, met.PCW2, met.PCW2Floor, met.Ancestry.SynthMean[0], met.Ancestry.TestMean[0])
	// LD inside the windows within 1.5× its floor (issue 14; measured
	// 1.11× at 5000 SNPs with the default chain conditioning, 1.15× with
	// regress).
	if met.LD.Inside > 1.5*met.LD.FloorInside {
		t.Errorf("LD MAE inside windows %.4f > 1.5 × floor %.4f", met.LD.Inside, met.LD.FloorInside)
	}
	// The goals, on this panel: straddling pairs within 1.5× the
	// inside pairs (at the same distances) and within 2× their floor.
	if met.LD.Straddle > 1.5*met.LD.InsideMatched {
		t.Errorf("straddling LD MAE %.4f > 1.5 × inside %.4f", met.LD.Straddle, met.LD.InsideMatched)
	}
	if met.LD.Straddle > 2*met.LD.FloorStraddle {
		t.Errorf("straddling LD MAE %.4f > 2 × floor %.4f", met.LD.Straddle, met.LD.FloorStraddle)
	}
	// Per-window ancestry agrees with the global ancestry about as well as
	// for real individuals.
	if met.Ancestry.SynthMean[0] < 0.8*met.Ancestry.TestMean[0] {
		t.Errorf("per-window PC1 correlation %.3f < 0.8 × real %.3f", met.Ancestry.SynthMean[0], met.Ancestry.TestMean[0])
	}
	// Population structure along the whole chromosome, the goal:
	// W2 on the two population PCs within 1.5× the floor (measured 1.21×
	// and 1.36× with chain conditioning, 0.76× and 0.71× with regress).
	for k := 0; k < 2; k++ {
		if met.PCW2[k] > 1.5*met.PCW2Floor[k] {
			t.Errorf("PC%d W2 %.3f > 1.5 × floor %.3f", k+1, met.PCW2[k], met.PCW2Floor[k])
		}
	}
	if met.Privacy.IdenticalRate != 0 {
		t.Errorf("identical-match rate %g", met.Privacy.IdenticalRate)
	}
}

// The same seed gives the same synthetic cohort whatever the number of
// workers.
func TestWindowedDeterminism(t *testing.T) {
	train, _ := panel(t, 150, 1200, 4)
	o := smallOptions(true)
	o.WindowSNPs, o.OverlapSNPs = 300, 40
	_, g1 := runAll(t, train, 100, o)
	o.Workers = 1
	_, g2 := runAll(t, train, 100, o)
	if !slices.Equal(g1.Dosage, g2.Dosage) {
		t.Error("same seed, different synthetic cohort")
	}
	o.Seed++
	_, g3 := runAll(t, train, 100, o)
	if slices.Equal(g1.Dosage, g3.Dosage) {
		t.Error("another seed, same synthetic cohort")
	}
}

// The unit of work survives serialisation: a decoded job gives the same
// result as the original, and a result round-trips.
func TestJobRoundTrip(t *testing.T) {
	for _, cond := range []Conditioning{CondMatch, CondRegressMatch} {
		t.Run(string(cond), func(t *testing.T) { testJobRoundTrip(t, cond) })
	}
}

func testJobRoundTrip(t *testing.T, cond Conditioning) {
	train, _ := panel(t, 120, 400, 9)
	o := smallOptions(true)
	o.Conditioning = cond
	o.WindowSNPs = 150
	o.OverlapSNPs = 30
	p, err := NewPlan(context.Background(), train, 50, o)
	if err != nil {
		t.Fatal(err)
	}
	job := p.Job(train, p.Windows[1])
	b, err := EncodeJob(job)
	if err != nil {
		t.Fatal(err)
	}
	job2, err := DecodeJob(b)
	if err != nil {
		t.Fatal(err)
	}
	r1, err := job.Run(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	r2, err := job2.Run(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	rb, err := EncodeResult(r2)
	if err != nil {
		t.Fatal(err)
	}
	r3, err := DecodeResult(rb)
	if err != nil {
		t.Fatal(err)
	}
	r1.FitSeconds, r1.GenerateSeconds, r3.FitSeconds, r3.GenerateSeconds = 0, 0, 0, 0
	b1, _ := EncodeResult(r1)
	b3, _ := EncodeResult(r3)
	if !bytes.Equal(b1, b3) {
		t.Error("a decoded job gives a different result")
	}
	if cond == CondRegressMatch {
		d := r3.Window.End - r3.Window.Start
		if len(r3.Coef) != (r3.K+1)*d || len(r3.GenotypeFreq) != 2*d {
			t.Errorf("regression result: %d coefficients, %d frequencies", len(r3.Coef), len(r3.GenotypeFreq))
		}
		if r3.LatentSD == nil {
			t.Error("the default residual model is not the latent one")
		} else if lr, err := DecodeLatentResidual(r3.Model, d, r3.LatentRank, r3.LatentLags, r3.LatentU, r3.LatentAR, r3.LatentSD); err != nil || lr.D != d {
			t.Errorf("window residual model: %v", err)
		}
	} else if _, err := model.Decode(r3.Model); err != nil {
		t.Errorf("window model bytes: %v", err)
	}
	if _, err := DecodeJob(b[:len(b)/2]); err == nil {
		t.Error("truncated job accepted")
	}
}

// bruteCut returns the least total gap score of cutting [0, L) into K
// windows of a to b sites, or, when no such tiling exists, with a last
// window shorter than a; scores[k] is the gap after site k.
func bruteCut(scores []float64, L, a, b, K int) float64 {
	exact := bruteTile(scores, 0, L, a, b, K, false)
	if !math.IsInf(exact, 1) {
		return exact
	}
	return bruteTile(scores, 0, L, a, b, K, true)
}

func bruteTile(scores []float64, lo, L, a, b, K int, shortLast bool) float64 {
	rest := L - lo
	if K == 1 {
		if rest >= a && rest <= b || shortLast && rest > 0 && rest < a {
			return 0
		}
		return math.Inf(1)
	}
	best := math.Inf(1)
	for l := a; l <= b && l < rest; l++ {
		if c := scores[lo+l-1] + bruteTile(scores, lo+l, L, a, b, K-1, shortLast); c < best {
			best = c
		}
	}
	return best
}
