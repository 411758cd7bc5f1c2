package model

import (
	"context"
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// TestProbitLatentRecoversCorrelation simulates genotypes from the
// liability-threshold model with a known latent correlation and checks that
// Monte-Carlo EM recovers it and that the imputed liabilities reproduce the
// genotypes.
func TestProbitLatentRecoversCorrelation(t *testing.T) {
	const n = 3000
	rho := []float64{0.9, 0.5, -0.3}
	rng := rand.New(rand.NewPCG(11, 12))
	x := mat.NewDense(n, 4, nil)
	cut := [][2]float64{{-0.3, 1.2}, {0.2, 1.6}, {-0.8, 0.7}, {0.5, 2.0}}
	for i := 0; i < n; i++ {
		z0 := rng.NormFloat64()
		z := []float64{z0, 0, 0, 0}
		for k, r := range rho {
			z[k+1] = r*z0 + math.Sqrt(1-r*r)*rng.NormFloat64()
		}
		for j := range z {
			g := 0.0
			if z[j] > cut[j][0] {
				g++
			}
			if z[j] > cut[j][1] {
				g++
			}
			x.Set(i, j, g)
		}
	}
	th := probitThresholds(x)
	for j := range cut {
		for a := 0; a < 2; a++ {
			if math.Abs(th[j][a]-cut[j][a]) > 0.08 {
				t.Errorf("threshold %d,%d = %.3f, want %.3f", j, a, th[j][a], cut[j][a])
			}
		}
	}
	z, err := probitLatent(context.Background(), x, th, 10, 2, 1e-3, 1, 0)
	if err != nil {
		t.Fatal(err)
	}
	// Config.Threads: any number of goroutines gives the same liabilities.
	for _, threads := range []int{1, 3} {
		zt, err := probitLatent(context.Background(), x, th, 10, 2, 1e-3, 1, threads)
		if err != nil {
			t.Fatal(err)
		}
		if !mat.Equal(z, zt) {
			t.Fatalf("%d goroutines give other liabilities than GOMAXPROCS", threads)
		}
	}
	for i := 0; i < n; i++ {
		for j := 0; j < 4; j++ {
			l, h := bounds(x.At(i, j), th[j])
			if v := z.At(i, j); v < l || v > h {
				t.Fatalf("z[%d,%d] = %v outside [%v, %v]", i, j, v, l, h)
			}
		}
	}
	for k, r := range rho {
		c := corr(z, 0, k+1)
		t.Logf("rho %.2f: latent corr %.3f, dosage corr %.3f", r, c, corr(x, 0, k+1))
		if math.Abs(c-r) > 0.06 {
			t.Errorf("latent correlation %d = %.3f, want %.2f", k+1, c, r)
		}
	}
}

func corr(x *mat.Dense, a, b int) float64 {
	n, _ := x.Dims()
	var sa, sb, saa, sbb, sab float64
	for i := 0; i < n; i++ {
		u, v := x.At(i, a), x.At(i, b)
		sa += u
		sb += v
		saa += u * u
		sbb += v * v
		sab += u * v
	}
	fn := float64(n)
	cov := sab/fn - sa*sb/fn/fn
	return cov / math.Sqrt((saa/fn-sa*sa/fn/fn)*(sbb/fn-sb*sb/fn/fn))
}
