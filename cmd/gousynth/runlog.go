package main

import (
	"bytes"
	"fmt"
	"log/slog"
	"strings"

	"github.com/gousynth/gousynth/app"
	"github.com/gousynth/gousynth/internal/atomicfile"
	"github.com/gousynth/gousynth/internal/version"
)

// commandLog is the log of the running command: its provenance (command
// line, version, seed, threads) and every log record, the counts of what
// was read and written among them. A command that writes files names its
// main output in logBeside; on success the log is written beside it
// (OUT.log: the output's name without its .vcf.gz, .html, .json, .tsv or
// .gz ending) or, with --log FILE, to FILE. fit and compare write run.log
// into their output directory themselves; --log copies the log there too.
type commandLog struct {
	buf    bytes.Buffer
	beside string
}

var cmdLog *commandLog

// startCommandLog begins the command's log: slog.Default from now on also
// writes into it.
func startCommandLog() {
	cmdLog = &commandLog{}
	fmt.Fprintf(&cmdLog.buf, "# gousynth %s\n# command: %s\n# seed: %d\n# threads: %d\n", version.String(), commandLine(), global.seed, global.threads)
	slog.SetDefault(app.TeeLogger(slog.Default(), &cmdLog.buf))
}

// logBeside names the main output of the command, beside which its log is
// written (nothing for standard output, FIFOs and devices).
func logBeside(out string) {
	if cmdLog != nil {
		cmdLog.beside = out
	}
}

// besideLog is the log file beside out, or "" when out is no regular file.
func besideLog(out string) string {
	if out == "" || atomicfile.IsStream(out) {
		return ""
	}
	base := out
	for _, ext := range []string{".gz", ".bgz", ".vcf", ".html", ".json", ".tsv"} {
		base = strings.TrimSuffix(base, ext)
	}
	return base + ".log"
}

// writeCommandLog writes the log of a successful command (see commandLog).
func writeCommandLog() error {
	if cmdLog == nil {
		return nil
	}
	path := global.logFile
	if path == "" {
		path = besideLog(cmdLog.beside)
	}
	if path == "" {
		return nil
	}
	if path == cmdLog.beside {
		return usagef("--log %s is the command's output", path)
	}
	if err := atomicfile.WriteFile(path, cmdLog.buf.Bytes()); err != nil {
		return err
	}
	slog.Info("log written", "file", path)
	return nil
}
