package report

import (
	"cmp"
	"slices"
)

// ROCPoint is one point of a receiver operating characteristic curve: the
// false-positive and true-positive rates of the rule "score ≥ threshold".
type ROCPoint struct {
	FPR float64 `json:"fpr"`
	TPR float64 `json:"tpr"`
}

// ROC returns the ROC curve of scores that should be higher for positives
// than negatives: one point per distinct score, from (0, 0) to (1, 1), with
// tied scores moving both rates at once (so that the trapezoidal area under
// the points equals AUC). It returns nil when either set is empty.
func ROC(pos, neg []float64) []ROCPoint {
	if len(pos) == 0 || len(neg) == 0 {
		return nil
	}
	type item struct {
		v   float64
		pos bool
	}
	all := make([]item, 0, len(pos)+len(neg))
	for _, v := range pos {
		all = append(all, item{v, true})
	}
	for _, v := range neg {
		all = append(all, item{v, false})
	}
	slices.SortFunc(all, func(a, b item) int { return cmp.Compare(b.v, a.v) })
	out := []ROCPoint{{0, 0}}
	tp, fp := 0, 0
	for i := 0; i < len(all); {
		j := i
		for j < len(all) && all[j].v == all[i].v {
			if all[j].pos {
				tp++
			} else {
				fp++
			}
			j++
		}
		out = append(out, ROCPoint{float64(fp) / float64(len(neg)), float64(tp) / float64(len(pos))})
		i = j
	}
	return out
}

// TPRAtFPR returns the largest true-positive rate of the curve at a
// false-positive rate of at most fpr: how many members an attacker finds
// while wrongly accusing at most that share of non-members.
func TPRAtFPR(roc []ROCPoint, fpr float64) float64 {
	best := 0.0
	for _, p := range roc {
		if p.FPR <= fpr {
			best = max(best, p.TPR)
		}
	}
	return best
}

// DistanceRatioScores returns the membership scores of the distance-ratio
// attack, −(1 + dSynth[i])/(1 + dRef[i]), where dSynth[i] is candidate i's
// distance to its closest synthetic individual and dRef[i] to its closest
// individual of a reference sample of the population the attacker holds.
// Dividing by the reference distance calibrates each candidate: someone in
// a dense part of genotype space is close to synthetic individuals whether
// or not they were trained on, and the nearest-distance attack mistakes that
// for membership; the ratio asks whether the synthetic cohort is closer to
// the candidate than the population is. The 1 keeps the ratio finite.
func DistanceRatioScores(dSynth, dRef []float64) []float64 {
	out := make([]float64, len(dSynth))
	for i := range out {
		out[i] = -(1 + dSynth[i]) / (1 + dRef[i])
	}
	return out
}
