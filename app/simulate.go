package app

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/gousynth/gousynth/internal/atomicfile"
	"github.com/gousynth/gousynth/internal/limits"
	"github.com/gousynth/gousynth/internal/version"
	"github.com/gousynth/gousynth/synth"
	"github.com/gousynth/gousynth/vcf"
)

// SimulateConfig describes a simulation (the simulate command): a genotype
// panel with known LD and structure, or, with Distribution, samples of a
// benchmark distribution. The pointer fields are overrides: nil keeps the
// preset's value, so that a value given explicitly is checked (and, for
// the paper preset's block fields, refused by the 1kg-like preset) even
// when it equals the default.
type SimulateConfig struct {
	// Output is the VCF (.vcf.gz or .vcf.bgz, or a stream such as "-") of
	// a panel, or the TSV of a distribution.
	Output string
	Seed   uint64
	// Threads compress the VCF; the output does not depend on them.
	Threads int
	// Logger receives what was written (nil: slog.Default()).
	Logger *slog.Logger

	// Distribution, when set, draws N samples of a benchmark distribution
	// (two-gaussians, grid25 or funnel) instead of a panel; Dim is the
	// funnel's dimension (nil: DefaultFunnelDim).
	Distribution string
	N            int
	Dim          *int

	// Individuals × SNPs of the panel, designed by Preset ("paper" or
	// "1kg-like"; see synth.PaperPreset, synth.OneKGLikePreset).
	Individuals, SNPs int
	Preset            string
	// BlockSize, BlockSizes ("fixed" or "variable") and Rho override the
	// paper preset's LD blocks; the 1kg-like preset refuses them.
	BlockSize  *int
	BlockSizes *string
	Rho        *float64
	// Spectrum ("uniform", "beta", "1kg"; "": the preset's) with MAFMin
	// and MAFMax overriding its bounds.
	Spectrum       string
	MAFMin, MAFMax *float64
	// Populations and Fst override the preset's structure (Balding-Nichols);
	// Fst defaults to 0.05 when Populations > 1.
	Populations *int
	Fst         *float64
	// PanelOut is the panel file ("": PanelPath of Output), TruthOut, when
	// set, the TSV of each site's true frequencies.
	PanelOut, TruthOut string
	Chrom              string
	Unphased           bool
}

// PanelFile is where the panel file of a panel simulation goes: PanelOut,
// or Output with .vcf.gz replaced by .panel.
func (c SimulateConfig) PanelFile() string {
	if c.PanelOut != "" {
		return c.PanelOut
	}
	return PanelPath(c.Output)
}

// Validate checks c before any work; its errors are usage errors
// (ErrUsage).
func (c SimulateConfig) Validate() error {
	if c.Output == "" {
		return usagef("simulate: -o/--out is required")
	}
	if c.Distribution != "" {
		_, err := c.distribution()
		return err
	}
	_, err := c.panelConfig()
	return err
}

func (c SimulateConfig) dim() int {
	if c.Dim == nil {
		return DefaultFunnelDim
	}
	return *c.Dim
}

// distribution validates the distribution settings and returns it.
func (c SimulateConfig) distribution() (synth.Distribution, error) {
	if c.N < 1 {
		return nil, usagef("simulate: -n must be at least 1, got %d", c.N)
	}
	if err := checkCount("simulate: -n", c.N, 1, limits.MaxIndividuals); err != nil {
		return nil, err
	}
	dim := c.dim()
	if err := checkCount("simulate: --dim", dim, 1, limits.MaxSmall); err != nil {
		return nil, err
	}
	if c.Distribution == "funnel" && c.N*dim > limits.MaxValues {
		return nil, usagef("simulate: -n × --dim must be at most %d values, got %d × %d", limits.MaxValues, c.N, dim)
	}
	var d synth.Distribution
	switch c.Distribution {
	case "two-gaussians":
		d = synth.TwoGaussians()
	case "grid25":
		d = synth.GaussianGrid25()
	case "funnel":
		f, err := synth.Funnel(dim)
		if err != nil {
			return nil, usagef("simulate: --dim: %v", err)
		}
		d = f
	default:
		return nil, usagef("simulate: --distribution must be two-gaussians, grid25 or funnel, got %q", c.Distribution)
	}
	if c.Dim != nil && c.Distribution != "funnel" {
		return nil, usagef("simulate: --dim applies only to --distribution funnel")
	}
	return d, nil
}

// panelConfig validates the panel settings and returns the panel's design.
func (c SimulateConfig) panelConfig() (synth.PanelConfig, error) {
	if !atomicfile.IsStream(c.Output) && !strings.HasSuffix(c.Output, ".vcf.gz") && !strings.HasSuffix(c.Output, ".vcf.bgz") {
		return synth.PanelConfig{}, usagef("simulate: -o must end in .vcf.gz or .vcf.bgz (the VCF is bgzipped and tabix-indexed) or be - (standard output, no index), got %q", c.Output)
	}
	if atomicfile.IsStream(c.Output) && c.PanelOut == "" {
		return synth.PanelConfig{}, usagef("simulate: -o %s (standard output, a FIFO or a device) needs --panel-out FILE for the panel file", c.Output)
	}
	if err := checkCount("simulate: --individuals", c.Individuals, 1, limits.MaxIndividuals); err != nil {
		return synth.PanelConfig{}, err
	}
	if err := checkCount("simulate: --snps", c.SNPs, 1, limits.MaxSNPs); err != nil {
		return synth.PanelConfig{}, err
	}
	cfg, err := c.preset()
	if err != nil {
		return cfg, err
	}
	for _, step := range []func(*synth.PanelConfig) error{c.spectrum, c.structure} {
		if err := step(&cfg); err != nil {
			return cfg, err
		}
	}
	if c.Chrom == "" || strings.ContainsAny(c.Chrom, "\t\n\r,<>= ") {
		return cfg, usagef("simulate: invalid --chrom %q", c.Chrom)
	}
	cfg.Chrom = c.Chrom
	cfg.Unphased = c.Unphased
	return cfg, nil
}

// preset is the preset's design with the paper preset's block overrides.
func (c SimulateConfig) preset() (synth.PanelConfig, error) {
	switch c.Preset {
	case "paper":
		cfg := synth.PaperPreset(c.Individuals, c.SNPs)
		if c.BlockSize != nil {
			if err := checkCount("simulate: --block-size", *c.BlockSize, 1, limits.MaxSNPs); err != nil {
				return cfg, err
			}
			cfg.BlockSize = *c.BlockSize
		}
		if c.BlockSizes != nil {
			switch *c.BlockSizes {
			case "fixed":
			case "variable":
				cfg.VariableBlocks = true
			default:
				return cfg, usagef("simulate: --block-sizes must be fixed or variable, got %q", *c.BlockSizes)
			}
		}
		if c.Rho != nil {
			if rho := *c.Rho; !(rho >= 0 && rho <= 1) {
				return cfg, usagef("simulate: --rho must be in [0, 1], got %v", rho)
			}
			cfg.Rho = *c.Rho
		}
		return cfg, nil
	case "1kg-like":
		for _, o := range []struct {
			name string
			set  bool
		}{{"block-size", c.BlockSize != nil}, {"block-sizes", c.BlockSizes != nil}, {"rho", c.Rho != nil}} {
			if o.set {
				return synth.PanelConfig{}, usagef("simulate: --%s applies to --preset paper; the 1kg-like preset places blocks at recombination hotspots and sets LD by bp distance", o.name)
			}
		}
		return synth.OneKGLikePreset(c.Individuals, c.SNPs), nil
	}
	return synth.PanelConfig{}, usagef("simulate: --preset must be paper or 1kg-like, got %q", c.Preset)
}

// spectrum sets the allele-frequency spectrum of cfg.
func (c SimulateConfig) spectrum(cfg *synth.PanelConfig) error {
	switch c.Spectrum {
	case "":
	case "uniform":
		cfg.Spectrum = synth.UniformSpectrum()
	case "beta":
		cfg.Spectrum = synth.BetaSpectrum()
	case "1kg":
		cfg.Spectrum = synth.OneKGSpectrum()
	default:
		return usagef("simulate: --maf-spectrum must be uniform, beta or 1kg, got %q", c.Spectrum)
	}
	if c.MAFMin != nil {
		cfg.Spectrum.Min = *c.MAFMin
	}
	if c.MAFMax != nil {
		cfg.Spectrum.Max = *c.MAFMax
	}
	if s := cfg.Spectrum; !(s.Min > 0 && s.Min <= s.Max && s.Max <= 0.5) {
		return usagef("simulate: need 0 < --maf-min ≤ --maf-max ≤ 0.5, got %v and %v", s.Min, s.Max)
	}
	return nil
}

// structure sets the populations of cfg and their Fst.
func (c SimulateConfig) structure(cfg *synth.PanelConfig) error {
	if c.Populations != nil {
		if err := checkCount("simulate: --populations", *c.Populations, 1, 1000); err != nil {
			return err
		}
		cfg.Populations = *c.Populations
		if cfg.Populations > 1 && cfg.Fst == 0 {
			cfg.Fst = 0.05
		}
	}
	if cfg.Populations > c.Individuals {
		return usagef("simulate: %d populations need at least %d individuals, got %d", cfg.Populations, cfg.Populations, c.Individuals)
	}
	if c.Fst != nil {
		fst := *c.Fst
		if !(fst >= 0 && fst < 1) {
			return usagef("simulate: --fst must be in [0, 1), got %v", fst)
		}
		if cfg.Populations < 2 && fst > 0 {
			return usagef("simulate: --fst needs --populations 2 or more")
		}
		cfg.Fst = fst
	}
	if cfg.Populations == 1 {
		cfg.Fst = 0
	}
	return nil
}

// Simulate writes what c describes: a benchmark distribution's samples as
// a TSV, or a panel as a bgzipped, indexed VCF with its panel file (and
// the truth TSV), all together or none. The same Seed gives the same
// bytes whatever Threads is.
func Simulate(ctx context.Context, c SimulateConfig) error {
	if err := c.Validate(); err != nil {
		return err
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	if c.Distribution != "" {
		return c.simulateDistribution()
	}
	return c.simulatePanel(ctx)
}

func (c SimulateConfig) simulateDistribution() error {
	d, err := c.distribution()
	if err != nil {
		return err
	}
	x := d.Sample(synth.NewRand(c.Seed), c.N)
	f, err := atomicfile.Create(c.Output)
	if err != nil {
		return err
	}
	defer f.Abort()
	if err := synth.WriteTSV(f, x); err != nil {
		return fmt.Errorf("write %s: %w", c.Output, err)
	}
	if err := f.Commit(); err != nil {
		return err
	}
	c.Logger.Info("wrote benchmark samples", "distribution", c.Distribution, "n", c.N, "dim", d.Dim(), "output", c.Output)
	return nil
}

func (c SimulateConfig) simulatePanel(ctx context.Context) error {
	cfg, err := c.panelConfig()
	if err != nil {
		return err
	}
	p, err := synth.NewPanel(cfg, c.Seed)
	if err != nil {
		return usagef("simulate: %v", err)
	}
	startPhase(ctx, "simulate")
	start := time.Now()
	panelPath := c.PanelFile()
	pf, err := atomicfile.Create(panelPath)
	if err != nil {
		return err
	}
	defer pf.Abort()
	if err := synth.WritePanel(pf, p.Samples()); err != nil {
		return fmt.Errorf("write %s: %w", panelPath, err)
	}
	opt := synth.VCFOptions{
		Header: vcf.Header{
			// No command line: it holds --threads, and the file must not
			// depend on it. The ##gousynthSimulation line records the design.
			Source: "gousynth " + version.String() + " simulate",
		},
		Threads: c.Threads,
	}
	var tf *atomicfile.File
	if c.TruthOut != "" {
		if tf, err = atomicfile.Create(c.TruthOut); err != nil {
			return err
		}
		defer tf.Abort()
		opt.Truth = tf
	}
	if err := p.WriteVCF(ctx, c.Output, opt); err != nil {
		return err
	}
	if err := pf.Commit(); err != nil {
		return err
	}
	if tf != nil {
		if err := tf.Commit(); err != nil {
			return err
		}
	}
	c.Logger.Info("wrote simulated panel", "output", c.Output, "individuals", cfg.Individuals, "snps", cfg.SNPs,
		"populations", cfg.Populations, "panel", panelPath, "seconds", fmt.Sprintf("%.2f", time.Since(start).Seconds()))
	return nil
}
