package main

import (
	"errors"

	"github.com/gousynth/gousynth/app"
)

// usageFromApp makes an invalid setting reported by package app (its
// Validate methods, app.ErrBadOption) a usage error of the command (exit
// 2) with the same message; other errors are returned as they are.
func usageFromApp(err error) error {
	if err != nil && errors.Is(err, app.ErrBadOption) {
		return &usageError{err.Error()}
	}
	return err
}
