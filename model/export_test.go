package model

import (
	"context"
	"math/rand/v2"

	"gonum.org/v1/gonum/mat"
)

// Test hooks for the external test package (experiment harnesses).

// SampleContinuousForTest draws n continuous samples with the given seed.
func (m *Model) SampleContinuousForTest(ctx context.Context, n int, seed uint64) (*mat.Dense, error) {
	return m.sampleContinuous(ctx, n, rand.New(rand.NewPCG(seed, 0x74657374)))
}

// RediscretiseForTest recalibrates m's discretiser (disc, window, ridge) on
// the calibration sample cal against training dosages x.
func (m *Model) RediscretiseForTest(x, cal *mat.Dense, disc DiscretiserKind, window int, ridge, gain float64) {
	m.Config.Discretiser, m.Config.LDWindow, m.Config.LDRidge, m.Config.LDGain = disc, window, ridge, gain
	switch disc {
	case "ld":
		m.ld = newLDDisc(m.Basis, m.Config)
		m.Thresholds = calibrateLD(x, cal, m.ld)
	case "threshold":
		m.ld = nil
		m.Thresholds = calibrate(x, cal)
	}
}

// DiscretiseForTest turns continuous samples into genotypes with m's
// current discretiser.
func (m *Model) DiscretiseForTest(x *mat.Dense) [][]int8 {
	n, d := x.Dims()
	out := make([][]int8, n)
	for s := 0; s < n; s++ {
		out[s] = make([]int8, d)
		if m.Config.Discretiser == "ld" {
			m.ld.discretise(m.Thresholds, x.RawRowView(s), out[s], 1)
			continue
		}
		for v := 0; v < d; v++ {
			out[s][v] = m.discretise(v, x.At(s, v))
		}
	}
	return out
}

// CalibrateLabelsForTest recalibrates the per-label thresholds of a loaded
// labelled model against training dosages x with labels lab, with
// perPerson calibration draws per training individual of a label.
func (m *Model) CalibrateLabelsForTest(ctx context.Context, x *mat.Dense, lab *Labelling, perPerson int) error {
	m.labelling = lab
	defer func() { m.labelling = nil }()
	if m.Config.Discretiser == "ld" && m.ld == nil {
		m.ld = newLDDisc(m.Basis, m.Config)
	}
	return m.calibrateLabelsWith(ctx, x, perPerson)
}
