package app

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"testing"

	"github.com/gousynth/gousynth/chrom"
	"github.com/gousynth/gousynth/model"
	"github.com/gousynth/gousynth/preprocess"
	"github.com/gousynth/gousynth/synth"
	"github.com/gousynth/gousynth/vcf"
)

// withSpill sets the spill's memory limit and block size for one test.
func withSpill(t *testing.T, memBytes, blockBytes int) {
	m, b := spillMemBytes, spillBlockBytes
	spillMemBytes, spillBlockBytes = memBytes, blockBytes
	t.Cleanup(func() { spillMemBytes, spillBlockBytes = m, b })
}

// spillSettings are the ways of chunking checked: the defaults (in
// memory, large blocks), a temporary file with blocks of one site, and
// memory with blocks of a few sites.
var spillSettings = []struct {
	name            string
	memBytes, block int
}{{"default", spillMemBytes, spillBlockBytes}, {"file, 1-site blocks", 0, 1}, {"memory, 3-site blocks", 1 << 30, 3 * 5000}}

// Bounded-memory generation writes the same bytes as drawing the whole
// matrix: a windowed model (regress and none conditionings) and a single
// model, with n above one chunk of individuals, for every chunking.
func TestStreamedGenerateIsByteIdentical(t *testing.T) {
	t.Setenv("SOURCE_DATE_EPOCH", "1700000000")
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
	mcfg.Steps, mcfg.SamplerSteps, mcfg.CalibrationSize, mcfg.Hidden = 30, 5, 200, 32
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	n := model.SampleChunkRows + 904 // two chunks of individuals, the second partial
	read := func(path string) []byte {
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	conds := []chrom.Conditioning{chrom.CondRegress, chrom.CondNone}
	if testing.Short() {
		conds = conds[:1]
	}
	for _, cond := range conds {
		data := DataOptions{Input: in, Filter: preprocess.DefaultFilterOptions(), MaxSNPs: 400, TestFraction: 0.3, Seed: 2, Windows: WindowsAuto}
		out := filepath.Join(dir, "out-"+string(cond))
		if _, err := Fit(context.Background(), FitOptions{Data: data, OutDir: out, Model: mcfg, Logger: logger,
			Windows: chrom.Options{WindowSNPs: 300, OverlapSNPs: 40, Model: mcfg, Conditioning: cond}}); err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(out, ModelFile)
		streamWindowed = false
		whole := filepath.Join(dir, "whole-"+string(cond)+".vcf.gz")
		err := GenerateWindowed(context.Background(), path, n, 9, whole, "test")
		streamWindowed = true
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range spillSettings {
			withSpill(t, s.memBytes, s.block)
			got := filepath.Join(dir, "stream.vcf.gz")
			if err := GenerateWindowed(context.Background(), path, n, 9, got, "test"); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(read(got), read(whole)) || !bytes.Equal(read(got+".tbi"), read(whole+".tbi")) {
				t.Fatalf("%s, %s: streamed output differs from the whole-window output", cond, s.name)
			}
		}
	}

	// A single model, all sites and a region.
	data := DataOptions{Input: in, Filter: preprocess.DefaultFilterOptions(), MaxSNPs: 150, TestFraction: 0.3, Seed: 2, Windows: WindowsOff}
	scfg := model.DefaultConfig("gou")
	scfg.Steps, scfg.SamplerSteps, scfg.Hidden = 30, 5, 32
	out := filepath.Join(dir, "single")
	if _, err := Fit(context.Background(), FitOptions{Data: data, OutDir: out, Model: scfg, Logger: logger}); err != nil {
		t.Fatal(err)
	}
	m, err := model.Load(filepath.Join(out, ModelFile))
	if err != nil {
		t.Fatal(err)
	}
	for _, keep := range [][]int{nil, {3, 4, 5, 40, 41, 149}} {
		g, err := m.Generate(context.Background(), n, 9)
		if err != nil {
			t.Fatal(err)
		}
		if keep != nil {
			sub := &vcf.Genotypes{Samples: g.Samples}
			for _, j := range keep {
				sub.Sites = append(sub.Sites, g.Sites[j])
				sub.Dosage = append(sub.Dosage, g.Row(j)...)
			}
			g = sub
		}
		whole := filepath.Join(dir, "whole-single.vcf.gz")
		h := vcf.Header{CommandLine: "test"}
		// GenerateModel declares the model's contigs (the input's).
		hw := h
		hw.Contigs = vcf.MergeContigs(m.Contigs, g.Sites)
		if m.Reference != "" {
			hw.ExtraLines = []string{m.Reference}
		}
		if len(m.Contigs) == 0 || hw.Contigs[0].Length == 0 {
			t.Fatalf("the model holds contigs %v: no lengths from the input", m.Contigs)
		}
		if err := vcf.WriteGenotypes(whole, g, hw); err != nil {
			t.Fatal(err)
		}
		for _, s := range spillSettings {
			withSpill(t, s.memBytes, s.block)
			got := filepath.Join(dir, "stream-single.vcf.gz")
			if err := GenerateModel(context.Background(), m, n, 9, got, h, keep); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(read(got), read(whole)) || !bytes.Equal(read(got+".tbi"), read(whole+".tbi")) {
				t.Fatalf("single model, %d kept sites, %s: streamed output differs from Generate + WriteGenotypes", len(keep), s.name)
			}
		}
	}
}

// The spill's temporary file is removed after generation, also when the
// context is cancelled.
func TestSpillRemovesItsFile(t *testing.T) {
	withSpill(t, 0, 1)
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	sp, err := newSiteSpill(3, 5)
	if err != nil {
		t.Fatal(err)
	}
	if err := sp.add(0, 5, []int8{0, 1, 2, 0, 1, 2, 2, 2, 2, 2, 1, 1, 1, 1, 1}); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := sp.flush(ctx, func(int, []int8) error { return nil }); err == nil {
		t.Fatal("flush ignored the cancelled context")
	}
	if ents, _ := os.ReadDir(tmp); len(ents) != 1 {
		t.Fatalf("%d files in TMPDIR while generating, want the spill", len(ents))
	}
	sp.close()
	if ents, _ := os.ReadDir(tmp); len(ents) != 0 {
		t.Fatalf("spill left %s", fmt.Sprint(ents))
	}
}
