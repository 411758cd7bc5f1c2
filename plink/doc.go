// Package plink reads and writes PLINK 1 binary filesets: X.bed (genotypes,
// SNP-major), X.bim (variants) and X.fam (samples).
//
// It knows the format only; package vcf reads a fileset into the same
// genotype type as a VCF (vcf.Open recognises a .bed by its magic bytes)
// and writes one from vcf sites (vcf.CreatePLINK).
//
// # Allele order
//
// A .bim line is "chrom ID cM position A1 A2". As plink2 does, gousynth
// reads A2 as REF and A1 as ALT, and writes ALT as A1 and REF as A2, so that
// plink2 --bfile X --export vcf gives back REF and ALT. In the .bed, each
// genotype is two bits, the first sample in the lowest bits of a byte: 00
// homozygous A1, 01 missing, 10 heterozygous, 11 homozygous A2. A dosage
// (count of ALT = A1 alleles) is therefore 2, Missing, 1 or 0. plink 1.9
// makes A1 the minor allele unless --keep-allele-order is given: a fileset
// written by plink 1.9 without it has REF and ALT swapped wherever ALT is
// the major allele.
//
// # Sample IDs
//
// A .fam line is "FID IID father mother sex phenotype". The sample ID is the
// IID when FID is "0" or equal to IID, else FID_IID, as plink2 --export vcf
// names samples; the writer writes FID "0", as plink2 --make-bed does for a
// VCF input.
package plink
