// Package vcf streams genotype data in and out of Variant Call Format files.
//
// It is the only package of gousynth that touches VCF text. A Reader decodes
// plain or BGZF-compressed VCF (decompressing BGZF blocks in parallel) into a
// Genotypes value: the sites, the sample IDs, one int8 ALT-allele dosage per
// genotype and, when every call is phased, the two haplotypes. GT fields are
// parsed from raw bytes on the hot path; every other FORMAT field is skipped
// unread. A Writer produces BGZF-compressed VCF 4.2 with recomputed INFO
// AC/AN/AF and a tabix index, always through a temporary file that is renamed
// into place only when the whole file has been written.
package vcf
