package autoreg

import (
	"fmt"
	"math"
	"math/rand/v2"
)

// Sampler draws M synthetic individuals site by site with their ancestry
// scores. It keeps the last Lags sites it drew, so that the models of
// consecutive blocks continue one chain; before the first site there is
// nothing to condition on and a predictor before it reads as dosage 0
// (fit the first block with first = 0 so that no site has one).
type Sampler struct {
	m, k, lags int
	anc        []float64
	hist       [][]int8 // ring of the last lags sites drawn
	drawn      int      // sites drawn so far
	rng        *rand.Rand
	x          []float64
}

// NewSampler returns a sampler of M individuals with ancestry scores anc
// (M×K row-major; nil when K = 0) that keeps lags sites of history. The
// draws are determined by seed.
func NewSampler(anc []float64, M, K, lags int, seed uint64) (*Sampler, error) {
	if M < 1 || K < 0 || len(anc) != M*K || lags < 1 || lags > 255 {
		return nil, fmt.Errorf("%w: sampler of %d individuals, %d ancestry scores, K %d, lags %d", ErrInput, M, len(anc), K, lags)
	}
	h := make([][]int8, lags)
	for i := range h {
		h[i] = make([]int8, M)
	}
	return &Sampler{m: M, k: K, lags: lags, anc: anc, hist: h,
		rng: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)), x: make([]float64, 1+K+lags)}, nil
}

// Draw draws the sites of mdl in order and returns them site-major
// (M×len(mdl.Sites)).
func (s *Sampler) Draw(mdl *Model) ([]int8, error) {
	if mdl.K != s.k || mdl.Lags > s.lags || len(mdl.AncMean) != mdl.K || len(mdl.AncSD) != mdl.K {
		return nil, fmt.Errorf("%w: a model of K %d and lags %d for a sampler of K %d and lags %d", ErrInput, mdl.K, mdl.Lags, s.k, s.lags)
	}
	M, K := s.m, s.k
	out := make([]int8, M*len(mdl.Sites))
	for v := range mdl.Sites {
		site := &mdl.Sites[v]
		// The predictors' rows in the history (nil: before the first site).
		rows := make([][]int8, len(site.Pred))
		for j, l := range site.Pred {
			if int(l) <= s.drawn {
				rows[j] = s.hist[(s.drawn-int(l))%s.lags]
			}
		}
		dst := out[v*M : (v+1)*M]
		x := s.x[:1+K+len(site.Pred)]
		for i := 0; i < M; i++ {
			x[0] = 1
			for k, z := range s.anc[i*K : (i+1)*K] {
				x[1+k] = (z - mdl.AncMean[k]) / mdl.AncSD[k]
			}
			for j, r := range rows {
				if r != nil {
					x[1+K+j] = float64(r[i])
				} else {
					x[1+K+j] = 0
				}
			}
			var g int8
			if s.rng.Float64() < site.Carrier.prob(x) {
				g = 1
				if s.rng.Float64() < site.Hom.prob(x) {
					g = 2
				}
			}
			dst[i] = g
		}
		copy(s.hist[s.drawn%s.lags], dst)
		s.drawn++
	}
	return out, nil
}

// prob returns P(y = 1 | x).
func (l *Logit) prob(x []float64) float64 {
	if l.Fixed >= 0 {
		return float64(l.Fixed)
	}
	var e float64
	for j, c := range l.Coef {
		e += c * x[j]
	}
	return sigmoid(e)
}

// LogLik returns the log-probability of one person's genotypes at the
// model's sites under the model, given the person's ancestry scores anc
// (K): obs holds the genotypes of the block (first context sites, then
// the model's; NaN where missing, which is skipped), pred the same with
// every missing call filled (the predictors' values).
func (m *Model) LogLik(anc, pred, obs []float64) (float64, error) {
	first := len(obs) - len(m.Sites)
	if len(anc) != m.K || len(pred) != len(obs) || first < 0 {
		return 0, fmt.Errorf("%w: %d ancestry scores, %d and %d genotypes for a model of K %d and %d sites", ErrInput, len(anc), len(pred), len(obs), m.K, len(m.Sites))
	}
	x := make([]float64, 1+m.K+m.Lags)
	var ll float64
	for v := range m.Sites {
		site := &m.Sites[v]
		g := obs[first+v]
		if g != g { // missing
			continue
		}
		x[0] = 1
		for k, z := range anc {
			x[1+k] = (z - m.AncMean[k]) / m.AncSD[k]
		}
		for j, l := range site.Pred {
			if u := first + v - int(l); u >= 0 {
				x[1+m.K+j] = pred[u]
			} else {
				x[1+m.K+j] = 0
			}
		}
		xs := x[:1+m.K+len(site.Pred)]
		pc := clampProb(site.Carrier.prob(xs))
		switch {
		case g < 0.5:
			ll += math.Log(1 - pc)
		default:
			ph := clampProb(site.Hom.prob(xs))
			if g < 1.5 {
				ll += math.Log(pc) + math.Log(1-ph)
			} else {
				ll += math.Log(pc) + math.Log(ph)
			}
		}
	}
	return ll, nil
}

// clampProb keeps p inside [1e−4, 1 − 1e−4], so that a genotype the model
// gives no chance scores finite.
func clampProb(p float64) float64 { return min(1-1e-4, max(1e-4, p)) }
