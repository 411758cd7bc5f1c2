package ld

import (
	"context"
	"errors"
	"fmt"
	"math"
	"runtime"
	"sync"

	"github.com/gousynth/gousynth/vcf"
)

// Errors returned by the package. They are wrapped with details; test with
// errors.Is.
var (
	// ErrBadWindow reports a window that selects no pairs (size < 2 SNPs or
	// a non-positive kb span).
	ErrBadWindow = errors.New("invalid LD window")
	// ErrNoSites reports input without the sites a computation needs.
	ErrNoSites = errors.New("no sites")
	// ErrTooManySites reports a full r² matrix request beyond MaxMatrixSites.
	ErrTooManySites = errors.New("too many sites")
	// ErrNotPhased reports a haplotype statistic requested on unphased data.
	ErrNotPhased = errors.New("genotypes are not phased")
)

// WindowOptions selects the site pairs of windowed LD, as plink 1.9's
// --ld-window, --ld-window-kb and --ld-window-r2 do: sites i < j on the same
// chromosome form a pair when j − i < WindowSNPs and
// pos_j − pos_i ≤ 1000·WindowKB; a pair is reported when its r² ≥ MinR2.
// Pairs whose r² is undefined (NaN: a site without variance among the
// individuals called at both, such as a monomorphic site) are never reported,
// as plink 1.9 omits them; such sites still count towards WindowSNPs.
type WindowOptions struct {
	WindowSNPs int     // window size in sites (≥ 2; plink --ld-window)
	WindowKB   float64 // window span in kb (> 0; plink --ld-window-kb; math.Inf(1) for none)
	MinR2      float64 // report pairs with r² ≥ MinR2 (plink --ld-window-r2)
	Threads    int     // worker goroutines; 0 means runtime.GOMAXPROCS(0)
	// Progress, when set, is called on the consuming goroutine with the
	// number of sites whose pairs are done and the total.
	Progress func(done, total int)
}

// DefaultWindow is the window gousynth uses when none is given: 1000 SNPs,
// 1000 kb, all pairs.
var DefaultWindow = WindowOptions{WindowSNPs: 1000, WindowKB: 1000, MinR2: 0}

func (o WindowOptions) validate() error {
	if o.WindowSNPs < 2 {
		return fmt.Errorf("%w: window of %d SNPs selects no pairs (need at least 2)", ErrBadWindow, o.WindowSNPs)
	}
	if !(o.WindowKB > 0) {
		return fmt.Errorf("%w: window of %g kb selects no pairs (need > 0)", ErrBadWindow, o.WindowKB)
	}
	if math.IsNaN(o.MinR2) || o.MinR2 > 1 {
		return fmt.Errorf("%w: minimum r² %g is not in [0, 1]", ErrBadWindow, o.MinR2)
	}
	return nil
}

func (o WindowOptions) threads() int {
	if o.Threads > 0 {
		return o.Threads
	}
	return runtime.GOMAXPROCS(0)
}

// Pair is the dosage r² of sites I < J (indices into Genotypes.Sites).
type Pair struct {
	I, J int
	R2   float64
}

// Pairs computes the dosage r² (see R2) of every site pair in the window and
// calls fn for each reported pair, in order of I then J, on the calling
// goroutine. The work is spread over opts.Threads goroutines; the order and
// values do not depend on the number of threads. An error from fn stops the
// computation and is returned.
func Pairs(g *vcf.Genotypes, opts WindowOptions, fn func(Pair) error) error {
	return PairsContext(context.Background(), g, opts, fn)
}

// PairsContext is Pairs with cancellation.
func PairsContext(ctx context.Context, g *vcf.Genotypes, opts WindowOptions, fn func(Pair) error) error {
	if err := opts.validate(); err != nil {
		return err
	}
	w := newWindower(g, opts)
	return w.run(ctx, func(lo, hi int, res *chunk) {
		w.scan(lo, hi, func(i, j int, r float64) {
			res.pairs = append(res.pairs, Pair{i, j, r})
		})
	}, func(res *chunk) error {
		for _, p := range res.pairs {
			if err := fn(p); err != nil {
				return err
			}
		}
		return nil
	})
}

// windower enumerates the pairs of a window over packed genotypes.
type windower struct {
	g    *vcf.Genotypes // sites (and dosages when packed)
	r2   func(i, j int) float64
	opts WindowOptions
	span int64 // maximum bp distance
	// chromID gives each site a chromosome number so that the pair loop
	// compares integers.
	chromID []int32
}

func newWindower(g *vcf.Genotypes, opts WindowOptions) *windower {
	return newSiteWindower(g, pack(g).r2, opts)
}

// newSiteWindower enumerates pairs of g.Sites with r2 computing the values;
// g.Dosage is not used.
func newSiteWindower(g *vcf.Genotypes, r2 func(i, j int) float64, opts WindowOptions) *windower {
	w := &windower{g: g, r2: r2, opts: opts}
	kb := opts.WindowKB * 1000
	if kb >= math.MaxInt64/2 {
		w.span = math.MaxInt64 / 2
	} else {
		// plink compares integer positions against the rounded-down span.
		w.span = int64(math.Floor(kb + 1e-9))
	}
	w.chromID = make([]int32, len(g.Sites))
	var id int32
	for i, s := range g.Sites {
		if i > 0 && s.Chrom != g.Sites[i-1].Chrom {
			id++
		}
		w.chromID[i] = id
	}
	return w
}

// scan calls emit for every reported pair with I in [lo, hi).
func (w *windower) scan(lo, hi int, emit func(i, j int, r float64)) {
	m := len(w.g.Sites)
	minR2 := w.opts.MinR2
	for i := lo; i < hi; i++ {
		end := w.end(i, m)
		for j := i + 1; j < end; j++ {
			r := w.r2(i, j)
			if r >= minR2 { // false for NaN
				emit(i, j, r)
			}
		}
	}
}

// end returns one past the last site that pairs with site i.
func (w *windower) end(i, m int) int {
	end := i + w.opts.WindowSNPs
	if end > m {
		end = m
	}
	pi := int64(w.g.Sites[i].Pos)
	c := w.chromID[i]
	for j := i + 1; j < end; j++ {
		if w.chromID[j] != c || int64(w.g.Sites[j].Pos)-pi > w.span {
			return j
		}
	}
	return end
}

// chunk is the output of a range of rows.
type chunk struct {
	idx    int
	lo, hi int
	pairs  []Pair
	buf    []byte // formatted lines (WriteTSV)
	count  int    // lines in buf
}

// run computes the rows in chunks on worker goroutines and hands the chunks
// to consume in row order on the calling goroutine.
func (w *windower) run(ctx context.Context, produce func(lo, hi int, c *chunk), consume func(*chunk) error) error {
	m := len(w.g.Sites)
	if m == 0 {
		return nil
	}
	r := w.newChunkRun(m)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	r.startWorkers(produce)
	go r.feed(ctx)
	return r.collect(ctx, cancel, consume, w.opts.Progress)
}

// chunkRun is the machinery of one run: chunk indexes go to the workers on
// jobs, computed chunks come back on results, and a token is held for
// each chunk handed out but not yet consumed.
type chunkRun struct {
	m, rows, nChunks, threads int
	tokens                    chan struct{}
	jobs                      chan int
	results                   chan *chunk
	// A free list rather than a sync.Pool: the pool is emptied at every GC,
	// and regrowing multi-megabyte text buffers showed up in profiles.
	free chan *chunk
}

// newChunkRun cuts m rows into chunks and sizes the channels.
func (w *windower) newChunkRun(m int) *chunkRun {
	// Chunks of roughly equal pair counts keep workers balanced and output
	// buffers small.
	rows := min(1+64*1024/w.opts.WindowSNPs, 256)
	nChunks := (m + rows - 1) / rows
	threads := min(w.opts.threads(), nChunks)
	// At most `inflight` chunks are computed but not yet consumed.
	inflight := 4 * threads
	return &chunkRun{
		m: m, rows: rows, nChunks: nChunks, threads: threads,
		tokens:  make(chan struct{}, inflight),
		jobs:    make(chan int),
		results: make(chan *chunk, inflight),
		free:    make(chan *chunk, inflight+threads),
	}
}

// getChunk returns a chunk from the free list, or a new one.
func (r *chunkRun) getChunk() *chunk {
	select {
	case c := <-r.free:
		return c
	default:
		return new(chunk)
	}
}

// startWorkers starts the goroutines that compute the chunks named on
// jobs with produce, and closes results once they are all done.
func (r *chunkRun) startWorkers(produce func(lo, hi int, c *chunk)) {
	var wg sync.WaitGroup
	for t := 0; t < r.threads; t++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for idx := range r.jobs {
				c := r.getChunk()
				c.idx = idx
				c.lo = idx * r.rows
				c.hi = min(c.lo+r.rows, r.m)
				c.pairs = c.pairs[:0]
				c.buf = c.buf[:0]
				c.count = 0
				produce(c.lo, c.hi, c)
				r.results <- c
			}
		}()
	}
	go func() {
		wg.Wait()
		close(r.results)
	}()
}

// feed hands out the chunk indexes in order, each once it holds a token,
// until the last or cancellation.
func (r *chunkRun) feed(ctx context.Context) {
	defer close(r.jobs)
	for idx := 0; idx < r.nChunks; idx++ {
		select {
		case r.tokens <- struct{}{}:
		case <-ctx.Done():
			return
		}
		select {
		case r.jobs <- idx:
		case <-ctx.Done():
			return
		}
	}
}

// collect passes the computed chunks to consume in chunk order, returning
// each to the free list and its token, and reports progress. After an
// error it cancels the run and drains the results.
func (r *chunkRun) collect(ctx context.Context, cancel context.CancelFunc, consume func(*chunk) error, progress func(done, total int)) error {
	pending := make(map[int]*chunk)
	next := 0
	var err error
	for c := range r.results {
		if err != nil {
			continue // drain
		}
		pending[c.idx] = c
		for {
			c, ok := pending[next]
			if !ok {
				break
			}
			delete(pending, next)
			next++
			if err == nil {
				if e := ctx.Err(); e != nil {
					err = e
				} else if e := consume(c); e != nil {
					err = e
				}
			}
			if progress != nil && err == nil {
				progress(c.hi, r.m)
			}
			select {
			case r.free <- c:
			default:
			}
			<-r.tokens
			if err != nil {
				cancel()
				break
			}
		}
	}
	if err == nil && next != r.nChunks {
		err = ctx.Err()
	}
	return err
}
