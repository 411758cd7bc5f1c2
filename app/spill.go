package app

import (
	"context"
	"fmt"
	"os"
	"unsafe"

	"github.com/gousynth/gousynth/model"
	"github.com/gousynth/gousynth/vcf"
)

// Bounded-memory generation.
//
// VCF records are site-major (each holds all n individuals of one site)
// while the models draw individual-major: a single model, or a window's
// residual model, samples all the sites of an individual at once, in
// chunks of model.SampleChunkRows individuals whose random streams follow
// each other (so the chunks must be drawn in order, and their size is
// fixed). Holding a window for all n individuals takes window_sites × n
// bytes of dosages (1.1 GB for 1128 sites and n = 10^6) and, before, 8
// times that of float samples; a single model of 2000 sites, 2 GB and
// 16 GB. So generation goes window by window (a single model is one
// window) and, inside a window, chunk by chunk of individuals: each
// chunk's dosages (int8, site-major inside the chunk) are appended to a
// siteSpill; once the window's n individuals are drawn the spill is read
// back in blocks of sites, each block one contiguous read per chunk, and
// written as VCF records; then the next window reuses it. Memory: one
// chunk of float samples (4096 × window_sites × 8 bytes, 37 MB for 1128
// sites), its dosages, one block of records (about spillBlockBytes) and
// the ancestry latent (n × K floats, 48 bytes per individual with 6 PCs):
// bounded independently of n but for that latent. The spill is held in
// memory when it is at most spillMemBytes, else in a temporary file
// (os.TempDir, i.e. $TMPDIR) that is removed when generation ends, also on
// an error or an interrupt (the command's context is cancelled and the
// deferred removal runs). The output is byte-identical to generating the
// whole matrix (same model, n and seed), whatever the block size.
var (
	spillMemBytes   = 64 << 20 // a window of at most this many bytes stays in memory
	spillBlockBytes = 16 << 20 // target bytes of one block of sites read back
)

// siteSpill holds one window's dosages for all n individuals, appended
// chunk by chunk of individuals, and hands them back site by site.
type siteSpill struct {
	d, n   int // sites per window (at most), individuals
	sites  int // sites of the current window
	filled int // individuals appended to the current window
	mem    []byte
	f      *os.File
	chunks []spillChunk
	block  []int8
}

type spillChunk struct{ lo, rows int }

// newSiteSpill returns a spill for windows of at most d sites and n
// individuals.
func newSiteSpill(d, n int) (*siteSpill, error) {
	s := &siteSpill{d: d, n: n}
	if int64(d)*int64(n) > int64(spillMemBytes) {
		f, err := os.CreateTemp("", "gousynth-generate-*.spill")
		if err != nil {
			return nil, fmt.Errorf("generate: temporary file for the window's genotypes: %w", err)
		}
		s.f = f
	}
	return s, nil
}

// add appends the dosages of individuals lo..lo+rows-1 at the window's
// sites (dos site-major, dos[v*rows+i]); chunks come in order.
func (s *siteSpill) add(lo, rows int, dos []int8) error {
	if lo != s.filled || len(dos)%rows != 0 {
		return fmt.Errorf("generate: chunk of individuals %d..%d after %d, %d values", lo, lo+rows, s.filled, len(dos))
	}
	sites := len(dos) / rows
	if s.filled == 0 {
		s.sites = sites
	}
	if sites != s.sites || sites > s.d || lo+rows > s.n {
		return fmt.Errorf("generate: chunk of %d sites × %d individuals does not fit a window of %d × %d", sites, rows, s.sites, s.n)
	}
	off := int64(lo) * int64(sites)
	b := asBytes(dos)
	if s.f != nil {
		if _, err := s.f.WriteAt(b, off); err != nil {
			return fmt.Errorf("generate: temporary file: %w", err)
		}
	} else {
		if s.mem == nil {
			s.mem = make([]byte, s.d*s.n)
		}
		copy(s.mem[off:], b)
	}
	s.chunks = append(s.chunks, spillChunk{lo, rows})
	s.filled += rows
	return nil
}

// flush hands every site of the window, in order, to fn with its n
// dosages (row is reused after fn returns), and empties the spill for the
// next window.
func (s *siteSpill) flush(ctx context.Context, fn func(v int, row []int8) error) error {
	if s.filled != s.n {
		return fmt.Errorf("generate: window has %d of %d individuals", s.filled, s.n)
	}
	bs := max(1, min(s.sites, spillBlockBytes/max(1, s.n)))
	if cap(s.block) < bs*s.n {
		s.block = make([]int8, bs*s.n)
	}
	var tmp []byte
	for v0 := 0; v0 < s.sites; v0 += bs {
		if err := ctx.Err(); err != nil {
			return err
		}
		v1 := min(s.sites, v0+bs)
		blk := s.block[:(v1-v0)*s.n]
		for _, c := range s.chunks {
			off := int64(c.lo)*int64(s.sites) + int64(v0)*int64(c.rows)
			size := (v1 - v0) * c.rows
			var src []byte
			if s.f != nil {
				if cap(tmp) < size {
					tmp = make([]byte, size)
				}
				src = tmp[:size]
				if _, err := s.f.ReadAt(src, off); err != nil {
					return fmt.Errorf("generate: temporary file: %w", err)
				}
			} else {
				src = s.mem[off : off+int64(size)]
			}
			for v := 0; v < v1-v0; v++ {
				copy(asBytes(blk[v*s.n+c.lo:v*s.n+c.lo+c.rows]), src[v*c.rows:(v+1)*c.rows])
			}
		}
		for v := v0; v < v1; v++ {
			if err := fn(v, blk[(v-v0)*s.n:(v-v0+1)*s.n]); err != nil {
				return err
			}
		}
	}
	s.filled, s.chunks = 0, s.chunks[:0]
	return nil
}

// close removes the temporary file, if any.
func (s *siteSpill) close() {
	if s.f != nil {
		name := s.f.Name()
		s.f.Close()
		os.Remove(name)
		s.f = nil
	}
}

// asBytes views int8 dosages as bytes.
func asBytes(s []int8) []byte {
	if len(s) == 0 {
		return nil
	}
	return unsafe.Slice((*byte)(unsafe.Pointer(&s[0])), len(s))
}

// GenerateModel draws n synthetic individuals from a single model into a
// bgzipped VCF (+ .tbi) at path (a PLINK 1 fileset when path ends in .bed), with the records Model.Generate and
// vcf.WriteGenotypes would write (the same model, n and seed give the same
// file) but in memory bounded independently of n (see siteSpill). keep,
// when not nil, lists the model's sites to write (ascending indices). h
// gives the header's command line; its samples (SYN000001, ...) and
// contigs (those of the written sites) are filled in.
func GenerateModel(ctx context.Context, m *model.Model, n int, seed uint64, path string, h vcf.Header, keep []int) error {
	return GenerateModelCohort(ctx, m, n, nil, seed, path, h, keep)
}

// GenerateModelCohort is GenerateModel with the population label of each
// synthetic individual (model.Cohort; nil: GenerateModel).
func GenerateModelCohort(ctx context.Context, m *model.Model, n int, cohort []int, seed uint64, path string, h vcf.Header, keep []int) error {
	if n < 1 {
		return fmt.Errorf("model: number of individuals must be ≥ 1, got %d", n)
	}
	sites := m.Sites
	if keep != nil {
		sites = make([]vcf.Site, len(keep))
		for i, j := range keep {
			sites[i] = m.Sites[j]
		}
	}
	h.Samples = synthIDs(n)
	h.Contigs = vcf.MergeContigs(m.Contigs, sites)
	if m.Reference != "" {
		h.ExtraLines = append([]string{m.Reference}, h.ExtraLines...)
	}
	sp, err := newSiteSpill(len(sites), n)
	if err != nil {
		return err
	}
	defer sp.close()
	var sel []int8
	progress := progressOf(ctx)
	progress(model.Progress{Phase: "generate", Total: n})
	err = m.GenerateCohortChunks(ctx, n, cohort, seed, func(lo, rows int, dos []int8) error {
		defer progress(model.Progress{Phase: "generate", Step: lo + rows, Total: n})
		if keep != nil {
			sel = sel[:0]
			for _, j := range keep {
				sel = append(sel, dos[j*rows:(j+1)*rows]...)
			}
			dos = sel
		}
		return sp.add(lo, rows, dos)
	})
	if err != nil {
		return err
	}
	w, err := vcf.CreateOutput(path, h)
	if err != nil {
		return err
	}
	defer w.Abort()
	if err := sp.flush(ctx, func(v int, row []int8) error { return w.Write(sites[v], row, nil) }); err != nil {
		return err
	}
	return w.Close()
}
