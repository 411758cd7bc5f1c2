package app

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func ptr[T any](v T) *T { return &v }

// A panel of the paper preset as the simulate command's defaults give it.
func paperConfig(out string) SimulateConfig {
	return SimulateConfig{Output: out, Seed: 1, Threads: 1, Individuals: 20, SNPs: 30, Preset: "paper", Chrom: "1",
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
}

// Every invalid simulation is a usage error with the command's message,
// and the valid ones pass; the overrides are checked only when given.
func TestSimulateConfigValidate(t *testing.T) {
	dist := func(name string, n int, dim *int) SimulateConfig {
		c := paperConfig("x.tsv")
		c.Distribution, c.N, c.Dim = name, n, dim
		return c
	}
	with := func(f func(*SimulateConfig)) SimulateConfig {
		c := paperConfig("x.vcf.gz")
		f(&c)
		return c
	}
	for _, tc := range []struct {
		name string
		c    SimulateConfig
		want string // "" valid
	}{
		{"paper defaults", paperConfig("x.vcf.gz"), ""},
		{"1kg-like", with(func(c *SimulateConfig) { c.Preset = "1kg-like" }), ""},
		{"no output", paperConfig(""), "simulate: -o/--out is required"},
		{"not a VCF", paperConfig("x.vcf"), "-o must end in .vcf.gz or .vcf.bgz"},
		{"stream without panel file", paperConfig("-"), "needs --panel-out FILE"},
		{"stream with panel file", with(func(c *SimulateConfig) { c.Output, c.PanelOut = "-", "x.panel" }), ""},
		{"no individuals", with(func(c *SimulateConfig) { c.Individuals = 0 }), "--individuals must be at least 1, got 0"},
		{"unknown preset", with(func(c *SimulateConfig) { c.Preset = "hapmap" }), "--preset must be paper or 1kg-like"},
		{"rho out of range", with(func(c *SimulateConfig) { c.Rho = ptr(1.5) }), "--rho must be in [0, 1], got 1.5"},
		{"block sizes", with(func(c *SimulateConfig) { c.BlockSizes = ptr("random") }), "--block-sizes must be fixed or variable"},
		{"block size given to 1kg-like", with(func(c *SimulateConfig) { c.Preset, c.BlockSize = "1kg-like", ptr(50) }), "--block-size applies to --preset paper"},
		{"spectrum", with(func(c *SimulateConfig) { c.Spectrum = "flat" }), "--maf-spectrum must be uniform, beta or 1kg"},
		{"maf-min 0 given", with(func(c *SimulateConfig) { c.MAFMin = ptr(0.0) }), "need 0 < --maf-min ≤ --maf-max ≤ 0.5, got 0 and 0.5"},
		{"populations 0 given", with(func(c *SimulateConfig) { c.Populations = ptr(0) }), "--populations must be at least 1, got 0"},
		{"more populations than individuals", with(func(c *SimulateConfig) { c.Populations = ptr(30) }), "30 populations need at least 30 individuals, got 20"},
		{"fst without populations", with(func(c *SimulateConfig) { c.Fst = ptr(0.1) }), "--fst needs --populations 2 or more"},
		{"fst 1", with(func(c *SimulateConfig) { c.Populations, c.Fst = ptr(2), ptr(1.0) }), "--fst must be in [0, 1), got 1"},
		{"chrom", with(func(c *SimulateConfig) { c.Chrom = "1 2" }), `invalid --chrom "1 2"`},
		{"funnel", dist("funnel", 10, ptr(3)), ""},
		{"no samples", dist("grid25", 0, nil), "-n must be at least 1, got 0"},
		{"unknown distribution", dist("moons", 10, nil), "--distribution must be two-gaussians, grid25 or funnel"},
		{"dim of grid25", dist("grid25", 10, ptr(3)), "--dim applies only to --distribution funnel"},
		{"funnel dim 1", dist("funnel", 10, ptr(1)), "simulate: --dim: "},
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

// Simulate writes the panel file beside the VCF, and the same seed gives
// the same bytes; an invalid configuration writes nothing.
func TestSimulate(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "a.vcf.gz")
	c := paperConfig(out)
	c.Populations = ptr(2)
	if err := Simulate(context.Background(), c); err != nil {
		t.Fatal(err)
	}
	panel, err := os.ReadFile(filepath.Join(dir, "a.panel"))
	if err != nil {
		t.Fatal(err)
	}
	if lines := strings.Count(string(panel), "\n"); lines != 21 || !strings.Contains(string(panel), "POP2") {
		t.Errorf("panel file has %d lines, want a header and 20 individuals of 2 populations:\n%s", lines, panel)
	}
	c.Output = filepath.Join(dir, "b.vcf.gz")
	if err := Simulate(context.Background(), c); err != nil {
		t.Fatal(err)
	}
	a, _ := os.ReadFile(out)
	b, _ := os.ReadFile(c.Output)
	if len(a) == 0 || string(a) != string(b) {
		t.Errorf("two simulations with seed 1 differ (%d and %d bytes)", len(a), len(b))
	}
	c.Output, c.Chrom = filepath.Join(dir, "c.vcf.gz"), ""
	if err := Simulate(context.Background(), c); !errors.Is(err, ErrUsage) {
		t.Fatalf("invalid chrom: error %v, want a usage error", err)
	}
	if _, err := os.Stat(c.Output); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("an invalid simulation left %s", c.Output)
	}
}
