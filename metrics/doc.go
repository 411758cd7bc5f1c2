// Package metrics computes the fidelity and privacy measures that gousynth
// reports: per-site moments and the Frobenius distances of covariance and
// correlation matrices, 1-D Wasserstein distances (per site and per
// principal component) and the sliced Wasserstein-2 distance, quantiles,
// KL divergences of genotype classes, allele frequencies, correlations,
// per-SNP genotype summaries (heterozygosity, Hardy–Weinberg deviation,
// folded site frequency spectrum), Hudson's Fst and its delete-one
// jackknife standard error over individuals, the LD summaries (window
// pair r², LD decay curves), a randomised principal-component analysis of
// standardised dosages, the Manhattan distances to the closest record
// (DCR) on bit-packed genotypes, KING-robust kinship, and the adversarial
// accuracy, AUCs and ROC curves of the membership-inference attacks.
//
// # Design
//
// The package computes and does not render: it imports no plotting or
// HTML package, only gonum's linear algebra and the genotype types of
// vcf. Package report lays the numbers out as metric rows next to their
// floors, verdicts, figures and HTML; package chrom (the chromosome-scale evaluator) and the compare
// harness of app call the same functions, so that each
// measure has one implementation.
//
// Where two callers legitimately need different settings the function
// takes them as options instead of being written twice, and each caller
// states its settings next to the call: the randomised PCA's oversampling,
// power iterations and orthonormalisation (PCAOptions), the draw of
// random directions (DirectionDraw), the quantile rule (QuantileMethod)
// and the treatment of missing calls in distances (Pack's fill). Some of
// those settings only reproduce a caller's earlier floating-point
// rounding; they are kept because the outputs of fit, report and compare
// (and the PCA stored in windowed model files) are pinned byte for byte,
// and the option's comment says so.
//
// gonum's stat package has WassersteinDistance and KullbackLeibler; the
// functions here compute the same quantities (the tests check them
// against gonum) but round differently (exact integer breakpoints of the
// two quantile functions; log(p/q) rather than log p − log q), so the
// pinned outputs keep these.
package metrics
