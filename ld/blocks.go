package ld

import (
	"fmt"
	"math"
	"sort"

	"github.com/gousynth/gousynth/vcf"
)

// BlockOptions controls Blocks.
type BlockOptions struct {
	// HalfWindow is w, the number of sites on each side of a candidate cut
	// whose pairs measure the LD across it (default 50).
	HalfWindow int
	// MaxCrossR2 is the cut threshold: a cut is placed where the mean r²
	// across it is a local minimum below MaxCrossR2 (default 0.02).
	MaxCrossR2 float64
	// MinSNPs is the smallest block (default 10 sites, or fewer when the
	// whole chromosome is shorter).
	MinSNPs int
	// MaxSNPs, when > 0, splits longer blocks at their weakest cut, so that
	// blocks can serve as bounded modelling windows.
	MaxSNPs int
}

func (o BlockOptions) withDefaults() BlockOptions {
	if o.HalfWindow <= 0 {
		o.HalfWindow = 50
	}
	if o.MaxCrossR2 <= 0 {
		o.MaxCrossR2 = 0.02
	}
	if o.MinSNPs <= 0 {
		o.MinSNPs = 10
	}
	return o
}

// Block is a run of consecutive sites [Start, End) (indices into
// Genotypes.Sites, End exclusive) on one chromosome; StartBP and EndBP are
// the positions of its first and last site. MeanCrossR2 is the LD score of
// the cut that ends the block (see Blocks), NaN at a chromosome end.
type Block struct {
	Chrom          string
	Start, End     int
	StartBP, EndBP int
	MeanCrossR2    float64
}

// Blocks segments g's sites into LD blocks by an r²-based segmentation (in
// the spirit of LDetect, Berisa & Pickrell 2016, which cuts where the LD
// signal across a point is minimal):
//
//  1. For every gap k (between sites k and k+1) the crossing score S(k) is
//     the mean dosage r² of the pairs (i, j) with k−w < i ≤ k < j ≤ k+w
//     on the same chromosome (w = HalfWindow; undefined r² skipped). A
//     low S(k) means little LD spans the gap.
//  2. Chromosome changes are always cuts. Gaps that are local minima of S
//     with S(k) < MaxCrossR2 are accepted as cuts from the weakest up,
//     skipping any that would leave a block shorter than MinSNPs.
//  3. With MaxSNPs > 0, blocks longer than MaxSNPs are split recursively at
//     their weakest admissible gap.
//
// Unlike Gabriel et al.'s D′ confidence-interval blocks (Haploview), this
// needs no phase and no likelihood, runs in O(m·w²) on dosages, and always
// covers every site, which is what cutting a chromosome into modelling
// windows needs. Ties are broken by position, so the result is
// deterministic.
func Blocks(g *vcf.Genotypes, opts BlockOptions) ([]Block, error) {
	o := opts.withDefaults()
	m := g.NumSites()
	if m == 0 {
		return nil, fmt.Errorf("ld blocks: %w", ErrNoSites)
	}
	if o.MaxSNPs > 0 && o.MaxSNPs < o.MinSNPs {
		return nil, fmt.Errorf("ld blocks: MaxSNPs %d < MinSNPs %d", o.MaxSNPs, o.MinSNPs)
	}
	score := CrossingScores(g, o.HalfWindow)
	cut := make([]bool, m) // cut[k]: a block ends after site k
	cut[m-1] = true
	for k := 0; k < m-1; k++ {
		if g.Sites[k].Chrom != g.Sites[k+1].Chrom {
			cut[k] = true
		}
	}
	// Candidates: local minima below the threshold, weakest first.
	var cand []int
	for k := 0; k < m-1; k++ {
		s := score[k]
		if cut[k] || math.IsNaN(s) || s >= o.MaxCrossR2 {
			continue
		}
		if (k > 0 && !math.IsNaN(score[k-1]) && score[k-1] < s) || (k+1 < m-1 && !math.IsNaN(score[k+1]) && score[k+1] < s) {
			continue
		}
		cand = append(cand, k)
	}
	sort.SliceStable(cand, func(a, b int) bool { return score[cand[a]] < score[cand[b]] })
	for _, k := range cand {
		if admissible(cut, k, o.MinSNPs) {
			cut[k] = true
		}
	}
	if o.MaxSNPs > 0 {
		start := 0
		for k := 0; k < m; k++ {
			if cut[k] {
				splitLong(cut, score, start, k+1, o)
				start = k + 1
			}
		}
	}
	var out []Block
	start := 0
	for k := 0; k < m; k++ {
		if !cut[k] {
			continue
		}
		b := Block{Chrom: g.Sites[start].Chrom, Start: start, End: k + 1,
			StartBP: g.Sites[start].Pos, EndBP: g.Sites[k].Pos, MeanCrossR2: math.NaN()}
		if k < m-1 && g.Sites[k].Chrom == g.Sites[k+1].Chrom {
			b.MeanCrossR2 = score[k]
		}
		out = append(out, b)
		start = k + 1
	}
	return out, nil
}

// admissible reports whether cutting after site k leaves at least minSNPs
// sites on both sides before the neighbouring cuts.
func admissible(cut []bool, k, minSNPs int) bool {
	left := 0
	for i := k; i >= 0 && left < minSNPs; i-- {
		if i < k && cut[i] {
			break
		}
		left++
	}
	right := 0
	for i := k + 1; i < len(cut) && right < minSNPs; i++ {
		right++
		if cut[i] {
			break
		}
	}
	return left >= minSNPs && right >= minSNPs
}

// splitLong splits the block [lo, hi) at its weakest gap until every part
// has at most MaxSNPs sites; each part keeps at least MinSNPs sites when the
// block allows it.
func splitLong(cut []bool, score []float64, lo, hi int, o BlockOptions) {
	if hi-lo <= o.MaxSNPs {
		return
	}
	minSide := o.MinSNPs
	if 2*minSide > hi-lo {
		minSide = (hi - lo) / 2
	}
	best, bestS := -1, math.Inf(1)
	for k := lo + minSide - 1; k <= hi-1-minSide; k++ {
		s := score[k]
		if math.IsNaN(s) {
			s = 0 // no information across the gap: as good a cut as any
		}
		if s < bestS {
			best, bestS = k, s
		}
	}
	if best < 0 {
		best = lo + (hi-lo)/2 - 1
	}
	cut[best] = true
	splitLong(cut, score, lo, best+1, o)
	splitLong(cut, score, best+1, hi, o)
}

// crossingSegment is the number of gaps CrossingScores handles at a time
// (a variable so that tests can cross segment boundaries).
var crossingSegment = 8192

// CrossingScores returns S(k) for every gap k in [0, m−2] (see Blocks): the
// mean dosage r² of site pairs spanning the gap within w sites on each side,
// on the same chromosome; NaN where no defined pair spans it. Memory stays
// bounded on whole chromosomes: the band of r² values is computed segment
// by segment.
func CrossingScores(g *vcf.Genotypes, w int) []float64 {
	m := g.NumSites()
	if m < 2 {
		return nil
	}
	if w < 1 {
		w = 1
	}
	p := pack(g)
	band := 2*w - 1 // largest j − i spanning a gap
	score := make([]float64, m-1)
	segment := crossingSegment
	r := make([]float64, (segment+w)*band)
	for lo := 0; lo < m-1; lo += segment {
		hi := min(lo+segment, m-1) // gaps [lo, hi)
		first := max(0, lo-w+1)    // rows [first, hi) are needed
		parallelRows(hi-first, func(t int) {
			i := first + t
			for d := 1; d <= band; d++ {
				j := i + d
				v := math.NaN()
				if j < m && g.Sites[i].Chrom == g.Sites[j].Chrom {
					v = p.r2(i, j)
				}
				r[t*band+d-1] = v
			}
		})
		for k := lo; k < hi; k++ {
			var s float64
			var c int
			for i := max(0, k-w+1); i <= k; i++ {
				row := r[(i-first)*band:]
				for j := k + 1; j <= min(m-1, k+w); j++ {
					if v := row[j-i-1]; !math.IsNaN(v) {
						s += v
						c++
					}
				}
			}
			score[k] = math.NaN()
			if c > 0 {
				score[k] = s / float64(c)
			}
		}
	}
	return score
}
