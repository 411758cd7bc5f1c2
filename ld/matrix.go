package ld

import (
	"context"
	"fmt"
	"math"
	"runtime"
	"sync"

	"gonum.org/v1/gonum/mat"

	"github.com/gousynth/gousynth/vcf"
)

// MaxMatrixSites is the largest number of sites Matrix accepts: 5000 sites
// make a 200 MB float64 matrix, enough for any heatmap.
const MaxMatrixSites = 5000

// Matrix returns the full dosage r² matrix of g's sites (see R2). Undefined
// values (a site without variance) are 0, so that monomorphic sites show no
// LD; the diagonal is 1 for polymorphic sites and 0 for monomorphic ones.
// It returns ErrNoSites for no sites and ErrTooManySites beyond
// MaxMatrixSites.
func Matrix(g *vcf.Genotypes) (*mat.SymDense, error) {
	m := g.NumSites()
	if m == 0 {
		return nil, fmt.Errorf("ld matrix: %w", ErrNoSites)
	}
	if m > MaxMatrixSites {
		return nil, fmt.Errorf("ld matrix: %w: %d sites, at most %d (select a region or subset first)", ErrTooManySites, m, MaxMatrixSites)
	}
	p := pack(g)
	out := mat.NewSymDense(m, nil)
	parallelRows(m, func(i int) {
		for j := i; j < m; j++ {
			r := p.r2(i, j)
			if math.IsNaN(r) {
				r = 0
			}
			out.SetSym(i, j, r)
		}
	})
	return out, nil
}

// parallelRows calls fn(i) for i in [0, m) on GOMAXPROCS goroutines. Rows
// are handed out one at a time so triangular work stays balanced; fn must
// write only to row-owned memory.
func parallelRows(m int, fn func(i int)) {
	threads := min(runtime.GOMAXPROCS(0), max(m, 1))
	var mu sync.Mutex
	next := 0
	var wg sync.WaitGroup
	for t := 0; t < threads; t++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				mu.Lock()
				i := next
				next++
				mu.Unlock()
				if i >= m {
					return
				}
				fn(i)
			}
		}()
	}
	wg.Wait()
}

// PairsFromMatrix is Pairs for a float dosage matrix x (individuals × sites,
// for example continuous synthetic samples or an imputed real matrix) whose
// columns belong to sites (for the window: chromosome and position). r² is
// the squared Pearson correlation of the columns (R2Float), computed as the
// squared dot product of centred, unit-norm columns; NaN for a constant
// column. x must not contain NaN.
func PairsFromMatrix(x *mat.Dense, sites []vcf.Site, opts WindowOptions, fn func(Pair) error) error {
	if err := opts.validate(); err != nil {
		return err
	}
	n, m := x.Dims()
	if m != len(sites) {
		return fmt.Errorf("ld: matrix has %d columns for %d sites", m, len(sites))
	}
	// Column-major copy of the standardised columns for contiguous dots.
	cols := make([]float64, n*m)
	constant := make([]bool, m)
	for j := 0; j < m; j++ {
		c := cols[j*n : (j+1)*n]
		var mean float64
		for i := 0; i < n; i++ {
			c[i] = x.At(i, j)
			mean += c[i]
		}
		mean /= float64(n)
		var ss float64
		for i := range c {
			c[i] -= mean
			ss += c[i] * c[i]
		}
		if ss <= 0 {
			constant[j] = true
			continue
		}
		inv := 1 / math.Sqrt(ss)
		for i := range c {
			c[i] *= inv
		}
	}
	r2 := func(i, j int) float64 {
		if constant[i] || constant[j] {
			return math.NaN()
		}
		a, b := cols[i*n:(i+1)*n], cols[j*n:(j+1)*n]
		var d float64
		for k, v := range a {
			d += v * b[k]
		}
		d *= d
		if d > 1 {
			d = 1
		}
		return d
	}
	g := &vcf.Genotypes{Sites: sites}
	w := newSiteWindower(g, r2, opts)
	return w.run(context.Background(), func(lo, hi int, c *chunk) {
		w.scan(lo, hi, func(i, j int, r float64) { c.pairs = append(c.pairs, Pair{i, j, r}) })
	}, func(c *chunk) error {
		for _, p := range c.pairs {
			if err := fn(p); err != nil {
				return err
			}
		}
		return nil
	})
}
