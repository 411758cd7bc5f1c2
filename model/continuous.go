package model

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"time"

	"gonum.org/v1/gonum/mat"

	"github.com/gousynth/gousynth/vcf"
)

// ContinuousModel is a diffusion model fitted on continuous data (any real
// values, e.g. the 2-D mixture of the GOU paper's §7.1) rather than on
// genotypes. It runs the same engine as Fit — eigenbasis, anchors, the
// process's Gaussian-residual score network, the same samplers — without
// the genotype-specific steps (probit latent space, discretisation), and it
// has no sites: it can only draw continuous samples.
type ContinuousModel struct {
	m *Model
}

// FitContinuous trains cfg's process on x (n × d finite real values, n ≥ 2).
// Config fields that concern genotypes (Latent, Discretiser,
// CalibrationSize, ProbitRounds…) are ignored. progress may be nil. The same
// x and cfg (including Seed) give the same model.
func FitContinuous(ctx context.Context, x *mat.Dense, cfg Config, progress func(Progress)) (*ContinuousModel, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if x == nil {
		return nil, fmt.Errorf("%w: nil matrix", ErrInput)
	}
	n, d := x.Dims()
	if n < 2 || d < 1 {
		return nil, fmt.Errorf("%w: %d samples × %d dimensions", ErrInput, n, d)
	}
	for i := 0; i < n; i++ {
		for j, v := range x.RawRowView(i) {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return nil, fmt.Errorf("%w: value %v at sample %d, coordinate %d", ErrInput, v, i+1, j+1)
			}
		}
	}
	reg, ok := registry[cfg.Process]
	if !ok {
		return nil, fmt.Errorf("%w: unknown process %q", ErrConfig, cfg.Process)
	}
	cfg.Latent = LatentDosage
	m := &Model{Config: cfg, TrainN: n, Fingerprint: fingerprint(x)}
	report := func(p Progress) {
		if progress != nil {
			progress(p)
		}
	}
	phase := func(name string, start time.Time) {
		m.Timings = append(m.Timings, PhaseTime{name, time.Since(start).Seconds()})
	}

	if err := m.fitScore(ctx, x, reg, false, report, phase, time.Now()); err != nil {
		return nil, err
	}
	return &ContinuousModel{m: m}, nil
}

// Sample draws n samples (n × d) in the data space. The same model, n and
// seed give the same samples.
func (c *ContinuousModel) Sample(ctx context.Context, n int, seed uint64) (*mat.Dense, error) {
	if n < 1 {
		return nil, fmt.Errorf("model: number of samples must be ≥ 1, got %d", n)
	}
	return c.m.sampleContinuous(ctx, n, rand.New(rand.NewPCG(seed, 0x636f6e74)))
}

// SampleChunks draws the samples Sample(ctx, n, seed) draws, in chunks of
// at most SampleChunkRows consecutive samples, in order, so that no n × d
// matrix is held: fn gets the index lo of the chunk's first sample and the
// chunk (rows × d), which it must not keep.
func (c *ContinuousModel) SampleChunks(ctx context.Context, n int, seed uint64, fn func(lo int, x *mat.Dense) error) error {
	if n < 1 {
		return fmt.Errorf("model: number of samples must be ≥ 1, got %d", n)
	}
	return c.m.sampleChunks(ctx, n, rand.New(rand.NewPCG(seed, 0x636f6e74)), fn)
}

// Config returns the configuration the model was fitted with.
func (c *ContinuousModel) Config() Config { return c.m.Config }

// TrainLoss returns the final training loss (EMA of the batch losses).
func (c *ContinuousModel) TrainLoss() float64 { return c.m.TrainLoss }

// Timings returns the wall time of each phase of the fit.
func (c *ContinuousModel) Timings() []PhaseTime {
	return append([]PhaseTime(nil), c.m.Timings...)
}

// Dim returns the data dimension d.
func (c *ContinuousModel) Dim() int { return c.m.Basis.Dim() }

// Encode returns the model in the model file format (Model.Encode), with
// sites naming its d coordinates (len(sites) must be d), so that a window's
// residual model can be stored in a windowed model file; the model keeps
// those sites. The thresholds section is written as zeros: a continuous
// model has none. DecodeContinuous reads it back.
func (c *ContinuousModel) Encode(sites []vcf.Site) ([]byte, error) {
	if d := c.Dim(); len(sites) != d {
		return nil, fmt.Errorf("%w: %d sites for a %d-dimensional continuous model", ErrInput, len(sites), d)
	}
	c.m.Sites = sites
	if len(c.m.Thresholds) != len(sites) {
		c.m.Thresholds = make([][2]float64, len(sites))
	}
	return c.m.Encode()
}

// DecodeContinuous parses a continuous model written by
// ContinuousModel.Encode, with Decode's checks. Sampling the decoded model
// uses the file's float32 eigenbasis, so its samples differ from the fitted
// model's in the last digits; a decoded model is deterministic.
func DecodeContinuous(data []byte) (*ContinuousModel, error) {
	m, err := Decode(data)
	if err != nil {
		return nil, err
	}
	if m.Config.Latent != LatentDosage {
		return nil, fmt.Errorf("%w: latent space %q is not that of a continuous model", ErrCorrupt, m.Config.Latent)
	}
	return &ContinuousModel{m: m}, nil
}
