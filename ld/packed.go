package ld

import (
	"math"
	"math/bits"

	"github.com/gousynth/gousynth/vcf"
)

// packed holds the dosages of every site as bit-planes, the representation
// plink uses for its LD kernel. Windowed r² is a measured hot path (tens of
// millions of pairs over thousands of individuals), so the dosage sums are
// computed with popcounts over 64 individuals at a time instead of one int8
// at a time.
//
// For site v and individual s, bit s of plane one is set when the dosage is
// ≥ 1 and bit s of plane two when it is 2 (so dosage = one + two, and
// dosage² = one + 3·two). Missing calls have both bits clear and a clear bit
// in the non-missing mask, which is stored only for sites with missing calls.
type packed struct {
	nInd  int // individuals
	words int // 64-bit words per plane
	// planes holds, for site v, one[words] followed by two[words] at
	// planes[2*v*words:].
	planes []uint64
	// mask[v] is the non-missing mask of site v, nil when no call is missing.
	mask [][]uint64
	// carriers[v] lists the individuals with dosage ≥ 1 at site v when
	// there are fewer than sparseLimit of them, else nil (see r2).
	carriers [][]uint16
	// Per-site statistics over the site's own non-missing calls.
	nonMissing []int64
	sum        []int64 // Σx
	sumSq      []int64 // Σx²
}

func pack(g *vcf.Genotypes) *packed {
	n := g.NumSamples()
	m := g.NumSites()
	words := (n + 63) / 64
	p := &packed{
		nInd:       n,
		words:      words,
		planes:     make([]uint64, 2*m*words),
		mask:       make([][]uint64, m),
		carriers:   make([][]uint16, m),
		nonMissing: make([]int64, m),
		sum:        make([]int64, m),
		sumSq:      make([]int64, m),
	}
	for v := 0; v < m; v++ {
		p.packSite(v, g.Row(v))
	}
	return p
}

// packSite fills the planes and statistics of site v. It builds each word in
// registers, 64 individuals at a time, because packing is a visible share of
// windowed LD on large cohorts.
func (p *packed) packSite(v int, row []int8) {
	words := p.words
	one := p.planes[2*v*words : (2*v+1)*words]
	two := p.planes[(2*v+1)*words : (2*v+2)*words]
	var miss []uint64
	var cnt, s1, s2 int
	for w := 0; w < words; w++ {
		chunk := row[w*64 : min((w+1)*64, len(row))]
		var o, t, ms uint64
		for b, d := range chunk {
			bit := uint64(1) << uint(b)
			if d > 0 {
				o |= bit
			}
			if d > 1 {
				t |= bit
			}
			if d < 0 {
				ms |= bit
			}
		}
		one[w], two[w] = o, t
		co, ct := bits.OnesCount64(o), bits.OnesCount64(t)
		s1 += co + ct
		s2 += co + 3*ct
		cnt += len(chunk) - bits.OnesCount64(ms)
		if ms != 0 {
			if miss == nil {
				miss = make([]uint64, words)
				for k := range miss {
					miss[k] = ^uint64(0)
				}
				if r := p.nInd & 63; r != 0 {
					miss[words-1] = 1<<uint(r) - 1
				}
			}
			miss[w] &^= ms
		}
	}
	p.mask[v] = miss
	if nc := s1 - (s2-s1)/2; nc < p.sparseLimit() && p.nInd <= math.MaxUint16+1 {
		// nc = #(x≥1) = Σx − #(x=2), and #(x=2) = (Σx² − Σx)/2.
		list := make([]uint16, 0, nc)
		for w, o := range one {
			for o != 0 {
				list = append(list, uint16(w*64+bits.TrailingZeros64(o)))
				o &= o - 1
			}
		}
		p.carriers[v] = list
	}
	p.mask[v] = miss
	p.nonMissing[v] = int64(cnt)
	p.sum[v] = int64(s1)
	p.sumSq[v] = int64(s2)
}

// sparseLimit is the carrier count below which a site's cross sums are
// taken over its carrier list: one bit lookup per carrier costs less than
// three popcounts per 64 individuals for the rare variants that dominate
// sequencing data.
func (p *packed) sparseLimit() int {
	return sparseFactor * p.words
}

// sparseFactor sets sparseLimit; measured on 1000G-like data (bench file,
// 2504 individuals), see BenchmarkPairsBenchFile.
var sparseFactor = 2

// sparseCrossSum returns Σ x·y over the carriers of x, looking y up in its
// bit-planes (missing calls have clear bits, so they add nothing).
func sparseCrossSum(car []uint16, ax, bx, ay, by []uint64) int64 {
	var sxy uint64
	for _, s := range car {
		w, sh := s>>6, s&63
		xs := 1 + (bx[w]>>sh)&1
		ys := (ay[w]>>sh)&1 + (by[w]>>sh)&1
		sxy += xs * ys
	}
	return int64(sxy)
}

func (p *packed) one(v int) []uint64 { return p.planes[2*v*p.words : (2*v+1)*p.words] }
func (p *packed) two(v int) []uint64 { return p.planes[(2*v+1)*p.words : (2*v+2)*p.words] }

// r2 returns the dosage r² of sites i and j over the individuals called at
// both, or NaN when either site has no variance there.
func (p *packed) r2(i, j int) float64 {
	ai, bi := p.one(i), p.two(i)
	aj, bj := p.one(j), p.two(j)
	mi, mj := p.mask[i], p.mask[j]
	var sxy int64
	ci, cj := p.carriers[i], p.carriers[j]
	switch {
	case ci != nil && (cj == nil || len(ci) <= len(cj)):
		sxy = sparseCrossSum(ci, ai, bi, aj, bj)
	case cj != nil:
		sxy = sparseCrossSum(cj, aj, bj, ai, bi)
	default:
		sxy = crossSum(ai, bi, aj, bj)
	}
	if mi == nil && mj == nil {
		return r2FromSums(p.nonMissing[i], p.sum[i], p.sumSq[i], p.sum[j], p.sumSq[j], sxy)
	}
	// Slow path: restrict the other sums to the jointly called individuals.
	// Σxy needs no mask because missing calls have clear bits.
	var n, sx, sxx, sy, syy int64
	switch {
	case mi == nil:
		n = p.nonMissing[j]
		sy, syy = p.sum[j], p.sumSq[j]
		sx, sxx = maskedSums(ai, bi, mj)
	case mj == nil:
		n = p.nonMissing[i]
		sx, sxx = p.sum[i], p.sumSq[i]
		sy, syy = maskedSums(aj, bj, mi)
	default:
		for k := range mi {
			m := mi[k] & mj[k]
			n += int64(bits.OnesCount64(m))
			o, t := int64(bits.OnesCount64(ai[k]&m)), int64(bits.OnesCount64(bi[k]&m))
			sx += o + t
			sxx += o + 3*t
			o, t = int64(bits.OnesCount64(aj[k]&m)), int64(bits.OnesCount64(bj[k]&m))
			sy += o + t
			syy += o + 3*t
		}
	}
	return r2FromSums(n, sx, sxx, sy, syy, sxy)
}

// crossSum returns Σ x·y for two sites given as bit-planes. With one = [x≥1]
// and two = [x=2] (two ⊆ one), x·y = (ax&ay) + (ax&by) + (bx&ay) + (bx&by),
// and (ax&by) + (bx&ay) = ((ax&by) ^ (bx&ay)) + 2·(bx&by), so three popcounts
// per word suffice.
func crossSum(ax, bx, ay, by []uint64) int64 {
	bx = bx[:len(ax)]
	ay = ay[:len(ax)]
	by = by[:len(ax)]
	var c1, c2, c3 int
	for k := range ax {
		a, b, c, d := ax[k], bx[k], ay[k], by[k]
		c1 += bits.OnesCount64(a & c)
		c2 += bits.OnesCount64((a & d) ^ (b & c))
		c3 += bits.OnesCount64(b & d)
	}
	return int64(c1 + c2 + 3*c3)
}

func maskedSums(a, b, m []uint64) (s, ss int64) {
	b = b[:len(a)]
	m = m[:len(a)]
	for k := range a {
		o, t := int64(bits.OnesCount64(a[k]&m[k])), int64(bits.OnesCount64(b[k]&m[k]))
		s += o + t
		ss += o + 3*t
	}
	return s, ss
}

// r2FromSums is the squared Pearson correlation from exact integer sums:
// r² = (nΣxy − ΣxΣy)² / ((nΣx² − (Σx)²)(nΣy² − (Σy)²)). The three centred
// products are exact in int64 for any realistic cohort size (n < 10⁸), so the
// only rounding is in the final division.
func r2FromSums(n, sx, sxx, sy, syy, sxy int64) float64 {
	vx := n*sxx - sx*sx
	vy := n*syy - sy*sy
	if vx <= 0 || vy <= 0 {
		return math.NaN()
	}
	c := float64(n*sxy - sx*sy)
	r := c * c / (float64(vx) * float64(vy))
	if r > 1 {
		r = 1
	}
	return r
}
