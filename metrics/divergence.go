package metrics

import "math"

// KLSmoothing is the pseudo-frequency ε added to each class of a
// distribution, (f + ε)/(1 + Kε) over K classes, before a KL divergence
// is taken, so that an empty class does not make it infinite.
const KLSmoothing = 1e-3

// KL returns KL(p‖q) = Σ p log(p/q) in nats (terms with p = 0 count 0).
func KL(p, q []float64) float64 {
	s := 0.0
	for k := range p {
		if p[k] > 0 {
			s += p[k] * math.Log(p[k]/q[k])
		}
	}
	return s
}
