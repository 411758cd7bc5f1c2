// Package roc computes receiver operating characteristic curves and the
// area under them, for the membership-inference attacks of packages report
// and model: one implementation, so that every AUC gousynth prints is the
// same statistic.
package roc

import (
	"cmp"
	"math"
	"slices"
)

// Point is one point of a receiver operating characteristic curve: the
// false-positive and true-positive rates of the rule "score ≥ threshold".
type Point struct {
	FPR float64 `json:"fpr"`
	TPR float64 `json:"tpr"`
}

// Curve returns the ROC curve of scores that should be higher for positives
// than negatives: one point per distinct score, from (0, 0) to (1, 1), with
// tied scores moving both rates at once (so that the trapezoidal area under
// the points equals AUC). It returns nil when either set is empty.
func Curve(pos, neg []float64) []Point {
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
	out := []Point{{0, 0}}
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
		out = append(out, Point{float64(fp) / float64(len(neg)), float64(tp) / float64(len(pos))})
		i = j
	}
	return out
}

// AUC returns the area under the ROC curve of scores that should be higher
// for positives than negatives, P(pos > neg) + ½P(pos = neg): the
// trapezoidal area under Curve's points (ties move both rates at once, so
// this is the Mann–Whitney statistic). It is NaN when either set is empty.
func AUC(pos, neg []float64) float64 {
	c := Curve(pos, neg)
	if c == nil {
		return math.NaN()
	}
	var area float64
	for i := 1; i < len(c); i++ {
		area += (c[i].FPR - c[i-1].FPR) * (c[i].TPR + c[i-1].TPR) / 2
	}
	return area
}
