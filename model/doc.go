// Package model is gousynth's generative engine: linear forward SDEs with
// exact Gaussian kernels (the isotropic VP baseline, the Geometry-aware
// Ornstein–Uhlenbeck process, critically damped Langevin), a float32 score
// network with its own backward pass, denoising score-matching training,
// reverse-time samplers with cluster-anchored initialisation, discretisation
// of continuous samples back to 0/1/2 genotypes, and versioned, checksummed
// model files that never contain a real individual's genotypes.
package model
