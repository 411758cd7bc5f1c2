// Package ld measures linkage disequilibrium (LD) in genotype data: dosage r²
// (what plink 1.9 --r2 reports), haplotype r², D and D′ for phased data,
// windowed pairwise LD, full r² matrices for heatmaps, LD decay curves and LD
// block detection. The report uses it to check that synthetic cohorts keep
// the LD of the real ones.
package ld
