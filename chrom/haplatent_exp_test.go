package chrom

import (
	"context"
	"fmt"
	"os"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// TestHapLatentExperiment compares the dosage and haplotype latent models'
// LD on one window (r² of pairs up to 20 apart against the training and
// the held-out r², and the mean r² ratios at lags 1, 8 and 20), drawn for
// the training individuals' own ancestry and for the plan's synthetic
// ancestry (docs/results-windowed-ld.md). Opt-in:
//
//	GOUSYNTH_CHROM_EXP=hap go test ./chrom -run TestHapLatentExperiment -v
func TestHapLatentExperiment(t *testing.T) {
	if os.Getenv("GOUSYNTH_CHROM_EXP") != "hap" {
		t.Skip("experiment: set GOUSYNTH_CHROM_EXP=hap")
	}
	train, test := panel(t, 700, 1000, 3)
	if train.Haplotypes == nil {
		t.Fatal("panel has no haplotypes")
	}
	n, d := train.NumSamples(), train.NumSites()
	p, err := NewPlan(context.Background(), train, n, smallOptions(true))
	if err != nil {
		t.Fatal(err)
	}
	K := p.PCA.K()
	scores := mat.DenseCopyOf(p.TrainScores).RawMatrix().Data
	coef, _, err := regressFit(train.Dosage, n, d, scores, K)
	if err != nil {
		t.Fatal(err)
	}
	calibrateIntercepts(coef, scores, n, K, genotypeFreq(train.Dosage, n, d))
	cfg := smallOptions(false).Model
	ctx := context.Background()
	const lags = 20
	ref := dosageBandCorr(train.Dosage, n, d, lags)
	refTest := dosageBandCorr(test.Dosage, test.NumSamples(), d, lags)
	ratioTo := func(ref, x []float64, k int) float64 {
		var a, b float64
		for v := k; v < d; v++ {
			a += ref[v*(lags+1)+k] * ref[v*(lags+1)+k]
			b += x[v*(lags+1)+k] * x[v*(lags+1)+k]
		}
		return b / a
	}
	ratio := func(x []float64, k int) float64 { return ratioTo(ref, x, k) }
	bins := func(name string, c []float64) {
		// lag-1 pairs by training r²: mean synthetic r² per bin
		var sx, sy, cnt [5]float64
		for v := 1; v < d; v++ {
			a, b := ref[v*(lags+1)+1], c[v*(lags+1)+1]
			a, b = a*a, b*b
			k := min(4, int(a*5))
			sx[k] += a
			sy[k] += b
			cnt[k]++
		}
		var out string
		for k := range cnt {
			out += fmt.Sprintf(" [%.1f,%.1f) n=%d %.3f→%.3f", float64(k)/5, float64(k+1)/5, int(cnt[k]), sx[k]/cnt[k], sy[k]/cnt[k])
		}
		t.Logf("%-16s lag-1 by train r²:%s", name, out)
	}
	report := func(name string, g []int8) {
		c := dosageBandCorr(g, n, d, lags)
		bins(name, c)
		mae, slope := bandR2Error(ref, c, d, lags)
		maeT, _ := bandR2Error(refTest, c, d, lags)
		t.Logf("%-16s r² MAE %.4f (vs test %.4f) slope %.3f | mean r² ratio lag1 %.3f lag8 %.3f lag20 %.3f | vs test lag1 %.3f", name, mae, maeT, slope, ratio(c, 1), ratio(c, 8), ratio(c, 20), ratioTo(refTest, c, 1))
	}
	floorMAE, _ := bandR2Error(refTest, ref, d, lags)
	bins("test", refTest)
	t.Logf("train vs test: MAE %.4f lag1 ratio %.3f; %d train %d sites", floorMAE, ratioTo(refTest, ref, 1), n, d)
	synthLat := mat.DenseCopyOf(p.Latent).RawMatrix().Data
	lr, err := fitLatent(ctx, train.Dosage, n, d, coef, scores, K, cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	cal, _ := lr.Sample(ctx, marginalSamples, 5)
	m, sd := columnMeanSD(cal)
	g, err := regressGenerate(ctx, lr, coef, m, sd, scores, n, K, 9)
	if err != nil {
		t.Fatal(err)
	}
	report("dosage", g)
	if g, err = regressGenerate(ctx, lr, coef, m, sd, synthLat, n, K, 9); err != nil {
		t.Fatal(err)
	}
	report("dosage synth z", g)
	hr, err := fitHapLatent(ctx, train.Haplotypes, n, d, coef, scores, K, cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	cal, _ = hr.Sample(ctx, marginalSamples, 5)
	m, sd = columnMeanSD(cal)
	h, err := regressGenerateLabelled(ctx, hr, coef, m, sd, scores, n, K, 9, nil, nil, true)
	if err != nil {
		t.Fatal(err)
	}
	report("haplotype", h)
	if h, err = regressGenerateLabelled(ctx, hr, coef, m, sd, synthLat, n, K, 9, nil, nil, true); err != nil {
		t.Fatal(err)
	}
	report("hap synth z", h)
}
