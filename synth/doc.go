// Package synth simulates data whose truth is known.
//
// Genotype panels (Panel, PanelConfig): LD-block SNP panels with population
// structure, streamed to VCF site by site. PaperPreset is the design of §7.2
// of the GOU paper (fixed blocks, latent correlation ρ^|i−j|, MAF uniform on
// [0.05, 0.5]); OneKGLikePreset has LD decaying with bp distance like 1000
// Genomes. Each haplotype is a latent Gaussian process thresholded at its
// population's allele-frequency quantile (Bernoulli(p) alleles, Hardy–Weinberg
// dosages, defined haplotype r²); population frequencies follow the
// Balding–Nichols model at a given Fst. Every haplotype draws from its own
// random stream derived from (seed, haplotype), so output is byte-identical
// for a seed whatever the number of threads, and memory does not grow with
// the number of SNPs.
//
// Benchmark distributions (Distribution, Scorer): the 2-D two-Gaussian
// mixture of §7.1 (TwoGaussians), the 25-Gaussian grid (GaussianGrid25), the
// funnel of the CLD slides (Funnel) and correlated Gaussians (NewGaussian),
// with exact log densities and scores for testing the diffusion engine.
package synth
