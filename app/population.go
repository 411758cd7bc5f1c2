package app

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/gousynth/gousynth/internal/atomicfile"
	"github.com/gousynth/gousynth/model"
	"github.com/gousynth/gousynth/report"
	"github.com/gousynth/gousynth/vcf"
)

// SynthPanelFile is the synthetic cohort's panel in a fit's output
// directory: one row per synthetic individual with its population label.
const SynthPanelFile = "synthetic.panel"

// PanelPath is the panel written beside a synthetic VCF: OUT.vcf.gz →
// OUT.panel.
func PanelPath(vcfPath string) string {
	p := strings.TrimSuffix(strings.TrimSuffix(vcfPath, ".gz"), ".bgz")
	return strings.TrimSuffix(p, ".vcf") + ".panel"
}

// WriteSynthPanel writes the panel of a labelled synthetic cohort
// atomically: a header line "sample pop super_pop", then one
// tab-separated row per individual (SYN000001, ...) with its labels
// (cohort[i] indexes labels; model.Unlabelled is written as NA).
func WriteSynthPanel(path string, labels []model.Label, cohort []int) error {
	var b bytes.Buffer
	b.WriteString("sample\tpop\tsuper_pop\n")
	for i, l := range cohort {
		pop, sup := model.LabelOf(labels, l)
		fmt.Fprintf(&b, "%s\t%s\t%s\n", model.SyntheticID(i), pop, sup)
	}
	return atomicfile.WriteFile(path, b.Bytes())
}

// labelling is the training individuals' population labels from the panel.
func (d *Data) labelling() *model.Labelling {
	lab := &model.Labelling{Pop: make([]string, d.Train.NumSamples()), SuperPop: map[string]string{}}
	for i, s := range d.Train.Samples {
		e, _ := d.Panel.Lookup(s)
		lab.Pop[i] = e.Pop
		if e.SuperPop != "" {
			lab.SuperPop[e.Pop] = e.SuperPop
		}
	}
	return lab
}

// groupOf is the label the report compares cohorts by: the
// super-population, or the population when there is none.
func groupOf(pop, superPop string) string {
	if superPop != "" {
		return superPop
	}
	return pop
}

// realGroups returns the report label of each individual of g.
func (d *Data) realGroups(g *vcf.Genotypes) []string {
	out := make([]string, g.NumSamples())
	for i, s := range g.Samples {
		if e, ok := d.Panel.Lookup(s); ok {
			out[i] = groupOf(e.Pop, e.SuperPop)
		}
	}
	return out
}

// synthGroups returns the report label of each synthetic individual.
func synthGroups(labels []model.Label, cohort []int) []string {
	out := make([]string, len(cohort))
	for i, l := range cohort {
		pop, sup := model.LabelOf(labels, l)
		out[i] = groupOf(pop, sup)
		if l == model.Unlabelled {
			out[i] = ""
		}
	}
	return out
}

// evaluatePopulations adds the per-label metrics to met.
func (d *Data) evaluatePopulations(met *report.Metrics, synth *vcf.Genotypes, labels []model.Label, cohort []int, pcs int, seed uint64) error {
	p, err := report.EvaluatePopulations(d.Test, synth, d.Train, d.realGroups(d.Test), synthGroups(labels, cohort), d.realGroups(d.Train), pcs, seed)
	if err != nil {
		return err
	}
	met.Populations = p
	return nil
}
