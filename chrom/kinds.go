package chrom

import (
	"fmt"
	"slices"
	"strings"
)

// Conditioning names how windows are tied together (Options.Conditioning):
// CondChain (the default), CondRegress, CondRegressMatch, CondMatch,
// CondAncestry or CondNone. The names are those of the --window-conditioning flag and of
// windowed model files.
type Conditioning string

// ResidualKind names the space of the regression conditionings' residual
// models (Options.Residual): ResidLatent (the default), ResidHaplotype or
// ResidDosage.
type ResidualKind string

// String returns the name.
func (c Conditioning) String() string { return string(c) }

// String returns the name.
func (k ResidualKind) String() string { return string(k) }

// Conditionings returns the conditionings, the default first.
func Conditionings() []Conditioning {
	return []Conditioning{CondChain, CondRegress, CondRegressMatch, CondMatch, CondAncestry, CondNone}
}

// ResidualKinds returns the residual spaces, the default first.
func ResidualKinds() []ResidualKind {
	return []ResidualKind{ResidLatent, ResidHaplotype, ResidDosage}
}

// ParseConditioning returns the conditioning named s (case and surrounding
// space ignored), or an ErrOption error that lists the valid names.
func ParseConditioning(s string) (Conditioning, error) {
	return parseKind(s, "conditioning", Conditionings())
}

// ParseResidualKind returns the residual space named s, as
// ParseConditioning does.
func ParseResidualKind(s string) (ResidualKind, error) {
	return parseKind(s, "residual space", ResidualKinds())
}

func parseKind[T ~string](s, what string, valid []T) (T, error) {
	k := T(strings.ToLower(strings.TrimSpace(s)))
	if checkKind(k, what, valid) != nil {
		return "", fmt.Errorf("%w: unknown %s %q (%s)", ErrOption, what, s, joinKinds(valid))
	}
	return k, nil
}

// checkKind reports whether k is exactly one of valid.
func checkKind[T ~string](k T, what string, valid []T) error {
	if slices.Contains(valid, k) {
		return nil
	}
	return fmt.Errorf("%w: unknown %s %q (%s)", ErrOption, what, string(k), joinKinds(valid))
}

func joinKinds[T ~string](valid []T) string {
	s := make([]string, len(valid))
	for i, v := range valid {
		s[i] = string(v)
	}
	return strings.Join(s, ", ")
}
