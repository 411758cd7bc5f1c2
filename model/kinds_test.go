package model

import (
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"
)

// TestParseKinds checks every parse function against its list: each listed
// name parses to itself (also in upper case with spaces around), and a bad
// name is an ErrConfig error that lists the valid names; Validate rejects
// the same bad name with the same words.
func TestParseKinds(t *testing.T) {
	type kind struct {
		what  string
		names []string
		parse func(string) (string, error)
		set   func(*Config, string)
	}
	names := func(s any) []string {
		var out []string
		switch v := s.(type) {
		case []ProcessKind:
			for _, k := range v {
				out = append(out, k.String())
			}
		case []LatentKind:
			for _, k := range v {
				out = append(out, k.String())
			}
		case []InitKind:
			for _, k := range v {
				out = append(out, k.String())
			}
		case []SamplerKind:
			for _, k := range v {
				out = append(out, k.String())
			}
		case []DiscretiserKind:
			for _, k := range v {
				out = append(out, k.String())
			}
		}
		return out
	}
	kinds := []kind{
		{"process", names(ProcessKinds()), func(s string) (string, error) { k, err := ParseProcessKind(s); return string(k), err },
			func(c *Config, s string) { c.Process = ProcessKind(s) }},
		{"latent space", names(latentKinds()), func(s string) (string, error) { k, err := parseLatentKind(s); return string(k), err },
			func(c *Config, s string) { c.Latent = LatentKind(s) }},
		{"init", names(InitKinds()), func(s string) (string, error) { k, err := ParseInitKind(s); return string(k), err },
			func(c *Config, s string) { c.Init = InitKind(s) }},
		{"sampler", names(SamplerKinds()), func(s string) (string, error) { k, err := ParseSamplerKind(s); return string(k), err },
			func(c *Config, s string) { c.Sampler = SamplerKind(s) }},
		{"discretiser", names(DiscretiserKinds()), func(s string) (string, error) { k, err := ParseDiscretiserKind(s); return string(k), err },
			func(c *Config, s string) { c.Discretiser = DiscretiserKind(s) }},
	}
	for _, k := range kinds {
		if len(k.names) < 2 {
			t.Fatalf("%s: names %v", k.what, k.names)
		}
		for _, n := range k.names {
			for _, s := range []string{n, " " + strings.ToUpper(n) + "\t"} {
				if got, err := k.parse(s); err != nil || got != n {
					t.Errorf("%s: parse %q = %q, %v", k.what, s, got, err)
				}
			}
		}
		_, err := k.parse("nonsense")
		want := "unknown " + k.what + ` "nonsense" (` + strings.Join(k.names, ", ") + ")"
		if !errors.Is(err, ErrConfig) || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: bad name: %v, want ErrConfig with %q", k.what, err, want)
		}
		c := DefaultConfig(ProcessGOU)
		k.set(&c, "nonsense")
		if err := c.Validate(); !errors.Is(err, ErrConfig) || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: Validate: %v, want %q", k.what, err, want)
		}
		// Validate does not normalise: a model file's names are exact.
		c = DefaultConfig(ProcessGOU)
		k.set(&c, strings.ToUpper(k.names[0]))
		if err := c.Validate(); !errors.Is(err, ErrConfig) {
			t.Errorf("%s: Validate accepted %q", k.what, strings.ToUpper(k.names[0]))
		}
	}
	if got := ProcessKinds(); !slices.Equal(got[:4], []ProcessKind{ProcessGOU, ProcessVP, ProcessCLD, ProcessCLDEps}) {
		t.Errorf("ProcessKinds = %v, want the built-ins first in order", got)
	}
	if DefaultConfig(ProcessGOU).Sampler != SamplerKinds()[0] || DefaultConfig(ProcessGOU).Discretiser != DiscretiserKinds()[0] ||
		DefaultConfig(ProcessGOU).Latent != latentKinds()[0] || DefaultConfig(ProcessGOU).Init != InitKinds()[0] {
		t.Errorf("the lists do not start with the defaults")
	}
}

// TestKindsEncodeAsNames checks that a Config's typed names are written in
// JSON (the model file header) as the plain strings they were before.
func TestKindsEncodeAsNames(t *testing.T) {
	c := DefaultConfig(ProcessCLDEps)
	c.Latent, c.Init, c.Sampler, c.Discretiser = LatentProbit, InitStationary, SamplerHeun, DiscretiserRound
	js, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"Process":"cld-eps"`, `"Latent":"probit"`, `"Init":"stationary"`, `"Sampler":"heun"`, `"Discretiser":"round"`} {
		if !strings.Contains(string(js), want) {
			t.Errorf("JSON %s lacks %s", js, want)
		}
	}
	var back Config
	if err := json.Unmarshal(js, &back); err != nil || back != c {
		t.Errorf("round trip: %+v, %v", back, err)
	}
}
