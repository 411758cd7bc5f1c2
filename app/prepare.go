package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"strings"

	"github.com/gousynth/gousynth/preprocess"
	"github.com/gousynth/gousynth/vcf"
	"gonum.org/v1/gonum/mat"
)

// DefaultMaxSNPs is the default SNP budget of one model: the GOU paper fits
// 2000 SNPs, and on 2 cores a fit of that size takes a few minutes.
const DefaultMaxSNPs = 2000

// ErrBadOption marks an invalid pipeline option.
var ErrBadOption = errors.New("invalid option")

// DataOptions say which data a job fits and how it is split.
type DataOptions struct {
	Input string // VCF path (plain or bgzipped)
	// Inputs, when set, select genome mode (see genome.go): these inputs
	// (one or more chromosomes each) of the same individuals are read with
	// the same filters into one windowed fit, with one ancestry latent per
	// synthetic individual across all of them; Input is then ignored.
	Inputs []string
	Read   vcf.ReadOptions // region, samples, threads
	Filter preprocess.FilterOptions
	// MaxSNPs is the SNP budget: when more sites pass the filters, the job
	// fits the first MaxSNPs consecutive sites and says so. 0 means
	// DefaultMaxSNPs, or with Windows auto the number of training
	// individuals when fewer (Data.WindowCap); a negative value means no
	// limit.
	MaxSNPs int
	// PanelPath names a 1000 Genomes-style panel (sample pop super_pop
	// gender); when given, the split is stratified by population and the
	// report colours individuals by population.
	PanelPath string
	// TestFraction of the individuals is held out as the real test set; 0
	// trains on every individual (the evaluation then has no held-out
	// individuals, unless TestInput names an external test cohort).
	TestFraction float64
	// TestInput, when set, names an external test cohort (VCF) that takes
	// the held-out individuals' place: TestFraction must be 0, and the job
	// fits and evaluates on the sites both files hold (see
	// readExternalTest).
	TestInput string
	// Seed drives the split (the model and generation seeds derive from it).
	Seed uint64
	// Windows is what happens beyond MaxSNPs: "off" or "" fits the first
	// MaxSNPs consecutive sites (the old behaviour), "auto" keeps every site
	// and marks the data for a windowed fit (see FitWindowed).
	Windows string
	// KeepPhase keeps the training individuals' phase (one bit per
	// genotype, vcf.Genotypes.PhaseBits) when every site is phased, for
	// haplotype window models (chrom.ResidHaplotype).
	KeepPhase bool
}

// Data is a prepared job: filtered, split and imputed genotypes.
type Data struct {
	Input     string
	ReadStats *vcf.ReadStats
	Log       *preprocess.Log
	Panel     *preprocess.Panel
	// NumInput is the number of individuals in the input (after sample
	// selection), the default size of a synthetic cohort.
	NumInput int
	// Train and Test hold the training and held-out individuals over the same
	// sites, missing calls imputed (see preprocess.ImputeMean).
	Train, Test *vcf.Genotypes
	// TrainMatrix is Train as an individuals × SNPs float matrix.
	TrainMatrix *mat.Dense
	// Notes are things the user must know about the data the job used.
	Notes []string
	// TestInput is the external test cohort's file ("" when the test set
	// is held out from the input); TestNotes say how its sites matched.
	TestInput string
	TestNotes []string
	// Windowed is set when more sites than the budget passed the filters
	// and DataOptions.Windows is "auto": every site is kept, and
	// TrainMatrix is nil (a windowed fit reads Train window by window).
	Windowed bool
	// WindowCap, when positive, is the most SNPs one model may have, and
	// the most a window may have as its target size (CutWindows takes 3/4
	// to 5/4 of it), because the training individuals are that few: the
	// SNP budget was left at its default (DataOptions.MaxSNPs 0) with
	// windows auto, and fewer individuals than DefaultMaxSNPs train. A model
	// of more SNPs than training individuals reproduces them
	// (docs/privacy.md, "One model per no more SNPs than people").
	WindowCap int
	// Contigs are the contigs the input's header declares (##contig lines,
	// with their attributes), and Reference its ##reference line (or ""):
	// the synthetic VCF keeps them.
	Contigs   []vcf.Contig
	Reference string
	// Inputs are the inputs of genome mode (DataOptions.Inputs), nil
	// otherwise; Input is then their names joined by spaces.
	Inputs []string
}

// Prepare reads, filters, limits, splits and imputes the input. It holds
// about one byte per kept genotype: the filters run while reading
// (preprocess.StreamFilter; --mind from a first pass that holds nothing),
// the split is decided from the sample IDs before the sites stream in, and
// each kept site goes straight into the training and test matrices, with
// no haplotypes (nothing downstream uses them) and no copies. Beyond the
// budget with windows off, sites past the first MaxSNPs are counted, not
// stored.
func Prepare(ctx context.Context, o DataOptions, log *slog.Logger) (*Data, error) {
	if len(o.Inputs) > 0 {
		return prepareGenome(ctx, o, log)
	}
	if err := checkTestFraction(o.TestFraction); err != nil {
		return nil, err
	}
	if o.TestInput != "" && o.TestFraction != 0 {
		return nil, fmt.Errorf("%w: an external test cohort (%s) replaces the held-out individuals: the test fraction must be 0, got %g", ErrBadOption, o.TestInput, o.TestFraction)
	}
	d := &Data{Input: o.Input}
	var err error
	if d.Panel, err = readPanel(o.PanelPath); err != nil {
		return nil, err
	}
	budget, limit, err := snpBudget(o)
	if err != nil {
		return nil, err
	}
	log.Info("reading", "file", o.Input, "region", o.Read.Region)
	startPhase(ctx, "read")
	sf, r, samples, err := openInput(ctx, o.Input, o)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	d.Contigs, d.Reference = r.Contigs(), referenceLine(r)
	// The split depends on the sample IDs only: split while reading, so
	// that each kept genotype is stored once, in the training or the test
	// matrix (see splitReader).
	train, test, splitErr := splitSamples(samples, o.TestFraction, o.Seed, d.Panel)
	if splitErr == nil {
		if d.WindowCap = windowCap(o, len(train)); d.WindowCap > 0 {
			budget = d.WindowCap
		}
	}
	sp := &splitReader{limit: limit, train: train, test: test, phase: o.KeepPhase}
	if splitErr != nil {
		sp.train, sp.test = nil, nil
	}
	if err := r.Scan(sp.add); err != nil {
		return nil, err
	}
	r.Close()
	stats := r.Stats()
	d.ReadStats = stats
	log.Info("read", "samples", len(samples), "sites", stats.Kept, "filtered", stats.Filtered, "records", stats.Records, "skipped", formatCounts(stats.Skipped))
	if err := checkVariants(ctx, o.Input, o.Read.Region, stats); err != nil {
		return nil, err
	}
	if d.Log, d.NumInput, err = filterLog(sf, o.Input, len(samples)); err != nil {
		return nil, err
	}
	if stats.Kept < 2 {
		return nil, fmt.Errorf("%s: %d SNP passed the filters; a model needs at least 2 SNPs (widen --region or relax --maf, --geno, --hwe)", o.Input, stats.Kept)
	}
	d.applyBudget(log, budget, stats.Kept, sp.sites, o.Windows == WindowsAuto)
	logFilterSteps(log, d.Log)
	if splitErr != nil {
		return nil, splitErr
	}
	if err := checkSplitSize(train, test, len(samples), o.TestFraction); err != nil {
		return nil, err
	}
	d.Train, d.Test = sp.imputed(samples, log)
	if o.TestInput != "" {
		if err := d.readExternalTest(ctx, o, log); err != nil {
			return nil, err
		}
	}
	if !d.Windowed {
		d.TrainMatrix = preprocess.Matrix(d.Train)
	}
	log.Info("split", "train", d.Train.NumSamples(), "test", d.Test.NumSamples(), "snps", d.Train.NumSites(), "stratified", d.Panel != nil && o.TestFraction > 0, "external test", o.TestInput)
	return d, nil
}

// The steps of Prepare that prepareGenome (genome mode) takes too, for
// each of its inputs.

// checkTestFraction refuses a test fraction outside [0, 1).
func checkTestFraction(f float64) error {
	if f < 0 || f >= 1 {
		return fmt.Errorf("%w: test fraction must be in [0, 1), got %g", ErrBadOption, f)
	}
	return nil
}

// readPanel reads the panel at path, or returns nil when path is "".
func readPanel(path string) (*preprocess.Panel, error) {
	if path == "" {
		return nil, nil
	}
	return preprocess.ReadPanel(path)
}

// openInput opens input in with o's filters applied while reading
// (preprocess.StreamFilter) and returns the filter, the reader and its
// samples; the caller closes the reader.
func openInput(ctx context.Context, in string, o DataOptions) (*preprocess.StreamFilter, *vcf.Reader, []string, error) {
	sf, ro, err := preprocess.NewStreamFilter(in, o.Read, o.Filter)
	if err != nil {
		if errors.Is(err, preprocess.ErrNothingLeft) || errors.Is(err, preprocess.ErrBadOption) {
			return nil, nil, nil, fmt.Errorf("%s: %w", in, err)
		}
		return nil, nil, nil, err
	}
	// Only haplotype window models (chrom.ResidHaplotype) use the phase:
	// splitReader then stores the training individuals' as one bit per
	// genotype.
	ro.DosageOnly = !o.KeepPhase
	r, err := vcf.OpenContext(ctx, in, ro)
	if err != nil {
		return nil, nil, nil, err
	}
	samples := r.Samples()
	if len(samples) == 0 {
		r.Close()
		return nil, nil, nil, fmt.Errorf("%s: the file has no samples", in)
	}
	return sf, r, samples, nil
}

// referenceLine is the ##reference line of r's header, or "".
func referenceLine(r *vcf.Reader) string {
	for _, l := range r.HeaderLines() {
		if strings.HasPrefix(l, "##reference=") {
			return l
		}
	}
	return ""
}

// checkVariants refuses an input of which no variant was read (after a
// cancelled read, the context's error).
func checkVariants(ctx context.Context, in, region string, stats *vcf.ReadStats) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if stats.Kept+stats.Filtered == 0 {
		if region != "" {
			return fmt.Errorf("%s: no variants in region %s", in, region)
		}
		return fmt.Errorf("%s: no usable variants", in)
	}
	return nil
}

// filterLog returns the filter steps of input in, read with sf, and its
// number of individuals before --mind dropped any.
func filterLog(sf *preprocess.StreamFilter, in string, nSamples int) (*preprocess.Log, int, error) {
	lg, err := sf.Log(nSamples)
	if err != nil {
		return nil, 0, fmt.Errorf("%s: %w", in, err)
	}
	for _, st := range lg.Steps {
		if st.Name == "--mind" {
			nSamples += st.Removed
		}
	}
	return lg, nSamples, nil
}

// logFilterSteps copies the filter steps to the job's log (preprocess
// logs them at Info already; this copy is for run.log).
func logFilterSteps(log *slog.Logger, lg *preprocess.Log) {
	for _, line := range strings.Split(strings.TrimSpace(lg.String()), "\n") {
		if line != "" {
			log.Debug("filter", "step", line)
		}
	}
}

// checkSplitSize refuses a split of n individuals that leaves fewer than 2
// training individuals, or fewer than 2 test individuals when some are
// held out.
func checkSplitSize(train, test []int, n int, testFraction float64) error {
	if len(train) < 2 || (len(test) < 2 && testFraction > 0) {
		return fmt.Errorf("%w: %d individuals are too few to split into training and test sets (test fraction %g)", ErrBadOption, n, testFraction)
	}
	return nil
}

// snpBudget checks o.Windows and returns the SNP budget of one model (0:
// none) and how many sites the reader stores (limit; 0: all): with windows
// off, the sites past the first budget are counted, not stored.
func snpBudget(o DataOptions) (budget, limit int, err error) {
	switch o.Windows {
	case "", WindowsOff, WindowsAuto:
	default:
		return 0, 0, fmt.Errorf("%w: --windows must be auto or off, got %q", ErrBadOption, o.Windows)
	}
	budget = o.MaxSNPs
	if budget == 0 {
		budget = DefaultMaxSNPs
	}
	if budget > 0 && o.Windows != WindowsAuto {
		limit = budget
	}
	return budget, limit, nil
}

// windowCap returns the SNP budget that nTrain training individuals allow
// one model when o leaves the budget at its default (MaxSNPs 0) and windows
// are auto: nTrain (at least 10), when below DefaultMaxSNPs; 0 otherwise.
// On panels of more SNPs than training individuals, one model's synthetic
// cohort and model file give members away (membership-inference AUC 0.613
// on a 1000-SNP panel of 514 training individuals), and windows of about
// as many SNPs as individuals do not (0.548; docs/privacy.md).
func windowCap(o DataOptions, nTrain int) int {
	if o.MaxSNPs != 0 || o.Windows != WindowsAuto || nTrain >= DefaultMaxSNPs {
		return 0
	}
	return max(minWindowCap, nTrain)
}

// minWindowCap is the least window size windowCap gives (the least
// --window-snps).
const minWindowCap = 10

// applyBudget says what happens when nSites passed the filters, more than
// the budget: with windowed, every site is kept for a windowed fit;
// otherwise the first budget sites are fitted (sites holds only those: the
// reader stored no more) and the filter log gets the step
// preprocess.SelectSNPs would have logged.
func (d *Data) applyBudget(log *slog.Logger, budget, nSites int, sites []vcf.Site, windowed bool) {
	if budget <= 0 || nSites <= budget {
		return
	}
	if windowed {
		first, last := sites[0], sites[nSites-1]
		note := fmt.Sprintf("%d SNPs passed the filters, more than the budget of %d of one model: fitting all of them (%s:%d-%d) with windowed models (--windows off fits the first %d instead)",
			nSites, budget, first.Chrom, first.Pos, last.Pos, budget)
		if d.WindowCap > 0 {
			note = fmt.Sprintf("%d SNPs passed the filters, more than the %d training individuals: fitting all of them (%s:%d-%d) with windowed models of about %d SNPs, since one model of more SNPs than people gives its training individuals away (docs/privacy.md); --max-snps sets the budget of one model",
				nSites, budget, first.Chrom, first.Pos, last.Pos, budget)
		}
		log.Warn(note)
		d.Notes = append(d.Notes, note)
		d.Windowed = true
		return
	}
	first, last := sites[0], sites[budget-1]
	note := fmt.Sprintf("%d SNPs passed the filters, more than the budget of %d: fitting the first %d consecutive SNPs (%s:%d-%d); choose another stretch with --region, or raise --max-snps",
		nSites, budget, budget, first.Chrom, first.Pos, last.Pos)
	log.Warn(note)
	d.Notes = append(d.Notes, note)
	step := preprocess.Step{Name: "--window", Unit: "variants", Removed: nSites - budget, Remaining: budget,
		Reason: fmt.Sprintf("lying outside sites %d..%d", 0, budget-1)}
	slog.Info("preprocess", "step", step.Name, "removed", step.Removed, "remaining", step.Remaining, "unit", step.Unit, "reason", step.Reason)
	d.Log.Steps = append(d.Log.Steps, step)
}

// splitReader stores the sites a reader streams straight into the training
// and the test matrices, so that each kept genotype is held once (no
// whole-input matrix, no filtered or split copy): with the filters applied
// by the reader, the data of a job take about one byte per kept genotype.
type splitReader struct {
	limit        int   // store at most this many sites (0: all)
	train, test  []int // sample indices; nil: count only
	sites        []vcf.Site
	trDos, teDos []int8
	// phase: every site so far was phased, and trPhase holds the
	// training individuals' phase bits (vcf.Genotypes.PhaseBits); the
	// first unphased site drops them.
	phase   bool
	trPhase []byte
}

// add is the vcf.Reader.Scan callback.
func (sp *splitReader) add(rec vcf.Record, hint int) error {
	s, dos, haps := rec.Site, rec.Dosage, rec.Haplotypes
	if sp.limit > 0 && len(sp.sites) >= sp.limit {
		return nil
	}
	if len(sp.sites) == cap(sp.sites) {
		// Reserve the estimated final size: the memory is touched only as
		// it fills, and each genotype is copied once.
		n := max(hint, 2*len(sp.sites)+64)
		if sp.limit > 0 {
			n = min(n, sp.limit)
		}
		sp.sites = reserve(sp.sites, n)
		if sp.train != nil {
			sp.trDos = reserve(sp.trDos, n*len(sp.train))
			sp.teDos = reserve(sp.teDos, n*len(sp.test))
			if sp.phase {
				sp.trPhase = reserve(sp.trPhase, n*((len(sp.train)+7)/8))
			}
		}
	}
	if sp.phase && haps == nil {
		sp.phase, sp.trPhase = false, nil
	}
	if sp.phase && sp.train != nil {
		var b byte
		for k, i := range sp.train {
			b |= byte(haps[2*i]&1) << (k % 8)
			if k%8 == 7 || k == len(sp.train)-1 {
				sp.trPhase = append(sp.trPhase, b)
				b = 0
			}
		}
	}
	sp.sites = append(sp.sites, s)
	for _, i := range sp.train {
		sp.trDos = append(sp.trDos, dos[i])
	}
	for _, i := range sp.test {
		sp.teDos = append(sp.teDos, dos[i])
	}
	return nil
}

// genotypes returns the training and test matrices (they share Sites).
func (sp *splitReader) genotypes(samples []string) (train, test *vcf.Genotypes) {
	ids := func(idx []int) []string {
		out := make([]string, len(idx))
		for i, j := range idx {
			out[i] = samples[j]
		}
		return out
	}
	train = &vcf.Genotypes{Sites: sp.sites, Samples: ids(sp.train), Dosage: sp.trDos}
	if sp.phase && len(sp.sites) > 0 {
		train.PhaseBits = sp.trPhase
	}
	test = &vcf.Genotypes{Sites: sp.sites, Samples: ids(sp.test), Dosage: sp.teDos}
	return train, test
}

// imputed returns the training and test matrices (genotypes) with their
// missing calls imputed by the per-SNP mean dosage, and logs how many.
func (sp *splitReader) imputed(samples []string, log *slog.Logger) (train, test *vcf.Genotypes) {
	train, test = sp.genotypes(samples)
	nTrain, nTest := preprocess.ImputeMeanInPlace(train), preprocess.ImputeMeanInPlace(test)
	if nTrain+nTest > 0 {
		log.Info("imputed missing genotypes with the per-SNP mean dosage", "train", nTrain, "test", nTest)
	}
	return train, test
}

// reserve returns s with capacity at least n, without writing the new
// capacity (fresh pages cost no memory until they are filled).
func reserve[T any](s []T, n int) []T {
	if cap(s) >= n {
		return s
	}
	ns := make([]T, len(s), n)
	copy(ns, s)
	return ns
}

// formatCounts prints a reason → count map in a stable order.
func formatCounts(m map[string]int) string {
	if len(m) == 0 {
		return "none"
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	for i, k := range keys {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "%s=%d", k, m[k])
	}
	return b.String()
}

// populations maps the test individuals to their super-population (or
// population) for colouring the report.
func (d *Data) populations() map[string]string {
	if d.Panel == nil {
		return nil
	}
	out := make(map[string]string, d.Test.NumSamples())
	for _, s := range d.Test.Samples {
		if e, ok := d.Panel.Lookup(s); ok {
			out[s] = e.SuperPop
			if out[s] == "" {
				out[s] = e.Pop
			}
		}
	}
	return out
}
