// Package report compares a synthetic cohort with held-out real individuals:
// it computes fidelity metrics (the paper's moment, Wasserstein and KL errors,
// allele frequencies, LD, LD decay, PCA structure) and privacy metrics
// (distance to closest record, identical matches, adversarial accuracy,
// membership inference), each next to its floor, and renders them as JSON and
// as one self-contained HTML page.
package report
