package synth

import (
	"bytes"
	"context"
	"errors"
	"math"
	"math/bits"
	"strings"
	"testing"

	"github.com/gousynth/gousynth/vcf"
	"gonum.org/v1/gonum/stat"
	"gonum.org/v1/gonum/stat/distuv"
)

func simulate(t testing.TB, cfg PanelConfig, seed uint64, threads int) (*Panel, *vcf.Genotypes, []SiteTruth) {
	t.Helper()
	p, err := NewPanel(cfg, seed)
	if err != nil {
		t.Fatal(err)
	}
	g, truth, err := p.Genotypes(context.Background(), threads)
	if err != nil {
		t.Fatal(err)
	}
	if g.NumSites() != cfg.SNPs || g.NumSamples() != cfg.Individuals || len(truth) != cfg.SNPs {
		t.Fatalf("got %d sites × %d samples, %d truths; want %d × %d", g.NumSites(), g.NumSamples(), len(truth), cfg.SNPs, cfg.Individuals)
	}
	return p, g, truth
}

// latents runs the generator with the latent recorder switched on and
// returns the latent value of every haplotype at every site, with the layouts.
func latents(t *testing.T, p *Panel) ([][]float64, []siteLayout) {
	t.Helper()
	nHap := 2 * p.cfg.Individuals
	states := p.newHapStates()
	lay := p.newLayout()
	var out [][]float64
	var sites []siteLayout
	c := &chunk{
		sites:  make([]siteLayout, chunkSites),
		haps:   make([]int8, chunkSites*nHap),
		dosage: make([]int8, chunkSites*p.cfg.Individuals),
		latent: make([]float64, chunkSites*nHap),
	}
	for done := 0; done < p.cfg.SNPs; done += c.n {
		c.n = min(chunkSites, p.cfg.SNPs-done)
		for i := range c.n {
			lay.next(&c.sites[i])
		}
		p.fill(c, states, 2)
		for i := range c.n {
			out = append(out, append([]float64(nil), c.latent[i*nHap:(i+1)*nHap]...))
			s := c.sites[i]
			s.freq = append([]float64(nil), s.freq...)
			s.thr = append([]float64(nil), s.thr...)
			sites = append(sites, s)
		}
	}
	return out, sites
}

func corr(a, b []float64) float64 { return stat.Correlation(a, b, nil) }

func int8Corr(a, b []int8) float64 {
	n := float64(len(a))
	var sa, sb, saa, sbb, sab float64
	for i := range a {
		x, y := float64(a[i]), float64(b[i])
		sa += x
		sb += y
		saa += x * x
		sbb += y * y
		sab += x * y
	}
	cov := sab/n - sa*sb/(n*n)
	va := saa/n - sa*sa/(n*n)
	vb := sbb/n - sb*sb/(n*n)
	if va <= 0 || vb <= 0 {
		return math.NaN()
	}
	return cov / math.Sqrt(va*vb)
}

func TestLatentCorrelationRecoversRhoPowers(t *testing.T) {
	const rho = 0.9
	cfg := PaperPreset(2500, 60)
	cfg.BlockSize = 20
	cfg.Rho = rho
	p, err := NewPanel(cfg, 3)
	if err != nil {
		t.Fatal(err)
	}
	lat, sites := latents(t, p)
	n := float64(len(lat[0]))
	for i := range lat {
		for j := i + 1; j < len(lat) && j-i <= 12; j++ {
			got := corr(lat[i], lat[j])
			want := 0.0
			if sites[i].block == sites[j].block {
				want = math.Pow(rho, float64(j-i))
			}
			// Standard error of a sample correlation: (1 − ρ²)/√n.
			se := (1 - want*want) / math.Sqrt(n)
			if math.Abs(got-want) > 4.5*se {
				t.Errorf("latent corr(%d, %d) = %.4f, want %.4f ± %.4f (blocks %d, %d)", i, j, got, want, 4.5*se, sites[i].block, sites[j].block)
			}
		}
	}
	if sites[19].block != 0 || sites[20].block != 1 {
		t.Fatalf("block of SNPs 19, 20 = %d, %d; want fixed blocks of 20", sites[19].block, sites[20].block)
	}
}

func TestLatentCorrelationInBasePairs(t *testing.T) {
	cfg := OneKGLikePreset(2000, 300)
	cfg.LD = []LDComponent{{Weight: 0.6, Scale: 2000}, {Weight: 0.4, Scale: 30000}}
	cfg.Populations, cfg.Fst = 1, 0
	p, err := NewPanel(cfg, 4)
	if err != nil {
		t.Fatal(err)
	}
	lat, sites := latents(t, p)
	n := float64(len(lat[0]))
	checked := 0
	for i := range lat {
		for j := i + 1; j < len(lat) && j-i <= 40; j += 3 {
			if sites[i].block != sites[j].block {
				continue
			}
			d := float64(sites[j].site.Pos - sites[i].site.Pos)
			want := 0.6*math.Exp(-d/2000) + 0.4*math.Exp(-d/30000)
			se := (1 - want*want) / math.Sqrt(n)
			if got := corr(lat[i], lat[j]); math.Abs(got-want) > 4.5*se {
				t.Errorf("latent corr at %v bp = %.4f, want %.4f ± %.4f", d, got, want, 4.5*se)
			}
			checked++
		}
	}
	if checked < 500 {
		t.Fatalf("only %d same-block pairs checked", checked)
	}
}

// bvnLower returns P(Z1 < a, Z2 < b) for standard normals with correlation
// rho, by Simpson integration of φ(x)Φ((b − ρx)/√(1−ρ²)) over x < a.
func bvnLower(a, b, rho float64) float64 {
	norm := distuv.UnitNormal
	if rho >= 1 {
		return norm.CDF(min(a, b))
	}
	lo := -9.0
	if a <= lo {
		return 0
	}
	const steps = 4000
	h := (a - lo) / steps
	s := math.Sqrt(1 - rho*rho)
	f := func(x float64) float64 { return norm.Prob(x) * norm.CDF((b-rho*x)/s) }
	sum := f(lo) + f(a)
	for k := 1; k < steps; k++ {
		w := 2.0
		if k%2 == 1 {
			w = 4
		}
		sum += w * f(lo+float64(k)*h)
	}
	return sum * h / 3
}

// TestHaplotypeLDMatchesThresholdModel checks the alleles, not just the
// latent: the haplotype correlation of two SNPs must be the one implied by
// thresholding a bivariate normal with correlation ρ^|i−j| at the two
// frequencies' quantiles.
func TestHaplotypeLDMatchesThresholdModel(t *testing.T) {
	const rho = 0.95
	cfg := PaperPreset(3000, 40)
	cfg.BlockSize = 40
	cfg.Rho = rho
	_, g, truth := simulate(t, cfg, 5, 2)
	n := float64(2 * g.NumSamples())
	for i := 0; i < g.NumSites(); i += 3 {
		for j := i + 1; j < g.NumSites() && j-i <= 6; j++ {
			pi, pj := truth[i].PopFreq[0], truth[j].PopFreq[0]
			ti, tj := distuv.UnitNormal.Quantile(pi), distuv.UnitNormal.Quantile(pj)
			p11 := bvnLower(ti, tj, math.Pow(rho, float64(j-i)))
			want := (p11 - pi*pj) / math.Sqrt(pi*(1-pi)*pj*(1-pj))
			got := int8Corr(g.HapRow(i), g.HapRow(j))
			if se := 1 / math.Sqrt(n); math.Abs(got-want) > 5*se {
				t.Errorf("haplotype r(%d, %d) = %.4f, threshold model %.4f (p = %.3f, %.3f)", i, j, got, want, pi, pj)
			}
		}
	}
}

func TestAlleleFrequenciesMatchTargets(t *testing.T) {
	cfg := PaperPreset(900, 1500)
	cfg.BlockSize = 5
	cfg.Populations, cfg.Fst = 3, 0.1
	p, g, truth := simulate(t, cfg, 6, 2)
	popOf := map[string]int{"POP1": 0, "POP2": 1, "POP3": 2}
	samples := p.Samples()
	var zs []float64
	var het, wantHet float64
	for v := range g.NumSites() {
		count := make([]float64, 3)
		size := make([]float64, 3)
		row := g.Row(v)
		for s, d := range row {
			k := popOf[samples[s].Pop]
			count[k] += float64(d)
			size[k] += 2
			if d == 1 {
				het++
			}
		}
		for k := range 3 {
			q := truth[v].PopFreq[k]
			wantHet += q * (1 - q) * size[k] // 2q(1−q) per individual = q(1−q) per allele pair
			if q <= 0 || q >= 1 {
				continue
			}
			zs = append(zs, (count[k]/size[k]-q)/math.Sqrt(q*(1-q)/size[k]))
		}
	}
	mean, variance := stat.MeanVariance(zs, nil)
	if math.Abs(mean) > 0.1 || math.Abs(variance-1) > 0.1 {
		t.Errorf("frequency z-scores: mean %.3f, variance %.3f over %d; want 0, 1", mean, variance, len(zs))
	}
	// Hardy–Weinberg within populations: heterozygotes match Σ 2q(1−q)·n.
	if math.Abs(het/wantHet-1) > 0.02 {
		t.Errorf("heterozygotes %v, Hardy–Weinberg expects %v", het, wantHet)
	}
	// The ancestral spectrum is uniform on [0.05, 0.5].
	var anc []float64
	for _, tr := range truth {
		if tr.AncestralFreq < 0.05 || tr.AncestralFreq > 0.5 {
			t.Fatalf("ancestral frequency %v outside [0.05, 0.5]", tr.AncestralFreq)
		}
		anc = append(anc, tr.AncestralFreq)
	}
	if m := stat.Mean(anc, nil); math.Abs(m-0.275) > 0.015 {
		t.Errorf("mean ancestral frequency %.3f, want 0.275", m)
	}
}

func TestR2AcrossBlockBoundariesIsNull(t *testing.T) {
	cfg := PaperPreset(1000, 2000)
	cfg.VariableBlocks = true
	_, g, truth := simulate(t, cfg, 7, 2)
	var across, within []float64
	sizes := map[int]int{}
	for v := range g.NumSites() {
		sizes[truth[v].Block]++
		if v == 0 {
			continue
		}
		r := int8Corr(g.Row(v-1), g.Row(v))
		if truth[v].Block != truth[v-1].Block {
			across = append(across, r*r)
		} else {
			within = append(within, r*r)
		}
	}
	// Under independence E[r²] ≈ 1/n.
	n := float64(g.NumSamples())
	if m := stat.Mean(across, nil); m > 2.5/n {
		t.Errorf("mean dosage r² across %d block boundaries = %.4f, want ≈ 1/n = %.4f", len(across), m, 1/n)
	}
	if m := stat.Mean(within, nil); m < 0.2 {
		t.Errorf("mean adjacent r² within blocks = %.3f, want > 0.2 for ρ = 0.9", m)
	}
	// Variable block sizes: mean about 50, not all equal.
	var sz []float64
	for _, s := range sizes {
		sz = append(sz, float64(s))
	}
	mean, sd := stat.MeanStdDev(sz, nil)
	if len(sz) < 20 || math.Abs(mean-50) > 15 || sd < 10 {
		t.Errorf("variable blocks: %d blocks, mean size %.1f, sd %.1f; want ≈ 50 and varied", len(sz), mean, sd)
	}
}

// hudsonFst is the ratio-of-averages Hudson estimator (Bhatia et al. 2013)
// between populations a and b, from haplotype allele counts.
func hudsonFst(g *vcf.Genotypes, pops []int, a, b int) float64 {
	var num, den float64
	for v := range g.NumSites() {
		var c, n [2]float64
		for s, d := range g.Row(v) {
			switch pops[s] {
			case a:
				c[0] += float64(d)
				n[0] += 2
			case b:
				c[1] += float64(d)
				n[1] += 2
			}
		}
		p1, p2 := c[0]/n[0], c[1]/n[1]
		num += (p1-p2)*(p1-p2) - p1*(1-p1)/(n[0]-1) - p2*(1-p2)/(n[1]-1)
		den += p1*(1-p2) + p2*(1-p1)
	}
	return num / den
}

func TestHudsonFstMatchesBaldingNichols(t *testing.T) {
	for _, tc := range []struct {
		k   int
		fst float64
	}{{2, 0.05}, {2, 0.2}, {4, 0.1}} {
		t.Run("", func(t *testing.T) {
			if testing.Short() && tc.fst != 0.2 {
				t.Skip("one case in -short")
			}
			cfg := PaperPreset(200*tc.k, 4000)
			cfg.BlockSize = 10
			cfg.Populations, cfg.Fst = tc.k, tc.fst
			p, g, _ := simulate(t, cfg, 8, 2)
			pops := make([]int, g.NumSamples())
			for s, smp := range p.Samples() {
				pops[s] = int(smp.Pop[3] - '1')
			}
			var est []float64
			for a := range tc.k {
				for b := a + 1; b < tc.k; b++ {
					est = append(est, hudsonFst(g, pops, a, b))
				}
			}
			t.Logf("K=%d, F=%v: pairwise Hudson Fst %.4f", tc.k, tc.fst, est)
			if m := stat.Mean(est, nil); math.Abs(m-tc.fst) > 0.12*tc.fst {
				t.Errorf("K=%d: Hudson Fst %.4f (pairs %v), want %.3f", tc.k, m, est, tc.fst)
			}
		})
	}
}

func TestGenotypesDoNotDependOnThreads(t *testing.T) {
	cfg := OneKGLikePreset(37, 700) // odd sizes: uneven thread splits, partial chunks
	_, a, ta := simulate(t, cfg, 9, 1)
	_, b, tb := simulate(t, cfg, 9, 3)
	_, c, _ := simulate(t, cfg, 10, 3)
	if !bytes.Equal(int8Bytes(a.Haplotypes), int8Bytes(b.Haplotypes)) || !bytes.Equal(int8Bytes(a.Dosage), int8Bytes(b.Dosage)) {
		t.Fatal("1 and 3 threads gave different genotypes")
	}
	for v := range ta {
		if ta[v].Site != tb[v].Site {
			t.Fatalf("site %d differs: %+v vs %+v", v, ta[v].Site, tb[v].Site)
		}
	}
	if bytes.Equal(int8Bytes(a.Haplotypes), int8Bytes(c.Haplotypes)) {
		t.Fatal("different seeds gave the same genotypes")
	}
	for v := range a.NumSites() {
		h, d := a.HapRow(v), a.Row(v)
		for s := range d {
			if d[s] != h[2*s]+h[2*s+1] {
				t.Fatalf("site %d sample %d: dosage %d, haplotypes %d|%d", v, s, d[s], h[2*s], h[2*s+1])
			}
		}
		if v > 0 && a.Sites[v].Pos <= a.Sites[v-1].Pos {
			t.Fatalf("positions not increasing at site %d", v)
		}
	}
}

func int8Bytes(x []int8) []byte {
	b := make([]byte, len(x))
	for i, v := range x {
		b[i] = byte(v)
	}
	return b
}

func TestSamplesAndPanelFile(t *testing.T) {
	cfg := PaperPreset(10, 5)
	cfg.Populations, cfg.Fst = 3, 0.05
	p, err := NewPanel(cfg, 1)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := WritePanel(&buf, p.Samples()); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n")
	if lines[0] != "sample\tpop\tsuper_pop\tgender" || len(lines) != 11 {
		t.Fatalf("panel file:\n%s", buf.String())
	}
	// 10 individuals in 3 populations: 4, 3, 3.
	wantIDs := []string{"POP1_000001", "POP1_000002", "POP1_000003", "POP1_000004", "POP2_000001", "POP2_000002", "POP2_000003", "POP3_000001", "POP3_000002", "POP3_000003"}
	for i, line := range lines[1:] {
		f := strings.Split(line, "\t")
		if len(f) != 4 || f[0] != wantIDs[i] || f[1] != wantIDs[i][:4] || f[2] != f[1] || (f[3] != "male" && f[3] != "female") {
			t.Errorf("panel line %d = %q", i+2, line)
		}
	}
	if c := p.Contig(); c.ID != "1" || c.Length < 10000 {
		t.Errorf("contig %+v", c)
	}
}

func TestBetaSpectrumHasRareTail(t *testing.T) {
	rng := NewRand(1)
	count := 0
	const n = 20000
	for range n {
		q := BetaSpectrum().draw(rng)
		if q < 0.01 || q > 0.5 {
			t.Fatalf("draw %v outside [0.01, 0.5]", q)
		}
		if q < 0.05 {
			count++
		}
	}
	// Beta(0.5, 2) truncated to [0.01, 0.5]: P(q < 0.05) ≈ 0.25 (uniform on
	// [0.01, 0.5] would give 0.08).
	if f := float64(count) / n; f < 0.2 || f > 0.3 {
		t.Errorf("fraction below 0.05 = %.3f, want ≈ 0.25", f)
	}
}

func TestNewPanelRejectsBadConfig(t *testing.T) {
	ok := PaperPreset(10, 10)
	for name, mod := range map[string]func(*PanelConfig){
		"no individuals":   func(c *PanelConfig) { c.Individuals = 0 },
		"no snps":          func(c *PanelConfig) { c.SNPs = 0 },
		"block size":       func(c *PanelConfig) { c.BlockSize = 0 },
		"rho":              func(c *PanelConfig) { c.Rho = 1.5 },
		"fst":              func(c *PanelConfig) { c.Fst = 1 },
		"populations":      func(c *PanelConfig) { c.Populations = 0 },
		"too many pops":    func(c *PanelConfig) { c.Populations = 11 },
		"spectrum":         func(c *PanelConfig) { c.Spectrum.Max = 0.7 },
		"gap":              func(c *PanelConfig) { c.MeanGap = 0 },
		"ld weight":        func(c *PanelConfig) { c.LD = []LDComponent{{Weight: -1, Scale: 10}} },
		"same branch":      func(c *PanelConfig) { c.SameBranch = 2 },
		"hotspot spacing":  func(c *PanelConfig) { c.HotspotSpacing = math.NaN() },
		"beta shape":       func(c *PanelConfig) { c.Spectrum = Spectrum{Kind: SpectrumBeta, Min: 0.01, Max: 0.5} },
		"too many LD comp": func(c *PanelConfig) { c.LD = make([]LDComponent, 5) },
	} {
		t.Run(name, func(t *testing.T) {
			c := ok
			mod(&c)
			if _, err := NewPanel(c, 1); !errors.Is(err, ErrInvalid) {
				t.Fatalf("err = %v, want ErrInvalid", err)
			}
		})
	}
	if _, err := NewPanel(ok, 1); err != nil {
		t.Fatal(err)
	}
}

func TestRunStopsOnCancel(t *testing.T) {
	p, err := NewPanel(PaperPreset(50, 100000), 1)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	n := 0
	err = p.Run(ctx, writerFunc(func(vcf.Site, []int8, []int8) error {
		n++
		if n == 1000 {
			cancel()
		}
		return nil
	}), RunOptions{Threads: 2})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v after %d sites, want context.Canceled", err, n)
	}
	werr := errors.New("disk full")
	err = p.Run(context.Background(), writerFunc(func(vcf.Site, []int8, []int8) error { return werr }), RunOptions{Threads: 2})
	if !errors.Is(err, werr) {
		t.Fatalf("err = %v, want the writer's error", err)
	}
}

type writerFunc func(vcf.Site, []int8, []int8) error

func (f writerFunc) Write(s vcf.Site, d, h []int8) error { return f(s, d, h) }

// hapBits packs one site's haplotype alleles for fast pair counts.
type hapBits struct {
	pos  int
	bits []uint64
	freq float64
}

// ldDecay returns the mean haplotype r² of SNP pairs (both with MAF ≥ minMAF)
// whose distance d falls in [edges[b], edges[b+1]).
func ldDecay(g *vcf.Genotypes, edges []int, minMAF float64) ([]float64, []int) {
	var sites []hapBits
	for v := range g.NumSites() {
		row := g.HapRow(v)
		b := make([]uint64, (len(row)+63)/64)
		c := 0
		for h, a := range row {
			if a == 1 {
				b[h/64] |= 1 << (h % 64)
				c++
			}
		}
		f := float64(c) / float64(len(row))
		if min(f, 1-f) >= minMAF && f > 0 && f < 1 {
			sites = append(sites, hapBits{g.Sites[v].Pos, b, f})
		}
	}
	n := float64(2 * g.NumSamples())
	sum := make([]float64, len(edges)-1)
	cnt := make([]int, len(edges)-1)
	for i := range sites {
		for j := i + 1; j < len(sites); j++ {
			d := sites[j].pos - sites[i].pos
			if d >= edges[len(edges)-1] {
				break
			}
			c := 0
			for w := range sites[i].bits {
				c += bits.OnesCount64(sites[i].bits[w] & sites[j].bits[w])
			}
			pi, pj := sites[i].freq, sites[j].freq
			D := float64(c)/n - pi*pj
			r2 := D * D / (pi * (1 - pi) * pj * (1 - pj))
			for b := range cnt {
				if d >= edges[b] && d < edges[b+1] {
					sum[b] += r2
					cnt[b]++
				}
			}
		}
	}
	for b := range sum {
		sum[b] /= float64(max(cnt[b], 1))
	}
	return sum, cnt
}

func TestOneKGLikeDecay(t *testing.T) {
	n, snps := 1000, 4000
	if testing.Short() {
		n, snps = 300, 2000
	}
	cfg := OneKGLikePreset(n, snps)
	_, g, _ := simulate(t, cfg, 11, 2)
	edges := []int{0, 1000, 5000, 10000, 20000, 50000, 200000, 300000}
	// bins 0: <1 kb, 2: 5–10 kb, 4: 20–50 kb, 6: 200–300 kb
	for _, minMAF := range []float64{0.01, 0.05} {
		r2, cnt := ldDecay(g, edges, minMAF)
		t.Logf("MAF ≥ %v: mean r² by bin %v: %.3f (pairs %v)", minMAF, edges, r2, cnt)
		floor := 1 / float64(2*n) // E[r²] of unlinked SNPs
		checks := []struct {
			bin    int
			lo, hi float64
		}{{0, 0.3, 0.6}, {2, 0.1, 0.4}, {4, 0, 0.15}, {6, 0, 0.01 + 2*floor}}
		for _, c := range checks {
			if cnt[c.bin] < 100 {
				t.Fatalf("bin %d has only %d pairs", c.bin, cnt[c.bin])
			}
			if r2[c.bin] < c.lo || r2[c.bin] > c.hi {
				t.Errorf("MAF ≥ %v: mean r² at %d–%d bp = %.3f, want in [%v, %v]", minMAF, edges[c.bin], edges[c.bin+1], r2[c.bin], c.lo, c.hi)
			}
		}
		// Monotone decay.
		for b := 1; b < len(r2); b++ {
			if r2[b] > r2[b-1]+0.01 {
				t.Errorf("decay not monotone: %.3f", r2)
			}
		}
	}
}

func BenchmarkPanel2504x1000(b *testing.B) {
	for _, preset := range []struct {
		name string
		cfg  PanelConfig
	}{{"paper", PaperPreset(2504, 1000)}, {"1kg-like", OneKGLikePreset(2504, 1000)}} {
		b.Run(preset.name, func(b *testing.B) {
			p, err := NewPanel(preset.cfg, 1)
			if err != nil {
				b.Fatal(err)
			}
			w := writerFunc(func(vcf.Site, []int8, []int8) error { return nil })
			for b.Loop() {
				if err := p.Run(context.Background(), w, RunOptions{Threads: 2}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// TestOneKGSpectrum: on a simulated 1000 Genomes-shaped panel (2504
// people, one population) with --maf-spectrum 1kg, the sample MAF
// follows the spectrum: about one site in five has MAF ≥ 0.01 and the
// rare bins hold about what OneKGSpectrum's table says.
func TestOneKGSpectrum(t *testing.T) {
	n, m := 2504, 8000
	// One population: with Fst 0.05 between five, the sample frequencies
	// spread around the ancestral one and 17-19% of the sites have MAF ≥
	// 0.01 (measured on 2504 × 20,000, two seeds).
	cfg := OneKGLikePreset(n, m)
	cfg.Spectrum, cfg.Populations, cfg.Fst = OneKGSpectrum(), 1, 0
	cfg.SameBranch = 0 // independent frequencies: a sharp test
	p, err := NewPanel(cfg, 3)
	if err != nil {
		t.Fatal(err)
	}
	g, _, err := p.Genotypes(context.Background(), 2)
	if err != nil {
		t.Fatal(err)
	}
	var common, below001, mid int
	for v := range g.Sites {
		alt := 0
		for _, d := range g.Row(v) {
			alt += int(d)
		}
		maf := float64(min(alt, 2*n-alt)) / float64(2*n)
		switch {
		case maf >= 0.01:
			common++
		case maf < 0.001:
			below001++
		default:
			mid++
		}
	}
	fc, fr, fm := float64(common)/float64(m), float64(below001)/float64(m), float64(mid)/float64(m)
	t.Logf("MAF ≥ 0.01: %.3f, < 0.001: %.3f, [0.001, 0.01): %.3f", fc, fr, fm)
	if fc < 0.18 || fc > 0.22 {
		t.Errorf("fraction with MAF ≥ 0.01 = %.3f, want ≈ 0.20", fc)
	}
	// Ancestral 0.617 below 0.001; sampling moves a few across.
	if fr < 0.54 || fr > 0.64 || fm < 0.18 || fm > 0.25 {
		t.Errorf("fraction with MAF < 0.001 = %.3f (want ≈ 0.59), in [0.001, 0.01) = %.3f (want ≈ 0.21)", fr, fm)
	}
	// Draws stay inside [Min, Max], also truncated.
	rng := NewRand(2)
	s := OneKGSpectrum()
	s.Min, s.Max = 0.003, 0.15
	for range 10000 {
		if q := s.draw(rng); q < s.Min || q > s.Max {
			t.Fatalf("draw %v outside [%v, %v]", q, s.Min, s.Max)
		}
	}
}
