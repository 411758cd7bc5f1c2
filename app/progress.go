package app

import (
	"context"
	"fmt"

	"github.com/gousynth/gousynth/model"
	"github.com/gousynth/gousynth/vcf"
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

// generateAll is m.GenerateCohort (the same individuals, from the same
// GenerateCohortChunks; cohort nil: m.Generate), reporting each chunk to
// ctx's progress callback as phase "generate".
func generateAll(ctx context.Context, m *model.Model, n int, cohort []int, seed uint64) (*vcf.Genotypes, error) {
	if n < 1 {
		return nil, fmt.Errorf("model: number of individuals must be ≥ 1, got %d", n)
	}
	progress := progressOf(ctx)
	progress(model.Progress{Phase: "generate", Total: n})
	d := m.Basis.Dim()
	g := &vcf.Genotypes{Sites: append([]vcf.Site(nil), m.Sites...), Samples: synthIDs(n), Dosage: make([]int8, n*d)}
	err := m.GenerateCohortChunks(ctx, n, cohort, seed, func(lo, rows int, dos []int8) error {
		for v := 0; v < d; v++ {
			copy(g.Dosage[v*n+lo:v*n+lo+rows], dos[v*rows:(v+1)*rows])
		}
		progress(model.Progress{Phase: "generate", Step: lo + rows, Total: n})
		return nil
	})
	if err != nil {
		return nil, err
	}
	return g, nil
}
