package chrom

import (
	"fmt"
	"math/rand/v2"

	"github.com/gousynth/gousynth/model"
	"gonum.org/v1/gonum/mat"
)

// Mixture is a Gaussian mixture over the global PC scores, the ancestry
// latent of a synthetic cohort: k-means clusters of the training scores (each
// of at least a minimum size, so no component sits on one person), each with
// its mean and full covariance.
type Mixture struct {
	Weights []float64   `json:"weights"`
	Means   [][]float64 `json:"means"`
	Chol    [][]float64 `json:"chol"` // lower Cholesky factor, row-major K×K
}

// FitMixture fits a mixture of at most k components to the rows of scores
// (n×K), with components of at least minSize rows.
func FitMixture(scores *mat.Dense, k, minSize int, seed uint64) (*Mixture, error) {
	n, p := scores.Dims()
	if n < 2 || p < 1 {
		return nil, fmt.Errorf("%w: mixture of %d×%d scores", ErrOption, n, p)
	}
	if minSize < p+2 {
		minSize = p + 2
	}
	if k > n/minSize {
		k = max(n/minSize, 1)
	}
	pts := mat.DenseCopyOf(scores).RawMatrix().Data
	assign, kk := model.KMeans(pts, n, p, k, minSize, rand.New(rand.NewPCG(seed, 0x6d6978)))
	mx := &Mixture{}
	for c := 0; c < kk; c++ {
		var rows []int
		for i, a := range assign {
			if a == c {
				rows = append(rows, i)
			}
		}
		mu := make([]float64, p)
		for _, i := range rows {
			for j := 0; j < p; j++ {
				mu[j] += pts[i*p+j]
			}
		}
		for j := range mu {
			mu[j] /= float64(len(rows))
		}
		cov := mat.NewSymDense(p, nil)
		for a := 0; a < p; a++ {
			for b := a; b < p; b++ {
				var s float64
				for _, i := range rows {
					s += (pts[i*p+a] - mu[a]) * (pts[i*p+b] - mu[b])
				}
				cov.SetSym(a, b, s/float64(len(rows)-1))
			}
		}
		for a := 0; a < p; a++ { // ridge against singular clusters
			cov.SetSym(a, a, cov.At(a, a)*(1+1e-6)+1e-12)
		}
		var ch mat.Cholesky
		if !ch.Factorize(cov) {
			return nil, fmt.Errorf("chrom: covariance of ancestry component %d is not positive definite", c)
		}
		var l mat.TriDense
		ch.LTo(&l)
		flat := make([]float64, p*p)
		for a := 0; a < p; a++ {
			for b := 0; b <= a; b++ {
				flat[a*p+b] = l.At(a, b)
			}
		}
		mx.Weights = append(mx.Weights, float64(len(rows))/float64(n))
		mx.Means = append(mx.Means, mu)
		mx.Chol = append(mx.Chol, flat)
	}
	return mx, nil
}

// Sample draws n score vectors (n×K).
func (mx *Mixture) Sample(n int, rng *rand.Rand) *mat.Dense {
	p := len(mx.Means[0])
	out := mat.NewDense(n, p, nil)
	z := make([]float64, p)
	for i := 0; i < n; i++ {
		u := rng.Float64()
		c := len(mx.Weights) - 1
		for j, w := range mx.Weights {
			if u -= w; u <= 0 {
				c = j
				break
			}
		}
		for j := range z {
			z[j] = rng.NormFloat64()
		}
		for a := 0; a < p; a++ {
			v := mx.Means[c][a]
			for b := 0; b <= a; b++ {
				v += mx.Chol[c][a*p+b] * z[b]
			}
			out.Set(i, a, v)
		}
	}
	return out
}
