package model

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"math/rand/v2"
	"slices"
	"sync"
	"time"

	"gonum.org/v1/gonum/mat"

	"github.com/gousynth/gousynth/internal/version"
	"github.com/gousynth/gousynth/model/nn"
	"github.com/gousynth/gousynth/vcf"
)

// PhaseTime is the wall time of one fit phase.
type PhaseTime struct {
	Phase   string
	Seconds float64
}

// Model is a fitted generative model. It holds only aggregate quantities of
// the training data (means, scales, an eigenbasis with its variances,
// cluster means and within-cluster variances of clusters of at least
// MinClusterSize individuals, discretisation thresholds, network weights),
// never a training genotype or a sample ID.
type Model struct {
	Config      Config
	Sites       []vcf.Site
	Basis       *Basis
	K           int          // network-modelled latent coordinates
	Net         *nn.MLP      // EMA weights; nil when K == 0
	Init        *InitDist    // sampler start
	Thresholds  [][2]float64 // per SNP: continuous value < [0] → 0, < [1] → 1, else 2
	TrainN      int          // number of training individuals
	Fingerprint [32]byte     // SHA-256 of the training matrix (not the data)
	TrainLoss   float64
	Timings     []PhaseTime // wall time of each phase of this fit; not saved, so that model files are reproducible
	Version     string      // gousynth version that fitted the model
	Preprocess  string      // free-text summary supplied by the caller (filters, split)
	// Contigs and Reference are the training input's ##contig lines and
	// ##reference line (reference metadata, no individual's data), which
	// generated VCFs repeat; nil and "" when the caller gives none.
	Contigs   []vcf.Contig
	Reference string
	// Labels are the training populations of a model fitted with
	// FitLabelled (names, super-populations, counts; see labels.go), nil
	// otherwise. Init.Labels ties the anchors to them.
	Labels []Label
	// LabelThresholds, for a labelled model with the ld or threshold
	// discretiser, holds each label's own thresholds (calibrateLabels;
	// labels without anchors have the global ones).
	LabelThresholds [][][2]float64

	// labelling is the training individuals' labels during a fit only.
	labelling *Labelling

	proc engine
	ld   *ldDisc // "ld" discretiser's coefficients, rebuilt from Basis when nil
	// ldOnce and procOnce guard the rebuilds of ld and of the process on a
	// loaded model, so that concurrent Generate calls neither race nor
	// rebuild twice.
	ldOnce, procOnce sync.Once
	procErr          error
}

// ErrInput marks unusable training data.
var ErrInput = errors.New("model: unusable training data")

// Fit trains a model on x (individuals × SNPs dosages in [0, 2], missing
// values already imputed) with the given sites. progress may be nil.
func Fit(ctx context.Context, x *mat.Dense, sites []vcf.Site, cfg Config, progress func(Progress)) (*Model, error) {
	return FitLabelled(ctx, x, sites, nil, cfg, progress)
}

// FitLabelled is Fit with the population of every training individual
// (lab.Pop[i] is row i's; nil lab: Fit). The anchors are then tied to the
// labels (labels.go), so that Cohort and GenerateCohortChunks can draw a
// cohort of given populations; everything else is fitted as by Fit. Labels
// need the anchor initialisation; with another one they are not kept.
func FitLabelled(ctx context.Context, x *mat.Dense, sites []vcf.Site, lab *Labelling, cfg Config, progress func(Progress)) (*Model, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if err := checkTrainingData(x, sites); err != nil {
		return nil, err
	}
	n, d := x.Dims()
	reg := registry[cfg.Process]
	if cfg.Private && cfg.NetMinTime == 0 && (cfg.Process == ProcessGOU || cfg.Process == ProcessVP) {
		cfg.NetMinTime = privateNetMinTime
	}
	m := &Model{Config: cfg, Sites: append([]vcf.Site(nil), sites...), TrainN: n, Version: version.String()}
	m.Fingerprint = fingerprint(x)
	if lab != nil {
		if len(lab.Pop) != n {
			return nil, fmt.Errorf("%w: %d labels for %d individuals", ErrInput, len(lab.Pop), n)
		}
		if cfg.Init == InitAnchors {
			m.labelling = lab
		} else {
			slog.Warn("population labels need the anchor initialisation; the model is fitted without them", "init", cfg.Init)
		}
	}
	defer func() { m.labelling = nil }()
	report := func(p Progress) {
		if progress != nil {
			progress(p)
		}
	}
	phase := func(name string, start time.Time) {
		m.Timings = append(m.Timings, PhaseTime{name, time.Since(start).Seconds()})
	}

	start := time.Now()
	xfit := x
	if cfg.Latent == LatentProbit && d > cfg.ProbitMaxSNPs {
		m.Config.Latent = LatentDosage
	}
	if m.Config.Latent == LatentProbit {
		report(Progress{Phase: "latent"})
		m.Thresholds = probitThresholds(x)
		z, err := probitLatent(ctx, x, m.Thresholds, cfg.ProbitRounds, cfg.ProbitSweeps, 1e-3, cfg.Seed, cfg.Threads)
		if err != nil {
			return nil, err
		}
		xfit = z
		phase("probit latent", start)
		start = time.Now()
	}
	if err := m.fitScore(ctx, xfit, reg, true, report, phase, start); err != nil {
		return nil, err
	}
	if m.Basis.Resid != nil && !cfg.Private {
		slog.Warn("more SNPs than half the training individuals: the eigenbasis keeps only a few leading directions and models the rest as Gaussian noise with block-local covariance; "+
			"the model file and the synthetic individuals may carry membership information (where SNPs outnumber the training individuals, as gousynth fit allows one model only when --max-snps is given: membership-inference AUC 0.58–0.66 on the synthetic cohort, 0.57–0.96 on the model file); treat both as sensitive, or fit with --private (docs/privacy.md)",
			"snps", d, "train", n, "directions", m.Basis.Rank())
	}
	if m.Config.Latent == LatentProbit {
		report(Progress{Phase: "calibrate"})
		return m, nil // thresholds τ are fixed by the training frequencies
	}
	if err := m.fitThresholds(ctx, x, report, phase); err != nil {
		return nil, err
	}
	return m, nil
}

// checkTrainingData checks the training matrix of a fit against its sites:
// at least two individuals and one SNP, one site per column, dosages in
// [0, 2] without missing values. Errors wrap ErrInput.
func checkTrainingData(x *mat.Dense, sites []vcf.Site) error {
	if x == nil {
		return fmt.Errorf("%w: nil matrix", ErrInput)
	}
	n, d := x.Dims()
	if len(sites) != d {
		return fmt.Errorf("%w: %d sites for %d columns", ErrInput, len(sites), d)
	}
	if n < 2 || d < 1 {
		return fmt.Errorf("%w: %d individuals × %d SNPs", ErrInput, n, d)
	}
	for i := 0; i < n; i++ {
		for _, v := range x.RawRowView(i) {
			if math.IsNaN(v) || v < 0 || v > 2 {
				return fmt.Errorf("%w: dosage %v at individual %d (impute missing values first)", ErrInput, v, i)
			}
		}
	}
	return nil
}

// fitThresholds sets the discretisation thresholds of a dosage-latent fit
// from a calibration sample of the model (the rounding cut-offs 0.5 and
// 1.5 for DiscretiserRound), matching the training dosages x, and, for a
// labelled fit, each label's own (calibrateLabels).
func (m *Model) fitThresholds(ctx context.Context, x *mat.Dense, report func(Progress), phase func(string, time.Time)) error {
	cfg := m.Config
	start := time.Now()
	report(Progress{Phase: "calibrate"})
	m.Thresholds = make([][2]float64, len(m.Sites))
	for j := range m.Thresholds {
		m.Thresholds[j] = [2]float64{0.5, 1.5}
	}
	if cfg.Discretiser != DiscretiserThreshold && cfg.Discretiser != DiscretiserLD {
		return nil
	}
	cal, err := m.sampleContinuous(ctx, cfg.CalibrationSize, rand.New(rand.NewPCG(cfg.Seed, 0x63616c)))
	if err != nil {
		return err
	}
	phase("sampling", start)
	start = time.Now()
	if cfg.Discretiser == DiscretiserLD {
		m.ld = newLDDisc(m.Basis, cfg)
		m.Thresholds = calibrateLD(x, cal, m.ld)
	} else {
		m.Thresholds = calibrate(x, cal)
	}
	phase("discretisation", start)
	if m.labelling != nil && m.Init.Labels != nil {
		start = time.Now()
		if err := m.calibrateLabels(ctx, x); err != nil {
			return err
		}
		phase("label thresholds", start)
	}
	return nil
}

// anchors clusters the training individuals on the leading AnchorPCs latent
// coordinates and returns the eq. 12 mixture: cluster means and within-cluster
// variances over all latent coordinates, weighted by cluster size.
func anchors(y *mat.Dense, cfg Config, r int) *InitDist {
	n, _ := y.Dims()
	p := min(cfg.AnchorPCs, r)
	pts := make([]float64, n*p)
	for i := 0; i < n; i++ {
		copy(pts[i*p:(i+1)*p], y.RawRowView(i)[:p])
	}
	minSize := cfg.MinClusterSize
	k := cfg.Anchors
	if n < 2*minSize {
		k = 1
	}
	assign, nc := KMeans(pts, n, p, k, minSize, rand.New(rand.NewPCG(cfg.Seed, 0x6b6d)))
	init := &InitDist{Kind: InitAnchors, Weights: make([]float64, nc), Means: make([][]float64, nc), Vars: make([][]float64, nc)}
	counts := make([]int, nc)
	for c := 0; c < nc; c++ {
		init.Means[c] = make([]float64, r)
		init.Vars[c] = make([]float64, r)
	}
	for i, c := range assign {
		counts[c]++
		for j, v := range y.RawRowView(i) {
			init.Means[c][j] += v
		}
	}
	for c := 0; c < nc; c++ {
		for j := range init.Means[c] {
			init.Means[c][j] /= float64(counts[c])
		}
		init.Weights[c] = float64(counts[c]) / float64(n)
	}
	for i, c := range assign {
		for j, v := range y.RawRowView(i) {
			e := v - init.Means[c][j]
			init.Vars[c][j] += e * e
		}
	}
	for c := 0; c < nc; c++ {
		for j := range init.Vars[c] {
			init.Vars[c][j] /= math.Max(1, float64(counts[c]-1))
		}
	}
	return init
}

// fingerprint hashes the training matrix (shape and values) so that a model
// can be tied to its input without storing it.
func fingerprint(x *mat.Dense) [32]byte {
	h := sha256.New()
	n, d := x.Dims()
	var buf [8]byte
	binary.LittleEndian.PutUint64(buf[:], uint64(n))
	h.Write(buf[:])
	binary.LittleEndian.PutUint64(buf[:], uint64(d))
	h.Write(buf[:])
	for i := 0; i < n; i++ {
		for _, v := range x.RawRowView(i) {
			binary.LittleEndian.PutUint64(buf[:], math.Float64bits(v))
			h.Write(buf[:])
		}
	}
	var out [32]byte
	copy(out[:], h.Sum(nil))
	return out
}

// sampleContinuous draws n continuous samples (n × d) in chunks.
func (m *Model) sampleContinuous(ctx context.Context, n int, rng *rand.Rand) (*mat.Dense, error) {
	out := mat.NewDense(n, m.Basis.Dim(), nil)
	err := m.sampleChunks(ctx, n, rng, func(lo int, x *mat.Dense) error {
		rows, _ := x.Dims()
		for i := 0; i < rows; i++ {
			copy(out.RawRowView(lo+i), x.RawRowView(i))
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// SampleChunkRows is the number of samples drawn at once. The draws depend
// on it (the random stream is consumed chunk by chunk), so it is fixed.
const SampleChunkRows = 4096

// sampleChunks draws n samples in the data space in chunks of
// SampleChunkRows, in order, and hands each to fn (lo is the index of its
// first sample).
func (m *Model) sampleChunks(ctx context.Context, n int, rng *rand.Rand, fn func(lo int, x *mat.Dense) error) error {
	return m.sampleCohortChunks(ctx, n, nil, rng, fn)
}

// sampleCohortChunks is sampleChunks with the label of each sample (nil:
// none, the whole mixture).
func (m *Model) sampleCohortChunks(ctx context.Context, n int, labels []int, rng *rand.Rand, fn func(lo int, x *mat.Dense) error) error {
	m.procOnce.Do(func() {
		if m.proc != nil {
			return
		}
		reg, ok := registry[m.Config.Process]
		if !ok {
			m.procErr = fmt.Errorf("model: unknown process %q", m.Config.Process)
			return
		}
		m.proc, m.procErr = reg.factory(m.Config, m.Basis.Lambda)
	})
	if m.procErr != nil {
		return m.procErr
	}
	r := m.Basis.Rank()
	for lo := 0; lo < n; lo += SampleChunkRows {
		hi := min(n, lo+SampleChunkRows)
		spec := sampleSpec{Net: m.Net, K: m.K, N: hi - lo, Rng: rng,
			Sampler: m.Config.Sampler, Steps: m.Config.SamplerSteps, Init: m.Init}
		if labels != nil {
			spec.Labels = labels[lo:hi]
			spec.GuideDims = r
		}
		y, err := m.proc.Sample(ctx, spec)
		if err != nil {
			return err
		}
		x := m.Basis.Decode(mat.NewDense(hi-lo, r, y))
		m.Basis.addResidual(x, rng)
		if err := fn(lo, x); err != nil {
			return err
		}
	}
	return nil
}

// Generate draws n synthetic individuals (sample IDs SYN000001…, unphased
// dosages 0/1/2). The same model, n and seed give the same genotypes. It
// holds the n × d matrix; GenerateChunks draws the same in bounded memory.
func (m *Model) Generate(ctx context.Context, n int, seed uint64) (*vcf.Genotypes, error) {
	return m.GenerateCohort(ctx, n, nil, seed)
}

// SyntheticID is the sample ID of the synthetic individual of index i
// (from 0) in every cohort gousynth writes: SYN000001, SYN000002, ….
func SyntheticID(i int) string { return fmt.Sprintf("SYN%06d", i+1) }

// GenerateCohort is Generate with the population label of each synthetic
// individual (see GenerateCohortChunks; nil: Generate).
func (m *Model) GenerateCohort(ctx context.Context, n int, labels []int, seed uint64) (*vcf.Genotypes, error) {
	if n < 1 {
		return nil, fmt.Errorf("model: number of individuals must be ≥ 1, got %d", n)
	}
	d := m.Basis.Dim()
	g := &vcf.Genotypes{Sites: append([]vcf.Site(nil), m.Sites...), Samples: make([]string, n), Dosage: make([]int8, n*d)}
	for s := range g.Samples {
		g.Samples[s] = SyntheticID(s)
	}
	err := m.GenerateCohortChunks(ctx, n, labels, seed, func(lo, rows int, dos []int8) error {
		for v := 0; v < d; v++ {
			copy(g.Dosage[v*n+lo:v*n+lo+rows], dos[v*rows:(v+1)*rows])
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return g, nil
}

// GenerateChunks draws the genotypes Generate(ctx, n, seed) draws, in
// chunks of at most SampleChunkRows consecutive individuals, in order, so
// that no n × d matrix is held: fn gets the index lo of the chunk's first
// individual, its size rows and its dosages, site-major (dos[v*rows+i] is
// individual lo+i at site v). dos is reused after fn returns.
func (m *Model) GenerateChunks(ctx context.Context, n int, seed uint64, fn func(lo, rows int, dos []int8) error) error {
	return m.GenerateCohortChunks(ctx, n, nil, seed, fn)
}

// GenerateCohortChunks is GenerateChunks with the population label of each
// synthetic individual (labels[i], from Cohort; nil: none, exactly
// GenerateChunks): individual i starts from an anchor of its label.
func (m *Model) GenerateCohortChunks(ctx context.Context, n int, labels []int, seed uint64, fn func(lo, rows int, dos []int8) error) error {
	if labels != nil && len(labels) != n {
		return fmt.Errorf("model: %d labels for %d individuals", len(labels), n)
	}
	if labels != nil && (m.Init == nil || m.Init.Labels == nil) {
		return fmt.Errorf("model: the model has no population labels")
	}
	if n < 1 {
		return fmt.Errorf("model: number of individuals must be ≥ 1, got %d", n)
	}
	d := m.Basis.Dim()
	ld := m.Config.Latent != LatentProbit && m.Config.Discretiser == DiscretiserLD
	if ld {
		m.ldOnce.Do(func() {
			if m.ld == nil {
				m.ld = newLDDisc(m.Basis, m.Config)
			}
		})
	}
	var dos []int8
	return m.sampleCohortChunks(ctx, n, labels, rand.New(rand.NewPCG(seed, 0x67656e)), func(lo int, x *mat.Dense) error {
		rows, _ := x.Dims()
		dos = slices.Grow(dos[:0], rows*d)[:rows*d]
		for s := 0; s < rows; s++ {
			row := x.RawRowView(s)
			th := m.Thresholds
			if labels != nil && m.LabelThresholds != nil && labels[lo+s] >= 0 {
				th = m.LabelThresholds[labels[lo+s]]
			}
			if ld {
				m.ld.discretise(th, row, dos[s:], rows)
				continue
			}
			for v := 0; v < d; v++ {
				dos[v*rows+s] = m.discretiseWith(th, v, row[v])
			}
		}
		return fn(lo, rows, dos)
	})
}

func (m *Model) discretise(v int, x float64) int8 {
	return m.discretiseWith(m.Thresholds, v, x)
}

func (m *Model) discretiseWith(th [][2]float64, v int, x float64) int8 {
	if m.Config.Latent != LatentProbit && m.Config.Discretiser == DiscretiserRound {
		return cut([2]float64{0.5, 1.5}, x)
	}
	return cut(th[v], x)
}

// Summary returns a human-readable provenance summary of the model.
func (m *Model) Summary() string {
	c := m.Config
	format := 1 // the format Encode writes
	if m.Basis.Resid != nil {
		format = 2
	}
	if len(m.Labels) > 0 {
		format = 3
	}
	s := fmt.Sprintf("gousynth model (format %d), fitted by %s\n", format, m.Version)
	s += fmt.Sprintf("process %s; %d SNPs, %d training individuals, %d latent coordinates, %d modelled by the network\n",
		c.Process, len(m.Sites), m.TrainN, m.Basis.Rank(), m.K)
	if m.Basis.Resid != nil {
		s += fmt.Sprintf("eigenbasis capped (too many SNPs for the training size); remaining variance modelled as Gaussian noise in blocks of %d SNPs\n", m.Basis.ResidBlock)
	}
	if c.Private {
		s += "private fit: directions limited by a split-half membership probe, AR residual blocks\n"
	}
	if c.NetMinTime > 0 {
		s += fmt.Sprintf("score network used only at diffusion times ≥ %g\n", c.NetMinTime)
	}
	if len(m.Sites) > 0 {
		s += fmt.Sprintf("sites %s:%d-%d\n", m.Sites[0].Chrom, m.Sites[0].Pos, m.Sites[len(m.Sites)-1].Pos)
	}
	switch c.Process {
	case ProcessGOU:
		s += fmt.Sprintf("GOU a=%g b=%g γ=%g β=%g (0=auto) T=%g eps=%g\n", c.A, c.B, c.Gamma, c.Beta, c.T, c.Eps)
	case ProcessVP:
		s += fmt.Sprintf("VP β0=%g β1=%g T=%g eps=%g\n", c.Beta0, c.Beta1, c.T, c.Eps)
	case ProcessCLD:
		s += fmt.Sprintf("CLD T=%g eps=%g\n", c.T, c.Eps)
	case ProcessCLDEps:
		s += fmt.Sprintf("CLD-ε ε=%g T=%g eps=%g\n", cldEps(c), c.T, c.Eps)
	}
	if m.Net != nil {
		s += fmt.Sprintf("network MLP %d×%d (%d parameters); %d steps × batch %d, LR %g, EMA %g, final loss %.4f\n",
			c.Layers, c.Hidden, m.Net.NumParams(), c.Steps, c.BatchSize, c.LR, c.EMA, m.TrainLoss)
	}
	s += fmt.Sprintf("init %s", c.Init)
	if m.Init != nil && m.Init.Kind == InitAnchors {
		s += fmt.Sprintf(" (%d anchors, min cluster size %d)", len(m.Init.Weights), c.MinClusterSize)
	}
	if len(m.Labels) > 0 {
		s += fmt.Sprintf("; anchors tied to %d population labels (%s)", len(m.Labels), labelNames(m.Labels))
	}
	disc := c.Discretiser.String()
	if c.Discretiser == DiscretiserLD {
		disc = fmt.Sprintf("ld (window %d SNPs, ridge %g, gain %g)", c.LDWindow, c.LDRidge, c.LDGain)
	}
	s += fmt.Sprintf("; sampler %s, %d steps; discretiser %s; seed %d\n", c.Sampler, c.SamplerSteps, disc, c.Seed)
	if m.Preprocess != "" {
		s += "preprocessing: " + m.Preprocess + "\n"
	}
	s += fmt.Sprintf("input fingerprint sha256:%x\n", m.Fingerprint)
	return s
}

// fitScore runs the steps every fit shares on the data x (n × d): the
// eigenbasis, the sampler's initial distribution, the process and its
// trained score network. With roundBasis the basis is rounded to float32 as
// the model file stores it, so that a loaded model generates exactly what
// the fitted one does. start is when the basis phase began.
func (m *Model) fitScore(ctx context.Context, x *mat.Dense, reg registration, roundBasis bool, report func(Progress), phase func(string, time.Time), start time.Time) error {
	cfg := m.Config
	n, _ := x.Dims()
	report(Progress{Phase: "basis"})
	b, err := newBasisFor(x, reg.standardise, cfg.Private)
	if err != nil {
		return err
	}
	if roundBasis {
		u := b.U.RawMatrix().Data
		for i, v := range u {
			u[i] = float64(float32(v))
		}
	}
	m.Basis = b
	r := b.Rank()
	yd := b.Encode(x)
	phase("eigendecomposition", start)
	if err := ctx.Err(); err != nil {
		return err
	}

	start = time.Now()
	report(Progress{Phase: "anchors"})
	m.Init = &InitDist{Kind: cfg.Init}
	if cfg.Init == InitAnchors && m.labelling != nil {
		var rows []int
		m.Labels, rows = m.labelling.labelTable()
		m.Init = labelledAnchors(yd, cfg, r, m.Labels, rows)
	} else if cfg.Init == InitAnchors {
		m.Init = anchors(yd, cfg, r)
	}
	phase("kmeans", start)

	proc, err := reg.factory(cfg, b.Lambda)
	if err != nil {
		return err
	}
	m.proc = proc
	m.K = cfg.NetDims
	if m.K == 0 || m.K > r {
		m.K = r
	}
	start = time.Now()
	data := &latentData{Y: make([]float32, n*r), N: n, R: r, Lambda: b.Lambda}
	for i := 0; i < n; i++ {
		for j, v := range yd.RawRowView(i) {
			data.Y[i*r+j] = float32(v)
		}
	}
	in, out := proc.NetDims(m.K)
	_, T := proc.Horizon()
	m.Net = nn.NewMLP(in, out, cfg.Hidden, cfg.Layers, T, rand.New(rand.NewPCG(cfg.Seed, 0x6e6574)))
	if cfg.Steps > 0 {
		ema, loss, err := nn.Train(ctx, m.Net, func(rng *rand.Rand, batch int, in []float32, t []float64, target []float32) {
			proc.Batch(rng, data, m.K, batch, in, t, target)
		}, cfg.trainOptions(), func(p nn.Progress) {
			report(Progress{Phase: "train", Step: p.Step, Total: p.Total, Loss: p.Loss, Elapsed: p.Elapsed})
		})
		if err != nil {
			return err
		}
		m.Net, m.TrainLoss = ema, loss
	}
	phase("training", start)
	return nil
}

// trainOptions returns the optimiser settings of the configuration.
func (c Config) trainOptions() nn.TrainOptions {
	return nn.TrainOptions{Steps: c.Steps, BatchSize: c.BatchSize, Warmup: c.Warmup, LR: c.LR, EMA: c.EMA, ClipNorm: c.ClipNorm, Seed: c.Seed}
}
