package model

import (
	"errors"
	"fmt"
	"math"

	"github.com/gousynth/gousynth/internal/limits"
)

// Config holds every setting of a fit. Defaults live in one place,
// DefaultConfig, which gives the measured ones for a process: a zero field
// is a value, never "the default", so start from DefaultConfig and set
// what differs (the command's flags do, keeping a field when its flag is
// not given). The few fields whose zero value is meaningful say what it
// means (Beta: automatic; NetDims: all; CLDEps with ProcessCLDEps:
// DefaultCLDEps; NetMinTime: none; Threads: GOMAXPROCS). Validate checks
// a Config; Fit, FitContinuous and model files call it.
type Config struct {
	// Process is the forward process: ProcessGOU, ProcessVP, ProcessCLD or
	// ProcessCLDEps.
	Process ProcessKind

	// Latent is the space the diffusion runs in: LatentProbit (liability-
	// threshold latent Gaussian space, imputed by ProbitRounds Monte-Carlo EM
	// rounds of ProbitSweeps Gibbs sweeps; see latent.go) or LatentDosage
	// (the dosages themselves). Probit needs a d×d precision matrix and
	// falls back to dosage above ProbitMaxSNPs SNPs.
	Latent                                    LatentKind
	ProbitRounds, ProbitSweeps, ProbitMaxSNPs int

	// GOU: c_i = −B(A + Gamma(1 − λ_i/λ_max)), dY = C Y dt + √Beta dW on
	// [Eps, T]. Beta = 0 means automatic: 2·B·mean(λ), so that a direction
	// with c = −B has stationary variance equal to the mean eigenvalue.
	A, B, Gamma, Beta float64
	// VP: β(t) = Beta0 + t(Beta1 − Beta0) on standardised data.
	Beta0, Beta1 float64
	// CLDEps is the position noise ε of ProcessCLDEps (CLD-ε); it must be
	// 0 for every other process. 0 with ProcessCLDEps means DefaultCLDEps
	// (model files written before the field existed).
	CLDEps float64
	// T and Eps bound the diffusion time of either process.
	T, Eps float64

	// NetDims is the number of leading latent (eigen-)coordinates whose score
	// residual the network learns; the others use the exact Gaussian score.
	// 0 means all.
	NetDims int
	// Hidden and Layers give the MLP size (hidden width, number of hidden layers).
	Hidden, Layers int

	// Training: Steps Adam steps of BatchSize examples, base learning rate LR
	// with Warmup steps of linear warm-up then cosine decay, EMA decay of the
	// weights used for sampling, gradient clipping at ClipNorm.
	Steps, BatchSize, Warmup int
	LR, EMA, ClipNorm        float64

	// Seed makes the fit reproducible. Threads is the number of goroutines
	// of the fit's own parallel loops (the Gibbs sweeps of the probit
	// latent); 0 means GOMAXPROCS. Matrix products go through gonum's BLAS,
	// which always uses GOMAXPROCS goroutines (gousynth --threads sets
	// both). Results do not depend on either; model files record Threads.
	Seed    uint64
	Threads int

	// Init is the sampler's initial distribution: InitAnchors (eq. 12,
	// k-means centres weighted by cluster size), InitMarginal (the exact
	// time-T marginal of a Gaussian with the data covariance) or
	// InitStationary.
	Init InitKind
	// Anchors is the number of k-means clusters, MinClusterSize the smallest
	// allowed cluster (no anchor is close to one person), AnchorPCs the number
	// of leading latent coordinates used for clustering.
	Anchors, MinClusterSize, AnchorPCs int

	// Sampler is SamplerAncestral (exact Gaussian posterior step with the
	// learned score; default), SamplerEM (Euler–Maruyama on the reverse
	// SDE) or SamplerHeun (probability-flow ODE); SamplerSteps its number
	// of steps.
	Sampler      SamplerKind
	SamplerSteps int

	// Discretiser maps continuous samples to 0/1/2: DiscretiserThreshold
	// (per-SNP thresholds calibrated at fit time so that a model sample of
	// CalibrationSize individuals has the training genotype frequencies),
	// DiscretiserLD (thresholds calibrated the same way, applied in genomic
	// order after moving each SNP's value towards its Gaussian conditional
	// mean given the genotypes already drawn for at least the LDWindow
	// preceding SNPs; LDRidge is the relative ridge on their covariance,
	// LDGain the fraction of the shift applied; see discretise.go) or
	// DiscretiserRound.
	Discretiser     DiscretiserKind
	CalibrationSize int
	LDWindow        int
	LDRidge, LDGain float64

	// Private (fit time only) makes the model file and the synthetic
	// cohort leak less membership when there are more SNPs than half the
	// training individuals, at a cost in fidelity (docs/privacy.md): the
	// basis keeps only as many directions as a split-half model-file probe
	// allows and models the rest with AR residual blocks, and NetMinTime
	// defaults to 0.05 (privateNetMinTime).
	Private bool `json:",omitempty"`
	// NetMinTime is the diffusion time below which the GOU/VP score
	// network is neither trained nor used (the exact Gaussian score takes
	// over): a network that resolves individual training points at small
	// noise levels pulls samples towards them. 0: used at every time.
	NetMinTime float64 `json:",omitempty"`
}

// privateNetMinTime is the NetMinTime that Config.Private sets when none is
// given.
const privateNetMinTime = 0.05

// DefaultConfig returns the default settings for process, the one place
// Config's defaults live (chrom.WindowModelConfig derives a window
// model's from them).
func DefaultConfig(process ProcessKind) Config {
	c := Config{
		Process: process,
		Latent:  LatentDosage, ProbitRounds: 4, ProbitSweeps: 2, ProbitMaxSNPs: 5000,
		A: 0.2, B: 3, Gamma: 0.8, Beta: 0,
		Beta0: 0.1, Beta1: 20,
		T: 1, Eps: 1e-3,
		NetDims: 64, Hidden: 256, Layers: 2,
		Steps: 8000, BatchSize: 256, Warmup: 100,
		LR: 2e-3, EMA: 0.995, ClipNorm: 1,
		Seed: 1, Threads: 0,
		Init:    InitAnchors,
		Anchors: 16, MinClusterSize: 20, AnchorPCs: 10,
		Sampler: SamplerAncestral, SamplerSteps: 100,
		Discretiser: DiscretiserLD, CalibrationSize: 2000, LDWindow: 64, LDRidge: 0.1, LDGain: 0.2,
	}
	switch process {
	case ProcessVP:
		c.Init = InitMarginal
	case ProcessCLD, ProcessCLDEps:
		// CLD with β = 4 has forgotten the data by T = 1 (mean map 0.003),
		// so the anchor start carries nothing; T = 0.25 keeps it and is the
		// best measured horizon (docs/results-cld.md: covariance 1.51× the
		// floor vs 1.92× at T = 1, PCA 1.41× vs 2.54×; T = 0.1 breaks down).
		c.T = 0.25
		if process == ProcessCLDEps {
			c.CLDEps = DefaultCLDEps
		}
	}
	return c
}

// ErrConfig marks an invalid configuration.
var ErrConfig = errors.New("invalid model configuration")

// Validate reports the first invalid setting.
func (c Config) Validate() error {
	bad := func(format string, a ...any) error {
		return fmt.Errorf("%w: %s", ErrConfig, fmt.Sprintf(format, a...))
	}
	switch c.Process {
	case ProcessGOU:
		if c.A < 0 || c.Gamma < 0 || c.A+c.Gamma <= 0 || c.B <= 0 || c.Beta < 0 {
			return bad("GOU needs a, γ ≥ 0, a+γ > 0, b > 0, β ≥ 0 (got a=%g γ=%g b=%g β=%g)", c.A, c.Gamma, c.B, c.Beta)
		}
		if c.A <= 0 {
			return bad("GOU needs a > 0 so that every direction contracts (got a=%g)", c.A)
		}
	case ProcessVP:
		if c.Beta0 <= 0 || c.Beta1 < c.Beta0 {
			return bad("VP needs 0 < β0 ≤ β1 (got %g, %g)", c.Beta0, c.Beta1)
		}
	default:
		if err := checkKind(c.Process, "process", ProcessKinds()); err != nil {
			return err
		}
	}
	if c.Process == ProcessCLDEps {
		if !(c.CLDEps >= 0) || math.IsInf(c.CLDEps, 0) {
			return bad("CLD-ε needs a finite ε ≥ 0 (got %g)", c.CLDEps)
		}
	} else if c.CLDEps != 0 {
		return bad("CLD ε = %g is only meaningful for process cld-eps (process is %q)", c.CLDEps, c.Process)
	}
	if err := checkKind(c.Latent, "latent space", latentKinds()); err != nil {
		return err
	}
	if c.Latent == LatentProbit && (c.ProbitRounds < 1 || c.ProbitSweeps < 1 || c.ProbitMaxSNPs < 1) {
		return bad("probit latent needs ProbitRounds, ProbitSweeps, ProbitMaxSNPs ≥ 1")
	}
	if c.Threads < 0 {
		return bad("Threads must not be negative (0 means GOMAXPROCS), got %d", c.Threads)
	}
	if !(c.Eps > 0 && c.T > c.Eps) {
		return bad("need 0 < eps < T (got eps=%g T=%g)", c.Eps, c.T)
	}
	if !(c.NetMinTime >= 0 && c.NetMinTime < c.T) {
		return bad("NetMinTime must be in [0, T) (got %g, T=%g)", c.NetMinTime, c.T)
	}
	if c.NetDims < 0 || c.Hidden < 1 || c.Layers < 1 {
		return bad("network needs NetDims ≥ 0, Hidden ≥ 1, Layers ≥ 1")
	}
	// Bound the memory of weights and activations before any is allocated
	// (each factor is bounded first, so the products cannot overflow).
	if c.Hidden > limits.MaxHidden || c.Layers > limits.MaxLayers || c.BatchSize > limits.MaxBatch ||
		c.Hidden*c.Hidden*c.Layers > limits.MaxNetValues || c.BatchSize*c.Hidden > limits.MaxNetValues {
		return bad("network too large: hidden %d × hidden × layers %d and batch %d × hidden must each be at most %d values", c.Hidden, c.Layers, c.BatchSize, limits.MaxNetValues)
	}
	if c.Steps < 0 || c.BatchSize < 1 || c.Warmup < 0 || !(c.LR > 0) || c.EMA < 0 || c.EMA >= 1 || c.ClipNorm < 0 {
		return bad("training needs Steps ≥ 0, BatchSize ≥ 1, LR > 0, 0 ≤ EMA < 1, ClipNorm ≥ 0")
	}
	if err := checkKind(c.Init, "init", InitKinds()); err != nil {
		return err
	}
	if c.Init == InitAnchors && (c.Anchors < 1 || c.MinClusterSize < 2 || c.AnchorPCs < 1) {
		return bad("anchors need Anchors ≥ 1, MinClusterSize ≥ 2, AnchorPCs ≥ 1")
	}
	if err := checkKind(c.Sampler, "sampler", SamplerKinds()); err != nil {
		return err
	}
	if c.SamplerSteps < 1 {
		return bad("SamplerSteps must be ≥ 1")
	}
	if err := checkKind(c.Discretiser, "discretiser", DiscretiserKinds()); err != nil {
		return err
	}
	if (c.Discretiser == DiscretiserThreshold || c.Discretiser == DiscretiserLD) && c.CalibrationSize < 10 {
		return bad("CalibrationSize must be ≥ 10")
	}
	if c.Discretiser == DiscretiserLD && (c.LDWindow < 1 || !(c.LDRidge >= 0) || math.IsInf(c.LDRidge, 0) || !(c.LDGain > 0 && c.LDGain <= 1)) {
		return bad("the ld discretiser needs LDWindow ≥ 1, a finite LDRidge ≥ 0 and 0 < LDGain ≤ 1 (got %d, %g, %g)", c.LDWindow, c.LDRidge, c.LDGain)
	}
	return nil
}
