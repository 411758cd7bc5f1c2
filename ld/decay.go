package ld

import (
	"fmt"
	"math"
	"sort"

	"github.com/gousynth/gousynth/vcf"
)

// DecayBin is one bin of an LD decay curve: the mean dosage r² of site pairs
// on the same chromosome whose distance d (in bp) satisfies LoBP ≤ d < HiBP.
// Pairs is the number of pairs averaged (pairs with undefined r² are
// skipped); MeanR2 is NaN when Pairs is 0.
type DecayBin struct {
	LoBP, HiBP float64
	MeanR2     float64
	Pairs      int
}

// LogBins returns n+1 log-spaced bin edges from minBP to maxBP, the usual
// x axis of an LD decay plot. It returns nil unless 0 < minBP < maxBP and
// n ≥ 1.
func LogBins(minBP, maxBP float64, n int) []float64 {
	if !(minBP > 0 && maxBP > minBP) || n < 1 {
		return nil
	}
	edges := make([]float64, n+1)
	lo, hi := math.Log(minBP), math.Log(maxBP)
	for k := range edges {
		edges[k] = math.Exp(lo + (hi-lo)*float64(k)/float64(n))
	}
	edges[0], edges[n] = minBP, maxBP
	return edges
}

// Decay returns the LD decay curve of g over the bins given by edges
// (increasing bp distances; see LogBins).
//
// When a bin holds more than maxPairsPerBin pairs (0 means no limit), a
// deterministic pseudo-random subset of about maxPairsPerBin pairs, spread
// uniformly over the whole region, is averaged instead: each pair is kept
// with probability maxPairsPerBin / (pairs in the bin), decided by a hash
// of its site indices. The result therefore depends only on g and the
// arguments, never on the number of threads.
func Decay(g *vcf.Genotypes, edges []float64, maxPairsPerBin int) ([]DecayBin, error) {
	if err := checkEdges(edges); err != nil {
		return nil, err
	}
	m := g.NumSites()
	if m < 2 {
		return nil, fmt.Errorf("ld decay: %w: need at least 2 sites, got %d", ErrNoSites, m)
	}
	ranges, counts := binRanges(g, edges)
	keep := keepThresholds(counts, maxPairsPerBin)
	sums, cnts := binRowSums(pack(g), ranges, keep)
	nb := len(edges) - 1
	out := make([]DecayBin, nb)
	for k := range out {
		var s float64
		var c int
		for i := 0; i < m; i++ {
			s += sums[i*nb+k]
			c += int(cnts[i*nb+k])
		}
		out[k] = DecayBin{LoBP: edges[k], HiBP: edges[k+1], Pairs: c, MeanR2: math.NaN()}
		if c > 0 {
			out[k].MeanR2 = s / float64(c)
		}
	}
	return out, nil
}

// checkEdges checks that edges bound at least one bin and increase from a
// non-negative distance.
func checkEdges(edges []float64) error {
	nb := len(edges) - 1
	if nb < 1 {
		return fmt.Errorf("ld decay: need at least 2 bin edges, got %d", len(edges))
	}
	for k := 0; k < nb; k++ {
		if !(edges[k+1] > edges[k]) || edges[k] < 0 {
			return fmt.Errorf("ld decay: bin edges must be non-negative and increasing, got %v", edges)
		}
	}
	return nil
}

// binRanges returns, for each site i and edge k, ranges[i*(nb+1)+k]: the
// first site j > i with pos_j − pos_i ≥ edges[k] on i's chromosome
// (chromosome end for distances beyond it), so that the pairs of i in bin
// k are the sites from ranges[i*(nb+1)+k] to ranges[i*(nb+1)+k+1]; and
// the number of pairs in each bin.
func binRanges(g *vcf.Genotypes, edges []float64) (ranges []int32, counts []int64) {
	m, nb := g.NumSites(), len(edges)-1
	chromEnd := make([]int, m)
	for i := m - 1; i >= 0; i-- {
		if i == m-1 || g.Sites[i+1].Chrom != g.Sites[i].Chrom {
			chromEnd[i] = i + 1
		} else {
			chromEnd[i] = chromEnd[i+1]
		}
	}
	ranges = make([]int32, m*(nb+1))
	counts = make([]int64, nb)
	for i := 0; i < m; i++ {
		lo, hi := i+1, chromEnd[i]
		pi := float64(g.Sites[i].Pos)
		for k := 0; k <= nb; k++ {
			e := edges[k]
			j := lo + sort.Search(hi-lo, func(t int) bool { return float64(g.Sites[lo+t].Pos)-pi >= e })
			ranges[i*(nb+1)+k] = int32(j)
		}
		for k := 0; k < nb; k++ {
			counts[k] += int64(ranges[i*(nb+1)+k+1] - ranges[i*(nb+1)+k])
		}
	}
	return ranges, counts
}

// keepThresholds returns, for each bin, the pair hash below which a pair
// of the bin is kept: all pairs (math.MaxUint64) when the bin holds at
// most maxPairsPerBin of them or there is no limit, else a fraction
// maxPairsPerBin / counts[k] of them.
func keepThresholds(counts []int64, maxPairsPerBin int) []uint64 {
	keep := make([]uint64, len(counts))
	for k := range keep {
		if maxPairsPerBin <= 0 || counts[k] <= int64(maxPairsPerBin) {
			keep[k] = math.MaxUint64
		} else {
			keep[k] = uint64(float64(maxPairsPerBin) / float64(counts[k]) * float64(math.MaxUint64))
		}
	}
	return keep
}

// binRowSums returns, for each site i and bin k, the sum and number of the
// defined r² of the kept pairs of i in bin k (at i*nb+k): per-row sums,
// computed in parallel, that Decay reduces in row order for determinism.
func binRowSums(p *packed, ranges []int32, keep []uint64) ([]float64, []int32) {
	nb := len(keep)
	m := len(ranges) / (nb + 1)
	sums := make([]float64, m*nb)
	cnts := make([]int32, m*nb)
	parallelRows(m, func(i int) {
		for k := 0; k < nb; k++ {
			a, b := int(ranges[i*(nb+1)+k]), int(ranges[i*(nb+1)+k+1])
			var s float64
			var c int32
			for j := a; j < b; j++ {
				if keep[k] != math.MaxUint64 && pairHash(i, j) >= keep[k] {
					continue
				}
				r := p.r2(i, j)
				if math.IsNaN(r) {
					continue
				}
				s += r
				c++
			}
			sums[i*nb+k], cnts[i*nb+k] = s, c
		}
	})
	return sums, cnts
}

// pairHash is a fixed 64-bit mix (splitmix64 finaliser) of a site pair.
func pairHash(i, j int) uint64 {
	z := uint64(i)<<32 ^ uint64(j) + 0x9e3779b97f4a7c15
	z = (z ^ z>>30) * 0xbf58476d1ce4e5b9
	z = (z ^ z>>27) * 0x94d049bb133111eb
	return z ^ z>>31
}
