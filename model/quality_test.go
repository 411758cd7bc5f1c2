package model_test

import (
	"context"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/gousynth/gousynth/app"
	"github.com/gousynth/gousynth/model"
	"github.com/gousynth/gousynth/preprocess"
	"github.com/gousynth/gousynth/report"
)

// TestQuality1000Genomes is issue 5's acceptance run: the default fit on the
// bundled 1000 Genomes region (MAF ≥ 0.01, 70/30 split), 2504 synthetic
// individuals, judged against the held-out 30% with the report package's
// metrics and floors. GOU is held to the thresholds;
// GOUSYNTH_QUALITY=1 adds VP on the same budget (measured and logged, not
// held to the thresholds).
//
// The full run takes minutes (141 s on an idle 2-core machine, over Go's
// 10-minute limit on a busy one) and needs GOUSYNTH_LONG=1:
//
//	GOUSYNTH_LONG=1 go test ./model -run TestQuality1000Genomes -v -timeout 30m
//
// The default run fits the same data on an eighth of the training steps and
// holds it to looser thresholds (every metric present and finite, the same
// privacy checks), so that the pipeline from VCF to metrics is still tested.
func TestQuality1000Genomes(t *testing.T) {
	if testing.Short() {
		t.Skip("fit of the 1000 Genomes region")
	}
	long := os.Getenv("GOUSYNTH_LONG") != ""
	procs := []model.ProcessKind{model.ProcessGOU}
	if os.Getenv("GOUSYNTH_QUALITY") != "" {
		procs = append(procs, model.ProcessVP)
	}
	// Thresholds: the for the full budget, looser for the reduced one.
	covMax, ldMax, afMin := 1.5, 1.5, 0.99
	if !long {
		covMax, ldMax, afMin = 2, 2.5, 0.98
	}
	for _, proc := range procs {
		t.Run(string(proc), func(t *testing.T) {
			filter := preprocess.DefaultFilterOptions()
			filter.MinMAF = 0.01
			cfg := model.DefaultConfig(proc)
			if !long {
				cfg.Steps /= 8
				t.Logf("reduced budget (%d steps): GOUSYNTH_LONG=1 runs the full acceptance fit", cfg.Steps)
			}
			res, err := app.Fit(context.Background(), app.FitOptions{
				Data: app.DataOptions{Input: filepath.Join("..", "testdata", "1kg_chr1_11.7M.vcf.gz"),
					Filter: filter, TestFraction: 0.3, Seed: 1},
				OutDir: t.TempDir(),
				Model:  cfg,
			})
			if err != nil {
				t.Fatal(err)
			}
			m := res.Metrics
			get := func(name string) report.Metric {
				v, ok := m.Get(name)
				if !ok {
					t.Fatalf("metric %s missing", name)
				}
				return v
			}
			for _, p := range res.Model.Timings {
				t.Logf("%s: phase %s %.1f s", proc, p.Phase, p.Seconds)
			}
			for _, name := range []string{"cov_frobenius", "ld_r2_mae", "ld_decay_l2", "pca_w1_mean", "af_r2", "identical_match_rate", "aats"} {
				v := get(name)
				t.Logf("%s: %s = %.4g (floor %.4g, ratio %.2f)", proc, name, v.Value, v.Floor, v.Value/v.Floor)
			}
			if proc != "gou" {
				return // VP is measured and reported, not held to the thresholds
			}
			if v := get("cov_frobenius"); !(v.Value <= covMax*v.Floor) {
				t.Errorf("cov_frobenius = %.4g is more than %g× the floor %.4g", v.Value, covMax, v.Floor)
			}
			// Issue 5's goal. The "ld" discretiser brought LD r² error from
			// 1.59× to 1.43× the floor on this region (docs/results-ld.md).
			if v := get("ld_r2_mae"); !(v.Value <= ldMax*v.Floor) {
				t.Errorf("ld_r2_mae = %.4g is more than %g× the floor %.4g", v.Value, ldMax, v.Floor)
			}
			if v := get("af_r2"); !(v.Value >= afMin) {
				t.Errorf("af_r2 = %.4f < %g", v.Value, afMin)
			}
			for _, name := range []string{"ld_decay_l2", "pca_w1_mean"} {
				if v := get(name); math.IsNaN(v.Value) || math.IsInf(v.Value, 0) {
					t.Errorf("%s = %g", name, v.Value)
				}
			}
			if v := get("identical_match_rate"); v.Value != 0 {
				t.Errorf("identical match rate %.4f, want 0", v.Value)
			}
			if v := get("aats"); v.Value < 0.4 || v.Value > 0.6 {
				t.Errorf("AATS %.3f outside [0.4, 0.6]", v.Value)
			}
		})
	}
}
