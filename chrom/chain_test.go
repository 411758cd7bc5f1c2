package chrom

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/gousynth/gousynth/model"
)

// TestChainLabelledResultsRoundTrip: with population labels the chain's
// regressions also take one indicator per label. Its results, serialised
// as fit-window writes them (EncodeResult, DecodeResult) and assembled in
// order, give the cohort of Plan.Run, and each label keeps its own allele
// frequencies closer to its training frequencies than to another label's.
func TestChainLabelledResultsRoundTrip(t *testing.T) {
	train, _ := panel(t, 240, 600, 5)
	pops := make([]string, train.NumSamples())
	for i, id := range train.Samples {
		pops[i], _, _ = strings.Cut(id, "_")
	}
	lab := &model.Labelling{Pop: pops, SuperPop: map[string]string{"POP1": "A", "POP2": "A", "POP3": "B"}}
	o := smallOptions(true)
	o.Conditioning, o.WindowSNPs = CondChain, 200
	const n = 150
	p, err := NewPlanLabelled(context.Background(), train, n, o, lab)
	if err != nil {
		t.Fatal(err)
	}
	if p.Cohort == nil || len(p.Windows) < 2 {
		t.Fatalf("cohort %v, %d windows: the test needs labels and a boundary", p.Cohort != nil, len(p.Windows))
	}
	var run []int8
	if err := p.Run(context.Background(), train, func(wd WindowDone) error {
		run = append(run, wd.Core...)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	asm, err := p.Assembler()
	if err != nil {
		t.Fatal(err)
	}
	var staged []int8
	for _, w := range p.Windows {
		r, err := p.Job(train, w).Run(context.Background(), nil)
		if err != nil {
			t.Fatal(err)
		}
		if r.Chain.K != p.PCA.K()+len(p.Mixture.LabelTable) {
			t.Fatalf("window %d: chain of %d ancestry scores for %d PCs and %d labels", w.Index, r.Chain.K, p.PCA.K(), len(p.Mixture.LabelTable))
		}
		b, err := EncodeResult(r)
		if err != nil {
			t.Fatal(err)
		}
		back, err := DecodeResult(b)
		if err != nil {
			t.Fatalf("window %d: %v", w.Index, err)
		}
		core, err := asm.Add(back)
		if err != nil {
			t.Fatal(err)
		}
		staged = append(staged, core...)
	}
	if !slices.Equal(run, staged) {
		t.Error("the serialised results assemble into another cohort than Plan.Run's")
	}
	// Per-label allele frequencies: each synthetic label's mean dosage over
	// the sites lies nearer its own training label's than any other's.
	m := train.NumSites()
	table, trainLab := model.LabelTableOf(lab)
	for l := range table {
		var dist []float64
		for k := range table {
			var d float64
			for v := 0; v < m; v++ {
				var ss, cs, st, ct float64
				for i := 0; i < n; i++ {
					if p.Cohort[i] == l {
						ss += float64(run[v*n+i])
						cs++
					}
				}
				for i, tl := range trainLab {
					if tl == k {
						st += float64(train.Dosage[v*train.NumSamples()+i])
						ct++
					}
				}
				if cs > 0 && ct > 0 {
					d += (ss/cs - st/ct) * (ss/cs - st/ct)
				}
			}
			dist = append(dist, d)
		}
		if slices.Index(dist, slices.Min(dist)) != l {
			t.Errorf("synthetic %s: squared distance of mean dosages to each training label %.3f: not nearest its own", table[l].Pop, dist)
		}
	}
}
