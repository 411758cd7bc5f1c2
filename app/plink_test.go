package app

import (
	"context"
	"io"
	"log/slog"
	"path/filepath"
	"slices"
	"testing"

	"github.com/gousynth/gousynth/chrom"
	"github.com/gousynth/gousynth/model"
	"github.com/gousynth/gousynth/preprocess"
	"github.com/gousynth/gousynth/synth"
	"github.com/gousynth/gousynth/vcf"
)

// A windowed fit with OutFormat plink writes the cohort the VCF fit
// writes, as synthetic.bed/.bim/.fam, and GenerateWindowed writes the same
// cohort to a .bed as to a VCF; the VCFs say their calls are unphased.
func TestWindowedPLINKOutput(t *testing.T) {
	if testing.Short() {
		t.Skip("windowed fits in -short mode")
	}
	dir := t.TempDir()
	in := filepath.Join(dir, "panel.vcf.gz")
	cfg := synth.OneKGLikePreset(120, 800)
	p, err := synth.NewPanel(cfg, 4)
	if err != nil {
		t.Fatal(err)
	}
	if err := p.WriteVCF(context.Background(), in, synth.VCFOptions{}); err != nil {
		t.Fatal(err)
	}
	mcfg := chrom.WindowModelConfig(model.DefaultConfig("gou"))
	mcfg.Steps, mcfg.SamplerSteps, mcfg.CalibrationSize, mcfg.Hidden = 20, 5, 100, 16
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	data := DataOptions{Input: in, Filter: preprocess.DefaultFilterOptions(), MaxSNPs: 300, TestFraction: 0.3, Seed: 2, Windows: WindowsAuto}
	read := func(path string) *vcf.Genotypes {
		g, _, err := vcf.ReadFile(path, vcf.ReadOptions{DosageOnly: true})
		if err != nil {
			t.Fatal(err)
		}
		return g
	}
	same := func(what string, a, b *vcf.Genotypes) {
		if !slices.Equal(a.Samples, b.Samples) || !slices.Equal(a.Sites, b.Sites) || !slices.Equal(a.Dosage, b.Dosage) {
			t.Fatalf("%s: cohorts differ", what)
		}
	}
	var cohorts []*vcf.Genotypes
	for _, format := range []string{FormatVCF, FormatPLINK} {
		out := filepath.Join(dir, format)
		res, err := Fit(context.Background(), FitOptions{Data: data, OutDir: out, Model: mcfg, Logger: logger, OutFormat: format,
			Windows: chrom.Options{WindowSNPs: 200, Model: mcfg}})
		if err != nil {
			t.Fatal(err)
		}
		if res.Windowed == nil {
			t.Fatal("not a windowed fit")
		}
		var names []string
		for _, f := range res.Files {
			names = append(names, filepath.Base(f))
		}
		// Without --panel there is no synthetic.panel.
		want := slices.DeleteFunc(FitOutputNamesFor(format), func(s string) bool { return s == SynthPanelFile })
		slices.Sort(names)
		slices.Sort(want)
		if !slices.Equal(names, want) {
			t.Fatalf("%s: files %v, want %v", format, names, want)
		}
		name := SynthFile
		if format == FormatPLINK {
			name = SynthPLINKFile
		}
		cohorts = append(cohorts, read(filepath.Join(out, name)))
	}
	same("windowed fit, VCF and PLINK", cohorts[0], cohorts[1])
	r, err := vcf.Open(filepath.Join(dir, FormatVCF, SynthFile), vcf.ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(r.HeaderLines(), PhaseLine) {
		t.Error("the windowed synthetic VCF lacks the phase line")
	}
	r.Close()

	mf := filepath.Join(dir, FormatVCF, ModelFile)
	gv, gb := filepath.Join(dir, "gen.vcf.gz"), filepath.Join(dir, "gen.bed")
	for _, out := range []string{gv, gb} {
		if err := GenerateWindowed(context.Background(), mf, 30, 5, out, "test"); err != nil {
			t.Fatal(err)
		}
	}
	same("GenerateWindowed, VCF and PLINK", read(gv), read(gb))
}
