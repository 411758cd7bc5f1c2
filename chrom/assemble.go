package chrom

import (
	"fmt"
	"math"
	"math/bits"
	"math/rand/v2"

	"github.com/gousynth/gousynth/autoreg"
	"gonum.org/v1/gonum/mat"
)

// Conditioning modes of the assembler.
const (
	// CondMatch gives each synthetic individual, in every window, the unused
	// candidate that best matches both its ancestry latent and the overlap
	// already written for it (Manhattan distance on the overlap dosages).
	CondMatch Conditioning = "match"
	// CondAncestry matches on the ancestry latent only.
	CondAncestry Conditioning = "ancestry"
	// CondNone stitches independent windows: candidate i goes to individual i
	// (the baseline).
	CondNone Conditioning = "none"
)

// DefaultAncestryWeight scales the ancestry term of the matching cost, a χ² over the
// PCs (each squared difference divided by the window's prediction noise
// variance), against the overlap's Manhattan distance: cost = L1 +
// AncestryWeight·χ². 0.5 makes the χ² term a Gaussian negative log-likelihood.
const DefaultAncestryWeight = 0.5

// Assembler turns window results, in order, into the synthetic chromosome:
// it assigns one candidate of each window to each synthetic individual
// without replacement (greedily, individuals in a random order per window)
// and returns the window's core dosages.
type Assembler struct {
	mode   Conditioning
	weight float64
	n      int
	target *mat.Dense // n×K ancestry latent (nil when K = 0)
	seed   uint64
	// The previous window's core block (site-major) and its first site.
	prevStart int
	prev      []int8
	prevCore  int
	// Stats of the last window: mean overlap Manhattan distance per site of
	// the chosen candidates and mean χ² of their ancestry.
	LastOverlapMismatch, LastAncestryChi2 float64
	// chain draws the windows of CondChain.
	chain *autoreg.Sampler
}

// NewAssembler returns an assembler of n synthetic individuals whose
// ancestry latent is target (n×K; nil when K = 0).
func NewAssembler(mode Conditioning, n int, target *mat.Dense, seed uint64) (*Assembler, error) {
	if err := checkKind(mode, "conditioning", Conditionings()); err != nil {
		return nil, err
	}
	if target != nil {
		if r, _ := target.Dims(); r != n {
			return nil, fmt.Errorf("%w: ancestry latent of %d rows for %d individuals", ErrOption, r, n)
		}
	}
	a := &Assembler{mode: mode, weight: DefaultAncestryWeight, n: n, target: target, seed: seed}
	if mode == CondChain {
		var err error
		if a.chain, err = newChainSampler(target, n, nil, nil, seed); err != nil {
			return nil, err
		}
	}
	return a, nil
}

// newChainAssembler is NewAssembler for CondChain with the synthetic
// individuals' population labels (cohort; nil: none), which the chain's
// regressions take beside the PC latent (chainAncestry).
func newChainAssembler(n int, latent *mat.Dense, cohort []int, mx *Mixture, seed uint64) (*Assembler, error) {
	a, err := NewAssembler(CondChain, n, latent, seed)
	if err != nil || cohort == nil {
		return a, err
	}
	a.chain, err = newChainSampler(latent, n, cohort, mx, seed)
	return a, err
}

// thermo packs dosages (0/1/2) into two bit planes (≥1, =2) so that the
// Manhattan distance of two dosage vectors is the Hamming distance of their
// planes.
func thermo(get func(v int) int8, o int, dst []uint64) {
	w := (o + 63) / 64
	for i := range dst[:2*w] {
		dst[i] = 0
	}
	for v := 0; v < o; v++ {
		g := get(v)
		if g >= 1 {
			dst[v/64] |= 1 << (v % 64)
		}
		if g >= 2 {
			dst[w+v/64] |= 1 << (v % 64)
		}
	}
}

// SetAncestryWeight replaces DefaultAncestryWeight (w > 0).
func (a *Assembler) SetAncestryWeight(w float64) {
	if w > 0 {
		a.weight = w
	}
}

// Add assigns r's candidates and returns the window's core dosages,
// site-major (Core()×n). Results must come in window order.
func (a *Assembler) Add(r *Result) ([]int8, error) {
	if err := a.checkResult(r); err != nil {
		return nil, err
	}
	w := r.Window
	o := w.Overlap()
	if a.mode == CondChain {
		if err := checkChain(r.Chain, w, a.chain.K()); err != nil {
			return nil, err
		}
		out, err := a.chain.Draw(r.Chain)
		if err != nil {
			return nil, err
		}
		a.LastOverlapMismatch, a.LastAncestryChi2 = math.NaN(), math.NaN()
		a.prev, a.prevStart, a.prevCore = out, w.CoreStart, w.Core()
		return out, nil
	}
	var choice []int
	switch a.mode {
	case CondNone, CondRegress:
		choice = make([]int, a.n)
		for i := range choice {
			choice[i] = i
		}
		a.LastAncestryChi2 = math.NaN()
	default:
		choice = a.match(r, o)
	}
	core := w.Core()
	M := r.NCandidates
	out := make([]int8, core*a.n)
	for v := 0; v < core; v++ {
		src := r.Candidates[(o+v)*M : (o+v+1)*M]
		dst := out[v*a.n : (v+1)*a.n]
		for i, c := range choice {
			dst[i] = src[c]
		}
	}
	a.prev, a.prevStart, a.prevCore = out, w.CoreStart, core
	return out, nil
}

// k is the number of ancestry PCs of the latent (0 for a nil one).
func (a *Assembler) k() int {
	if a.target == nil {
		return 0
	}
	_, K := a.target.Dims()
	return K
}

// checkResult checks that r has candidates for every individual, the
// assembler's number of ancestry PCs, and an overlap inside the previous
// window's output.
func (a *Assembler) checkResult(r *Result) error {
	w := r.Window
	if r.NCandidates < a.n {
		return fmt.Errorf("%w: window %d has %d candidates for %d individuals", ErrOption, w.Index, r.NCandidates, a.n)
	}
	K := a.k()
	if r.K != K {
		return fmt.Errorf("%w: window %d has %d ancestry PCs, the latent %d", ErrOption, w.Index, r.K, K)
	}
	o := w.Overlap()
	if o > 0 && (a.prev == nil || w.Start < a.prevStart || w.CoreStart != a.prevStart+a.prevCore) {
		return fmt.Errorf("%w: window %d overlap [%d, %d) is not inside the previous window's output", ErrOption, w.Index, w.Start, w.CoreStart)
	}
	return nil
}

// match returns the candidate of r chosen for each individual: in a
// random order of the individuals, the unused candidate of the lowest
// cost, L1 distance on the o overlap sites (when the mode matches on the
// overlap) plus the weighted χ² of its ancestry. It records the chosen
// candidates' statistics (LastOverlapMismatch, LastAncestryChi2).
func (a *Assembler) match(r *Result, o int) []int {
	w := r.Window
	K := a.k()
	M := r.NCandidates
	useOverlap := (a.mode == CondMatch || a.mode == CondRegressMatch) && o > 0
	words := (o + 63) / 64
	var cp, ip []uint64
	if useOverlap {
		cp, ip = a.overlapPlanes(r, o, words)
	}
	inv := make([]float64, K)
	for k := range inv {
		inv[k] = a.weight / r.NoiseVar[k]
	}
	choice := make([]int, a.n)
	used := make([]bool, M)
	rng := rand.New(rand.NewPCG(a.seed, uint64(w.Index)))
	order := rng.Perm(a.n)
	var sumL1, sumChi float64
	for _, i := range order {
		var t []float64
		if K > 0 {
			t = a.target.RawRowView(i)
		}
		var mine []uint64
		if useOverlap {
			mine = ip[i*2*words : (i+1)*2*words]
		}
		best, bestCost, bestL1, bestChi := -1, math.Inf(1), 0, 0.0
		for c := 0; c < M; c++ {
			if used[c] {
				continue
			}
			l1 := 0
			if useOverlap {
				theirs := cp[c*2*words : (c+1)*2*words]
				for x, v := range mine {
					l1 += bits.OnesCount64(v ^ theirs[x])
				}
			}
			var chi float64
			an := r.Ancestry[c*K : (c+1)*K]
			for k, v := range an {
				e := v - t[k]
				chi += e * e * inv[k]
			}
			if cost := float64(l1) + chi; cost < bestCost {
				best, bestCost, bestL1, bestChi = c, cost, l1, chi
			}
		}
		used[best] = true
		choice[i] = best
		sumL1 += float64(bestL1)
		sumChi += bestChi / a.weight
	}
	a.LastOverlapMismatch = math.NaN()
	if useOverlap {
		a.LastOverlapMismatch = sumL1 / float64(a.n*o)
	}
	a.LastAncestryChi2 = sumChi / float64(a.n)
	return choice
}

// overlapPlanes returns the bit planes (see thermo; 2×words words each) of
// the o overlap sites: of each candidate of r (cp), and of each
// individual's output of the previous window (ip).
func (a *Assembler) overlapPlanes(r *Result, o, words int) (cp, ip []uint64) {
	M := r.NCandidates
	cp = make([]uint64, M*2*words)
	for c := 0; c < M; c++ {
		thermo(func(v int) int8 { return r.Candidates[v*M+c] }, o, cp[c*2*words:])
	}
	ip = make([]uint64, a.n*2*words)
	off := r.Window.Start - a.prevStart
	for i := 0; i < a.n; i++ {
		thermo(func(v int) int8 { return a.prev[(off+v)*a.n+i] }, o, ip[i*2*words:])
	}
	return cp, ip
}
