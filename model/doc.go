// Package model is gousynth's generative engine: linear forward SDEs with
// exact Gaussian kernels (the isotropic VP baseline, the Geometry-aware
// Ornstein–Uhlenbeck process, critically damped Langevin; the generic
// Van Loan kernels are package sde), denoising score-matching training of
// a float32 score network (package nn), reverse-time samplers with
// cluster-anchored initialisation, discretisation of continuous samples
// back to 0/1/2 genotypes, and versioned, checksummed model files that
// never contain a real individual's genotypes.
//
// # How a fit works
//
//  1. Basis: the training dosages are centred (and, for VP, standardised) and
//     rotated into the eigen-coordinates y = Uᵀ(x − μ) of their covariance
//     (Gram route when SNPs outnumber individuals). Directions without
//     variance are dropped: their coordinate is 0 in every training row.
//  2. Process: in these coordinates GOU (c_i = −b(a + γ(1 − λ_i/λ_max))) and
//     VP are independent scalar OU processes with closed-form kernels
//     (diagProcess).
//  3. Score: the exact score of a Gaussian with the data's covariance,
//     −y_i/(m_i²λ_i + s_i), plus a residual the network learns
//     (ε-prediction) for the NetDims leading coordinates. LD is right by
//     construction; the network learns what is not Gaussian (clusters,
//     discreteness).
//  4. Training: Adam, warm-up + cosine learning rate, gradient clipping,
//     EMA weights (nn.Train); deterministic for a seed whatever the thread
//     count.
//  5. Sampling: from the eq. 12 anchor mixture (k-means++ cluster means
//     weighted by size, clusters of at least MinClusterSize individuals),
//     the exact time-T marginal or the stationary law; ancestral steps
//     (Tweedie mean of y_u | y_t with the Gaussian posterior variance: exact
//     for Gaussian data at any step count), Euler–Maruyama or Heun on the
//     probability-flow ODE.
//  6. Discretisation: per-SNP thresholds calibrated on a model sample so
//     that the training genotype frequencies are kept, applied in genomic
//     order with a damped Gaussian conditional update given the genotypes
//     already drawn for the preceding SNPs ("ld", the default: cutting each
//     SNP on its own attenuates LD), or on their own ("threshold"), or
//     rounding.
//
// # Adding a process (as CLD and CLD-ε were)
//
// A process is an engine inside this package (NetDims, Horizon, Batch,
// Sample; see engine.go), registered under its ProcessKind with
// registerProcess in an init function. Fit then reuses Basis, the anchors,
// the network and its trainer (package nn), the discretiser and the model
// file unchanged; the engine is rebuilt from Config and the stored
// eigenvalues when a model is loaded, so its parameters belong in Config.
// The engines, their processes and the sampling interface between them are
// unexported: callers choose a process by name (Config.Process) and use
// Fit, Generate and the model file.
package model
