package synth

import (
	"context"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"strconv"
	"sync"

	"github.com/gousynth/gousynth/vcf"
	"gonum.org/v1/gonum/mathext"
	"gonum.org/v1/gonum/stat/distuv"
)

// SiteWriter receives simulated sites in genome order: the sink of Panel.Run.
// dosage holds one ALT-allele count per sample; haps holds two alleles per
// sample (sample s at 2s and 2s+1) or is nil for unphased output. Both slices
// are reused after Write returns. *vcf.Writer satisfies it.
type SiteWriter interface {
	Write(site vcf.Site, dosage []int8, haps []int8) error
}

// SpectrumKind selects the shape of the allele-frequency spectrum.
type SpectrumKind int

const (
	// SpectrumUniform draws the minor allele frequency uniformly on [Min, Max].
	SpectrumUniform SpectrumKind = iota
	// SpectrumBeta draws it from Beta(Alpha, Beta) truncated to [Min, Max]:
	// with Alpha < 1 the density rises towards Min, a rare-variant tail.
	SpectrumBeta
	// Spectrum1KG is a 1000 Genomes-like spectrum, mostly rare sites: see
	// OneKGSpectrum.
	Spectrum1KG
)

// Spectrum is the distribution of the ancestral minor (ALT) allele frequency.
type Spectrum struct {
	Kind        SpectrumKind
	Min, Max    float64 // support, 0 < Min ≤ Max ≤ 0.5
	Alpha, Beta float64 // shape of SpectrumBeta
}

// UniformSpectrum is the §7.2 default: MAF uniform on [0.05, 0.5].
func UniformSpectrum() Spectrum { return Spectrum{Kind: SpectrumUniform, Min: 0.05, Max: 0.5} }

// BetaSpectrum is a spectrum with a rare tail: MAF ~ Beta(0.5, 2) truncated
// to [0.01, 0.5]. About half of the sites have MAF < 0.1 (a neutral folded
// spectrum, density ∝ 1/p, would put even more weight there).
func BetaSpectrum() Spectrum {
	return Spectrum{Kind: SpectrumBeta, Min: 0.01, Max: 0.5, Alpha: 0.5, Beta: 2}
}

// OneKGSpectrum is a 1000 Genomes-like spectrum (simulate --maf-spectrum
// 1kg) for chromosome-shaped inputs, where most sites are rare: 80% of the
// sites have MAF < 0.01 and 20% MAF ≥ 0.01, about one in five as in
// 1000 Genomes phase 3 chr22 (about 1.1 million records for 2504 people).
// Inside each frequency bin the density is ∝ 1/p, the neutral
// site-frequency spectrum; the bin weights follow the 4294 biallelic SNPs of
// the bundled real data (testdata/1kg_chr1_11.7M.vcf.gz, 2504 people, where
// 17.3% have MAF ≥ 0.01), scaled so that the rare bins sum to 0.80 and the
// common ones to 0.20:
//
//	MAF bin         bundled data   spectrum
//	[1/5008, 0.001)     63.9%        61.7%
//	[0.001, 0.005)      14.6%        14.1%
//	[0.005, 0.01)        4.3%         4.2%
//	[0.01, 0.05)         7.1%         8.2%
//	[0.05, 0.1)          2.5%         2.9%
//	[0.1, 0.2)           2.9%         3.4%
//	[0.2, 0.5]           4.8%         5.5%
//
// Min is the frequency of a singleton among 2504 people (1/5008): with
// fewer individuals many of the rarest sites are monomorphic in the sample.
// The spectrum is of the ancestral frequency. Measured on simulated panels
// of 2504 people: with one population and independent frequencies
// (SameBranch 0) 19.5–20.6% of the sites have sample MAF ≥ 0.01 (six
// seeds, 8000 SNPs; TestOneKGSpectrum); with the 1kg-like preset's five
// populations (Fst 0.05), whose sample frequencies spread around the
// ancestral one, 17–19% (two seeds, 20,000 SNPs), close to the bundled
// data's 17.3%.
func OneKGSpectrum() Spectrum { return Spectrum{Kind: Spectrum1KG, Min: 1.0 / 5008, Max: 0.5} }

// oneKGBins are the bins of OneKGSpectrum: the lower bounds of the MAF bins
// (each runs to the next bound, the last to 0.5) and their weights.
var oneKGBins = struct {
	Lower, Weight []float64
}{
	Lower:  []float64{1.0 / 5008, 0.001, 0.005, 0.01, 0.05, 0.1, 0.2},
	Weight: []float64{0.617, 0.141, 0.042, 0.082, 0.029, 0.034, 0.055},
}

// draw1KG draws from oneKGBins truncated to [s.Min, s.Max], log-uniformly
// (density ∝ 1/p) inside a bin.
func (s Spectrum) draw1KG(rng *rand.Rand) float64 {
	b := oneKGBins
	var lo, hi, w [8]float64
	total := 0.0
	for i, l := range b.Lower {
		h := 0.5
		if i+1 < len(b.Lower) {
			h = b.Lower[i+1]
		}
		lo[i], hi[i] = max(l, s.Min), min(h, s.Max)
		if lo[i] < hi[i] {
			w[i] = b.Weight[i] * math.Log(hi[i]/lo[i]) / math.Log(h/l)
			total += w[i]
		}
	}
	if total == 0 { // Min == Max, or a window between two bounds
		return s.Min + (s.Max-s.Min)*rng.Float64()
	}
	u := rng.Float64() * total
	i := -1
	for j := range b.Lower {
		if w[j] > 0 {
			i = j
			if u < w[j] {
				break
			}
			u -= w[j]
		}
	}
	return lo[i] * math.Exp(rng.Float64()*math.Log(hi[i]/lo[i]))
}

func (s Spectrum) validate() error {
	if !(s.Min > 0 && s.Min <= s.Max && s.Max <= 0.5) {
		return fmt.Errorf("allele-frequency spectrum: need 0 < min ≤ max ≤ 0.5, got [%v, %v]: %w", s.Min, s.Max, ErrInvalid)
	}
	switch s.Kind {
	case SpectrumUniform, Spectrum1KG:
	case SpectrumBeta:
		if !(s.Alpha > 0 && s.Beta > 0) {
			return fmt.Errorf("beta spectrum: shapes must be positive, got (%v, %v): %w", s.Alpha, s.Beta, ErrInvalid)
		}
	default:
		return fmt.Errorf("unknown spectrum kind %d: %w", s.Kind, ErrInvalid)
	}
	return nil
}

func (s Spectrum) draw(rng *rand.Rand) float64 {
	if s.Kind == SpectrumUniform || s.Min == s.Max {
		return s.Min + (s.Max-s.Min)*rng.Float64()
	}
	if s.Kind == Spectrum1KG {
		return s.draw1KG(rng)
	}
	b := distuv.Beta{Alpha: s.Alpha, Beta: s.Beta, Src: rng}
	for range 10000 {
		if p := b.Rand(); p >= s.Min && p <= s.Max {
			return p
		}
	}
	// The truncation window holds almost no mass: fall back to uniform.
	return s.Min + (s.Max-s.Min)*rng.Float64()
}

// LDComponent is one term of the latent correlation in base pairs:
// corr(z(x), z(x+Δ)) = Σ_c Weight_c · exp(−Δ/Scale_c) inside an LD block.
// Each term is an Ornstein–Uhlenbeck process along the chromosome, i.e. an
// AR(1) process over the SNPs with coefficient exp(−gap/Scale).
type LDComponent struct {
	Weight float64 // share of the latent variance, > 0 (normalised to sum 1)
	Scale  float64 // decay length in bp, > 0
}

// PanelConfig describes a simulated genotype panel.
//
// Model. Every haplotype carries a standard Gaussian latent process over the
// SNPs of the chromosome. Inside an LD block the process is an AR(1) chain
// (or a sum of independent chains, see LD), so the latent correlation of SNPs
// i and j in one block is Rho^|i−j| (§7.2 of the GOU paper) or
// Σ w_c exp(−|pos_i−pos_j|/Scale_c); blocks are independent. A haplotype
// carries the ALT allele at SNP i when its latent value is below the
// p-quantile Φ⁻¹(p) of its population's ALT frequency p, so each haplotype
// allele is Bernoulli(p), the dosage of an individual is the sum of two
// independent haplotypes (Hardy–Weinberg proportions), and haplotype r² is
// defined by the latent correlation and the two frequencies.
//
// Population structure follows the Balding–Nichols model: each SNP draws an
// ancestral frequency p from Spectrum, and population k the frequency
// p_k ~ Beta(p(1−F)/F, (1−p)(1−F)/F), so that Var(p_k) = F·p(1−p) and the
// expected Hudson Fst between two populations is F.
type PanelConfig struct {
	Individuals int    // number of diploid individuals
	SNPs        int    // number of biallelic SNPs
	Chrom       string // contig name (default "1")
	MeanGap     float64

	// Blocks by SNP count (used when HotspotSpacing is 0).
	BlockSize      int  // SNPs per block; the mean size when VariableBlocks
	VariableBlocks bool // sizes ~ Gamma(shape 2, mean BlockSize), rounded, ≥ 1

	// HotspotSpacing > 0 delimits blocks by recombination hotspots instead:
	// a Poisson process along the chromosome with this mean spacing in bp.
	HotspotSpacing float64

	// Rho is the correlation of the latent values of adjacent SNPs of a block
	// (index distance), used when LD is empty.
	Rho float64
	// LD, when set, makes the latent correlation depend on bp distance.
	LD []LDComponent

	// SameBranch is the probability that a SNP takes the ancestral and
	// population frequencies of the previous SNP of its block, as a mutation
	// on the same genealogy branch would. Combined with a high latent
	// correlation this makes the near-perfect proxies of real haplotype
	// blocks; with independent frequencies, mismatched frequencies cap r².
	SameBranch float64

	Spectrum    Spectrum
	Populations int     // K ≥ 1
	Fst         float64 // Balding–Nichols F in [0, 1); 0 gives every population the ancestral frequency
	Unphased    bool    // write unphased genotypes (haps nil)
}

// PaperPreset is the §7.2 design: fixed blocks of 50 SNPs with latent
// correlation 0.9^|i−j|, MAF uniform on [0.05, 0.5], one population, SNPs
// on average 1 kb apart.
func PaperPreset(individuals, snps int) PanelConfig {
	return PanelConfig{
		Individuals: individuals, SNPs: snps, Chrom: "1", MeanGap: 1000,
		BlockSize: 50, Rho: 0.9,
		Spectrum: UniformSpectrum(), Populations: 1,
	}
}

// OneKGLikePreset is a panel whose haplotype LD decay resembles 1000 Genomes
// (mean r² ≈ 0.3–0.6 below 1 kb, 0.1–0.4 at 5–10 kb, < 0.15 at 20–50 kb, ≈ 0
// beyond 200 kb; TestOneKGLikeDecay asserts it).
//
// SNPs are on average 300 bp apart (geometric gaps). Blocks end at
// recombination hotspots, a Poisson process with mean spacing 50 kb, so the
// chance that two SNPs share a block falls as exp(−Δ/50 kb). Inside a block
// the latent correlation is exp(−Δ/60 kb), and with probability 0.85 a SNP
// shares its frequencies with one of the 16 preceding SNPs of its block
// (SameBranch), which makes the tight proxy clusters of real haplotype
// blocks. The spectrum is the rare-tailed BetaSpectrum, and there are five
// populations at Fst 0.05. Measured on 1000 individuals × 4000 SNPs (seed
// 11), mean haplotype r² at MAF ≥ 0.01: 0.44 (< 1 kb), 0.20 (5–10 kb), 0.031
// (20–50 kb), 0.001 (200–300 kb, the 1/2n sampling floor); dosage r² of all
// sites with ld.Decay: 0.40, 0.19, 0.037, 0.002.
func OneKGLikePreset(individuals, snps int) PanelConfig {
	return PanelConfig{
		Individuals: individuals, SNPs: snps, Chrom: "1", MeanGap: 300,
		HotspotSpacing: 50000,
		LD:             []LDComponent{{Weight: 1, Scale: 60000}},
		SameBranch:     0.85,
		Spectrum:       BetaSpectrum(), Populations: 5, Fst: 0.05,
	}
}

// Sample is one simulated individual, as a line of a 1000 Genomes panel file.
type Sample struct {
	ID       string // e.g. POP2_000017
	Pop      string // e.g. POP2
	SuperPop string // the population itself: the model has no hierarchy
	Gender   string // male or female
}

// SiteTruth is the generating truth of one simulated site.
type SiteTruth struct {
	Site          vcf.Site
	Block         int       // 0-based LD block index
	AncestralFreq float64   // ancestral ALT frequency drawn from the spectrum
	PopFreq       []float64 // ALT frequency of each population
}

// Panel is a configured simulation. It holds no genotypes: Run streams them.
type Panel struct {
	cfg       PanelConfig
	seed      uint64
	samples   []Sample
	popOfHap  []int
	sqrtW     []float64
	contigLen int
}

// Random stream domains: each kind of draw has its own streams, so changing
// one part (say the number of samples) leaves the others unchanged.
const (
	domainPositions = iota + 1
	domainHotspots
	domainSites
	domainSamples
	domainHaplotype
)

// maxLDComponents bounds the latent components so their state fits in a
// fixed array per haplotype.
const maxLDComponents = 4

// NewPanel validates cfg and prepares the simulation for seed.
func NewPanel(cfg PanelConfig, seed uint64) (*Panel, error) {
	if cfg.Chrom == "" {
		cfg.Chrom = "1"
	}
	switch {
	case cfg.Individuals < 1:
		return nil, fmt.Errorf("individuals must be at least 1, got %d: %w", cfg.Individuals, ErrInvalid)
	case cfg.SNPs < 1:
		return nil, fmt.Errorf("SNPs must be at least 1, got %d: %w", cfg.SNPs, ErrInvalid)
	case !(cfg.MeanGap >= 1) || math.IsInf(cfg.MeanGap, 0):
		return nil, fmt.Errorf("mean SNP gap must be at least 1 bp, got %v: %w", cfg.MeanGap, ErrInvalid)
	case cfg.HotspotSpacing < 0 || math.IsNaN(cfg.HotspotSpacing) || math.IsInf(cfg.HotspotSpacing, 0):
		return nil, fmt.Errorf("hotspot spacing must be a positive number of bp or 0, got %v: %w", cfg.HotspotSpacing, ErrInvalid)
	case cfg.HotspotSpacing == 0 && cfg.BlockSize < 1:
		return nil, fmt.Errorf("block size must be at least 1, got %d: %w", cfg.BlockSize, ErrInvalid)
	case len(cfg.LD) == 0 && !(cfg.Rho >= 0 && cfg.Rho <= 1):
		return nil, fmt.Errorf("rho must be in [0, 1], got %v: %w", cfg.Rho, ErrInvalid)
	case len(cfg.LD) > maxLDComponents:
		return nil, fmt.Errorf("at most %d LD components, got %d: %w", maxLDComponents, len(cfg.LD), ErrInvalid)
	case cfg.Populations < 1:
		return nil, fmt.Errorf("populations must be at least 1, got %d: %w", cfg.Populations, ErrInvalid)
	case cfg.Populations > cfg.Individuals:
		return nil, fmt.Errorf("%d populations need at least as many individuals, got %d: %w", cfg.Populations, cfg.Individuals, ErrInvalid)
	case !(cfg.SameBranch >= 0 && cfg.SameBranch <= 1):
		return nil, fmt.Errorf("same-branch probability must be in [0, 1], got %v: %w", cfg.SameBranch, ErrInvalid)
	case !(cfg.Fst >= 0 && cfg.Fst < 1):
		return nil, fmt.Errorf("Fst must be in [0, 1), got %v: %w", cfg.Fst, ErrInvalid)
	}
	if err := cfg.Spectrum.validate(); err != nil {
		return nil, err
	}
	p := &Panel{cfg: cfg, seed: seed}
	p.cfg.LD = append([]LDComponent(nil), cfg.LD...)
	total := 0.0
	for i, c := range cfg.LD {
		if !(c.Weight > 0 && c.Scale > 0) || math.IsInf(c.Weight+c.Scale, 0) {
			return nil, fmt.Errorf("LD component %d: weight and scale must be positive and finite, got (%v, %v): %w", i, c.Weight, c.Scale, ErrInvalid)
		}
		total += c.Weight
	}
	for _, c := range cfg.LD {
		p.sqrtW = append(p.sqrtW, math.Sqrt(c.Weight/total))
	}
	if len(cfg.LD) == 0 {
		p.sqrtW = []float64{1}
	}
	p.makeSamples()
	// The contig header comes before the first record, so its length needs
	// the last position first: replay the position stream (cheap).
	pos := newPositions(p.streamRand(domainPositions, 0), cfg.MeanGap)
	last := 0
	for range cfg.SNPs {
		last = pos.next()
	}
	p.contigLen = last + int(cfg.MeanGap)
	return p, nil
}

// Config returns the configuration (with defaults filled in).
func (p *Panel) Config() PanelConfig { return p.cfg }

// Samples returns the simulated individuals in VCF column order.
func (p *Panel) Samples() []Sample { return append([]Sample(nil), p.samples...) }

// SampleIDs returns the sample IDs in VCF column order.
func (p *Panel) SampleIDs() []string {
	ids := make([]string, len(p.samples))
	for i, s := range p.samples {
		ids[i] = s.ID
	}
	return ids
}

// Contig returns the contig the SNPs lie on and its length.
func (p *Panel) Contig() vcf.Contig { return vcf.Contig{ID: p.cfg.Chrom, Length: p.contigLen} }

// makeSamples splits the individuals into K populations of (nearly) equal
// size, in population order, and draws their genders.
func (p *Panel) makeSamples() {
	n, k := p.cfg.Individuals, p.cfg.Populations
	rng := p.streamRand(domainSamples, 0)
	p.samples = make([]Sample, 0, n)
	p.popOfHap = make([]int, 0, 2*n)
	width := max(6, len(strconv.Itoa(n)))
	for pop := range k {
		size := n / k
		if pop < n%k {
			size++
		}
		name := "POP" + strconv.Itoa(pop+1)
		for i := range size {
			gender := "female"
			if rng.IntN(2) == 0 {
				gender = "male"
			}
			p.samples = append(p.samples, Sample{
				ID:  fmt.Sprintf("%s_%0*d", name, width, i+1),
				Pop: name, SuperPop: name, Gender: gender,
			})
			p.popOfHap = append(p.popOfHap, pop, pop)
		}
	}
}

// WritePanel writes samples in the 1000 Genomes panel format: a header line
// "sample pop super_pop gender" and one tab-separated line per sample.
func WritePanel(w io.Writer, samples []Sample) error {
	if _, err := io.WriteString(w, "sample\tpop\tsuper_pop\tgender\n"); err != nil {
		return err
	}
	for _, s := range samples {
		if _, err := fmt.Fprintf(w, "%s\t%s\t%s\t%s\n", s.ID, s.Pop, s.SuperPop, s.Gender); err != nil {
			return err
		}
	}
	return nil
}

// mix64 is the SplitMix64 finaliser, used to derive independent PCG seeds.
func mix64(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

// streamSeeds returns the PCG seeds of random stream (domain, index) of
// this panel's seed.
func (p *Panel) streamSeeds(domain, index uint64) (uint64, uint64) {
	a := mix64(p.seed ^ mix64(domain))
	return a, mix64(a ^ mix64(index+0x632be59bd9b4e019))
}

// streamRand returns the random stream (domain, index) of this panel's seed.
func (p *Panel) streamRand(domain, index uint64) *rand.Rand {
	return rand.New(rand.NewPCG(p.streamSeeds(domain, index)))
}

// positions draws SNP positions with geometric gaps of the given mean.
type positions struct {
	rng  *rand.Rand
	mean float64
	pos  int
}

func newPositions(rng *rand.Rand, mean float64) *positions {
	return &positions{rng: rng, mean: mean, pos: 10000}
}

func (p *positions) next() int {
	// Geometric gap on {1, 2, …} with the given mean.
	gap := 1
	if p.mean > 1 {
		q := 1 / p.mean // success probability
		gap = 1 + int(math.Floor(math.Log(1-p.rng.Float64())/math.Log1p(-q)))
	}
	p.pos += gap
	return p.pos
}

// layout generates, in order, everything about a site that does not depend
// on the individuals: position, block, AR coefficients, frequencies, alleles.
type layout struct {
	p       *Panel
	pos     *positions
	hot     *rand.Rand
	sites   *rand.Rand
	nextHot float64
	left    int // SNPs left in the current block (SNP-count blocks)
	block   int
	index   int
	prevPos int
	gamma   distuv.Gamma
	bn      distuv.Beta
	// The frequencies of the last branchWindow SNPs of the block (a ring).
	recent     int
	recentAnc  [branchWindow]float64
	recentFreq []float64
}

func (p *Panel) newLayout() *layout {
	l := &layout{
		p:     p,
		pos:   newPositions(p.streamRand(domainPositions, 0), p.cfg.MeanGap),
		hot:   p.streamRand(domainHotspots, 0),
		sites: p.streamRand(domainSites, 0),
		block: -1,
	}
	l.gamma = distuv.Gamma{Alpha: 2, Beta: 2 / float64(max(p.cfg.BlockSize, 1)), Src: l.sites}
	l.bn.Src = l.sites
	if p.cfg.HotspotSpacing > 0 {
		l.nextHot = float64(l.pos.pos) + l.hot.ExpFloat64()*p.cfg.HotspotSpacing
	}
	return l
}

// branchWindow is how many preceding SNPs of a block a SameBranch SNP may
// share its frequencies with.
const branchWindow = 16

// siteLayout is one site's layout; freq and thr have one entry per population.
type siteLayout struct {
	site     vcf.Site
	block    int
	newBlock bool
	phi      [maxLDComponents]float64
	anc      float64
	freq     []float64
	thr      []float64
}

var transition = map[byte]byte{'A': 'G', 'G': 'A', 'C': 'T', 'T': 'C'}

const bases = "ACGT"

func (l *layout) next(s *siteLayout) {
	cfg := &l.p.cfg
	pos := l.pos.next()
	newBlock := l.index == 0
	if cfg.HotspotSpacing > 0 {
		if float64(pos) >= l.nextHot {
			newBlock = true
			for l.nextHot <= float64(pos) {
				l.nextHot += l.hot.ExpFloat64() * cfg.HotspotSpacing
			}
		}
	} else {
		if l.left == 0 {
			newBlock = true
			l.left = cfg.BlockSize
			if cfg.VariableBlocks {
				l.left = max(1, int(math.Round(l.gamma.Rand())))
			}
		}
		l.left--
	}
	if newBlock {
		l.block++
	}
	gap := float64(pos - l.prevPos)
	l.prevPos = pos
	if len(cfg.LD) == 0 {
		s.phi[0] = cfg.Rho
	} else {
		for c, comp := range cfg.LD {
			s.phi[c] = math.Exp(-gap / comp.Scale)
		}
	}
	// Alleles: a transition (ts/tv ≈ 2) or a transversion.
	ref := bases[l.sites.IntN(4)]
	alt := transition[ref]
	if l.sites.IntN(3) == 0 {
		for alt == ref || alt == transition[ref] {
			alt = bases[l.sites.IntN(4)]
		}
	}
	if newBlock {
		l.recent = 0
	}
	k := cfg.Populations
	if l.recent > 0 && cfg.SameBranch > 0 && l.sites.Float64() < cfg.SameBranch {
		// Same genealogy branch as one of the recent SNPs of the block:
		// same frequencies.
		j := l.sites.IntN(min(l.recent, branchWindow)) % branchWindow
		s.anc = l.recentAnc[j]
		s.freq = append(s.freq[:0], l.recentFreq[j*k:(j+1)*k]...)
	} else {
		s.anc = cfg.Spectrum.draw(l.sites)
		s.freq = s.freq[:0]
		f := cfg.Fst
		for range cfg.Populations {
			q := s.anc
			if f > 0 {
				l.bn.Alpha = s.anc * (1 - f) / f
				l.bn.Beta = (1 - s.anc) * (1 - f) / f
				q = l.bn.Rand()
			}
			s.freq = append(s.freq, q)
		}
	}
	s.thr = s.thr[:0]
	for _, q := range s.freq {
		s.thr = append(s.thr, mathext.NormalQuantile(q))
	}
	if l.recentFreq == nil {
		l.recentFreq = make([]float64, branchWindow*k)
	}
	slot := l.recent % branchWindow
	l.recentAnc[slot] = s.anc
	copy(l.recentFreq[slot*k:], s.freq)
	l.recent++
	l.index++
	s.site = vcf.Site{Chrom: cfg.Chrom, Pos: pos, ID: "sim" + strconv.Itoa(l.index), Ref: string(ref), Alt: string(alt)}
	s.block = l.block
	s.newBlock = newBlock
}

// hapStates is the latent state of every haplotype, carried from site to
// site, stored as arrays so the hot loop walks memory sequentially.
type hapStates struct {
	src []rand.PCG
	rng []rand.Rand // rng[h] draws from src[h]: haplotype h's own stream
	z   [maxLDComponents][]float64
}

func (p *Panel) newHapStates() *hapStates {
	nHap := 2 * p.cfg.Individuals
	st := &hapStates{src: make([]rand.PCG, nHap), rng: make([]rand.Rand, nHap)}
	for h := range nHap {
		a, b := p.streamSeeds(domainHaplotype, uint64(h))
		st.src[h].Seed(a, b)
		st.rng[h] = *rand.New(&st.src[h])
	}
	for k := range p.sqrtW {
		st.z[k] = make([]float64, nHap)
	}
	return st
}

// chunk is a run of consecutive sites with their alleles.
type chunk struct {
	sites  []siteLayout
	n      int       // sites in use
	haps   []int8    // [site][2·individuals]
	dosage []int8    // [site][individuals]
	latent []float64 // [site][2·individuals] latent values; only tests set it
}

// chunkSites is the number of sites generated per step: large enough to
// amortise the fork/join, small enough to stay in cache (≈ 1.3 MB of
// haplotypes at 2504 individuals).
const chunkSites = 256

// RunOptions tunes Panel.Run.
type RunOptions struct {
	// Threads generating haplotypes (the output does not depend on it).
	Threads int
	// Truth, when set, receives each site's generating truth before the
	// site is written.
	Truth func(SiteTruth) error
}

// Run simulates the panel and writes every site to w in order. Memory is
// O(individuals × chunkSites): nothing is kept after a site is written.
// The output depends only on the configuration and the seed.
func (p *Panel) Run(ctx context.Context, w SiteWriter, opt RunOptions) error {
	threads := max(opt.Threads, 1)
	nInd := p.cfg.Individuals
	nHap := 2 * nInd
	states := p.newHapStates()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	free := make(chan *chunk, 2)
	full := make(chan *chunk, 1)
	for range 2 {
		c := &chunk{
			sites:  make([]siteLayout, chunkSites),
			haps:   make([]int8, chunkSites*nHap),
			dosage: make([]int8, chunkSites*nInd),
		}
		free <- c
	}
	// Producer: lays out sites and fills haplotypes, one chunk ahead of the
	// writer so generation and compression overlap.
	go func() {
		defer close(full)
		lay := p.newLayout()
		for done := 0; done < p.cfg.SNPs; {
			var c *chunk
			select {
			case c = <-free:
			case <-ctx.Done():
				return
			}
			c.n = min(chunkSites, p.cfg.SNPs-done)
			for i := range c.n {
				lay.next(&c.sites[i])
			}
			p.fill(c, states, threads)
			done += c.n
			select {
			case full <- c:
			case <-ctx.Done():
				return
			}
		}
	}()

	written := 0
	for c := range full {
		for i := range c.n {
			s := &c.sites[i]
			if opt.Truth != nil {
				t := SiteTruth{Site: s.site, Block: s.block, AncestralFreq: s.anc, PopFreq: append([]float64(nil), s.freq...)}
				if err := opt.Truth(t); err != nil {
					return err
				}
			}
			var haps []int8
			if !p.cfg.Unphased {
				haps = c.haps[i*nHap : (i+1)*nHap]
			}
			if err := w.Write(s.site, c.dosage[i*nInd:(i+1)*nInd], haps); err != nil {
				return err
			}
		}
		written += c.n
		free <- c
	}
	if written < p.cfg.SNPs {
		return ctx.Err()
	}
	return nil
}

// fill generates the alleles of chunk c, splitting the individuals among
// threads. Each haplotype has its own random stream, so the result does not
// depend on the split.
func (p *Panel) fill(c *chunk, states *hapStates, threads int) {
	nInd := p.cfg.Individuals
	threads = min(threads, nInd)
	var wg sync.WaitGroup
	for t := range threads {
		lo, hi := t*nInd/threads, (t+1)*nInd/threads
		wg.Go(func() { p.fillRange(c, states, 2*lo, 2*hi) })
	}
	wg.Wait()
}

// fillRange fills haplotypes [h0, h1) of chunk c and the dosages of their
// individuals. This is the hot loop: one Gaussian draw per haplotype, site
// and LD component, with a branch-free path for the common one-component case.
func (p *Panel) fillRange(c *chunk, st *hapStates, h0, h1 int) {
	nHap := 2 * p.cfg.Individuals
	nInd := p.cfg.Individuals
	sw := p.sqrtW
	nc := len(sw)
	pop := p.popOfHap[h0:h1]
	rng := st.rng[h0:h1]
	var innov [maxLDComponents]float64
	for i := range c.n {
		s := &c.sites[i]
		for k := range nc {
			innov[k] = math.Sqrt(max(0, 1-s.phi[k]*s.phi[k]))
		}
		row := c.haps[i*nHap+h0 : i*nHap+h1]
		thr := s.thr
		switch {
		case nc == 1 && c.latent == nil:
			// corr(z_i, z_{i+1}) = phi; a new block starts afresh (phi = 0).
			phi, inn := s.phi[0], innov[0]
			if s.newBlock {
				phi, inn = 0, 1
			}
			z := st.z[0][h0:h1]
			for j := range row {
				v := phi*z[j] + inn*rng[j].NormFloat64()
				z[j] = v
				row[j] = b2i(v < thr[pop[j]])
			}
		default:
			for j := range row {
				latent := 0.0
				for k := range nc {
					e := rng[j].NormFloat64()
					z := st.z[k][h0+j]
					if s.newBlock {
						z = e
					} else {
						z = s.phi[k]*z + innov[k]*e
					}
					st.z[k][h0+j] = z
					latent += sw[k] * z
				}
				row[j] = b2i(latent < thr[pop[j]])
				if c.latent != nil {
					c.latent[i*nHap+h0+j] = latent
				}
			}
		}
		dos := c.dosage[i*nInd : (i+1)*nInd]
		for ind := h0 / 2; ind < h1/2; ind++ {
			dos[ind] = c.haps[i*nHap+2*ind] + c.haps[i*nHap+2*ind+1]
		}
	}
}

func b2i(b bool) int8 {
	if b {
		return 1
	}
	return 0
}

// Collector is a SiteWriter that keeps every site in memory.
type Collector struct {
	G *vcf.Genotypes
}

// NewCollector returns a Collector for the given samples.
func NewCollector(samples []string, phased bool) *Collector {
	return &Collector{G: &vcf.Genotypes{Samples: samples, Phased: phased}}
}

// Write appends a site.
func (c *Collector) Write(site vcf.Site, dosage []int8, haps []int8) error {
	c.G.Sites = append(c.G.Sites, site)
	c.G.Dosage = append(c.G.Dosage, dosage...)
	if c.G.Phased {
		c.G.Haplotypes = append(c.G.Haplotypes, haps...)
	}
	return nil
}

// Genotypes runs the simulation in memory: for tests and small panels.
func (p *Panel) Genotypes(ctx context.Context, threads int) (*vcf.Genotypes, []SiteTruth, error) {
	col := NewCollector(p.SampleIDs(), !p.cfg.Unphased)
	var truth []SiteTruth
	err := p.Run(ctx, col, RunOptions{Threads: threads, Truth: func(t SiteTruth) error {
		truth = append(truth, t)
		return nil
	}})
	if err != nil {
		return nil, nil, err
	}
	return col.G, truth, nil
}
