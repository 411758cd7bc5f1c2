package chrom

import (
	"os"
	"testing"
)

// TestConditioningExperiment measures what LD-guided cuts and the assembler's
// conditioning bring at window boundaries (the table in doc.go). Opt-in:
//
//	GOUSYNTH_CHROM_EXP=1 go test ./chrom -run TestConditioningExperiment -v -timeout 30m
func TestConditioningExperiment(t *testing.T) {
	if os.Getenv("GOUSYNTH_CHROM_EXP") == "" {
		t.Skip("experiment: set GOUSYNTH_CHROM_EXP=1")
	}
	train, test := panel(t, 300, 5000, 3)
	if os.Getenv("GOUSYNTH_CHROM_EXP") == "regress" {
		// Conditioning by regression against selection (LD-guided cuts).
		for _, cond := range []Conditioning{CondMatch, CondRegress, CondRegressMatch} {
			o := smallOptions(false)
			o.Conditioning = cond
			p, g := runAll(t, train, 300, o)
			met, err := Evaluate(test, g, train, p.Windows, p.PCA, MetricOptions{Seed: 1})
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("cond=%-13s windows=%d | LD inside %.4f floor %.4f | straddle %.4f floor %.4f | PC1 W2 %.3f floor %.3f PC2 %.3f floor %.3f | per-window PC1 %.3f PC2 %.3f (test %.3f %.3f) | AF r2 %.4f | identical %.4f DCR %+v",
				cond, len(p.Windows), met.LD.Inside, met.LD.FloorInside, met.LD.Straddle, met.LD.FloorStraddle,
				met.PCW2[0], met.PCW2Floor[0], met.PCW2[1], met.PCW2Floor[1],
				met.Ancestry.SynthMean[0], met.Ancestry.SynthMean[1], met.Ancestry.TestMean[0], met.Ancestry.TestMean[1], met.AFR2, met.Privacy.IdenticalRate, met.Privacy)
		}
		return
	}
	if os.Getenv("GOUSYNTH_CHROM_EXP") == "weight" {
		// Many windows: does the ancestry drift along the chromosome?
		for _, w := range []float64{0.5, 2, 8} {
			o := smallOptions(false)
			o.WindowSNPs, o.OverlapSNPs, o.AncestryWeight = 100, 32, w
			o.Model.Steps = 100
			p, g := runAll(t, train, 300, o)
			met, err := Evaluate(test, g, train, p.Windows, p.PCA, MetricOptions{Seed: 1})
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("weight=%g windows=%d | straddle %.4f floor %.4f | PC1 W2 %.3f floor %.3f PC2 %.3f floor %.3f | per-window PC1 corr %.3f (test %.3f)",
				w, len(p.Windows), met.LD.Straddle, met.LD.FloorStraddle, met.PCW2[0], met.PCW2Floor[0], met.PCW2[1], met.PCW2Floor[1], met.Ancestry.SynthMean[0], met.Ancestry.TestMean[0])
		}
		return
	}
	for _, uniform := range []bool{false, true} {
		for _, cond := range []Conditioning{CondNone, CondAncestry, CondMatch} {
			o := smallOptions(false)
			o.Conditioning, o.UniformCuts = cond, uniform
			p, g := runAll(t, train, 300, o)
			met, err := Evaluate(test, g, train, p.Windows, p.PCA, MetricOptions{Seed: 1})
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("uniform=%v cond=%-8s windows=%d | LD inside %.4f matched %.4f floor %.4f | straddle %.4f floor %.4f (%.2f× matched, %.2f× floor) | PC1 W2 %.3f floor %.3f PC2 %.3f floor %.3f | per-window PC1 corr %.3f (test %.3f) PC2 %.3f (test %.3f)",
				uniform, cond, len(p.Windows), met.LD.Inside, met.LD.InsideMatched, met.LD.FloorInside, met.LD.Straddle, met.LD.FloorStraddle,
				met.LD.Straddle/met.LD.InsideMatched, met.LD.Straddle/met.LD.FloorStraddle,
				met.PCW2[0], met.PCW2Floor[0], met.PCW2[1], met.PCW2Floor[1],
				met.Ancestry.SynthMean[0], met.Ancestry.TestMean[0], met.Ancestry.SynthMean[1], met.Ancestry.TestMean[1])
		}
	}
}
