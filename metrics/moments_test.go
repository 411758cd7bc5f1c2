package metrics

import (
	"math/rand/v2"
	"slices"
	"testing"

	"gonum.org/v1/gonum/mat"
)

func TestFrobeniusBothPathsMatchDirect(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	for _, tc := range []struct{ na, nb, d int }{{30, 20, 5}, {6, 9, 40}, {300, 270, 1000}} {
		a := make([]float64, tc.na*tc.d)
		b := make([]float64, tc.nb*tc.d)
		for i := range a {
			a[i] = rng.NormFloat64()
		}
		for i := range b {
			b[i] = rng.NormFloat64()
		}
		A, B := mat.NewDense(tc.na, tc.d, a), mat.NewDense(tc.nb, tc.d, b)
		var ca, cb, diff mat.Dense
		ca.Mul(A.T(), A)
		cb.Mul(B.T(), B)
		diff.Sub(&ca, &cb)
		want := mat.Norm(&diff, 2)
		tol := 1e-9 * want
		if float64(tc.d)*float64(tc.na+tc.nb) > float64(tc.na*tc.na+tc.na*tc.nb+tc.nb*tc.nb) {
			tol = 1e-4 * want // Gram path, float32 products
		}
		near(t, "frobenius", newFrobRef(b, tc.nb, tc.d).dist(a, tc.na), want, tol)
		near(t, "frobenius of identical sets", newFrobRef(b, tc.nb, tc.d).dist(slices.Clone(b), tc.nb), 0, 0)
	}
}

func TestSlicedW2OfShiftedCohort(t *testing.T) {
	// Shifting every individual by c changes each projection θ by θ·c, so
	// SW2² = E_θ[(θ·c)²] = ‖c‖²/d for directions uniform on the sphere.
	rng := rand.New(rand.NewPCG(11, 12))
	const n, d = 200, 30
	x := &Matrix{N: n, D: d, Data: make([]float64, n*d)}
	for i := range x.Data {
		x.Data[i] = float64(rng.IntN(3))
	}
	y := &Matrix{N: n, D: d, Data: slices.Clone(x.Data)}
	c := make([]float64, d)
	norm2 := 0.0
	for j := range c {
		c[j] = rng.NormFloat64()
		norm2 += c[j] * c[j]
	}
	for i := 0; i < n; i++ {
		for j := 0; j < d; j++ {
			y.Data[i*d+j] += c[j]
		}
	}
	const L = 4000
	dirs := NewDirections(d, L, 99, 0x5bd1e995, DrawSiteMajor)
	sw := SlicedW2(dirs.SortedProjections(x), dirs.SortedProjections(y))
	near(t, "SW2²", sw*sw, norm2/d, 0.06*norm2/d)
	near(t, "SW2 self", SlicedW2(dirs.SortedProjections(x), dirs.SortedProjections(x)), 0, 0)
}
