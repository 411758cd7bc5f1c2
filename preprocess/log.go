package preprocess

import (
	"fmt"
	"log/slog"
	"strings"
)

// Step records what one preprocessing step removed and why.
type Step struct {
	Name      string // the step, named like the plink flag when there is one ("--maf")
	Unit      string // what was removed: "variants" or "samples"
	Removed   int
	Remaining int
	Reason    string
}

// Log is the ordered record of preprocessing steps.
type Log struct {
	Steps []Step
}

// add records a step and logs it with slog at info level.
func (l *Log) add(s Step) {
	l.Steps = append(l.Steps, s)
	slog.Info("preprocess", "step", s.Name, "removed", s.Removed, "remaining", s.Remaining, "unit", s.Unit, "reason", s.Reason)
}

// String returns one plink-style line per step, for example
// "--maf: 1234 variants removed due to minor allele frequency < 0.01 (3062 remaining)."
func (l *Log) String() string {
	if l == nil {
		return ""
	}
	var b strings.Builder
	for _, s := range l.Steps {
		fmt.Fprintf(&b, "%s: %d %s removed due to %s (%d remaining).\n", s.Name, s.Removed, s.Unit, s.Reason, s.Remaining)
	}
	return b.String()
}

// Append adds the steps of other (for pipelines of several calls).
func (l *Log) Append(other *Log) {
	if other != nil {
		l.Steps = append(l.Steps, other.Steps...)
	}
}
