package main

import (
	"fmt"
	"os"
	"time"

	"github.com/gousynth/gousynth/model"
	"github.com/schollz/progressbar/v3"
)

// modelProgress returns a callback that draws one progress bar per phase of
// a fit on stderr, or nil when stderr is not a terminal or --quiet is set
// (logs then carry the progress).
func modelProgress(label string) func(model.Progress) {
	if global.quiet || !stderrIsTerminal() {
		return nil
	}
	var bar *progressbar.ProgressBar
	var phase, desc string
	return func(p model.Progress) {
		if p.Phase != phase || bar == nil {
			if bar != nil {
				bar.Finish()
				fmt.Fprintln(os.Stderr)
			}
			phase = p.Phase
			desc = phase
			if label != "" {
				desc = label + " " + phase
			}
			bar = progressbar.NewOptions(max(p.Total, 1),
				progressbar.OptionSetWriter(os.Stderr),
				progressbar.OptionSetDescription(fmt.Sprintf("%-14s", desc)),
				progressbar.OptionShowCount(),
				progressbar.OptionSetPredictTime(true),
				progressbar.OptionThrottle(100*time.Millisecond),
				progressbar.OptionSetWidth(30),
			)
		}
		if p.Loss != 0 {
			bar.Describe(fmt.Sprintf("%-14s loss %.4f", desc, p.Loss))
		}
		bar.Set(p.Step)
		if p.Step >= p.Total {
			bar.Finish()
		}
	}
}
