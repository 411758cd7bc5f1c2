//go:build privexp

package model

import (
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/gousynth/gousynth/vcf"
)

func expRead(t *testing.T, path string) *vcf.Genotypes {
	g, _, err := vcf.ReadFile(path, vcf.ReadOptions{DosageOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	return g
}

func expMatrix(g *vcf.Genotypes, keep []int) *mat.Dense {
	n := g.NumSamples()
	x := mat.NewDense(n, len(keep), nil)
	for c, v := range keep {
		for s, d := range g.Row(v) {
			x.Set(s, c, float64(d))
		}
	}
	return x
}

// TestPrivExp measures the Gaussian part of a basis (docs/privacy.md, issue
// 19): for each configuration rank:block:taper[:arLags] of GS_GRID (0 = the
// default), the model-file probe, the model-density attack, and a
// Gaussian-only synthetic cohort's distance attack and LD r² error, on
// GS_TRAIN (members) and GS_TEST (non-members):
//
//	GS_TRAIN=train.vcf.gz GS_TEST=test.vcf.gz GS_GRID=0:0:0,10:0:0:5 go test -tags privexp ./model -run TestPrivExp -v
func TestPrivExp(t *testing.T) {
	tr, te := expRead(t, os.Getenv("GS_TRAIN")), expRead(t, os.Getenv("GS_TEST"))
	var keep []int
	for v := range tr.Sites {
		var s float64
		for _, d := range tr.Row(v) {
			s += float64(d)
		}
		p := s / float64(2*tr.NumSamples())
		if math.Min(p, 1-p) >= 0.01 {
			keep = append(keep, v)
		}
	}
	x, y := expMatrix(tr, keep), expMatrix(te, keep)
	n, d := x.Dims()
	nt, _ := y.Dims()
	fmt.Printf("n=%d d=%d test=%d default rank %d block %d\n", n, d, nt, maxBasisRank(n, d), residBlockSize(n))
	for _, cfg := range strings.Split(os.Getenv("GS_GRID"), ",") {
		f := strings.Split(cfg, ":")
		rk, _ := strconv.Atoi(f[0])
		bk, _ := strconv.Atoi(f[1])
		tp, _ := strconv.ParseFloat(f[2], 64)
		ar := 0
		if len(f) > 3 {
			ar, _ = strconv.Atoi(f[3])
		}
		if rk == 0 {
			rk = maxBasisRank(n, d)
		}
		if bk == 0 {
			bk = residBlockSize(n)
		}
		b, err := newBasisOpts(x, false, basisOpts{maxRank: rk, block: bk, taper: tp, arLags: ar})
		if err != nil {
			t.Fatal(err)
		}
		dens, err := b.DensityScore()
		if err != nil {
			t.Fatal(err)
		}
		var pm, pn, dm, dn []float64
		for i := 0; i < n; i++ {
			row := append([]float64(nil), x.RawRowView(i)...)
			pm = append(pm, b.OutsideSpan(row))
			dm = append(dm, -dens(row))
		}
		for i := 0; i < nt; i++ {
			row := append([]float64(nil), y.RawRowView(i)...)
			pn = append(pn, b.OutsideSpan(row))
			dn = append(dn, -dens(row))
		}
		// Gaussian-only synthetic cohort, thresholds calibrated to training frequencies.
		rng := rand.New(rand.NewPCG(3, 4))
		r := b.Rank()
		ys := mat.NewDense(n, r, nil)
		for i := 0; i < n; i++ {
			for c := 0; c < r; c++ {
				ys.Set(i, c, math.Sqrt(b.Lambda[c])*rng.NormFloat64())
			}
		}
		xs := b.Decode(ys)
		b.addResidual(xs, rng)
		th := calibrate(x, xs)
		sy := make([][]int8, n)
		for i := range sy {
			sy[i] = make([]int8, d)
			for j := 0; j < d; j++ {
				sy[i][j] = cut(th[j], xs.At(i, j))
			}
		}
		near := func(row []float64) float64 {
			best := math.Inf(1)
			for _, s := range sy {
				var dd float64
				for j, v := range row {
					dd += math.Abs(v - float64(s[j]))
				}
				best = math.Min(best, dd)
			}
			return best
		}
		var mm, mn []float64
		for i := 0; i < n; i++ {
			mm = append(mm, near(x.RawRowView(i)))
		}
		for i := 0; i < nt; i++ {
			mn = append(mn, near(y.RawRowView(i)))
		}
		sx := mat.NewDense(n, d, nil)
		for i := range sy {
			for j, g := range sy[i] {
				sx.Set(i, j, float64(g))
			}
		}
		ldS, ldF := expLDMAE(sx, y), expLDMAE(x, y)
		fmt.Printf("   ld_mae gauss-synth %.4f train %.4f ratio %.3f\n", ldS, ldF, ldS/ldF)
		// Fidelity proxy: covariance Frobenius of the model covariance vs test covariance.
		fmt.Printf("rank %3d block %3d taper %5.1f ar %d | probe %.3f density %.3f gauss-synth-dist %.3f\n", rk, bk, tp, ar,
			aucBelow(pm, pn), aucBelow(dm, dn), aucBelow(mm, mn))
	}
}

func expR2(x *mat.Dense, w int) []float64 {
	n, d := x.Dims()
	cols := make([][]float64, d)
	for j := range cols {
		c := make([]float64, n)
		var m float64
		for i := range c {
			c[i] = x.At(i, j)
			m += c[i]
		}
		m /= float64(n)
		var ss float64
		for i := range c {
			c[i] -= m
			ss += c[i] * c[i]
		}
		if ss > 0 {
			for i := range c {
				c[i] /= math.Sqrt(ss)
			}
		}
		cols[j] = c
	}
	var out []float64
	for a := 0; a < d; a++ {
		for b := a + 1; b < d && b <= a+w; b++ {
			var r float64
			for i, v := range cols[a] {
				r += v * cols[b][i]
			}
			out = append(out, r*r)
		}
	}
	return out
}

func expLDMAE(x, y *mat.Dense) float64 {
	a, b := expR2(x, 200), expR2(y, 200)
	var s float64
	for i := range a {
		s += math.Abs(a[i] - b[i])
	}
	return s / float64(len(a))
}

// TestPrivHalf prints the split-half probe AUCs (halfProbeAUCs) of GS_TRAIN.
func TestPrivHalf(t *testing.T) {
	tr := expRead(t, os.Getenv("GS_TRAIN"))
	var keep []int
	for v := range tr.Sites {
		var s float64
		for _, d := range tr.Row(v) {
			s += float64(d)
		}
		p := s / float64(2*tr.NumSamples())
		if math.Min(p, 1-p) >= 0.01 {
			keep = append(keep, v)
		}
	}
	x := expMatrix(tr, keep)
	n, d := x.Dims()
	xc := mat.NewDense(n, d, nil)
	for j := 0; j < d; j++ {
		var m float64
		for i := 0; i < n; i++ {
			m += x.At(i, j) / float64(n)
		}
		for i := 0; i < n; i++ {
			xc.Set(i, j, x.At(i, j)-m)
		}
	}
	a := halfProbeAUCs(xc, 60)
	for k, v := range a {
		fmt.Printf("k=%d %.3f  ", k+1, v)
	}
	fmt.Println()
}
