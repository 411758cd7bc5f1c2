package chrom

import (
	"errors"
	"fmt"
	"io"
	"math"

	"github.com/gousynth/gousynth/autoreg"
	"github.com/gousynth/gousynth/internal/gauss"
	"github.com/gousynth/gousynth/model"
)

// MembershipProbe is what an adversary holding a windowed model file (and
// nothing else: no synthetic cohort, no training genotypes) can compute
// about one real individual's genotypes to guess whether the model was
// fitted on them. Every part of the file is an aggregate of the training
// individuals, fitted to them, and so fits them a little better than
// anyone else: the PC loadings, each window's regression of the dosages on
// the PC scores ((K+1) coefficients per site), its latent directions and
// autoregression (Rank + Lags coefficients per site) or its model's
// eigenbasis. The probe measures that in-sample advantage window by window
// and sums it over the chromosome (Probe, Density). It holds each window's
// aggregates but none of its diffusion networks.
type MembershipProbe struct {
	pca     *PCA
	windows []probeWindow
}

// probeWindow is the part of a window model the probe scores against.
type probeWindow struct {
	w Window
	// coef is the regression on the PC scores ((K+1)×d, row 0 the
	// intercepts; regression conditionings), nil otherwise.
	coef []float64
	// lat is the latent residual model (its Lead network dropped), with
	// leadDensity the likelihood-ratio score of the Gaussian part of its
	// leading coordinates (nil for rank 0).
	lat         *LatentResidual
	leadDensity func([]float64) float64
	// basis is the eigenbasis of the window's model of dosages (matching
	// conditionings) or of dosage residuals (Options.Residual =
	// ResidDosage), with density its likelihood-ratio score.
	basis   *model.Basis
	density func([]float64) float64
	// chain is the window's autoregression (CondChain), scored by its
	// log-likelihood given the individual's PC scores against the
	// training allele frequencies.
	chain *autoreg.Model
}

// NewMembershipProbe reads every window of fr (which must not have been
// read from yet) and keeps what the probe needs. Population-labelled
// regressions are refused (their genotype probabilities depend on a label
// the probe does not know); the latent models of haplotypes are not
// scored (their windows' regressions are).
func NewMembershipProbe(fr *FileReader) (*MembershipProbe, error) {
	hdr := fr.Header()
	p := &MembershipProbe{pca: hdr.PCA}
	for {
		wm, err := fr.Next()
		if errors.Is(err, io.EOF) {
			return p, nil
		}
		if err != nil {
			return nil, err
		}
		pw, err := newProbeWindow(wm)
		if err != nil {
			return nil, fmt.Errorf("%s: window %d: %w", fr.path, wm.Window.Index, err)
		}
		p.windows = append(p.windows, pw)
	}
}

// newProbeWindow keeps the parts of wm the probe scores against.
func newProbeWindow(wm WindowModel) (probeWindow, error) {
	pw := probeWindow{w: wm.Window, coef: wm.Coef}
	var err error
	switch {
	case wm.LabelOffset != nil:
		return pw, errors.New("the membership probe does not handle population-labelled models")
	case wm.Chain != nil:
		pw.chain = wm.Chain
	case wm.Haplotype:
		// The latent model is one of haplotypes (a person is two of its
		// draws), which unphased dosages do not give: only the
		// regression is scored.
	case wm.Latent != nil:
		lat := *wm.Latent
		if lat.Rank > 0 {
			if pw.leadDensity, err = lat.Lead.Basis().DensityScore(); err != nil {
				return pw, err
			}
		}
		lat.Lead = nil
		pw.lat = &lat
	case wm.Residual != nil:
		pw.basis = wm.Residual.Basis()
	case wm.Model != nil:
		pw.basis = wm.Model.Basis
	default:
		return pw, errors.New("a window without a model")
	}
	if pw.basis != nil {
		if pw.density, err = pw.basis.DensityScore(); err != nil {
			return pw, err
		}
	}
	return pw, nil
}

// NumSites is the number of sites of the model, the length of the dosage
// vectors Probe and Density score.
func (p *MembershipProbe) NumSites() int { return len(p.pca.Mean) }

// probeParts are one individual's membership statistics summed over the
// windows.
type probeParts struct {
	// outside and total are the squared norms of the part of the
	// individual's standardised dosages that the model's dosage-space
	// directions do not represent, and of the whole vector: the span of the
	// whole-chromosome PC loadings for the regression conditionings (the
	// regression's expected dosages a + B·z are spanned by them), each
	// window's model eigenbasis otherwise.
	outside, total float64
	// binomial is Σ log Binom(x_v; 2, p_v(z)) − log Binom(x_v; 2, f_v):
	// the regression's genotype probabilities given the individual's PC
	// scores z against the training allele frequencies f.
	binomial float64
	// ar is the log-likelihood ratio of the estimated latent residual left
	// by the leading directions under the window's autoregression against
	// independent standard normals; lead is leadDensity of the leading
	// coordinates; basis is the windows' model densities.
	ar, lead, basis float64
	// leadOutside and leadTotal are outside and total for the standardised
	// dosage residual given the PC scores against the latent models'
	// leading directions: a weaker span statistic, measured beside the
	// probe (probe_exp_test.go).
	leadOutside, leadTotal float64
}

// parts computes the statistics of the dosage vector x (NaN where
// missing; length NumSites).
func (p *MembershipProbe) parts(x []float64) (probeParts, error) {
	var s probeParts
	if len(x) != p.NumSites() {
		return s, fmt.Errorf("%w: a dosage vector of %d sites for a model of %d", ErrOption, len(x), p.NumSites())
	}
	z := p.scores(x)
	regress := false
	for _, pw := range p.windows {
		xw := x[pw.w.Start:pw.w.End]
		if pw.chain != nil {
			// Its expected dosages, like a regression's, lie in the span of
			// the PC loadings.
			regress = true
			if err := s.addChain(pw, xw, z, p.pca.Mean[pw.w.Start:pw.w.End]); err != nil {
				return s, err
			}
			continue
		}
		if pw.coef == nil {
			s.addBasis(pw, filled(xw, pw.basis.Mean), true)
			continue
		}
		regress = true
		prob := s.addRegression(pw.coef, xw, z, p.pca.Mean[pw.w.Start:pw.w.End])
		switch {
		case pw.lat != nil:
			s.addLatent(pw, xw, prob)
		case pw.basis != nil:
			s.addBasis(pw, residualOf(pw.coef, xw, z), false)
		}
	}
	if regress {
		s.total = p.standardisedNorm(x)
		s.outside = s.total
		for _, zk := range z {
			s.outside -= zk * zk
		}
		s.outside = max(s.outside, 0)
	}
	return s, nil
}

// scores returns the individual's whole-chromosome PC scores, as
// PCA.Project computes the training individuals' (missing calls at the
// mean).
func (p *MembershipProbe) scores(x []float64) []float64 {
	K := p.pca.K()
	z := make([]float64, K)
	if K == 0 {
		return z
	}
	for v, g := range x {
		if math.IsNaN(g) {
			continue
		}
		c := (g - p.pca.Mean[v]) * p.pca.Scale[v]
		row := p.pca.Loadings.RawRowView(v)
		for k := range z {
			z[k] += c * row[k]
		}
	}
	return z
}

// standardisedNorm returns the squared norm of the individual's
// standardised dosages (PCA.Mean, PCA.Scale; missing calls at the mean).
func (p *MembershipProbe) standardisedNorm(x []float64) float64 {
	var nn float64
	for v, g := range x {
		if !math.IsNaN(g) {
			c := (g - p.pca.Mean[v]) * p.pca.Scale[v]
			nn += c * c
		}
	}
	return nn
}

// fitted returns the regression's expected dosage a_v + B_v·z at the
// window's site v.
func fitted(coef []float64, d, v int, z []float64) float64 {
	e := coef[v]
	for k, zk := range z {
		e += coef[(k+1)*d+v] * zk
	}
	return e
}

// residualOf returns x − a − B·z over a window (NaN stays NaN).
func residualOf(coef, x, z []float64) []float64 {
	r := make([]float64, len(x))
	for v, g := range x {
		r[v] = g - fitted(coef, len(x), v, z)
	}
	return r
}

// filled returns x with its missing calls at mean.
func filled(x, mean []float64) []float64 {
	out := make([]float64, len(x))
	for v, g := range x {
		if math.IsNaN(g) {
			g = mean[v]
		}
		out[v] = g
	}
	return out
}

// addBasis adds a window with a model eigenbasis: the basis density
// (Basis.DensityScore) and, when span (a model of the dosages themselves),
// the part of the standardised vector x outside the basis span
// (Basis.OutsideSpan).
func (s *probeParts) addBasis(pw probeWindow, x []float64, span bool) {
	b := pw.basis
	x = filled(x, b.Mean)
	var nn float64
	for v, g := range x {
		c := (g - b.Mean[v]) / b.Scale[v]
		nn += c * c
	}
	if span {
		o := b.OutsideSpan(x)
		s.outside += o * o * nn
		s.total += nn
	}
	s.basis += pw.density(x)
}

// binomLog returns log P(g | Binomial(2, p)), p kept inside [ε, 1−ε] so
// that a genotype the model gives no chance stays finite.
func binomLog(g, p float64) float64 {
	const eps = 1e-4
	p = min(1-eps, max(eps, p))
	switch g {
	case 0:
		return 2 * math.Log1p(-p)
	case 1:
		return math.Log(2*p) + math.Log1p(-p)
	}
	return 2 * math.Log(p)
}

// addRegression adds the binomial term of a window with a regression on
// the PC scores and returns the individual's allele frequency at each of
// its sites, p = (a + B·z)/2 clipped to [0, 1] (latentBounds' p).
func (s *probeParts) addRegression(coef, x, z, mean []float64) []float64 {
	d := len(x)
	prob := make([]float64, d)
	for v, g := range x {
		prob[v] = min(1, max(0, fitted(coef, d, v, z)/2))
		if !math.IsNaN(g) {
			s.binomial += binomLog(g, prob[v]) - binomLog(g, mean[v]/2)
		}
	}
	return prob
}

// addChain adds a chain window: the log-likelihood of the individual's
// core genotypes under the window's autoregression given its PC scores z
// (missing calls skipped, and at the training mean as predictors) against
// Binomial(2, f) at the training allele frequencies f (to binomial).
func (s *probeParts) addChain(pw probeWindow, x, z, mean []float64) error {
	pred := filled(x, mean)
	var chainZ []float64
	if pw.chain.K > 0 {
		if len(z) != pw.chain.K {
			return fmt.Errorf("%w: a chain model of %d ancestry scores for %d PCs (population-labelled chains are not probed)", ErrOption, pw.chain.K, len(z))
		}
		chainZ = z
	}
	ll, err := pw.chain.LogLik(chainZ, pred, x)
	if err != nil {
		return err
	}
	s.binomial += ll
	for v := pw.w.Overlap(); v < len(x); v++ {
		if g := x[v]; !math.IsNaN(g) {
			s.binomial -= binomLog(g, mean[v]/2)
		}
	}
	return nil
}

// addLatent adds a window with a latent residual model, at the
// individual's allele frequencies prob. The standardised residual r =
// (x − 2p)/√(2p(1−p)) (0 where missing or p is 0 or 1) gives its share
// outside the window's leading directions U (leadOutside; the latent
// Gaussian's correlations are roughly those of r), and the latent vector,
// estimated site by site as the mean of the standard normal on the
// genotype's interval (latentBounds' intervals; 0 where missing), the
// densities: its leading coordinates y = Uᵀŵ under the leading-direction
// model and what they leave, e = ŵ − U·y, under the autoregression.
func (s *probeParts) addLatent(pw probeWindow, x, prob []float64) {
	l, d := pw.lat, len(x)
	w, r := make([]float64, d), make([]float64, d)
	for v, g := range x {
		if math.IsNaN(g) {
			continue
		}
		if p := prob[v]; p > 0 && p < 1 {
			r[v] = (g - 2*p) / math.Sqrt(2*p*(1-p))
		}
		lo, hi := genotypeInterval(g, prob[v])
		w[v] = gauss.TruncMean(lo, hi)
	}
	out, tot := outsideLead(l, r)
	s.leadOutside += out
	s.leadTotal += tot
	y := leadCoords(l, w)
	e := make([]float64, d)
	for v := range w {
		e[v] = w[v]
		for k, yk := range y {
			e[v] -= float64(l.U[v*l.Rank+k]) * yk
		}
	}
	s.ar += arLogRatio(l, e)
	if pw.leadDensity != nil {
		s.lead += pw.leadDensity(y)
	}
}

// leadCoords returns Uᵀx, the coordinates of x on the leading directions.
func leadCoords(l *LatentResidual, x []float64) []float64 {
	y := make([]float64, l.Rank)
	for v, xv := range x {
		for k := range y {
			y[k] += float64(l.U[v*l.Rank+k]) * xv
		}
	}
	return y
}

// outsideLead returns ‖x − U·Uᵀx‖² and ‖x‖² (U orthonormal).
func outsideLead(l *LatentResidual, x []float64) (outside, total float64) {
	for _, xv := range x {
		total += xv * xv
	}
	outside = total
	for _, yk := range leadCoords(l, x) {
		outside -= yk * yk
	}
	return max(outside, 0), total
}

// genotypeInterval is the latent interval of genotype g under
// Binomial(2, p) (latentBounds): (Φ⁻¹F(g−1), Φ⁻¹F(g)], the whole line
// when p cannot give g.
func genotypeInterval(g, p float64) (lo, hi float64) {
	q := 1 - p
	f0, f1 := q*q, 1-p*p
	lo, hi = math.Inf(-1), math.Inf(1)
	switch g {
	case 0:
		hi = gauss.Quantile(f0)
	case 1:
		lo, hi = gauss.Quantile(f0), gauss.Quantile(f1)
	default:
		lo = gauss.Quantile(f1)
	}
	if !(lo < hi) {
		return math.Inf(-1), math.Inf(1)
	}
	return lo, hi
}

// arLogRatio is log N_AR(e) − log N(e; 0, I): e's log-likelihood under the
// window's autoregression (innovations e_v − Σ_k AR_vk·e_{v−k} with SD_v)
// over independent standard normals.
func arLogRatio(l *LatentResidual, e []float64) float64 {
	var ll float64
	for v := range e {
		pred := 0.0
		ar := l.AR[v*l.Lags : (v+1)*l.Lags]
		for k := 1; k <= min(l.Lags, v); k++ {
			pred += float64(ar[k-1]) * e[v-k]
		}
		sd := float64(l.SD[v])
		if !(sd > 0) {
			continue
		}
		r := (e[v] - pred) / sd
		ll += -0.5*r*r - math.Log(sd) + 0.5*e[v]*e[v]
	}
	return ll
}

// Probe returns the share (as a norm) of the individual's standardised
// dosages that the model's dosage-space directions do not represent, over
// the whole chromosome: with the regression conditionings the part outside
// the span of the whole-chromosome PC loadings (the regression's expected
// dosages lie in it; the windows model what is left in a latent or
// residual space of their own, which Density scores), with the matching
// ones the part outside each window model's eigenbasis. Lower
// means more likely a member, as model.Basis.OutsideSpan. x is the
// individual's dosage vector over the model's sites (NaN where missing).
func (p *MembershipProbe) Probe(x []float64) (float64, error) {
	s, err := p.parts(x)
	if err != nil || s.total == 0 {
		return 0, err
	}
	return math.Sqrt(s.outside / s.total), nil
}

// Density returns the likelihood-ratio membership score of the model's
// own density, summed over the windows: the genotype probabilities of the
// regression given the individual's PC scores over the training allele
// frequencies, plus the latent residual's density (autoregression and
// leading coordinates) or the window model's Gaussian density
// (model.Basis.DensityScore) over their independent nulls. Higher means
// more likely a member. x is as for Probe.
func (p *MembershipProbe) Density(x []float64) (float64, error) {
	s, err := p.parts(x)
	if err != nil {
		return 0, err
	}
	return s.binomial + s.ar + s.lead + s.basis, nil
}
