package app

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/gousynth/gousynth/chrom"
	"github.com/gousynth/gousynth/model"
	"github.com/gousynth/gousynth/preprocess"
	"github.com/gousynth/gousynth/synth"
)

// jsonKeys adds to keys the dotted path of every object key in v (list
// elements add no component) and to names every "name" of a metric.
func jsonKeys(v any, path string, keys, names map[string]bool) {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			p := k
			if path != "" {
				p = path + "." + k
			}
			keys[p] = true
			if k == "name" {
				if s, ok := e.(string); ok {
					names[s] = true
				}
			}
			jsonKeys(e, p, keys, names)
		}
	case []any:
		for _, e := range x {
			jsonKeys(e, path, keys, names)
		}
	}
}

// TestMetricsSchemaDocumented: every key of metrics.json, in the
// single-model and in the windowed form, and every metric name is
// documented in docs/metrics.md (as `key`, with its dotted path). A key
// added to metrics.json without a line in docs/metrics.md fails here.
func TestMetricsSchemaDocumented(t *testing.T) {
	if testing.Short() {
		t.Skip("two fits in -short mode")
	}
	doc, err := os.ReadFile("../docs/metrics.md")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	in := filepath.Join(dir, "panel.vcf.gz")
	cfg := synth.OneKGLikePreset(200, 700)
	cfg.Populations = 2
	p, err := synth.NewPanel(cfg, 5)
	if err != nil {
		t.Fatal(err)
	}
	if err := p.WriteVCF(context.Background(), in, synth.VCFOptions{}); err != nil {
		t.Fatal(err)
	}
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	mcfg := model.DefaultConfig("gou")
	mcfg.Steps, mcfg.SamplerSteps, mcfg.Hidden = 30, 10, 32
	wcfg := chrom.WindowModelConfig(mcfg)
	wcfg.Steps, wcfg.SamplerSteps, wcfg.CalibrationSize, wcfg.Hidden = 30, 10, 200, 32
	keys, names := map[string]bool{}, map[string]bool{}
	for _, c := range []struct {
		name    string
		maxSNPs int
		windows string
	}{{"single", 2000, WindowsOff}, {"windowed", 200, WindowsAuto}} {
		// 100 synthetic individuals for 140 training ones: the floor is
		// drawn several times (floor_draws).
		data := DataOptions{Input: in, Filter: preprocess.DefaultFilterOptions(), MaxSNPs: c.maxSNPs, TestFraction: 0.3, Seed: 3, Windows: c.windows}
		out := filepath.Join(dir, c.name)
		if _, err := Fit(context.Background(), FitOptions{Data: data, OutDir: out, Model: mcfg, NSynth: 100, Logger: logger,
			Windows: chrom.Options{WindowSNPs: 150, Model: wcfg}}); err != nil {
			t.Fatal(err)
		}
		b, err := os.ReadFile(filepath.Join(out, JSONFile))
		if err != nil {
			t.Fatal(err)
		}
		var v any
		if err := json.Unmarshal(b, &v); err != nil {
			t.Fatal(err)
		}
		prefix := ""
		if c.windows == WindowsAuto {
			if _, ok := v.(map[string]any)["chromosome"]; !ok {
				t.Fatalf("windowed fit without chromosome metrics: %s", b[:200])
			}
		}
		jsonKeys(v, prefix, keys, names)
	}
	if !keys["paper.floor_draws"] || !keys["representative_window.paper.floor_draws"] || !keys["chromosome.LD.Inside"] {
		t.Fatalf("the fits did not produce every part of the schema: %v", keys)
	}
	var missing []string
	for k := range keys {
		// The windowed file nests the single-model schema under
		// representative_window: documented once, without the prefix.
		if !strings.Contains(string(doc), "`"+strings.TrimPrefix(k, "representative_window.")+"`") {
			missing = append(missing, k)
		}
	}
	for n := range names {
		if !strings.Contains(string(doc), "`"+n+"`") {
			missing = append(missing, "metric "+n)
		}
	}
	sort.Strings(missing)
	if len(missing) > 0 {
		t.Errorf("docs/metrics.md does not document %d keys of metrics.json:\n%s", len(missing), strings.Join(missing, "\n"))
	}
}
