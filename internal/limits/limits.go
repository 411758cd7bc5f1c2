// Package limits holds the largest values gousynth accepts for counts that
// size memory or the number of workers. They are far above any real cohort
// or chromosome (UK Biobank has 5 × 10^5 individuals, the largest human
// chromosome about 7 × 10^6 SNPs in 1000 Genomes) and far below what would
// exhaust a machine before any work is done; a flag or a model file beyond
// them is refused with a clear message instead of a runtime crash.
// README.md's "Errors and limits" table lists them.
package limits

const (
	// MaxThreads bounds --threads. Workers are further bounded by the work:
	// never more than there are units of work (blocks, windows, rows).
	MaxThreads = 1024
	// MaxIndividuals bounds every count of individuals or samples: -n,
	// --individuals, --dist-n, --floor-size, and the training size a model
	// file declares.
	MaxIndividuals = 10_000_000
	// MaxSNPs bounds every count of SNPs or sites: --snps, --max-snps,
	// window and block sizes in SNPs.
	MaxSNPs = 100_000_000
	// MaxSteps bounds training steps (--steps).
	MaxSteps = 10_000_000
	// MaxSamplerSteps bounds reverse sampler steps (--sampler-steps).
	MaxSamplerSteps = 1_000_000
	// MaxHidden bounds the width of the score network (--hidden).
	MaxHidden = 1 << 16
	// MaxLayers bounds the hidden layers of the score network (--layers).
	MaxLayers = 256
	// MaxBatch bounds the training batch (--batch-size).
	MaxBatch = 1 << 20
	// MaxAnchors bounds the k-means anchors (--anchors).
	MaxAnchors = 1 << 16
	// MaxNetValues bounds the weights (hidden² × layers) and the activations
	// of one batch (batch × hidden) of the score network.
	MaxNetValues = 1 << 28
	// MaxSmall bounds small counts whose cost grows with them: --decay-bins,
	// --projections, --pcs, --heatmap-cells, --oversample, --dim.
	MaxSmall = 100_000
	// MaxValues bounds the values a benchmark distribution holds in memory
	// (simulate --distribution: -n × --dim).
	MaxValues = 200_000_000
)
