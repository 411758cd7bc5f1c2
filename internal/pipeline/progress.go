package pipeline

import (
	"context"

	"github.com/gousynth/gousynth/model"
)

type progressKey struct{}

// WithProgress returns ctx carrying fn, which then receives the progress
// of the pipeline's own phases (reading, generating, evaluating; Total 0
// for a phase without steps) in the jobs run with that context. The
// model's phases go to the jobs' Progress options as before.
func WithProgress(ctx context.Context, fn func(model.Progress)) context.Context {
	return context.WithValue(ctx, progressKey{}, fn)
}

// progressOf is the progress callback of ctx; it does nothing when ctx
// carries none.
func progressOf(ctx context.Context) func(model.Progress) {
	if fn, ok := ctx.Value(progressKey{}).(func(model.Progress)); ok && fn != nil {
		return fn
	}
	return func(model.Progress) {}
}

// startPhase tells ctx's progress callback that a phase without steps
// (reading, generating in one piece, evaluating) starts.
func startPhase(ctx context.Context, name string) {
	progressOf(ctx)(model.Progress{Phase: name})
}
