// Command gousynth makes privacy-preserving synthetic genotype cohorts from
// VCF files and reports how faithful and how private they are.
//
// Exit codes: 0 success, 1 an error (bad input, failed computation, I/O),
// 2 a usage error (unknown command or flag, invalid flag value),
// 130 interrupted by SIGINT or SIGTERM (no partial output is left behind).
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/gousynth/gousynth/internal/atomicfile"
	"github.com/gousynth/gousynth/vcf"
)

// Exit codes of the command line; documented in README.md.
const (
	exitOK          = 0
	exitError       = 1
	exitUsage       = 2
	exitInterrupted = 130
)

func main() {
	os.Exit(run(os.Args[1:]))
}

// invocation holds the arguments of the running command, for provenance.
var invocation []string

func run(args []string) int {
	invocation = args
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	root := newRootCmd()
	root.SetArgs(args)
	err := root.ExecuteContext(ctx)
	// Whatever happened, no half-written output may survive.
	atomicfile.RemovePending()
	switch {
	case err == nil:
		return exitOK
	case ctx.Err() != nil:
		fmt.Fprintln(os.Stderr, "gousynth: interrupted; no output was written")
		return exitInterrupted
	default:
		fmt.Fprintln(os.Stderr, "gousynth: "+err.Error())
		if isUsageError(err) {
			return exitUsage
		}
		return exitError
	}
}

// isUsageError reports whether err comes from how the command was called:
// flags and arguments (exit 2), as opposed to the data (exit 1).
func isUsageError(err error) bool {
	var ue *usageError
	switch {
	case errors.As(err, &ue):
		return true
	case errors.Is(err, vcf.ErrRegion):
		// --region (or --max-variants) that cannot be parsed, whatever the file.
		return true
	case strings.HasPrefix(err.Error(), "unknown command "):
		// cobra's error for a word that is no subcommand.
		return true
	}
	return false
}
