package chrom

import (
	"encoding/json"
	"math"
	"os"
	"testing"

	"github.com/gousynth/gousynth/preprocess"
	"github.com/gousynth/gousynth/report"
	"github.com/gousynth/gousynth/vcf"
)

// TestEvaluatorAgreesWithJudge: the chromosome metrics' judge-style LD
// r² error and LD-decay L2 equal the independent judge's
// (../shared/judge/judge.py, its values in testdata/judge/judge.json) on
// the same files, whatever the windows, and the synthetic cohort arriving
// window by window changes nothing.
func TestEvaluatorAgreesWithJudge(t *testing.T) {
	read := func(name string) *vcf.Genotypes {
		g, _, err := vcf.ReadFile("../testdata/judge/"+name, vcf.ReadOptions{DosageOnly: true})
		if err != nil {
			t.Fatal(err)
		}
		preprocess.ImputeMeanInPlace(g)
		return g
	}
	synth := read("synth.vcf.gz")
	// The judge compares the sites all three files hold (matched on CHROM,
	// POS, REF, ALT): the synthetic file's.
	on := func(name string) *vcf.Genotypes {
		g, err := report.RestrictToSites(read(name), synth.Sites, name)
		if err != nil {
			t.Fatal(err)
		}
		return g
	}
	train, test := on("train.vcf.gz"), on("test.vcf.gz")
	var judge struct {
		Synth map[string]float64 `json:"synth"`
	}
	b, err := os.ReadFile("../testdata/judge/judge.json")
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &judge); err != nil {
		t.Fatal(err)
	}
	pca, _, err := FitPCA(train, 2, 1)
	if err != nil {
		t.Fatal(err)
	}
	m := test.NumSites()
	for _, cuts := range [][]int{{m}, {130, m}, {50, 260, 300, m}} {
		var ws []Window
		start := 0
		for i, c := range cuts {
			ws = append(ws, Window{Index: i, Start: start, CoreStart: start, End: c})
			start = c
		}
		met, err := Evaluate(test, synth, train, ws, pca, MetricOptions{Seed: 1})
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range []struct {
			name      string
			got, want float64
		}{{"LD r² MAE", met.LD.JudgeMAE, judge.Synth["ld_mae"]}, {"LD decay L2", met.LD.JudgeDecayL2, judge.Synth["ld_decay_l2"]}} {
			if math.Abs(c.got-c.want) > 0.01*c.want {
				t.Errorf("%d windows: %s %.6f, the judge's %.6f: want within 1%%", len(ws), c.name, c.got, c.want)
			}
		}
		if met.LD.JudgePairs == 0 || !(met.LD.FloorJudgeMAE > 0) {
			t.Errorf("%d windows: %d judge pairs, floor MAE %v", len(ws), met.LD.JudgePairs, met.LD.FloorJudgeMAE)
		}
	}
}
