package chrom

import (
	"context"
	"fmt"
	"math/rand/v2"
	"runtime"
	"sync"

	"github.com/gousynth/gousynth/ld"
	"github.com/gousynth/gousynth/model"
	"github.com/gousynth/gousynth/vcf"
	"gonum.org/v1/gonum/mat"
)

// Options control a windowed fit. Zero fields take the defaults below.
type Options struct {
	// WindowSNPs is the target number of sites a window writes (its core).
	WindowSNPs int
	// OverlapSNPs is the number of sites each window shares with the
	// previous window's output (at most half the previous core).
	OverlapSNPs int
	// CrossingHalfWindow is w of ld.CrossingScores, which places the cuts.
	CrossingHalfWindow int
	// UniformCuts cuts every WindowSNPs sites regardless of LD (for
	// measuring what LD-guided cuts and overlap matching bring).
	UniformCuts bool
	// PCs is the most whole-chromosome principal components of the
	// ancestry latent (the leading ones that replicate between the two
	// halves of the sites are kept, none when none does: ReplicatedAxes;
	// exactly PCs with FixedPCs); AncestryComponents the most mixture components
	// that generate it (each of at least MinClusterSize training
	// individuals).
	PCs, AncestryComponents, MinClusterSize int
	// FixedPCs keeps PCs components whether or not they replicate.
	FixedPCs bool
	// Oversample is the number of candidates drawn per synthetic
	// individual in every window (≥ 1) by the conditionings that select
	// candidates (all but CondRegress and CondNone).
	Oversample float64
	// Conditioning is CondChain (the default), CondRegress, CondRegressMatch,
	// CondMatch, CondAncestry or CondNone.
	Conditioning Conditioning
	// Residual is the space of the regression conditionings' residual
	// models: ResidLatent (the default), ResidHaplotype (phased input) or
	// ResidDosage.
	Residual ResidualKind
	// AncestryWeight weighs the ancestry χ² against the overlap distance in
	// the matching cost (0: DefaultAncestryWeight).
	AncestryWeight float64
	// Model is the configuration of every window's model (Seed is set per
	// window from Seed).
	Model model.Config
	// Workers is the number of windows fitted at once (default GOMAXPROCS).
	Workers int
	// Seed drives the plan, the ancestry latent, the models and the matching.
	Seed uint64
}

// Defaults of Options, chosen by measurement on simulated 1kg-like panels
// (see doc.go).
const (
	DefaultWindowSNPs         = 1000
	DefaultOverlapSNPs        = 128
	DefaultCrossingHalfWindow = 50
	DefaultPCs                = 6
	DefaultAncestryComponents = 8
	DefaultMinClusterSize     = 20
	DefaultOversample         = 1.5
)

// WindowModelConfig returns the per-window model settings derived from base:
// a smaller network (32 network-modelled eigen-directions, hidden width 128)
// and far fewer training and sampler steps (300, 20) than a single
// whole-region fit, since a chromosome has about a hundred windows, the
// exact Gaussian score already carries each window's LD and the ancestry
// comes from the assembler's latent. About 10 s of CPU per 1000-SNP window
// of 1750 individuals on the reference machine.
func WindowModelConfig(base model.Config) model.Config {
	c := base
	c.Steps, c.NetDims, c.Hidden, c.SamplerSteps, c.CalibrationSize = 300, 32, 128, 20, 1000
	return c
}

func (o Options) withDefaults() Options {
	if o.WindowSNPs == 0 {
		o.WindowSNPs = DefaultWindowSNPs
	}
	if o.Conditioning == "" {
		o.Conditioning = CondChain
	}
	// Only the conditionings that match candidates on the overlap use it:
	// with CondRegress an overlap would be fitted and thrown away.
	if o.OverlapSNPs == 0 && o.Conditioning != CondRegress {
		o.OverlapSNPs = DefaultOverlapSNPs
	}
	if o.CrossingHalfWindow == 0 {
		o.CrossingHalfWindow = DefaultCrossingHalfWindow
	}
	if o.PCs == 0 {
		o.PCs = DefaultPCs
	}
	if o.AncestryComponents == 0 {
		o.AncestryComponents = DefaultAncestryComponents
	}
	if o.MinClusterSize == 0 {
		o.MinClusterSize = DefaultMinClusterSize
	}
	if o.Oversample == 0 {
		o.Oversample = DefaultOversample
	}
	if o.Conditioning == "" {
		o.Conditioning = CondChain
	}
	if o.Residual == "" {
		o.Residual = ResidLatent
	}
	if o.Workers <= 0 {
		o.Workers = runtime.GOMAXPROCS(0)
	}
	if o.Model.Process == "" {
		o.Model = WindowModelConfig(model.DefaultConfig("gou"))
	}
	return o
}

// Plan is the whole-chromosome part of a windowed fit: the windows, the
// global PCA of the training individuals and the synthetic ancestry latent.
type Plan struct {
	Options     Options
	Windows     []Window
	PCA         *PCA
	TrainScores *mat.Dense // n_train×K (nil when K = 0)
	Mixture     *Mixture
	Latent      *mat.Dense // n_synth×K synthetic ancestry (nil when K = 0)
	// NSynth is the number of synthetic individuals.
	NSynth int
	// EvalPCA is the PCA the chromosome metrics are computed on (Evaluator):
	// PCA itself, or, when it has no axis (K = 0), the training data's top
	// evaluationPCs components, fitted for the metrics only and never
	// written to a model file.
	EvalPCA *PCA
	// Cohort is the population label of each synthetic individual
	// (Mixture.Cohort) when the plan was made with labels, nil otherwise.
	Cohort []int
	// trainLabels is each training individual's label index (−1 for the
	// labels too small to be generated), for the windows' label offsets.
	trainLabels []int
	// Deconvolved is the fraction of the mixture's variance removed for the
	// noise that the window models' residuals add on the PCs
	// (ResidualShareCov, Mixture.Deconvolve; regression conditioning only).
	Deconvolved float64
	// PCReplication holds the canonical correlations between the PCs of
	// the two halves of the sites that decided how many PCs the ancestry
	// latent has (ReplicatedAxes; nil with FixedPCs or too few sites).
	PCReplication []float64
}

// evaluationPCs is the number of PCs the chromosome metrics are computed
// on when no ancestry axis replicates (Plan.EvalPCA): the 2 of the
// evaluator's ancestry-consistency read-out.
const evaluationPCs = 2

// minDeconvolvedVariance is the least fraction of a mixture component's
// mean variance per direction that deconvolution keeps.
const minDeconvolvedVariance = 0.01

// stage seeds: splitmix64 of seed and a stage tag.
func mix(seed, tag uint64) uint64 {
	z := seed + tag*0x9E3779B97F4A7C15
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9
	z = (z ^ (z >> 27)) * 0x94D049BB133111EB
	return z ^ (z >> 31)
}

const (
	tagPCA uint64 = iota + 1
	tagMixture
	tagLatent
	tagAssemble
	tagReplication
	tagEvalPCA
	tagWindow = 1 << 20
)

// NewPlan cuts train's sites into windows at weak LD, fits the global PCA and
// the ancestry mixture, and draws the ancestry latent of nSynth individuals.
// train must be imputed (no missing calls) and sorted by position.
func NewPlan(ctx context.Context, train *vcf.Genotypes, nSynth int, o Options) (*Plan, error) {
	return NewPlanLabelled(ctx, train, nSynth, o, nil)
}

// NewPlanLabelled is NewPlan with the population of every training
// individual (lab.Pop[i] is train's sample i's; nil: NewPlan): the ancestry
// mixture is fitted label by label (FitLabelledMixture) and the synthetic
// cohort keeps the training composition of the labels (Plan.Cohort).
func NewPlanLabelled(ctx context.Context, train *vcf.Genotypes, nSynth int, o Options, lab *model.Labelling) (*Plan, error) {
	o = o.withDefaults()
	if o.Oversample < 1 {
		return nil, fmt.Errorf("%w: oversampling must be ≥ 1, got %g", ErrOption, o.Oversample)
	}
	if nSynth < 1 {
		return nil, fmt.Errorf("%w: %d synthetic individuals", ErrOption, nSynth)
	}
	if err := checkKind(o.Residual, "residual space", ResidualKinds()); err != nil {
		return nil, err
	}
	if o.Residual == ResidHaplotype {
		if !isRegress(o.Conditioning) {
			return nil, fmt.Errorf("%w: haplotype window models need regression conditioning, not %q", ErrOption, o.Conditioning)
		}
		if !train.HasPhase() {
			return nil, fmt.Errorf("%w: haplotype window models need phased input (every call phased, e.g. 0|1)", ErrOption)
		}
	}
	p := &Plan{Options: o, NSynth: nSynth}
	var scores []float64
	if !o.UniformCuts {
		scores = ld.CrossingScores(train, o.CrossingHalfWindow)
	}
	var err error
	if p.Windows, err = CutWindows(train.Sites, scores, o.WindowSNPs, o.OverlapSNPs); err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	k := o.PCs
	if !o.FixedPCs {
		if k, p.PCReplication, err = ReplicatedAxes(train, o.PCs, mix(o.Seed, tagReplication)); err != nil {
			return nil, err
		}
	}
	if p.PCA, p.TrainScores, err = FitPCA(train, k, mix(o.Seed, tagPCA)); err != nil {
		return nil, err
	}
	p.EvalPCA = p.PCA
	if k == 0 {
		if p.EvalPCA, _, err = FitPCA(train, evaluationPCs, mix(o.Seed, tagEvalPCA)); err != nil {
			return nil, err
		}
	}
	if lab != nil {
		table, rows := model.LabelTableOf(lab)
		p.trainLabels = make([]int, len(rows))
		for i, l := range rows {
			p.trainLabels[i] = l
			if table[l].N < o.MinClusterSize {
				p.trainLabels[i] = -1
			}
		}
		p.Mixture, err = FitLabelledMixture(p.TrainScores, o.AncestryComponents, o.MinClusterSize, mix(o.Seed, tagMixture), lab)
	} else {
		p.Mixture, err = FitMixture(p.TrainScores, o.AncestryComponents, o.MinClusterSize, mix(o.Seed, tagMixture))
	}
	if err != nil {
		return nil, err
	}
	if isRegress(o.Conditioning) && k > 0 {
		// The window models add each person's individual noise on the PCs
		// themselves (Mixture.Deconvolve says why).
		noise, err := ResidualShareCov(train, p.Windows, p.PCA, p.TrainScores)
		if err != nil {
			return nil, err
		}
		if p.Deconvolved, err = p.Mixture.Deconvolve(noise, minDeconvolvedVariance); err != nil {
			return nil, err
		}
	}
	if p.Cohort, err = p.Mixture.Cohort(nil, nSynth, o.MinClusterSize); err != nil {
		return nil, err
	}
	if p.Latent, err = p.Mixture.SampleCohort(nSynth, p.Cohort, rand.New(rand.NewPCG(mix(o.Seed, tagLatent), 0))); err != nil {
		return nil, err
	}
	return p, ctx.Err()
}

// Job builds window w's unit of work from the training genotypes.
func (p *Plan) Job(train *vcf.Genotypes, w Window) *Job {
	n := train.NumSamples()
	K := p.PCA.K()
	d := w.End - w.Start
	j := &Job{
		Window:       w,
		Sites:        append([]vcf.Site(nil), train.Sites[w.Start:w.End]...),
		NTrain:       n,
		Dosage:       append([]int8(nil), train.Dosage[w.Start*n:w.End*n]...),
		K:            K,
		PCMean:       append([]float64(nil), p.PCA.Mean[w.Start:w.End]...),
		PCScale:      append([]float64(nil), p.PCA.Scale[w.Start:w.End]...),
		Loadings:     make([]float64, d*K),
		TrainScores:  flatRows(p.TrainScores),
		Model:        p.Options.Model,
		NCandidates:  numCandidates(p.nSynth(), p.Options.Oversample, p.Options.Conditioning),
		GenerateSeed: mix(p.Options.Seed, tagWindow+2*uint64(w.Index)+1),
	}
	j.Model.Seed = mix(p.Options.Seed, tagWindow+2*uint64(w.Index))
	if p.Options.Conditioning == CondChain {
		j.Conditioning = CondChain
		if p.Cohort != nil {
			j.NumLabels = len(p.Mixture.LabelTable)
			j.TrainLabels = p.trainLabels
		}
	}
	if isRegress(p.Options.Conditioning) {
		j.Conditioning = p.Options.Conditioning
		j.Latent = candidateLatent(p.Latent, j.NCandidates)
		j.Residual = p.Options.Residual
		if j.Residual == ResidHaplotype {
			j.Haplotypes = make([]int8, 2*n*d)
			for v := 0; v < d; v++ {
				train.HapRowTo(w.Start+v, j.Haplotypes[2*n*v:2*n*(v+1)])
			}
		}
		if p.Cohort != nil {
			j.NumLabels = len(p.Mixture.LabelTable)
			j.TrainLabels = p.trainLabels
			j.CandidateLabels = candidateLabels(p.Cohort, j.NCandidates)
		}
	}
	for v := 0; v < d; v++ {
		for k := 0; k < K; k++ {
			j.Loadings[v*K+k] = p.PCA.Loadings.At(w.Start+v, k)
		}
	}
	return j
}

// numCandidates is the number of candidates each window draws for n
// synthetic individuals: one each with CondRegress, which gives candidate i
// to individual i, else oversample·n.
func numCandidates(n int, oversample float64, cond Conditioning) int {
	if cond == CondRegress || cond == CondChain {
		return n
	}
	return int(float64(n)*oversample + 0.5)
}

func (p *Plan) nSynth() int { return p.NSynth }

// flatRows returns a copy of x's elements, row-major (none for nil x, a
// matrix of K = 0 columns).
func flatRows(x *mat.Dense) []float64 {
	if x == nil {
		return nil
	}
	return append([]float64(nil), mat.DenseCopyOf(x).RawMatrix().Data...)
}

// WindowDone is what Run hands to its sink for each window, in order.
type WindowDone struct {
	Window Window
	Result *Result
	// Core is the window's share of the synthetic chromosome: dosages of
	// its core sites, site-major (Core()×n_synth).
	Core []int8
	// Matching diagnostics (see Assembler).
	OverlapMismatch, AncestryChi2 float64
}

// Run fits every window (Workers at a time), assembles the synthetic
// chromosome in window order and calls sink once per window, in order. At
// most Workers+1 windows' results are held at once.
func (p *Plan) Run(ctx context.Context, train *vcf.Genotypes, sink func(WindowDone) error) error {
	asm, err := p.Assembler()
	if err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	nw := len(p.Windows)
	workers := max(1, min(p.Options.Workers, nw)) // never more workers than windows
	// A token is held for each window handed out but not yet assembled.
	tokens := make(chan struct{}, workers+1)
	jobs := make(chan int)
	go feedWindows(ctx, nw, tokens, jobs)
	results := p.fitWindows(ctx, train, jobs, workers)
	next, err := assembleInOrder(results, tokens, asm, sink)
	if err != nil {
		cancel()
		for range results {
		}
		return err
	}
	if next != nw {
		if err := ctx.Err(); err != nil {
			return err
		}
		return fmt.Errorf("chrom: %d of %d windows finished", next, nw)
	}
	return nil
}

// windowFit is a worker's outcome for window i.
type windowFit struct {
	i   int
	r   *Result
	err error
}

// feedWindows hands out the window indexes below nw on jobs, in window
// order, each once it holds a token, until the last or cancellation.
func feedWindows(ctx context.Context, nw int, tokens chan<- struct{}, jobs chan<- int) {
	defer close(jobs)
	for i := 0; i < nw; i++ {
		select {
		case tokens <- struct{}{}:
		case <-ctx.Done():
			return
		}
		select {
		case jobs <- i:
		case <-ctx.Done():
			return
		}
	}
}

// fitWindows starts workers that fit the windows named on jobs and returns
// their outcomes, in completion order; the channel is closed once the
// workers are done.
func (p *Plan) fitWindows(ctx context.Context, train *vcf.Genotypes, jobs <-chan int, workers int) <-chan windowFit {
	results := make(chan windowFit)
	var wg sync.WaitGroup
	for k := 0; k < workers; k++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				r, err := p.Job(train, p.Windows[i]).Run(ctx, nil)
				select {
				case results <- windowFit{i, r, err}:
				case <-ctx.Done():
					return
				}
			}
		}()
	}
	go func() { wg.Wait(); close(results) }()
	return results
}

// assembleInOrder adds the fitted windows to asm in window order and hands
// each to sink, returning a token per window, until results closes or an
// error (a fit's, the assembler's or the sink's). It returns the number of
// windows assembled.
func assembleInOrder(results <-chan windowFit, tokens <-chan struct{}, asm *Assembler, sink func(WindowDone) error) (int, error) {
	pending := map[int]*Result{}
	next := 0
	for d := range results {
		if d.err != nil {
			return next, d.err
		}
		pending[d.i] = d.r
		for pending[next] != nil {
			r := pending[next]
			delete(pending, next)
			core, err := asm.Add(r)
			if err == nil {
				err = sink(WindowDone{Window: r.Window, Result: r, Core: core, OverlapMismatch: asm.LastOverlapMismatch, AncestryChi2: asm.LastAncestryChi2})
			}
			if err != nil {
				return next, err
			}
			<-tokens
			next++
		}
	}
	return next, nil
}
