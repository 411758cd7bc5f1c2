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
	"runtime/debug"
	"strings"
	"syscall"
	"time"

	"github.com/gousynth/gousynth/app"
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
	// gousynth's heap is dominated by large pointer-free genotype slices,
	// which the garbage collector does not scan: collecting more often is
	// cheap, while Go's default (GOGC=100, a heap goal of twice the live
	// heap) took a whole-chromosome fit (2504 × 226,169 kept SNPs) to
	// 2.45 GB. With the streamed chromosome metrics, GOGC 25 had reached
	// 1.07 GB a third of the way through the windows, while GOGC 10 peaked
	// at 1.00 GB over the whole fit (2156 s of CPU; 2297 s with GOGC 25
	// before the streaming). GOGC in the environment still decides.
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(gcPercent)
	}
	os.Exit(run(os.Args[1:]))
}

// gcPercent is gousynth's default GOGC.
const gcPercent = 10

// invocation holds the arguments of the running command, for provenance.
var invocation []string

func run(args []string) int {
	invocation = args
	ctx, stop := interruptContext()
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

// interruptGrace is how long a command may take to stop by itself after
// SIGINT or SIGTERM before the process removes its pending outputs and
// exits anyway.
const interruptGrace = 2 * time.Second

// interruptContext is cancelled by SIGINT or SIGTERM. A second signal, or
// interruptGrace without the command returning, removes every pending
// output and exits with code 130 at once, whatever the command is doing.
func interruptContext() (context.Context, func()) {
	ctx, cancel := context.WithCancel(context.Background())
	sig := make(chan os.Signal, 2)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	finished := make(chan struct{})
	go func() {
		select {
		case <-sig:
		case <-finished:
			return
		}
		cancel()
		select {
		case <-sig:
		case <-time.After(interruptGrace):
		case <-finished:
			return
		}
		atomicfile.RemovePending()
		fmt.Fprintln(os.Stderr, "gousynth: interrupted; no output was written")
		os.Exit(exitInterrupted)
	}()
	return ctx, func() {
		signal.Stop(sig)
		close(finished)
		cancel()
	}
}

// isUsageError reports whether err comes from how the command was called:
// flags and arguments (exit 2), as opposed to the data (exit 1).
func isUsageError(err error) bool {
	var ue *usageError
	switch {
	case errors.As(err, &ue), errors.Is(err, app.ErrUsage):
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
