package app

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/gousynth/gousynth/internal/atomicfile"
	"github.com/gousynth/gousynth/internal/limits"
	"github.com/gousynth/gousynth/model"
	"github.com/gousynth/gousynth/preprocess"
	"github.com/gousynth/gousynth/vcf"
)

// GenerateConfig describes the drawing of a synthetic cohort from a model
// file (the generate command), single or windowed.
type GenerateConfig struct {
	// Model is the model file (model.gsy) written by a fit.
	Model string
	// Output is a .vcf.gz (indexed), a .bed (PLINK 1 fileset) or a stream
	// such as "-".
	Output string
	// N synthetic individuals; 0 means the model's training size, or with
	// counted populations the sum of their counts.
	N int
	// Population is the populations to draw (model.ParseRequests:
	// "EUR:500,AFR:200" or "EUR" with N), for a model fitted with a panel.
	Population string
	// Region, when set, writes only the model's sites in it (chr:start-end;
	// single models only).
	Region string
	Seed   uint64
	// Logger receives what was written (nil: slog.Default()).
	Logger *slog.Logger
}

// GenerateResult is what Generate wrote.
type GenerateResult struct {
	// N individuals over Sites sites; Windowed for a windowed model.
	N, Sites int
	Windowed bool
	// Panel is the population labels' file beside the output ("" when the
	// model has no labels or the output is a stream).
	Panel string
}

// Validate checks c before any work; its errors are usage errors
// (ErrUsage).
func (c GenerateConfig) Validate() error {
	_, _, err := c.parse()
	return err
}

// parse validates c and returns its population requests and region.
func (c GenerateConfig) parse() ([]model.Request, *vcf.Region, error) {
	if c.Output == "" {
		return nil, nil, usagef("generate: -o/--out is required")
	}
	if !atomicfile.IsStream(c.Output) && !strings.HasSuffix(c.Output, ".vcf.gz") && !vcf.IsPLINKOutput(c.Output) {
		return nil, nil, usagef("generate: output %q must end in .vcf.gz, or .bed for a PLINK fileset (or be - for standard output)", c.Output)
	}
	if c.N > limits.MaxIndividuals {
		return nil, nil, usagef("generate: -n must be at most %d synthetic individuals, got %d", limits.MaxIndividuals, c.N)
	}
	var reqs []model.Request
	if c.Population != "" {
		var err error
		if reqs, err = model.ParseRequests(c.Population); err != nil {
			return nil, nil, usagef("generate: --population: %v", err)
		}
		if model.Counted(reqs) && c.N != 0 {
			return nil, nil, usagef("generate: --population %s gives the counts; drop -n, or give names without counts", c.Population)
		}
	}
	if c.Region == "" {
		return reqs, nil, nil
	}
	r, err := vcf.ParseRegion(c.Region)
	if err != nil {
		return nil, nil, usagef("generate: --region: %v", err)
	}
	return reqs, &r, nil
}

// Generate draws a synthetic cohort from the model file c.Model into
// c.Output, with the population labels beside it (PanelPath) for a model
// fitted with a panel. Individuals are drawn in chunks (a windowed model
// one window at a time), so memory does not grow with N; the same model, N
// and Seed give the same bytes. Nothing is left behind on an error.
func Generate(ctx context.Context, c GenerateConfig) (*GenerateResult, error) {
	reqs, reg, err := c.parse()
	if err != nil {
		return nil, err
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	if IsWindowedModel(c.Model) {
		return c.generateWindowed(ctx, reqs)
	}
	m, err := model.Load(c.Model)
	if err != nil {
		return nil, err
	}
	var keep []int
	if reg != nil {
		if keep = preprocess.SiteIndices(m.Sites, reg.Contains); len(keep) == 0 {
			return nil, fmt.Errorf("generate: model %s holds no sites in region %s: it was fitted on %d sites, %s", c.Model, c.Region, len(m.Sites), siteSpan(m.Sites))
		}
	}
	n, err := c.cohortSize(reqs, m.TrainN)
	if err != nil {
		return nil, err
	}
	c.warnLargeCohort(n, m.TrainN)
	cohort, err := m.Cohort(reqs, n)
	if err != nil {
		return nil, fmt.Errorf("generate: %s: %w", c.Model, err)
	}
	if cohort != nil {
		n = len(cohort)
	}
	start := time.Now()
	// Chunk by chunk of individuals: memory bounded independently of n.
	h := vcf.Header{CommandLine: c.commandLine(n), ExtraLines: []string{PhaseLine}}
	if err := GenerateModelCohort(ctx, m, n, cohort, c.Seed, c.Output, h, keep); err != nil {
		return nil, err
	}
	res := &GenerateResult{N: n, Sites: len(m.Sites)}
	if res.Panel, err = c.writeCohortPanel(m.Labels, cohort); err != nil {
		return nil, err
	}
	if keep != nil {
		res.Sites = len(keep)
	}
	if keep == nil && !vcf.IsPLINKOutput(c.Output) {
		NoteIndex(c.Logger, c.Output, m.Sites)
	}
	c.Logger.Info("generated", "individuals", n, "snps", res.Sites, "output", c.Output, "seconds", time.Since(start).Seconds())
	return res, nil
}

// generateWindowed draws the cohort from a windowed (whole-chromosome)
// model file, one window model in memory at a time.
func (c GenerateConfig) generateWindowed(ctx context.Context, reqs []model.Request) (*GenerateResult, error) {
	if c.Region != "" {
		return nil, usagef("generate: --region is not supported for windowed (whole-chromosome) models; select sites from the output with bcftools view -r")
	}
	m, err := OpenWindowedModel(c.Model)
	if err != nil {
		return nil, err
	}
	defer m.Close()
	n, err := c.cohortSize(reqs, m.NumTrain())
	if err != nil {
		return nil, err
	}
	c.warnLargeCohort(n, m.NumTrain())
	start := time.Now()
	labels, cohort, err := m.Generate(ctx, reqs, n, c.Seed, c.Output, c.commandLine(n))
	if err != nil {
		return nil, err
	}
	res := &GenerateResult{N: n, Sites: m.NumSites(), Windowed: true}
	if res.Panel, err = c.writeCohortPanel(labels, cohort); err != nil {
		return nil, err
	}
	c.Logger.Info("generated", "individuals", n, "snps", res.Sites, "output", c.Output, "windowed", true, "seconds", time.Since(start).Seconds())
	return res, nil
}

// cohortSize is the size of the cohort: the sum of the counts of counted
// requests, else N (0: the model's training size trainN).
func (c GenerateConfig) cohortSize(reqs []model.Request, trainN int) (int, error) {
	n := c.N
	if n == 0 {
		n = trainN
	}
	if n < 1 {
		return 0, usagef("generate: -n must be at least 1, got %d", n)
	}
	if !model.Counted(reqs) {
		return n, nil
	}
	s := 0
	for _, r := range reqs {
		s += r.N
	}
	return s, nil
}

// warnLargeCohort warns when the cohort is larger than the model's
// training set: the more synthetic individuals an attacker holds, the
// nearer some fall to each member (one windowed model of 245 people ×
// 5000 SNPs: nearest-distance membership AUC 0.60 for 350 synthetic
// individuals, 0.64 for 3500; docs/privacy.md), so what was audited at the
// training size says less about a larger cohort.
func (c GenerateConfig) warnLargeCohort(n, trainN int) {
	if n > trainN {
		c.Logger.Warn(fmt.Sprintf("%d synthetic individuals from a model of %d training individuals: membership attacks grow with the cohort's size (docs/privacy.md); run gousynth audit on the cohort you release", n, trainN))
	}
}

// commandLine is the command line recorded in the output's header, with
// the cohort size and seed written out even when they were defaults.
func (c GenerateConfig) commandLine(n int) string {
	cl := fmt.Sprintf("gousynth generate %s -n %d --seed %d", c.Model, n, c.Seed)
	if c.Region != "" {
		cl += " --region " + c.Region
	}
	if c.Population != "" {
		cl += " --population " + c.Population
	}
	return cl
}

// writeCohortPanel writes the labels of a labelled cohort to the panel
// file beside the output and returns its path (nothing for an unlabelled
// model; a warning for a stream, which has no place beside it).
func (c GenerateConfig) writeCohortPanel(labels []model.Label, cohort []int) (string, error) {
	if cohort == nil {
		return "", nil
	}
	if atomicfile.IsStream(c.Output) {
		c.Logger.Warn("the synthetic individuals' population labels are not written: the VCF goes to standard output, which has no place beside it for OUT.panel")
		return "", nil
	}
	path := PanelPath(c.Output)
	if err := WriteSynthPanel(path, labels, cohort); err != nil {
		return "", err
	}
	c.Logger.Info("wrote population labels", "panel", path)
	return path, nil
}

// siteSpan describes where sites lie: "1:11700010-11799000", one span per contig.
func siteSpan(sites []vcf.Site) string {
	var parts []string
	for i := 0; i < len(sites); {
		j := i
		for j+1 < len(sites) && sites[j+1].Chrom == sites[i].Chrom {
			j++
		}
		parts = append(parts, fmt.Sprintf("%s:%d-%d", sites[i].Chrom, sites[i].Pos, sites[j].Pos))
		i = j + 1
	}
	if len(parts) > 5 {
		parts = append(parts[:5], fmt.Sprintf("and %d more contigs", len(parts)-5))
	}
	return strings.Join(parts, ", ")
}
