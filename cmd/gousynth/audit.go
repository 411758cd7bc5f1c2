package main

import (
	"bytes"
	"fmt"
	"log/slog"
	"math"

	"github.com/spf13/cobra"

	"github.com/gousynth/gousynth/app"
	"github.com/gousynth/gousynth/internal/atomicfile"
	"github.com/gousynth/gousynth/internal/limits"
	"github.com/gousynth/gousynth/internal/pathcheck"
	"github.com/gousynth/gousynth/model"
	"github.com/gousynth/gousynth/report"
	"github.com/gousynth/gousynth/vcf"
)

type auditFlags struct {
	train, synth, test, json, model, region string
	trainSamples, testSamples               sampleFlags
	floorSize                               int
}

func newAuditCmd() *cobra.Command {
	var fl auditFlags
	cmd := &cobra.Command{
		Use:   "audit --train TRAIN.vcf.gz --synth SYNTH.vcf.gz [--test TEST.vcf.gz] [--model M.gsy] [-o audit.json]",
		Short: "Privacy audit of a synthetic cohort against its training cohort",
		Long: `audit runs every privacy check of a synthetic cohort (--synth) against the
real individuals it was trained on (--train) and prints a verdict with its
reasons:

  gousynth audit --train train.vcf.gz --synth synth.vcf.gz --test test.vcf.gz -o audit.json

Checks: identical matches, distance to the closest training record, the
adversarial accuracy AATS with its halves aa_train and aa_synth, the share of
synthetic individuals with a training relative of 2nd degree or closer
(KING-robust kinship > 0.0884, as plink2 --make-king), and, with --test
(held-out real individuals, never trained on), each of these for the
held-out individuals as the yardstick, plus two membership-inference attacks
with their ROC curves: nearest distance and distance ratio (distance to the
closest synthetic individual over distance to the closest of a reference
half of the held-out individuals). With --model (the model file the
synthetic cohort came from) and --test, a third attack probes the model
file itself: how much of each real individual's genotype vector lies
outside the model's basis span (members lie closer). The cohorts are compared on the sites they
all hold (matched on CHROM/POS/REF/ALT; how many each lacked is printed on
stderr). The verdict is informational: the exit status is 0 whatever it
says (1 on unreadable inputs, 2 on usage errors). See docs/privacy.md.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runAudit(cmd, &fl)
		},
	}
	f := cmd.Flags()
	f.StringVar(&fl.train, "train", "", "training individuals (`VCF`) the synthetic cohort was fitted on")
	f.StringVar(&fl.synth, "synth", "", "synthetic individuals (`VCF`)")
	f.StringVar(&fl.test, "test", "", "held-out real individuals (`VCF`), never used in training: floors and membership inference")
	f.StringVar(&fl.model, "model", "", "the model `FILE` (model.gsy of a single-model fit) the synthetic cohort came from: probe it too")
	f.StringVarP(&fl.json, "out", "o", "", "write the audit as JSON to `FILE` (- for standard output)")
	f.StringVar(&fl.json, "json", "", "the same as -o/--out")
	_ = f.MarkHidden("json")
	f.StringVarP(&fl.region, "region", "r", "", "read only the sites in `chr:start-end` (1-based, inclusive) of every cohort")
	fl.trainSamples.register(f, "train-", " of the --train file", true)
	fl.testSamples.register(f, "test-", " of the --test file", true)
	f.IntVar(&fl.floorSize, "floor-size", 0, "individuals per side of AATS (0: min of synthetic and training)")
	return cmd
}

func runAudit(cmd *cobra.Command, fl *auditFlags) error {
	if fl.train == "" || fl.synth == "" {
		return usagef("audit needs --train and --synth")
	}
	if err := checkCount("--floor-size", fl.floorSize, 0, limits.MaxIndividuals); err != nil {
		return err
	}
	logBeside(fl.json)
	var files pathcheck.Set
	files.VCFInput("--train VCF", fl.train)
	files.VCFInput("--synth VCF", fl.synth)
	files.VCFInput("--test VCF", fl.test)
	files.Input("--model file", fl.model)
	fl.trainSamples.files(&files)
	fl.testSamples.files(&files)
	files.Output("-o/--out JSON", fl.json)
	if err := checkFiles(cmd, &files); err != nil {
		return err
	}
	prog := newProgress("")
	defer prog.finish()
	prog.phaseStart("read")
	read := func(path string, sel *sampleFlags) (*vcf.Genotypes, error) {
		return readCohort(cmd.Context(), path, fl.region, sel)
	}
	train, err := read(fl.train, &fl.trainSamples)
	if err != nil {
		return err
	}
	synth, err := read(fl.synth, nil)
	if err != nil {
		return err
	}
	test, err := read(fl.test, &fl.testSamples)
	if err != nil {
		return err
	}
	// The cohorts are compared on the sites they all hold (a synthetic
	// cohort usually holds only the sites that passed the fit's filters).
	cs, isect, err := report.IntersectSites([]*vcf.Genotypes{synth, train, test}, []string{"--synth " + fl.synth, "--train " + fl.train, "--test " + fl.test})
	if err != nil {
		return err
	}
	if fl.model != "" && cs[0].NumSites() < synth.NumSites() {
		return fmt.Errorf("audit: --model probes every site of the model, but %d of the synthetic cohort's %d sites are missing from the real cohorts (%s)", synth.NumSites()-cs[0].NumSites(), synth.NumSites(), isect)
	}
	synth, train, test = cs[0], cs[1], cs[2]
	if !isect.Matched() {
		slog.Warn("audit: cohorts hold different sites: " + isect.String())
	}
	opts := report.AuditOptions{Seed: global.seed, FloorSize: fl.floorSize}
	if fl.model != "" {
		if opts.ModelProbe, opts.ModelDensity, err = modelProbe(fl.model, synth, fl.synth); err != nil {
			return err
		}
	}
	prog.phaseStart("audit")
	a, err := report.RunAudit(train, synth, test, opts)
	prog.finish()
	if err != nil {
		return err
	}
	if !isect.Matched() {
		a.Notes = append(a.Notes, isect.String())
	}
	if fl.json != "" {
		var buf bytes.Buffer
		if err := a.WriteJSON(&buf); err != nil {
			return err
		}
		if err := atomicfile.WriteFile(fl.json, buf.Bytes()); err != nil {
			return err
		}
	}
	out := cmd.OutOrStdout()
	if fl.json == atomicfile.Stdout {
		out = cmd.ErrOrStderr() // standard output holds the JSON
	}
	return a.WriteText(out)
}

// modelProbe loads a single-model file and returns its two membership
// scores: the subspace probe (model.Basis.OutsideSpan, missing calls at
// the model's mean dosage) and the likelihood-ratio score of the model's
// own density (model.Basis.DensityScore). The model must hold the
// synthetic cohort's sites.
func modelProbe(path string, synth *vcf.Genotypes, synthPath string) (probe, density func([]float64) float64, err error) {
	if app.IsWindowedModel(path) {
		return nil, nil, fmt.Errorf("--model %s: a windowed model file; the model-file probe handles single models only (so far)", path)
	}
	m, err := model.Load(path)
	if err != nil {
		return nil, nil, err
	}
	if err := report.SameSites(&vcf.Genotypes{Sites: m.Sites}, synth, "model "+path, synthPath); err != nil {
		return nil, nil, err
	}
	b := m.Basis
	dens, err := b.DensityScore()
	if err != nil {
		return nil, nil, fmt.Errorf("--model %s: %w", path, err)
	}
	probe = func(x []float64) float64 {
		for j, v := range x {
			if math.IsNaN(v) {
				x[j] = b.Mean[j]
			}
		}
		return b.OutsideSpan(x)
	}
	return probe, dens, nil
}
