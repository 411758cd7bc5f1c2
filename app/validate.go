package app

import (
	"log/slog"
)

// countCheck is one bounded count of a configuration, for checkCounts.
type countCheck struct {
	flag        string
	v, min, max int
}

// checkCounts is checkCount of each of cs, in order: the first error.
func checkCounts(cs []countCheck) error {
	for _, c := range cs {
		if err := checkCount(c.flag, c.v, c.min, c.max); err != nil {
			return err
		}
	}
	return nil
}

// logOrDiscard is l, or a logger that drops every record when l is nil:
// the Logger of a configuration is optional.
func logOrDiscard(l *slog.Logger) *slog.Logger {
	if l == nil {
		return slog.New(slog.DiscardHandler)
	}
	return l
}
