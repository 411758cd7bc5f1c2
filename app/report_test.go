package app

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gousynth/gousynth/report"
	"github.com/gousynth/gousynth/vcf"
)

const (
	judgeTest  = "../testdata/judge/test.vcf.gz"
	judgeSynth = "../testdata/judge/synth.vcf.gz"
	judgeTrain = "../testdata/judge/train.vcf.gz"
)

// validReportConfig is ReportConfig with the command's defaults.
func validReportConfig(dir string) ReportConfig {
	return ReportConfig{
		Real: judgeTest, Synth: judgeSynth, Train: judgeTrain, PanelColumn: "super_pop",
		JSON: filepath.Join(dir, "m.json"),
		Metrics: report.Options{LDWindowSNPs: 200, LDWindowKB: 500, Projections: 500, PCs: 10,
			HeatmapCells: 300, HeatmapMaxSNPs: 1500},
	}
}

func TestReportConfigValidate(t *testing.T) {
	for _, tc := range []struct {
		name string
		edit func(*ReportConfig)
		want string // "" for valid
	}{
		{"defaults", func(*ReportConfig) {}, ""},
		{"HTML only, no training cohort", func(c *ReportConfig) { c.JSON, c.HTML, c.Train = "", "r.html", "" }, ""},
		{"no synthetic cohort", func(c *ReportConfig) { c.Synth = "" }, "report needs --real and --synth"},
		{"no output", func(c *ReportConfig) { c.JSON = "" }, "report needs -o FILE (HTML) and/or --json FILE"},
		{"panel column", func(c *ReportConfig) { c.PanelColumn = "" }, `--panel-column must be super_pop or pop, got ""`},
		{"LD window of 1", func(c *ReportConfig) { c.Metrics.LDWindowSNPs = 1 }, "--ld-window-snps must be at least 2, got 1"},
		{"LD window of 0 kb", func(c *ReportConfig) { c.Metrics.LDWindowKB = 0 }, "--ld-window-kb must be positive, got 0"},
		{"no projection", func(c *ReportConfig) { c.Metrics.Projections = 0 }, "--projections, --pcs, --heatmap-cells must be ≥ 1, --heatmap-max-snps ≥ 2, --floor-size ≥ 0"},
		{"too many PCs", func(c *ReportConfig) { c.Metrics.PCs = 1001 }, "--pcs must be at most 1000, got 1001"},
		{"bad region", func(c *ReportConfig) { c.Region = "1:x-y" }, `--region: region "1:x-y": bad start "x"`},
		{"bad heatmap region", func(c *ReportConfig) { c.HeatmapRegion = ":1-2" }, `--heatmap-region: region ":1-2": missing chromosome (want chr:start-end)`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := validReportConfig(t.TempDir())
			tc.edit(&c)
			checkValidate(t, c.Validate(), tc.want)
		})
	}
}

func TestReportHeatmapRegion(t *testing.T) {
	for _, tc := range []struct {
		region, heat string
		want         report.Region
	}{
		{"", "", report.Region{}},
		{"1:100-200", "", report.Region{Chrom: "1", Start: 100, End: 200}},
		{"1:100-200", "1:150-160", report.Region{Chrom: "1", Start: 150, End: 160}},
		{"", "1:150-160", report.Region{Chrom: "1", Start: 150, End: 160}},
	} {
		got, err := ReportConfig{Region: tc.region, HeatmapRegion: tc.heat}.heatmapRegion()
		if err != nil || got != tc.want {
			t.Errorf("region %q, heatmap region %q: %+v, %v; want %+v", tc.region, tc.heat, got, err, tc.want)
		}
	}
}

// TestReportSelectsAndRecords runs a report on 60 of the held-out and 150
// of the training individuals in a region and checks the cohorts evaluated, the heatmap
// region and the provenance in the JSON written.
func TestReportSelectsAndRecords(t *testing.T) {
	if testing.Short() {
		t.Skip("evaluates a report in -short mode")
	}
	samples := func(path string) []string {
		g, _, err := vcf.ReadFile(path, vcf.ReadOptions{MaxVariants: 1})
		if err != nil {
			t.Fatal(err)
		}
		return g.Samples
	}
	c := validReportConfig(t.TempDir())
	c.RealSamples, c.TrainSamples = samples(judgeTest)[:60], samples(judgeTrain)[100:250]
	c.Region, c.Metrics.Projections, c.Metrics.Seed, c.CommandLine = "1:11700000-11730000", 20, 7, "gousynth report (test)"
	res, err := Report(context.Background(), c)
	if err != nil {
		t.Fatal(err)
	}
	if got := res.Metrics.Options.HeatmapRegion; got != (report.Region{Chrom: "1", Start: 11700000, End: 11730000}) {
		t.Errorf("heatmap region %+v", got)
	}
	b, err := os.ReadFile(c.JSON)
	if err != nil {
		t.Fatal(err)
	}
	var js struct {
		Provenance []report.KeyValue `json:"provenance"`
	}
	if err := json.Unmarshal(b, &js); err != nil {
		t.Fatal(err)
	}
	prov := map[string]string{}
	for _, kv := range js.Provenance {
		prov[kv.Key] = kv.Value
	}
	if !strings.HasPrefix(prov["real test cohort"], judgeTest+": 60 individuals × ") || !strings.HasPrefix(prov["training cohort"], judgeTrain+": 150 individuals × ") ||
		prov["command"] != c.CommandLine || prov["seed"] != "7" {
		t.Errorf("provenance %q", js.Provenance)
	}
}

// TestReportUnlabelledSynthPanel: a --synth-panel that labels none of the
// synthetic individuals is an ErrBadOption, and nothing is written.
func TestReportUnlabelledSynthPanel(t *testing.T) {
	dir := t.TempDir()
	panel := filepath.Join(dir, "s.panel")
	if err := os.WriteFile(panel, []byte("sample\tpop\tsuper_pop\nNOBODY\tGBR\tEUR\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	c := validReportConfig(dir)
	c.SynthPanel, c.Region = panel, "1:11700000-11705000"
	_, err := Report(context.Background(), c)
	if !errors.Is(err, ErrBadOption) || !strings.Contains(err.Error(), "labels none of the") {
		t.Fatalf("err = %v", err)
	}
	if _, err := os.Stat(c.JSON); !os.IsNotExist(err) {
		t.Errorf("JSON written despite the error (%v)", err)
	}
}
