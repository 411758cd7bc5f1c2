// Package chrom makes chromosome-scale synthetic cohorts with windowed
// models: a whole chromosome (100,000+ SNPs) is far more than one model
// should see, so it is cut into windows, one model is fitted per window,
// and the windows are drawn back into one synthetic chromosome that keeps
// LD across window boundaries and each synthetic person's ancestry along
// the chromosome. By default (CondChain, chain.go) a window's model is a
// discrete autoregression of its genotypes given ancestry (package
// autoreg) and the windows are drawn in order as one chain; the other
// conditionings fit a diffusion model (package model) per window.
//
// # How a windowed fit works
//
//  1. Windows (CutWindows). Cuts follow LD: the crossing score S(k) of
//     ld.CrossingScores (mean r² of the pairs spanning gap k within 50 sites)
//     is computed on the training individuals, and the cuts minimise the
//     total S of the gaps cut over every cutting into about len/target
//     windows of 3/4 to 5/4 of the target size (DefaultWindowSNPs; dynamic
//     programming with a Lagrangian cost per cut, so that no window is left
//     without a weak gap to end at). A chromosome change is always a cut.
//     With CondChain and the conditionings that match candidates on it,
//     each window also holds the OverlapSNPs sites before its core, which
//     the previous window has already written: the chain conditions on
//     them, the matching selects on them (CondRegress has no overlap: it
//     would be fitted and thrown away).
//  2. Ancestry latent (ReplicatedAxes, FitPCA, FitMixture,
//     Mixture.Deconvolve). The top PCs of the whole chromosome's training
//     dosages (standardised; randomised subspace iteration streamed over SNP
//     chunks, so memory stays at the int8 genotypes) summarise ancestry. Of
//     at most Options.PCs, only as many are kept as replicate between the
//     PCs of the two halves of the sites (canonical correlations, Bartlett's
//     test): ancestry is shared along the genome, noise and LD are not. A Gaussian mixture of k-means
//     clusters (each of at least MinClusterSize individuals) on the training
//     scores generates every synthetic individual's PC scores first, with
//     stratified, interleaved component counts (every prefix of the cohort
//     has the training composition). With regression conditioning (the
//     default) the components' covariances are first deconvolved of the
//     individual noise that the window models add on the PCs themselves
//     (ResidualShareCov), so that it is not counted twice.
//  3. Windows in parallel (Plan.Run). Workers (GOMAXPROCS or --threads) fit
//     one window each. With regression conditioning (CondRegress, below)
//     each window draws one candidate per synthetic individual, with that
//     individual's latent; the selecting conditionings draw Oversample × n.
//     At most Workers+1 windows' data and results are in memory at once.
//  4. Assembly in order (Assembler). With CondRegress candidate i is
//     individual i's. With the selecting conditionings, for every window,
//     each synthetic individual (in a random order) takes the unused
//     candidate that minimises L1(overlap) + ½χ²(ancestry): the Manhattan
//     distance between the candidate's overlap dosages and what was already
//     written for that individual, plus the squared distance between the
//     candidate's PC scores as predicted from the window's own SNPs and the
//     individual's latent scores, each PC divided by that prediction's noise
//     variance on the training individuals. This is conditioning by
//     selection: as Oversample grows it draws each window from the model's
//     distribution conditioned on the overlap and the ancestry. The core
//     sites are then streamed to the output in order.
//
// Conditioning by a chain (CondChain, the default): each window fits, for
// every core site, a carrier and a homozygote logistic regression on the
// whole-chromosome PC scores (and, with population labels, one indicator
// per label) and on up to 16 of the 96 preceding sites' genotypes, which
// may lie in the overlap (autoreg.Fit). Job.Run draws nothing; the
// Assembler, Generate and GenerateStream hold one autoreg.Sampler of the
// synthetic individuals' latents and draw each window's core in order, so
// every individual is one draw from the chain across the whole
// chromosome. The window records of the model file hold the regressions
// (autoreg/file.go).
//
// Conditioning by regression (CondRegress and
// CondRegressMatch) conditions the window models themselves: each window's
// training dosages are regressed on the whole-chromosome PC scores (least
// squares with intercept, x_v = a_v + B_v·z + r_v), the window's residual
// model is fitted (by default in the latent Gaussian space of the
// genotypes given ancestry, LatentResidual in latent.go, with a GOU
// diffusion model on its leading directions; with Options.Residual =
// ResidDosage on the dosage residuals r with model.FitContinuous), and
// candidate c's
// genotype at site v is drawn from Binomial(2, p) with the
// individual-specific allele frequency p = (a_v + B_v·z_c)/2 of the latent
// z_c of synthetic individual c mod n (intercepts calibrated so that
// clipping p to [0, 1] keeps the training mean), at the quantile
// Φ((r − mean)/sd) of the candidate's residual sample, standardised by the
// residual model's own marginals (a Gaussian copula: the residual model's
// correlations become LD given ancestry; regressDiscretise). So E[g | z] =
// a + B·z exactly, genotypes are in Hardy–Weinberg proportions given
// ancestry, and every synthetic individual is an independent draw (a cohort
// of one is drawn as well as a large one; allele frequencies carry the
// binomial noise of the cohort's size on top of the training set's). regress
// draws n candidates and gives candidate i to individual i; regress-match
// draws Oversample·n and assembles them as match does. A and B, the
// genotype frequencies and the residual marginals are aggregates
// (Result.Coef, GenotypeFreq, ResidMean, ResidSD); the residual model is
// stored (the latent model's directions and autoregression as float32, its
// diffusion model and a dosage residual model as model files,
// model.ContinuousModel.Encode), so windowed model files fitted this way
// generate new cohorts like the others. docs/results-windowed-ld.md
// measures the latent model against the dosage one and the alternatives
// tried on the way.
//
// docs/results-windowed-conditioning.md has the measurements behind these
// choices: the cuts and conditionings compared, regression step by step,
// and the first whole-chromosome run.
//
// # The windowed model file
//
// file.go specifies the format of model.gsy for a windowed fit
// (FileWriter, OpenFile): the whole-chromosome header, then one record per
// window, then a checksum; generate reads it one window at a time.
//
// # The unit of work
//
// A window's fit and generation is one Job → Result, independent of every
// other window:
//
//	Job (inputs)                          Result (outputs)
//	  Window {Start, CoreStart, End}        Window
//	  Sites of [Start, End)                 Model: model file bytes (model.Decode)
//	  NTrain, Dosage: training dosages      NCandidates, Candidates: synthetic
//	    of the window, site-major int8        dosages of [Start, End), site-major
//	  K, PCMean, PCScale, Loadings: the     K, Ancestry: each candidate's
//	    global PCA restricted to the          predicted global PC scores;
//	    window                                Slope, NoiseVar: the read-out
//	  TrainScores: the training             Coef, GenotypeFreq (regression
//	    individuals' global PC scores         conditioning only; Model is then
//	                                          the residual model's bytes,
//	                                          model.DecodeContinuous)
//	  Model: model.Config (seeded)          FitSeconds, GenerateSeconds
//	  NCandidates, GenerateSeed
//	  Conditioning, Latent: candidates'
//	    synthetic latents (regression only)
//
// Job.Run is deterministic. EncodeJob/DecodeJob and EncodeResult/DecodeResult
// serialise both (gob), so windows can be scattered over machines and the
// results gathered; only the Assembler, which is cheap (popcounts over bit
// planes), runs in window order. A Job carries training genotypes and must
// stay in the trusted environment; a Result carries none.
//
// # Metrics (Evaluate, Evaluator)
//
// Everything is computed at chromosome scale without d² memory, and an
// Evaluator takes the synthetic cohort window by window as the fit makes
// it, so that the cohort is never held whole: LD r² MAE
// against the held-out individuals for pairs at most 50 SNPs apart, split
// into pairs inside one window's core and pairs straddling a boundary (with
// the inside MAE reweighted to the straddling pairs' SNP distances, and the
// floor of a training subset of the same size); allele-frequency r²;
// Wasserstein-2 per whole-chromosome training PC; per-window ancestry
// consistency (correlation of each individual's window-share of PC1/PC2 with
// its whole-chromosome score, next to the same for real test individuals);
// privacy on up to 5000 evenly spaced SNPs (identical-match rate, distance
// to the closest training record against held-out real individuals).
package chrom
