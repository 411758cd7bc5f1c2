package preprocess

import (
	"fmt"
	"math"
	"math/rand/v2"
	"sort"
)

// newRand returns the package's seeded generator (PCG, fixed stream), so that
// the same seed gives the same selection on every platform and Go release.
func newRand(seed uint64) *rand.Rand {
	return rand.New(rand.NewPCG(seed, 0x676f7573796e7468)) // "gousynth"
}

// Split divides samples into training and test sets by individual and
// returns both index lists in ascending order.
//
// Without a panel, round(testFraction·n) samples chosen uniformly at random
// form the test set. With a panel, the split is stratified by population:
// every population (Pop) contributes round(testFraction·n_pop) samples, so
// population proportions are kept in both sets; every sample must then be in
// the panel. The same seed gives the same split; different seeds give
// different ones.
func Split(samples []string, testFraction float64, seed uint64, panel *Panel) (train, test []int, err error) {
	if !(testFraction > 0 && testFraction < 1) {
		return nil, nil, fmt.Errorf("%w: test fraction %g is not in (0, 1)", ErrBadOption, testFraction)
	}
	if len(samples) < 2 {
		return nil, nil, fmt.Errorf("%w: cannot split %d samples", ErrBadOption, len(samples))
	}
	strata := map[string][]int{}
	if panel == nil {
		strata[""] = make([]int, len(samples))
		for i := range samples {
			strata[""][i] = i
		}
	} else {
		var missing []string
		for i, s := range samples {
			e, ok := panel.Lookup(s)
			if !ok {
				missing = append(missing, s)
				continue
			}
			strata[e.Pop] = append(strata[e.Pop], i)
		}
		if len(missing) > 0 {
			return nil, nil, fmt.Errorf("%w: %d samples are not in the panel (first: %q)", ErrBadPanel, len(missing), missing[0])
		}
	}
	names := make([]string, 0, len(strata))
	for k := range strata {
		names = append(names, k)
	}
	sort.Strings(names) // fixed stratum order: no map order in the result
	rng := newRand(seed)
	isTest := make([]bool, len(samples))
	for _, name := range names {
		idx := strata[name]
		k := int(math.Round(testFraction * float64(len(idx))))
		perm := rng.Perm(len(idx))
		for _, p := range perm[:k] {
			isTest[idx[p]] = true
		}
	}
	for i, t := range isTest {
		if t {
			test = append(test, i)
		} else {
			train = append(train, i)
		}
	}
	if len(test) == 0 || len(train) == 0 {
		return nil, nil, fmt.Errorf("%w: test fraction %g of %d samples leaves an empty set (train %d, test %d)", ErrBadOption, testFraction, len(samples), len(train), len(test))
	}
	return train, test, nil
}

// Subsample returns k of n indices chosen uniformly at random, in ascending
// order (individual subsampling; use with SubsetSamples).
func Subsample(n, k int, seed uint64) ([]int, error) {
	if k < 1 || k > n {
		return nil, fmt.Errorf("%w: cannot choose %d of %d", ErrBadOption, k, n)
	}
	idx := newRand(seed).Perm(n)[:k]
	sort.Ints(idx)
	return idx, nil
}
