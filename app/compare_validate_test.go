package app

import (
	"testing"

	"github.com/gousynth/gousynth/model"
	"github.com/gousynth/gousynth/preprocess"
)

// CompareOptions.Validate and CompareDistOptions.Validate refuse with the
// command's messages what compare's flags refused.
func TestCompareOptionsValidate(t *testing.T) {
	configs := map[string]model.Config{"gou": model.DefaultConfig(model.ProcessGOU)}
	data := DataOptions{Input: "in.vcf.gz", Filter: preprocess.DefaultFilterOptions(), TestFraction: 0.3}
	cmp := func(f func(*CompareOptions)) CompareOptions {
		o := CompareOptions{Data: data, Processes: []string{"gou"}, Configs: configs}
		f(&o)
		return o
	}
	for _, tc := range []struct {
		name string
		o    CompareOptions
		want string
	}{
		{"valid", cmp(func(*CompareOptions) {}), ""},
		{"no held-out", cmp(func(o *CompareOptions) { o.Data.TestFraction = 0 }), "compare: --test-fraction must be in (0, 1)"},
		{"no process", cmp(func(o *CompareOptions) { o.Processes = nil }), "--process needs at least one process"},
		{"no config", cmp(func(o *CompareOptions) { o.Processes = []string{"vp"} }), `no configuration for process "vp"`},
		{"negative n", cmp(func(o *CompareOptions) { o.NSynth = -1 }), "-n must not be negative"},
		{"maf", cmp(func(o *CompareOptions) { o.Data.Filter.MinMAF = -1 }), "--maf must be in [0, 0.5]"},
	} {
		wantUsage(t, tc.name, tc.o.Validate(), tc.want)
	}
	dist := func(f func(*CompareDistOptions)) CompareDistOptions {
		o := CompareDistOptions{Dist: "funnel", TestFraction: 0.3, Processes: []string{"gou"}, Configs: configs}
		f(&o)
		return o
	}
	for _, tc := range []struct {
		name string
		o    CompareDistOptions
		want string
	}{
		{"valid", dist(func(*CompareDistOptions) {}), ""},
		{"unknown", dist(func(o *CompareDistOptions) { o.Dist = "moons" }), `--dist must be one of two-gaussians, grid25, funnel, got "moons"`},
		{"few samples", dist(func(o *CompareDistOptions) { o.N = 3 }), "--dist-n must be at least 10, got 3"},
		{"test fraction", dist(func(o *CompareDistOptions) { o.TestFraction = 0 }), "--test-fraction must be in (0, 1), got 0"},
		{"negative n", dist(func(o *CompareDistOptions) { o.NSynth = -2 }), "-n must not be negative, got -2"},
		{"no process", dist(func(o *CompareDistOptions) { o.Processes = nil }), "--process needs at least one process"},
	} {
		wantUsage(t, "dist "+tc.name, tc.o.Validate(), tc.want)
	}
}
