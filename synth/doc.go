// Package synth simulates genotype data whose truth is known: LD-block SNP
// panels with population structure (the paper's §7.2 design, and a preset
// whose LD decay resembles 1000 Genomes), streamed to VCF, and the low-
// dimensional benchmark distributions (Gaussian mixtures, the funnel) used to
// test and compare the diffusion engine.
package synth
