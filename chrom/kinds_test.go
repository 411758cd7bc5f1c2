package chrom

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

// TestParseKinds checks that every listed conditioning and residual space
// parses to itself (in any case), that a bad name is an ErrOption error
// listing the valid ones, which NewPlan's and NewAssembler's checks give
// too, and that the typed names keep their JSON (the windowed model file).
func TestParseKinds(t *testing.T) {
	for _, c := range Conditionings() {
		if got, err := ParseConditioning(" " + strings.ToUpper(c.String())); err != nil || got != c {
			t.Errorf("ParseConditioning(%q) = %q, %v", c, got, err)
		}
	}
	for _, k := range ResidualKinds() {
		if got, err := ParseResidualKind(k.String()); err != nil || got != k {
			t.Errorf("ParseResidualKind(%q) = %q, %v", k, got, err)
		}
	}
	const wantCond = `unknown conditioning "x" (chain, regress, regress-match, match, ancestry, none)`
	if _, err := ParseConditioning("x"); !errors.Is(err, ErrOption) || !strings.Contains(err.Error(), wantCond) {
		t.Errorf("bad conditioning: %v", err)
	}
	if _, err := NewAssembler("x", 1, nil, 1); !errors.Is(err, ErrOption) || !strings.Contains(err.Error(), wantCond) {
		t.Errorf("NewAssembler: %v", err)
	}
	if _, err := ParseResidualKind("x"); !errors.Is(err, ErrOption) || !strings.Contains(err.Error(), `unknown residual space "x" (latent, haplotype, dosage)`) {
		t.Errorf("bad residual space: %v", err)
	}
	if Conditionings()[0] != CondChain || ResidualKinds()[0] != ResidLatent {
		t.Errorf("the lists do not start with the defaults")
	}
	js, err := json.Marshal(Options{Conditioning: CondRegressMatch, Residual: ResidDosage})
	if err != nil || !strings.Contains(string(js), `"Conditioning":"regress-match"`) || !strings.Contains(string(js), `"Residual":"dosage"`) {
		t.Errorf("JSON %s, %v", js, err)
	}
}
