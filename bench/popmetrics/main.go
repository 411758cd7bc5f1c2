// Command popmetrics measures a labelled synthetic cohort population by
// population (issue 18) against real cohorts that a fit never saw: per
// label, allele-frequency r² and PC Wasserstein-1 next to the floor of
// real training individuals of that label, Hudson's Fst between labels
// (synthetic, held-out real, training, each ± its jackknife SE over
// individuals, and z of synthetic against held-out), how many pairs are
// within 10% and within 2 combined SE of held-out, and identical matches to the
// training cohort. It runs report.EvaluatePopulations, the report's own
// implementation, on the sites of the synthetic VCF.
//
//	go run ./bench/popmetrics -train T.vcf.gz -test H.vcf.gz -synth S.vcf.gz \
//	    -panel samples.panel -synth-panel S.panel [-level pop]
package main

import (
	"flag"
	"fmt"
	"math"
	"os"
	"strings"

	"github.com/gousynth/gousynth/preprocess"
	"github.com/gousynth/gousynth/report"
	"github.com/gousynth/gousynth/vcf"
)

func main() {
	train := flag.String("train", "", "real training VCF (the floor, and identical matches)")
	test := flag.String("test", "", "held-out real VCF")
	synth := flag.String("synth", "", "synthetic VCF")
	panel := flag.String("panel", "", "panel of the real individuals (sample pop super_pop)")
	synthPanel := flag.String("synth-panel", "", "panel of the synthetic individuals (default: the synthetic VCF's .panel)")
	level := flag.String("level", "super_pop", "compare by super_pop or pop")
	pcs := flag.Int("pcs", 10, "training PCs of the PC Wasserstein")
	seed := flag.Uint64("seed", 1, "seed of the subsets and the PCA")
	flag.Parse()
	if *synthPanel == "" {
		*synthPanel = strings.TrimSuffix(strings.TrimSuffix(*synth, ".gz"), ".vcf") + ".panel"
	}
	if err := run(*train, *test, *synth, *panel, *synthPanel, *level, *pcs, *seed); err != nil {
		fmt.Fprintln(os.Stderr, "popmetrics:", err)
		os.Exit(1)
	}
}

func run(trainPath, testPath, synthPath, panelPath, synthPanelPath, level string, pcs int, seed uint64) error {
	read := func(p string) (*vcf.Genotypes, error) {
		g, _, err := vcf.ReadFile(p, vcf.ReadOptions{DosageOnly: true})
		return g, err
	}
	s, err := read(synthPath)
	if err != nil {
		return err
	}
	tr, err := read(trainPath)
	if err != nil {
		return err
	}
	te, err := read(testPath)
	if err != nil {
		return err
	}
	if tr, err = report.RestrictToSites(tr, s.Sites, "training VCF"); err != nil {
		return err
	}
	if te, err = report.RestrictToSites(te, s.Sites, "test VCF"); err != nil {
		return err
	}
	preprocess.ImputeMeanInPlace(tr)
	preprocess.ImputeMeanInPlace(te)
	rp, err := preprocess.ReadPanel(panelPath)
	if err != nil {
		return err
	}
	sp, err := preprocess.ReadPanel(synthPanelPath)
	if err != nil {
		return err
	}
	labels := func(g *vcf.Genotypes, p *preprocess.Panel) []string {
		out := make([]string, g.NumSamples())
		for i, id := range g.Samples {
			e, _ := p.Lookup(id)
			out[i] = e.SuperPop
			if level == "pop" || out[i] == "" {
				out[i] = e.Pop
			}
			if out[i] == "NA" {
				out[i] = ""
			}
		}
		return out
	}
	res, err := report.EvaluatePopulations(te, s, tr, labels(te, rp), labels(s, sp), labels(tr, rp), pcs, seed)
	if err != nil {
		return err
	}
	fmt.Printf("%d SNPs; synthetic %d, test %d, training %d individuals; by %s\n", s.NumSites(), s.NumSamples(), te.NumSamples(), tr.NumSamples(), level)
	fmt.Printf("%-10s %6s %6s %6s | %-8s %-8s %-7s | %-8s %-8s %-6s\n", "label", "synth", "test", "train", "AF r²", "floor", "diff", "PC W1", "floor", "ratio")
	get := func(name string) report.Metric {
		for _, m := range res.Metrics {
			if m.Name == name {
				return m
			}
		}
		return report.Metric{Value: math.NaN(), Floor: math.NaN(), Ratio: math.NaN()}
	}
	for _, l := range res.Labels {
		af, pc := get("pop_af_r2["+l.Label+"]"), get("pop_pca_w1["+l.Label+"]")
		fmt.Printf("%-10s %6d %6d %6d | %.4f   %.4f   %+.4f | %.4f   %.4f   %.2f\n", l.Label, l.Synth, l.Test, l.Train, af.Value, af.Floor, af.Value-af.Floor, pc.Value, pc.Floor, pc.Ratio)
	}
	// Each Fst is shown ± its jackknife SE over the cohort's individuals; z
	// is the synthetic − held-out difference over the combined SE.
	fmt.Printf("\n%-12s %-19s %-19s %-19s %6s %8s %14s\n", "Fst pair", "synth ± SE", "test ± SE", "train ± SE", "z", "rel.err", "train rel.err")
	within10, within2SE := 0, 0
	for _, f := range res.Fst {
		fmt.Printf("%-12s %.5f ± %.5f  %.5f ± %.5f  %.5f ± %.5f  %+6.2f  %6.1f%%  %12.1f%%\n", f.A+"|"+f.B,
			f.Synth, f.SynthSE, f.Test, f.TestSE, f.Train, f.TrainSE, f.Z, 100*f.RelErr, 100*f.TrainRelErr)
		if f.RelErr <= 0.10 {
			within10++
		}
		if math.Abs(f.Z) <= 2 {
			within2SE++
		}
	}
	fmt.Printf("Fst pairs within 10%% of held-out: %d of %d; within 2 combined SE: %d of %d\n", within10, len(res.Fst), within2SE, len(res.Fst))
	fmt.Printf("\nidentical matches (synthetic individuals equal to a training individual): %d\n", identical(s, tr))
	return nil
}

// identical counts synthetic individuals whose genotypes equal a training
// individual's at every site.
func identical(s, tr *vcf.Genotypes) int {
	key := func(g *vcf.Genotypes, i int) string {
		b := make([]byte, g.NumSites())
		for v := range b {
			b[v] = byte(g.Dosage[v*g.NumSamples()+i])
		}
		return string(b)
	}
	seen := map[string]bool{}
	for i := 0; i < tr.NumSamples(); i++ {
		seen[key(tr, i)] = true
	}
	n := 0
	for i := 0; i < s.NumSamples(); i++ {
		if seen[key(s, i)] {
			n++
		}
	}
	return n
}
