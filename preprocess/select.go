package preprocess

import (
	"fmt"
	"sort"

	"github.com/gousynth/gousynth/vcf"
)

// SelectOptions chooses a subset of sites. The selections apply in the
// order window, thinning, random subset; zero fields are off.
type SelectOptions struct {
	// WindowStart and WindowSNPs select WindowSNPs consecutive sites starting
	// at index WindowStart (a contiguous window). WindowSNPs 0 is off.
	WindowStart, WindowSNPs int
	// ThinBP keeps sites at least ThinBP bp apart on each chromosome,
	// scanning left to right (plink --bp-space).
	ThinBP int
	// Random keeps Random sites chosen uniformly with Seed (plink --thin-count).
	Random int
	Seed   uint64
}

// SelectSNPs returns the sites chosen by opts (see SelectOptions), in their
// original order, with a log of each step.
func SelectSNPs(g *vcf.Genotypes, opts SelectOptions) (*vcf.Genotypes, *Log, error) {
	log := &Log{}
	idx := make([]int, g.NumSites())
	for i := range idx {
		idx[i] = i
	}
	step := func(name, reason string, keep []int) {
		log.add(Step{Name: name, Unit: "variants", Removed: len(idx) - len(keep), Remaining: len(keep), Reason: reason})
		idx = keep
	}
	if opts.WindowSNPs != 0 {
		if opts.WindowSNPs < 0 || opts.WindowStart < 0 || opts.WindowStart+opts.WindowSNPs > len(idx) {
			return nil, log, fmt.Errorf("%w: window of %d sites from index %d does not fit in %d sites", ErrBadOption, opts.WindowSNPs, opts.WindowStart, len(idx))
		}
		step("--window", fmt.Sprintf("lying outside sites %d..%d", opts.WindowStart, opts.WindowStart+opts.WindowSNPs-1), idx[opts.WindowStart:opts.WindowStart+opts.WindowSNPs])
	}
	if opts.ThinBP < 0 {
		return nil, log, fmt.Errorf("%w: thinning distance %d bp < 0", ErrBadOption, opts.ThinBP)
	}
	if opts.ThinBP > 0 {
		var keep []int
		last := -1
		for _, v := range idx {
			s := g.Sites[v]
			if last >= 0 && g.Sites[last].Chrom == s.Chrom && s.Pos-g.Sites[last].Pos < opts.ThinBP {
				continue
			}
			keep = append(keep, v)
			last = v
		}
		step("--bp-space", fmt.Sprintf("lying < %d bp from the previous kept variant", opts.ThinBP), keep)
	}
	if opts.Random < 0 {
		return nil, log, fmt.Errorf("%w: random subset of %d sites", ErrBadOption, opts.Random)
	}
	if opts.Random > 0 && opts.Random < len(idx) {
		perm := newRand(opts.Seed).Perm(len(idx))[:opts.Random]
		sort.Ints(perm)
		keep := make([]int, len(perm))
		for i, p := range perm {
			keep[i] = idx[p]
		}
		step("--thin-count", fmt.Sprintf("random selection of %d variants (seed %d)", opts.Random, opts.Seed), keep)
	}
	if len(idx) == 0 {
		return nil, log, fmt.Errorf("%w: no sites selected", ErrNothingLeft)
	}
	return SubsetSites(g, idx), log, nil
}
