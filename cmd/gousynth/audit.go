package main

import (
	"bytes"
	"errors"

	"github.com/spf13/cobra"

	"github.com/gousynth/gousynth/app"
	"github.com/gousynth/gousynth/internal/atomicfile"
	"github.com/gousynth/gousynth/internal/pathcheck"
	"github.com/gousynth/gousynth/vcf"
)

type auditFlags struct {
	train, synth, test, json, model, region string
	reference                               string
	trainSamples, testSamples               sampleFlags
	floorSize                               int
}

func newAuditCmd() *cobra.Command {
	var fl auditFlags
	cmd := &cobra.Command{
		Use:   "audit --train TRAIN.vcf.gz --synth SYNTH.vcf.gz [--test TEST.vcf.gz [--reference REF.vcf.gz]] [--model M.gsy] [-o audit.json]",
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
held-out individuals as the yardstick, plus three membership-inference
attacks with their ROC curves: nearest distance, distance ratio (distance
to the closest synthetic individual over distance to the closest of a
reference half of the held-out individuals) and allele frequencies (the
likelihood ratio of each individual's genotypes under the synthetic
cohort's allele frequencies against the reference half's, or, with
--reference, against those of a panel of the same population that is
neither --train nor --test, e.g. a public one). With --model (the model file the
synthetic cohort came from, of a single-model or a windowed fit) and
--test, two more attacks use the model file itself: the model-file probe,
how much of each real individual's genotype vector lies outside the
model's directions (members lie closer), and a likelihood-ratio test on
the model's own density (summed over the windows of a windowed model).
The cohorts are compared on the sites they all hold (matched on
CHROM/POS/REF/ALT; how many each lacked is printed on stderr). The verdict is informational: the exit status is 0 whatever it
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
	f.StringVar(&fl.reference, "reference", "", "a `VCF` of real people of the same population who are neither --train nor --test individuals (e.g. a public panel): the allele-frequency attack's reference, every --test individual then a non-member")
	f.StringVar(&fl.model, "model", "", "the model `FILE` (model.gsy of a single-model or windowed fit) the synthetic cohort came from: probe it too")
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
	cfg := app.AuditConfig{Train: fl.train, Synth: fl.synth, Test: fl.test, Reference: fl.reference, Model: fl.model, Seed: global.seed, FloorSize: fl.floorSize}
	if err := usageOf(cfg.Validate()); err != nil {
		return err
	}
	logBeside(fl.json)
	var files pathcheck.Set
	files.VCFInput("--train VCF", fl.train)
	files.VCFInput("--synth VCF", fl.synth)
	files.VCFInput("--test VCF", fl.test)
	files.VCFInput("--reference VCF", fl.reference)
	files.Input("--model file", fl.model)
	fl.trainSamples.files(&files)
	fl.testSamples.files(&files)
	files.Output("-o/--out JSON", fl.json)
	if err := checkFiles(cmd, &files); err != nil {
		return err
	}
	var err error
	if cfg.TrainRead, err = readOptions(fl.train, fl.region, &fl.trainSamples); err != nil {
		return err
	}
	cfg.SynthRead = vcf.ReadOptions{Threads: global.threads, Region: fl.region}
	cfg.ReferenceRead = vcf.ReadOptions{Threads: global.threads, Region: fl.region}
	if cfg.TestRead, err = readOptions(fl.test, fl.region, &fl.testSamples); err != nil {
		return err
	}
	prog := newProgress("")
	defer prog.finish()
	a, err := app.Audit(prog.context(cmd.Context()), cfg)
	prog.finish()
	if err != nil {
		return usageOf(err)
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

// readOptions are the options app.Audit reads path with: the threads, the
// region and the sample selection sel (its ID files read only when there
// is a path to read).
func readOptions(path, region string, sel *sampleFlags) (vcf.ReadOptions, error) {
	ro := vcf.ReadOptions{Threads: global.threads, Region: region}
	if path == "" {
		return ro, nil
	}
	err := sel.apply(&ro)
	return ro, err
}

// usageOf returns err as a usage error (exit status 2, its message as it
// is) when it wraps app.ErrUsage, and err itself otherwise.
func usageOf(err error) error {
	if errors.Is(err, app.ErrUsage) {
		return usagef("%s", app.UsageMessage(err))
	}
	return err
}
