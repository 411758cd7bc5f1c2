package model

// Basis returns the eigenbasis the model's process runs in (its mean,
// scales, kept directions with their variances and residual covariance):
// aggregates of the training data, which a membership probe of a model
// file scores real individuals against (Basis.OutsideSpan,
// Basis.DensityScore). The caller must not modify it.
func (c *ContinuousModel) Basis() *Basis { return c.m.Basis }
