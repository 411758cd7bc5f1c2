package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/gousynth/gousynth/app"
	"github.com/gousynth/gousynth/model"
	"github.com/gousynth/gousynth/vcf"
)

// TestProgressLines: a phase draws nothing before it has run 2 s, then one
// line redrawn in place (a bar with the count for phases with steps, the
// elapsed time for others), ended by a newline at the next phase and at
// finish. The clock is the test's: nothing depends on real time.
func TestProgressLines(t *testing.T) {
	var buf bytes.Buffer
	now := time.Unix(0, 0)
	p := newProgressTo(&buf, "", func() time.Time { return now })
	p.phaseStart("read")
	now = now.Add(time.Second)
	p.render()
	if buf.Len() != 0 {
		t.Fatalf("drawn after 1 s: %q", buf.String())
	}
	now = now.Add(1500 * time.Millisecond)
	p.render()
	if got := buf.String(); !strings.HasPrefix(got, "\rread") || !strings.Contains(got, " 3s") || strings.Contains(got, "\n") {
		t.Fatalf("read phase line %q", got)
	}
	// A short phase in between draws nothing; a long one a bar.
	p.update(model.Progress{Phase: "quick", Total: 10})
	if n := strings.Count(buf.String(), "\n"); n != 1 {
		t.Fatalf("the read line did not end with one newline: %q", buf.String())
	}
	p.update(model.Progress{Phase: "generate", Step: 0, Total: 100})
	buf.Reset()
	p.update(model.Progress{Phase: "generate", Step: 25, Total: 100})
	now = now.Add(4 * time.Second)
	p.render()
	got := buf.String()
	if strings.Contains(got, "quick") || !strings.Contains(got, "generate") || !strings.Contains(got, "25/100") || !strings.Contains(got, "12s left") {
		t.Fatalf("generate line %q", got)
	}
	p.finish()
	if !strings.HasSuffix(buf.String(), "\n") || !strings.Contains(buf.String(), "25/100") {
		t.Fatalf("finish did not end the line: %q", buf.String())
	}
	// Finishing twice and a nil progress are harmless.
	p.finish()
	var none *progress
	none.update(model.Progress{Phase: "x"})
	none.render()
	none.finish()
	if none.fn() != nil || none.context(context.Background()) != context.Background() {
		t.Error("a nil progress hands out a callback")
	}
}

// TestGenerateReportsProgress: generate's chunks reach the progress
// callback of its context, ending at n of n.
func TestGenerateReportsProgress(t *testing.T) {
	m, err := model.Load(smallModel(t))
	if err != nil {
		t.Fatal(err)
	}
	var last model.Progress
	calls := 0
	ctx := app.WithProgress(context.Background(), func(p model.Progress) { last = p; calls++ })
	if err := app.GenerateModel(ctx, m, 500, 1, t.TempDir()+"/g.vcf.gz", vcf.Header{}, nil); err != nil {
		t.Fatal(err)
	}
	if calls < 2 || last.Phase != "generate" || last.Step != 500 || last.Total != 500 {
		t.Errorf("%d progress calls, last %+v; want generate 500/500", calls, last)
	}
}
