package main

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"runtime"
	"strings"

	"github.com/gousynth/gousynth/internal/limits"
	"github.com/spf13/cobra"
)

// globalOptions are the flags shared by every subcommand.
type globalOptions struct {
	threads  int
	seed     uint64
	logLevel string
	quiet    bool
	logFile  string
}

// usageError marks errors caused by how the command was called (exit code 2).
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, a ...any) error { return &usageError{fmt.Sprintf(format, a...)} }

var global globalOptions

func newRootCmd() *cobra.Command {
	global = globalOptions{}
	root := &cobra.Command{
		Use:   "gousynth",
		Short: "Synthetic genotype cohorts from VCF with geometry-aware diffusion",
		Long: `gousynth reads bgzipped VCFs into dosage matrices, trains a diffusion model
(Geometry-aware Ornstein-Uhlenbeck by default), writes synthetic genotypes as
VCF, and reports how faithful (LD, allele frequencies, structure) and how
private the synthetic cohort is.

Exit status: 0 on success, 1 on an error (bad input, I/O, a failed fit),
2 on a usage error (unknown flag, nonsense value), 130 when interrupted by
SIGINT or SIGTERM. Every command writes its outputs to temporary files and
renames them only on success, so a failed or interrupted run leaves nothing
behind.`,
		Version:       versionLine(),
		SilenceUsage:  true,
		SilenceErrors: true,
		PersistentPreRunE: func(cmd *cobra.Command, args []string) error {
			if err := global.apply(cmd.ErrOrStderr()); err != nil {
				return err
			}
			startCommandLog()
			return checkFiniteFloats(cmd)
		},
		PersistentPostRunE: func(cmd *cobra.Command, args []string) error {
			return writeCommandLog()
		},
	}
	pf := root.PersistentFlags()
	pf.IntVar(&global.threads, "threads", runtime.NumCPU(), fmt.Sprintf("number of worker threads (1 to %d; never more are used than there are CPUs or units of work)", limits.MaxThreads))
	pf.Uint64Var(&global.seed, "seed", 1, "random seed; the same seed and inputs give byte-identical outputs")
	pf.StringVar(&global.logLevel, "log-level", "info", "log level: debug, info, warn or error")
	pf.BoolVarP(&global.quiet, "quiet", "q", false, "print only errors (no progress, no info logs)")
	pf.StringVar(&global.logFile, "log", "", "write the command's log (command line, version, seed, what was read and written) to `FILE`; by default a command that writes files writes it beside its main output (OUT.log), fit and compare as run.log in their directory")
	root.SetFlagErrorFunc(func(cmd *cobra.Command, err error) error {
		return &usageError{err.Error()}
	})
	root.SetVersionTemplate("{{.Version}}\n")
	root.AddCommand(newVersionCmd())
	root.AddCommand(newFitCmd())
	root.AddCommand(newCompareCmd())
	root.AddCommand(newLDCmd())
	root.AddCommand(newStatsCmd())
	root.AddCommand(newSimulateCmd())
	root.AddCommand(newReportCmd())
	root.AddCommand(newAuditCmd())
	root.AddCommand(newGenerateCmd())
	root.AddCommand(newPlanCmd(), newFitWindowCmd(), newAssembleCmd())
	markArgErrors(root)
	return root
}

// markArgErrors makes the argument-count errors of every subcommand usage
// errors (exit code 2), like those of flags.
func markArgErrors(c *cobra.Command) {
	for _, sub := range c.Commands() {
		if check := sub.Args; check != nil {
			sub.Args = func(cmd *cobra.Command, args []string) error {
				err := check(cmd, args)
				var ue *usageError
				if err == nil || errors.As(err, &ue) {
					return err
				}
				return usagef("%s: %v; see '%s --help'", cmd.Name(), err, cmd.CommandPath())
			}
		}
		markArgErrors(sub)
	}
}

// apply validates the global flags and configures logging and threads.
func (g *globalOptions) apply(stderr io.Writer) error {
	if err := checkCount("--threads", g.threads, 1, limits.MaxThreads); err != nil {
		return err
	}
	// More OS threads than CPUs only cost memory; the work-pool sizes that
	// follow --threads are bounded by the work as well.
	runtime.GOMAXPROCS(min(g.threads, runtime.NumCPU()))
	var level slog.Level
	switch strings.ToLower(g.logLevel) {
	case "debug":
		level = slog.LevelDebug
	case "info":
		level = slog.LevelInfo
	case "warn", "warning":
		level = slog.LevelWarn
	case "error":
		level = slog.LevelError
	default:
		return usagef("--log-level must be debug, info, warn or error, got %q", g.logLevel)
	}
	if g.quiet {
		level = slog.LevelError
	}
	slog.SetDefault(slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level})))
	return nil
}

// stderrIsTerminal reports whether progress bars should be drawn.
func stderrIsTerminal() bool {
	fi, err := os.Stderr.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}
