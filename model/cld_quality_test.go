package model_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gousynth/gousynth/app"
	"github.com/gousynth/gousynth/model"
	"github.com/gousynth/gousynth/preprocess"
)

// TestCLDQuality1000Genomes runs CLD and CLD-ε end to end on the bundled
// 1000 Genomes region (fit → generate → report.Evaluate through the
// pipeline, MAF ≥ 0.01, 70/30 split) and logs every metric next to its
// floor (docs/results-cld.md). It takes minutes:
//
//	GOUSYNTH_CLD_QUALITY=1 go test ./model -run TestCLDQuality1000Genomes -v -timeout 60m
func TestCLDQuality1000Genomes(t *testing.T) {
	if testing.Short() || os.Getenv("GOUSYNTH_CLD_QUALITY") == "" {
		t.Skip("full fits of the 1000 Genomes region: set GOUSYNTH_CLD_QUALITY=1")
	}
	procs := []string{"cld", "cld-eps"}
	if p := os.Getenv("GOUSYNTH_CLD_PROCS"); p != "" {
		procs = strings.Split(p, ",")
	}
	for _, proc := range procs {
		t.Run(proc, func(t *testing.T) {
			cfg := model.DefaultConfig(model.ProcessKind(proc))
			// GOUSYNTH_CLD_STEPS and GOUSYNTH_CLD_T override the training steps
			// and the horizon T (measurement runs).
			if v := os.Getenv("GOUSYNTH_CLD_STEPS"); v != "" {
				if _, err := fmt.Sscan(v, &cfg.Steps); err != nil {
					t.Fatal(err)
				}
			}
			if v := os.Getenv("GOUSYNTH_CLD_T"); v != "" {
				if _, err := fmt.Sscan(v, &cfg.T); err != nil {
					t.Fatal(err)
				}
			}
			filter := preprocess.DefaultFilterOptions()
			filter.MinMAF = 0.01
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
			for _, g := range [][]string{{"cov_frobenius", "corr_frobenius", "sliced_w2", "af_r2", "ld_r2_mae", "ld_r2_corr", "ld_decay_l2", "pca_w1_mean", "dcr_median", "identical_match_rate", "aats", "mia_auc"}} {
				for _, name := range g {
					v, ok := m.Get(name)
					if !ok {
						t.Fatalf("metric %s missing", name)
					}
					t.Logf("%s steps=%d T=%v: %s = %.4g (floor %.4g, ratio %.2f)", proc, cfg.Steps, cfg.T, name, v.Value, v.Floor, v.Value/v.Floor)
				}
			}
			// What CLD must deliver whatever its fidelity: real allele
			// frequencies, no copies of training individuals, privacy in line
			// with held-out real individuals.
			if v, _ := m.Get("af_r2"); v.Value < 0.99 {
				t.Errorf("af_r2 = %.4f < 0.99", v.Value)
			}
			if v, _ := m.Get("identical_match_rate"); v.Value != 0 {
				t.Errorf("identical match rate %.4f, want 0", v.Value)
			}
			if v, _ := m.Get("aats"); v.Value < 0.4 || v.Value > 0.6 {
				t.Errorf("AATS %.3f outside [0.4, 0.6]", v.Value)
			}
		})
	}
}
