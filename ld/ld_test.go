package ld

import (
	"bytes"
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"

	"github.com/gousynth/gousynth/vcf"
)

// pearson2 is an independent float64 reference: the squared sample
// correlation over jointly called individuals, with centred two-pass sums.
func pearson2(x, y []int8) float64 {
	var xs, ys []float64
	for i := range x {
		if x[i] >= 0 && y[i] >= 0 {
			xs = append(xs, float64(x[i]))
			ys = append(ys, float64(y[i]))
		}
	}
	return R2Float(xs, ys)
}

func sameFloat(a, b, tol float64) bool {
	if math.IsNaN(a) || math.IsNaN(b) {
		return math.IsNaN(a) && math.IsNaN(b)
	}
	return math.Abs(a-b) <= tol
}

func TestR2MatchesReference(t *testing.T) {
	for _, tc := range []struct {
		name     string
		nInd     int
		missRate float64
	}{
		{"complete", 300, 0},
		{"missing", 257, 0.1},
		{"one word", 64, 0.05},
		{"tiny", 3, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sites := 60
			if testing.Short() {
				sites = 30
			}
			g := simulate(tc.nInd, sites, tc.missRate, 3)
			p := pack(g)
			for i := 0; i < g.NumSites(); i++ {
				for j := i; j < g.NumSites(); j++ {
					want := pearson2(g.Row(i), g.Row(j))
					if got := R2(g.Row(i), g.Row(j)); !sameFloat(got, want, 1e-12) {
						t.Fatalf("R2(%d,%d) = %v, want %v", i, j, got, want)
					}
					if got := p.r2(i, j); !sameFloat(got, want, 1e-12) {
						t.Fatalf("packed r2(%d,%d) = %v, want %v", i, j, got, want)
					}
				}
			}
		})
	}
}

func TestR2Closed(t *testing.T) {
	x := []int8{0, 1, 2, 0, 1, 2}
	if r := R2(x, x); r != 1 {
		t.Errorf("R2(x, x) = %v, want 1", r)
	}
	y := []int8{2, 1, 0, 2, 1, 0}
	if r := R2(x, y); r != 1 {
		t.Errorf("R2(x, 2-x) = %v, want 1", r)
	}
	// x = (0,0,1,1), y = (0,1,0,1): uncorrelated.
	if r := R2([]int8{0, 0, 1, 1}, []int8{0, 1, 0, 1}); r != 0 {
		t.Errorf("uncorrelated R2 = %v, want 0", r)
	}
	if r := R2([]int8{1, 1, 1, 0}, []int8{0, 1, 2, vcf.Missing}); !math.IsNaN(r) {
		t.Errorf("R2 with a site monomorphic among joint calls = %v, want NaN", r)
	}
	// r = cov/sd: x=(0,1,2,2), y=(0,0,1,2): by hand cov = 2.25, var = 2.75 each, r² = 81/121
	if r := R2([]int8{0, 1, 2, 2}, []int8{0, 0, 1, 2}); math.Abs(r-81.0/121) > 1e-15 {
		t.Errorf("R2 = %v, want 81/121", r)
	}
}

// hapReference computes r² and D′ from the 2×2 haplotype table with the
// textbook formulas r = (n11·n00 − n10·n01)/√(row and column products) and
// D′ = D/Dmax, independent of HapStats' counting.
func hapReference(x, y []int8) (r2, dp float64) {
	var n [2][2]float64
	for i := range x {
		if x[i] >= 0 && y[i] >= 0 {
			n[x[i]][y[i]]++
		}
	}
	r1, r0 := n[1][0]+n[1][1], n[0][0]+n[0][1]
	c1, c0 := n[0][1]+n[1][1], n[0][0]+n[1][0]
	num := n[1][1]*n[0][0] - n[1][0]*n[0][1]
	r2 = num * num / (r1 * r0 * c1 * c0)
	tot := r1 + r0
	d := num / (tot * tot)
	pa, pb := r1/tot, c1/tot
	if d > 0 {
		dp = d / math.Min(pa*(1-pb), (1-pa)*pb)
	} else {
		dp = d / math.Min(pa*pb, (1-pa)*(1-pb))
	}
	return r2, dp
}

func TestHapStats(t *testing.T) {
	g := simulate(200, 40, 0.03, 5)
	for i := 0; i < g.NumSites(); i++ {
		for j := i + 1; j < g.NumSites(); j++ {
			r2, D, dp, err := SiteHapStats(g, i, j)
			if err != nil {
				t.Fatal(err)
			}
			wr2, wdp := hapReference(g.HapRow(i), g.HapRow(j))
			if !sameFloat(r2, wr2, 1e-12) || !sameFloat(dp, wdp, 1e-12) {
				t.Fatalf("sites %d,%d: r2 %v D' %v, want %v %v", i, j, r2, dp, wr2, wdp)
			}
			if math.Abs(D) > 0.25 {
				t.Fatalf("|D| = %v > 1/4", D)
			}
		}
	}
	// Perfect LD: D′ = 1 whatever the frequencies.
	x := []int8{1, 1, 0, 0, 0, 0}
	y := []int8{1, 1, 1, 0, 0, 0}
	if _, _, dp := HapStats(x, y); dp != 1 {
		t.Errorf("D' = %v, want 1", dp)
	}
	if _, _, _, err := SiteHapStats(&vcf.Genotypes{}, 0, 0); !errors.Is(err, ErrNotPhased) {
		t.Errorf("unphased: err = %v, want ErrNotPhased", err)
	}
}

// bruteWindow lists the pairs of a window by their definition.
func bruteWindow(g *vcf.Genotypes, o WindowOptions) []Pair {
	var out []Pair
	for i := range g.Sites {
		for j := i + 1; j < len(g.Sites); j++ {
			a, b := g.Sites[i], g.Sites[j]
			if j-i >= o.WindowSNPs || a.Chrom != b.Chrom || float64(b.Pos-a.Pos) > o.WindowKB*1000 {
				break
			}
			r := R2(g.Row(i), g.Row(j))
			if r >= o.MinR2 {
				out = append(out, Pair{i, j, r})
			}
		}
	}
	return out
}

func TestPairsWindow(t *testing.T) {
	g := simulate(150, 400, 0.02, 9)
	// Make one site monomorphic to exercise NaN pairs.
	row := g.Row(10)
	for s := range row {
		row[s] = 1
	}
	for _, o := range []WindowOptions{
		{WindowSNPs: 2, WindowKB: 1e9},
		{WindowSNPs: 10, WindowKB: 1},
		{WindowSNPs: 1000, WindowKB: 10, MinR2: 0.2},
		{WindowSNPs: 50, WindowKB: 1000, MinR2: 0.5, Threads: 1},
		{WindowSNPs: 50, WindowKB: 1000, Threads: 7},
	} {
		want := bruteWindow(g, o)
		var got []Pair
		if err := Pairs(g, o, func(p Pair) error { got = append(got, p); return nil }); err != nil {
			t.Fatal(err)
		}
		if len(got) != len(want) {
			t.Fatalf("%+v: %d pairs, want %d", o, len(got), len(want))
		}
		for k := range got {
			if got[k].I != want[k].I || got[k].J != want[k].J || !sameFloat(got[k].R2, want[k].R2, 1e-12) {
				t.Fatalf("%+v: pair %d = %+v, want %+v", o, k, got[k], want[k])
			}
		}
	}
}

func TestPairsErrors(t *testing.T) {
	g := simulate(20, 30, 0, 1)
	for _, o := range []WindowOptions{{WindowSNPs: 0, WindowKB: 1}, {WindowSNPs: 1, WindowKB: 1}, {WindowSNPs: 10, WindowKB: 0}, {WindowSNPs: 10, WindowKB: 1, MinR2: 2}} {
		if err := Pairs(g, o, func(Pair) error { return nil }); !errors.Is(err, ErrBadWindow) {
			t.Errorf("%+v: err = %v, want ErrBadWindow", o, err)
		}
	}
	stop := errors.New("stop")
	n := 0
	err := Pairs(g, WindowOptions{WindowSNPs: 10, WindowKB: 1e6}, func(Pair) error {
		n++
		if n == 5 {
			return stop
		}
		return nil
	})
	if !errors.Is(err, stop) || n != 5 {
		t.Errorf("callback error: err = %v after %d pairs", err, n)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := WriteTSV(ctx, &bytes.Buffer{}, g, WindowOptions{WindowSNPs: 10, WindowKB: 1e6}); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled WriteTSV: err = %v", err)
	}
}

func TestWriteTSVDeterministic(t *testing.T) {
	g := simulate(100, 500, 0.01, 4)
	var outs []string
	for _, th := range []int{1, 2, 5} {
		var b bytes.Buffer
		n, err := WriteTSV(context.Background(), &b, g, WindowOptions{WindowSNPs: 30, WindowKB: 100, Threads: th})
		if err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n")
		if int64(len(lines)-1) != n || lines[0]+"\n" != TSVHeader {
			t.Fatalf("%d lines for %d pairs, header %q", len(lines), n, lines[0])
		}
		f := strings.Split(lines[1], "\t")
		if len(f) != 7 || f[0] != "1" || f[2] != "rs0" {
			t.Fatalf("first line %q", lines[1])
		}
		outs = append(outs, b.String())
	}
	if outs[0] != outs[1] || outs[0] != outs[2] {
		t.Error("output depends on the number of threads")
	}
}

func TestAppendR2MatchesStrconv(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	vals := []float64{0, 1, 0.5, 0.1, 1e-4, 9.999995e-5, 0.9999995, 0.99999949, 1e-5, 1.5e-17, 123456e-11, math.NaN(), 0.000123456, 0.0001234565}
	n := 200000
	if testing.Short() {
		n = 20000
	}
	for i := 0; i < n; i++ {
		e := rng.IntN(20)
		vals = append(vals, rng.Float64()/math.Pow(10, float64(e)))
	}
	for i := 0; i < 1000; i++ { // exact 7-digit ties
		vals = append(vals, float64(rng.IntN(9000000)+1000000)/1e7+0.5e-7)
	}
	for _, v := range vals {
		got := string(AppendR2(nil, v))
		want := strconv.FormatFloat(v, 'g', 6, 64)
		if math.IsNaN(v) {
			want = "nan"
		}
		if got != want {
			t.Fatalf("AppendR2(%v) = %q, want %q", v, got, want)
		}
	}
}

// TestSparseMatchesDense checks the carrier-list path against the popcount
// path on rare, common and missing-heavy sites.
func TestSparseMatchesDense(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 5))
	const n = 1000
	g := &vcf.Genotypes{Samples: make([]string, n)}
	for v := 0; v < 40; v++ {
		g.Sites = append(g.Sites, vcf.Site{Chrom: "1", Pos: v + 1})
		f := []float64{0.001, 0.005, 0.01, 0.3}[v%4]
		for s := 0; s < n; s++ {
			d := int8(0)
			if rng.Float64() < f {
				d++
			}
			if rng.Float64() < f {
				d++
			}
			if v%5 == 0 && rng.Float64() < 0.1 {
				d = vcf.Missing
			}
			g.Dosage = append(g.Dosage, d)
		}
	}
	p := pack(g)
	sparse := 0
	for v := range g.Sites {
		if p.carriers[v] != nil {
			sparse++
		}
	}
	if sparse < 10 {
		t.Fatalf("only %d sparse sites", sparse)
	}
	for i := range g.Sites {
		for j := range g.Sites {
			want := pearson2(g.Row(i), g.Row(j))
			if got := p.r2(i, j); !sameFloat(got, want, 1e-12) {
				t.Fatalf("r2(%d,%d) = %v, want %v", i, j, got, want)
			}
		}
	}
}

func TestHapPairs(t *testing.T) {
	g := simulate(130, 200, 0.03, 17)
	// One haploid-like call: second allele missing but genotype kept.
	g.Haplotypes[2*(5*130+3)+1] = vcf.Missing
	o := WindowOptions{WindowSNPs: 25, WindowKB: 5, MinR2: 0.01}
	var got []HapPair
	if err := HapPairs(g, o, func(p HapPair) error { got = append(got, p); return nil }); err != nil {
		t.Fatal(err)
	}
	k := 0
	for i := range g.Sites {
		for j := i + 1; j < len(g.Sites) && j-i < o.WindowSNPs; j++ {
			if g.Sites[i].Chrom != g.Sites[j].Chrom || float64(g.Sites[j].Pos-g.Sites[i].Pos) > o.WindowKB*1000 {
				break
			}
			r2, D, dp := HapStats(g.HapRow(i), g.HapRow(j))
			if !(r2 >= o.MinR2) {
				continue
			}
			if k >= len(got) {
				t.Fatalf("missing pair %d,%d", i, j)
			}
			p := got[k]
			if p.I != i || p.J != j || !sameFloat(p.R2, r2, 1e-12) || !sameFloat(p.D, D, 1e-12) || !sameFloat(p.Dprime, dp, 1e-12) {
				t.Fatalf("pair %d = %+v, want %d,%d %v %v %v", k, p, i, j, r2, D, dp)
			}
			k++
		}
	}
	if k != len(got) || k < 100 {
		t.Fatalf("%d pairs, want %d", len(got), k)
	}
	if err := HapPairs(&vcf.Genotypes{}, o, func(HapPair) error { return nil }); !errors.Is(err, ErrNotPhased) {
		t.Errorf("unphased: %v", err)
	}
}
