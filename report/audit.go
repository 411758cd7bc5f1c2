package report

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"math/rand/v2"

	"github.com/gousynth/gousynth/internal/version"
	"github.com/gousynth/gousynth/metrics"
	"github.com/gousynth/gousynth/preprocess"
	"github.com/gousynth/gousynth/vcf"
)

// AuditOptions controls RunAudit. The zero value is valid.
type AuditOptions struct {
	// Seed drives the random subsets (AATS, the reference half of the
	// distance-ratio attack).
	Seed uint64 `json:"seed"`
	// FloorSize is the number of synthetic and of training individuals
	// AATS compares (0: min(n_synth, n_train)), as Options.FloorSize.
	FloorSize int `json:"floor_size"`
	// ModelProbe, when not nil, scores how far one real individual's dosage
	// vector (one value per site, NaN where missing) lies from what the model
	// file represents: a larger value means less likely a training member
	// (model.Basis.OutsideSpan). With held-out individuals it becomes the
	// "model-file probe" attack. It never sees the synthetic cohort.
	ModelProbe func(dosage []float64) float64 `json:"-"`
	// ModelDensity, when not nil, is a likelihood-ratio membership score of
	// one real individual's dosage vector (NaN where missing) under the
	// model's own density: higher means more likely a training member
	// (model.Basis.DensityScore). With held-out individuals it becomes the
	// "model density" attack (density_mia_auc).
	ModelDensity func(dosage []float64) float64 `json:"-"`
	// Reference, when not nil, is a sample of the population that is
	// neither trained on nor held out (a public panel, on the cohorts'
	// sites): the allele-frequency attack takes its frequencies as the
	// population's, and every held-out individual as a non-member.
	Reference *vcf.Genotypes `json:"-"`
}

// AttackResult is one membership-inference attack: training members against
// held-out non-members.
type AttackResult struct {
	Name string `json:"name"`
	// AUC of the attack's score (0.5: no better than guessing).
	AUC float64 `json:"auc"`
	// TPRAt1 and TPRAt10 are the shares of members found while wrongly
	// accusing at most 1% and 10% of non-members.
	TPRAt1  float64            `json:"tpr_at_fpr_0.01"`
	TPRAt10 float64            `json:"tpr_at_fpr_0.1"`
	ROC     []metrics.ROCPoint `json:"roc"`
}

// Audit is the result of RunAudit: every privacy check of the synthetic
// cohort against the training cohort, next to held-out real individuals
// when there are any, and a verdict with its reasons.
type Audit struct {
	Version string `json:"version"` // gousynth version
	// NumSites is the number of sites compared; NumTrain, NumSynth and
	// NumTest the individuals of each cohort (NumTest 0 without one).
	NumSites int `json:"num_sites"`
	NumTrain int `json:"num_train"`
	NumSynth int `json:"num_synth"`
	NumTest  int `json:"num_test"`
	// EvalSize is the number of synthetic and of training individuals AATS
	// compares.
	EvalSize int `json:"eval_size"`
	// Verdict is "good", "fair" or "poor" (the thresholds of the report's
	// privacy verdict); Reasons say why.
	Verdict string   `json:"verdict"`
	Reasons []string `json:"reasons"`
	// Notes say what was not assessed and which subsets were drawn.
	Notes   []string     `json:"notes"`
	Options AuditOptions `json:"options"`
	// Metrics are the privacy metrics of Evaluate, Value for the synthetic
	// cohort and Floor for the held-out individuals (NaN without them),
	// plus probe_mia_auc with a model probe.
	Metrics []Metric `json:"metrics"`
	// Attacks are the membership-inference attacks that were run.
	Attacks []AttackResult `json:"attacks"`
}

// Get returns the metric called name.
func (a *Audit) Get(name string) (Metric, bool) {
	for _, m := range a.Metrics {
		if m.Name == name {
			return m, true
		}
	}
	return Metric{}, false
}

// RunAudit runs every privacy check of package report on a synthetic cohort
// against its training cohort: identical matches, distance to the closest
// record, AATS with its halves, KING-robust kinship shares, and, when test
// (held-out real individuals, never trained on) is given, the floors of
// these and the nearest-distance and distance-ratio membership-inference
// attacks with their ROC curves, and the model-file probe when
// opts.ModelProbe is set. test may be nil. The metrics are those of
// Evaluate (one implementation); the cohorts must hold the same sites in
// the same order (ErrSiteMismatch) and at least 2 individuals each
// (ErrTooFew).
func RunAudit(train, synth, test *vcf.Genotypes, opts AuditOptions) (*Audit, error) {
	if err := checkAuditCohorts(train, synth, test); err != nil {
		return nil, err
	}
	a := &Audit{Version: version.String(), NumSites: train.NumSites(), NumTrain: train.NumSamples(), NumSynth: synth.NumSamples()}
	if test != nil {
		a.NumTest = test.NumSamples()
	}
	m := min(synth.NumSamples(), train.NumSamples())
	if opts.FloorSize > 0 && opts.FloorSize < m {
		m = opts.FloorSize
	}
	opts.FloorSize = m
	a.EvalSize, a.Options = m, opts
	rng := rand.New(rand.NewPCG(opts.Seed, 0x9e3779b97f4a7c15))
	synthIdx := sampleSubset(rng, synth.NumSamples(), m)
	floorIdx := sampleSubset(rng, train.NumSamples(), m)
	plots := &PlotData{}
	if opts.Reference != nil {
		if err := SameSites(train, opts.Reference, "training cohort", "reference cohort"); err != nil {
			return nil, err
		}
		a.Notes = append(a.Notes, fmt.Sprintf("the allele-frequency attack takes its reference frequencies from the %d individuals of the reference cohort", opts.Reference.NumSamples()))
	}
	a.Metrics = privacyMetrics(train, test, synth, opts.Reference, synthIdx, floorIdx, rng.Uint64(), 1, plots)
	rocs := map[string][]metrics.ROCPoint{"mia_auc": plots.MIAROC, "ratio_mia_auc": plots.RatioROC, "freq_mia_auc": plots.FreqROC}
	for _, at := range modelAttacks {
		score := at.score(opts)
		if score == nil {
			continue
		}
		met, roc := runModelAttack(at.metric, at.description, score, train, test)
		a.Metrics, rocs[at.metric] = append(a.Metrics, met), roc
		if test == nil {
			a.Notes = append(a.Notes, "the "+at.name+" needs held-out individuals (--test)")
		}
	}
	a.grade(test != nil, rocs)
	if m < synth.NumSamples() || m < train.NumSamples() {
		a.Notes = append(a.Notes, fmt.Sprintf("AATS compares seeded random subsets of %d synthetic and %d training individuals", m, m))
	}
	return a, nil
}

// checkAuditCohorts reports cohorts RunAudit cannot compare: missing, on
// different sites (ErrSiteMismatch) or too small (ErrTooFew). test may be
// nil.
func checkAuditCohorts(train, synth, test *vcf.Genotypes) error {
	if train == nil || synth == nil {
		return fmt.Errorf("report: audit needs the training and synthetic cohorts: %w", ErrTooFew)
	}
	if err := SameSites(train, synth, "training cohort", "synthetic cohort"); err != nil {
		return err
	}
	if test != nil {
		if err := SameSites(train, test, "training cohort", "test cohort"); err != nil {
			return err
		}
	}
	if train.NumSites() < 1 || train.NumSamples() < 2 || synth.NumSamples() < 2 || (test != nil && test.NumSamples() < 2) {
		return fmt.Errorf("report: audit needs at least 1 site and 2 individuals per cohort (sites %d, training %d, synthetic %d): %w",
			train.NumSites(), train.NumSamples(), synth.NumSamples(), ErrTooFew)
	}
	return nil
}

// modelAttacks are the attacks on the model file, in the order of their
// metrics: the metric, the attack's name in notes, its description and
// its membership score among the options (higher: more likely a member;
// nil: not run).
var modelAttacks = []struct {
	metric, name, description string
	score                     func(AuditOptions) func([]float64) float64
}{
	{"probe_mia_auc", "model-file probe",
		"membership-inference AUC of the model-file probe −(share of the dosage vector outside the model's basis span), training members vs held-out non-members; 0.5 means no leak",
		func(o AuditOptions) func([]float64) float64 {
			if o.ModelProbe == nil {
				return nil
			}
			return func(x []float64) float64 { return -o.ModelProbe(x) }
		}},
	{"density_mia_auc", "model-density attack",
		"membership-inference AUC of a likelihood-ratio test on the model's own density (log-density of the model's Gaussian part over its independent-SNP null), training members vs held-out non-members; 0.5 means no leak",
		func(o AuditOptions) func([]float64) float64 { return o.ModelDensity }},
}

// runModelAttack scores the training members and the held-out non-members
// (test; NaN AUC and no ROC curve when nil) with a membership score of the
// model file.
func runModelAttack(name, description string, score func([]float64) float64, train, test *vcf.Genotypes) (Metric, []metrics.ROCPoint) {
	v := math.NaN()
	var roc []metrics.ROCPoint
	if test != nil {
		mem, non := memberScores(train, score), memberScores(test, score)
		v, roc = metrics.AUC(mem, non), metrics.ROC(mem, non)
	}
	return Metric{Name: name, Value: v, Floor: math.NaN(), Ratio: math.NaN(), Better: BetterHalf, Description: description}, roc
}

// auditAttacks names the membership-inference attacks of an audit, in the
// order they are listed, by their metric.
var auditAttacks = []struct{ name, metric string }{
	{"nearest distance", "mia_auc"}, {"distance ratio", "ratio_mia_auc"}, {"allele frequencies", "freq_mia_auc"}, {"model-file probe", "probe_mia_auc"}, {"model density", "density_mia_auc"},
}

// grade sets the verdict and its reasons from the metrics and, with
// held-out individuals, lists the attacks that were run with their ROC
// curves (rocs, by metric); without them it says what was not assessed.
func (a *Audit) grade(heldOut bool, rocs map[string][]metrics.ROCPoint) {
	g, reasons := privacyFindings(&Metrics{PrivacyAssessed: true, Privacy: a.Metrics})
	if !heldOut {
		a.Notes = append(a.Notes, "no held-out individuals (--test): membership inference was not run and no metric has a floor")
		if g == 0 && a.hasNoFindings() {
			reasons = []string{"no identical matches and no 2nd-degree or closer training relatives; without held-out individuals nothing says whether distances and adversarial accuracy are those of unseen real people"}
		}
		g = max(g, 1)
		reasons = append(reasons, "membership inference not assessed (no --test)")
	} else {
		for _, at := range auditAttacks {
			roc := rocs[at.metric]
			if roc == nil {
				continue
			}
			x, _ := a.Get(at.metric)
			a.Attacks = append(a.Attacks, AttackResult{Name: at.name, AUC: x.Value, TPRAt1: metrics.TPRAtFPR(roc, 0.01), TPRAt10: metrics.TPRAtFPR(roc, 0.1), ROC: roc})
		}
	}
	a.Verdict, a.Reasons = grade[g], reasons
}

// memberScores returns score(x) for the dosage vector x (NaN where
// missing) of every individual of g.
func memberScores(g *vcf.Genotypes, score func([]float64) float64) []float64 {
	n, d := g.NumSamples(), g.NumSites()
	rows := make([]float64, n*d)
	for v := 0; v < d; v++ {
		for s, x := range g.Row(v) {
			if x == vcf.Missing {
				rows[s*d+v] = math.NaN()
			} else {
				rows[s*d+v] = float64(x)
			}
		}
	}
	out := make([]float64, n)
	for s := range out {
		out[s] = score(rows[s*d : (s+1)*d])
	}
	return out
}

// hasNoFindings reports whether no metric raised a concern: no identical
// match and no related synthetic individual.
func (a *Audit) hasNoFindings() bool {
	im, _ := a.Get("identical_match_rate")
	kin, _ := a.Get("kinship_related_share")
	return im.Value == 0 && !(kin.Value > 0)
}

// WriteJSON writes the audit as indented JSON (NaN as null).
func (a *Audit) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(a)
}

// WriteText writes the verdict, its reasons and a table of every check,
// for a terminal.
func (a *Audit) WriteText(w io.Writer) error {
	ew := &errWriter{w: w}
	ew.printf("Privacy audit: %d synthetic vs %d training individuals", a.NumSynth, a.NumTrain)
	if a.NumTest > 0 {
		ew.printf(", %d held-out", a.NumTest)
	}
	ew.printf(", %d SNPs\n\nverdict: %s\n", a.NumSites, a.Verdict)
	for _, r := range a.Reasons {
		ew.printf("  - %s\n", r)
	}
	ew.printf("\n%-22s %10s %10s\n", "check", "synthetic", "held-out")
	for _, m := range a.Metrics {
		ew.printf("%-22s %10s %10s\n", m.Name, auditNum(m.Value), auditNum(m.Floor))
	}
	if len(a.Attacks) > 0 {
		ew.printf("\n%-22s %10s %10s %10s\n", "attack", "AUC", "TPR@1%", "TPR@10%")
		for _, at := range a.Attacks {
			ew.printf("%-22s %10s %10s %10s\n", at.Name, auditNum(at.AUC), auditNum(at.TPRAt1), auditNum(at.TPRAt10))
		}
	}
	for _, n := range a.Notes {
		ew.printf("note: %s\n", n)
	}
	return ew.err
}

func auditNum(x float64) string {
	if math.IsNaN(x) {
		return "-"
	}
	return fmt.Sprintf("%.4g", x)
}

type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) printf(format string, a ...any) {
	if e.err == nil {
		_, e.err = fmt.Fprintf(e.w, format, a...)
	}
}

// RestrictToSites returns g restricted to sites, which must all be sites of
// g in g's order (same chromosome, position, REF and ALT): a synthetic
// cohort usually holds only the sites that passed the fit's filters, and the
// real cohorts are compared on those. g itself is returned when it already
// holds exactly sites. name names g in the ErrSiteMismatch error.
func RestrictToSites(g *vcf.Genotypes, sites []vcf.Site, name string) (*vcf.Genotypes, error) {
	idx := make([]int, 0, len(sites))
	v := 0
	for _, s := range sites {
		for v < g.NumSites() && !sameSite(g.Sites[v], s) {
			v++
		}
		if v == g.NumSites() {
			return nil, fmt.Errorf("report: %s lacks site %s:%d %s>%s (or holds it out of order): %w", name, s.Chrom, s.Pos, s.Ref, s.Alt, ErrSiteMismatch)
		}
		idx = append(idx, v)
		v++
	}
	if len(idx) == g.NumSites() {
		return g, nil
	}
	return preprocess.SubsetSites(g, idx), nil
}
