package app

import (
	"context"
	"fmt"
	"log/slog"
	"math"

	"github.com/gousynth/gousynth/chrom"
	"github.com/gousynth/gousynth/internal/limits"
	"github.com/gousynth/gousynth/model"
	"github.com/gousynth/gousynth/report"
	"github.com/gousynth/gousynth/vcf"
)

// AuditConfig is the job of Audit: the privacy audit of a synthetic cohort
// against the real individuals it was trained on.
type AuditConfig struct {
	// Train, Synth and Test are the VCFs of the training individuals, the
	// synthetic cohort and the held-out real individuals (never trained
	// on; "" for none), read with TrainRead, SynthRead and TestRead (the
	// individuals selected, the region, the threads).
	Train, Synth, Test             string
	TrainRead, SynthRead, TestRead vcf.ReadOptions
	// Reference is the VCF of a sample of the population that is neither
	// trained on nor held out (a public panel; "" for none), read with
	// ReferenceRead: the allele-frequency attack's reference frequencies
	// (report.AuditOptions.Reference).
	Reference     string
	ReferenceRead vcf.ReadOptions
	// Model is the model file the synthetic cohort came from, a single
	// model or a windowed one ("" for none): with Test its membership
	// probe and model-density attack are run too.
	Model string
	// Seed drives the audit's random subsets; FloorSize is
	// report.AuditOptions.FloorSize (0: the default).
	Seed      uint64
	FloorSize int
}

// Validate reports a configuration Audit cannot run, as an error wrapping
// ErrUsage: the training and synthetic cohorts are required and FloorSize
// must lie in [0, limits.MaxIndividuals].
func (c *AuditConfig) Validate() error {
	if c.Train == "" || c.Synth == "" {
		return fmt.Errorf("%w: audit needs --train and --synth", ErrUsage)
	}
	if c.Reference != "" && c.Test == "" {
		return fmt.Errorf("%w: --reference is the allele-frequency attack's, which needs held-out individuals (--test)", ErrUsage)
	}
	switch {
	case c.FloorSize < 0:
		return fmt.Errorf("%w: --floor-size must be at least %d, got %d", ErrUsage, 0, c.FloorSize)
	case c.FloorSize > limits.MaxIndividuals:
		return fmt.Errorf("%w: --floor-size must be at most %d, got %d", ErrUsage, limits.MaxIndividuals, c.FloorSize)
	}
	return nil
}

// Audit reads the cohorts, compares them on the sites they all hold
// (matched on CHROM/POS/REF/ALT; a warning says how many each lacked, and
// so does a note of the audit), builds the model file's membership scores
// when there is one and runs report.RunAudit. Its phases ("read", "audit")
// go to ctx's progress callback (WithProgress).
func Audit(ctx context.Context, c AuditConfig) (*report.Audit, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	startPhase(ctx, "read")
	train, synth, test, err := readAuditCohorts(ctx, &c)
	if err != nil {
		return nil, err
	}
	var reference *vcf.Genotypes
	if c.Reference != "" {
		if reference, err = readCohort(ctx, slog.Default(), c.Reference, c.ReferenceRead); err != nil {
			return nil, err
		}
		if err := disjointSamples(reference, "--reference "+c.Reference, []*vcf.Genotypes{train, test}, []string{"--train " + c.Train, "--test " + c.Test}); err != nil {
			return nil, err
		}
	}
	// The cohorts are compared on the sites they all hold (a synthetic
	// cohort usually holds only the sites that passed the fit's filters).
	cs, isect, err := report.IntersectSites([]*vcf.Genotypes{synth, train, test, reference}, []string{"--synth " + c.Synth, "--train " + c.Train, "--test " + c.Test, "--reference " + c.Reference})
	if err != nil {
		return nil, err
	}
	if c.Model != "" && cs[0].NumSites() < synth.NumSites() {
		return nil, fmt.Errorf("audit: --model probes every site of the model, but %d of the synthetic cohort's %d sites are missing from the real cohorts (%s)", synth.NumSites()-cs[0].NumSites(), synth.NumSites(), isect)
	}
	synth, train, test = cs[0], cs[1], cs[2]
	if !isect.Matched() {
		slog.Warn("audit: cohorts hold different sites: " + isect.String())
	}
	opts := report.AuditOptions{Seed: c.Seed, FloorSize: c.FloorSize, Reference: cs[3]}
	if c.Model != "" {
		if opts.ModelProbe, opts.ModelDensity, err = modelScores(c.Model, synth, c.Synth); err != nil {
			return nil, err
		}
	}
	startPhase(ctx, "audit")
	a, err := report.RunAudit(train, synth, test, opts)
	if err != nil {
		return nil, err
	}
	if !isect.Matched() {
		a.Notes = append(a.Notes, isect.String())
	}
	return a, nil
}

// disjointSamples reports, as an error wrapping ErrUsage, a sample ID of
// ref (named refName) that one of the cohorts also holds: the reference of
// the allele-frequency attack must be people neither trained on nor held
// out, or the attack measures nothing.
func disjointSamples(ref *vcf.Genotypes, refName string, cohorts []*vcf.Genotypes, names []string) error {
	ids := make(map[string]bool, ref.NumSamples())
	for _, s := range ref.Samples {
		ids[s] = true
	}
	for c, g := range cohorts {
		if g == nil {
			continue
		}
		for _, s := range g.Samples {
			if ids[s] {
				return fmt.Errorf("%w: %s holds sample %q of %s: the reference must be people neither trained on nor held out", ErrUsage, refName, s, names[c])
			}
		}
	}
	return nil
}

// readAuditCohorts reads the training, synthetic and held-out cohorts (nil
// test when c.Test is "").
func readAuditCohorts(ctx context.Context, c *AuditConfig) (train, synth, test *vcf.Genotypes, err error) {
	read := func(path string, ro vcf.ReadOptions) (*vcf.Genotypes, error) {
		return readCohort(ctx, slog.Default(), path, ro)
	}
	if train, err = read(c.Train, c.TrainRead); err != nil {
		return nil, nil, nil, err
	}
	if synth, err = read(c.Synth, c.SynthRead); err != nil {
		return nil, nil, nil, err
	}
	if test, err = read(c.Test, c.TestRead); err != nil {
		return nil, nil, nil, err
	}
	return train, synth, test, nil
}

// modelScores opens the model file at path and returns its two membership
// scores of one real individual's dosage vector (NaN where missing): the
// model-file probe (lower: more likely a member) and the likelihood-ratio
// score of the model's own density (higher: more likely a member). The
// model must hold the synthetic cohort's sites.
func modelScores(path string, synth *vcf.Genotypes, synthPath string) (probe, density func([]float64) float64, err error) {
	if IsWindowedModel(path) {
		return windowedModelScores(path, synth, synthPath)
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
	// The subspace probe (model.Basis.OutsideSpan), missing calls at the
	// model's mean dosage.
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

// windowedModelScores is modelScores for a windowed model file: the
// scores of chrom.MembershipProbe, each summed over the windows. A vector
// of the wrong length (which SameSites rules out) scores NaN.
func windowedModelScores(path string, synth *vcf.Genotypes, synthPath string) (probe, density func([]float64) float64, err error) {
	fr, err := chrom.OpenFile(path)
	if err != nil {
		return nil, nil, err
	}
	defer fr.Close()
	if err := report.SameSites(&vcf.Genotypes{Sites: fr.Header().Sites}, synth, "model "+path, synthPath); err != nil {
		return nil, nil, err
	}
	p, err := chrom.NewMembershipProbe(fr)
	if err != nil {
		return nil, nil, fmt.Errorf("--model %s: %w", path, err)
	}
	orNaN := func(score func([]float64) (float64, error)) func([]float64) float64 {
		return func(x []float64) float64 {
			v, err := score(x)
			if err != nil {
				return math.NaN()
			}
			return v
		}
	}
	return orNaN(p.Probe), orNaN(p.Density), nil
}
