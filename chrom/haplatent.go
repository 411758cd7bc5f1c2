package chrom

import (
	"context"
	"math"

	"github.com/gousynth/gousynth/internal/gauss"
	"github.com/gousynth/gousynth/model"
	"gonum.org/v1/gonum/mat"
)

// The haplotype latent model of a window (Options.Residual = ResidHaplotype,
// phased input).
//
// The dosage latent model (latent.go) draws a person's genotype at a site
// as one quantile of their Binomial(2, p): one Gaussian per genotype. Real
// genotypes are sums of two haplotypes, and LD is a property of the
// haplotypes: a Gaussian copula on the dosage must reach the haplotypes'
// correlations with latent correlations that a single banded Gaussian
// cannot always have (the NORTA feasibility problem), and the gain
// matching then stops at its variance cap on half the sites
// (docs/results-windowed-ld.md). The haplotype model gives each person two
// latent Gaussian vectors with the same model, one per haplotype: allele 1
// where Φ(w_v) > 1 − p_v, with p_v the person's own allele frequency
// (a_v + B_v·z)/2, and the genotype is the sum. Hardy–Weinberg proportions
// given ancestry follow, and the latent correlations are those of binary
// haplotypes, which a thresholded Gaussian reaches for every pair within
// the Fréchet bounds.
//
// The fit is fitLatent's on the 2n training haplotypes: the banded
// autoregression matched to the haplotypes' band correlations, the
// haplotypes' latents imputed by Gibbs sweeps in their half-line intervals,
// the leading directions learnt by the diffusion model, the rest by an
// autoregression, and the gains matched again. The sizes (lags, rank) are
// limited by the number of people, not of haplotypes, as for the dosage
// model.

// ResidHaplotype fits each window's residual model in the latent Gaussian
// space of the haplotypes (phased input only).
const ResidHaplotype ResidualKind = "haplotype"

// hapBounds returns each training haplotype's latent interval at each site
// (rows 2i+h for person i's haplotype h, 2n×d row-major) from site-major
// haplotypes (haps[v·2n + 2i + h], alleles 0 or 1): allele 0 is (−∞,
// Φ⁻¹(1−p)], allele 1 (Φ⁻¹(1−p), ∞), p = clip((a_v + B_v·z_i)/2).
func hapBounds(haps []int8, n, d int, coef *mat.Dense, scores []float64, K int) (lo, hi []float64) {
	h := ancestryTerm(scores, n, K, coef)
	lo, hi = make([]float64, 2*n*d), make([]float64, 2*n*d)
	for v := 0; v < d; v++ {
		a := coef.At(0, v)
		for r, x := range haps[v*2*n : (v+1)*2*n] {
			p := min(1, max(0, (a+h.At(r/2, v))/2))
			l, u := math.Inf(-1), math.Inf(1)
			t := gauss.Quantile(1 - p)
			if x == 0 {
				u = t
			} else {
				l = t
			}
			if !(l < u) || math.IsInf(t, 0) { // p at 0 or 1 with an allele it cannot give
				l, u = math.Inf(-1), math.Inf(1)
			}
			lo[r*d+v], hi[r*d+v] = l, u
		}
	}
	return lo, hi
}

// fitHapLatent is fitLatent for site-major haplotypes (haps[v·2n + 2i + h])
// of n training individuals: the same latent residual model, learnt from
// the 2n haplotypes' latents, whose draws discretiseCandidates turns into
// alleles.
func fitHapLatent(ctx context.Context, haps []int8, n, d int, coef *mat.Dense, scores []float64, K int, cfg model.Config, progress func(model.Progress)) (*LatentResidual, error) {
	return fitLatentRows(ctx, haps, 2*n, n, d, coef, scores, K, cfg, progress, true)
}

// drawsPer is the number of latent draws per candidate: two (its
// haplotypes) for a haplotype model, else one.
func drawsPer(hap bool) int {
	if hap {
		return 2
	}
	return 1
}

// discretiseCandidates turns latent samples r (drawsPer(hap)·M rows, a
// haplotype model's rows 2c and 2c+1 candidate c's haplotypes) into
// site-major dosages of the M candidates with the given ancestry latents
// (M×K): regressDiscretiseLabelled for a genotype model; for a haplotype
// model allele 1 where Φ((r − mean_v)/sd_v) > 1 − p (p the candidate's
// allele frequency, label offset included), two alleles summed.
func discretiseCandidates(r, coef *mat.Dense, mean, sd, latent []float64, M, K int, off []float64, labels []int, hap bool) []int8 {
	if hap {
		return sumHaplotypes(discretiseAlleles(r, coef, mean, sd, latent, M, K, 2, off, labels), M)
	}
	return regressDiscretiseLabelled(r, coef, mean, sd, latent, M, K, off, labels)
}

// discretiseAlleles turns latent samples r (per rows for each of the M
// candidates: row k is candidate k/per's) into site-major alleles (per·M
// per site) by the candidates' allele frequencies (discretiseCandidates).
func discretiseAlleles(r, coef *mat.Dense, mean, sd, latent []float64, M, K, per int, off []float64, labels []int) []int8 {
	_, d := coef.Dims()
	h := ancestryTerm(latent, M, K, coef) // B·z, M×d
	R := per * M
	out := make([]int8, d*R)
	hc := make([]float64, M)
	for v := 0; v < d; v++ {
		mat.Col(hc, v, h)
		a := coef.At(0, v)
		row := out[v*R : (v+1)*R]
		for c := 0; c < M; c++ {
			hv := hc[c]
			if off != nil && labels != nil && labels[c] >= 0 {
				hv += off[labels[c]*d+v]
			}
			q := 1 - min(1, max(0, (a+hv)/2))
			for k := per * c; k < per*(c+1); k++ {
				u := 0.5
				if sd[v] > 0 {
					u = 0.5 * math.Erfc(-(r.At(k, v)-mean[v])/(sd[v]*math.Sqrt2))
				}
				if u > q {
					row[k] = 1
				}
			}
		}
	}
	return out
}

// sumHaplotypes returns the site-major dosages (M per site) of site-major
// haplotypes (2M per site, candidate c's at 2c and 2c+1).
func sumHaplotypes(haps []int8, M int) []int8 {
	d := len(haps) / (2 * M)
	out := make([]int8, d*M)
	for v := 0; v < d; v++ {
		hv, ov := haps[v*2*M:(v+1)*2*M], out[v*M:(v+1)*M]
		for c := range ov {
			ov[c] = hv[2*c] + hv[2*c+1]
		}
	}
	return out
}
