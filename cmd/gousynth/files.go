package main

import (
	"errors"
	"math"
	"path/filepath"
	"strconv"

	"github.com/gousynth/gousynth/internal/pathcheck"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// checkFiles refuses, before any work, outputs that are inputs or one
// another (a usage error, exit 2) and inputs that are directories (exit 1).
func checkFiles(cmd *cobra.Command, s *pathcheck.Set) error {
	s.Output("--log", global.logFile)
	err := s.Check()
	var c *pathcheck.Conflict
	if errors.As(err, &c) {
		return usagef("%s: %v", cmd.Name(), err)
	}
	return err
}

// dirOutputs adds the files names inside the output directory dir.
func dirOutputs(s *pathcheck.Set, dir string, names []string) {
	for _, n := range names {
		s.Output("output", filepath.Join(dir, n))
	}
}

// checkCount returns a usage error unless lo ≤ v ≤ hi.
func checkCount(flag string, v, lo, hi int) error {
	switch {
	case v < lo:
		return usagef("%s must be at least %d, got %d", flag, lo, v)
	case v > hi:
		return usagef("%s must be at most %d, got %d", flag, hi, v)
	}
	return nil
}

// checkFiniteFloats refuses a NaN or infinite value of any floating-point
// flag of cmd (a usage error), before any flag-specific check and any work.
func checkFiniteFloats(cmd *cobra.Command) error {
	var err error
	cmd.Flags().VisitAll(func(f *pflag.Flag) {
		if err != nil || !f.Changed || (f.Value.Type() != "float64" && f.Value.Type() != "float32") {
			return
		}
		v, perr := strconv.ParseFloat(f.Value.String(), 64)
		if perr == nil && (math.IsNaN(v) || math.IsInf(v, 0)) {
			err = usagef("--%s must be a finite number, got %s", f.Name, f.Value.String())
		}
	})
	return err
}
