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
// each chromosome is cut into about len/target windows of 3/4 to 5/4 of
// target sites, and the cuts minimise the sum of the LD crossing scores of
// the gaps cut (see ld.CrossingScores; NaN, no defined pair across, counts
// as 0) over every such cutting (dynamic programming, cutChromosome); a
// chromosome that allows no such cutting ends in one shorter window. A change of chromosome is always a
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
// whose lengths lie in [target − target/4, target + target/4], about
// L/target of them, whose cuts have the least total gap score among the
// cuttings into as many windows (gap(k): the gap before site k; nil: cuts
// every target sites). When L cannot be made of such lengths, the last
// window is shorter.
//
// The count is held by a Lagrangian cost per cut (cutWithCost, searched by
// bisection): the least total score alone prefers the fewest, longest
// windows, and longer windows fit worse when training individuals are few.
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
	want := min(max((L+target/2)/target, (L+b-1)/b), max(1, L/a))
	var maxS float64
	for k := 1; k < L; k++ {
		maxS = max(maxS, math.Abs(gap(k)))
	}
	lo, hi := -maxS-1, maxS+1 // cost per cut: lo gives the most windows, hi the fewest
	best := cutWithCost(L, gap, a, b, hi)
	if len(best) < want {
		for range 40 {
			mid := (lo + hi) / 2
			cores := cutWithCost(L, gap, a, b, mid)
			if len(cores) > want {
				lo = mid
				continue
			}
			hi, best = mid, cores
			if len(cores) == want {
				break
			}
		}
		if len(best) < want {
			if more := cutWithCost(L, gap, a, b, lo); len(more)-want < want-len(best) {
				best = more
			}
		}
	}
	return best
}

// cutWithCost returns the core starts (0 first) of the windows over L sites
// of lengths in [a, b] that minimise the total gap score plus cost per cut
// (dynamic programming); when no exact tiling exists, the last window is
// shorter than a. Ties go to longer windows first.
func cutWithCost(L int, gap func(k int) float64, a, b int, cost float64) []int {
	inf := math.Inf(1)
	best := make([]float64, L+1) // best[j]: least total of cutting [0, j), cutting at j (j < L)
	from := make([]int, L+1)     // the last window's start
	for j := 1; j <= L; j++ {
		best[j], from[j] = inf, -1
		cut := 0.0
		if j < L {
			cut = gap(j) + cost
		}
		for l := min(b, j); l >= a; l-- {
			if c := best[j-l]; c < inf && c+cut < best[j] {
				best[j], from[j] = c+cut, j-l
			}
		}
	}
	end := L
	if best[L] == inf {
		// No exact tiling: the last window is shorter than a; choose its
		// start among the reachable cuts within b of the end.
		least := inf
		for j := L - 1; j > L-b && j > 0; j-- {
			if best[j] < least {
				least, end = best[j], j
			}
		}
		if least == inf {
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
