package app

import (
	"context"
	"slices"
	"testing"

	"github.com/gousynth/gousynth/model"
	"github.com/gousynth/gousynth/preprocess"
	"github.com/gousynth/gousynth/synth"
)

// TestGenerateAllIsGenerate: fit's generation with progress draws exactly
// the individuals of model.Generate, and its progress ends at n of n.
func TestGenerateAllIsGenerate(t *testing.T) {
	p, err := synth.NewPanel(synth.PaperPreset(120, 60), 3)
	if err != nil {
		t.Fatal(err)
	}
	g, _, err := p.Genotypes(context.Background(), 1)
	if err != nil {
		t.Fatal(err)
	}
	cfg := model.DefaultConfig("gou")
	cfg.Steps, cfg.SamplerSteps, cfg.Hidden = 20, 5, 16
	m, err := model.Fit(context.Background(), preprocess.Matrix(g), g.Sites, cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	const n = model.SampleChunkRows + 100 // more than one chunk
	want, err := m.Generate(context.Background(), n, 9)
	if err != nil {
		t.Fatal(err)
	}
	var last model.Progress
	calls := 0
	ctx := WithProgress(context.Background(), func(p model.Progress) { last = p; calls++ })
	got, err := generateAll(ctx, m, n, nil, 9)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got.Dosage, want.Dosage) || !slices.Equal(got.Samples, want.Samples) || !slices.Equal(got.Sites, want.Sites) {
		t.Error("generateAll differs from model.Generate")
	}
	if calls < 2 || last.Phase != "generate" || last.Step != n || last.Total != n {
		t.Errorf("%d progress calls, last %+v", calls, last)
	}
}
