package report

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/gousynth/gousynth/ld"
	"github.com/gousynth/gousynth/preprocess"
	"github.com/gousynth/gousynth/vcf"
)

// Verdict thresholds on Ratio (how many times worse than the floor) for the
// fidelity areas: a synthetic cohort within 1.5× of what a real cohort of the
// same size achieves is "good", within 3× "fair", else "poor".
const (
	GoodRatio = 1.5
	FairRatio = 3.0
)

// Privacy thresholds: membership-inference AUC up to 0.55 is "good", up to
// 0.60 "fair"; the 5th percentile of the distance to the closest record may
// be at most 1/1.1 ("good") or 1/1.5 ("fair") of that of held-out real
// individuals; AATS may sit at most 0.05 ("good") or 0.10 ("fair") further
// below 0.5 than the held-out real individuals do; any identical match is
// "poor".
const (
	GoodMIA      = 0.55
	FairMIA      = 0.60
	GoodDCRRatio = 1.1
	FairDCRRatio = 1.5
	GoodAATSGap  = 0.05
	FairAATSGap  = 0.10
)

// RelatedShareMargin: a share of synthetic individuals with a 2nd-degree or
// closer training relative above that of held-out real individuals is
// "fair" within this margin (absolute), "poor" beyond it; any share is
// "poor" when there are no held-out individuals to compare with.
const RelatedShareMargin = 0.01

// KinshipUninformative: when more than this share of held-out real
// individuals have a training "relative" above metrics.RelatedKinship, the SNPs are
// too few or too linked for KING to tell relatives (it is meant for
// genome-wide, LD-pruned SNPs), and kinship does not enter the verdict.
const KinshipUninformative = 0.05

// verdictAreas lists, per area, the metrics whose worst ratio decides it.
var verdictAreas = []struct {
	area    string
	metrics []string
}{
	{"LD", []string{"ld_r2_mae", "ld_r2_corr", "ld_decay_l2", "corr_frobenius"}},
	{"Allele frequencies", []string{"mean_error", "af_r2", "kl_mean"}},
	{"Structure", []string{"pca_w1_mean", "sliced_w2"}},
}

var grade = []string{"good", "fair", "poor"}

func verdicts(m *Metrics) []Verdict {
	var out []Verdict
	for _, a := range verdictAreas {
		if !m.FloorAssessed && m.NumTest == 0 {
			out = append(out, Verdict{a.area, "not assessed", "no held-out individuals (all were used for training), so no floor to compare with"})
			continue
		}
		if !m.FloorAssessed {
			out = append(out, Verdict{a.area, "not assessed", "no training cohort, so no floor to compare with"})
			continue
		}
		worst, worstName := -1.0, ""
		for _, name := range a.metrics {
			x, ok := m.Get(name)
			if !ok || math.IsNaN(x.Ratio) {
				continue
			}
			if x.Ratio > worst {
				worst, worstName = x.Ratio, name
			}
		}
		if worstName == "" {
			out = append(out, Verdict{a.area, "not assessed", "no metric could be computed"})
			continue
		}
		g := 2
		switch {
		case worst <= GoodRatio:
			g = 0
		case worst <= FairRatio:
			g = 1
		}
		out = append(out, Verdict{a.area, grade[g], fmt.Sprintf("worst metric %s at %s× the floor (good ≤ %g×, fair ≤ %g×)", worstName, fmtRatio(worst), GoodRatio, FairRatio)})
	}
	out = append(out, privacyVerdict(m))
	return out
}

func fmtRatio(r float64) string {
	if math.IsInf(r, 1) {
		return "∞"
	}
	return strconv.FormatFloat(r, 'f', 2, 64)
}

func privacyVerdict(m *Metrics) Verdict {
	if !m.PrivacyAssessed {
		return Verdict{"Privacy", "not assessed", "privacy needs the training cohort (--train)"}
	}
	g, reasons := privacyFindings(m)
	if m.NumTest == 0 {
		// Without non-members only the absolute checks grade; say what is missing.
		var rs []string
		if x, ok := m.Get("identical_match_rate"); ok && x.Value == 0 {
			rs = append(rs, "no identical matches")
		}
		for _, r := range reasons {
			if r != inLineReason {
				rs = append(rs, r)
			}
		}
		reasons = append(rs, "membership inference and the held-out comparisons not available: no held-out individuals")
	}
	return Verdict{"Privacy", grade[g], strings.Join(reasons, "; ")}
}

// inLineReason is the privacy verdict's reason when no check finds anything.
const inLineReason = "no identical matches; distances to training individuals, adversarial accuracy and membership inference are in line with held-out real individuals"

// privacyFindings grades the privacy metrics of m (0 good, 1 fair, 2 poor)
// and gives the reasons.
func privacyFindings(m *Metrics) (int, []string) {
	var f findings
	if x, ok := m.Get("identical_match_rate"); ok && x.Value > 0 {
		f.worse(2, fmt.Sprintf("%.2f%% of synthetic individuals are exact copies of training individuals", 100*x.Value))
	}
	f.attackFindings(m)
	f.kinshipFinding(m)
	f.distanceFindings(m)
	if len(f.reasons) == 0 {
		f.reasons = append(f.reasons, inLineReason)
	}
	return f.grade, append(f.reasons, f.notes...)
}

// findings collects privacyFindings' grade (0 good, 1 fair, 2 poor), the
// reasons that raised it and the notes that did not.
type findings struct {
	grade          int
	reasons, notes []string
}

// worse raises the grade to at least level, for reason.
func (f *findings) worse(level int, reason string) {
	f.grade = max(f.grade, level)
	f.reasons = append(f.reasons, reason)
}

// attackAUCs are the membership-inference attacks graded by their AUC
// (GoodMIA, FairMIA), in the order of their reasons: the metric, what the
// reason calls the attack, and the advice a poor AUC adds.
var attackAUCs = []struct{ metric, what, poorAdvice string }{
	{"mia_auc", "membership-inference", ""},
	{"ratio_mia_auc", "distance-ratio membership-inference", ""},
	{"freq_mia_auc", "allele-frequency (likelihood-ratio) membership-inference", ""},
	{"probe_mia_auc", "model-file probe membership-inference", ": keep the model file as private as the training data"},
	{"density_mia_auc", "model-density (likelihood-ratio) membership-inference", ": keep the model file as private as the training data"},
}

// attackFindings grades every membership-inference AUC of m that was
// measured (NaN: not run).
func (f *findings) attackFindings(m *Metrics) {
	for _, at := range attackAUCs {
		x, ok := m.Get(at.metric)
		if !ok || math.IsNaN(x.Value) {
			continue
		}
		switch {
		case x.Value > FairMIA:
			f.worse(2, fmt.Sprintf("%s AUC %.3f > %g%s", at.what, x.Value, FairMIA, at.poorAdvice))
		case x.Value > GoodMIA:
			f.worse(1, fmt.Sprintf("%s AUC %.3f > %g", at.what, x.Value, GoodMIA))
		}
	}
}

// kinshipFinding grades the share of synthetic individuals with a training
// relative against the same share of held-out real individuals, or notes
// why it is not graded.
func (f *findings) kinshipFinding(m *Metrics) {
	x, ok := m.Get("kinship_related_share")
	if !ok {
		return
	}
	switch {
	case x.Floor > KinshipUninformative:
		f.notes = append(f.notes, fmt.Sprintf("kinship not graded: %.1f%% of held-out real individuals also have a training \"relative\" (KING > 0.0884) on these SNPs, too few or too linked for KING (synthetic: %.1f%%)", 100*x.Floor, 100*x.Value))
	case math.IsNaN(x.Floor):
		if x.Value > 0 {
			f.worse(1, fmt.Sprintf("%.2f%% of synthetic individuals have a training relative of 2nd degree or closer (no held-out individuals to compare with)", 100*x.Value))
		}
	case !(x.Value > x.Floor):
		f.notes = append(f.notes, fmt.Sprintf("%.2f%% of synthetic individuals have a training relative of 2nd degree or closer, held-out real %.2f%%", 100*x.Value, 100*x.Floor))
	default:
		level := 1
		if x.Value > x.Floor+RelatedShareMargin {
			level = 2
		}
		f.worse(level, fmt.Sprintf("%.2f%% of synthetic individuals have a training relative of 2nd degree or closer (held-out real: %.2f%%)", 100*x.Value, 100*x.Floor))
	}
}

// distanceFindings grades how close synthetic individuals sit to training
// ones against held-out real individuals: the 5th-percentile distance to
// the closest record and the adversarial accuracy.
func (f *findings) distanceFindings(m *Metrics) {
	if x, ok := m.Get("dcr_p5"); ok {
		switch {
		case x.Ratio > FairDCRRatio:
			f.worse(2, fmt.Sprintf("5th-percentile distance to closest record %s× closer than for held-out real individuals", fmtRatio(x.Ratio)))
		case x.Ratio > GoodDCRRatio:
			f.worse(1, fmt.Sprintf("5th-percentile distance to closest record %s× closer than for held-out real individuals", fmtRatio(x.Ratio)))
		}
	}
	if x, ok := m.Get("aats"); ok {
		gap := (0.5 - x.Value) - math.Abs(0.5-x.Floor)
		switch {
		case gap > FairAATSGap:
			f.worse(2, fmt.Sprintf("adversarial accuracy %.3f (held-out real: %.3f): synthetic individuals sit close to training ones", x.Value, x.Floor))
		case gap > GoodAATSGap:
			f.worse(1, fmt.Sprintf("adversarial accuracy %.3f (held-out real: %.3f)", x.Value, x.Floor))
		}
	}
}

// regionSites returns the indices of the sites of g inside r.
func regionSites(g *vcf.Genotypes, r Region) []int {
	return preprocess.SiteIndices(g.Sites, r.contains)
}

// contains reports whether s lies in r: on r's chromosome (any when
// empty), at a position from Start (0: no bound) to End (0: no bound).
func (r Region) contains(s vcf.Site) bool {
	return (r.Chrom == "" || s.Chrom == r.Chrom) && (r.Start <= 0 || s.Pos >= r.Start) && (r.End <= 0 || s.Pos <= r.End)
}

// ParseRegion parses "chr", "chr:start-end" or "chr:start-" (1-based,
// inclusive; commas in numbers allowed).
func ParseRegion(s string) (Region, error) {
	chrom, rng, hasRange := strings.Cut(s, ":")
	if chrom == "" {
		return Region{}, fmt.Errorf("region %q: missing chromosome (want chr:start-end)", s)
	}
	r := Region{Chrom: chrom}
	if !hasRange {
		return r, nil
	}
	a, b, ok := strings.Cut(strings.ReplaceAll(rng, ",", ""), "-")
	if !ok {
		return Region{}, fmt.Errorf("region %q: want chr:start-end", s)
	}
	var err error
	if r.Start, err = strconv.Atoi(a); err != nil || r.Start < 1 {
		return Region{}, fmt.Errorf("region %q: bad start %q", s, a)
	}
	if b != "" {
		if r.End, err = strconv.Atoi(b); err != nil || r.End < r.Start {
			return Region{}, fmt.Errorf("region %q: bad end %q", s, b)
		}
	}
	return r, nil
}

// heatmaps computes block-averaged r² matrices of the heatmap region for the
// test and synthetic cohorts.
func heatmaps(T, S cohort, opts Options, plots *PlotData) error {
	idx := regionSites(T.g, opts.HeatmapRegion)
	if len(idx) < 2 {
		return fmt.Errorf("report: heatmap region %s:%d-%d holds %d sites, need at least 2: %w",
			opts.HeatmapRegion.Chrom, opts.HeatmapRegion.Start, opts.HeatmapRegion.End, len(idx), ErrTooFew)
	}
	if len(idx) > opts.HeatmapMaxSNPs {
		thin := make([]int, opts.HeatmapMaxSNPs)
		for i := range thin {
			thin[i] = idx[int(float64(i)*float64(len(idx)-1)/float64(opts.HeatmapMaxSNPs-1)+0.5)]
		}
		idx = thin
	}
	s := len(idx)
	cells := min(s, opts.HeatmapCells)
	plots.HeatCells, plots.HeatSNPs = cells, s
	plots.HeatFirst, plots.HeatLast = T.g.Sites[idx[0]], T.g.Sites[idx[s-1]]
	plots.HeatPos = make([]float64, cells)
	for v := s - 1; v >= 0; v-- { // blockR2's cells: SNP v in cell v·cells/s
		plots.HeatPos[v*cells/s] = float64(T.g.Sites[idx[v]].Pos)
	}
	var err error
	if plots.HeatTest, err = blockR2(preprocess.SubsetSites(T.g, idx), cells); err != nil {
		return err
	}
	plots.HeatSynth, err = blockR2(preprocess.SubsetSites(S.g, idx), cells)
	return err
}

// blockR2 returns the cells × cells block averages of the r² matrix of g
// (ld.Matrix: undefined r² counted as 0).
func blockR2(g *vcf.Genotypes, cells int) ([]float64, error) {
	r2, err := ld.Matrix(g)
	if err != nil {
		return nil, fmt.Errorf("report: LD heatmap: %w", err)
	}
	s := g.NumSites()
	cellOf := make([]int, s)
	for v := range cellOf {
		cellOf[v] = v * cells / s
	}
	sum := make([]float64, cells*cells)
	cnt := make([]float64, cells*cells)
	for i := 0; i < s; i++ {
		a := cellOf[i]
		for j := 0; j < s; j++ {
			c := a*cells + cellOf[j]
			sum[c] += r2.At(i, j)
			cnt[c]++
		}
	}
	for i := range sum {
		sum[i] /= cnt[i]
	}
	return sum, nil
}
