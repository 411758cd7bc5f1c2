package chrom

import (
	"math"
	"os"
	"strings"
	"testing"

	"github.com/gousynth/gousynth/metrics"
	"github.com/gousynth/gousynth/vcf"
)

// TestProbeExperiment measures the AUC of the windowed membership probe,
// of its density attack and of each of their parts on a fitted windowed
// model, training members against held-out individuals (docs/privacy.md
// has the numbers): GOUSYNTH_PROBE=model.gsy,cohort.vcf.gz,train.ids,test.ids
// with the fit's --write-split lists.
func TestProbeExperiment(t *testing.T) {
	spec := os.Getenv("GOUSYNTH_PROBE")
	if spec == "" {
		t.Skip("GOUSYNTH_PROBE not set")
	}
	f := strings.Split(spec, ",")
	fr, err := OpenFile(f[0])
	if err != nil {
		t.Fatal(err)
	}
	defer fr.Close()
	sites := fr.Header().Sites
	p, err := NewMembershipProbe(fr)
	if err != nil {
		t.Fatal(err)
	}
	read := func(ids string) [][]float64 {
		b, err := os.ReadFile(ids)
		if err != nil {
			t.Fatal(err)
		}
		g, _, err := vcf.ReadFile(f[1], vcf.ReadOptions{IncludeSamples: strings.Fields(string(b))})
		if err != nil {
			t.Fatal(err)
		}
		idx := map[[2]any]int{}
		for v, s := range g.Sites {
			idx[[2]any{s.Pos, s.Alt}] = v
		}
		out := make([][]float64, g.NumSamples())
		for i := range out {
			out[i] = make([]float64, len(sites))
			for j, s := range sites {
				v := idx[[2]any{s.Pos, s.Alt}]
				x := g.Dosage[v*g.NumSamples()+i]
				out[i][j] = float64(x)
				if x < 0 {
					out[i][j] = math.NaN()
				}
			}
		}
		return out
	}
	mem, non := read(f[2]), read(f[3])
	stats := []struct {
		name string
		fn   func(probeParts) float64
	}{
		{"probe (-outside share)", func(s probeParts) float64 { return -s.outside / s.total }},
		{"density", func(s probeParts) float64 { return s.binomial + s.ar + s.lead + s.basis }},
		{"binomial", func(s probeParts) float64 { return s.binomial }},
		{"autoregression", func(s probeParts) float64 { return s.ar }},
		{"leading coordinates", func(s probeParts) float64 { return s.lead }},
		{"residual outside leading dirs", func(s probeParts) float64 { return -s.leadOutside / s.leadTotal }},
	}
	score := func(xs [][]float64, fn func(probeParts) float64) []float64 {
		out := make([]float64, len(xs))
		for i, x := range xs {
			s, err := p.parts(x)
			if err != nil {
				t.Fatal(err)
			}
			out[i] = fn(s)
		}
		return out
	}
	for _, st := range stats {
		t.Logf("%-30s AUC %.3f", st.name, metrics.AUC(score(mem, st.fn), score(non, st.fn)))
	}
}
