package app

import (
	"compress/gzip"
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gousynth/gousynth/chrom"
	"github.com/gousynth/gousynth/model"
	"github.com/gousynth/gousynth/preprocess"
	"github.com/gousynth/gousynth/vcf"
)

// headerLines returns the ## lines of a VCF.
func headerLines(t *testing.T, path string) []string {
	t.Helper()
	r, err := vcf.Open(path, vcf.ReadOptions{DosageOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var out []string
	for _, c := range r.Contigs() {
		out = append(out, c.Line)
	}
	return out
}

// Cohorts generated from a model file, single or windowed, keep the
// training input's ##contig lines (ID, length, assembly) and its
// ##reference line, as fit's own synthetic VCF does.
func TestGeneratedVCFsKeepContigs(t *testing.T) {
	if testing.Short() {
		t.Skip("fits in -short mode")
	}
	const in = "../testdata/1kg_chr1_11.7M.vcf.gz"
	const contig1 = "##contig=<ID=1,assembly=b37,length=249250621>"
	dir := t.TempDir()
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	mcfg := chrom.WindowModelConfig(model.DefaultConfig("gou"))
	mcfg.Steps, mcfg.SamplerSteps, mcfg.CalibrationSize, mcfg.Hidden = 20, 5, 100, 16
	for _, mode := range []string{"single", "windowed"} {
		t.Run(mode, func(t *testing.T) {
			data := DataOptions{Input: in, Filter: preprocess.DefaultFilterOptions(), MaxSNPs: 200, TestFraction: 0.3, Seed: 2, Windows: WindowsOff}
			if mode == "windowed" {
				data.MaxSNPs, data.Windows = 150, WindowsAuto
				data.Read.Region = "1:11700000-11760000"
			}
			out := filepath.Join(dir, mode)
			if _, err := Fit(context.Background(), FitOptions{Data: data, OutDir: out, Model: mcfg, Logger: logger, Windows: chrom.Options{WindowSNPs: 150, Model: mcfg}}); err != nil {
				t.Fatal(err)
			}
			gen := filepath.Join(dir, mode+".vcf.gz")
			mf := filepath.Join(out, ModelFile)
			if mode == "windowed" {
				if !IsWindowedModel(mf) {
					t.Fatal("not a windowed model")
				}
				if err := GenerateWindowed(context.Background(), mf, 20, 3, gen, "test"); err != nil {
					t.Fatal(err)
				}
			} else {
				m, err := model.Load(mf)
				if err != nil {
					t.Fatal(err)
				}
				if err := GenerateModel(context.Background(), m, 20, 3, gen, vcf.Header{CommandLine: "test"}, nil); err != nil {
					t.Fatal(err)
				}
			}
			for _, f := range []string{filepath.Join(out, SynthFile), gen} {
				lines := headerLines(t, f)
				if len(lines) != 86 || lines[0] != contig1 {
					t.Errorf("%s: %d contig lines, first %q; want the input's 86 from %q", f, len(lines), first(lines), contig1)
				}
			}
			raw := gunzipFile(t, gen)
			if !strings.Contains(raw, "\n##reference=ftp://ftp.1000genomes.ebi.ac.uk//vol1/ftp/technical/reference/phase2_reference_assembly_sequence/hs37d5.fa.gz\n") {
				t.Errorf("%s lacks the input's ##reference line", gen)
			}
		})
	}
}

func gunzipFile(t *testing.T, path string) string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func first(s []string) string {
	if len(s) == 0 {
		return ""
	}
	return s[0]
}
