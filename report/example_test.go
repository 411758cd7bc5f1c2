package report_test

import (
	"context"
	"fmt"
	"log"

	"github.com/gousynth/gousynth/preprocess"
	"github.com/gousynth/gousynth/report"
	"github.com/gousynth/gousynth/synth"
)

// Evaluate a "synthetic" cohort that is a copy of the training individuals:
// its fidelity is perfect, and the privacy verdict says why it must not be
// released.
func ExampleEvaluate() {
	p, err := synth.NewPanel(synth.PaperPreset(200, 80), 5)
	if err != nil {
		log.Fatal(err)
	}
	g, _, err := p.Genotypes(context.Background(), 1)
	if err != nil {
		log.Fatal(err)
	}
	tr, te, err := preprocess.Split(g.Samples, 0.3, 1, nil)
	if err != nil {
		log.Fatal(err)
	}
	train, test := preprocess.SubsetSamples(g, tr), preprocess.SubsetSamples(g, te)
	m, err := report.Evaluate(test, train, train, report.Options{Seed: 1, Projections: 20, LDWindowSNPs: 10})
	if err != nil {
		log.Fatal(err)
	}
	im, _ := m.Get("identical_match_rate")
	fmt.Printf("identical matches: %.0f%% of the synthetic cohort\n", 100*im.Value)
	for _, v := range m.Verdicts {
		if v.Area == "Privacy" {
			fmt.Println("privacy:", v.Verdict)
		}
	}
	// Output:
	// identical matches: 100% of the synthetic cohort
	// privacy: poor
}
