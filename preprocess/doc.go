// Package preprocess turns a raw Genotypes value into model-ready data: it
// filters sites and individuals (biallelic SNPs, minor-allele frequency, call
// rate, Hardy–Weinberg), imputes missing calls, selects SNPs and individuals,
// splits individuals into training and test sets (stratified by population
// when a panel is given) and builds the float dosage matrix the model fits.
// Every step records what it removed and why.
package preprocess
