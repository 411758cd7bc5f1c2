// Package autoreg models genotypes along the genome as a discrete
// autoregression given ancestry: each site's genotype is drawn from two
// logistic regressions on the synthetic person's ancestry latent and on the
// genotypes already drawn for a few of the preceding sites.
//
// # Why
//
// A Gaussian model of dosages (or of latent Gaussians) cut into 0/1/2
// genotypes attenuates linkage disequilibrium: the thresholds shrink every
// correlation, most of all the strong ones (docs/results-windowed-ld.md).
// Conditioning each genotype on the genotypes already drawn keeps it: a
// logistic regression fitted by maximum likelihood satisfies the score
// equations Σ_i (y_i − μ_i)·x_i = 0, so in the training data the fitted
// model reproduces every cross-moment between a site's genotype classes and
// its predictors, that is the dosage covariances that make r². The
// genotypes are drawn, never copied: no training genotype is stored.
//
// # The model of one site
//
// Site v's predictors are x = (1, z_1..z_K, g_{v−l_1}, …, g_{v−l_m}): an
// intercept, the K ancestry scores and the dosages of m preceding sites
// (0/1/2, raw). Two logistic regressions make a continuation-ratio model of
// the three genotype classes:
//
//	P(g ≥ 1 | x)        = σ(α·x)    (carrier)
//	P(g = 2 | g ≥ 1, x) = σ(β·x)    (homozygote, fitted on the carriers)
//
// Both are fitted by Newton's method on the log-likelihood with a ridge
// penalty ½λ‖·‖² on every coefficient but the intercept (Config.Ridge), which
// keeps them finite where a predictor separates the classes (perfect LD).
//
// # Choosing the preceding sites
//
// Of the Config.Lags preceding sites, at most Config.Keep are kept by
// forward selection on the training covariances of the sites' residuals
// after regression on ancestry: the site that explains most of the
// remaining variance of g_v first, then the one that explains most of what
// that leaves, and so on (a sweep of the (Lags+1)² residual covariance
// matrix per choice), as long as Schwarz's criterion says the next one pays
// for its coefficient (n·log(RSS/RSS′) > log n for n training rows). The
// criterion keeps fewer predictors where there are few people, which is
// where a regression on many of them would start to describe individuals:
// on a panel of 245 people × 5000 SNPs it took the nearest-distance
// membership AUC from 0.63 to 0.59 (docs/results-windowed-ld.md).
// Far sites are chosen where they carry LD that near ones do not (long
// haplotypes), so that LD up to Lags sites is kept at the cost of Keep
// predictors. Fitting costs O(n·Lags) per site for the covariances and
// O(n·(1+K+Keep)²) per Newton step.
//
// # Chains across blocks
//
// A Model covers the sites of one block (a window); its first sites may
// condition on sites before the block (Fit's first argument says how many
// context sites the block starts with). A Sampler keeps the last Lags sites
// it drew, so the models of consecutive blocks continue one chain: the
// blocks can be fitted in parallel and drawn in genomic order.
package autoreg
