package report

import (
	"math/rand/v2"
	"slices"
)

// sampleSubset returns k distinct indices from [0, n) chosen at random, in
// increasing order; all of them (in order) when k >= n.
func sampleSubset(rng *rand.Rand, n, k int) []int {
	if k >= n {
		idx := make([]int, n)
		for i := range idx {
			idx[i] = i
		}
		return idx
	}
	perm := rng.Perm(n)[:k]
	slices.Sort(perm)
	return perm
}
