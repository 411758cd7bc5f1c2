// Package chrom makes chromosome-scale synthetic cohorts with windowed
// models: a whole chromosome (100,000+ SNPs) is far more than one diffusion
// model should see, so it is cut into windows, one model (package model) is
// fitted per window, and the windows are stitched back into one synthetic
// chromosome that keeps LD across window boundaries and each synthetic
// person's ancestry along the chromosome.
//
// # How a windowed fit works
//
//  1. Windows (CutWindows). Cuts follow LD: the crossing score S(k) of
//     ld.CrossingScores (mean r² of the pairs spanning gap k within 50 sites)
//     is computed on the training individuals, and each window ends at the
//     gap of lowest S among those that leave it between 3/4 and 5/4 of the
//     target size (DefaultWindowSNPs). A chromosome change is always a cut.
//     Each window also fits the OverlapSNPs sites before its core, which the
//     previous window has already written.
//  2. Ancestry latent (FitPCA, FitMixture). The top PCs of the whole
//     chromosome's training dosages (standardised; randomised subspace
//     iteration streamed over SNP chunks, so memory stays at the int8
//     genotypes) summarise ancestry. A Gaussian mixture of k-means clusters
//     (each of at least MinClusterSize individuals) on the training scores
//     generates every synthetic individual's PC scores first.
//  3. Windows in parallel (Plan.Run). Workers (GOMAXPROCS or --threads) fit
//     one window each; each window's model draws Oversample × n candidates.
//     At most Workers+1 windows' data and results are in memory at once.
//  4. Assembly in order (Assembler). For every window, each synthetic
//     individual (in a random order) takes the unused candidate that
//     minimises L1(overlap) + ½χ²(ancestry): the Manhattan distance between
//     the candidate's overlap dosages and what was already written for that
//     individual, plus the squared distance between the candidate's PC
//     scores as predicted from the window's own SNPs and the individual's
//     latent scores, each PC divided by that prediction's noise variance on
//     the training individuals. This is conditioning by selection: as
//     Oversample grows it draws each window from the model's distribution
//     conditioned on the overlap and the ancestry. Its core sites are then
//     streamed to the output in order.
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
//	  TrainScores: the training             FitSeconds, GenerateSeconds
//	    individuals' global PC scores
//	  Model: model.Config (seeded)
//	  NCandidates, GenerateSeed
//
// Job.Run is deterministic. EncodeJob/DecodeJob and EncodeResult/DecodeResult
// serialise both (gob), so windows can be scattered over machines and the
// results gathered; only the Assembler, which is cheap (popcounts over bit
// planes), runs in window order. A Job carries training genotypes and must
// stay in the trusted environment; a Result carries none.
//
// # Metrics (Evaluate)
//
// Everything is computed at chromosome scale without d² memory: LD r² MAE
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
