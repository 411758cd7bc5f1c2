package chrom

import (
	"fmt"
	"math"
	"slices"

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
// the cuts minimise the sum of the LD crossing scores of the gaps cut (see
// ld.CrossingScores; NaN, no defined pair across, counts as 0) over every way
// of cutting each chromosome into windows of 3/4 to 5/4 of target sites
// (dynamic programming, cutChromosome); a chromosome shorter than that
// allows ends in one shorter window. A change of chromosome is always a
// cut, and overlaps never reach across one. Each window but the first of a
// chromosome starts overlap sites before its core (at most half the
// previous core). scores has one entry per gap (len(sites)−1); when nil,
// cuts fall every target sites.
//
// Why not cut window by window: taking the weakest gap in each window's
// range in turn can leave the next window a range without a weak gap (a
// recombination hotspot), so that its cut falls inside an LD block; the
// pairs that straddle a cut keep only their ancestry LD.
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
	var cores []int // core starts
	for lo := 0; lo < m; {
		hi := lo + 1 // the chromosome of lo is [lo, hi)
		for hi < m && sites[hi].Chrom == sites[lo].Chrom {
			hi++
		}
		var gap func(k int) float64
		if scores != nil {
			gap = func(k int) float64 { // gap between lo+k−1 and lo+k
				if s := scores[lo+k-1]; !math.IsNaN(s) {
					return s
				}
				return 0
			}
		}
		for _, c := range cutChromosome(hi-lo, gap, target) {
			cores = append(cores, lo+c)
		}
		lo = hi
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

// cutChromosome returns the core starts (0 first) of windows over L sites
// whose lengths lie in [target − target/4, target + target/4] and whose
// cuts have the least total gap score (gap(k): the gap before site k; nil:
// cuts every target sites). When L cannot be made of such lengths, the last
// window is shorter. Ties go to longer windows first, then earlier cuts.
func cutChromosome(L int, gap func(k int) float64, target int) []int {
	a, b := target-target/4, target+target/4
	if gap == nil || L <= b {
		cores := []int{0}
		if gap == nil {
			for c := target; L-(c-target) > b; c += target {
				cores = append(cores, c)
			}
		}
		return cores
	}
	// cost[j]: the least total score of cutting [0, j) into windows of
	// admissible lengths, cutting at j (j < L); from[j]: the last window's
	// start.
	inf := math.Inf(1)
	cost := make([]float64, L+1)
	from := make([]int, L+1)
	for j := 1; j <= L; j++ {
		cost[j], from[j] = inf, -1
		cut := 0.0
		if j < L {
			cut = gap(j)
		}
		for l := min(b, j); l >= a; l-- {
			if c := cost[j-l]; c < inf && c+cut < cost[j] {
				cost[j], from[j] = c+cut, j-l
			}
		}
	}
	end := L
	if cost[L] == inf {
		// No exact tiling: the last window is shorter than a; choose its
		// start among the reachable cuts within b of the end.
		best := inf
		for j := L - 1; j > L-b && j > 0; j-- {
			if cost[j] < best {
				best, end = cost[j], j
			}
		}
		if best == inf {
			return []int{0}
		}
	}
	var cores []int
	for j := end; j > 0; j = from[j] {
		cores = append(cores, from[j])
	}
	slices.Reverse(cores)
	if end < L {
		cores = append(cores, end)
	}
	return cores
}
