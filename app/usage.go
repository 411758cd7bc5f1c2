package app

import (
	"errors"
	"fmt"
	"strings"
)

// ErrUsage marks the errors of a configuration its caller got wrong (a
// value out of range, options that cannot go together), as opposed to
// errors of the data or of I/O: errors.Is(err, ErrUsage). The command line
// exits with code 2 on them, and prints their message as it is. They are
// invalid options, so errors.Is(err, ErrBadOption) holds for them too.
var ErrUsage = errors.New("usage error")

// usageError is an ErrUsage whose message is only its own text, so that
// the command line prints the same message as when it checked the flags
// itself.
type usageError struct{ msg string }

func (e *usageError) Error() string        { return e.msg }
func (e *usageError) Is(target error) bool { return target == ErrUsage || target == ErrBadOption }

func usagef(format string, a ...any) error { return &usageError{fmt.Sprintf(format, a...)} }

// checkCount returns a usage error unless lo ≤ v ≤ hi; what names the
// value as the caller knows it (a flag).
func checkCount(what string, v, lo, hi int) error {
	switch {
	case v < lo:
		return usagef("%s must be at least %d, got %d", what, lo, v)
	case v > hi:
		return usagef("%s must be at most %d, got %d", what, hi, v)
	}
	return nil
}

// UsageMessage returns the message of an error wrapping ErrUsage, without
// ErrUsage's own "usage error: " prefix (errors made as
// fmt.Errorf("%w: message", ErrUsage) carry it).
func UsageMessage(err error) string {
	return strings.TrimPrefix(err.Error(), ErrUsage.Error()+": ")
}
