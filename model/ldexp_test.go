package model_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/stat"

	"github.com/gousynth/gousynth/app"
	"github.com/gousynth/gousynth/model"
	"github.com/gousynth/gousynth/preprocess"
	"github.com/gousynth/gousynth/report"
	"github.com/gousynth/gousynth/vcf"
)

// stageSeedX mirrors app's per-stage seeds so that the
// harness uses the split, model and report seeds of `gousynth fit --seed 1`.
func stageSeedX(seed, stage uint64) uint64 {
	z := seed + stage*0x9E3779B97F4A7C15
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9
	z = (z ^ (z >> 27)) * 0x94D049BB133111EB
	return z ^ (z >> 31)
}

// TestLDDiscretiserExperiment fits once and compares discretisers on the
// same continuous samples (GOUSYNTH_LDEXP=path.vcf.gz[,steps]).
func TestLDDiscretiserExperiment(t *testing.T) {
	spec := os.Getenv("GOUSYNTH_LDEXP")
	if spec == "" {
		t.Skip("set GOUSYNTH_LDEXP=file.vcf.gz[,steps[,netdims]]")
	}
	parts := strings.Split(spec, ",")
	ctx := context.Background()
	filter := preprocess.DefaultFilterOptions()
	filter.MinMAF = 0.01
	d, err := app.Prepare(ctx, app.DataOptions{Input: parts[0], Filter: filter, TestFraction: 0.3, Seed: stageSeedX(1, 1)}, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	cfg := model.DefaultConfig("gou")
	if len(parts) > 1 {
		cfg.Steps, _ = strconv.Atoi(parts[1])
	}
	if len(parts) > 2 {
		cfg.NetDims, _ = strconv.Atoi(parts[2])
	}
	if l := os.Getenv("GOUSYNTH_LDEXP_LATENT"); l != "" {
		cfg.Latent = model.LatentKind(l)
	}
	cfg.Seed = stageSeedX(1, 2)
	t0 := time.Now()
	var m *model.Model
	cache := os.Getenv("GOUSYNTH_LDEXP_MODEL")
	if cache != "" {
		if m, err = model.Load(cache); err != nil && !errors.Is(err, os.ErrNotExist) {
			t.Fatal(err)
		}
	}
	if m == nil {
		m, err = model.Fit(ctx, d.TrainMatrix, d.Train.Sites, cfg, nil)
		if err != nil {
			t.Fatal(err)
		}
		if cache != "" {
			if err := m.Save(cache); err != nil {
				t.Fatal(err)
			}
		}
	}
	cfg = m.Config
	t.Logf("fit %.1f s (%d train × %d SNPs, %d steps, netdims %d)", time.Since(t0).Seconds(), d.Train.NumSamples(), d.Train.NumSites(), cfg.Steps, cfg.NetDims)
	cal, err := m.SampleContinuousForTest(ctx, cfg.CalibrationSize, 11)
	if err != nil {
		t.Fatal(err)
	}
	gen, err := m.SampleContinuousForTest(ctx, d.NumInput, 12)
	if err != nil {
		t.Fatal(err)
	}
	type variant struct {
		disc   model.DiscretiserKind
		window int
		ridge  float64
		gain   float64
	}
	vs := []variant{{"threshold", 0, 0, 1}, {"ld", 500, 0.1, 1}}
	if w := os.Getenv("GOUSYNTH_LDEXP_VARIANTS"); w != "" {
		vs = nil
		for _, f := range strings.Fields(w) {
			p := strings.Split(f, ":")
			v := variant{disc: model.DiscretiserKind(p[0]), gain: 1}
			if len(p) > 2 {
				v.window, _ = strconv.Atoi(p[1])
				v.ridge, _ = strconv.ParseFloat(p[2], 64)
			}
			if len(p) > 3 {
				v.gain, _ = strconv.ParseFloat(p[3], 64)
			}
			vs = append(vs, v)
		}
	}
	n := d.NumInput
	for _, v := range vs {
		t1 := time.Now()
		if v.disc != "keep" {
			m.RediscretiseForTest(d.TrainMatrix, cal, v.disc, v.window, v.ridge, v.gain)
		}
		rows := m.DiscretiseForTest(gen)
		dt := time.Since(t1).Seconds()
		g := &vcf.Genotypes{Sites: d.Train.Sites, Samples: make([]string, n), Dosage: make([]int8, n*len(d.Train.Sites))}
		for s := range g.Samples {
			g.Samples[s] = fmt.Sprintf("SYN%06d", s+1)
			for j, x := range rows[s] {
				g.Dosage[j*n+s] = x
			}
		}
		met, err := report.Evaluate(d.Test, g, d.Train, report.Options{Seed: stageSeedX(1, 4)})
		if err != nil {
			t.Fatal(err)
		}
		line := fmt.Sprintf("%-9s w=%-3d ridge=%-5g gain=%-4g (%.1fs):", v.disc, v.window, v.ridge, v.gain, dt)
		for _, name := range []string{"cov_frobenius", "ld_r2_mae", "ld_decay_l2", "corr_frobenius", "pca_w1_mean"} {
			x, _ := met.Get(name)
			line += fmt.Sprintf(" %s %.2f×", name, x.Value/x.Floor)
		}
		for _, name := range []string{"af_r2", "aats", "identical_match_rate"} {
			x, _ := met.Get(name)
			line += fmt.Sprintf(" %s %.4g", name, x.Value)
		}
		t.Log(line)
		t.Log(covSlopes(d.TrainMatrix, g))
	}
}

// covSlopes returns, per bin of SNP lag, the slope of synthetic on training
// covariances (Σ s·t / Σ t²): 1 means LD is kept at that distance.
func covSlopes(train *mat.Dense, g *vcf.Genotypes) string {
	n, d := g.NumSamples(), g.NumSites()
	x := mat.NewDense(n, d, nil)
	for j := 0; j < d; j++ {
		for s := 0; s < n; s++ {
			x.Set(s, j, float64(g.Dosage[j*n+s]))
		}
	}
	cov := func(a *mat.Dense) *mat.SymDense {
		var c mat.SymDense
		stat.CovarianceMatrix(&c, a, nil)
		return &c
	}
	cs, ct := cov(x), cov(train)
	edges := []int{1, 2, 5, 17, 65, 257, d}
	out := "cov slope by lag:"
	for b := 0; b+1 < len(edges); b++ {
		var st, tt float64
		for i := 0; i < d; i++ {
			for l := edges[b]; l < edges[b+1] && i+l < d; l++ {
				st += cs.At(i, i+l) * ct.At(i, i+l)
				tt += ct.At(i, i+l) * ct.At(i, i+l)
			}
		}
		out += fmt.Sprintf(" [%d,%d) %.3f", edges[b], edges[b+1], st/tt)
	}
	return out
}
