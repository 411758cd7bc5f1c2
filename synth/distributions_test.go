package synth

import (
	"bytes"
	"errors"
	"math"
	"strconv"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/stat"
)

// sampleMoments returns the column means and the sample covariance of x.
func sampleMoments(x *mat.Dense) ([]float64, *mat.SymDense) {
	n, d := x.Dims()
	mean := make([]float64, d)
	for j := range d {
		mean[j] = stat.Mean(mat.Col(nil, j, x), nil)
	}
	_ = n
	cov := mat.NewSymDense(d, nil)
	stat.CovarianceMatrix(cov, x, nil)
	return mean, cov
}

func TestGaussianMoments(t *testing.T) {
	mean := []float64{1, -2, 0.5}
	cov := mat.NewSymDense(3, []float64{
		2, 0.8, -0.3,
		0.8, 1, 0.2,
		-0.3, 0.2, 0.5,
	})
	g, err := NewGaussian(mean, cov)
	if err != nil {
		t.Fatal(err)
	}
	const n = 200000
	x := g.Sample(NewRand(7), n)
	m, c := sampleMoments(x)
	for i := range 3 {
		se := math.Sqrt(cov.At(i, i) / n)
		if math.Abs(m[i]-mean[i]) > 5*se {
			t.Errorf("mean[%d] = %v, want %v ± %v", i, m[i], mean[i], 5*se)
		}
		for j := range 3 {
			// Var of a sample covariance ≈ (Σii Σjj + Σij²)/n.
			se := math.Sqrt((cov.At(i, i)*cov.At(j, j) + cov.At(i, j)*cov.At(i, j)) / n)
			if math.Abs(c.At(i, j)-cov.At(i, j)) > 5*se {
				t.Errorf("cov[%d,%d] = %v, want %v ± %v", i, j, c.At(i, j), cov.At(i, j), 5*se)
			}
		}
	}
}

func TestGaussianRejectsBadCovariance(t *testing.T) {
	for name, tc := range map[string]struct {
		mean []float64
		cov  *mat.SymDense
	}{
		"not positive definite": {[]float64{0, 0}, mat.NewSymDense(2, []float64{1, 2, 2, 1})},
		"dimension mismatch":    {[]float64{0, 0, 0}, mat.NewSymDense(2, []float64{1, 0, 0, 1})},
		"empty":                 {nil, mat.NewSymDense(1, []float64{1})},
	} {
		t.Run(name, func(t *testing.T) {
			if _, err := NewGaussian(tc.mean, tc.cov); !errors.Is(err, ErrInvalid) {
				t.Fatalf("err = %v, want ErrInvalid", err)
			}
		})
	}
}

func TestSamplingIsDeterministic(t *testing.T) {
	f, _ := Funnel(10)
	for name, d := range map[string]Distribution{"two": TwoGaussians(), "grid": GaussianGrid25(), "funnel": f} {
		t.Run(name, func(t *testing.T) {
			a := d.Sample(NewRand(42), 100)
			b := d.Sample(NewRand(42), 100)
			c := d.Sample(NewRand(43), 100)
			if !mat.Equal(a, b) {
				t.Fatal("same seed gave different samples")
			}
			if mat.Equal(a, c) {
				t.Fatal("different seeds gave the same samples")
			}
			if r, cc := a.Dims(); r != 100 || cc != d.Dim() {
				t.Fatalf("dims %d×%d, want 100×%d", r, cc, d.Dim())
			}
		})
	}
}

func TestTwoGaussiansLabelsAndMoments(t *testing.T) {
	m := TwoGaussians()
	const n = 100000
	x, labels := m.SampleLabeled(NewRand(1), n)
	count := make([]int, 2)
	for _, l := range labels {
		count[l]++
	}
	for k, w := range m.Weights() {
		se := math.Sqrt(w * (1 - w) / n)
		if got := float64(count[k]) / n; math.Abs(got-w) > 5*se {
			t.Errorf("weight %d = %v, want %v", k, got, w)
		}
	}
	// Overall moments against the closed form of a mixture.
	mean, cov := sampleMoments(x)
	wantVar1 := 1 + 64*0.4*0.6
	wantMean1 := 0.4*-4 + 0.6*4
	if math.Abs(mean[0]-wantMean1) > 0.05 || math.Abs(mean[1]) > 0.02 {
		t.Errorf("mean = %v, want (%v, 0)", mean, wantMean1)
	}
	if math.Abs(cov.At(0, 0)-wantVar1)/wantVar1 > 0.02 || math.Abs(cov.At(1, 1)-1) > 0.02 {
		t.Errorf("variances = %v, %v; want %v, 1", cov.At(0, 0), cov.At(1, 1), wantVar1)
	}
	// Σ w_k Σ_k,12 + cross term: 0.4·0.5 + 0.6·(−0.5) = −0.1 (means share x2 = 0).
	if math.Abs(cov.At(0, 1)+0.1) > 0.03 {
		t.Errorf("cov12 = %v, want −0.1", cov.At(0, 1))
	}
	// Per-label means recover the component means.
	for k, mu := range m.Means() {
		var s [2]float64
		for i, l := range labels {
			if l == k {
				s[0] += x.At(i, 0)
				s[1] += x.At(i, 1)
			}
		}
		for j := range 2 {
			if got := s[j] / float64(count[k]); math.Abs(got-mu[j]) > 0.03 {
				t.Errorf("component %d mean[%d] = %v, want %v", k, j, got, mu[j])
			}
		}
	}
}

func TestGrid25(t *testing.T) {
	m := GaussianGrid25()
	if m.NumComponents() != 25 {
		t.Fatalf("%d components", m.NumComponents())
	}
	seen := map[[2]float64]bool{}
	for _, mu := range m.Means() {
		for _, v := range mu {
			if v != -4 && v != -2 && v != 0 && v != 2 && v != 4 {
				t.Fatalf("mean %v not on the grid", mu)
			}
		}
		seen[[2]float64{mu[0], mu[1]}] = true
	}
	if len(seen) != 25 {
		t.Fatalf("%d distinct means, want 25", len(seen))
	}
	// Every sample lies within 6 sd of its component's mean: the modes are
	// separated and the labels are right.
	x, labels := m.SampleLabeled(NewRand(3), 20000)
	means := m.Means()
	for i, l := range labels {
		dx, dy := x.At(i, 0)-means[l][0], x.At(i, 1)-means[l][1]
		if math.Hypot(dx, dy) > 0.6 {
			t.Fatalf("sample %d at (%v, %v) far from its mode %v", i, x.At(i, 0), x.At(i, 1), means[l])
		}
	}
}

func TestFunnelMoments(t *testing.T) {
	f, err := Funnel(100)
	if err != nil {
		t.Fatal(err)
	}
	const n = 50000
	x := f.Sample(NewRand(5), n)
	x1 := mat.Col(nil, 0, x)
	if m, v := stat.MeanVariance(x1, nil); math.Abs(m) > 0.03 || math.Abs(v-1) > 0.03 {
		t.Errorf("x1 mean, var = %v, %v; want 0, 1", m, v)
	}
	// E[x_i²] = E[e^{x1}] = e^{1/2} for i ≥ 2; average over coordinates.
	s := 0.0
	for i := range n {
		for _, v := range x.RawRowView(i)[1:] {
			s += v * v
		}
	}
	if got, want := s/float64(n*99), math.Exp(0.5); math.Abs(got-want)/want > 0.03 {
		t.Errorf("E[x_i²] = %v, want %v", got, want)
	}
	if _, err := Funnel(1); !errors.Is(err, ErrInvalid) {
		t.Errorf("Funnel(1) err = %v, want ErrInvalid", err)
	}
}

// TestScoresMatchFiniteDifferences checks every closed-form score against a
// central difference of the closed-form log density.
func TestScoresMatchFiniteDifferences(t *testing.T) {
	f, _ := Funnel(6)
	g, _ := NewGaussian([]float64{1, 2}, mat.NewSymDense(2, []float64{2, 0.7, 0.7, 1}))
	grid, _ := GaussianGrid(3, 1, 0.6) // overlapping modes: responsibilities matter
	for name, d := range map[string]Scorer{"gaussian": g, "two": TwoGaussians(), "grid": grid, "funnel": f} {
		t.Run(name, func(t *testing.T) {
			rng := NewRand(11)
			for range 20 {
				x := d.Sample(rng, 1).RawRowView(0)
				s := d.Score(x, nil)
				for i := range x {
					const h = 1e-5
					xp := append([]float64(nil), x...)
					xm := append([]float64(nil), x...)
					xp[i] += h
					xm[i] -= h
					fd := (d.LogDensity(xp) - d.LogDensity(xm)) / (2 * h)
					if math.Abs(fd-s[i]) > 1e-4*(1+math.Abs(fd)) {
						t.Fatalf("score[%d] at %v = %v, finite difference %v", i, x, s[i], fd)
					}
				}
			}
		})
	}
}

// TestLogDensityNormalised integrates the 2-D densities on a grid.
func TestLogDensityNormalised(t *testing.T) {
	grid, _ := GaussianGrid(2, 2, 0.5)
	for name, d := range map[string]Scorer{"two": TwoGaussians(), "grid": grid} {
		t.Run(name, func(t *testing.T) {
			const lo, hi, steps = -12.0, 12.0, 300
			h := (hi - lo) / steps
			sum := 0.0
			for i := range steps {
				for j := range steps {
					sum += math.Exp(d.LogDensity([]float64{lo + (float64(i)+0.5)*h, lo + (float64(j)+0.5)*h}))
				}
			}
			if got := sum * h * h; math.Abs(got-1) > 1e-3 {
				t.Fatalf("∫p = %v, want 1", got)
			}
		})
	}
}

func TestWriteTSVRoundTrip(t *testing.T) {
	x := TwoGaussians().Sample(NewRand(9), 50)
	var buf bytes.Buffer
	if err := WriteTSV(&buf, x); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n")
	if lines[0] != "x1\tx2" || len(lines) != 51 {
		t.Fatalf("header %q, %d lines", lines[0], len(lines))
	}
	for i, line := range lines[1:] {
		for j, f := range strings.Split(line, "\t") {
			v, err := strconv.ParseFloat(f, 64)
			if err != nil || v != x.At(i, j) {
				t.Fatalf("line %d field %d = %q, want %v", i+2, j+1, f, x.At(i, j))
			}
		}
	}
}

func TestAR1Gaussian(t *testing.T) {
	g, err := AR1Gaussian(6, 0.8)
	if err != nil {
		t.Fatal(err)
	}
	const n = 100000
	_, c := sampleMoments(g.Sample(NewRand(2), n))
	for i := range 6 {
		for j := range 6 {
			want := math.Pow(0.8, math.Abs(float64(i-j)))
			if se := math.Sqrt((1 + want*want) / n); math.Abs(c.At(i, j)-want) > 5*se {
				t.Errorf("cov[%d,%d] = %.4f, want %.4f", i, j, c.At(i, j), want)
			}
		}
	}
	if _, err := AR1Gaussian(3, 1); !errors.Is(err, ErrInvalid) {
		t.Errorf("rho = 1: err = %v, want ErrInvalid", err)
	}
}
