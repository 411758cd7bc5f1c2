package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/gousynth/gousynth/app"
	"github.com/gousynth/gousynth/model"
)

// progressDelay is how long a phase runs before its progress line is
// drawn: shorter phases draw nothing.
const progressDelay = 2 * time.Second

// progressTick is how often a drawn progress line is redrawn.
const progressTick = 200 * time.Millisecond

// progress draws one line per phase of a long job on stderr: a bar with
// the count and the time left for phases that report steps (training,
// sampling chunks, windows), the elapsed time for those that do not
// (reading, evaluating). A phase's line appears once the phase has run
// for progressDelay, is redrawn in place and ends with a newline when the
// next phase starts or the job ends (finish). A nil *progress draws
// nothing: see newProgress.
type progress struct {
	w     io.Writer
	label string
	now   func() time.Time

	mu         sync.Mutex
	phase      string
	start      time.Time
	step, tot  int
	loss       float64
	shown      bool
	stop, done chan struct{}
}

// newProgress returns the progress of a job (label prefixes every phase's
// name, "" for none), or nil when stderr is not a terminal or --quiet is
// set (the logs then carry the progress). Call finish when the job ends.
func newProgress(label string) *progress {
	if global.quiet || !stderrIsTerminal() {
		return nil
	}
	p := newProgressTo(os.Stderr, label, time.Now)
	go p.loop()
	return p
}

// newProgressTo is a progress drawing on w with the clock now and no
// redrawing of its own (tests call render).
func newProgressTo(w io.Writer, label string, now func() time.Time) *progress {
	return &progress{w: w, label: label, now: now, stop: make(chan struct{}), done: make(chan struct{})}
}

func (p *progress) loop() {
	defer close(p.done)
	t := time.NewTicker(progressTick)
	defer t.Stop()
	for {
		select {
		case <-p.stop:
			return
		case <-t.C:
			p.render()
		}
	}
}

// update records a model.Progress event: a new phase ends the line of the
// previous one.
func (p *progress) update(e model.Progress) {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if e.Phase != p.phase {
		p.endLine()
		p.phase, p.start, p.loss = e.Phase, p.now(), 0
	}
	p.step, p.tot = e.Step, e.Total
	if e.Loss != 0 {
		p.loss = e.Loss
	}
}

// fn is the model.Progress callback of p (nil for a nil p).
func (p *progress) fn() func(model.Progress) {
	if p == nil {
		return nil
	}
	return p.update
}

// context returns ctx carrying p's callback for the pipeline's phases
// (app.WithProgress).
func (p *progress) context(ctx context.Context) context.Context {
	if p == nil {
		return ctx
	}
	return app.WithProgress(ctx, p.update)
}

// phaseStart starts a phase without steps (reading, evaluating).
func (p *progress) phaseStart(name string) { p.update(model.Progress{Phase: name}) }

// render draws the current phase's line when it has run long enough.
func (p *progress) render() {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.phase == "" || p.now().Sub(p.start) < progressDelay {
		return
	}
	p.shown = true
	fmt.Fprint(p.w, "\r"+p.line()+"\x1b[K")
}

// line is the text of the current phase's progress line.
func (p *progress) line() string {
	name := p.phase
	if p.label != "" {
		name = p.label + " " + p.phase
	}
	el := p.now().Sub(p.start).Round(time.Second)
	var b strings.Builder
	fmt.Fprintf(&b, "%-16s", name)
	if p.tot > 0 {
		const width = 30
		done := min(width, width*p.step/p.tot)
		fmt.Fprintf(&b, " [%s%s] %d/%d %s", strings.Repeat("=", done), strings.Repeat(" ", width-done), p.step, p.tot, el)
		if p.step > 0 && p.step < p.tot {
			left := time.Duration(float64(p.now().Sub(p.start)) * float64(p.tot-p.step) / float64(p.step)).Round(time.Second)
			fmt.Fprintf(&b, ", %s left", left)
		}
	} else {
		fmt.Fprintf(&b, " %s", el)
	}
	if p.loss != 0 {
		fmt.Fprintf(&b, " loss %.4f", p.loss)
	}
	return b.String()
}

// endLine finishes a drawn line (its final state and a newline).
func (p *progress) endLine() {
	if p.shown {
		fmt.Fprint(p.w, "\r"+p.line()+"\x1b[K\n")
	}
	p.shown = false
}

// finish ends the last phase's line with a newline and stops redrawing.
func (p *progress) finish() {
	if p == nil {
		return
	}
	select {
	case <-p.stop:
	default:
		close(p.stop)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.endLine()
	p.phase = ""
}

// labelled is the per-process progress callback of compare: each phase
// named after its process.
func (p *progress) labelled(process string) func(model.Progress) {
	if p == nil {
		return nil
	}
	return func(e model.Progress) {
		e.Phase = process + " " + e.Phase
		p.update(e)
	}
}
