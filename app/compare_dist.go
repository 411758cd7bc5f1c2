package app

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"time"

	"gonum.org/v1/gonum/mat"

	"github.com/gousynth/gousynth/internal/atomicfile"
	"github.com/gousynth/gousynth/internal/version"
	"github.com/gousynth/gousynth/metrics"
	"github.com/gousynth/gousynth/model"
	"github.com/gousynth/gousynth/report"
	"github.com/gousynth/gousynth/synth"
)

// Distributions of CompareDist: the benchmark distributions of package synth.
var CompareDistributions = []string{"two-gaussians", "grid25", "funnel"}

// Defaults of CompareDistOptions.
const (
	// DefaultDistN is the number of samples drawn by CompareDist: the GOU
	// paper's §7.1 uses N = 2000.
	DefaultDistN = 2000
	// DefaultFunnelDim is the dimension of the funnel distribution.
	DefaultFunnelDim = 100
	// DistHistBins2D is the number of bins per axis of the joint histogram
	// of 2-D data (KL row kl_hist_2d).
	DistHistBins2D = 20
	// DistHistBins1D is the number of bins of each coordinate's histogram
	// (KL row kl_hist_1d).
	DistHistBins1D = 30
)

// DistTestFile holds the held-out samples of a CompareDist run; each
// process's samples go to samples-<process>.tsv (both synth.WriteTSV
// matrices), so that plots can be made from them.
const DistTestFile = "test.tsv"

// stageDraw is the seed stage of the samples drawn from a distribution.
const stageDraw uint64 = 101

// CompareDistOptions describe a comparison of forward processes on
// continuous data drawn from one of synth's benchmark distributions — the
// GOU paper's Table 1 setting.
type CompareDistOptions struct {
	// Dist is one of CompareDistributions.
	Dist string
	// Dim is the dimension of the funnel (0 = DefaultFunnelDim); other
	// distributions have a fixed dimension.
	Dim int
	// N samples are drawn (0 = DefaultDistN) and TestFraction of them held
	// out as the test set.
	N            int
	TestFraction float64
	// Seed drives the draw, the split, the fits, the sampling and the
	// evaluation, each through its own stream.
	Seed      uint64
	OutDir    string
	Processes []string
	// Configs holds the model configuration of each process (see
	// CompareOptions.Configs: every process gets the same budget).
	Configs map[string]model.Config
	// NSynth samples are generated per process (0 = N). The evaluated set
	// and the floor set both have min(NSynth, training size) samples.
	NSynth int
	// Projections is the number of directions of the sliced W2 (0 = 500).
	Projections int
	// CommandLine is recorded in the outputs.
	CommandLine string
	// Progress, when not nil, returns the progress callback of a process.
	Progress func(process string) func(model.Progress)
	Logger   *slog.Logger
}

// DistInfo describes the data of a CompareDist run; it is part of
// comparison.json.
type DistInfo struct {
	Distribution string  `json:"distribution"`
	Dim          int     `json:"dim"`
	N            int     `json:"n"`
	NumTrain     int     `json:"num_train"`
	NumTest      int     `json:"num_test"`
	NumSynth     int     `json:"num_synth"`
	EvalSize     int     `json:"eval_size"`
	TestFraction float64 `json:"test_fraction"`
	Seed         uint64  `json:"seed"`
}

// newDistribution returns the benchmark distribution called name.
func newDistribution(name string, dim int) (synth.Distribution, error) {
	switch name {
	case "two-gaussians":
		return synth.TwoGaussians(), nil
	case "grid25":
		return synth.GaussianGrid25(), nil
	case "funnel":
		if dim == 0 {
			dim = DefaultFunnelDim
		}
		f, err := synth.Funnel(dim)
		if err != nil {
			return nil, fmt.Errorf("%w: %v", ErrBadOption, err)
		}
		return f, nil
	}
	return nil, fmt.Errorf("%w: unknown distribution %q (want one of %v)", ErrBadOption, name, CompareDistributions)
}

// CompareDist draws N samples from a benchmark distribution, holds out a
// test set, fits every process on the same training samples with the same
// budget and seed, draws continuous samples from each and compares them with
// the test set on the GOU paper's metrics, next to the floor (a random
// subset of the training samples of the same size, judged the same way). It
// writes comparison.{md,html,json}, run.log, the held-out samples
// (DistTestFile) and each process's samples (samples-<process>.tsv) into
// OutDir, all together or not at all.
func CompareDist(ctx context.Context, o CompareDistOptions) (_ *CompareResult, err error) {
	if err := checkProcesses(o.Processes, o.Configs); err != nil {
		return nil, err
	}
	if err := o.setDefaults(); err != nil {
		return nil, err
	}
	dist, err := newDistribution(o.Dist, o.Dim)
	if err != nil {
		return nil, err
	}
	nTest := int(math.Round(o.TestFraction * float64(o.N)))
	if nTrain := o.N - nTest; nTest < 2 || nTrain < 2 {
		return nil, fmt.Errorf("%w: %d samples with test fraction %g leave %d training and %d test samples (need 2 each)", ErrBadOption, o.N, o.TestFraction, nTrain, nTest)
	}

	// A job without genotype data: its log and staged output directory.
	j := &job{logBuf: new(bytes.Buffer), seed: o.Seed}
	j.log = teeLogger(o.Logger, j.logBuf)
	j.log.Debug("run", "gousynth", version.String(), "command", o.CommandLine, "seed", o.Seed)
	if j.out, err = atomicfile.CreateDir(o.OutDir); err != nil {
		return nil, err
	}
	defer j.out.Abort()
	defer func() { err = j.out.UserError(err) }()

	r, err := newDistRun(j, o, dist, nTest)
	if err != nil {
		return nil, err
	}
	res := &CompareResult{Dist: r.info()}
	for _, proc := range o.Processes {
		row, err := r.compare(ctx, proc)
		if err != nil {
			return nil, err
		}
		res.Rows = append(res.Rows, row)
		if err := ctx.Err(); err != nil {
			return nil, err
		}
	}
	if err := res.writeFiles(j.out, o.CommandLine); err != nil {
		return nil, err
	}
	res.Files, err = j.finish(ctx)
	return res, err
}

// setDefaults fills in the defaults of o (N, NSynth, Projections) and
// refuses sizes a comparison cannot be made with.
func (o *CompareDistOptions) setDefaults() error {
	if o.N == 0 {
		o.N = DefaultDistN
	}
	if o.N < 10 {
		return fmt.Errorf("%w: need at least 10 samples, got %d", ErrBadOption, o.N)
	}
	if !(o.TestFraction > 0 && o.TestFraction < 1) {
		return fmt.Errorf("%w: test fraction must be in (0, 1), got %g", ErrBadOption, o.TestFraction)
	}
	if o.NSynth < 0 {
		return fmt.Errorf("%w: number of synthetic samples must not be negative, got %d", ErrBadOption, o.NSynth)
	}
	if o.NSynth == 0 {
		o.NSynth = o.N
	}
	if o.Projections <= 0 {
		o.Projections = 500
	}
	return nil
}

// distRun is the state CompareDist's processes share: the training and
// test samples, and the evaluator with its floor.
type distRun struct {
	*job
	o           CompareDistOptions
	dim         int
	train, test *mat.Dense
	// The evaluation: evalSize of each process's samples (synthIdx) are
	// judged against the test set by ev, next to the floor (as many
	// training samples, judged the same way).
	evalSize int
	synthIdx []int
	ev       *distEvaluator
	floor    *distStats
}

// newDistRun draws the samples, splits them by a seeded permutation
// (nTest held out, written to DistTestFile) and draws the evaluation
// sets: as many synthetic and floor samples, min(NSynth, training size).
func newDistRun(j *job, o CompareDistOptions, dist synth.Distribution, nTest int) (*distRun, error) {
	x := dist.Sample(synth.NewRand(stageSeed(o.Seed, stageDraw)), o.N)
	perm := rand.New(rand.NewPCG(stageSeed(o.Seed, stageSplit), 0x73706c)).Perm(o.N)
	r := &distRun{job: j, o: o, dim: dist.Dim(), test: rowsOf(x, perm[:nTest]), train: rowsOf(x, perm[nTest:])}
	nTrain := o.N - nTest
	j.log.Info("drew", "distribution", o.Dist, "dim", r.dim, "n", o.N, "train", nTrain, "test", nTest)
	if err := writeTSV(j.out.Path(DistTestFile), r.test); err != nil {
		return nil, err
	}
	r.evalSize = min(o.NSynth, nTrain)
	erng := rand.New(rand.NewPCG(stageSeed(o.Seed, stageReport), 0x6576616c))
	floorIdx := sortedSubset(erng, nTrain, r.evalSize)
	r.synthIdx = sortedSubset(erng, o.NSynth, r.evalSize)
	projSeed := erng.Uint64()
	r.ev = newDistEvaluator(r.test, dist, o.Projections, projSeed)
	r.floor = r.ev.evaluate(rowsOf(r.train, floorIdx))
	return r, nil
}

// info describes the run's data for comparison.json.
func (r *distRun) info() *DistInfo {
	nTrain, _ := r.train.Dims()
	nTest, _ := r.test.Dims()
	return &DistInfo{Distribution: r.o.Dist, Dim: r.dim, N: r.o.N, NumTrain: nTrain, NumTest: nTest, NumSynth: r.o.NSynth,
		EvalSize: r.evalSize, TestFraction: r.o.TestFraction, Seed: r.o.Seed}
}

// compare fits process proc on the training samples, draws NSynth
// samples (written to samples-<proc>.tsv) and judges them.
func (r *distRun) compare(ctx context.Context, proc string) (CompareRow, error) {
	o, log := r.o, r.log
	nTrain, _ := r.train.Dims()
	nTest, _ := r.test.Dims()
	cfg := o.Configs[proc]
	cfg.Seed = stageSeed(o.Seed, stageModel)
	var progress func(model.Progress)
	if o.Progress != nil {
		progress = o.Progress(proc)
	}
	log.Info("fitting", "process", proc, "train", nTrain, "dim", r.dim, "steps", cfg.Steps)
	cpu0 := processCPUSeconds()
	t0 := time.Now()
	cm, err := model.FitContinuous(ctx, r.train, cfg, progress)
	if err != nil {
		return CompareRow{}, fmt.Errorf("%s: %w", proc, err)
	}
	fitSec := time.Since(t0).Seconds()
	for _, pt := range cm.Timings() {
		log.Info("fit phase", "process", proc, "phase", pt.Phase, "seconds", strconv.FormatFloat(pt.Seconds, 'f', 2, 64))
	}
	log.Info("generating", "process", proc, "samples", o.NSynth)
	t0 = time.Now()
	s, err := cm.Sample(ctx, o.NSynth, stageSeed(o.Seed, stageGenerate))
	if err != nil {
		return CompareRow{}, fmt.Errorf("%s: %w", proc, err)
	}
	genSec := time.Since(t0).Seconds()
	met := r.ev.metrics(r.ev.evaluate(rowsOf(s, r.synthIdx)), r.floor)
	cpu := processCPUSeconds() - cpu0
	if err := writeTSV(r.out.Path("samples-"+proc+".tsv"), s); err != nil {
		return CompareRow{}, err
	}
	met.NumTrain, met.NumTest, met.NumSynth, met.EvalSize = nTrain, nTest, o.NSynth, r.evalSize
	log.Info("compared", "process", proc, "fit_seconds", fmt.Sprintf("%.1f", fitSec), "generate_seconds", fmt.Sprintf("%.1f", genSec),
		"cpu_seconds", fmt.Sprintf("%.1f", cpu), "train_loss", fmt.Sprintf("%.4f", cm.TrainLoss()))
	return CompareRow{Process: proc, Metrics: met, FitSeconds: fitSec, GenerateSeconds: genSec, CPUSeconds: cpu}, nil
}

// writeTSV writes x as synth.WriteTSV does.
func writeTSV(path string, x *mat.Dense) error {
	var b bytes.Buffer
	if err := synth.WriteTSV(&b, x); err != nil {
		return err
	}
	return atomicfile.WriteFile(path, b.Bytes())
}

// rowsOf returns the rows idx of x as a new matrix.
func rowsOf(x *mat.Dense, idx []int) *mat.Dense {
	_, d := x.Dims()
	out := mat.NewDense(len(idx), d, nil)
	for i, r := range idx {
		copy(out.RawRowView(i), x.RawRowView(r))
	}
	return out
}

// sortedSubset returns k distinct indices of [0, n) in increasing order.
func sortedSubset(rng *rand.Rand, n, k int) []int {
	idx := rng.Perm(n)[:k]
	slices.Sort(idx)
	return idx
}

// distEvaluator holds the test set's statistics, against which samples
// (synthetic or floor) are judged.
type distEvaluator struct {
	test       *mat.Dense
	n, d       int
	mean, sd   []float64
	cov, corr  *mat.SymDense
	sorted     [][]float64 // sorted test columns
	proj       *mat.Dense  // d × L unit directions
	projSorted [][]float64
	lo, hi     []float64 // histogram range per coordinate (the test's)
	mix        *synth.Mixture
	testModes  []float64
}

// distStats are the statistics of one evaluated sample set.
type distStats struct {
	meanErr, sdErr, w2 []float64 // per coordinate
	cov, corr          float64
	kl1, kl2, sw2      float64
	modeTV             float64
}

func newDistEvaluator(test *mat.Dense, dist synth.Distribution, projections int, seed uint64) *distEvaluator {
	n, d := test.Dims()
	e := &distEvaluator{test: test, n: n, d: d}
	e.mean, e.sd, e.cov, e.corr = moments(test)
	e.sorted = sortedCols(test)
	e.proj = mat.NewDense(d, projections, metrics.RandomDirections(d, projections, seed, 0x70726f6a, metrics.DrawDirectionMajor))
	e.projSorted = e.project(test)
	e.lo, e.hi = make([]float64, d), make([]float64, d)
	for j := 0; j < d; j++ {
		e.lo[j], e.hi[j] = e.sorted[j][0], e.sorted[j][n-1]
	}
	if mix, ok := dist.(*synth.Mixture); ok {
		e.mix = mix
		e.testModes = e.modeOccupancy(test)
	}
	return e
}

// moments returns column means, sample SDs (n−1), covariance and correlation.
func moments(x *mat.Dense) (mean, sd []float64, cov, corr *mat.SymDense) {
	n, d := x.Dims()
	mean, sd = make([]float64, d), make([]float64, d)
	for j := 0; j < d; j++ {
		mean[j] = mat.Sum(x.ColView(j)) / float64(n)
	}
	xc := mat.NewDense(n, d, nil)
	for i := 0; i < n; i++ {
		for j, v := range x.RawRowView(i) {
			xc.Set(i, j, v-mean[j])
		}
	}
	cov = mat.NewSymDense(d, nil)
	cov.SymOuterK(1/float64(n-1), xc.T())
	corr = mat.NewSymDense(d, nil)
	for j := 0; j < d; j++ {
		sd[j] = math.Sqrt(cov.At(j, j))
	}
	for a := 0; a < d; a++ {
		for b := a; b < d; b++ {
			if sd[a] > 0 && sd[b] > 0 {
				corr.SetSym(a, b, cov.At(a, b)/(sd[a]*sd[b]))
			}
		}
	}
	return mean, sd, cov, corr
}

func sortedCols(x *mat.Dense) [][]float64 {
	n, d := x.Dims()
	out := make([][]float64, d)
	for j := 0; j < d; j++ {
		c := make([]float64, n)
		mat.Col(c, j, x)
		slices.Sort(c)
		out[j] = c
	}
	return out
}

// project returns the sorted projections of x on each direction.
func (e *distEvaluator) project(x *mat.Dense) [][]float64 {
	var p mat.Dense
	p.Mul(x, e.proj)
	return sortedCols(&p)
}

// frobDiff returns ‖a − b‖_F.
func frobDiff(a, b *mat.SymDense) float64 {
	var d mat.Dense
	d.Sub(a, b)
	return mat.Norm(&d, 2)
}

// histKL returns KL(p‖q) of two histograms given as counts, with the report's
// pseudo-frequency smoothing (f + ε)/(1 + Kε) on both.
func histKL(p, q []float64) float64 {
	norm := func(c []float64) []float64 {
		var s float64
		for _, v := range c {
			s += v
		}
		out := make([]float64, len(c))
		for k, v := range c {
			out[k] = (v/s + metrics.KLSmoothing) / (1 + float64(len(c))*metrics.KLSmoothing)
		}
		return out
	}
	return metrics.KL(norm(p), norm(q))
}

// bin returns the histogram bin of v on [lo, hi] with b bins; values outside
// fall in the edge bins.
func bin(v, lo, hi float64, b int) int {
	if !(hi > lo) {
		return 0
	}
	k := int(math.Floor((v - lo) / (hi - lo) * float64(b)))
	return max(0, min(b-1, k))
}

func (e *distEvaluator) hist1D(x *mat.Dense, j int) []float64 {
	h := make([]float64, DistHistBins1D)
	n, _ := x.Dims()
	for i := 0; i < n; i++ {
		h[bin(x.At(i, j), e.lo[j], e.hi[j], DistHistBins1D)]++
	}
	return h
}

func (e *distEvaluator) hist2D(x *mat.Dense) []float64 {
	const b = DistHistBins2D
	h := make([]float64, b*b)
	n, _ := x.Dims()
	for i := 0; i < n; i++ {
		h[bin(x.At(i, 0), e.lo[0], e.hi[0], b)*b+bin(x.At(i, 1), e.lo[1], e.hi[1], b)]++
	}
	return h
}

// modeOccupancy returns the share of samples whose most probable mixture
// component (largest w_k N_k(x)) is k.
func (e *distEvaluator) modeOccupancy(x *mat.Dense) []float64 {
	k := e.mix.NumComponents()
	w := e.mix.Weights()
	occ := make([]float64, k)
	n, _ := x.Dims()
	for i := 0; i < n; i++ {
		best, bk := math.Inf(-1), 0
		for c := 0; c < k; c++ {
			if lp := math.Log(w[c]) + e.mix.Component(c).LogDensity(x.RawRowView(i)); lp > best {
				best, bk = lp, c
			}
		}
		occ[bk]++
	}
	for c := range occ {
		occ[c] /= float64(n)
	}
	return occ
}

// evaluate judges x (m × d) against the test set.
func (e *distEvaluator) evaluate(x *mat.Dense) *distStats {
	mean, sd, cov, corr := moments(x)
	st := &distStats{meanErr: make([]float64, e.d), sdErr: make([]float64, e.d), w2: make([]float64, e.d)}
	sorted := sortedCols(x)
	for j := 0; j < e.d; j++ {
		st.meanErr[j] = math.Abs(mean[j] - e.mean[j])
		st.sdErr[j] = math.Abs(sd[j] - e.sd[j])
		st.w2[j] = math.Sqrt(metrics.W2Squared(sorted[j], e.sorted[j]))
		st.kl1 += histKL(e.hist1D(e.test, j), e.hist1D(x, j))
	}
	st.kl1 /= float64(e.d)
	st.cov, st.corr = frobDiff(cov, e.cov), frobDiff(corr, e.corr)
	st.kl2 = math.NaN()
	if e.d == 2 {
		st.kl2 = histKL(e.hist2D(e.test), e.hist2D(x))
	}
	st.sw2 = metrics.SlicedW2(e.projSorted, e.project(x))
	st.modeTV = math.NaN()
	if e.mix != nil {
		occ := e.modeOccupancy(x)
		st.modeTV = 0
		for c := range occ {
			st.modeTV += 0.5 * math.Abs(occ[c]-e.testModes[c])
		}
	}
	return st
}

func distMetric(name, desc string, v, f float64) report.Metric {
	r := math.NaN()
	switch {
	case math.IsNaN(v) || math.IsNaN(f):
	case f == 0 && v == 0:
		r = 1
	case f == 0:
		r = math.Inf(1)
	default:
		r = v / f
	}
	return report.Metric{Name: name, Value: v, Floor: f, Ratio: r, Better: report.BetterLower, Description: desc}
}

func meanOf(a []float64) float64 {
	var s float64
	for _, v := range a {
		s += v
	}
	return s / float64(len(a))
}

// perCoord is the number of coordinates that get their own rows.
const perCoord = 5

// metrics lays out s next to the floor f as report metrics: the paper's
// rows (per coordinate for the first coordinates, then the mean over all),
// and, for mixtures, the mode occupancy as a structure row.
func (e *distEvaluator) metrics(s, f *distStats) *report.Metrics {
	met := &report.Metrics{Version: version.String(), NumSites: e.d, FloorAssessed: true}
	var p []report.Metric
	coordRows := func(name, desc string, sv, fv []float64) {
		for j := 0; j < min(e.d, perCoord); j++ {
			p = append(p, distMetric(fmt.Sprintf("%s_x%d", name, j+1), fmt.Sprintf("%s, coordinate x%d", desc, j+1), sv[j], fv[j]))
		}
		if e.d > 1 {
			p = append(p, distMetric(name+"_mean", desc+", mean over coordinates", meanOf(sv), meanOf(fv)))
		}
	}
	coordRows("mean_error", "|mean − test mean|", s.meanErr, f.meanErr)
	coordRows("std_error", "|SD − test SD|", s.sdErr, f.sdErr)
	p = append(p,
		distMetric("cov_frobenius", "‖Cov − Cov_test‖_F", s.cov, f.cov),
		distMetric("corr_frobenius", "‖Corr − Corr_test‖_F", s.corr, f.corr))
	coordRows("w2", "1-D Wasserstein-2 distance to the test marginal", s.w2, f.w2)
	if e.d == 2 {
		p = append(p, distMetric("kl_hist_2d", fmt.Sprintf("KL(test ‖ X) of %d×%d joint histograms on the test's bounding box (+1e-3 smoothing)", DistHistBins2D, DistHistBins2D), s.kl2, f.kl2))
	}
	p = append(p,
		distMetric("kl_hist_1d", fmt.Sprintf("KL(test ‖ X) of %d-bin histograms of each coordinate on the test's range (+1e-3 smoothing), mean over coordinates", DistHistBins1D), s.kl1, f.kl1),
		distMetric("sliced_w2", fmt.Sprintf("sliced Wasserstein-2 distance, %d random directions: sqrt(mean W2²)", e.proj.RawMatrix().Cols), s.sw2, f.sw2))
	met.Paper = p
	if e.mix != nil {
		met.Structure = []report.Metric{distMetric("mode_occupancy_tv", "total variation between the shares of samples assigned to each mixture component (by largest w_k N_k(x)), sample vs test", s.modeTV, f.modeTV)}
	}
	return met
}
