package autoreg

import (
	"fmt"
	"math"
	"math/rand/v2"
)

// ChunkRows is the number of individuals of one chunk of a Sampler: each
// chunk has its own random stream and history, so a chunk's draws are the
// same whether the cohort is drawn whole (Draw) or chunk by chunk
// (DrawChunk, for memory bounded independently of the cohort's size).
const ChunkRows = 4096

// Sampler draws M synthetic individuals site by site with their ancestry
// scores. It keeps the last lags sites it drew for every individual, so
// that the models of consecutive blocks continue one chain; before the
// first site there is nothing to condition on and a predictor before it
// reads as dosage 0 (fit the first block with first = 0 so that no site
// has one). Individuals are drawn in chunks of ChunkRows.
type Sampler struct {
	m, k, lags int
	chunks     []*chunkSampler
}

// chunkSampler is the chain of the individuals [lo, lo+rows).
type chunkSampler struct {
	lo, rows int
	anc      []float64 // rows×K
	hist     [][]int8  // ring of the last lags sites drawn
	drawn    int       // sites drawn so far
	rng      *rand.Rand
}

// NewSampler returns a sampler of M individuals with ancestry scores anc
// (M×K row-major; nil when K = 0) that keeps lags sites of history. The
// draws are determined by seed.
func NewSampler(anc []float64, M, K, lags int, seed uint64) (*Sampler, error) {
	if M < 1 || K < 0 || len(anc) != M*K || lags < 1 || lags > 255 {
		return nil, fmt.Errorf("%w: sampler of %d individuals, %d ancestry scores, K %d, lags %d", ErrInput, M, len(anc), K, lags)
	}
	s := &Sampler{m: M, k: K, lags: lags}
	for lo := 0; lo < M; lo += ChunkRows {
		rows := min(ChunkRows, M-lo)
		h := make([][]int8, lags)
		for i := range h {
			h[i] = make([]int8, rows)
		}
		c := uint64(lo / ChunkRows)
		s.chunks = append(s.chunks, &chunkSampler{lo: lo, rows: rows, anc: anc[lo*K : (lo+rows)*K], hist: h,
			rng: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15^(c*0xbf58476d1ce4e5b9)))})
	}
	return s, nil
}

// NumChunks is the number of chunks of individuals (DrawChunk).
func (s *Sampler) NumChunks() int { return len(s.chunks) }

// Draw draws the sites of mdl in order for every individual and returns
// them site-major (M×len(mdl.Sites)).
func (s *Sampler) Draw(mdl *Model) ([]int8, error) {
	if err := s.check(mdl); err != nil {
		return nil, err
	}
	d := len(mdl.Sites)
	out := make([]int8, s.m*d)
	for _, c := range s.chunks {
		blk := c.draw(mdl, s.k, s.lags)
		for v := 0; v < d; v++ {
			copy(out[v*s.m+c.lo:v*s.m+c.lo+c.rows], blk[v*c.rows:(v+1)*c.rows])
		}
	}
	return out, nil
}

// DrawChunk draws the sites of mdl for the individuals of chunk c only and
// returns them site-major (rows×len(mdl.Sites)) with the chunk's first
// individual and size. Every chunk must draw every model, in order.
func (s *Sampler) DrawChunk(mdl *Model, c int) (blk []int8, lo, rows int, err error) {
	if err := s.check(mdl); err != nil {
		return nil, 0, 0, err
	}
	if c < 0 || c >= len(s.chunks) {
		return nil, 0, 0, fmt.Errorf("%w: chunk %d of %d", ErrInput, c, len(s.chunks))
	}
	ch := s.chunks[c]
	return ch.draw(mdl, s.k, s.lags), ch.lo, ch.rows, nil
}

func (s *Sampler) check(mdl *Model) error {
	if mdl.K != s.k || mdl.Lags > s.lags || len(mdl.AncMean) != mdl.K || len(mdl.AncSD) != mdl.K {
		return fmt.Errorf("%w: a model of K %d and lags %d for a sampler of K %d and lags %d", ErrInput, mdl.K, mdl.Lags, s.k, s.lags)
	}
	return nil
}

// draw draws the chunk's individuals at the sites of mdl, site-major.
func (c *chunkSampler) draw(mdl *Model, K, lags int) []int8 {
	M := c.rows
	out := make([]int8, M*len(mdl.Sites))
	x := make([]float64, 1+K+mdl.Lags)
	rows := make([][]int8, 0, mdl.Lags)
	for v := range mdl.Sites {
		site := &mdl.Sites[v]
		// The predictors' rows in the history (nil: before the first site).
		rows = rows[:0]
		for _, l := range site.Pred {
			var r []int8
			if int(l) <= c.drawn {
				r = c.hist[(c.drawn-int(l))%lags]
			}
			rows = append(rows, r)
		}
		dst := out[v*M : (v+1)*M]
		xs := x[:1+K+len(site.Pred)]
		for i := 0; i < M; i++ {
			xs[0] = 1
			for k, z := range c.anc[i*K : (i+1)*K] {
				xs[1+k] = (z - mdl.AncMean[k]) / mdl.AncSD[k]
			}
			for j, r := range rows {
				if r != nil {
					xs[1+K+j] = float64(r[i])
				} else {
					xs[1+K+j] = 0
				}
			}
			var g int8
			if c.rng.Float64() < site.Carrier.prob(xs) {
				g = 1
				if c.rng.Float64() < site.Hom.prob(xs) {
					g = 2
				}
			}
			dst[i] = g
		}
		copy(c.hist[c.drawn%lags], dst)
		c.drawn++
	}
	return out
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

// K is the number of ancestry scores the sampler's individuals have.
func (s *Sampler) K() int { return s.k }
