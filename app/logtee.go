package app

import (
	"context"
	"io"
	"log/slog"
)

// teeLogger returns a logger that writes to base (when not nil) and, at
// every level from Debug up, to w as plain text: the run.log of a job.
func teeLogger(base *slog.Logger, w io.Writer) *slog.Logger {
	file := slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelDebug, ReplaceAttr: dropTime})
	if base == nil {
		return slog.New(file)
	}
	return slog.New(tee{base.Handler(), file})
}

// dropTime leaves wall-clock times out of run.log so that reruns with the
// same seed give the same file, timings aside.
func dropTime(groups []string, a slog.Attr) slog.Attr {
	if len(groups) == 0 && a.Key == slog.TimeKey {
		return slog.Attr{}
	}
	return a
}

type tee [2]slog.Handler

func (t tee) Enabled(ctx context.Context, l slog.Level) bool {
	return t[0].Enabled(ctx, l) || t[1].Enabled(ctx, l)
}

func (t tee) Handle(ctx context.Context, r slog.Record) error {
	for _, h := range t {
		if h.Enabled(ctx, r.Level) {
			if err := h.Handle(ctx, r.Clone()); err != nil {
				return err
			}
		}
	}
	return nil
}

func (t tee) WithAttrs(as []slog.Attr) slog.Handler {
	return tee{t[0].WithAttrs(as), t[1].WithAttrs(as)}
}

func (t tee) WithGroup(name string) slog.Handler {
	return tee{t[0].WithGroup(name), t[1].WithGroup(name)}
}

// TeeLogger is the logger of a job's log file for the commands of package
// main that run no pipeline job: base (when not nil) and, at every level
// from Debug up and without wall-clock times, w.
func TeeLogger(base *slog.Logger, w io.Writer) *slog.Logger { return teeLogger(base, w) }
