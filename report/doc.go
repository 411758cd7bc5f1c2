// Package report compares a synthetic cohort with held-out real individuals:
// it computes fidelity metrics (the paper's moment, Wasserstein and KL errors,
// allele frequencies, LD, LD decay, PCA structure) and privacy metrics
// (distance to closest record, identical matches, adversarial accuracy,
// membership inference), each next to its floor, and renders them as JSON and
// as one self-contained HTML page. The measures themselves (moments and
// covariance distances, Wasserstein distances, quantiles, KL, per-SNP
// genotype summaries, LD summaries, Hudson's Fst, the PCA, distances to the
// closest record, KING kinship, the attacks' AUCs) are package metrics',
// which chrom and the compare harness share; report draws the subsets,
// assembles the measures into Metric rows, floors, verdicts and figures.
//
// # Cohorts and the floor
//
// Evaluate takes three cohorts over the same sites: the real test cohort
// (held out, never seen in training), the synthetic cohort and the real
// training cohort. A metric alone says little; next to its floor it says how
// far from "as good as real data" the synthetic cohort is. The floor is the
// same metric for m real training individuals (a seeded random subset)
// judged against the same test cohort, and m synthetic individuals are
// evaluated (a seeded random subset when there are more), so both carry the
// same sampling noise. m = min(n_synth, n_train) unless Options.FloorSize
// says otherwise. Missing calls are replaced by the cohort's mean dosage of
// the site for fidelity metrics.
//
// # Metrics
//
// Paper: mean_error and std_error (mean over SNPs of the absolute difference
// of dosage means and SDs), cov_frobenius and corr_frobenius (‖C_X − C_test‖_F
// of the SNP × SNP covariance and correlation, monomorphic SNPs correlate 0;
// computed through n × n Gram matrices when there are more SNPs than
// individuals), w2_mean and w2_snp1…5 (per-SNP 1-D Wasserstein-2 of dosages),
// kl_mean (per-SNP KL(test ‖ X) of genotype-class frequencies, each smoothed
// as (f + 1e-3)/(1 + 3e-3)), sliced_w2 (sqrt of the mean squared 1-D W2 over
// Options.Projections random unit directions).
//
// Genetics: af_r2 (squared Pearson correlation of ALT allele frequencies);
// ld_r2_mae and ld_r2_corr (mean absolute difference and Pearson correlation
// of dosage r², package ld, over the SNP pairs of the window; undefined r²
// counts as 0); ld_decay_l2 (Euclidean distance between LD decay curves, the
// mean r² in log-spaced distance bins, metrics.DecayEdges and BinMeans).
//
// Structure: pca_w1_mean and pca_w1_pc1…4: Wasserstein-1 distance between
// the PC scores of X and of the test cohort, on the top Options.PCs principal
// axes of the training cohort (standardised dosages, metrics.FitDosagePCA). The axes
// are fitted without the floor subset when at least 200 training individuals
// remain, so that all compared individuals are projected out of sample.
//
// Privacy, against the training cohort (Manhattan distance on dosages,
// missing calls filled with the training cohort's rounded mean): dcr_median
// and dcr_p5 (distance to the closest training record), with held-out test
// individuals as the floor; identical_match_rate (must be 0); aats, the
// nearest-neighbour adversarial accuracy of Yale et al. (2020) on m synthetic
// versus m training individuals (0.5 ideal, near 0 for copies), and its two
// halves aa_train and aa_synth (docs/privacy.md); kinship_related_share, the
// share of synthetic individuals with a training relative of 2nd degree or
// closer (KING-robust kinship > 0.0884, the estimator of plink2 --make-king,
// see Kinship), and kinship_max, each next to held-out individuals; mia_auc,
// the AUC of −(distance to the closest synthetic individual) separating
// training members from held-out non-members (0.5 ideal), and ratio_mia_auc,
// the same for the distance-ratio attack (metrics.DistanceRatioScores), which
// calibrates each candidate's distance by its distance to a reference half of
// the held-out individuals, and freq_mia_auc, the allele-frequency
// likelihood-ratio attack of Homer et al. (2008) on the synthetic cohort's
// allele frequencies against that reference half's
// (metrics.FrequencyLRScores), which needs no distances at all and grows
// with √(SNPs)/(training individuals).
//
// RunAudit runs the privacy checks alone, with a verdict and the ROC curves
// of the attacks (gousynth audit); docs/privacy.md explains them.
//
// # Ratios and verdicts
//
// Metric.Ratio is "times worse than the floor" for every metric: Value/Floor
// for errors, (1 − Value)/(1 − Floor) for r² and correlations, Floor/Value for
// distances to the closest record. Each fidelity area (LD, allele
// frequencies, structure) is judged by its worst ratio: good ≤ GoodRatio
// (1.5), fair ≤ FairRatio (3), else poor. Privacy is poor with any identical
// match, and otherwise graded by the membership-inference AUCs (GoodMIA,
// FairMIA), the kinship share against held-out individuals
// (RelatedShareMargin), the 5th-percentile DCR ratio (GoodDCRRatio, FairDCRRatio) and how
// far AATS falls below 0.5 beyond what held-out real individuals show
// (GoodAATSGap, FairAATSGap).
//
// # Output
//
// WriteJSON writes the metrics with a caller-provided Provenance; NaN (not
// assessed) becomes null. WriteHTML writes one HTML file with inline CSS
// (and a print stylesheet), a table of contents and inline SVG figures
// (gonum/plot for line, bar and histogram plots; scatter plots with one
// glyph per SNP or individual as inline PNG in SVG, so that the page stays
// small; heatmaps as inline PNG in SVG), no scripts and no network access.
// Every floor has Options.FloorDraws draws (Metric.FloorDraws): further
// random floor subsets for the fidelity metrics, bootstrap resamples and
// new subsets of the held-out individuals for the privacy floors; the HTML
// metrics table shows their range.
// Figures: LD r² as one triangle pair (real test below the diagonal,
// synthetic above) and a difference panel on a symmetric scale fitted to the
// data, with Mb ticks; LD decay; allele frequencies, the folded site
// frequency spectrum, heterozygosity and Hardy–Weinberg F per SNP, genotype
// class frequencies; PCA (populations in Okabe–Ito colours and shapes,
// synthetic individuals by Options.SynthLabels when given); IBS distance
// to the closest training and to the closest synthetic individual, and the
// ROC of the membership-inference attack (ROC, from the scores of AUC).
// For windowed fits HTMLOptions.Overview (see WindowErrors) adds a
// chromosome overview and a zoom to any window: a strip of per-window LD
// error over its floor whose bars link to each window's LD triangle pair and
// difference panel (Overview.Heatmaps, shown with CSS :target, no script). All text goes through html/template. The page shows summaries of the real cohorts
// (LD, allele frequencies, PC coordinates of test individuals, distances),
// never sample IDs or genotypes.
package report
