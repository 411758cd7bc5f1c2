package model

import (
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/stat"

	"github.com/gousynth/gousynth/synth"
	"github.com/gousynth/gousynth/vcf"
)

// TestFitContinuousGaussian: on Gaussian data the Gaussian-residual score is
// exact, so even a briefly trained model must reproduce the data's mean and
// covariance to Monte-Carlo accuracy, for every process; the same seed gives
// the same samples.
func TestFitContinuousGaussian(t *testing.T) {
	g, err := synth.NewGaussian([]float64{1, -2, 0.5}, mat.NewSymDense(3, []float64{
		4, 1.2, 0,
		1.2, 1, -0.3,
		0, -0.3, 0.25,
	}))
	if err != nil {
		t.Fatal(err)
	}
	n, m := 3000, 4000
	samplerSteps := 50
	if testing.Short() {
		n, m, samplerSteps = 1500, 1500, 20
	}
	x := g.Sample(rand.New(rand.NewPCG(5, 6)), n)
	for _, proc := range []ProcessKind{ProcessGOU, ProcessVP, ProcessCLD} {
		t.Run(string(proc), func(t *testing.T) {
			cfg := DefaultConfig(proc)
			cfg.Steps, cfg.Hidden, cfg.SamplerSteps = 60, 16, samplerSteps
			cm, err := FitContinuous(context.Background(), x, cfg, nil)
			if err != nil {
				t.Fatal(err)
			}
			if cm.Dim() != 3 || cm.Config().Process != proc {
				t.Fatalf("dim %d process %q", cm.Dim(), cm.Config().Process)
			}
			s, err := cm.Sample(context.Background(), m, 7)
			if err != nil {
				t.Fatal(err)
			}
			mean := g.Mean()
			cov := g.Cov()
			got := mat.NewSymDense(3, nil)
			stat.CovarianceMatrix(got, s, nil)
			for j := 0; j < 3; j++ {
				mu := mat.Sum(s.ColView(j)) / float64(m)
				// 5 standard errors of the sample means of both sets.
				se := math.Sqrt(cov.At(j, j)/float64(n) + cov.At(j, j)/float64(m))
				if math.Abs(mu-mean[j]) > 5*se+0.02*math.Sqrt(cov.At(j, j)) {
					t.Errorf("mean of x%d = %.3f, want %.3f (± %.3f)", j+1, mu, mean[j], 5*se)
				}
				for k := 0; k <= j; k++ {
					// SE of a covariance estimate: √((σjj σkk + σjk²)/n), both sets.
					v := cov.At(j, j)*cov.At(k, k) + cov.At(j, k)*cov.At(j, k)
					se := math.Sqrt(v/float64(n) + v/float64(m))
					if d := math.Abs(got.At(j, k) - cov.At(j, k)); d > 5*se+0.05*math.Sqrt(cov.At(j, j)*cov.At(k, k)) {
						t.Errorf("cov(x%d, x%d) = %.3f, want %.3f (± %.3f)", j+1, k+1, got.At(j, k), cov.At(j, k), 5*se)
					}
				}
			}
			again, err := cm.Sample(context.Background(), m, 7)
			if err != nil {
				t.Fatal(err)
			}
			if !mat.Equal(s, again) {
				t.Error("same seed gave different samples")
			}
		})
	}
}

func TestFitContinuousRejectsBadInput(t *testing.T) {
	cfg := DefaultConfig("gou")
	cfg.Steps = 1
	x := mat.NewDense(3, 2, []float64{0, 1, 2, 3, math.NaN(), 1})
	if _, err := FitContinuous(context.Background(), x, cfg, nil); !errors.Is(err, ErrInput) {
		t.Errorf("NaN input: %v, want ErrInput", err)
	}
	if _, err := FitContinuous(context.Background(), mat.NewDense(1, 2, nil), cfg, nil); !errors.Is(err, ErrInput) {
		t.Errorf("one sample: %v, want ErrInput", err)
	}
	cfg.Process = "ddpm"
	if _, err := FitContinuous(context.Background(), mat.NewDense(3, 2, []float64{0, 1, 2, 3, 4, 1}), cfg, nil); !errors.Is(err, ErrConfig) {
		t.Errorf("unknown process: %v, want ErrConfig", err)
	}
	cm := &ContinuousModel{}
	if _, err := cm.Sample(context.Background(), 0, 1); err == nil {
		t.Error("0 samples accepted")
	}
}

// A continuous model survives its file format: the decoded model samples
// what the fitted one does up to the float32 eigenbasis, for a full basis
// and for a capped basis with its block residual (d > n/2); a flipped bit
// and a site list of the wrong length are errors.
func TestContinuousModelFileRoundTrip(t *testing.T) {
	for _, tc := range []struct {
		name string
		n, d int
	}{{"full basis", 400, 6}, {"capped basis", 60, 80}} {
		t.Run(tc.name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(8, 9))
			x := mat.NewDense(tc.n, tc.d, nil)
			for i := 0; i < tc.n; i++ {
				f := rng.NormFloat64()
				for j := 0; j < tc.d; j++ {
					x.Set(i, j, f*float64(j%3)+rng.NormFloat64())
				}
			}
			cfg := DefaultConfig("gou")
			cfg.Steps, cfg.Hidden, cfg.SamplerSteps = 20, 16, 10
			cm, err := FitContinuous(context.Background(), x, cfg, nil)
			if err != nil {
				t.Fatal(err)
			}
			sites := make([]vcf.Site, tc.d)
			for j := range sites {
				sites[j] = vcf.Site{Chrom: "1", Pos: 100 + j, Ref: "A", Alt: "G"}
			}
			if _, err := cm.Encode(sites[1:]); err == nil {
				t.Error("Encode accepted too few sites")
			}
			b, err := cm.Encode(sites)
			if err != nil {
				t.Fatal(err)
			}
			back, err := DecodeContinuous(b)
			if err != nil {
				t.Fatal(err)
			}
			if back.Dim() != tc.d || back.Config().Process != "gou" {
				t.Fatalf("decoded dim %d process %q", back.Dim(), back.Config().Process)
			}
			s1, err := cm.Sample(context.Background(), 50, 3)
			if err != nil {
				t.Fatal(err)
			}
			s2, err := back.Sample(context.Background(), 50, 3)
			if err != nil {
				t.Fatal(err)
			}
			if !mat.EqualApprox(s1, s2, 1e-3) {
				t.Error("decoded model samples differ from the fitted model's beyond float32 rounding")
			}
			bad := append([]byte(nil), b...)
			bad[len(bad)-5] ^= 0x10
			if _, err := DecodeContinuous(bad); !errors.Is(err, ErrCorrupt) {
				t.Errorf("flipped bit: %v, want ErrCorrupt", err)
			}
		})
	}
}
