package app

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gousynth/gousynth/chrom"
	"github.com/gousynth/gousynth/model"
	"github.com/gousynth/gousynth/preprocess"
	"github.com/gousynth/gousynth/report"
	"github.com/gousynth/gousynth/synth"
	"github.com/gousynth/gousynth/vcf"
)

// TestFitWindowedWorkflows: in windowed mode, a fit without held-out
// individuals (test fraction 0) writes its outputs with the chromosome
// metrics marked not computed, and a fit against an external test cohort
// with fewer sites is evaluated on the sites both hold, with the
// mismatches in metrics.json; --write-split writes the training list.
func TestFitWindowedWorkflows(t *testing.T) {
	if testing.Short() {
		t.Skip("windowed fits in -short mode")
	}
	dir := t.TempDir()
	in := filepath.Join(dir, "panel.vcf.gz")
	cfg := synth.OneKGLikePreset(200, 900)
	cfg.Populations = 2
	p, err := synth.NewPanel(cfg, 4)
	if err != nil {
		t.Fatal(err)
	}
	if err := p.WriteVCF(context.Background(), in, synth.VCFOptions{}); err != nil {
		t.Fatal(err)
	}
	// An external test cohort: the last 60 individuals, every 7th site dropped.
	g, _, err := vcf.ReadFile(in, vcf.ReadOptions{DosageOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	var keep, testIdx []int
	for v := range g.Sites {
		if v%7 != 0 {
			keep = append(keep, v)
		}
	}
	for i := 140; i < 200; i++ {
		testIdx = append(testIdx, i)
	}
	ext := filepath.Join(dir, "test.vcf.gz")
	if err := vcf.WriteGenotypes(ext, preprocess.SubsetSites(preprocess.SubsetSamples(g, testIdx), keep), vcf.Header{}); err != nil {
		t.Fatal(err)
	}
	mcfg := chrom.WindowModelConfig(model.DefaultConfig("gou"))
	mcfg.Steps, mcfg.SamplerSteps, mcfg.CalibrationSize, mcfg.Hidden = 30, 10, 200, 32
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	for _, c := range []struct {
		name      string
		testInput string
	}{{"no held-out", ""}, {"external test", ext}} {
		t.Run(c.name, func(t *testing.T) {
			data := DataOptions{Input: in, Filter: preprocess.DefaultFilterOptions(), MaxSNPs: 300, TestFraction: 0, TestInput: c.testInput, Seed: 2, Windows: WindowsAuto}
			out := filepath.Join(dir, strings.ReplaceAll(c.name, " ", "_"))
			res, err := Fit(context.Background(), FitOptions{Data: data, OutDir: out, Model: mcfg, Logger: logger, WriteSplit: true,
				Windows: chrom.Options{WindowSNPs: 250, Model: mcfg}})
			if err != nil {
				t.Fatal(err)
			}
			if res.Windowed == nil {
				t.Fatal("not a windowed fit")
			}
			b, err := os.ReadFile(filepath.Join(out, JSONFile))
			if err != nil {
				t.Fatal(err)
			}
			var js struct {
				Mode       string          `json:"mode"`
				Chromosome *chrom.Metrics  `json:"chromosome"`
				Rep        *report.Metrics `json:"representative_window"`
			}
			if err := json.Unmarshal(b, &js); err != nil {
				t.Fatal(err)
			}
			notes := strings.Join(js.Rep.Notes, "\n")
			ids, err := vcf.ReadSampleFile(filepath.Join(out, TrainSplitFile))
			if err != nil {
				t.Fatal(err)
			}
			if c.testInput == "" {
				if js.Chromosome != nil || js.Rep.NumTest != 0 || !strings.Contains(notes, report.NoHeldOutNote) {
					t.Errorf("no held-out: chromosome %v, num_test %d, notes %q", js.Chromosome, js.Rep.NumTest, notes)
				}
				if len(ids) != 200 {
					t.Errorf("training list of %d IDs, want 200", len(ids))
				}
				// generate from the windowed model reports its windows.
				var last model.Progress
				ctx := WithProgress(context.Background(), func(p model.Progress) { last = p })
				if err := GenerateWindowed(ctx, filepath.Join(out, ModelFile), 30, 1, filepath.Join(dir, "gen.vcf.gz"), ""); err != nil {
					t.Fatal(err)
				}
				if w := len(res.Windowed.Windows); last.Phase != "generate" || last.Step != w || last.Total != w {
					t.Errorf("last progress of generate %+v, want %d of %d windows", last, w, w)
				}
				return
			}
			if js.Chromosome == nil || js.Rep.NumTest != 60 || js.Chromosome.SNPs != res.Data.Train.NumSites() {
				t.Fatalf("external test: chromosome %v, num_test %d", js.Chromosome != nil, js.Rep.NumTest)
			}
			if !strings.Contains(notes, "external test cohort "+ext+" (60 individuals)") || !strings.Contains(notes, "are not in it (left out)") {
				t.Errorf("notes do not count the site mismatches: %q", notes)
			}
			// The test individuals are input individuals too: said so.
			if !strings.Contains(notes, "60 of the 60 test individuals have the ID of a training individual") {
				t.Errorf("notes do not flag the shared IDs: %q", notes)
			}
			// Fitted on the sites both hold: none of the dropped ones.
			for _, s := range res.Data.Train.Sites {
				for v := 0; v < len(g.Sites); v += 7 {
					if g.Sites[v] == s {
						t.Fatalf("site %v, absent from the test cohort, was fitted", s)
					}
				}
			}
		})
	}
}
