package autoreg

import (
	"bytes"
	"errors"
	"math"
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"

	"gonum.org/v1/gonum/stat"
)

// haplotypePanel simulates n diploid individuals at d sites: two haplotypes
// each, drawn from a two-state-per-site Markov chain along the sites (an
// allele is copied from the previous site with probability stay, else drawn
// afresh with the site's frequency), in two populations whose frequencies
// differ. It returns site-major dosages and each individual's population
// (±1) as the ancestry score.
func haplotypePanel(rng *rand.Rand, n, d int, stay float64) (dos []int8, anc []float64) {
	freq := make([][2]float64, d)
	for v := range freq {
		p := 0.1 + 0.8*rng.Float64()
		freq[v] = [2]float64{math.Max(0.02, p-0.15), math.Min(0.98, p+0.15)}
	}
	dos = make([]int8, n*d)
	anc = make([]float64, n)
	for i := 0; i < n; i++ {
		pop := i % 2
		anc[i] = float64(2*pop - 1)
		for h := 0; h < 2; h++ {
			var a int8
			for v := 0; v < d; v++ {
				if v == 0 || rng.Float64() >= stay {
					a = 0
					if rng.Float64() < freq[v][pop] {
						a = 1
					}
				}
				dos[v*n+i] += a
			}
		}
	}
	return dos, anc
}

// r2 is the squared Pearson correlation of two sites of a site-major
// panel of n individuals (0 when one is monomorphic).
func r2(dos []int8, n, a, b int) float64 {
	x, y := make([]float64, n), make([]float64, n)
	for i := 0; i < n; i++ {
		x[i], y[i] = float64(dos[a*n+i]), float64(dos[b*n+i])
	}
	r := stat.Correlation(x, y, nil)
	if math.IsNaN(r) {
		return 0
	}
	return r * r
}

// meanR2 is the mean r² of the pairs of sites lag apart.
func meanR2(dos []int8, n, d, lag int) float64 {
	var s float64
	for v := lag; v < d; v++ {
		s += r2(dos, n, v, v-lag)
	}
	return s / float64(d-lag)
}

// TestFitRecoversCoefficients: a chain drawn from known regressions (one
// ancestry score, the previous site as predictor) is fitted back; every
// coefficient must be within 4 standard errors of the truth (n = 20,000:
// standard errors of about 0.03–0.06).
func TestFitRecoversCoefficients(t *testing.T) {
	const n, d = 20000, 6
	rng := rand.New(rand.NewPCG(1, 2))
	carrier := []float64{-0.5, 0.8, 1.2} // intercept, ancestry, g_{v−1}
	hom := []float64{-1.5, 0.5, 0.9}
	anc := make([]float64, n)
	for i := range anc {
		anc[i] = rng.NormFloat64()
	}
	dos := make([]int8, n*d)
	for i := 0; i < n; i++ {
		for v := 0; v < d; v++ {
			prev := 0.0
			if v > 0 {
				prev = float64(dos[(v-1)*n+i])
			}
			x := []float64{1, anc[i], prev}
			if v == 0 {
				x[2] = 1 // site 0 has no predecessor: its draws use g = 1
			}
			var g int8
			if rng.Float64() < sigmoid(dot(carrier, x)) {
				g = 1
				if rng.Float64() < sigmoid(dot(hom, x)) {
					g = 2
				}
			}
			dos[v*n+i] = g
		}
	}
	cfg := Config{Lags: 1, Keep: 1, Ridge: 1e-6, Threads: 2}
	m, err := Fit(dos, n, d, 1, anc, 1, cfg)
	if err != nil {
		t.Fatal(err)
	}
	for v, s := range m.Sites {
		if !slices.Equal(s.Pred, []uint8{1}) {
			t.Fatalf("site %d: predictors %v, want [1]", v+1, s.Pred)
		}
		for j := range carrier {
			if d := math.Abs(s.Carrier.Coef[j] - carrier[j]); d > 4*0.05 {
				t.Errorf("site %d carrier coefficient %d: %.3f, want %.3f", v+1, j, s.Carrier.Coef[j], carrier[j])
			}
			if d := math.Abs(s.Hom.Coef[j] - hom[j]); d > 4*0.07 {
				t.Errorf("site %d homozygote coefficient %d: %.3f, want %.3f", v+1, j, s.Hom.Coef[j], hom[j])
			}
		}
	}
}

func dot(a, b []float64) float64 {
	var s float64
	for i := range a {
		s += a[i] * b[i]
	}
	return s
}

// TestDrawKeepsLD: on a panel with strong LD (haplotype runs) and two
// populations, a cohort drawn from the fitted model has the training mean
// r² at lags 1 to 32 within 10% or 0.01 (Monte-Carlo: 1000 draws; the
// sampling noise of the means is about 1%; at lags 8–32 the draws run
// 0.006–0.009 high), and allele frequencies within 0.04. The
// same model without predictors (ancestry only) must lose most of the LD,
// or the test would not test the chain.
func TestDrawKeepsLD(t *testing.T) {
	const n, d = 1000, 200
	rng := rand.New(rand.NewPCG(3, 4))
	dos, anc := haplotypePanel(rng, n, d, 0.9)
	m, err := Fit(dos, n, d, 0, anc, 1, Config{Lags: 32, Keep: 8, Ridge: 0.01, Threads: 2})
	if err != nil {
		t.Fatal(err)
	}
	const M = 1000
	sanc := make([]float64, M)
	for i := range sanc {
		sanc[i] = float64(2*(i%2) - 1)
	}
	s, err := NewSampler(sanc, M, 1, 32, 5)
	if err != nil {
		t.Fatal(err)
	}
	syn, err := s.Draw(m)
	if err != nil {
		t.Fatal(err)
	}
	for _, lag := range []int{1, 2, 4, 8, 16, 32} {
		want, got := meanR2(dos, n, d, lag), meanR2(syn, M, d, lag)
		if math.Abs(got-want) > math.Max(0.10*want, 0.01) {
			t.Errorf("lag %d: synthetic mean r² %.4f, training %.4f", lag, got, want)
		}
	}
	for v := 0; v < d; v++ {
		var a, b float64
		for i := 0; i < n; i++ {
			a += float64(dos[v*n+i])
		}
		for i := 0; i < M; i++ {
			b += float64(syn[v*M+i])
		}
		if math.Abs(a/float64(2*n)-b/float64(2*M)) > 0.04 {
			t.Errorf("site %d: allele frequency %.3f synthetic, %.3f training", v, b/float64(2*M), a/float64(2*n))
		}
	}
	// Without predictors only the populations' frequency difference links
	// the sites.
	flat := *m
	flat.Sites = make([]Site, len(m.Sites))
	for v, st := range m.Sites {
		flat.Sites[v] = Site{Carrier: st.Carrier, Hom: st.Hom}
		if st.Carrier.Fixed < 0 {
			flat.Sites[v].Carrier.Coef = st.Carrier.Coef[:2]
		}
		if st.Hom.Fixed < 0 {
			flat.Sites[v].Hom.Coef = st.Hom.Coef[:2]
		}
	}
	s2, _ := NewSampler(sanc, M, 1, 32, 5)
	ind, err := s2.Draw(&flat)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := meanR2(ind, M, d, 1), meanR2(dos, n, d, 1); got > want/2 {
		t.Errorf("ancestry-only draws keep lag-1 r² %.4f of %.4f: the panel does not test the chain", got, want)
	}
}

// TestBlocksContinueOneChain: fitting the second half of a panel as its own
// block, with the Lags sites before it as context, gives the same site
// models as fitting the whole; and a sampler drawing the two blocks in turn
// gives the same cohort as one draw of the whole model. Neither depends on
// Threads.
func TestBlocksContinueOneChain(t *testing.T) {
	const n, d, lags, cut = 300, 120, 16, 70
	rng := rand.New(rand.NewPCG(6, 7))
	dos, anc := haplotypePanel(rng, n, d, 0.8)
	cfg := Config{Lags: lags, Keep: 4, Ridge: 0.01, Threads: 1}
	whole, err := Fit(dos, n, d, 0, anc, 1, cfg)
	if err != nil {
		t.Fatal(err)
	}
	cfg.Threads = 3
	first, err := Fit(dos[:cut*n], n, cut, 0, anc, 1, cfg)
	if err != nil {
		t.Fatal(err)
	}
	second, err := Fit(dos[(cut-lags)*n:], n, d-cut+lags, lags, anc, 1, cfg)
	if err != nil {
		t.Fatal(err)
	}
	// The residuals on ancestry are the same in a block as in the whole, so
	// the selection and the regressions are too, up to rounding in the
	// least-squares residuals.
	for v, s := range append(append([]Site{}, first.Sites...), second.Sites...) {
		w := whole.Sites[v]
		if !slices.Equal(s.Pred, w.Pred) {
			t.Fatalf("site %d: predictors %v in blocks, %v whole", v, s.Pred, w.Pred)
		}
		for j := range w.Carrier.Coef {
			if math.Abs(s.Carrier.Coef[j]-w.Carrier.Coef[j]) > 1e-8 {
				t.Fatalf("site %d: carrier coefficient %d %.12f in blocks, %.12f whole", v, j, s.Carrier.Coef[j], w.Carrier.Coef[j])
			}
		}
	}
	// Draw the whole model, then the blocks' models from the whole's sites
	// (so that the draws can be compared exactly).
	sanc := make([]float64, 50)
	for i := range sanc {
		sanc[i] = float64(2*(i%2) - 1)
	}
	sa, _ := NewSampler(sanc, 50, 1, lags, 9)
	all, err := sa.Draw(whole)
	if err != nil {
		t.Fatal(err)
	}
	sb, _ := NewSampler(sanc, 50, 1, lags, 9)
	b1, err := sb.Draw(&Model{K: 1, Lags: lags, AncMean: whole.AncMean, AncSD: whole.AncSD, Sites: whole.Sites[:cut]})
	if err != nil {
		t.Fatal(err)
	}
	b2, err := sb.Draw(&Model{K: 1, Lags: lags, AncMean: whole.AncMean, AncSD: whole.AncSD, Sites: whole.Sites[cut:]})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(all, append(b1, b2...)) {
		t.Error("drawing two blocks in turn differs from drawing the whole model")
	}
}

// TestFitRejects: bad shapes, dosages and configurations are ErrInput errors.
func TestFitRejects(t *testing.T) {
	good := []int8{0, 1, 2, 1, 0, 1}
	for _, tc := range []struct {
		name  string
		dos   []int8
		n, d  int
		first int
		anc   []float64
		K     int
		cfg   Config
	}{
		{"short dosages", good[:5], 3, 2, 0, nil, 0, DefaultConfig()},
		{"dosage 3", []int8{0, 1, 3, 1, 0, 1}, 3, 2, 0, nil, 0, DefaultConfig()},
		{"ancestry rows", good, 3, 2, 0, []float64{1, 2}, 1, DefaultConfig()},
		{"first beyond the block", good, 3, 2, 2, nil, 0, DefaultConfig()},
		{"lags 0", good, 3, 2, 0, nil, 0, Config{Lags: 0, Keep: 1}},
		{"keep > lags", good, 3, 2, 0, nil, 0, Config{Lags: 2, Keep: 3}},
		{"negative ridge", good, 3, 2, 0, nil, 0, Config{Lags: 2, Keep: 1, Ridge: -1}},
		{"NaN ridge", good, 3, 2, 0, nil, 0, Config{Lags: 2, Keep: 1, Ridge: math.NaN()}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := Fit(tc.dos, tc.n, tc.d, tc.first, tc.anc, tc.K, tc.cfg); !errors.Is(err, ErrInput) {
				t.Errorf("error %v, want ErrInput", err)
			}
		})
	}
	if _, err := NewSampler([]float64{1}, 2, 1, 4, 1); !errors.Is(err, ErrInput) {
		t.Errorf("sampler with 1 score for 2 individuals: error %v, want ErrInput", err)
	}
}

// TestFixedSites: monomorphic sites and sites without homozygotes are
// constants, and draws keep them exactly.
func TestFixedSites(t *testing.T) {
	const n = 40
	dos := make([]int8, 3*n)
	for i := 0; i < n; i++ {
		dos[n+i] = int8(i % 2) // site 1: 0/1 only
		dos[2*n+i] = 2         // site 2: all 2
	}
	m, err := Fit(dos, n, 3, 0, nil, 0, DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	if c := m.Sites[0].Carrier; c.Fixed != 0 {
		t.Errorf("site 0 carrier %+v, want fixed 0", c)
	}
	if h := m.Sites[1].Hom; h.Fixed != 0 {
		t.Errorf("site 1 homozygote %+v, want fixed 0", h)
	}
	if c, h := m.Sites[2].Carrier, m.Sites[2].Hom; c.Fixed != 1 || h.Fixed != 1 {
		t.Errorf("site 2 %+v %+v, want fixed 1, 1", c, h)
	}
	s, _ := NewSampler(nil, 500, 0, m.Lags, 1)
	syn, err := s.Draw(m)
	if err != nil {
		t.Fatal(err)
	}
	var ones int
	for i := 0; i < 500; i++ {
		if syn[i] != 0 || syn[500+i] > 1 || syn[1000+i] != 2 {
			t.Fatalf("individual %d drew %d %d %d", i, syn[i], syn[500+i], syn[1000+i])
		}
		ones += int(syn[500+i])
	}
	if ones < 200 || ones > 300 { // Binomial(500, ½): ±4.5 SD
		t.Errorf("site 1 drew %d carriers of 500, want about 250", ones)
	}
}

// BenchmarkFit: 2000 individuals × 200 sites, the default configuration,
// one thread (ns/op over 200 sites).
func BenchmarkFit(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 1))
	dos, anc := haplotypePanel(rng, 2000, 200, 0.9)
	cfg := DefaultConfig()
	for b.Loop() {
		if _, err := Fit(dos, 2000, 200, 0, anc, 1, cfg); err != nil {
			b.Fatal(err)
		}
	}
}

// TestEncodeRoundTrip: a fitted model decodes to itself, and its draws
// are the same.
func TestEncodeRoundTrip(t *testing.T) {
	const n, d = 200, 60
	rng := rand.New(rand.NewPCG(8, 9))
	dos, anc := haplotypePanel(rng, n, d, 0.8)
	m, err := Fit(dos, n, d, 10, anc, 1, Config{Lags: 12, Keep: 4, Ridge: 0.01})
	if err != nil {
		t.Fatal(err)
	}
	b := m.Encode()
	got, err := Decode(b)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, m) {
		t.Fatal("decoded model differs from the encoded one")
	}
	sanc := []float64{-1, 1, 1, -1}
	s1, _ := NewSampler(sanc, 4, 1, 12, 3)
	s2, _ := NewSampler(sanc, 4, 1, 12, 3)
	a, _ := s1.Draw(m)
	c, _ := s2.Draw(got)
	if !slices.Equal(a, c) {
		t.Error("draws of the decoded model differ")
	}
	for _, cut := range []int{0, 5, len(b) / 2, len(b) - 1} {
		if _, err := Decode(b[:cut]); !errors.Is(err, ErrCorrupt) {
			t.Errorf("%d of %d bytes: error %v, want ErrCorrupt", cut, len(b), err)
		}
	}
	if _, err := Decode(append(b, 0)); !errors.Is(err, ErrCorrupt) {
		t.Errorf("a trailing byte: error %v, want ErrCorrupt", err)
	}
}

// FuzzDecode: Decode never panics, and what it accepts encodes back to the
// same bytes.
func FuzzDecode(f *testing.F) {
	rng := rand.New(rand.NewPCG(1, 2))
	dos, anc := haplotypePanel(rng, 50, 12, 0.8)
	m, err := Fit(dos, 50, 12, 0, anc, 1, Config{Lags: 4, Keep: 2, Ridge: 0.01})
	if err != nil {
		f.Fatal(err)
	}
	f.Add(m.Encode())
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := Decode(b)
		if err != nil {
			return
		}
		if e := m.Encode(); !bytes.Equal(e, b) {
			t.Fatalf("accepted %d bytes that encode back to %d different ones", len(b), len(e))
		}
	})
}

// TestLogLik: the log-likelihood of a genotype vector is the sum of the
// logs of the probabilities Draw uses, checked by drawing: the empirical
// frequency of one person's most likely vector over many draws at a
// two-site model matches exp(LogLik).
func TestLogLik(t *testing.T) {
	m := &Model{K: 1, Lags: 1, AncMean: []float64{0}, AncSD: []float64{1}, Sites: []Site{
		{Carrier: Logit{Coef: []float64{0.2, 0.5}, Fixed: -1}, Hom: Logit{Coef: []float64{-0.3, 0.1}, Fixed: -1}},
		{Pred: []uint8{1}, Carrier: Logit{Coef: []float64{-0.4, 0.2, 1.1}, Fixed: -1}, Hom: Logit{Coef: []float64{-1, 0, 0.8}, Fixed: -1}},
	}}
	const M = 200000
	anc := make([]float64, M)
	for i := range anc {
		anc[i] = 0.7
	}
	s, _ := NewSampler(anc, M, 1, 1, 4)
	syn, err := s.Draw(m)
	if err != nil {
		t.Fatal(err)
	}
	for _, x := range [][]float64{{0, 0}, {1, 1}, {2, 1}, {1, 2}} {
		var hits float64
		for i := 0; i < M; i++ {
			if float64(syn[i]) == x[0] && float64(syn[M+i]) == x[1] {
				hits++
			}
		}
		ll, err := m.LogLik([]float64{0.7}, x, x)
		if err != nil {
			t.Fatal(err)
		}
		p, f := math.Exp(ll), hits/M
		if se := math.Sqrt(p * (1 - p) / M); math.Abs(f-p) > 4*se {
			t.Errorf("genotypes %v: drawn with frequency %.4f, LogLik gives %.4f (SE %.4f)", x, f, p, se)
		}
	}
}

// TestDrawChunks: drawing a cohort of more than one chunk whole, or chunk
// by chunk, gives the same genotypes over two consecutive models.
func TestDrawChunks(t *testing.T) {
	const n, d = 200, 40
	rng := rand.New(rand.NewPCG(10, 11))
	dos, anc := haplotypePanel(rng, n, d, 0.8)
	m1, err := Fit(dos[:20*n], n, 20, 0, anc, 1, Config{Lags: 8, Keep: 3, Ridge: 0.01})
	if err != nil {
		t.Fatal(err)
	}
	m2, err := Fit(dos, n, d, 20, anc, 1, Config{Lags: 8, Keep: 3, Ridge: 0.01})
	if err != nil {
		t.Fatal(err)
	}
	const M = ChunkRows + 300
	sanc := make([]float64, M)
	for i := range sanc {
		sanc[i] = float64(2*(i%2) - 1)
	}
	whole, _ := NewSampler(sanc, M, 1, 8, 7)
	chunked, _ := NewSampler(sanc, M, 1, 8, 7)
	if chunked.NumChunks() != 2 {
		t.Fatalf("%d chunks for %d individuals, want 2", chunked.NumChunks(), M)
	}
	for _, m := range []*Model{m1, m2} {
		a, err := whole.Draw(m)
		if err != nil {
			t.Fatal(err)
		}
		ns := len(m.Sites)
		b := make([]int8, M*ns)
		for c := 0; c < chunked.NumChunks(); c++ {
			blk, lo, rows, err := chunked.DrawChunk(m, c)
			if err != nil {
				t.Fatal(err)
			}
			for v := 0; v < ns; v++ {
				copy(b[v*M+lo:v*M+lo+rows], blk[v*rows:(v+1)*rows])
			}
		}
		if !slices.Equal(a, b) {
			t.Fatal("chunk-by-chunk draws differ from whole draws")
		}
	}
}
