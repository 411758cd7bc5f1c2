package model

import (
	"context"
	"math"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"

	"github.com/gousynth/gousynth/vcf"

	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/stat"
	"gonum.org/v1/gonum/stat/distuv"
)

// ldPanel simulates n genotypes at d SNPs: each haplotype is a latent
// AR(1) Gaussian (correlation rho between neighbours) thresholded at its
// SNP's allele-frequency quantile, so neighbouring SNPs are in strong LD.
func ldPanel(rng *rand.Rand, n, d int, rho float64) *mat.Dense {
	q := make([]float64, d)
	for j := range q {
		q[j] = distuv.UnitNormal.Quantile(1 - (0.1 + 0.35*rng.Float64()))
	}
	x := mat.NewDense(n, d, nil)
	for i := 0; i < n; i++ {
		for h := 0; h < 2; h++ {
			z := rng.NormFloat64()
			for j := 0; j < d; j++ {
				if j > 0 {
					z = rho*z + math.Sqrt(1-rho*rho)*rng.NormFloat64()
				}
				if z > q[j] {
					x.Set(i, j, x.At(i, j)+1)
				}
			}
		}
	}
	return x
}

// gaussSample draws n rows from N(μ, Σ) of the basis (exactly the Gaussian
// the engine's continuous samples follow when the network adds nothing).
func gaussSample(b *Basis, n int, rng *rand.Rand) *mat.Dense {
	r := b.Rank()
	y := mat.NewDense(n, r, nil)
	for i := 0; i < n; i++ {
		for c := 0; c < r; c++ {
			y.Set(i, c, math.Sqrt(b.Lambda[c])*rng.NormFloat64())
		}
	}
	return b.Decode(y)
}

// lagSlope is Σ s·t / Σ t² over SNP pairs at lags [lo, hi) of the
// covariances of a (synthetic) and ref (training).
func lagSlope(a, ref *mat.Dense, lo, hi int) float64 {
	var ca, cr mat.SymDense
	stat.CovarianceMatrix(&ca, a, nil)
	stat.CovarianceMatrix(&cr, ref, nil)
	_, d := a.Dims()
	var st, tt float64
	for i := 0; i < d; i++ {
		for l := lo; l < hi && i+l < d; l++ {
			st += ca.At(i, i+l) * cr.At(i, i+l)
			tt += cr.At(i, i+l) * cr.At(i, i+l)
		}
	}
	return st / tt
}

// TestLDDiscretiserKeepsLD: continuous samples drawn exactly from the
// training Gaussian lose about a quarter of their neighbour covariance when
// each SNP is thresholded on its own (Sheppard-type attenuation, the arcsine
// law for two Gaussians cut at thresholds). The "ld" discretiser recovers a
// part of it without overshooting (slope of synthetic on training
// covariances above threshold's by > 0.03, and ≤ 1 within Monte-Carlo
// error), in one chunk and in chunks shorter than the panel, and keeps the
// genotype frequencies as "threshold" does. (On pure Gaussian samples of a
// strongly discrete panel the recovery is partial, about 0.75 → 0.84; on the
// engine's samples of the 1000 Genomes region it is complete, see
// docs/results-ld.md.)
func TestLDDiscretiserKeepsLD(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 5))
	n, d := 3000, 60
	if testing.Short() {
		n = 1500
	}
	x := ldPanel(rng, n, d, 0.95)
	b, err := newBasisFor(x, false, false)
	if err != nil {
		t.Fatal(err)
	}
	cal := gaussSample(b, n, rng)
	gen := gaussSample(b, n, rng)
	freqs := genotypeFreqs(x)
	disc := func(th [][2]float64, ld *ldDisc) *mat.Dense {
		g := mat.NewDense(n, d, nil)
		out := make([]int8, d)
		for i := 0; i < n; i++ {
			if ld != nil {
				ld.discretise(th, gen.RawRowView(i), out, 1)
			}
			for k := 0; k < d; k++ {
				if ld == nil {
					out[k] = cut(th[k], gen.At(i, k))
				}
				g.Set(i, k, float64(out[k]))
			}
		}
		return g
	}
	// The slope estimate's Monte-Carlo error: covariances of n draws have
	// relative sd about (1+ρ²)^½/(ρ√n) ≲ 1.5/√n per pair; pairs at
	// neighbouring lags are strongly dependent, so no averaging is assumed.
	tol := 4 * 1.5 / math.Sqrt(float64(n))
	plain := lagSlope(disc(calibrate(x, cal), nil), x, 1, 6)
	if plain > 0.9 {
		t.Errorf("threshold discretiser: neighbour covariance slope %.3f, expected attenuation (below 0.9)", plain)
	}
	for _, w := range []int{d, 10} {
		cfg := DefaultConfig("gou")
		cfg.LDWindow, cfg.LDGain = w, 1
		ld := newLDDisc(b, cfg)
		if want := 1 + (d-1)/w - 1; w < d && len(ld.chunks) < want {
			t.Errorf("window %d: %d chunks, want at least %d", w, len(ld.chunks), want)
		}
		th := calibrateLD(x, cal, ld)
		g := disc(th, ld)
		if s := lagSlope(g, x, 1, 6); s < plain+0.03 || s > 1+tol {
			t.Errorf("ld discretiser, window %d: neighbour covariance slope %.3f, want in [%.3f, %.3f] (threshold: %.3f)", w, s, plain+0.03, 1+tol, plain)
		} else {
			t.Logf("window %d: neighbour covariance slope %.3f (threshold: %.3f)", w, s, plain)
		}
		// Genotype frequencies: those of the training data within binomial
		// error of the two samples.
		for k := 0; k < d; k++ {
			var c0, c1 int
			for i := 0; i < n; i++ {
				switch g.At(i, k) {
				case 0:
					c0++
				case 1:
					c1++
				}
			}
			got := [2]float64{float64(c0) / float64(n), float64(c0+c1) / float64(n)}
			for h := 0; h < 2; h++ {
				p := freqs[k][h]
				if se := math.Sqrt(2 * p * (1 - p) / float64(n)); math.Abs(got[h]-p) > 5*se+1e-9 {
					t.Errorf("window %d, SNP %d: cumulative genotype frequency %.4f, training %.4f (se %.4f)", w, k, got[h], p, se)
				}
			}
		}
	}
}

// TestLDDiscretiserModelFile: a model with the "ld" discretiser, saved and
// loaded, generates the same cohort (its conditioning is rebuilt from the
// stored basis), and keeps the training genotype frequencies.
func TestLDDiscretiserModelFile(t *testing.T) {
	rng := rand.New(rand.NewPCG(8, 1))
	const n, d = 400, 30
	x := ldPanel(rng, n, d, 0.9)
	_, sites := smallCohort(2, d, 1)
	cfg := DefaultConfig("gou")
	cfg.Discretiser, cfg.LDWindow = "ld", 8 // several chunks
	cfg.Steps, cfg.Hidden, cfg.Layers, cfg.SamplerSteps, cfg.CalibrationSize, cfg.NetDims = 20, 16, 1, 20, 400, 4
	m, err := Fit(context.Background(), x, sites, cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	data, err := m.Encode()
	if err != nil {
		t.Fatal(err)
	}
	m2, err := Decode(data)
	if err != nil {
		t.Fatal(err)
	}
	a, err := m.Generate(context.Background(), 3000, 5)
	if err != nil {
		t.Fatal(err)
	}
	// Two concurrent Generate calls on the loaded model (which rebuilds its
	// conditioning on first use): no race, and both give a's cohort.
	var wg sync.WaitGroup
	gens := make([]*vcf.Genotypes, 2)
	errs := make([]error, 2)
	for i := range gens {
		wg.Add(1)
		go func() {
			defer wg.Done()
			gens[i], errs[i] = m2.Generate(context.Background(), 3000, 5)
		}()
	}
	wg.Wait()
	for i, b := range gens {
		if errs[i] != nil {
			t.Fatal(errs[i])
		}
		if !slices.Equal(a.Dosage, b.Dosage) {
			t.Fatal("loaded model generates a different cohort")
		}
	}
	freqs := genotypeFreqs(x)
	for k := 0; k < d; k++ {
		var c0 int
		for s := 0; s < 3000; s++ {
			if a.Dosage[k*3000+s] == 0 {
				c0++
			}
		}
		// Calibration on 400 model draws, generation of 3000: binomial
		// error of both.
		p := freqs[k][0]
		se := math.Sqrt(p * (1 - p) * (1.0/400 + 1.0/3000))
		if got := float64(c0) / 3000; math.Abs(got-p) > 5*se+1e-9 {
			t.Errorf("SNP %d: P(g=0) = %.3f, training %.3f (se %.3f)", k, got, p, se)
		}
	}
}
