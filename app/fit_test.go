package app

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gousynth/gousynth/preprocess"
	"github.com/gousynth/gousynth/report"
)

// wantUsage checks that err is nil when want is "", else a usage error
// (and an invalid option) whose message holds want.
func wantUsage(t *testing.T, name string, err error, want string) {
	t.Helper()
	switch {
	case want == "" && err != nil:
		t.Errorf("%s: %v", name, err)
	case want == "":
	case !errors.Is(err, ErrUsage) || !errors.Is(err, ErrBadOption) || !strings.Contains(err.Error(), want):
		t.Errorf("%s: error %v, want a usage error with %q", name, err, want)
	}
}

// FitOptions.Validate refuses with the command's messages what fit's
// flags refused, and takes the zero values for the defaults they are.
func TestFitOptionsValidate(t *testing.T) {
	data := DataOptions{Input: "in.vcf.gz", Filter: preprocess.DefaultFilterOptions(), TestFraction: 0.3}
	fit := func(f func(*FitOptions)) FitOptions {
		o := FitOptions{Data: data, OutDir: "out"}
		f(&o)
		return o
	}
	for _, tc := range []struct {
		name string
		o    FitOptions
		want string
	}{
		{"defaults", fit(func(*FitOptions) {}), ""},
		{"zero values", FitOptions{}, ""},
		{"no limit", fit(func(o *FitOptions) { o.Data.MaxSNPs = -1 }), ""},
		{"PLINK", fit(func(o *FitOptions) { o.OutFormat = FormatPLINK }), ""},
		{"negative n", fit(func(o *FitOptions) { o.NSynth = -5 }), "-n must not be negative, got -5"},
		{"huge n", fit(func(o *FitOptions) { o.NSynth = 1 << 30 }), "-n must be at most"},
		{"LD window", fit(func(o *FitOptions) { o.Report = report.Options{LDWindowSNPs: -3} }), "--ld-window-snps must be at least 1, got -3"},
		{"format", fit(func(o *FitOptions) { o.OutFormat = "bcf" }), `--out-format must be vcf or plink, got "bcf"`},
		{"maf", fit(func(o *FitOptions) { o.Data.Filter.MinMAF = 0.7 }), "--maf must be in [0, 0.5], got 0.7"},
		{"geno", fit(func(o *FitOptions) { o.Data.Filter.MaxSiteMissing = 2 }), "--geno must be in [0, 1], got 2"},
		{"mind", fit(func(o *FitOptions) { o.Data.Filter.MaxSampleMissing = -1 }), "--mind must be in [0, 1], got -1"},
		{"hwe", fit(func(o *FitOptions) { o.Data.Filter.HWEPValue = 1.5 }), "--hwe must be in [0, 1], got 1.5"},
		{"test fraction", fit(func(o *FitOptions) { o.Data.TestFraction = 1 }), "--test-fraction must be in [0, 1), got 1"},
		{"budget", fit(func(o *FitOptions) { o.Data.MaxSNPs = -2 }), "--max-snps must be a positive number of SNPs or -1, got -2"},
		{"huge budget", fit(func(o *FitOptions) { o.Data.MaxSNPs = 1 << 40 }), "--max-snps must be at most"},
	} {
		wantUsage(t, tc.name, tc.o.Validate(), tc.want)
	}
}

// Fit and Plan validate their options before any work: nothing is written.
func TestFitValidatesFirst(t *testing.T) {
	out := filepath.Join(t.TempDir(), "out")
	o := FitOptions{Data: DataOptions{Input: "no-such.vcf.gz", Windows: WindowsAuto}, OutDir: out, OutFormat: "bcf"}
	if _, err := Fit(context.Background(), o); !errors.Is(err, ErrUsage) {
		t.Errorf("Fit: error %v, want a usage error", err)
	}
	if _, err := Plan(context.Background(), o, "plan"); !errors.Is(err, ErrUsage) {
		t.Errorf("Plan: error %v, want a usage error", err)
	}
	if _, err := os.Stat(out); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("an invalid fit created %s", out)
	}
}
