package metrics

import (
	"fmt"
	"math"
	"math/bits"
	"runtime"
	"sync"

	"github.com/gousynth/gousynth/vcf"
)

// RelatedKinship is the kinship above which two individuals count as
// relatives of the second degree or closer: 2^−3.5 ≈ 0.0884, the geometric
// mean of the expected kinship of second (0.125) and third (0.0625) degree
// relatives, plink2's and KING's conventional cutoff.
var RelatedKinship = math.Pow(2, -3.5)

// KINGPacked holds each individual's genotypes as four bit planes, 64 sites
// per word, interleaved per word: heterozygous, homozygous REF, homozygous
// ALT, observed (not missing). The KING counts of a pair are then popcounts
// of ANDs of planes.
type KINGPacked struct {
	n, words   int
	bits       []uint64 // n × words × 4
	hets       []int32  // heterozygous calls per individual
	anyMissing bool
}

func (p *KINGPacked) row(i int) []uint64 { return p.bits[i*4*p.words : (i+1)*4*p.words] }

// PackKING packs g's genotypes for KinshipPacked.
func PackKING(g *vcf.Genotypes) *KINGPacked {
	n, d := g.NumSamples(), g.NumSites()
	words := (d + 63) / 64
	p := &KINGPacked{n: n, words: words, bits: make([]uint64, n*4*words), hets: make([]int32, n)}
	for v := 0; v < d; v++ {
		w, bit := v/64, uint64(1)<<(v%64)
		for s, x := range g.Row(v) {
			base := s*4*words + 4*w
			switch x {
			case 1:
				p.bits[base] |= bit
				p.hets[s]++
			case 0:
				p.bits[base+1] |= bit
			case 2:
				p.bits[base+2] |= bit
			default: // missing (or an unexpected code): not observed
				p.anyMissing = true
				continue
			}
			p.bits[base+3] |= bit
		}
	}
	return p
}

// kingCounts returns, for individuals x and y (packed rows), the number of
// sites where both are heterozygous, where they are opposite homozygotes
// (IBS0), and the heterozygous calls of each at sites the other has
// observed; hx and hy are the full heterozygous counts, used when neither
// cohort has missing calls.
func kingCounts(x, y []uint64, hx, hy int32, missing bool) (hethet, ibs0, hetX, hetY int) {
	y = y[:len(x)]
	if !missing {
		for w := 0; w+3 < len(x); w += 4 {
			hethet += bits.OnesCount64(x[w] & y[w])
			ibs0 += bits.OnesCount64((x[w+1] & y[w+2]) | (x[w+2] & y[w+1]))
		}
		return hethet, ibs0, int(hx), int(hy)
	}
	for w := 0; w+3 < len(x); w += 4 {
		hethet += bits.OnesCount64(x[w] & y[w])
		ibs0 += bits.OnesCount64((x[w+1] & y[w+2]) | (x[w+2] & y[w+1]))
		hetX += bits.OnesCount64(x[w] & y[w+3])
		hetY += bits.OnesCount64(y[w] & x[w+3])
	}
	return hethet, ibs0, hetX, hetY
}

// kingPhi is the KING-robust kinship from the counts of one pair:
// (N_het,het − 2·N_IBS0)/(2·min(N_het_x, N_het_y)) + ½ − ¼·(N_het_x +
// N_het_y)/min(N_het_x, N_het_y), the between-family estimator of
// Manichaikul et al. (2010, eq. 11) that plink2 --make-king computes. When
// one individual has no heterozygous call the division by 0 gives −Inf (NaN
// when neither has one and they share no opposite homozygote), as in plink2.
func kingPhi(hethet, ibs0, hetX, hetY int) float64 {
	lo := min(hetX, hetY)
	return float64(2*(hethet-2*ibs0)-(max(hetX, hetY)-lo)) / float64(4*lo)
}

// kingBlock is the number of b individuals whose packed rows are reused from
// cache against each a individual.
const kingBlock = 64

// KinshipPacked returns the pa.n × pb.n row-major matrix of KING-robust
// kinship coefficients between every individual of pa and every individual
// of pb, which must pack the same sites (report.Kinship checks them; see
// there for the estimator and its undefined values). The work is spread
// over GOMAXPROCS goroutines; each pair costs two popcounts per 64 sites
// (four when a call is missing).
func KinshipPacked(pa, pb *KINGPacked) []float64 {
	rows, cols := pa.n, pb.n
	out := make([]float64, rows*cols)
	missing := pa.anyMissing || pb.anyMissing
	type tile struct{ i0, j0 int }
	tiles := make(chan tile, 64)
	go func() {
		for i0 := 0; i0 < rows; i0 += kingBlock {
			for j0 := 0; j0 < cols; j0 += kingBlock {
				tiles <- tile{i0, j0}
			}
		}
		close(tiles)
	}()
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), max(1, rows*cols/kingBlock)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for t := range tiles {
				for i := t.i0; i < min(t.i0+kingBlock, rows); i++ {
					x := pa.row(i)
					o := out[i*cols : (i+1)*cols]
					for j := t.j0; j < min(t.j0+kingBlock, cols); j++ {
						o[j] = kingPhi(kingCounts(x, pb.row(j), pa.hets[i], pb.hets[j], missing))
					}
				}
			}
		}()
	}
	wg.Wait()
	return out
}

// MaxKinship returns, for each of the rows individuals of a row-major
// rows × cols kinship matrix, the largest kinship to any column individual
// (NaN entries ignored; NaN when the row has nothing else).
func MaxKinship(k []float64, rows, cols int) []float64 {
	if len(k) != rows*cols {
		panic(fmt.Sprintf("metrics: MaxKinship: %d values for %d × %d", len(k), rows, cols))
	}
	out := make([]float64, rows)
	for i := range out {
		m := math.NaN()
		for _, v := range k[i*cols : (i+1)*cols] {
			if !math.IsNaN(v) && (math.IsNaN(m) || v > m) {
				m = v
			}
		}
		out[i] = m
	}
	return out
}

// RelatedShare returns the fraction of the individuals whose largest
// kinship (from MaxKinship) exceeds RelatedKinship: those with a relative of
// the second degree or closer in the other cohort.
func RelatedShare(maxKin []float64) float64 {
	if len(maxKin) == 0 {
		return math.NaN()
	}
	c := 0
	for _, v := range maxKin {
		if v > RelatedKinship {
			c++
		}
	}
	return float64(c) / float64(len(maxKin))
}
