package report

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/gousynth/gousynth/internal/version"
	"github.com/gousynth/gousynth/metrics"
	"github.com/gousynth/gousynth/preprocess"
	"github.com/gousynth/gousynth/vcf"
)

// Sentinel errors returned (wrapped) by Evaluate.
var (
	// ErrSiteMismatch: the cohorts do not cover the same sites in the same order.
	ErrSiteMismatch = errors.New("sites do not match")
	// ErrTooFew: a cohort has too few individuals or sites to compute the metrics.
	ErrTooFew = errors.New("too few individuals or sites")
)

// Region selects a genomic interval, 1-based and inclusive. The zero Region
// selects everything.
type Region struct {
	Chrom string `json:"chrom,omitempty"`
	Start int    `json:"start,omitempty"`
	End   int    `json:"end,omitempty"`
}

// Options controls Evaluate. The zero value is valid: every zero field takes
// its documented default.
type Options struct {
	// LDWindowSNPs and LDWindowKB bound the SNP pairs used for the LD r²
	// comparison: a pair is used when it is at most LDWindowSNPs sites and at
	// most LDWindowKB kilobases apart. Defaults: 200 SNPs, 500 kb.
	LDWindowSNPs int     `json:"ld_window_snps"`
	LDWindowKB   float64 `json:"ld_window_kb"`
	// Projections is the number of random directions of the sliced
	// Wasserstein distance. Default 500.
	Projections int `json:"projections"`
	// PCs is the number of training principal components the cohorts are
	// projected on. Default 10.
	PCs int `json:"pcs"`
	// Seed drives every random choice (subsets, projections, PCA start).
	Seed uint64 `json:"seed"`
	// FloorSize is m, the number of synthetic individuals evaluated and the
	// size of the real training subset that forms the floor. 0 means
	// min(n_synth, n_train) (n_synth when there is no training set).
	FloorSize int `json:"floor_size"`
	// Panel maps sample IDs of the real test cohort to a population label
	// (see ReadPanel); it only colours the PCA plot. It is never written to
	// the JSON output.
	Panel map[string]string `json:"-"`
	// HeatmapRegion selects the sites of the LD heatmaps (default: all).
	HeatmapRegion Region `json:"heatmap_region"`
	// HeatmapMaxSNPs caps the SNPs of the heatmap region: larger regions are
	// thinned to this many evenly spaced SNPs before their r² matrix is
	// computed. Default 1500.
	HeatmapMaxSNPs int `json:"heatmap_max_snps"`
	// HeatmapCells caps the heatmap resolution: the r² matrix is block
	// averaged down to at most HeatmapCells × HeatmapCells cells. Default 300.
	HeatmapCells int `json:"heatmap_cells"`
	// DecayBins is the number of log-spaced distance bins of the LD decay
	// curves, which span the base-pair distances of the LD pairs above
	// (as ../shared/judge's do). Default 20.
	DecayBins int `json:"decay_bins"`
	// FloorDraws is the number of floor draws, whose spread is
	// Metric.FloorDraws (the first draw is Metric.Floor). For the fidelity
	// metrics each draw is a seeded random subset of m training individuals
	// (the structure metrics refit the PCs without it, as for the main
	// floor); they need a training cohort larger than the floor size, and
	// cov_frobenius and corr_frobenius are drawn only when their d × d path
	// applies (see frobPair; otherwise a draw would cost as much as the rest
	// of Evaluate). For the privacy metrics with a floor the draws are
	// bootstrap resamples of the held-out individuals (distances to the
	// closest record, identical matches, kinship) and new random subsets of
	// held-out and training individuals (AATS and its halves). Default 5; 1
	// turns the extra draws off.
	FloorDraws int `json:"floor_draws"`
	// SynthLabels, when non-nil, holds a population label per synthetic
	// individual (in the synthetic cohort's order); the PCA plot then colours
	// synthetic individuals by label like the real ones. Never written to
	// the JSON output.
	SynthLabels []string `json:"-"`
	// WindowHeatCells is the resolution (cells per side) of the per-window
	// zoom heatmaps of WindowErrors: 0 means DefaultWindowHeatCells (64), a
	// negative value computes none. Evaluate ignores it.
	WindowHeatCells int `json:"-"`
}

func (o Options) withDefaults() Options {
	orDefault(&o.LDWindowSNPs, 200)
	orDefault(&o.LDWindowKB, 500)
	orDefault(&o.Projections, 500)
	orDefault(&o.PCs, 10)
	orDefault(&o.HeatmapMaxSNPs, 1500)
	orDefault(&o.HeatmapCells, 300)
	orDefault(&o.DecayBins, 20)
	orDefault(&o.FloorDraws, 5)
	return o
}

// orDefault sets *v to def unless it is positive: the zero (or a negative)
// option takes its default.
func orDefault[T int | float64](v *T, def T) {
	if *v <= 0 {
		*v = def
	}
}

// Better values of Metric.Better.
const (
	BetterLower  = "lower"
	BetterHigher = "higher"
	BetterHalf   = "closer to 0.5"
)

// Metric is one number of the report next to its floor.
//
// Value is the metric of the synthetic cohort (against the real test cohort
// for fidelity metrics, against the training cohort for privacy metrics).
// Floor is the same metric for the reference: for fidelity metrics a random
// subset of real training individuals of the same size as the evaluated
// synthetic set; for privacy metrics the held-out real test individuals.
// Ratio says how much worse than the floor the synthetic cohort is, so that
// 1 means "as good as real data" and larger is worse for every metric:
// Value/Floor for errors, (1−Value)/(1−Floor) for correlations and r²
// (a ratio of shortfalls), Floor/Value for distances to the closest record.
// Floor and Ratio are NaN (null in JSON) when not assessed. FloorDraws, when
// not nil, holds the metric for several independent floor subsets (the first
// is Floor): their spread is the sampling noise of the floor.
type Metric struct {
	Name        string    `json:"name"`
	Value       float64   `json:"value"`
	Floor       float64   `json:"floor"`
	Ratio       float64   `json:"ratio"`
	Better      string    `json:"better"`
	Description string    `json:"description"`
	FloorDraws  []float64 `json:"floor_draws,omitempty"`
}

// MarshalJSON writes non-finite numbers as null (encoding/json rejects NaN).
func (m Metric) MarshalJSON() ([]byte, error) {
	type out struct {
		Name        string     `json:"name"`
		Value       *float64   `json:"value"`
		Floor       *float64   `json:"floor"`
		Ratio       *float64   `json:"ratio"`
		Better      string     `json:"better"`
		Description string     `json:"description"`
		FloorDraws  []*float64 `json:"floor_draws,omitempty"`
	}
	var draws []*float64
	for _, x := range m.FloorDraws {
		draws = append(draws, finitePtr(x))
	}
	return json.Marshal(out{m.Name, finitePtr(m.Value), finitePtr(m.Floor), finitePtr(m.Ratio), m.Better, m.Description, draws})
}

// UnmarshalJSON reads what MarshalJSON writes (null → NaN).
func (m *Metric) UnmarshalJSON(b []byte) error {
	var in struct {
		Name        string     `json:"name"`
		Value       *float64   `json:"value"`
		Floor       *float64   `json:"floor"`
		Ratio       *float64   `json:"ratio"`
		Better      string     `json:"better"`
		Description string     `json:"description"`
		FloorDraws  []*float64 `json:"floor_draws"`
	}
	if err := json.Unmarshal(b, &in); err != nil {
		return err
	}
	*m = Metric{Name: in.Name, Value: nullNaN(in.Value), Floor: nullNaN(in.Floor), Ratio: nullNaN(in.Ratio), Better: in.Better, Description: in.Description}
	for _, p := range in.FloorDraws {
		m.FloorDraws = append(m.FloorDraws, nullNaN(p))
	}
	return nil
}

func finitePtr(x float64) *float64 {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return nil
	}
	return &x
}

// Verdict is the summary judgement of one area of the report.
type Verdict struct {
	Area    string `json:"area"`    // "LD", "Allele frequencies", "Structure", "Privacy"
	Verdict string `json:"verdict"` // "good", "fair", "poor" or "not assessed"
	Reason  string `json:"reason"`
}

// Metrics is the result of Evaluate: every metric with its floor, grouped by
// area, plus the data the HTML report plots. Its JSON form has a stable field
// and metric order.
type Metrics struct {
	Version         string    `json:"version"`
	NumSites        int       `json:"num_sites"`
	NumTest         int       `json:"num_test"`
	NumSynth        int       `json:"num_synth"`
	NumTrain        int       `json:"num_train"`
	EvalSize        int       `json:"eval_size"`
	FloorAssessed   bool      `json:"floor_assessed"`
	PrivacyAssessed bool      `json:"privacy_assessed"`
	Notes           []string  `json:"notes"`
	Options         Options   `json:"options"`
	Verdicts        []Verdict `json:"verdicts"`
	Paper           []Metric  `json:"paper"`
	Genetics        []Metric  `json:"genetics"`
	Structure       []Metric  `json:"structure"`
	Privacy         []Metric  `json:"privacy"`
	// Populations compares the cohorts label by label when the synthetic
	// individuals have population labels (EvaluatePopulations); nil
	// otherwise.
	Populations *Populations `json:"populations,omitempty"`

	// Plots holds the per-SNP, per-individual and per-pair data behind the
	// figures. It is not part of the JSON output.
	Plots *PlotData `json:"-"`
}

// Get returns the metric called name from any group.
func (m *Metrics) Get(name string) (Metric, bool) {
	for _, g := range [][]Metric{m.Paper, m.Genetics, m.Structure, m.Privacy} {
		for _, x := range g {
			if x.Name == name {
				return x, true
			}
		}
	}
	return Metric{}, false
}

// PlotData is what the HTML report draws.
type PlotData struct {
	// Allele frequencies per site (ALT allele), test and synthetic.
	AFTest, AFSynth, AFFloor []float64
	// LD decay: bin centres (bp) and mean r² per bin; NaN for empty bins.
	DecayCentres                      []float64
	DecayTest, DecaySynth, DecayFloor []float64
	// PCA scores (EvalSize × PCs for synthetic, n_test × PCs for test),
	// row-major, and the test individuals' population labels ("" if none).
	PCs                 int
	PCTest, PCSynth     []float64
	TestPop             []string
	PCVarianceExplained []float64
	// LD heatmaps: cells × cells block-averaged r², row-major.
	HeatCells           int
	HeatTest, HeatSynth []float64
	HeatFirst, HeatLast vcf.Site
	HeatSNPs            int
	// Distances to the closest training record (Manhattan, dosage units).
	DCRSynth, DCRTest []float64
	// HeatPos holds the position (bp) of the first SNP of each heatmap cell.
	HeatPos []float64
	// SynthPop holds the evaluated synthetic individuals' labels
	// (Options.SynthLabels), nil when there are none.
	SynthPop []string
	// Per-SNP genotype summaries of the test, synthetic and floor cohorts
	// (Floor nil without a training cohort).
	SitesTest, SitesSynth, SitesFloor *SiteStats
	// Membership-inference scores, as the AUC of mia_auc takes them:
	// −(distance to the closest synthetic individual) of training members
	// and of held-out non-members.
	MIAMember, MIANonMember []float64
	// NumSNPs is the number of SNPs of the distances (to scale them to IBS).
	NumSNPs int
	// Largest KING-robust kinship of each synthetic and each test
	// individual to any training individual.
	KinSynth, KinTest []float64
	// ROC curves of the nearest-distance and the distance-ratio
	// membership-inference attacks (nil without held-out individuals).
	MIAROC, RatioROC []metrics.ROCPoint
	// FreqROC is the allele-frequency likelihood-ratio attack's ROC.
	FreqROC []metrics.ROCPoint
}

// cohort bundles a genotype set with its mean-imputed float matrix.
type cohort struct {
	g *vcf.Genotypes
	x *metrics.Matrix // individuals × sites
}

// Evaluate compares the synthetic cohort with the real test cohort, next to
// the floor (a random subset of real training individuals judged the same
// way), and assesses privacy against the training cohort. All three cohorts
// must cover the same sites in the same order. train may be nil: then the
// floor and privacy are not assessed, PCs come from the test cohort, and the
// result says so in Notes. test may be nil when train is not (a model
// trained on every individual): then the fidelity metrics compare the
// synthetic cohort with the training individuals themselves, without a
// floor (NumTest is 0, FloorAssessed false), and the privacy checks that
// need non-members (membership inference, the held-out floors of the
// others) are NaN; Notes and the verdicts say so.
func Evaluate(test, synth, train *vcf.Genotypes, opts Options) (*Metrics, error) {
	opts = opts.withDefaults()
	heldOut := test != nil
	if !heldOut && synth != nil && train != nil {
		test = train // the reference of the fidelity metrics
	}
	if err := checkCohorts(test, synth, train, heldOut); err != nil {
		return nil, err
	}
	res := newMetrics(test, synth, train, heldOut)
	m := floorSize(opts.FloorSize, synth, train, res)
	opts.FloorSize = m
	res.EvalSize = m
	res.Options = opts

	rng := rand.New(rand.NewPCG(opts.Seed, 0x9e3779b97f4a7c15))
	sub := drawSubsets(rng, synth, train, m, heldOut, res)
	T, S, F, err := sub.cohorts(test, synth, opts.SynthLabels, res.Plots)
	if err != nil {
		return nil, err
	}
	if err := fidelityMetrics(test, train, T, S, F, sub.floorIdx, heldOut, opts, rng, res); err != nil {
		return nil, err
	}
	if train != nil {
		nonMembers := test
		if !heldOut {
			nonMembers = nil
		}
		res.Privacy = privacyMetrics(train, nonMembers, synth, nil, sub.synthIdx, sub.floorIdx, rng.Uint64(), opts.FloorDraws, res.Plots)
		res.PrivacyAssessed = true
	} else {
		res.Notes = append(res.Notes, "privacy was not assessed: it needs the training cohort (--train)")
	}
	if err := heatmaps(T, S, opts, res.Plots); err != nil {
		return nil, err
	}
	res.Verdicts = verdicts(res)
	return res, nil
}

// checkCohorts checks what Evaluate needs of its cohorts: a synthetic one,
// a reference (test, or train standing in for it), the same sites in all
// of them, and at least 2 sites and 2 individuals each.
func checkCohorts(test, synth, train *vcf.Genotypes, heldOut bool) error {
	if synth == nil || test == nil {
		return fmt.Errorf("report: a synthetic cohort and a test or training cohort are required: %w", ErrTooFew)
	}
	if err := SameSites(test, synth, "test cohort", "synthetic cohort"); err != nil {
		return err
	}
	if train != nil && heldOut {
		if err := SameSites(test, train, "test cohort", "training cohort"); err != nil {
			return err
		}
	}
	if d := test.NumSites(); d < 2 || test.NumSamples() < 2 || synth.NumSamples() < 2 || (train != nil && train.NumSamples() < 2) {
		return fmt.Errorf("report: need at least 2 sites and 2 individuals per cohort (sites %d, test %d, synthetic %d): %w",
			d, test.NumSamples(), synth.NumSamples(), ErrTooFew)
	}
	return nil
}

// newMetrics returns the Metrics header of an evaluation: version, cohort
// sizes and, without held-out individuals, NoHeldOutNote.
func newMetrics(test, synth, train *vcf.Genotypes, heldOut bool) *Metrics {
	res := &Metrics{
		Version:  version.String(),
		NumSites: test.NumSites(), NumTest: test.NumSamples(), NumSynth: synth.NumSamples(),
		Plots: &PlotData{NumSNPs: test.NumSites()},
	}
	if train != nil {
		res.NumTrain = train.NumSamples()
	}
	if !heldOut {
		res.NumTest = 0
		res.Notes = append(res.Notes, NoHeldOutNote)
	}
	return res
}

// floorSize returns m, the size of the evaluated synthetic set and of the
// floor set: the requested size, or min(n_synth, n_train) when it is 0 or
// larger (with a note).
func floorSize(m int, synth, train *vcf.Genotypes, res *Metrics) int {
	maxM := synth.NumSamples()
	if train != nil && train.NumSamples() < maxM {
		maxM = train.NumSamples()
	}
	if m <= 0 || m > maxM {
		if m > maxM {
			res.Notes = append(res.Notes, fmt.Sprintf("floor size %d reduced to %d (the smaller of the synthetic and training cohorts)", m, maxM))
		}
		m = maxM
	}
	return m
}

// subsets are the individuals Evaluate compares: synthIdx, the m
// evaluated synthetic individuals; floorIdx, the m training individuals of
// the floor (nil without a training cohort); floor, their genotypes when
// there are held-out individuals to judge them against (nil otherwise).
type subsets struct {
	synthIdx, floorIdx []int
	synthEval, floor   *vcf.Genotypes
}

// drawSubsets draws the evaluated synthetic subset and the floor subset of
// m individuals each, noting what was drawn.
func drawSubsets(rng *rand.Rand, synth, train *vcf.Genotypes, m int, heldOut bool, res *Metrics) subsets {
	var s subsets
	s.synthIdx = sampleSubset(rng, synth.NumSamples(), m)
	s.synthEval = preprocess.SubsetSamplesShared(synth, s.synthIdx)
	if m < synth.NumSamples() {
		res.Notes = append(res.Notes, fmt.Sprintf("a seeded random subset of %d of the %d synthetic individuals is evaluated, the size of the floor set", m, synth.NumSamples()))
	}
	if train == nil {
		res.Notes = append(res.Notes, "no training cohort given: the floor and privacy were not assessed, and PCs come from the test cohort")
		return s
	}
	s.floorIdx = sampleSubset(rng, train.NumSamples(), m)
	if heldOut {
		s.floor = preprocess.SubsetSamplesShared(train, s.floorIdx)
		res.FloorAssessed = true
	}
	return s
}

// cohorts returns the test, evaluated synthetic and floor cohorts (F nil
// without a floor) with their float matrices, and fills the plot data that
// describes them: the synthetic individuals' labels (synthLabels, one per
// synthetic individual, or nil) and the per-SNP genotype summaries.
func (s subsets) cohorts(test, synth *vcf.Genotypes, synthLabels []string, plots *PlotData) (T, S cohort, F *cohort, err error) {
	T = cohort{test, metrics.NewMatrix(test)}
	S = cohort{s.synthEval, metrics.NewMatrix(s.synthEval)}
	if s.floor != nil {
		F = &cohort{s.floor, metrics.NewMatrix(s.floor)}
	}
	if synthLabels != nil {
		if len(synthLabels) != synth.NumSamples() {
			return T, S, nil, fmt.Errorf("report: %d synthetic labels for %d synthetic individuals: %w", len(synthLabels), synth.NumSamples(), ErrTooFew)
		}
		plots.SynthPop = make([]string, len(s.synthIdx))
		for i, j := range s.synthIdx {
			plots.SynthPop[i] = synthLabels[j]
		}
	}
	stT, stS := metrics.SiteStatsOf(test), metrics.SiteStatsOf(s.synthEval)
	plots.SitesTest, plots.SitesSynth = &stT, &stS
	if s.floor != nil {
		stF := metrics.SiteStatsOf(s.floor)
		plots.SitesFloor = &stF
	}
	return T, S, F, nil
}

// fidelityMetrics computes the paper, genetics and structure metrics of S
// and F against T, and their further floor draws.
func fidelityMetrics(test, train *vcf.Genotypes, T, S cohort, F *cohort, floorIdx []int, heldOut bool, opts Options, rng *rand.Rand, res *Metrics) error {
	projSeed := rng.Uint64()
	frob := metrics.NewCovCorrFrobenius(T.x)
	res.Paper = paperMetrics(T, S, F, opts.Projections, projSeed, frob)

	gen, err := geneticsMetrics(T, S, F, opts, res.Plots)
	if err != nil {
		return err
	}
	res.Genetics = gen

	pcaSeed := rng.Uint64()
	st, err := structureMetrics(pcaSource(test, train, floorIdx, heldOut, opts.PCs, res), T, S, F, opts, pcaSeed, res.Plots)
	if err != nil {
		return err
	}
	res.Structure = st

	m := opts.FloorSize
	switch {
	case F != nil && opts.FloorDraws > 1 && m < train.NumSamples():
		return floorDraws(T, train, m, opts, projSeed, pcaSeed, frob, res)
	case F != nil && opts.FloorDraws > 1:
		res.Notes = append(res.Notes, fmt.Sprintf("the floor set is the whole training cohort (%d individuals), so further floor draws would be identical and the fidelity metrics show no floor range; a floor size below %d (or fewer synthetic individuals) gives one", m, m))
	}
	return nil
}

// pcaSource returns the cohort the structure metrics fit their PCs on: the
// training cohort (or the test cohort without one). Individuals projected
// on axes fitted to themselves spread more than new ones (the test and
// synthetic individuals), so when enough training individuals remain the
// axes are fitted without the floor subset; a note says which was done.
func pcaSource(test, train *vcf.Genotypes, floorIdx []int, heldOut bool, pcs int, res *Metrics) *vcf.Genotypes {
	switch {
	case train == nil:
		return test
	case !heldOut:
		return train
	}
	rest := complement(floorIdx, train.NumSamples())
	if len(rest) >= max(minPCAFit, 2*pcs) {
		res.Notes = append(res.Notes, fmt.Sprintf("PCs were fitted on the %d training individuals outside the floor subset, so that floor, test and synthetic individuals are all projected out of sample", len(rest)))
		return preprocess.SubsetSamplesShared(train, rest)
	}
	res.Notes = append(res.Notes, fmt.Sprintf("PCs were fitted on all %d training individuals, including the floor subset: projected in sample, the floor spreads more than new individuals would, so the PCA floor is lenient (use a floor size of at most %d to avoid this)", train.NumSamples(), train.NumSamples()-max(minPCAFit, 2*pcs)))
	return train
}

// floorDraws computes the paper, genetics and structure metrics of
// opts.FloorDraws−1 further floor subsets (seeded random subsets of m
// training individuals, drawn from their own generator so that the main
// draw is unchanged) and stores every draw, the main one first, in
// Metric.FloorDraws. Each structure draw refits the PCs without its own
// floor subset, as the main draw does. The Frobenius metrics are drawn
// when their d × d path applies (frobPair); on the n × n Gram path a draw
// would cost as much as the rest of the report, and they keep one draw.
func floorDraws(T cohort, train *vcf.Genotypes, m int, opts Options, projSeed, pcaSeed uint64, frob *metrics.CovCorrFrobenius, res *Metrics) error {
	rng := rand.New(rand.NewPCG(opts.Seed, 0x5851f42d4c957f2d))
	groups := [][]Metric{res.Paper, res.Genetics, res.Structure}
	for _, g := range groups {
		for i := range g {
			g[i].FloorDraws = []float64{g[i].Floor}
		}
	}
	drawFrob := frob.DD(m)
	for k := 1; k < opts.FloorDraws; k++ {
		idx := sampleSubset(rng, train.NumSamples(), m)
		fg := preprocess.SubsetSamplesShared(train, idx)
		Fk := cohort{fg, metrics.NewMatrix(fg)}
		// The draw takes the synthetic cohort's place: its Value is the floor.
		var fr *metrics.CovCorrFrobenius
		if drawFrob {
			fr = frob
		}
		paper := paperMetrics(T, Fk, nil, opts.Projections, projSeed, fr)
		gen, err := geneticsMetrics(T, Fk, nil, opts, &PlotData{})
		if err != nil {
			return err
		}
		pcaSrc := train
		if rest := complement(idx, train.NumSamples()); len(rest) >= max(minPCAFit, 2*opts.PCs) {
			pcaSrc = preprocess.SubsetSamplesShared(train, rest)
		}
		st, err := structureMetrics(pcaSrc, T, Fk, nil, opts, pcaSeed, &PlotData{})
		if err != nil {
			return err
		}
		for gi, draw := range [][]Metric{paper, gen, st} {
			for i := range groups[gi] {
				v := math.NaN()
				for _, x := range draw {
					if x.Name == groups[gi][i].Name {
						v = x.Value
					}
				}
				groups[gi][i].FloorDraws = append(groups[gi][i].FloorDraws, v)
			}
		}
	}
	if !drawFrob {
		for i := range res.Paper {
			if n := res.Paper[i].Name; n == "cov_frobenius" || n == "corr_frobenius" {
				res.Paper[i].FloorDraws = nil
			}
		}
		res.Notes = append(res.Notes, fmt.Sprintf("cov_frobenius and corr_frobenius have one floor draw: at %d SNPs each further draw would cost as much as the rest of the report", T.x.D))
	}
	return nil
}

// NoHeldOutNote is the note of Metrics evaluated without held-out
// individuals (Evaluate with a nil test cohort).
const NoHeldOutNote = "no held-out individuals (every real individual was used for training): the fidelity metrics compare the synthetic cohort with the training individuals themselves and have no floor; the privacy checks that need non-members (membership inference, and the held-out yardsticks of the distances, AATS and kinship) are not available"

// minPCAFit is the fewest training individuals outside the floor subset
// that the PCs are fitted on.
const minPCAFit = 200

// complement returns the indices in [0, n) not in idx (idx sorted).
func complement(idx []int, n int) []int {
	out := make([]int, 0, n-len(idx))
	k := 0
	for i := 0; i < n; i++ {
		if k < len(idx) && idx[k] == i {
			k++
			continue
		}
		out = append(out, i)
	}
	return out
}

// SameSites returns an ErrSiteMismatch error naming the first site where a
// and b differ (chromosome, position, REF or ALT), or nil. nameA and nameB
// name the two cohorts in the message (for example their file names).
func SameSites(a, b *vcf.Genotypes, nameA, nameB string) error {
	if a.NumSites() != b.NumSites() {
		n := min(a.NumSites(), b.NumSites())
		for i := 0; i < n; i++ {
			if !sameSite(a.Sites[i], b.Sites[i]) {
				return siteErr(a, b, nameA, nameB, i)
			}
		}
		return fmt.Errorf("report: %s has %d sites, %s has %d: %w", nameA, a.NumSites(), nameB, b.NumSites(), ErrSiteMismatch)
	}
	for i := range a.Sites {
		if !sameSite(a.Sites[i], b.Sites[i]) {
			return siteErr(a, b, nameA, nameB, i)
		}
	}
	return nil
}

func sameSite(x, y vcf.Site) bool {
	return x.Chrom == y.Chrom && x.Pos == y.Pos && x.Ref == y.Ref && x.Alt == y.Alt
}

func siteErr(a, b *vcf.Genotypes, nameA, nameB string, i int) error {
	x, y := a.Sites[i], b.Sites[i]
	return fmt.Errorf("report: site %d differs: %s has %s:%d %s>%s, %s has %s:%d %s>%s: %w",
		i+1, nameA, x.Chrom, x.Pos, x.Ref, x.Alt, nameB, y.Chrom, y.Pos, y.Ref, y.Alt, ErrSiteMismatch)
}

// ratioLower is Value/Floor for error metrics.
func ratioLower(v, f float64) float64 {
	if math.IsNaN(f) {
		return math.NaN()
	}
	if f == 0 {
		if v == 0 {
			return 1
		}
		return math.Inf(1)
	}
	return v / f
}

// ratioHigher is the ratio of shortfalls (1−v)/(1−f) for r²-like metrics.
func ratioHigher(v, f float64) float64 {
	return ratioLower(1-v, 1-f)
}

func metricLower(name, desc string, v, f float64) Metric {
	return Metric{Name: name, Value: v, Floor: f, Ratio: ratioLower(v, f), Better: BetterLower, Description: desc}
}

func metricHigher(name, desc string, v, f float64) Metric {
	return Metric{Name: name, Value: v, Floor: f, Ratio: ratioHigher(v, f), Better: BetterHigher, Description: desc}
}

// nullNaN is the number p points to, NaN for a JSON null (nil).
func nullNaN(p *float64) float64 {
	if p == nil {
		return math.NaN()
	}
	return *p
}
