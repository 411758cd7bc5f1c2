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
//     With the conditionings that match candidates on it, each window also
//     fits the OverlapSNPs sites before its core, which the previous window
//     has already written (CondRegress, the default, has no overlap: it
//     would be fitted and thrown away).
//  2. Ancestry latent (FitPCA, FitMixture, Mixture.Deconvolve). The top PCs
//     of the whole chromosome's training dosages (standardised; randomised
//     subspace iteration streamed over SNP chunks, so memory stays at the
//     int8 genotypes) summarise ancestry. A Gaussian mixture of k-means
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
// Conditioning by regression (CondRegress, the default, and
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
// # Measured alternatives
//
// Simulated 1kg-like panel, 300 individuals × 5000 SNPs (4580 after MAF ≥
// 0.01), 3 populations at Fst 0.05, 210 training / 90 test, 5 windows of
// ~1000 SNPs, 300 training steps, 50 sampler steps, 2× candidates (opt-in
// TestConditioningExperiment). LD r² MAE for pairs ≤ 50 SNPs apart; "inside"
// is reweighted to the straddling pairs' distances; per-window PC1 is the
// correlation of each individual's window-share of PC1 with its global PC1
// (real test individuals: 0.56).
//
//	cuts     conditioning  inside  straddle (floor)   PC1 W2 (floor)  PC2 W2 (floor)  per-window PC1
//	LD       none          0.108   0.0130 (0.0124)    3.31 (4.29)     4.37 (1.87)     0.37
//	LD       ancestry      0.104   0.0232 (0.0124)    3.97 (4.29)     3.33 (1.87)     0.76
//	LD       match         0.111   0.0122 (0.0124)    2.09 (4.29)     3.10 (1.87)     0.58
//	uniform  none          0.104   0.168  (0.066)     2.84 (4.29)     4.24 (1.87)     0.36
//	uniform  ancestry      0.103   0.136  (0.066)     3.50 (4.29)     3.21 (1.87)     0.73
//	uniform  match         0.109   0.096  (0.066)     2.35 (4.29)     3.09 (1.87)     0.55
//
// Cutting at weak LD makes boundaries nearly free (straddling pairs carry
// little LD), but independent windows lose the individual's ancestry along
// the chromosome (0.37 against 0.56 for real people). Matching on the
// ancestry latent alone over-corrects (0.76: each window is pulled to the
// latent harder than real chromosomes are) and inflates straddling LD;
// matching on latent and overlap together gives real-like ancestry
// consistency and the floor's straddling error. With cuts that ignore LD,
// the overlap matching cuts the straddling error from 2.6× to 1.5× the floor.
//
// On the same panel cut into 43 windows of ~100 SNPs (100 training steps),
// AncestryWeight 0.5 / 2 / 8 gives PC1 W2 3.47 / 6.90 / 7.98 (floor 4.29) and
// per-window PC1 correlation 0.42 / 0.55 / 0.59 (real 0.34): a stronger pull
// to the latent over-corrects.
//
// Regression against selection (LD cuts, defaults; 1000 × 20,000 SNPs
// simulated 1kg-like, 3 populations, seed 10: 18,996 SNPs after MAF, 19
// windows, 700 training / 300 test; `gousynth fit --threads 2`):
//
//	conditioning   PC1 W2 (floor)  PC2 W2 (floor)  per-window PC1 (real)  inside (floor)   straddle (floor)  AF r² (floor)   CPU
//	match          6.99 (1.60)     7.32 (3.55)     0.641 (0.766)          0.091 (0.044)    0.0041 (0.0038)   0.977 (0.984)   77 s
//	regress        4.81 (1.60)     5.39 (3.55)     0.728 (0.766)          0.107 (0.044)    0.0038 (0.0038)   0.984 (0.984)   65 s
//	regress-match  5.55 (1.60)     6.15 (3.55)     0.695 (0.766)          0.107 (0.044)    0.0039 (0.0038)   0.982 (0.984)   68 s
//
// Wall 2:04 / 2:20 / 2:00 with the machine shared (load 5–7). (regress
// here is the first version: rank thresholds, multinomial latent; see the
// next table for what changed.) On the small
// panel above (5 windows, 90 test individuals) all three are within the PC
// W2 floor; per-window PC1 is 0.58 / 0.66 / 0.60 (real 0.56), inside LD
// 0.121 / 0.130 / 0.137 (floor 0.089), straddling 0.0135 / 0.0156 / 0.0134
// (floor 0.0124). regress-match adds nothing over regress: the ancestry
// term of the matching then only adds the read-out's noise.
//
// Privacy is unchanged (no identical matches; DCR median 1682 vs 1694 for
// match and 1641 for real test individuals). Regression restores much of the
// population structure and per-window ancestry and puts the boundaries and
// allele frequencies at their floor, but the LD inside windows is 17% worse:
// thresholding continuous samples attenuates correlations (a Gaussian pair
// of correlation ρ thresholded to 0/1/2 has a lower correlation, the more
// so for rare SNPs), and the residual model learns the dosage-scale
// correlation. Fitting the residuals in a latent (polychoric) space would
// undo that. match stays the default until then and until regress model
// files can generate.
//
// # Regression, step by step (issue 10)
//
// Why the first regression left the population structure 3× its floor, and
// what each change did. 1000 × 20,000 panel as above (`gousynth simulate
// --preset 1kg-like --individuals 1000 --snps 20000 --populations 3 --seed
// 10`, `gousynth fit --panel ... --threads 2 --seed 10
// --window-conditioning regress`), and the 2504 × 100,000 panel of issue 10
// (`--individuals 2504 --snps 100000 --populations 3 --seed 1`, 93,139 SNPs
// after MAF, 92 windows, 1752 training / 752 test, `--seed 1`). W2 per PC
// (floor):
//
//	change                                          20k PC1       20k PC2       100k PC1      100k PC2
//	rank thresholds (first version)                 5.18 (1.65)   5.72 (1.23)
//	+ per-site gain on B·z (Stein, Gaussian)        4.40          3.09
//	+ stratified mixture component counts           3.89          2.18
//	+ James–Stein shrinkage of B                    3.74          1.85          3.93 (1.83)   4.86 (2.07)
//	− shrinkage, + latent deconvolution                                         3.60          4.86
//	individual-specific allele frequencies          1.25 (1.65)   0.99 (1.23)   1.68 (1.83)   2.04 (2.07)
//	  (copula by ranks among the candidates)
//	  + deconvolution, prefix-stratified latent
//	the same, copula by the residual marginals      1.00          0.99          1.87          1.83
//	  (independent draws: the default now)
//
// What each row found. Thresholding a + B·z + r at the training genotype
// frequencies attenuates everything that is linear in the continuous value,
// the ancestry term included: the synthetic PC scores regressed on the
// latent had slope 0.75–0.78 (continuous samples: 0.99–1.01). A per-site
// gain calibrated for Gaussian terms restored the slope to 0.99 on the 20k
// panel, but with three populations the ancestry term is trimodal and on
// the 100k panel the synthetic populations' centres stayed 2.5–3% too close.
// Drawing mixture components multinomially moved 1–2% of the cohort between
// populations at random, which alone gives W2 of several units on PCs that
// separate populations by 100; stratified counts fix the cohort, and the
// metrics now use the first synthetic individuals (every prefix of the
// latent is stratified), because a random subset of 1752 of the 2504
// synthetic individuals gave PC1 W2 anywhere from 4.3 to 8.0 (2.6 for all
// of them). James–Stein shrinkage of the slopes made new people project
// like held-out ones on the weak PCs (PC3 sd 12.5 vs test 9.5 and training
// 12.8 on the 20k panel) but shrank the population centres by 4% on the
// 100k panel: removed. The latent drawn from training scores carries each
// training individual's own noise on the PCs, and the window residuals add
// fresh noise again; deconvolving the mixture (50% of its within-component
// variance on the 100k panel) made the synthetic populations as wide as the
// training ones. Individual-specific allele frequencies, E[g | z] = a + B·z
// exactly, put the centres where the training individuals' are. The first
// copula took each candidate's quantile from the rank of its residual among
// the candidates, which gives the training genotype frequencies exactly but
// couples the candidates: a cohort of one got the median genotype at every
// site. Standardising by the residual model's marginals makes every
// individual an independent draw, at the price of the binomial noise of
// the cohort's own size in its allele frequencies (AF r² 0.940 against a
// floor of 0.952 with 300 synthetic, 210 training and 90 test individuals;
// independent draws at the training frequencies give 0.942).
//
// # Whole chromosome (issue 10's run)
//
// 2504 × 100,000 SNPs above (93,139 after MAF ≥ 0.01), 3 populations, 92
// windows, defaults (regress), `--threads 2` on the idle 2-core machine:
// 8:08 wall, 956 s CPU, 1.80 GiB peak RSS. Against the 752 held-out
// individuals: straddling-pair LD MAE 0.0021 (floor 0.0020, 1.01×; inside
// pairs at the same distances 0.074); PC W2 1.87 / 1.83 / 4.26 / 4.07 /
// 4.06 / 3.58 (floors 1.83 / 2.07 / 4.82 / 5.07 / 4.75 / 5.11: 0.70–1.02×);
// per-window ancestry agreement PC1 0.78, PC2 0.79 (real 0.77, 0.78);
// allele-frequency r² 0.9912 (floor 0.9939; independent draws at the
// training frequencies 0.9926); no identical matches, DCR median 1843
// (test 1823). Inside windows the LD r² error is 3.3× its floor (0.093 vs
// 0.028): the window models' residual correlations are those of dosages,
// and a copula of them attenuates LD further.
//
// The earlier default, match, on a 2504 × 100,000 panel of the same design
// (93,544 SNPs): 1297 s CPU, PC1/PC2 W2 11× the floor (synthetic PC1 sd 36
// vs 53), per-window agreement 0.62 vs 0.78: each window's model draws
// candidates whose population structure is weaker than the real, and
// selection cannot add structure that no candidate has.
//
// The floor of the PC metrics is the training individuals projected on
// their own PCs, which spreads them wider than new people on the weak PCs
// (PC3 sd 12.8 against 9.5 for the test set on the 20k panel). The
// synthetic cohort follows the training spread, so on those PCs it sits at
// or below the floor; with fewer synthetic than training individuals the
// floor is a random subset of the training set and carries composition
// noise that the synthetic prefix does not.
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
