package app

import (
	"errors"
	"strings"
)

// ErrUsage is wrapped, as fmt.Errorf("%w: message", ErrUsage), by the
// errors of a job's configuration that come from how the job was asked for
// (a required input left out, a count out of range) rather than from its
// data: the command line gives them its usage exit status (2) and prints
// their message (UsageMessage).
var ErrUsage = errors.New("usage error")

// UsageMessage returns the message of an error wrapping ErrUsage, without
// ErrUsage's own "usage error: " prefix.
func UsageMessage(err error) string {
	return strings.TrimPrefix(err.Error(), ErrUsage.Error()+": ")
}
