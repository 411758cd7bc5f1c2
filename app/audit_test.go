package app

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
)

// A configuration Audit cannot run is a usage error with the command
// line's message; an unreadable input is not.
func TestAuditConfigValidate(t *testing.T) {
	for _, c := range []struct {
		cfg  AuditConfig
		want string // "" for valid
	}{
		{AuditConfig{Train: "t.vcf.gz", Synth: "s.vcf.gz"}, ""},
		{AuditConfig{Train: "t.vcf.gz"}, "audit needs --train and --synth"},
		{AuditConfig{Synth: "s.vcf.gz"}, "audit needs --train and --synth"},
		{AuditConfig{Train: "t.vcf.gz", Synth: "s.vcf.gz", FloorSize: -1}, "--floor-size must be at least 0, got -1"},
		{AuditConfig{Train: "t.vcf.gz", Synth: "s.vcf.gz", FloorSize: 1 << 40}, "--floor-size must be at most 10000000, got 1099511627776"},
	} {
		err := c.cfg.Validate()
		switch {
		case c.want == "" && err != nil:
			t.Errorf("%+v: %v", c.cfg, err)
		case c.want != "" && (!errors.Is(err, ErrUsage) || UsageMessage(err) != c.want):
			t.Errorf("%+v: %v, want a usage error %q", c.cfg, err, c.want)
		}
	}
	missing := filepath.Join(t.TempDir(), "none.vcf.gz")
	_, err := Audit(context.Background(), AuditConfig{Train: missing, Synth: missing})
	if err == nil || errors.Is(err, ErrUsage) {
		t.Errorf("unreadable input: %v, want an error that is no usage error", err)
	}
}
