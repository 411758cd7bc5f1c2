package main

import (
	"errors"

	"github.com/gousynth/gousynth/app"
)

// usageFromApp makes an invalid option reported by the report, ld and stats
// jobs of package app (app.ErrBadOption; their Validate errors are also
// app.ErrUsage) a usage error of the command (exit 2) with the same message;
// other errors are returned as they are.
func usageFromApp(err error) error {
	if err != nil && errors.Is(err, app.ErrBadOption) {
		return &usageError{err.Error()}
	}
	return err
}
