package model

import (
	"context"
	"math"
	"math/rand/v2"
	"time"

	"github.com/gousynth/gousynth/model/nn"
)

// latentData is the training data in latent (eigen-)coordinates: N rows of
// R values (row-major float32) with coordinate variances Lambda (descending).
type latentData struct {
	Y      []float32
	N, R   int
	Lambda []float64
}

// InitDist is the sampler's distribution at time T. Kind InitAnchors is the
// mixture of eq. 12: component k is chosen with probability Weights[k] and
// its latent coordinates are drawn around Means[k] with within-cluster
// variances Vars[k] (both in latent coordinates, pushed forward to time T by
// the process). Kinds InitMarginal and InitStationary need no fields.
type InitDist struct {
	Kind    InitKind
	Weights []float64
	Means   [][]float64
	Vars    [][]float64
	// Labels, when not nil, is the population label of each component
	// (an index into Model.Labels, or Unlabelled; see labels.go).
	Labels []int
}

// sampleSpec is everything an engine needs to generate latent vectors.
type sampleSpec struct {
	Net     *nn.MLP // trained network (EMA weights); nil = no residual
	K       int     // number of network-modelled latent coordinates
	N       int     // number of vectors to draw
	Rng     *rand.Rand
	Sampler SamplerKind // SamplerAncestral, SamplerEM, SamplerHeun (a process may add its own)
	Steps   int
	Init    *InitDist
	// Labels, when not nil, restricts row a's initial component to those of
	// label Labels[a] (Init.Labels); nil draws from the whole mixture.
	// The diagonal engines (GOU, VP) then guide the draw to the label with
	// the anchor mixture as classifier, on the first GuideDims coordinates
	// (all of them from Model.GenerateCohortChunks)
	// (InitDist.guide).
	Labels    []int
	GuideDims int
}

// engine is a forward diffusion in latent coordinates as Fit, Generate and
// the model file see it. GOU and VP are implemented by diagEngine on top of
// diagProcess. A phase-space process (CLD, CLD-ε, cldEngine) plugs in by
// implementing engine — its network input can be (x, v) of the K modelled
// coordinates and its output ε_v — and registering a factory with
// registerProcess; it then reuses Basis, the network and its trainer
// (package nn: Adam, EMA, clipping, LR schedule), k-means anchors,
// discretisation and model files unchanged.
type engine interface {
	// Kind is the name used in Config.Process and in model files.
	Kind() ProcessKind
	// NetDims returns the network's input width (time embedding excluded)
	// and output width when k latent coordinates are modelled.
	NetDims(k int) (in, out int)
	// Horizon returns [eps, T].
	Horizon() (eps, T float64)
	// Batch fills one training batch by denoising score matching on the
	// exact conditional kernel: rows of data drawn with rng, times t (batch),
	// network inputs in (batch×in) and regression targets (batch×out).
	Batch(rng *rand.Rand, data *latentData, k, batch int, in []float32, t []float64, target []float32)
	// Sample draws spec.N latent vectors (N×R row-major, R = len(Lambda)).
	Sample(ctx context.Context, spec sampleSpec) ([]float64, error)
}

// engineFactory builds an engine from the configuration and the latent
// variances of the training data.
type engineFactory func(cfg Config, lambda []float64) (engine, error)

type registration struct {
	factory     engineFactory
	standardise bool
}

var (
	registry   = map[ProcessKind]registration{}
	registered []ProcessKind // in registration order
)

// registerProcess makes a process available under kind (Config.Process,
// ProcessKinds, ParseProcessKind). standardise says whether the Basis
// divides SNPs by their standard deviation (VP-style) or keeps the dosage
// geometry (GOU-style). Call it from an init function.
func registerProcess(kind ProcessKind, standardise bool, f engineFactory) {
	if _, ok := registry[kind]; !ok {
		registered = append(registered, kind)
	}
	registry[kind] = registration{factory: f, standardise: standardise}
}

func init() {
	registerProcess(ProcessGOU, false, func(c Config, lambda []float64) (engine, error) {
		beta := c.Beta
		if beta == 0 {
			var s float64
			for _, l := range lambda {
				s += l
			}
			beta = 2 * c.B * s / float64(len(lambda))
		}
		return &diagEngine{p: newGOU(lambda, c.A, c.B, c.Gamma, beta, c.T, c.Eps), lambda: lambda, tmin: c.NetMinTime}, nil
	})
	registerProcess(ProcessVP, true, func(c Config, lambda []float64) (engine, error) {
		return &diagEngine{p: &vpProcess{Beta0: c.Beta0, Beta1: c.Beta1, T: c.T, Eps: c.Eps}, lambda: lambda, tmin: c.NetMinTime}, nil
	})
}

// diagEngine runs a diagProcess with the Gaussian-residual parametrisation:
// the network predicts ε − ε_G, where ε_G(y, t) = √s·y/(m²λ + s) is the
// noise a Gaussian with the data's covariance would imply. The score is then
// −y/(m²λ+s) − residual/√s: exact for Gaussian data with a zero network, so
// LD is right by construction and the network learns only what is not
// Gaussian. Network inputs are y/√(m²λ+s) (unit variance at every t).
// Below tmin (Config.NetMinTime) the network is neither trained nor used.
type diagEngine struct {
	p      diagProcess
	lambda []float64
	tmin   float64
}

func (e *diagEngine) Kind() ProcessKind           { return e.p.Kind() }
func (e *diagEngine) NetDims(k int) (int, int)    { return k, k }
func (e *diagEngine) Horizon() (float64, float64) { return e.p.Horizon() }
func (e *diagEngine) gaussVar(i int, t float64) float64 {
	m := e.p.Mean(i, t)
	return m*m*e.lambda[i] + e.p.Var(i, t)
}

// trainTime maps u ∈ [0,1) to a diffusion time, denser near eps, as the
// sampler's grid is.
func trainTime(eps, T, u float64) float64 { return eps + (T-eps)*u*u }

func (e *diagEngine) Batch(rng *rand.Rand, data *latentData, k, batch int, in []float32, t []float64, target []float32) {
	eps, T := e.p.Horizon()
	for b := 0; b < batch; b++ {
		// Stratified times: one per stratum of [0,1), lower variance.
		u := (float64(b) + rng.Float64()) / float64(batch)
		tt := trainTime(max(eps, e.tmin), T, u)
		t[b] = tt
		row := data.Y[rng.IntN(data.N)*data.R:]
		for i := 0; i < k; i++ {
			m, s := e.p.Mean(i, tt), e.p.Var(i, tt)
			v := m*m*e.lambda[i] + s
			z := rng.NormFloat64()
			y := m*float64(row[i]) + math.Sqrt(s)*z
			in[b*k+i] = float32(y / math.Sqrt(v))
			target[b*k+i] = float32(z - math.Sqrt(s)*y/v)
		}
	}
}

// Sample implements engine: from the initial distribution at T, spec.Steps
// reverse steps of spec.Sampler on the time grid of training (denser near
// eps), then the Tweedie step from eps to 0.
func (e *diagEngine) Sample(ctx context.Context, spec sampleSpec) ([]float64, error) {
	n := spec.N
	eps, T := e.p.Horizon()
	rng := spec.Rng
	init := spec.Init
	if init == nil {
		init = &InitDist{Kind: InitMarginal}
	}
	y := e.initialDraw(init, spec.Labels, n, rng)
	N := spec.Steps
	grid := make([]float64, N+1)
	for j := 0; j <= N; j++ {
		u := float64(N-j) / float64(N)
		grid[j] = trainTime(eps, T, u)
	}
	s := e.newScore(spec, init)
	sc := make([]float64, len(y))
	var st diagStepper
	switch spec.Sampler {
	case SamplerEM:
	case SamplerHeun:
		st.sc2, st.y2 = make([]float64, len(y)), make([]float64, len(y))
	default:
		r := len(e.lambda)
		st.phi, st.sig2, st.sq = make([]float64, r), make([]float64, r), make([]float64, r)
	}
	for j := 0; j < N; j++ {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		t, u := grid[j], grid[j+1]
		s.eval(y, t, sc)
		switch spec.Sampler {
		case SamplerEM:
			e.emStep(y, sc, t, u, n, rng)
		case SamplerHeun:
			e.heunStep(&st, s, y, sc, t, u)
		default:
			e.ancestralStep(&st, y, sc, t, u, n, rng)
		}
	}
	s.eval(y, eps, sc)
	e.finalStep(y, sc, s.k, n, rng)
	return y, nil
}

// initialDraw draws n latent rows at time T from init: the anchor mixture
// (restricted to each row's label when labels is not nil) pushed forward by
// the process, the stationary law, or the exact time-T marginal of a
// Gaussian with the data covariance.
func (e *diagEngine) initialDraw(init *InitDist, labels []int, n int, rng *rand.Rand) []float64 {
	r := len(e.lambda)
	_, T := e.p.Horizon()
	y := make([]float64, n*r)
	switch init.Kind {
	case InitAnchors:
		cum := make([]float64, len(init.Weights))
		var s float64
		for i, w := range init.Weights {
			s += w
			cum[i] = s
		}
		for a := 0; a < n; a++ {
			u := rng.Float64() * s
			c := 0
			for c < len(cum)-1 && u > cum[c] {
				c++
			}
			if labels != nil {
				c = init.pick(u/s, labels[a])
			}
			for i := 0; i < r; i++ {
				m := e.p.Mean(i, T)
				sd := math.Sqrt(e.p.Var(i, T) + m*m*init.Vars[c][i])
				y[a*r+i] = m*init.Means[c][i] + sd*rng.NormFloat64()
			}
		}
	case InitStationary:
		for a := 0; a < n; a++ {
			for i := 0; i < r; i++ {
				y[a*r+i] = math.Sqrt(e.p.Var(i, 1e6*T)) * rng.NormFloat64()
			}
		}
	default: // marginal
		for a := 0; a < n; a++ {
			for i := 0; i < r; i++ {
				y[a*r+i] = math.Sqrt(e.gaussVar(i, T)) * rng.NormFloat64()
			}
		}
	}
	return y
}

// diagScore evaluates a diagEngine's model score on the n rows of a
// sample: the Gaussian score −y/(m²λ+s), minus, on the k network-modelled
// coordinates at times ≥ tmin, the learned residual over √s, plus the
// label guidance when the rows have labels. Its buffers are allocated once
// per Sample, not per step.
type diagScore struct {
	e       *diagEngine
	net     *nn.MLP
	n, r, k int
	ws      *nn.Workspace
	in, out []float32 // network input and output, n×k
	tv      []float64 // the time of every row
	v, isd  []float64 // per coordinate: m²λ+s and 1/√s at the current time
	init    *InitDist
	labels  []int // nil, or the label of each row (guidance)
	guide   int   // coordinates entering the guidance
}

// newScore returns the score of spec's network (k = 0 without one).
func (e *diagEngine) newScore(spec sampleSpec, init *InitDist) *diagScore {
	n, r, k := spec.N, len(e.lambda), spec.K
	if spec.Net == nil {
		k = 0
	}
	s := &diagScore{e: e, net: spec.Net, n: n, r: r, k: k,
		in: make([]float32, n*k), out: make([]float32, n*k), tv: make([]float64, n),
		v: make([]float64, r), isd: make([]float64, r), init: init, guide: spec.GuideDims}
	if spec.Labels != nil && init.Kind == InitAnchors && init.Labels != nil {
		s.labels = spec.Labels
	}
	return s
}

// eval fills sc (n×r) with the model score of y at time t.
func (s *diagScore) eval(y []float64, t float64, sc []float64) {
	e, n, r, k := s.e, s.n, s.r, s.k
	v, isd, in, out := s.v, s.isd, s.in, s.out
	for i := range v {
		v[i] = e.gaussVar(i, t)
		isd[i] = 1 / math.Sqrt(e.p.Var(i, t))
	}
	useNet := k > 0 && t >= e.tmin
	if useNet {
		for a := 0; a < n; a++ {
			s.tv[a] = t
			for i := 0; i < k; i++ {
				in[a*k+i] = float32(y[a*r+i] / math.Sqrt(v[i]))
			}
		}
		s.ws = s.net.Forward(s.ws, in, s.tv, n, out)
	}
	for a := 0; a < n; a++ {
		ya, sa := y[a*r:(a+1)*r], sc[a*r:(a+1)*r]
		for i := range ya {
			sa[i] = -ya[i] / v[i]
		}
		if !useNet {
			continue
		}
		for i := 0; i < k; i++ {
			sa[i] -= float64(out[a*k+i]) * isd[i]
		}
	}
	if s.labels != nil {
		s.init.guide(e.p, t, y, sc, n, r, s.guide, s.labels)
	}
}

// diagStepper holds the per-sampler scratch of diagEngine's reverse steps,
// allocated once per Sample: Heun's predictor and its score, the ancestral
// step's per-coordinate coefficients.
type diagStepper struct {
	sc2, y2       []float64
	phi, sig2, sq []float64
}

// emStep is one Euler–Maruyama step of the reverse SDE from t down to u,
// given the score sc of y at t.
func (e *diagEngine) emStep(y, sc []float64, t, u float64, n int, rng *rand.Rand) {
	r := len(e.lambda)
	h := t - u
	g2 := e.p.Diffusion2(t)
	for i := 0; i < r; i++ {
		f := e.p.Drift(i, t)
		for a := 0; a < n; a++ {
			idx := a*r + i
			y[idx] += -h*(f*y[idx]-g2*sc[idx]) + math.Sqrt(g2*h)*rng.NormFloat64()
		}
	}
}

// pfDrift is the drift of the probability-flow ODE in coordinate i at time
// t, for value y and score s.
func (e *diagEngine) pfDrift(i int, t, y, s float64) float64 {
	return e.p.Drift(i, t)*y - 0.5*e.p.Diffusion2(t)*s
}

// heunStep is one Heun step of the probability-flow ODE from t down to u,
// given the score sc of y at t; it evaluates the score once more, at the
// Euler predictor.
func (e *diagEngine) heunStep(st *diagStepper, s *diagScore, y, sc []float64, t, u float64) {
	r := len(e.lambda)
	h := t - u
	y2, sc2 := st.y2, st.sc2
	for idx := range y {
		i := idx % r
		y2[idx] = y[idx] - h*e.pfDrift(i, t, y[idx], sc[idx])
	}
	s.eval(y2, u, sc2)
	for idx := range y {
		i := idx % r
		y[idx] -= 0.5 * h * (e.pfDrift(i, t, y[idx], sc[idx]) + e.pfDrift(i, u, y2[idx], sc2[idx]))
	}
}

// ancestralStep draws y_u given y_t: the Tweedie mean of y_u | y_t from the
// score sc, with the Gaussian posterior variance (exact for Gaussian data
// at any step count).
func (e *diagEngine) ancestralStep(st *diagStepper, y, sc []float64, t, u float64, n int, rng *rand.Rand) {
	r := len(e.lambda)
	phi, sig2, sq := st.phi, st.sig2, st.sq
	for i := 0; i < r; i++ {
		phi[i], sig2[i] = transition(e.p, i, u, t)
		sq[i] = math.Sqrt(e.gaussVar(i, u) * sig2[i] / e.gaussVar(i, t))
		phi[i] = 1 / phi[i]
	}
	for a := 0; a < n; a++ {
		ya, sa := y[a*r:(a+1)*r], sc[a*r:(a+1)*r]
		for i := range ya {
			ya[i] = (ya[i]+sig2[i]*sa[i])*phi[i] + sq[i]*rng.NormFloat64()
		}
	}
}

// finalStep takes y from eps to 0, given its score sc at eps: the Tweedie
// mean E[y_0 | y_eps], plus, in the coordinates the network does not model
// (i ≥ k), the Gaussian posterior spread λs/(m²λ+s): there a bare
// posterior mean would shrink every direction whose variance λ is not
// ≫ s(eps).
func (e *diagEngine) finalStep(y, sc []float64, k, n int, rng *rand.Rand) {
	r := len(e.lambda)
	eps, _ := e.p.Horizon()
	fin := make([]float64, r)
	sd0 := make([]float64, r)
	sv := make([]float64, r)
	for i := 0; i < r; i++ {
		m, s := e.p.Mean(i, eps), e.p.Var(i, eps)
		fin[i], sv[i] = 1/m, s
		// Network-modelled coordinates get the learned posterior mean only: the
		// Gaussian spread would blur sharp modes the network has learned.
		if i >= k {
			sd0[i] = math.Sqrt(e.lambda[i] * s / e.gaussVar(i, eps))
		}
	}
	for a := 0; a < n; a++ {
		ya, sa := y[a*r:(a+1)*r], sc[a*r:(a+1)*r]
		for i := range ya {
			ya[i] = (ya[i]+sv[i]*sa[i])*fin[i] + sd0[i]*rng.NormFloat64()
		}
	}
}

// Progress reports the state of a long operation to a callback.
type Progress struct {
	Phase   string  // "basis", "anchors", "train", "calibrate"
	Step    int     // steps done in this phase
	Total   int     // steps in this phase
	Loss    float64 // training loss (EMA of the batch loss); 0 outside training
	Elapsed time.Duration
}
