package chrom

import (
	"bytes"
	"context"
	"encoding/gob"
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/gousynth/gousynth/autoreg"
	"github.com/gousynth/gousynth/model"
	"github.com/gousynth/gousynth/vcf"
	"gonum.org/v1/gonum/mat"
)

// ErrOption marks invalid options or inputs of this package.
var ErrOption = errors.New("chrom: invalid option")

// Job is one window's unit of work: everything needed to fit the window's
// model and draw its synthetic candidates, and nothing else. It can be
// serialised (EncodeJob) and run on another machine (Run); the result
// (Result) goes back to the assembler. A Job holds training genotypes, so it
// must stay inside the trusted environment; a Result holds none.
type Job struct {
	Window Window
	Sites  []vcf.Site // the window's sites, End−Start of them
	// NTrain training individuals; Dosage holds their imputed dosages
	// site-major: Dosage[v*NTrain+i].
	NTrain int
	Dosage []int8
	// Haplotypes (Residual ResidHaplotype only) holds the training
	// individuals' phased alleles site-major: Haplotypes[v*2*NTrain+2*i+h].
	Haplotypes []int8 `json:",omitempty"`
	// The global PCA restricted to the window: per-site mean and scale of the
	// standardisation and the K loadings (site-major, len (End−Start)·K), and
	// the training individuals' whole-chromosome scores (NTrain·K, row-major).
	K           int
	PCMean      []float64
	PCScale     []float64
	Loadings    []float64
	TrainScores []float64
	// Model is the window's model configuration (its Seed included);
	// NCandidates synthetic individuals are drawn with GenerateSeed.
	Model        model.Config
	NCandidates  int
	GenerateSeed uint64
	// Conditioning is the plan's conditioning; with CondRegress or
	// CondRegressMatch the model is fitted on the residuals of the
	// regression on TrainScores and Latent (NCandidates·K, row-major)
	// holds each candidate's synthetic ancestry latent.
	Conditioning Conditioning
	Latent       []float64
	// Residual is the space of the regression conditionings' residual
	// model: ResidLatent or ResidDosage ("" is ResidDosage, the jobs of
	// earlier versions).
	Residual ResidualKind
	// Population labels (issue 18; regression conditionings only):
	// NumLabels labels, the label of each training individual
	// (TrainLabels, −1: none) and of each candidate (CandidateLabels);
	// the window then fits per-label offsets (Result.LabelOffset).
	NumLabels       int   `json:",omitempty"`
	TrainLabels     []int `json:",omitempty"`
	CandidateLabels []int `json:",omitempty"`
}

// Result is what a Job produces: the window's model file bytes, its synthetic
// candidates and their ancestry read-out. It contains no real genotype.
type Result struct {
	Window Window
	Model  []byte // model.Encode bytes
	// NCandidates synthetic individuals, dosages site-major:
	// Candidates[v*NCandidates+c] for the window's sites v.
	NCandidates int
	Candidates  []int8
	// Ancestry is each candidate's predicted whole-chromosome PC scores
	// (NCandidates·K, row-major) from the window's own SNPs: Slope[k] times
	// the window's share of score k. NoiseVar[k] is the residual variance of
	// that prediction on the training individuals.
	K        int
	Ancestry []float64
	Slope    []float64
	NoiseVar []float64
	// Regression conditioning only (Model then holds the residual model:
	// see LatentRank below, or model.ContinuousModel.Encode for a dosage
	// residual): Coef, (K+1)×d row-major, the intercepts then the slopes
	// of the dosages on the global PC scores, and GenotypeFreq, d×2, each
	// site's training frequencies of dosages 0 and 1 (not stored in model
	// files). Both are aggregates.
	Coef, GenotypeFreq []float64
	// ResidMean and ResidSD (regression conditioning only) are each site's
	// marginal mean and standard deviation of the residual model's samples,
	// which turn a residual sample into its genotype quantile
	// (regressDiscretise).
	ResidMean, ResidSD []float64
	// LabelOffset (Job.NumLabels > 0): per label and site, the shift of the
	// expected dosage that gives the label its training mean dosage
	// (labelOffsets), NumLabels×d row-major; an aggregate.
	LabelOffset []float64
	// The latent residual model (Job.Residual ResidLatent; LatentResidual):
	// Model then holds the leading directions' diffusion model (absent when
	// LatentRank is 0), LatentU its directions (d×LatentRank), LatentAR and
	// LatentSD the autoregression (d×LatentLags, d).
	LatentRank, LatentLags      int
	LatentU, LatentAR, LatentSD []float32
	// Haplotype says the latent model is of haplotypes (Job.Residual
	// ResidHaplotype): each candidate is the sum of two of its draws.
	Haplotype bool
	// Chain (CondChain) is the window's autoregression of its core sites
	// (Model then holds its bytes, autoreg.Model.Encode); Candidates and
	// Ancestry are then empty: the Assembler draws the window.
	Chain *autoreg.Model
	// Wall time of the fit and of the generation.
	FitSeconds, GenerateSeconds float64
}

func (j *Job) check() error {
	d := j.Window.End - j.Window.Start
	switch {
	case d < 1 || len(j.Sites) != d:
		return fmt.Errorf("%w: window %d has %d sites for span [%d, %d)", ErrOption, j.Window.Index, len(j.Sites), j.Window.Start, j.Window.End)
	case j.NTrain < 2 || len(j.Dosage) != d*j.NTrain:
		return fmt.Errorf("%w: window %d: %d dosages for %d sites × %d individuals", ErrOption, j.Window.Index, len(j.Dosage), d, j.NTrain)
	case j.K < 0 || len(j.PCMean) != d || len(j.PCScale) != d || len(j.Loadings) != d*j.K || len(j.TrainScores) != j.NTrain*j.K:
		return fmt.Errorf("%w: window %d: PCA inputs do not match %d sites, %d individuals, K=%d", ErrOption, j.Window.Index, d, j.NTrain, j.K)
	case j.NCandidates < 1:
		return fmt.Errorf("%w: window %d: %d candidates", ErrOption, j.Window.Index, j.NCandidates)
	case isRegress(j.Conditioning) && len(j.Latent) != j.NCandidates*j.K:
		return fmt.Errorf("%w: window %d: regression needs %d×%d candidate latents, got %d values", ErrOption, j.Window.Index, j.NCandidates, j.K, len(j.Latent))
	}
	return nil
}

// windowShare returns, for individuals given by site-major dosages (d×n),
// their share of each global PC score from the window's sites.
func (j *Job) windowShare(dos []int8, n int) []float64 {
	return windowShare(dos, n, j.PCMean, j.PCScale, j.Loadings, j.K)
}

// windowShare is Σ_v (x_v − mean_v)·scale_v·loadings[v, k] over a window's
// sites, for n individuals with site-major dosages.
func windowShare(dos []int8, n int, mean, scale, loadings []float64, K int) []float64 {
	out := make([]float64, n*K)
	for v := range mean {
		mu, sc := mean[v], scale[v]
		if sc == 0 {
			continue
		}
		load := loadings[v*K : (v+1)*K]
		row := dos[v*n : (v+1)*n]
		for i, x := range row {
			z := (float64(x) - mu) * sc
			o := out[i*K : (i+1)*K]
			for k, l := range load {
				o[k] += z * l
			}
		}
	}
	return out
}

// Run fits the window's model on its training dosages, draws the candidates
// and reads out their ancestry. It is deterministic for a Job.
func (j *Job) Run(ctx context.Context, progress func(model.Progress)) (*Result, error) {
	if err := j.check(); err != nil {
		return nil, err
	}
	d, n := len(j.Sites), j.NTrain
	for v := 0; v < d; v++ {
		for _, g := range j.Dosage[v*n : (v+1)*n] {
			if g < 0 || g > 2 {
				return nil, fmt.Errorf("%w: window %d: dosage %d at site %s:%d (impute missing calls first)", ErrOption, j.Window.Index, g, j.Sites[v].Chrom, j.Sites[v].Pos)
			}
		}
	}
	r := &Result{Window: j.Window, NCandidates: j.NCandidates, K: j.K}
	var err error
	switch {
	case j.Conditioning == CondChain:
		err = j.runChain(ctx, r)
	case isRegress(j.Conditioning):
		err = j.runRegress(ctx, r, progress)
	default:
		// Only the genotype models take the window as a dense matrix.
		x := mat.NewDense(n, d, nil)
		for v := 0; v < d; v++ {
			for i, g := range j.Dosage[v*n : (v+1)*n] {
				x.Set(i, v, float64(g))
			}
		}
		err = j.runGenotype(ctx, r, x, progress)
	}
	if err != nil {
		return nil, err
	}
	j.readOut(r)
	return r, ctx.Err()
}

// runGenotype fits the window's genotype model on x and draws the candidates.
func (j *Job) runGenotype(ctx context.Context, r *Result, x *mat.Dense, progress func(model.Progress)) error {
	d := len(j.Sites)
	t0 := time.Now()
	m, err := model.Fit(ctx, x, j.Sites, j.Model, progress)
	if err != nil {
		return fmt.Errorf("window %d (%s:%d-%d): %w", j.Window.Index, j.Sites[0].Chrom, j.Sites[0].Pos, j.Sites[d-1].Pos, err)
	}
	r.FitSeconds = time.Since(t0).Seconds()
	if r.Model, err = m.Encode(); err != nil {
		return err
	}
	t0 = time.Now()
	g, err := m.Generate(ctx, j.NCandidates, j.GenerateSeed)
	if err != nil {
		return err
	}
	r.GenerateSeconds = time.Since(t0).Seconds()
	r.Candidates = g.Dosage
	return nil
}

// readOut sets r's ancestry read-out (Slope, NoiseVar, Ancestry).
func (j *Job) readOut(r *Result) {
	n := j.NTrain
	// Ancestry read-out: regress each global score on the window's share
	// (through the origin; both are centred on the training individuals).
	share := j.windowShare(j.Dosage, n)
	r.Slope = make([]float64, j.K)
	r.NoiseVar = make([]float64, j.K)
	for k := 0; k < j.K; k++ {
		var sxy, sxx float64
		for i := 0; i < n; i++ {
			sxy += share[i*j.K+k] * j.TrainScores[i*j.K+k]
			sxx += share[i*j.K+k] * share[i*j.K+k]
		}
		b := 0.0
		if sxx > 0 {
			b = sxy / sxx
		}
		var rss, tss float64
		for i := 0; i < n; i++ {
			e := j.TrainScores[i*j.K+k] - b*share[i*j.K+k]
			rss += e * e
			tss += j.TrainScores[i*j.K+k] * j.TrainScores[i*j.K+k]
		}
		r.Slope[k] = b
		r.NoiseVar[k] = math.Max(rss/float64(n), 1e-9*tss/float64(n)+1e-12)
	}
	if r.Candidates == nil { // CondChain: the Assembler draws the window
		return
	}
	cand := j.windowShare(r.Candidates, j.NCandidates)
	for i := range cand {
		cand[i] *= r.Slope[i%j.K]
	}
	r.Ancestry = cand
}

// EncodeJob serialises a job (gob), to ship it to another process or machine.
func EncodeJob(j *Job) ([]byte, error) { return encode(j) }

// DecodeJob parses EncodeJob's bytes.
func DecodeJob(b []byte) (*Job, error) {
	j := new(Job)
	if err := gob.NewDecoder(bytes.NewReader(b)).Decode(j); err != nil {
		return nil, fmt.Errorf("chrom: decoding a window job: %w", err)
	}
	return j, j.check()
}

// EncodeResult serialises a result (gob).
func EncodeResult(r *Result) ([]byte, error) { return encode(r) }

// DecodeResult parses EncodeResult's bytes.
func DecodeResult(b []byte) (*Result, error) {
	r := new(Result)
	if err := gob.NewDecoder(bytes.NewReader(b)).Decode(r); err != nil {
		return nil, fmt.Errorf("chrom: decoding a window result: %w", err)
	}
	d := r.Window.End - r.Window.Start
	if r.Chain != nil {
		// Its regressions may also take label indicators (K ≥ the PCs):
		// the Assembler checks them against its sampler.
		if checkChain(r.Chain, r.Window, -1) != nil || r.Chain.K < r.K || r.Candidates != nil || len(r.Slope) != r.K || len(r.NoiseVar) != r.K {
			return nil, fmt.Errorf("%w: window result %d has inconsistent sizes", ErrOption, r.Window.Index)
		}
		return r, nil
	}
	if len(r.Candidates) != d*r.NCandidates || len(r.Ancestry) != r.NCandidates*r.K || len(r.Slope) != r.K || len(r.NoiseVar) != r.K ||
		(r.Coef != nil && (len(r.Coef) != (r.K+1)*d || len(r.GenotypeFreq) != 2*d || len(r.ResidMean) != d || len(r.ResidSD) != d)) ||
		(r.LatentSD != nil && (r.LatentRank < 0 || r.LatentLags < 0 || len(r.LatentU) != d*r.LatentRank || len(r.LatentAR) != d*r.LatentLags || len(r.LatentSD) != d)) {
		return nil, fmt.Errorf("%w: window result %d has inconsistent sizes", ErrOption, r.Window.Index)
	}
	return r, nil
}

func encode(v any) ([]byte, error) {
	var buf bytes.Buffer
	if err := gob.NewEncoder(&buf).Encode(v); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
