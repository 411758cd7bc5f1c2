package app

import (
	"context"
	"fmt"
	"log/slog"
	"strings"

	"github.com/gousynth/gousynth/internal/atomicfile"

	"github.com/gousynth/gousynth/preprocess"
	"github.com/gousynth/gousynth/report"
	"github.com/gousynth/gousynth/vcf"
)

// splitSamples is preprocess.Split, except that a test fraction of 0 puts
// every individual in the training set and none in the test set.
func splitSamples(samples []string, testFraction float64, seed uint64, panel *preprocess.Panel) (train, test []int, err error) {
	if testFraction != 0 {
		return preprocess.Split(samples, testFraction, seed, panel)
	}
	train = make([]int, len(samples))
	for i := range train {
		train[i] = i
	}
	return train, []int{}, nil
}

// HeldOut reports whether the job has real individuals to evaluate
// against that it did not train on (held out from the input, or an
// external test cohort).
func (d *Data) HeldOut() bool { return d.Test != nil && d.Test.NumSamples() > 0 }

// readExternalTest reads the external test cohort o.TestInput (the same
// --region, dosages only, missing calls imputed with its per-SNP means) and
// restricts training and test data to the sites both hold, matched on
// CHROM/POS/REF/ALT in the training order. Mismatches are not fatal: they
// are counted in d.TestNotes (run.log, the report's notes, metrics.json).
// No site in common is an error, and so is a test cohort of fewer than 2
// individuals. Test individuals whose IDs are training IDs too are noted
// (the privacy yardsticks assume they were not trained on).
func (d *Data) readExternalTest(ctx context.Context, o DataOptions, log *slog.Logger) error {
	log.Info("reading the external test cohort", "file", o.TestInput, "region", o.Read.Region)
	test, _, err := vcf.ReadFileContext(ctx, o.TestInput, vcf.ReadOptions{Region: o.Read.Region, Threads: o.Read.Threads, DosageOnly: true})
	if err != nil {
		return err
	}
	if test.NumSamples() < 2 {
		return fmt.Errorf("%s: the external test cohort has %d individuals; it needs at least 2", o.TestInput, test.NumSamples())
	}
	train := d.Train
	cs, x, err := report.IntersectSites([]*vcf.Genotypes{train, test}, []string{"training sites (" + o.Input + ", after the filters)", "test cohort " + o.TestInput})
	if err != nil {
		return fmt.Errorf("%s: %w", o.TestInput, err)
	}
	if cs[0].NumSites() < 2 {
		return fmt.Errorf("%s: only %d of the %d training sites are in the external test cohort (matched on CHROM/POS/REF/ALT); a model needs at least 2", o.TestInput, cs[0].NumSites(), train.NumSites())
	}
	tr, te := x.Cohorts[0], x.Cohorts[1]
	note := fmt.Sprintf("external test cohort %s (%d individuals): %d sites matched on CHROM/POS/REF/ALT are fitted and evaluated; %d of the %d training sites that passed the filters are not in it (left out), %d of its %d sites are not among them",
		o.TestInput, test.NumSamples(), x.Common, tr.Dropped, tr.Sites, te.Dropped, te.Sites)
	if x.Matched() {
		note = fmt.Sprintf("external test cohort %s (%d individuals): all %d sites matched on CHROM/POS/REF/ALT", o.TestInput, test.NumSamples(), x.Common)
		log.Info(note)
	} else {
		log.Warn(note)
	}
	d.TestNotes = append(d.TestNotes, note)
	inTrain := make(map[string]bool, train.NumSamples())
	for _, s := range train.Samples {
		inTrain[s] = true
	}
	shared := 0
	for _, s := range test.Samples {
		if inTrain[s] {
			shared++
		}
	}
	if shared > 0 {
		w := fmt.Sprintf("%d of the %d test individuals have the ID of a training individual: if they are the same people, the privacy comparisons are not against non-members", shared, test.NumSamples())
		log.Warn(w)
		d.TestNotes = append(d.TestNotes, w)
	}
	if n := preprocess.ImputeMeanInPlace(cs[1]); n > 0 {
		log.Info("imputed missing genotypes of the external test cohort with its per-SNP mean dosage", "genotypes", n)
	}
	d.Train, d.Test, d.TestInput = cs[0], cs[1], o.TestInput
	return nil
}

// evalTest is the test cohort report.Evaluate compares with: nil when no
// individual was held out.
func (d *Data) evalTest() *vcf.Genotypes {
	if !d.HeldOut() {
		return nil
	}
	return d.Test
}

// splitDescription describes the split for the provenance table.
func (d *Data) splitDescription(o DataOptions) string {
	switch {
	case d.TestInput != "":
		return fmt.Sprintf("%d training individuals (all of the input); test cohort: %d individuals of the external file %s", d.Train.NumSamples(), d.Test.NumSamples(), d.TestInput)
	case !d.HeldOut():
		return fmt.Sprintf("%d training individuals (all of the input: test fraction 0); no held-out individuals to evaluate against", d.Train.NumSamples())
	}
	return fmt.Sprintf("%d training / %d test individuals (test fraction %g, stratified by population: %v)", d.Train.NumSamples(), d.Test.NumSamples(), o.TestFraction, d.Panel != nil)
}

// Sample lists of fit --write-split, inside the output directory. They
// hold REAL sample IDs, one whole ID per line and nothing else, so that
// bcftools -S and every --samples-file read them as they are; the marker
// is in the name because a header line would be read as an ID.
const (
	TrainSplitFile = "train.samples.real-ids.txt"
	TestSplitFile  = "test.samples.real-ids.txt"
)

// SplitFileNames are the files fit --write-split may write.
func SplitFileNames() []string { return []string{TrainSplitFile, TestSplitFile} }

// writeSplit stages the training sample list and, when individuals were
// held out of the input, the test sample list.
func (j *job) writeSplit() error {
	d := j.data
	write := func(name string, ids []string) error {
		j.log.Warn("writing REAL sample IDs (--write-split)", "file", name, "individuals", len(ids))
		return atomicfile.WriteFile(j.out.Path(name), []byte(strings.Join(ids, "\n")+"\n"))
	}
	if err := write(TrainSplitFile, d.Train.Samples); err != nil {
		return err
	}
	if d.TestInput == "" && d.HeldOut() {
		return write(TestSplitFile, d.Test.Samples)
	}
	j.log.Info("no test sample list written: no individual was held out of the input")
	return nil
}
