package model

import (
	"math"
	"sort"

	"gonum.org/v1/gonum/mat"
)

// Discretisation of continuous samples to 0/1/2 genotypes.
//
// "threshold" cuts every SNP at its own two thresholds, calibrated so that a
// model sample keeps the training genotype frequencies. Cutting each SNP on
// its own attenuates correlation: two correlated continuous values, each
// thresholded, are less correlated than before. Measured: the slope of
// synthetic on training pair covariances is 0.91–0.94 at every distance, and
// LD r² error was 1.59× the floor on the bundled 1000 Genomes region.
//
// "ld" discretises SNPs in genomic order; before SNP k is cut, its
// continuous value is moved towards its Gaussian conditional mean given the
// genotypes already drawn for the preceding SNPs J instead of their
// continuous values:
//
//	x′_k = x_k + γ β_kᵀ (g_J − x_J),  β_k = (Σ_JJ + δ diag Σ_JJ)⁻¹ Σ_Jk,
//
// with Σ the training covariance (rebuilt from the stored eigenbasis, so
// model files need nothing new), δ = LDRidge and γ = LDGain. With γ = 1, if
// x ~ N(μ, Σ) and g_J already had covariance Σ_JJ, x′_k would keep variance
// Σ_kk and get covariance Σ_kJ with g_J: the quantisation error of each SNP
// is passed on to its LD partners rather than lost. In practice γ = 1
// overshoots on a simulated panel (the error compounds along the chain) and
// a damped γ = 0.2 helps on both the 1000 Genomes region and the panel
// (docs/results-ld.md). Thresholds are calibrated SNP by SNP in the same
// order, so the training genotype frequencies are kept as with "threshold".

// ldDisc is the "ld" discretiser's conditioning. SNPs are taken in chunks
// of at most 2·window SNPs; a chunk starts window SNPs before its first new
// SNP (already discretised by the previous chunk), so every SNP is
// conditioned on at least its window preceding SNPs (all of them when there
// are at most 2·window SNPs). Within a chunk, with L the Cholesky factor of
// the chunk's ridged covariance, conditioning on every earlier SNP of the
// chunk is x′_k = x_k + Σ_j L_kj e′_j with the whitened errors
// e′ = L⁻¹(g − x), computed along the way: e′_k = (g_k − x′_k)/L_kk.
type ldDisc struct {
	chunks []ldChunk
	gain   float64 // Config.LDGain
}

type ldChunk struct {
	a, s, b int         // conditioning from SNP a; new SNPs [s, b)
	L       [][]float64 // row k−a of the chunk's Cholesky factor (length k−a+1)
}

// newLDDisc builds the conditioning of cfg (LDWindow, LDRidge, LDGain)
// from the basis (covariance Σ = S (U diag(λ) Uᵀ + R) S in the dosage
// scale: the training covariance, or its kept directions plus the
// block-diagonal residual R when the basis is capped).
func newLDDisc(b *Basis, cfg Config) *ldDisc {
	w, ridge := cfg.LDWindow, cfg.LDRidge
	d, r := b.Dim(), b.Rank()
	w = max(w, 1)
	// Scaled rows: row_a = s_a U_a · √λ, so Σ_ab = row_a · row_b.
	rows := make([][]float64, d)
	for a := 0; a < d; a++ {
		u := b.U.RawRowView(a)
		rows[a] = make([]float64, r)
		for i := 0; i < r; i++ {
			rows[a][i] = b.Scale[a] * u[i] * math.Sqrt(b.Lambda[i])
		}
	}
	ld := &ldDisc{gain: cfg.LDGain}
	for s := 0; s < d; {
		a := max(0, s-w)
		e := min(d, a+2*w)
		if a == 0 {
			e = min(d, 2*w)
		}
		m := e - a
		A := mat.NewSymDense(m, nil)
		for p := 0; p < m; p++ {
			for q := p; q < m; q++ {
				var v float64
				rp, rq := rows[a+p], rows[a+q]
				for i := range rp {
					v += rp[i] * rq[i]
				}
				if b.Resid != nil { // the residual of the dropped directions
					v += b.Scale[a+p] * b.Scale[a+q] * b.residCov(a+p, a+q)
				}
				A.SetSym(p, q, v)
			}
			A.SetSym(p, p, A.At(p, p)*(1+ridge)+1e-12)
		}
		c := ldChunk{a: a, s: s, b: e, L: make([][]float64, m)}
		var ch mat.Cholesky
		ok := ch.Factorize(A)
		var L mat.TriDense
		if ok {
			ch.LTo(&L)
		}
		for k := range c.L {
			c.L[k] = make([]float64, k+1)
			if !ok { // not positive definite even with the ridge: no diffusion
				c.L[k][k] = 1
				continue
			}
			for j := 0; j <= k; j++ {
				c.L[k][j] = L.At(k, j)
			}
		}
		ld.chunks = append(ld.chunks, c)
		s = e
	}
	return ld
}

// pred returns Σ_{j<k} L_kj e′_j for chunk-local index k.
func (c *ldChunk) pred(k int, e []float64) float64 {
	var v float64
	for j, l := range c.L[k][:k] {
		v += l * e[j]
	}
	return v
}

// genotypeFreqs returns, per SNP of x (dosages), P(g = 0) and P(g ≤ 1).
func genotypeFreqs(x *mat.Dense) [][2]float64 {
	n, d := x.Dims()
	f := make([][2]float64, d)
	for j := 0; j < d; j++ {
		var c0, c1 int
		for i := 0; i < n; i++ {
			switch v := math.Round(x.At(i, j)); {
			case v <= 0:
				c0++
			case v == 1:
				c1++
			}
		}
		f[j] = [2]float64{float64(c0) / float64(n), float64(c0+c1) / float64(n)}
	}
	return f
}

// quantileThresholds returns the thresholds that cut col (sorted in place)
// at cumulative frequencies p = (P(g=0), P(g≤1)).
func quantileThresholds(col []float64, p [2]float64) [2]float64 {
	sort.Float64s(col)
	mc := len(col)
	q := func(p float64) float64 {
		if p <= 0 {
			return math.Inf(-1)
		}
		if p >= 1 {
			return math.Inf(1)
		}
		pos := p*float64(mc) - 0.5
		lo := int(math.Floor(pos))
		if lo < 0 {
			return col[0] - 1e-9
		}
		if lo >= mc-1 {
			return col[mc-1] + 1e-9
		}
		f := pos - float64(lo)
		return col[lo]*(1-f) + col[lo+1]*f
	}
	return [2]float64{q(p[0]), q(p[1])}
}

func cut(t [2]float64, x float64) int8 {
	switch {
	case x < t[0]:
		return 0
	case x < t[1]:
		return 1
	}
	return 2
}

// calibrate returns per-SNP thresholds such that the calibration sample cal
// (continuous, m × d) discretised with them has the genotype frequencies of
// the training matrix x.
func calibrate(x, cal *mat.Dense) [][2]float64 {
	mc, d := cal.Dims()
	freqs := genotypeFreqs(x)
	th := make([][2]float64, d)
	col := make([]float64, mc)
	for j := 0; j < d; j++ {
		for i := 0; i < mc; i++ {
			col[i] = cal.At(i, j)
		}
		th[j] = quantileThresholds(col, freqs[j])
	}
	return th
}

// calibrateLD is calibrate for the "ld" discretiser: SNP by SNP in genomic
// order, each SNP's thresholds are the quantiles of its shifted values x′.
func calibrateLD(x, cal *mat.Dense, ld *ldDisc) [][2]float64 {
	mc, d := cal.Dims()
	freqs := genotypeFreqs(x)
	th := make([][2]float64, d)
	g := make([]int8, mc*d) // g[i*d+k]
	shifted := make([]float64, mc)
	pr := make([]float64, mc)
	col := make([]float64, mc)
	for _, c := range ld.chunks {
		m := c.b - c.a
		e := make([]float64, mc*m)
		for k := c.a; k < c.b; k++ {
			kl := k - c.a
			for i := 0; i < mc; i++ {
				pr[i] = c.pred(kl, e[i*m:])
				shifted[i] = cal.At(i, k) + ld.gain*pr[i]
			}
			if k >= c.s {
				copy(col, shifted)
				th[k] = quantileThresholds(col, freqs[k])
				for i := 0; i < mc; i++ {
					g[i*d+k] = cut(th[k], shifted[i])
				}
			}
			for i := 0; i < mc; i++ {
				e[i*m+kl] = (float64(g[i*d+k]) - cal.At(i, k) - pr[i]) / c.L[kl][kl]
			}
		}
	}
	return th
}

// discretise turns one continuous row x into genotypes (SNP k of this
// individual at out[k*stride]).
func (ld *ldDisc) discretise(th [][2]float64, x []float64, out []int8, stride int) {
	var e []float64
	for _, c := range ld.chunks {
		m := c.b - c.a
		if cap(e) < m {
			e = make([]float64, m)
		}
		e = e[:m]
		for k := c.a; k < c.b; k++ {
			kl := k - c.a
			pr := c.pred(kl, e)
			if k >= c.s {
				out[k*stride] = cut(th[k], x[k]+ld.gain*pr)
			}
			e[kl] = (float64(out[k*stride]) - x[k] - pr) / c.L[kl][kl]
		}
	}
}
