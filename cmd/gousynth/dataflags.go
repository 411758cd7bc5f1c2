package main

import (
	"log/slog"
	"math"
	"strings"

	"github.com/gousynth/gousynth/app"
	"github.com/gousynth/gousynth/internal/limits"
	"github.com/gousynth/gousynth/internal/pathcheck"
	"github.com/gousynth/gousynth/model"
	"github.com/gousynth/gousynth/preprocess"
	"github.com/gousynth/gousynth/vcf"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// dataFlags are the input-selection and preprocessing flags of the commands
// that fit models (fit, compare).
type dataFlags struct {
	samples                            sampleFlags
	region, panel                      string
	maf, geno, mind, hwe, testFraction float64
	maxSNPs                            int
}

func (f *dataFlags) register(fs *pflag.FlagSet) {
	fs.StringVarP(&f.region, "region", "r", "", "only variants in `chr:start-end` (1-based, inclusive; uses the .tbi/.csi index when present)")
	f.samples.register(fs, "", "", false)
	fs.StringVar(&f.panel, "panel", "", "1000 Genomes panel `FILE` (sample pop super_pop gender): stratify the split and colour the report by population")
	fs.Float64Var(&f.maf, "maf", 0.01, "minimum minor-allele frequency")
	fs.Float64Var(&f.geno, "geno", 0.1, "maximum fraction of missing calls per SNP (0 = no filter)")
	fs.Float64Var(&f.mind, "mind", 0, "maximum fraction of missing calls per individual (0 = no filter)")
	fs.Float64Var(&f.hwe, "hwe", 0, "drop SNPs with a Hardy–Weinberg exact test p-value below this (0 = no filter)")
	fs.Float64Var(&f.testFraction, "test-fraction", 0.3, "fraction of individuals held out as the real test set (fit: 0 trains on every individual, and the report then has no held-out comparisons)")
	fs.IntVar(&f.maxSNPs, "max-snps", app.DefaultMaxSNPs, "SNP budget of one model: beyond it the first `N` consecutive SNPs are fitted (-1 = no limit)")
}

// options builds the data options of input (app.DataOptions.Validate
// checks them) and reads the sample lists.
func (f *dataFlags) options(fs *pflag.FlagSet, input string) (app.DataOptions, error) {
	o := app.DataOptions{Input: input, PanelPath: f.panel, TestFraction: f.testFraction, Seed: global.seed, MaxSNPs: f.maxSNPs}
	maxGiven := fs.Changed("max-snps")
	if !maxGiven {
		// The default budget: DefaultMaxSNPs, or fewer when the training
		// individuals are fewer (app.Data.WindowCap).
		o.MaxSNPs = 0
	}
	o.Filter = preprocess.DefaultFilterOptions()
	o.Filter.MinMAF, o.Filter.MaxSiteMissing, o.Filter.MaxSampleMissing, o.Filter.HWEPValue = f.maf, f.geno, f.mind, f.hwe
	if err := o.Validate(); err != nil {
		return o, err
	}
	if maxGiven && f.maxSNPs == 0 {
		// 0 is the API's default budget, not a budget.
		return o, usagef("--max-snps must be a positive number of SNPs or -1, got %d", f.maxSNPs)
	}
	o.Read.Region = f.region
	o.Read.Threads = global.threads
	if err := f.samples.apply(&o.Read); err != nil {
		return o, err
	}
	return o, nil
}

// files adds the input files of the data flags and input (the VCF and its
// index) to s.
func (f *dataFlags) files(s *pathcheck.Set, input string) {
	s.VCFInput("input VCF", input)
	s.Input("--panel file", f.panel)
	f.samples.files(s)
}

// checkOutDir refuses standard output as the output directory of cmd.
func checkOutDir(cmd *cobra.Command, dir string) error {
	if dir == pathcheck.StdStream {
		return usagef("%s: -o names an output directory (several files); - (standard output) is not possible; 'gousynth generate MODEL -o -' streams a VCF", cmd.Name())
	}
	return nil
}

// readIDList reads a samples file (vcf.ReadSampleFile: one whole ID per
// line, as bcftools -S); an empty path is no list.
func readIDList(path string) ([]string, error) {
	if path == "" {
		return nil, nil
	}
	return vcf.ReadSampleFile(path)
}

// modelFlags are the model settings of fit and compare. Zero values keep
// the process's measured default (model.DefaultConfig).
type modelFlags struct {
	steps, hidden, layers, batch, samplerSteps, anchors, minCluster, netDims int
	lr                                                                       float64
	sampler, discretiser, init                                               string
	cldEps                                                                   float64
	private                                                                  bool
	fs                                                                       *pflag.FlagSet
}

func (f *modelFlags) register(fs *pflag.FlagSet) {
	fs.IntVar(&f.steps, "steps", 0, "training steps (0 = the process's default)")
	fs.IntVar(&f.hidden, "hidden", 0, "hidden width of the score network (0 = default)")
	fs.IntVar(&f.layers, "layers", 0, "hidden layers of the score network (0 = default)")
	fs.IntVar(&f.netDims, "net-dims", -1, "leading eigen-directions whose score the network learns (0 = all, -1 = default)")
	fs.IntVar(&f.batch, "batch-size", 0, "training batch size (0 = default)")
	fs.Float64Var(&f.lr, "lr", 0, "learning rate (0 = default)")
	fs.StringVar(&f.sampler, "sampler", "", "reverse sampler: "+orList(model.SamplerKinds())+" (default: the process's)")
	fs.IntVar(&f.samplerSteps, "sampler-steps", 0, "reverse sampler steps (0 = default)")
	fs.StringVar(&f.discretiser, "discretiser", "", "continuous → 0/1/2: "+orList(model.DiscretiserKinds())+" (default "+model.DefaultConfig(model.ProcessGOU).Discretiser.String()+")")
	fs.StringVar(&f.init, "init", "", "sampler start: "+orList(model.InitKinds())+" (default: the process's)")
	fs.IntVar(&f.anchors, "anchors", 0, "k-means anchors of the GOU initialisation (0 = default)")
	fs.IntVar(&f.minCluster, "min-cluster-size", 0, "smallest cluster an anchor may summarise (0 = default)")
	fs.Float64Var(&f.cldEps, "cld-eps", model.DefaultCLDEps, "position noise ε of --process cld-eps (CLD-ε), > 0; other processes ignore it")
	fs.BoolVar(&f.private, "private", false, "single-model fits with more SNPs than half the training individuals (windowed fits ignore it): fewer basis directions, AR residual blocks and no score network at small noise, so that the model file and the synthetic cohort leak less membership, at a cost in fidelity (docs/privacy.md)")
	f.fs = fs
}

// config builds and validates the model configuration for process: the
// names of the process, sampler, discretiser and init are parsed, and the
// configuration checked, by package model.
func (f *modelFlags) config(process string) (model.Config, error) {
	for _, v := range []struct {
		name     string
		val, max int
	}{{"--steps", f.steps, limits.MaxSteps}, {"--hidden", f.hidden, limits.MaxHidden}, {"--layers", f.layers, limits.MaxLayers},
		{"--batch-size", f.batch, limits.MaxBatch}, {"--sampler-steps", f.samplerSteps, limits.MaxSamplerSteps},
		{"--anchors", f.anchors, limits.MaxAnchors}, {"--min-cluster-size", f.minCluster, limits.MaxIndividuals},
		{"--net-dims", f.netDims, limits.MaxSNPs}} {
		if v.val < 0 && v.name != "--net-dims" {
			return model.Config{}, usagef("%s must not be negative, got %d", v.name, v.val)
		}
		if v.val > v.max {
			return model.Config{}, usagef("%s must be at most %d, got %d", v.name, v.max, v.val)
		}
	}
	if f.lr < 0 {
		return model.Config{}, usagef("--lr must be positive, got %g", f.lr)
	}
	p, err := model.ParseProcessKind(process)
	if err != nil {
		return model.Config{}, &usageError{err.Error()}
	}
	c := model.DefaultConfig(p)
	setInt := func(dst *int, v int) {
		if v > 0 {
			*dst = v
		}
	}
	setInt(&c.Steps, f.steps)
	setInt(&c.Hidden, f.hidden)
	setInt(&c.Layers, f.layers)
	setInt(&c.BatchSize, f.batch)
	setInt(&c.SamplerSteps, f.samplerSteps)
	setInt(&c.Anchors, f.anchors)
	setInt(&c.MinClusterSize, f.minCluster)
	if f.netDims >= 0 {
		c.NetDims = f.netDims
	}
	if f.lr > 0 {
		c.LR = f.lr
	}
	if f.sampler != "" {
		if c.Sampler, err = model.ParseSamplerKind(f.sampler); err != nil {
			return model.Config{}, &usageError{err.Error()}
		}
	}
	if f.discretiser != "" {
		if c.Discretiser, err = model.ParseDiscretiserKind(f.discretiser); err != nil {
			return model.Config{}, &usageError{err.Error()}
		}
	}
	if f.init != "" {
		if c.Init, err = model.ParseInitKind(f.init); err != nil {
			return model.Config{}, &usageError{err.Error()}
		}
	}
	c.Private = f.private
	if f.fs != nil && f.fs.Changed("cld-eps") {
		switch {
		case !(f.cldEps > 0) || math.IsInf(f.cldEps, 0):
			return model.Config{}, usagef("--cld-eps must be a finite ε > 0 (ε = 0 is --process cld), got %g", f.cldEps)
		case c.Process == model.ProcessCLDEps:
			c.CLDEps = f.cldEps
		default:
			slog.Warn("--cld-eps applies to process cld-eps only; ignored", "process", process)
		}
	}
	c.Threads = global.threads
	if err := c.Validate(); err != nil {
		return c, &usageError{err.Error()}
	}
	return c, nil
}

// outputFlags are the synthetic-cohort and report flags of fit and compare.
type outputFlags struct {
	nSynth, ldWindowSNPs int
}

func (f *outputFlags) register(fs *pflag.FlagSet) {
	fs.IntVarP(&f.nSynth, "n", "n", 0, "synthetic individuals to generate (0 = as many as the input)")
	fs.IntVar(&f.ldWindowSNPs, "ld-window-snps", 200, "SNP window of the report's LD r² comparison")
}

// validate refuses what the application layer takes for its default
// (app.FitOptions.Validate checks the rest): --ld-window-snps 0.
func (f *outputFlags) validate() error {
	if f.ldWindowSNPs < 1 {
		return usagef("--ld-window-snps must be at least 1, got %d", f.ldWindowSNPs)
	}
	return nil
}

// orList lists the names of a model setting for a flag's help: "a, b or c".
func orList[T ~string](names []T) string {
	var s strings.Builder
	for i, n := range names {
		switch {
		case i == 0:
		case i == len(names)-1:
			s.WriteString(" or ")
		default:
			s.WriteString(", ")
		}
		s.WriteString(string(n))
	}
	return s.String()
}
