package app

import (
	"slices"
	"strings"

	"github.com/gousynth/gousynth/internal/limits"
	"github.com/gousynth/gousynth/model"
	"github.com/gousynth/gousynth/report"
)

// Validate checks o before any work: the data options (DataOptions.Validate)
// with a held-out test set, the size of the synthetic cohorts, the
// report's LD window, and a configuration for every process. Its errors
// are usage errors (ErrUsage).
func (o CompareOptions) Validate() error {
	if err := validateCohort(o.NSynth, o.Report); err != nil {
		return err
	}
	if err := o.Data.Validate(); err != nil {
		return err
	}
	if o.Data.TestFraction == 0 {
		return usagef("compare: --test-fraction must be in (0, 1): the processes are compared on held-out individuals")
	}
	return validateProcesses(o.Processes, o.Configs)
}

// validateProcesses checks that there is a process to compare and a
// configuration for each.
func validateProcesses(procs []string, configs map[string]model.Config) error {
	if len(procs) == 0 {
		return usagef("--process needs at least one process")
	}
	for _, p := range procs {
		if _, ok := configs[p]; !ok {
			return usagef("no configuration for process %q", p)
		}
	}
	return nil
}

// Validate checks o before any work: the size of the synthetic samples,
// the distribution, the number of samples (0 is DefaultDistN), the test
// fraction, and a configuration for every process. Its errors are usage
// errors (ErrUsage).
func (o CompareDistOptions) Validate() error {
	if err := validateCohort(o.NSynth, report.Options{}); err != nil {
		return err
	}
	if !slices.Contains(CompareDistributions, o.Dist) {
		return usagef("--dist must be one of %s, got %q", strings.Join(CompareDistributions, ", "), o.Dist)
	}
	if o.N != 0 {
		if err := checkCount("--dist-n", o.N, 10, limits.MaxIndividuals); err != nil {
			return err
		}
	}
	if o.TestFraction <= 0 || o.TestFraction >= 1 {
		return usagef("--test-fraction must be in (0, 1), got %g", o.TestFraction)
	}
	return validateProcesses(o.Processes, o.Configs)
}
