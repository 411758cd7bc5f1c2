package app

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gousynth/gousynth/chrom"
	"github.com/gousynth/gousynth/model"
	"github.com/gousynth/gousynth/preprocess"
	"github.com/gousynth/gousynth/synth"
	"github.com/gousynth/gousynth/vcf"
)

// A fit over more SNPs than the budget runs in windowed mode: the same
// output files, a synthetic VCF over every SNP, a windowed model file and
// chromosome metrics; --windows off keeps the first MaxSNPs SNPs.
func TestFitWindowed(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "panel.vcf.gz")
	cfg := synth.OneKGLikePreset(160, 1200)
	cfg.Populations = 3
	p, err := synth.NewPanel(cfg, 4)
	if err != nil {
		t.Fatal(err)
	}
	if err := p.WriteVCF(context.Background(), in, synth.VCFOptions{}); err != nil {
		t.Fatal(err)
	}
	mcfg := chrom.WindowModelConfig(model.DefaultConfig("gou"))
	mcfg.Steps, mcfg.SamplerSteps, mcfg.CalibrationSize, mcfg.Hidden = 40, 10, 200, 32
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	data := DataOptions{Input: in, Filter: preprocess.DefaultFilterOptions(), MaxSNPs: 500, TestFraction: 0.3, Seed: 2, Windows: WindowsAuto}
	out := filepath.Join(dir, "out")
	res, err := Fit(context.Background(), FitOptions{Data: data, OutDir: out, Model: mcfg, Logger: logger,
		Windows: chrom.Options{WindowSNPs: 300, OverlapSNPs: 40, Model: mcfg}})
	if err != nil {
		t.Fatal(err)
	}
	if res.Windowed == nil || len(res.Windowed.Windows) < 3 {
		t.Fatalf("not a windowed fit: %+v", res.Windowed)
	}
	var names []string
	for _, f := range res.Files {
		names = append(names, filepath.Base(f))
	}
	want := []string{JSONFile, ModelFile, ReportFile, LogFile, SynthFile, SynthFile + ".tbi"}
	if len(names) != len(want) {
		t.Fatalf("files %v, want %v", names, want)
	}
	// report.html zooms to every window (strip and one zoom figure each).
	html, err := os.ReadFile(filepath.Join(out, ReportFile))
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(string(html), `<svg class="zoom"`); n != len(res.Windowed.Windows) || !strings.Contains(string(html), `<svg class="strip"`) {
		t.Errorf("report.html has %d zoom figures for %d windows", n, len(res.Windowed.Windows))
	}
	g, _, err := vcf.ReadFile(filepath.Join(out, SynthFile), vcf.ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	m := res.Data.Train.NumSites()
	if g.NumSites() != m || g.NumSamples() != 160 || m <= 500 {
		t.Fatalf("synthetic VCF has %d sites × %d samples, want %d × 160", g.NumSites(), g.NumSamples(), m)
	}
	for v := range g.Sites {
		if g.Sites[v].Pos != res.Data.Train.Sites[v].Pos {
			t.Fatalf("site %d at %d, want %d", v, g.Sites[v].Pos, res.Data.Train.Sites[v].Pos)
		}
	}
	// The model file: magic, header, one decodable model per window.
	b, err := os.ReadFile(filepath.Join(out, ModelFile))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(b, []byte(chrom.FileMagic)) {
		t.Fatal("model file lacks the windowed magic")
	}
	fr, err := chrom.OpenFile(filepath.Join(out, ModelFile))
	if err != nil {
		t.Fatal(err)
	}
	if hdr := fr.Header(); len(hdr.Windows) != len(res.Windowed.Windows) || len(hdr.Sites) != m {
		t.Fatalf("header has %d windows and %d sites", len(hdr.Windows), len(hdr.Sites))
	}
	for i := range res.Windowed.Windows {
		wm, err := fr.Next()
		if err != nil {
			t.Fatalf("window %d: %v", i, err)
		}
		if d := wm.Window.End - wm.Window.Start; wm.Latent == nil && wm.Chain == nil && (wm.Model == nil || len(wm.Model.Sites) != d) {
			t.Fatalf("window %d has neither a chain, a latent residual nor a model of its %d sites", i, d)
		}
	}
	if _, err := fr.Next(); err != io.EOF {
		t.Fatalf("after the last window: %v, want io.EOF", err)
	}
	fr.Close()
	// A new cohort from the windowed model file alone.
	if !IsWindowedModel(filepath.Join(out, ModelFile)) {
		t.Fatal("IsWindowedModel: false")
	}
	gen := filepath.Join(dir, "gen.vcf.gz")
	if err := GenerateWindowed(context.Background(), filepath.Join(out, ModelFile), 70, 9, gen, "test"); err != nil {
		t.Fatal(err)
	}
	gg, _, err := vcf.ReadFile(gen, vcf.ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if gg.NumSites() != m || gg.NumSamples() != 70 {
		t.Fatalf("generated %d sites × %d samples, want %d × 70", gg.NumSites(), gg.NumSamples(), m)
	}
	var js struct {
		Mode       string         `json:"mode"`
		Chromosome map[string]any `json:"chromosome"`
	}
	jb, err := os.ReadFile(filepath.Join(out, JSONFile))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(jb, &js); err != nil || js.Mode != "windowed" || js.Chromosome["LD"] == nil {
		t.Fatalf("metrics.json: %v, mode %q", err, js.Mode)
	}
	lb, _ := os.ReadFile(filepath.Join(out, LogFile))
	if !bytes.Contains(lb, []byte("windowed models")) {
		t.Error("run.log does not say the fit is windowed")
	}
	if !bytes.Contains(lb, []byte(chainModelWarning)) {
		t.Error("run.log lacks the warning that a chain model file gives its members away")
	}

	// --windows off: the first MaxSNPs SNPs, one model.
	data.Windows = WindowsOff
	mcfg.Steps = 20
	res, err = Fit(context.Background(), FitOptions{Data: data, OutDir: filepath.Join(dir, "off"), Model: mcfg, Logger: logger})
	if err != nil {
		t.Fatal(err)
	}
	if res.Windowed != nil || res.Data.Train.NumSites() != 500 {
		t.Fatalf("--windows off: windowed %v, %d SNPs", res.Windowed != nil, res.Data.Train.NumSites())
	}
}

// A windowed fit with regression conditioning writes every SNP and stores
// each window's regression (aggregates only) and residual model; its model
// file generates new cohorts (the same seed gives the same file), and a
// file of an older version without the residual models is refused with a
// request to refit.
func TestFitWindowedRegress(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "panel.vcf.gz")
	cfg := synth.OneKGLikePreset(120, 900)
	cfg.Populations = 3
	p, err := synth.NewPanel(cfg, 5)
	if err != nil {
		t.Fatal(err)
	}
	if err := p.WriteVCF(context.Background(), in, synth.VCFOptions{}); err != nil {
		t.Fatal(err)
	}
	mcfg := chrom.WindowModelConfig(model.DefaultConfig("gou"))
	mcfg.Steps, mcfg.SamplerSteps, mcfg.CalibrationSize, mcfg.Hidden = 30, 10, 200, 32
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	data := DataOptions{Input: in, Filter: preprocess.DefaultFilterOptions(), MaxSNPs: 400, TestFraction: 0.3, Seed: 2, Windows: WindowsAuto}
	out := filepath.Join(dir, "out")
	res, err := Fit(context.Background(), FitOptions{Data: data, OutDir: out, Model: mcfg, Logger: logger,
		Windows: chrom.Options{WindowSNPs: 300, OverlapSNPs: 40, Model: mcfg, Conditioning: chrom.CondRegressMatch}})
	if err != nil {
		t.Fatal(err)
	}
	g, _, err := vcf.ReadFile(filepath.Join(out, SynthFile), vcf.ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if g.NumSites() != res.Data.Train.NumSites() || g.NumSamples() != 120 {
		t.Fatalf("synthetic VCF has %d sites × %d samples", g.NumSites(), g.NumSamples())
	}
	b, err := os.ReadFile(filepath.Join(out, ModelFile))
	if err != nil {
		t.Fatal(err)
	}
	fr, err := chrom.OpenFile(filepath.Join(out, ModelFile))
	if err != nil {
		t.Fatal(err)
	}
	hdr := fr.Header()
	for range hdr.Windows {
		wm, err := fr.Next()
		if err != nil {
			t.Fatal(err)
		}
		d := wm.Window.End - wm.Window.Start
		if len(wm.Coef) != (hdr.PCA.K()+1)*d || len(wm.ResidMean) != d || len(wm.ResidSD) != d || wm.Latent == nil {
			t.Fatalf("window %d: %d coefficients, %d+%d residual marginals for %d sites, latent %v", wm.Window.Index, len(wm.Coef), len(wm.ResidMean), len(wm.ResidSD), d, wm.Latent != nil)
		}
	}
	fr.Close()
	var gens [2][]byte
	for k := range gens {
		gen := filepath.Join(dir, fmt.Sprintf("gen%d.vcf.gz", k))
		if err := GenerateWindowed(context.Background(), filepath.Join(out, ModelFile), 50, 9, gen, "test"); err != nil {
			t.Fatal(err)
		}
		gg, _, err := vcf.ReadFile(gen, vcf.ReadOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if gg.NumSites() != g.NumSites() || gg.NumSamples() != 50 {
			t.Fatalf("generated %d sites × %d samples, want %d × 50", gg.NumSites(), gg.NumSamples(), g.NumSites())
		}
		if gens[k], err = os.ReadFile(gen); err != nil {
			t.Fatal(err)
		}
	}
	if !bytes.Equal(gens[0], gens[1]) {
		t.Error("the same model file and seed gave different cohorts")
	}

	// A file of format 2 (gob, before chrom.FileMagic's format): refused
	// with a request to refit, and no output left behind.
	old := filepath.Join(dir, "old.gsy")
	if err := os.WriteFile(old, append([]byte("GOUSYNTH-CHROM-MODEL 2\n"), b[len(chrom.FileMagic):]...), 0o644); err != nil {
		t.Fatal(err)
	}
	err = GenerateWindowed(context.Background(), old, 50, 9, filepath.Join(dir, "old.vcf.gz"), "test")
	if !errors.Is(err, chrom.ErrFileFormat) || !strings.Contains(err.Error(), "refit") {
		t.Fatalf("GenerateWindowed on a format-2 model: %v", err)
	}
	if _, serr := os.Stat(filepath.Join(dir, "old.vcf.gz")); serr == nil {
		t.Error("a refused generation left its output file")
	}
}
