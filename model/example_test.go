package model_test

import (
	"bytes"
	"context"
	"fmt"
	"log"

	"github.com/gousynth/gousynth/model"
	"github.com/gousynth/gousynth/preprocess"
	"github.com/gousynth/gousynth/synth"
	"github.com/gousynth/gousynth/vcf"
)

// Fit a GOU model to a genotype panel and draw a synthetic cohort from it;
// the same seed draws the same cohort. (A real fit reads a VCF with
// vcf.ReadFile and imputes missing calls with preprocess.ImputeMean
// first; the defaults train far longer than this example.)
func ExampleFit() {
	p, err := synth.NewPanel(synth.PaperPreset(120, 60), 3)
	if err != nil {
		log.Fatal(err)
	}
	g, _, err := p.Genotypes(context.Background(), 1)
	if err != nil {
		log.Fatal(err)
	}
	cfg := model.DefaultConfig("gou")
	cfg.Steps, cfg.SamplerSteps, cfg.Hidden = 20, 5, 16
	m, err := model.Fit(context.Background(), preprocess.Matrix(g), g.Sites, cfg, nil)
	if err != nil {
		log.Fatal(err)
	}
	draw := func() *vcf.Genotypes {
		s, err := m.Generate(context.Background(), 50, 7)
		if err != nil {
			log.Fatal(err)
		}
		return s
	}
	a, b := draw(), draw()
	fmt.Printf("%d synthetic individuals × %d SNPs (%s, %s)\n", a.NumSamples(), a.NumSites(), a.Samples[0], a.Samples[49])
	fmt.Println("the same seed gives the same cohort:", bytes.Equal(int8s(a.Dosage), int8s(b.Dosage)))
	// Output:
	// 50 synthetic individuals × 60 SNPs (SYN000001, SYN000050)
	// the same seed gives the same cohort: true
}

func int8s(x []int8) []byte {
	b := make([]byte, len(x))
	for i, v := range x {
		b[i] = byte(v)
	}
	return b
}
