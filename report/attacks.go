package report

import (
	"github.com/gousynth/gousynth/internal/roc"
)

// ROCPoint is one point of a receiver operating characteristic curve: the
// false-positive and true-positive rates of the rule "score ≥ threshold".
type ROCPoint = roc.Point

// ROC returns the ROC curve of scores that should be higher for positives
// than negatives (roc.Curve): one point per distinct score, from (0, 0) to
// (1, 1). It returns nil when either set is empty.
func ROC(pos, neg []float64) []ROCPoint { return roc.Curve(pos, neg) }

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
