// Package ld measures linkage disequilibrium (LD) in genotype data: dosage r²
// (what plink 1.9 --r2 reports), haplotype r², D and D′ for phased data,
// windowed pairwise LD, full r² matrices for heatmaps, LD decay curves and LD
// block detection. The report uses it to check that synthetic cohorts keep
// the LD of the real ones.
//
// Everything works on *vcf.Genotypes. The dosage r² of two sites is the
// squared Pearson correlation of their ALT allele counts over the
// individuals called at both (R2); R2Float and PairsFromMatrix compute the
// same quantity on float columns (continuous or imputed dosages), so real
// and synthetic data are measured alike.
//
// Windowed LD (Pairs, WriteTSV) is a hot path: tens of millions of pairs
// over thousands of individuals. Sites are packed into bit-planes and the
// sums n, Σx, Σy, Σx², Σy², Σxy over jointly called individuals come from
// popcounts over 64 individuals at a time (as in plink), or, for rare
// variants, from the short list of carriers; r² then follows from exact
// integer sums. Work is spread over goroutines in chunks of rows and
// delivered in order, so the output never depends on the number of threads.
// WriteTSV's output equals plink 1.9's --r2 text with tabs for spaces.
package ld
