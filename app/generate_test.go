package app

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gousynth/gousynth/model"
	"github.com/gousynth/gousynth/preprocess"
	"github.com/gousynth/gousynth/vcf"
)

// Every invalid generation is a usage error with the command's message.
func TestGenerateConfigValidate(t *testing.T) {
	for _, tc := range []struct {
		name string
		c    GenerateConfig
		want string // "" valid
	}{
		{"defaults", GenerateConfig{Model: "m.gsy", Output: "x.vcf.gz"}, ""},
		{"PLINK", GenerateConfig{Model: "m.gsy", Output: "x.bed", N: 5}, ""},
		{"stream", GenerateConfig{Model: "m.gsy", Output: "-", Population: "EUR:5"}, ""},
		{"no output", GenerateConfig{Model: "m.gsy"}, "generate: -o/--out is required"},
		{"plain VCF", GenerateConfig{Model: "m.gsy", Output: "x.vcf"}, `output "x.vcf" must end in .vcf.gz, or .bed`},
		{"too many", GenerateConfig{Model: "m.gsy", Output: "x.vcf.gz", N: 100000000}, "-n must be at most 10000000 synthetic individuals"},
		{"bad population", GenerateConfig{Model: "m.gsy", Output: "x.vcf.gz", Population: "EUR:x"}, "generate: --population: "},
		{"counts and -n", GenerateConfig{Model: "m.gsy", Output: "x.vcf.gz", Population: "EUR:5", N: 10}, "gives the counts; drop -n"},
		{"names and -n", GenerateConfig{Model: "m.gsy", Output: "x.vcf.gz", Population: "EUR", N: 10}, ""},
		{"bad region", GenerateConfig{Model: "m.gsy", Output: "x.vcf.gz", Region: "1:9-2"}, "generate: --region: "},
	} {
		err := tc.c.Validate()
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("%s: %v", tc.name, err)
		case tc.want == "":
		case !errors.Is(err, ErrUsage) || !strings.Contains(err.Error(), tc.want):
			t.Errorf("%s: error %v, want a usage error with %q", tc.name, err, tc.want)
		}
	}
}

// fitSmallModel fits a quick single model with population labels (two
// simulated populations) and returns its file.
func fitSmallModel(t *testing.T, dir string) string {
	t.Helper()
	in := filepath.Join(dir, "panel.vcf.gz")
	sc := SimulateConfig{Output: in, Seed: 3, Threads: 1, Individuals: 80, SNPs: 120, Preset: "paper", Chrom: "1",
		Populations: ptr(2), Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
	if err := Simulate(context.Background(), sc); err != nil {
		t.Fatal(err)
	}
	cfg := model.DefaultConfig(model.ProcessGOU)
	cfg.Steps, cfg.SamplerSteps, cfg.Hidden = 30, 5, 32
	out := filepath.Join(dir, "fit")
	data := DataOptions{Input: in, PanelPath: sc.PanelFile(), Filter: preprocess.DefaultFilterOptions(), TestFraction: 0.25, Seed: 2}
	if _, err := Fit(context.Background(), FitOptions{Data: data, OutDir: out, Model: cfg, Logger: sc.Logger}); err != nil {
		t.Fatal(err)
	}
	return filepath.Join(out, ModelFile)
}

// Generate writes what the generate command wrote before it moved into
// app (the model's cohort drawn by GenerateModelCohort with the command
// line in the header), with the labels beside it; counted populations,
// regions and their errors behave as the command documents.
func TestGenerate(t *testing.T) {
	t.Setenv("SOURCE_DATE_EPOCH", "1700000000")
	dir := t.TempDir()
	path := fitSmallModel(t, dir)
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	ctx := context.Background()

	out := filepath.Join(dir, "g.vcf.gz")
	res, err := Generate(ctx, GenerateConfig{Model: path, Output: out, N: 50, Seed: 7, Logger: logger})
	if err != nil {
		t.Fatal(err)
	}
	m, err := model.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	cohort, err := m.Cohort(nil, 50)
	if err != nil {
		t.Fatal(err)
	}
	ref := filepath.Join(dir, "ref.vcf.gz")
	h := vcf.Header{CommandLine: fmt.Sprintf("gousynth generate %s -n 50 --seed 7", path), ExtraLines: []string{PhaseLine}}
	if err := GenerateModelCohort(ctx, m, 50, cohort, 7, ref, h, nil); err != nil {
		t.Fatal(err)
	}
	if a, b := readBytes(t, out), readBytes(t, ref); string(a) != string(b) {
		t.Errorf("Generate wrote %d bytes, the generate command's path %d: they differ", len(a), len(b))
	}
	if res.N != 50 || res.Sites != len(m.Sites) || res.Windowed || res.Panel != filepath.Join(dir, "g.panel") {
		t.Errorf("result %+v, want 50 individuals over %d sites and g.panel", res, len(m.Sites))
	}
	if lines := strings.Count(string(readBytes(t, res.Panel)), "\n"); lines != 51 {
		t.Errorf("panel file has %d lines, want a header and 50", lines)
	}

	// A cohort larger than the training set is drawn with a warning; one
	// no larger is not.
	for _, n := range []int{m.TrainN, m.TrainN + 1} {
		var log bytes.Buffer
		big := filepath.Join(dir, fmt.Sprintf("n%d.vcf.gz", n))
		if _, err := Generate(ctx, GenerateConfig{Model: path, Output: big, N: n, Seed: 7, Logger: slog.New(slog.NewTextHandler(&log, nil))}); err != nil {
			t.Fatal(err)
		}
		warned := strings.Contains(log.String(), "level=WARN") && strings.Contains(log.String(), "membership attacks grow")
		if warned != (n > m.TrainN) {
			t.Errorf("-n %d with %d training individuals: warned %v; log:\n%s", n, m.TrainN, warned, log.String())
		}
	}

	res, err = Generate(ctx, GenerateConfig{Model: path, Output: filepath.Join(dir, "p.vcf.gz"), Population: "POP2:12", Seed: 7, Logger: logger})
	if err != nil {
		t.Fatal(err)
	}
	if panel := string(readBytes(t, res.Panel)); res.N != 12 || strings.Count(panel, "\tPOP2\t") != 12 {
		t.Errorf("--population POP2:12 drew %d individuals, panel:\n%s", res.N, panel)
	}

	first, last := m.Sites[0], m.Sites[len(m.Sites)/2]
	region := fmt.Sprintf("%s:%d-%d", first.Chrom, first.Pos, last.Pos)
	res, err = Generate(ctx, GenerateConfig{Model: path, Output: filepath.Join(dir, "r.vcf.gz"), Region: region, Seed: 7, Logger: logger})
	if err != nil {
		t.Fatal(err)
	}
	if res.Sites != len(m.Sites)/2+1 || res.N != m.TrainN {
		t.Errorf("--region %s: %d sites and %d individuals, want %d and the training size %d", region, res.Sites, res.N, len(m.Sites)/2+1, m.TrainN)
	}
	none := filepath.Join(dir, "none.vcf.gz")
	_, err = Generate(ctx, GenerateConfig{Model: path, Output: none, Region: "2:1-100", Seed: 7, Logger: logger})
	if err == nil || errors.Is(err, ErrUsage) || !strings.Contains(err.Error(), "holds no sites in region 2:1-100") {
		t.Errorf("a region without sites: error %v, want a data error", err)
	}
	if _, err := Generate(ctx, GenerateConfig{Model: path, Output: none, N: -1, Logger: logger}); !errors.Is(err, ErrUsage) {
		t.Errorf("-n -1: error %v, want a usage error", err)
	}
	if _, err := os.Stat(none); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("failed generations left %s", none)
	}
}

func readBytes(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
