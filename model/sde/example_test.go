package sde_test

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"

	"github.com/gousynth/gousynth/model/sde"
)

// The Ornstein–Uhlenbeck process dU = −U dt + √2 dW has the kernel
// N(e^{−t} U_0, 1 − e^{−2t}) and the stationary law N(0, 1).
func ExampleLinear_Kernel() {
	ou, err := sde.NewLinear(mat.NewDense(1, 1, []float64{-1}), mat.NewDense(1, 1, []float64{math.Sqrt2}))
	if err != nil {
		fmt.Println(err)
		return
	}
	k, err := ou.Kernel(0.5)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("Φ = %.6f (e^-0.5 = %.6f)\n", k.Phi.At(0, 0), math.Exp(-0.5))
	fmt.Printf("Σ = %.6f (1 - e^-1 = %.6f)\n", k.Sigma.At(0, 0), 1-math.Exp(-1))
	st, err := ou.Stationary()
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("stationary variance %.6f\n", st.At(0, 0))
	// Output:
	// Φ = 0.606531 (e^-0.5 = 0.606531)
	// Σ = 0.632121 (1 - e^-1 = 0.632121)
	// stationary variance 1.000000
}

// A critically damped oscillator (a 2×2 drift with a double eigenvalue),
// run for 0.3 then 0.2 time units, has the kernel of one 0.5 span.
func ExamplePiecewiseKernel() {
	f := mat.NewDense(2, 2, []float64{0, 4, -1, -4})
	l := mat.NewDense(2, 1, []float64{0, math.Sqrt2})
	osc, err := sde.NewLinear(f, l)
	if err != nil {
		fmt.Println(err)
		return
	}
	two, err := sde.PiecewiseKernel([]sde.Linear{osc, osc}, []float64{0.3, 0.2})
	if err != nil {
		fmt.Println(err)
		return
	}
	one, _ := osc.Kernel(0.5)
	fmt.Println("same mean map:", mat.EqualApprox(two.Phi, one.Phi, 1e-12))
	fmt.Println("same covariance:", mat.EqualApprox(two.Sigma, one.Sigma, 1e-12))
	// Output:
	// same mean map: true
	// same covariance: true
}
