// Package preprocess turns a raw Genotypes value into model-ready data: it
// filters sites and individuals (biallelic SNPs, minor-allele frequency, call
// rate, Hardy–Weinberg), imputes missing calls, selects SNPs and individuals,
// splits individuals into training and test sets (stratified by population
// when a panel is given) and builds the float dosage matrix the model fits.
// Every step records what it removed and why (Log), as plink does.
//
// Missing calls are imputed with the site's mean dosage: Matrix fills the
// exact (float) mean, ImputeMean the rounded mean for code that needs
// genotype classes. Mean imputation keeps every site's mean and adds no
// correlation between sites; see Matrix for the trade-off.
//
// Random choices (splits, subsamples, SNP subsets) use math/rand/v2's PCG
// seeded explicitly, so the same seed and input give the same result.
package preprocess
