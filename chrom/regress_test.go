package chrom

import (
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// regressFit is least squares: the residuals are orthogonal to the
// intercept and every score, and dosages that are an exact affine function
// of the scores (before rounding is irrelevant here: we test the normal
// equations) give back the coefficients of an independent closed form for
// K = 1 (slope = cov/var).
func TestRegressFitNormalEquations(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	n, d, K := 200, 7, 2
	scores := make([]float64, n*K)
	for i := range scores {
		scores[i] = rng.NormFloat64() * 3
	}
	dos := make([]int8, d*n)
	for v := 0; v < d; v++ {
		for i := 0; i < n; i++ {
			p := 1 / (1 + math.Exp(-0.5*scores[i*K]+0.3*float64(v-3)))
			g := 0
			for a := 0; a < 2; a++ {
				if rng.Float64() < p {
					g++
				}
			}
			dos[v*n+i] = int8(g)
		}
	}
	_, resid, err := regressFit(dos, n, d, scores, K)
	if err != nil {
		t.Fatal(err)
	}
	for v := 0; v < d; v++ {
		for k := -1; k < K; k++ {
			var s float64
			for i := 0; i < n; i++ {
				z := 1.0
				if k >= 0 {
					z = scores[i*K+k]
				}
				s += z * resid.At(i, v)
			}
			if math.Abs(s) > 1e-6 {
				t.Errorf("site %d: residuals · regressor %d = %g", v, k, s)
			}
		}
	}
	// K = 1 against slope = cov(x, z)/var(z), intercept = x̄ − slope·z̄.
	s1 := make([]float64, n)
	for i := range s1 {
		s1[i] = scores[i*K]
	}
	c1, _, err := regressFit(dos, n, d, s1, 1)
	if err != nil {
		t.Fatal(err)
	}
	for v := 0; v < d; v++ {
		var mx, mz float64
		for i := 0; i < n; i++ {
			mx += float64(dos[v*n+i]) / float64(n)
			mz += s1[i] / float64(n)
		}
		var sxz, szz float64
		for i := 0; i < n; i++ {
			sxz += (float64(dos[v*n+i]) - mx) * (s1[i] - mz)
			szz += (s1[i] - mz) * (s1[i] - mz)
		}
		b := sxz / szz
		if math.Abs(c1.At(1, v)-b) > 1e-6 || math.Abs(c1.At(0, v)-(mx-b*mz)) > 1e-6 {
			t.Errorf("site %d: coef (%g, %g), closed form (%g, %g)", v, c1.At(0, v), c1.At(1, v), mx-b*mz, b)
		}
	}
}

// Rank discretisation reproduces the training genotype counts exactly and
// is monotone in the continuous value.
func TestDiscretiseRanks(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	M, d := 301, 5
	y := mat.NewDense(M, d, nil)
	for i := 0; i < M; i++ {
		for v := 0; v < d; v++ {
			y.Set(i, v, rng.NormFloat64())
		}
	}
	freq := []float64{0.49, 0.42, 1, 0, 0, 0, 0.2, 0.2, 0.0, 0.5}
	g := discretiseRanks(y, freq)
	for v := 0; v < d; v++ {
		var c [3]int
		for i := 0; i < M; i++ {
			c[g[v*M+i]]++
		}
		n0 := int(freq[2*v]*float64(M) + 0.5)
		n1 := int((freq[2*v]+freq[2*v+1])*float64(M)+0.5) - n0
		if c[0] != n0 || c[1] != n1 || c[2] != M-n0-n1 {
			t.Errorf("site %d: counts %v, want %d %d %d", v, c, n0, n1, M-n0-n1)
		}
		for i := 0; i < M; i++ {
			for j := 0; j < M; j++ {
				if y.At(i, v) < y.At(j, v) && g[v*M+i] > g[v*M+j] {
					t.Fatalf("site %d: not monotone", v)
				}
			}
		}
	}
}
