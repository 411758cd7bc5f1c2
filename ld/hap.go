package ld

import (
	"context"
	"math/bits"

	"github.com/gousynth/gousynth/vcf"
)

// HapPair is the haplotype LD of phased sites I < J (see HapStats).
type HapPair struct {
	I, J          int
	R2, D, Dprime float64
}

// hapPacked holds one bit per haplotype (ALT allele) and, for sites with
// missing alleles, a mask of called haplotypes (padding bits clear).
type hapPacked struct {
	words  int
	alt    []uint64 // site v at alt[v*words:]
	mask   [][]uint64
	called []int // called haplotypes per site
	nAlt   []int // ALT alleles per site
}

func packHaps(g *vcf.Genotypes) *hapPacked {
	nh := 2 * g.NumSamples()
	m := g.NumSites()
	words := (nh + 63) / 64
	p := &hapPacked{words: words, alt: make([]uint64, m*words), mask: make([][]uint64, m),
		called: make([]int, m), nAlt: make([]int, m)}
	for v := 0; v < m; v++ {
		alt := p.alt[v*words : (v+1)*words]
		var miss []uint64
		for h, a := range g.HapRow(v) {
			switch {
			case a > 0:
				alt[h>>6] |= 1 << uint(h&63)
				p.nAlt[v]++
				p.called[v]++
			case a == 0:
				p.called[v]++
			default:
				if miss == nil {
					miss = make([]uint64, words)
					for k := range miss {
						miss[k] = ^uint64(0)
					}
					if r := nh & 63; r != 0 {
						miss[words-1] = 1<<uint(r) - 1
					}
				}
				miss[h>>6] &^= 1 << uint(h&63)
			}
		}
		p.mask[v] = miss
	}
	return p
}

func (p *hapPacked) stats(i, j int) (r2, D, Dprime float64) {
	ai := p.alt[i*p.words : (i+1)*p.words]
	aj := p.alt[j*p.words : (j+1)*p.words]
	var nab int
	for k, a := range ai {
		nab += bits.OnesCount64(a & aj[k])
	}
	mi, mj := p.mask[i], p.mask[j]
	if mi == nil && mj == nil {
		return hapStatsFromCounts(p.called[i], p.nAlt[i], p.nAlt[j], nab)
	}
	// Restrict the allele counts to haplotypes called at both sites (nab
	// needs no mask: missing alleles have clear bits).
	var n, na, nb int
	for k := range ai {
		var m uint64
		switch {
		case mi == nil:
			m = mj[k]
		case mj == nil:
			m = mi[k]
		default:
			m = mi[k] & mj[k]
		}
		n += bits.OnesCount64(m)
		na += bits.OnesCount64(ai[k] & m)
		nb += bits.OnesCount64(aj[k] & m)
	}
	return hapStatsFromCounts(n, na, nb, nab)
}

// HapPairs computes the haplotype r², D and D′ (see HapStats) of every
// pair of sites in the window of opts (as Pairs: j − i < WindowSNPs, same
// chromosome, within WindowKB; pairs with r² ≥ MinR2) on phased data and
// calls fn for each, in order of I then J. Pairs with undefined values (a
// monomorphic site) are skipped. It returns ErrNotPhased for unphased data.
func HapPairs(g *vcf.Genotypes, opts WindowOptions, fn func(HapPair) error) error {
	if err := opts.validate(); err != nil {
		return err
	}
	if !g.Phased || g.Haplotypes == nil {
		return ErrNotPhased
	}
	hp := packHaps(g)
	// The windower enumerates the pairs and computes r²; D and D′ are
	// recomputed for the reported pairs only.
	w := newSiteWindower(g, func(i, j int) float64 {
		r2, _, _ := hp.stats(i, j)
		return r2
	}, opts)
	return w.run(context.Background(), func(lo, hi int, c *chunk) {
		w.scan(lo, hi, func(i, j int, r float64) { c.pairs = append(c.pairs, Pair{i, j, r}) })
	}, func(c *chunk) error {
		for _, p := range c.pairs {
			r2, D, dp := hp.stats(p.I, p.J)
			if err := fn(HapPair{I: p.I, J: p.J, R2: r2, D: D, Dprime: dp}); err != nil {
				return err
			}
		}
		return nil
	})
}
