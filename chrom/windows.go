package chrom

import (
	"fmt"
	"math"

	"github.com/gousynth/gousynth/vcf"
)

// Window is one modelling window: its model fits sites [Start, End) and it
// writes sites [CoreStart, End) of the synthetic chromosome. Sites
// [Start, CoreStart) are the overlap with the previous window's output,
// which the assembler matches against (see Assembler).
type Window struct {
	Index     int `json:"index"`
	Start     int `json:"start"`
	CoreStart int `json:"core_start"`
	End       int `json:"end"`
}

// Overlap returns the number of overlap sites.
func (w Window) Overlap() int { return w.CoreStart - w.Start }

// Core returns the number of sites the window writes.
func (w Window) Core() int { return w.End - w.CoreStart }

// CutWindows cuts sites into windows of about target sites whose bounds follow LD:
// each cut is placed at the gap with the lowest LD crossing score (see
// ld.CrossingScores; NaN, no defined pair across, counts as 0) among the gaps
// that leave the current window between 3/4 and 5/4 of target sites. A change
// of chromosome is always a cut, and overlaps never reach across one. Each
// window but the first of a chromosome starts overlap sites before its core
// (at most half the previous core). scores has one entry per gap
// (len(sites)−1); when nil, cuts fall every target sites.
func CutWindows(sites []vcf.Site, scores []float64, target, overlap int) ([]Window, error) {
	m := len(sites)
	if m == 0 {
		return nil, fmt.Errorf("%w: no sites to cut into windows", ErrOption)
	}
	if target < 2 {
		return nil, fmt.Errorf("%w: window size must be at least 2 sites, got %d", ErrOption, target)
	}
	if overlap < 0 {
		return nil, fmt.Errorf("%w: overlap must be ≥ 0, got %d", ErrOption, overlap)
	}
	if scores != nil && len(scores) != m-1 {
		return nil, fmt.Errorf("%w: %d crossing scores for %d sites", ErrOption, len(scores), m)
	}
	score := func(k int) float64 { // gap between k and k+1
		if sites[k].Chrom != sites[k+1].Chrom {
			return math.Inf(-1)
		}
		if scores == nil || math.IsNaN(scores[k]) {
			return 0
		}
		return scores[k]
	}
	var cores []int // core starts
	lo := 0
	for lo < m {
		cores = append(cores, lo)
		// A chromosome change inside the allowed span is always taken first.
		hiMax := lo + target + target/4
		if hiMax >= m {
			// Last window of the data, unless a chromosome changes inside.
			next := m
			for k := lo; k < m-1; k++ {
				if sites[k].Chrom != sites[k+1].Chrom {
					next = k + 1
					break
				}
			}
			lo = next
			continue
		}
		best, bestS := -1, math.Inf(1)
		for k := lo; k < hiMax; k++ { // chromosome change anywhere before hiMax
			if sites[k].Chrom != sites[k+1].Chrom {
				best, bestS = k, math.Inf(-1)
				break
			}
		}
		if best < 0 && scores == nil {
			best = lo + target - 1
		}
		if best < 0 {
			for k := lo + target - target/4 - 1; k < hiMax && k < m-1; k++ {
				if k < lo {
					continue
				}
				if s := score(k); s < bestS {
					best, bestS = k, s
				}
			}
		}
		lo = best + 1
	}
	ws := make([]Window, len(cores))
	for i, c := range cores {
		end := m
		if i+1 < len(cores) {
			end = cores[i+1]
		}
		start := c
		if i > 0 && sites[c-1].Chrom == sites[c].Chrom {
			ov := min(overlap, ws[i-1].Core()/2)
			start = c - ov
		}
		ws[i] = Window{Index: i, Start: start, CoreStart: c, End: end}
	}
	return ws, nil
}
