package app

import (
	"fmt"
	"log/slog"
)

// optionError is an invalid setting of a job's configuration, as the
// Validate methods return it. It is ErrBadOption (errors.Is), so that a
// caller can tell it from an error of the data, but its message says only
// what is wrong, naming the command-line flag of the setting: the command
// line prints it as its usage error, unchanged.
type optionError struct{ msg string }

func (e *optionError) Error() string { return e.msg }

// Is makes an optionError match ErrBadOption.
func (e *optionError) Is(target error) bool { return target == ErrBadOption }

// badOptionf returns an optionError with the formatted message.
func badOptionf(format string, a ...any) error {
	return &optionError{fmt.Sprintf(format, a...)}
}

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
