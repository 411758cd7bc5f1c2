package vcf

import (
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"os"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/gousynth/gousynth/plink"
	"github.com/klauspost/compress/gzip"
)

// ReadOptions selects what a Reader returns. Every field applies to
// NewReader and Open alike; only Open, which has a path, can use an index
// for Region (a stream is filtered while it is read, with the same result).
// A samples file is a path for the caller to read (ReadSampleFile) into
// IncludeSamples or ExcludeSamples.
type ReadOptions struct {
	// Region is "chr", "chr:pos" or "chr:start-end" (1-based, inclusive;
	// "chr:start-" runs to the end of the contig). Records overlapping it are
	// read. A .tbi or .csi index next to a BGZF file given to Open is used to
	// jump to the region; without one the whole input is scanned.
	Region string
	// Name names NewReader's input in errors ("Name:line: message"; a
	// message without a name says "line N: message"). Open and ReadFile
	// name errors by their path and ignore it.
	Name string
	// IncludeSamples keeps only these samples (in file order); IDs not in
	// the file are an error.
	IncludeSamples []string
	// ExcludeSamples drops these samples; IDs not in the file are an error.
	ExcludeSamples []string
	// MaxVariants stops after this many kept sites; 0 means no limit.
	MaxVariants int
	// SplitMultiallelic splits multi-allelic records into one biallelic site
	// per SNP ALT allele (other ALT alleles count as REF, as bcftools norm -m-
	// does) instead of skipping them.
	SplitMultiallelic bool
	// Threads is the number of decompression and parsing workers; 0 means
	// GOMAXPROCS.
	Threads int
	// DosageOnly makes ReadFile keep no haplotypes (Phased is then false)
	// and Reader.Next return none: a third of the memory of phased data,
	// for callers that need dosages only (2504 samples × 1,000,000 sites:
	// 2.5 GB instead of 7.5 GB).
	DosageOnly bool
	// Filter, when not nil, is called once per parse worker (and once for
	// the reader itself) to make the SiteFilter that worker applies to every
	// site before storing it: sites it rejects are never stored or
	// returned, and are counted in ReadStats.Filtered. See SiteFilter.
	Filter func() SiteFilter
}

// A SiteFilter decides, in a parse worker, whether a site is kept (true)
// or dropped. It sees the site (after splitting, when SplitMultiallelic is
// set) with the dosages of the kept samples (one per sample, Missing for a
// missing call) and, when the record is not in the all-diploid fast layout,
// the ploidy of each call (Genotypes.Ploidy's coding: 1 or 2 per kept
// sample; nil when every call is diploid), so that allele counts follow
// vcf.AlleleCounts. The slices are valid only during the call. Each SiteFilter
// is used by one goroutine at a time, so it may keep counts without
// locking; it may see sites past the last one returned when the reader
// stops early (MaxVariants, an error).
type SiteFilter func(s *Site, dosage, ploidy []int8) bool

// ReadStats counts what a reader saw. Records and Skipped count the data
// records examined (inside the region, if any); with MaxVariants the reader
// may have examined some records past the last kept site.
type ReadStats struct {
	Records int // data records examined
	Kept    int // sites returned (after splitting and filtering)
	// Filtered counts the sites (after splitting) that ReadOptions.Filter
	// rejected.
	Filtered int
	Skipped  map[string]int // reason -> records (or ALT alleles, when splitting): "multiallelic", "not-snp", "symbolic", "no-alt", "no-GT"
}

func (s *ReadStats) add(pc *piece) {
	s.Records += pc.records
	s.Filtered += pc.filtered
	for i, n := range pc.skipped {
		if n > 0 {
			if s.Skipped == nil {
				s.Skipped = map[string]int{}
			}
			s.Skipped[skipNames[i]] += n
		}
	}
}

const (
	kindPlain = iota
	kindGzip
	kindBGZF
	kindPLINK // a PLINK 1 fileset, read as VCF text (see plinkSource)
)

// batchTarget is the amount of text handed to a worker at once: large enough
// to amortise the hand-over, small enough to keep both cores busy.
var batchTarget = 512 << 10 // a variable so that tests can force many small batches

// batch is a run of input handed to a worker: text, or BGZF blocks to inflate.
type batch struct {
	prefix     []byte  // text before the blocks
	blocks     []byte  // concatenated compressed BGZF blocks
	sizes      []int   // uncompressed size of each block
	ends       []int   // end offset of each block in blocks
	text       []byte  // plain text (kindPlain, kindGzip)
	err        *Error  // the input failed after this batch (truncation, ...)
	offset     int64   // compressed offset of the first block, for messages
	end        int64   // input offset after the batch (-1 when unknown), for size estimates
	pool       *[]byte // buffer holding text, returned to the pool after use
	blocksPool *[]byte // buffer holding blocks, returned to its pool once inflated
}

// batchResult is a worker's output for one batch.
type batchResult struct {
	hasNL    bool
	head     []byte // text before the first newline
	tail     []byte // text after the last newline (or the whole text when !hasNL)
	newlines int
	pc       *piece
	errIdx   int // line of err, counted from the head's line (0)
	err      *lineError
	srcErr   *Error
	buf      *[]byte
	end      int64 // batch.end
}

type job struct {
	b    *batch
	slot chan *batchResult
}

var (
	textPool  = sync.Pool{New: func() any { return new([]byte) }}
	blockPool = sync.Pool{New: func() any { return new([]byte) }}
)

// pipeline decompresses and parses in parallel and hands pieces back in
// file order.
type pipeline struct {
	path     string
	ctx      context.Context
	order    chan chan *batchResult
	quit     chan struct{}
	stopOnce sync.Once
	done     sync.WaitGroup
	parser   *parser // for records that straddle batches
	carry    []byte
	lines    int // complete lines consumed so far, header included
	queue    []*piece
	err      error
	finished bool
	start    int64 // input offset where records start
	end      int64 // input offset consumed so far (-1: unknown)
	size     int64 // input size

	// The sort check across batches: the contigs seen, the last record's.
	seen      map[string]bool
	lastChrom string
	lastPos   int
}

// source is an open input positioned after the header.
type source struct {
	path     string
	f        *os.File  // the file Open opened (seeks through an index); nil for NewReader
	closer   io.Closer // what close closes: f, or nil when the caller owns the input
	size     int64     // input size when known (a regular file), else 0
	regular  bool      // the input is a regular file of size bytes
	kind     int
	br       *bufio.Reader // compressed bytes (BGZF) or the file (plain)
	text     io.Reader     // kindPlain, kindGzip
	coff     int64         // BGZF: offset of the next block; plain: bytes read
	lastSize int           // BGZF: uncompressed size of the last block read
	leftover []byte
	hdr      *fileHeader
	ctx      context.Context // stops the header parse and the producer
	midLine  bool            // seek landed inside a line (a wrong index)
	plink    *plinkSource    // kindPLINK
}

// Stdin is the input path that means standard input.
const Stdin = "-"

// stdinOpened is set once standard input has been opened: it can be read
// only once.
var stdinOpened atomic.Bool

// errPath is the file that record errors name: the .bim of a fileset.
func (s *source) errPath() string {
	if s.plink != nil {
		return s.plink.set.Bim
	}
	return s.path
}

func openSource(ctx context.Context, path string) (*source, error) {
	var f *os.File
	if path == Stdin {
		if stdinOpened.Swap(true) {
			return nil, newError(path, 0, ErrEmpty, "standard input can be read only once, and it was read already; write it to a file to read it twice (fit --mind, for one, reads its input twice)")
		}
		f = os.Stdin
	} else {
		var err error
		if f, err = os.Open(path); err != nil {
			// A PLINK fileset may be named by its prefix X (X.bed beside it).
			if errors.Is(err, fs.ErrNotExist) {
				if bf, berr := os.Open(path + ".bed"); berr == nil {
					br := bufio.NewReaderSize(bf, 1<<20)
					if m, _ := br.Peek(3); plink.IsBed(m) {
						return openPLINK(ctx, path, path+".bed", bf, br)
					}
					bf.Close()
				}
			}
			return nil, err
		}
	}
	return newSource(ctx, path, f, f)
}

// newSource recognises the input in (plain, gzip or BGZF VCF text, or,
// when f is the file of a path other than Stdin, a PLINK .bed) and reads
// its header. f is in's file when the input was opened by path (it is then
// closed on error and by source.close; nil: in belongs to the caller).
func newSource(ctx context.Context, path string, in io.Reader, f *os.File) (*source, error) {
	s := &source{path: path, f: f, br: bufio.NewReaderSize(in, 1<<20), ctx: ctx}
	if f != nil {
		s.closer = f
	}
	s.size, s.regular = statSize(in)
	stream := f == nil || path == Stdin // no name to find a fileset's .bim and .fam by
	magic, perr := s.br.Peek(bgzfHeaderLen)
	switch {
	case plink.IsBed(magic) && stream:
		return nil, newError(path, 0, ErrNotVCF, "%s is a PLINK .bed; a fileset (X.bed, X.bim, X.fam) must be given by name: X.bed or X", streamName(path))
	case plink.IsBed(magic):
		return openPLINK(ctx, path, path, f, s.br)
	case plink.IsIndividualMajorBed(magic):
		s.close()
		return nil, newError(path, 0, ErrNotVCF, "an individual-major PLINK .bed (from plink before 1.0), which gousynth does not read; convert it with plink1.9 --bfile X --make-bed --out Y")
	case len(magic) == 0 && perr != nil && perr != io.EOF:
		// A directory, a file that cannot be read: say so, not "empty".
		s.close()
		var pe *os.PathError
		if errors.As(perr, &pe) {
			perr = pe.Err
		}
		if path == "" {
			return nil, perr
		}
		return nil, fmt.Errorf("%s: %w", path, perr)
	case len(magic) == 0:
		s.close()
		return nil, newError(path, 0, ErrEmpty, "empty file")
	case isBGZFHeader(magic):
		s.kind = kindBGZF
	case len(magic) >= 2 && magic[0] == 0x1f && magic[1] == 0x8b:
		s.kind = kindGzip
		zr, err := gzip.NewReader(s.br)
		if err != nil {
			s.close()
			return nil, newError(path, 0, ErrTruncated, "bad gzip header: %v", err)
		}
		s.text = zr
	default:
		s.kind = kindPlain
		s.text = s.br
	}
	if err := s.readHeader(); err != nil {
		s.close()
		var e *Error
		if errors.As(err, &e) && errors.Is(err, ErrNotVCF) {
			if hint := plinkHint(path); hint != "" && !stream {
				e.Msg = "not a VCF file: " + hint
			} else if strings.Contains(e.Msg, "BCF") {
				e.Msg = bcfHint(path, stream)
			}
		}
		return nil, err
	}
	return s, nil
}

// statSize returns the size of in when it is a regular file (an *os.File,
// or anything with a Stat method).
func statSize(in io.Reader) (int64, bool) {
	st, ok := in.(interface{ Stat() (fs.FileInfo, error) })
	if !ok {
		return 0, false
	}
	fi, err := st.Stat()
	if err != nil {
		return 0, false
	}
	return fi.Size(), fi.Mode().IsRegular()
}

// streamName names an input without a path in messages.
func streamName(path string) string {
	if path == Stdin {
		return "standard input"
	}
	return "the input"
}

// bcfHint is the message for a BCF input: how to convert it.
func bcfHint(path string, stream bool) string {
	if stream {
		return streamName(path) + " is a BCF file, not VCF; pipe VCF text instead: bcftools view -Ov IN.bcf | gousynth ..."
	}
	base := path
	for _, ext := range []string{".gz", ".bcf", ".vcf"} {
		base = strings.TrimSuffix(base, ext)
	}
	out := base + ".vcf.gz"
	if out == path {
		out = base + ".converted.vcf.gz"
	}
	return fmt.Sprintf("this is a BCF file, not VCF; convert it with: bcftools view -Oz -o %s %s", out, path)
}

// close releases the source's files.
func (s *source) close() {
	if s.closer != nil {
		s.closer.Close()
	}
	if s.plink != nil {
		s.plink.close()
	}
}

// readBlock reads the next BGZF block; it returns nil at the end of the file.
func (s *source) readBlock() ([]byte, *Error) {
	return s.appendBlock(nil)
}

// appendBlock reads the next BGZF block and appends it to dst; it returns
// nil at the end of the file.
func (s *source) appendBlock(dst []byte) ([]byte, *Error) {
	hdr, err := s.br.Peek(bgzfHeaderLen)
	if len(hdr) == 0 && err == io.EOF {
		if s.lastSize != 0 {
			return nil, newError(s.path, 0, ErrTruncated, "truncated BGZF file: no end-of-file marker block")
		}
		return nil, nil
	}
	if len(hdr) < bgzfHeaderLen {
		return nil, newError(s.path, 0, ErrTruncated, "truncated BGZF block at byte %d", s.coff)
	}
	if !isBGZFHeader(hdr) {
		return nil, newError(s.path, 0, ErrTruncated, "corrupt BGZF block header at byte %d", s.coff)
	}
	n := bgzfBlockSize(hdr)
	if n < bgzfHeaderLen+bgzfFooterLen {
		return nil, newError(s.path, 0, ErrTruncated, "corrupt BGZF block at byte %d", s.coff)
	}
	start := len(dst)
	dst = growCap(dst, start+n)[:start+n]
	blk := dst[start:]
	if _, err := io.ReadFull(s.br, blk); err != nil {
		return nil, newError(s.path, 0, ErrTruncated, "truncated BGZF block at byte %d", s.coff)
	}
	s.coff += int64(n)
	s.lastSize = int(binary.LittleEndian.Uint32(blk[n-4:]))
	return dst, nil
}

func (s *source) readHeader() error {
	var buf []byte
	var z inflater
	var hp headerParser
	atEOF := false
	for {
		if err := s.ctx.Err(); err != nil {
			return err
		}
		if !atEOF {
			switch s.kind {
			case kindBGZF:
				blk, err := s.readBlock()
				if err != nil {
					if len(buf) == 0 && s.coff == 0 {
						err.Err, err.Msg = ErrNotVCF, "not a VCF file: "+err.Msg
					}
					return err
				}
				if blk == nil {
					atEOF = true
					break
				}
				var ierr error
				if buf, ierr = z.inflateBlock(buf, blk); ierr != nil {
					return newError(s.path, bytes.Count(buf, []byte{'\n'})+1, ErrTruncated, "corrupt BGZF block at byte %d", s.coff-int64(len(blk)))
				}
			default:
				chunk := make([]byte, 64<<10)
				n, err := readFull(s.text, chunk)
				buf = append(buf, chunk[:n]...)
				s.coff += int64(n)
				if err == io.EOF {
					atEOF = true
				} else if err != nil {
					return newError(s.path, bytes.Count(buf, []byte{'\n'})+1, ErrTruncated, "%s", gzipMessage(err))
				}
			}
		}
		h, n, lerr := hp.feed(buf, atEOF)
		if lerr != nil {
			if lerr.kind == ErrEmpty {
				return newError(s.path, 0, ErrEmpty, "%s", lerr.msg)
			}
			return newError(s.path, lerr.line, lerr.kind, "%s", lerr.msg)
		}
		if h != nil {
			s.hdr = h
			s.leftover = buf[n:]
			return nil
		}
	}
}

// readFull is io.ReadFull that reports a clean end of input as io.EOF
// (with n possibly > 0) and passes any other error through, so that a
// truncated gzip stream (io.ErrUnexpectedEOF from the decompressor) is not
// mistaken for the end of the file.
func readFull(r io.Reader, p []byte) (int, error) {
	n := 0
	for n < len(p) {
		k, err := r.Read(p[n:])
		n += k
		if err != nil {
			return n, err
		}
	}
	return n, nil
}

func gzipMessage(err error) string {
	if errors.Is(err, io.ErrUnexpectedEOF) {
		return "truncated gzip stream"
	}
	return "corrupt gzip stream: " + err.Error()
}

// seek positions a BGZF source at a virtual offset.
func (s *source) seek(voff uint64) error {
	coff, uoff := int64(voff>>16), int(voff&0xffff)
	if _, err := s.f.Seek(coff, io.SeekStart); err != nil {
		return err
	}
	s.br.Reset(s.f)
	s.coff = coff
	blk, err := s.readBlock()
	if err != nil {
		return err
	}
	s.leftover = nil
	if blk == nil {
		return nil
	}
	var z inflater
	data, ierr := z.inflateBlock(nil, blk)
	if ierr != nil || uoff > len(data) {
		return newError(s.path, 0, ErrIndex, "the index points at byte %d, which is not a valid BGZF position (is the index stale?)", coff)
	}
	s.leftover = data[uoff:]
	s.midLine = uoff > 0 && data[uoff-1] != '\n'
	return nil
}

// produce reads the input into batches until the end, an error or quit.
func (s *source) produce(pl *pipeline, work chan<- job) {
	defer pl.done.Done()
	defer close(work)
	defer close(pl.order)
	defer s.close()
	prefix := s.leftover
	for {
		b := &batch{prefix: prefix, offset: s.coff}
		prefix = nil
		eof := s.fill(b)
		b.end = s.coff
		if s.kind == kindGzip {
			b.end = -1
		}
		// An input error goes in a batch of its own, after the text read
		// before it.
		berr := b.err
		if berr != nil {
			b.err = nil
		}
		if len(b.prefix)+len(b.blocks)+len(b.text) > 0 {
			if !s.send(pl, work, b) {
				return
			}
		}
		if berr != nil {
			s.send(pl, work, &batch{err: berr})
			return
		}
		if eof {
			return
		}
	}
}

// send hands b to a worker, after queueing the slot of its result in
// pl.order (so that results are read in file order); a batch that only
// carries an input error goes straight to its slot. It reports false on
// quit or cancellation.
func (s *source) send(pl *pipeline, work chan<- job, b *batch) bool {
	slot := make(chan *batchResult, 1)
	select {
	case pl.order <- slot:
	case <-pl.quit:
		return false
	case <-s.ctx.Done():
		return false
	}
	if b.err != nil && b.prefix == nil && b.blocks == nil && b.text == nil {
		slot <- &batchResult{srcErr: b.err}
		return true
	}
	select {
	case work <- job{b, slot}:
	case <-pl.quit:
		return false
	case <-s.ctx.Done():
		return false
	}
	return true
}

// fill reads about batchTarget bytes of input into b (BGZF blocks, or
// text), setting b.err when the input fails, and reports the end of the
// input.
func (s *source) fill(b *batch) (eof bool) {
	switch s.kind {
	case kindBGZF:
		return s.fillBlocks(b)
	case kindPLINK:
		p := textPool.Get().(*[]byte)
		text, n, err := s.plink.fill((*p)[:0], s.br, batchTarget)
		*p = text
		b.text, b.pool = text, p
		s.coff += n
		if err == io.EOF {
			return true
		} else if err != nil {
			b.err = err.(*Error)
		}
		return false
	default:
		return s.fillText(b)
	}
}

// fillBlocks reads whole BGZF blocks into b, still compressed (the workers
// inflate them), until they hold batchTarget uncompressed bytes.
func (s *source) fillBlocks(b *batch) (eof bool) {
	total := 0
	bp := blockPool.Get().(*[]byte)
	b.blocks, b.blocksPool = (*bp)[:0], bp
	for total < batchTarget {
		blocks, err := s.appendBlock(b.blocks)
		if err != nil {
			b.err = err
			return false
		}
		if blocks == nil {
			return true
		}
		b.blocks = blocks
		b.ends = append(b.ends, len(b.blocks))
		b.sizes = append(b.sizes, s.lastSize)
		total += s.lastSize
	}
	return false
}

// fillText reads batchTarget bytes of plain (or gunzipped) text into b.
func (s *source) fillText(b *batch) (eof bool) {
	p := textPool.Get().(*[]byte)
	if cap(*p) < batchTarget || cap(*p) > 2*batchTarget {
		*p = make([]byte, batchTarget)
	}
	*p = (*p)[:batchTarget]
	n, err := readFull(s.text, *p)
	b.text, b.pool = (*p)[:n], p
	s.coff += int64(n)
	switch {
	case err == io.EOF:
		return true
	case err != nil && s.kind == kindGzip:
		b.err = newError(s.path, 0, ErrTruncated, "%s", gzipMessage(err))
	case err != nil:
		b.err = &Error{Path: s.path, Msg: err.Error(), Err: err}
	}
	return false
}

// work decompresses and parses batches.
func (pl *pipeline) work(p *parser, jobs <-chan job) {
	defer pl.done.Done()
	var z inflater
	for j := range jobs {
		j.slot <- pl.process(p, &z, j.b)
	}
}

func (pl *pipeline) process(p *parser, z *inflater, b *batch) *batchResult {
	res := &batchResult{end: b.end}
	text := b.text
	if b.blocks != nil || b.text == nil {
		size := len(b.prefix)
		for _, n := range b.sizes {
			size += n
		}
		bp := textPool.Get().(*[]byte)
		if cap(*bp) < size {
			*bp = make([]byte, 0, size+size/8)
		}
		text = append((*bp)[:0], b.prefix...)
		start := 0
		for k, end := range b.ends {
			var err error
			if text, err = z.inflateBlock(text, b.blocks[start:end]); err != nil {
				*bp = text
				textPool.Put(bp)
				res.srcErr = newError(pl.path, 0, ErrTruncated, "corrupt BGZF block at byte %d", b.offset+int64(start))
				return res
			}
			start = b.ends[k]
		}
		*bp = text
		res.buf = bp
		if b.blocksPool != nil {
			*b.blocksPool = b.blocks
			blockPool.Put(b.blocksPool)
		}
	} else {
		res.buf = b.pool
		if len(b.prefix) > 0 {
			text = append(slices.Clip(b.prefix), text...)
		}
	}
	first := bytes.IndexByte(text, '\n')
	if first < 0 {
		res.tail = text
		return res
	}
	last := bytes.LastIndexByte(text, '\n')
	res.hasNL = true
	res.head = text[:first]
	res.tail = text[last+1:]
	body := text[first+1 : last+1]
	res.newlines = 1 + bytes.Count(body, []byte{'\n'})
	pc := p.newPiece()
	if nk := p.nKeep(); nk > 0 {
		pc.dosage = growCap(pc.dosage, res.newlines*nk)
		pc.haps = growCap(pc.haps, 2*res.newlines*nk)
	}
	for k := 1; len(body) > 0; k++ {
		p.k = k
		nl := bytes.IndexByte(body, '\n')
		if err := p.parseLine(body[:nl], pc); err != nil {
			res.err, res.errIdx = err, k
			break
		}
		body = body[nl+1:]
		if pc.stop {
			break
		}
	}
	res.pc = pc
	return res
}

func (pl *pipeline) stop() {
	pl.stopOnce.Do(func() { close(pl.quit) })
}

// close stops the workers and waits for them.
func (pl *pipeline) close() {
	pl.stop()
	go func() {
		for slot := range pl.order {
			select {
			case r := <-slot:
				if r != nil && r.buf != nil {
					textPool.Put(r.buf)
				}
			default:
			}
		}
	}()
	pl.done.Wait()
}

// parseOne parses a record assembled from several batches.
func (pl *pipeline) parseOne(line []byte, lineNo int) (*piece, error) {
	pc := pl.parser.newPiece()
	pl.parser.k = 0
	if err := pl.parser.parseLine(line, pc); err != nil {
		return pc, newError(pl.path, lineNo, err.kind, "%s", err.msg)
	}
	if err := pl.checkOrder(pc, lineNo); err != nil {
		pl.parser.recycle(pc)
		return pl.parser.newPiece(), err
	}
	return pc, nil
}

// checkOrder checks that the records of pc, whose head line is line base,
// may follow those before it: POS never decreases on a contig and each
// contig's records are contiguous, as tabix and the VCF writer require.
func (pl *pipeline) checkOrder(pc *piece, base int) error {
	for i, r := range pc.runs {
		switch {
		case i == 0 && r.chrom == pl.lastChrom:
			if r.pos < pl.lastPos {
				return newError(pl.path, base+r.k, ErrUnsorted, "records are not sorted: POS %d comes after POS %d on contig %s (sort the file, e.g. with bcftools sort)", r.pos, pl.lastPos, r.chrom)
			}
		case pl.seen[r.chrom]:
			prev := pl.lastChrom
			if i > 0 {
				prev = pc.runs[i-1].chrom
			}
			return newError(pl.path, base+r.k, ErrUnsorted, "records are not sorted: contig %s appears again after contig %s (sort the file, e.g. with bcftools sort)", r.chrom, prev)
		default:
			if pl.seen == nil {
				pl.seen = map[string]bool{}
			}
			pl.seen[r.chrom] = true
		}
	}
	if n := len(pc.runs); n > 0 {
		pl.lastChrom, pl.lastPos = pc.runs[n-1].chrom, pc.lastPos
	}
	return nil
}

// next returns the next piece of sites in file order, or io.EOF.
func (pl *pipeline) next() (*piece, error) {
	for {
		if len(pl.queue) > 0 {
			pc := pl.queue[0]
			pl.queue = pl.queue[1:]
			return pc, nil
		}
		if pl.err != nil {
			return nil, pl.err
		}
		if pl.finished {
			return nil, io.EOF
		}
		if res, ok := pl.receive(); ok {
			pl.absorb(res)
		}
	}
}

// receive waits for the result of the next batch in file order. It
// reports false when there is none: on cancellation, or at the end of the
// batches (see endOfBatches); pl then holds the outcome.
func (pl *pipeline) receive() (*batchResult, bool) {
	var slot chan *batchResult
	ok := true
	select {
	case slot, ok = <-pl.order:
	case <-pl.ctx.Done():
		pl.err, pl.finished = pl.ctx.Err(), true
		return nil, false
	}
	if !ok {
		pl.endOfBatches()
		return nil, false
	}
	select {
	case res := <-slot:
		return res, true
	case <-pl.ctx.Done():
		pl.err, pl.finished = pl.ctx.Err(), true
		return nil, false
	}
}

// endOfBatches finishes the pipeline once the producer has stopped: at
// the end of the file, parsing the last line if it had no newline.
func (pl *pipeline) endOfBatches() {
	pl.finished = true
	if err := pl.ctx.Err(); err != nil {
		// The producer stopped on cancellation: not the end of the file.
		pl.err = err
		return
	}
	if len(pl.carry) > 0 {
		pc, err := pl.parseOne(pl.carry, pl.lines+1)
		pl.carry = nil
		pl.queue = append(pl.queue, pc)
		pl.err = err
	}
}

// absorb queues the pieces of a batch's result: the record that straddles
// the previous batch and this one (completed with res.head), then the
// batch's own records; the text after its last newline is carried to the
// next batch. An error is queued behind the pieces before it.
func (pl *pipeline) absorb(res *batchResult) {
	if res.srcErr != nil {
		e := *res.srcErr
		e.Line = pl.lines + 1
		pl.err = &e
		pl.finished = true
		return
	}
	if !res.hasNL {
		pl.carry = append(pl.carry, res.tail...)
		textPool.Put(res.buf)
		return
	}
	pl.carry = append(pl.carry, res.head...)
	head, err := pl.parseOne(pl.carry, pl.lines+1)
	pl.carry = append(pl.carry[:0], res.tail...)
	textPool.Put(res.buf)
	pl.queue = append(pl.queue, head)
	if err != nil {
		pl.err = err
		return
	}
	if head.stop {
		pl.finished = true
		return
	}
	if err := pl.checkOrder(res.pc, pl.lines+1); err != nil {
		pl.err = err
		return
	}
	pl.queue = append(pl.queue, res.pc)
	if res.err != nil {
		pl.err = newError(pl.path, pl.lines+1+res.errIdx, res.err.kind, "%s", res.err.msg)
		return
	}
	pl.lines += res.newlines
	pl.end = res.end
	if res.pc.stop {
		pl.finished = true
	}
}

// Reader streams the sites of a VCF.
type Reader struct {
	hdr     *fileHeader
	samples []string
	nk      int
	max     int
	pl      *pipeline
	cur     *piece
	idx     int
	stats   ReadStats
	err     error

	dosageOnly bool
}

// Open opens a VCF (plain, gzip or BGZF) or a PLINK 1 fileset by path for
// streaming and reads its header: NewReader on the file, plus what needs a
// path (see ReadOptions): a .tbi or .csi index beside a BGZF file for
// Region, a fileset's .bim and .fam beside its .bed, and "-" (Stdin).
// Decompression and parsing run in background goroutines; call Close when
// done (also after an error).
func Open(path string, opts ReadOptions) (*Reader, error) {
	return open(context.Background(), path, opts, !opts.DosageOnly)
}

// OpenContext is Open that stops when ctx is cancelled: reading the header
// (checked after every block of input) and, later, Next return ctx's error.
func OpenContext(ctx context.Context, path string, opts ReadOptions) (*Reader, error) {
	return open(ctx, path, opts, !opts.DosageOnly)
}

// NewReader reads plain, gzip or BGZF-compressed VCF text from r (the
// format is recognised by its first bytes) and returns a Reader positioned
// after the header, as bgzf.NewReader and fastq.NewScanner do for their
// formats. Every ReadOptions field applies; without an index a Region is
// filtered while streaming, and errors name the input opts.Name. A PLINK
// fileset, being three files, needs Open. The Reader does not close r;
// call Close when done (also after an error) to stop its goroutines.
func NewReader(r io.Reader, opts ReadOptions) (*Reader, error) {
	return NewReaderContext(context.Background(), r, opts)
}

// NewReaderContext is NewReader that stops when ctx is cancelled, as
// OpenContext does.
func NewReaderContext(ctx context.Context, r io.Reader, opts ReadOptions) (*Reader, error) {
	if ctx == nil {
		ctx = context.Background()
	}
	reg, err := checkOptions(opts.Name, opts)
	if err != nil {
		return nil, err
	}
	src, err := newSource(ctx, opts.Name, r, nil)
	if err != nil {
		return nil, err
	}
	return start(ctx, src, reg, opts, !opts.DosageOnly)
}

// checkOptions checks opts before any input is read and parses its region.
func checkOptions(path string, opts ReadOptions) (*region, error) {
	if opts.MaxVariants < 0 {
		return nil, newError(path, 0, ErrRegion, "MaxVariants must not be negative, got %d", opts.MaxVariants)
	}
	if opts.Region == "" {
		return nil, nil
	}
	reg, ok := parseRegion(opts.Region)
	if !ok {
		return nil, newError(path, 0, ErrRegion, "cannot parse region %q (want chr, chr:pos or chr:start-end)", opts.Region)
	}
	return reg, nil
}

func open(ctx context.Context, path string, opts ReadOptions, keepHaps bool) (*Reader, error) {
	if ctx == nil {
		ctx = context.Background()
	}
	reg, err := checkOptions(path, opts)
	if err != nil {
		return nil, err
	}
	src, err := openSource(ctx, path)
	if err != nil {
		return nil, err
	}
	return start(ctx, src, reg, opts, keepHaps)
}

// start selects the samples, seeks to the region through an index when the
// source is a BGZF file opened by path with one, and starts the pipeline.
func start(ctx context.Context, src *source, reg *region, opts ReadOptions, keepHaps bool) (*Reader, error) {
	path := src.path
	keep, err := selectSamples(path, src.hdr.Samples, opts)
	if err != nil {
		src.close()
		return nil, err
	}
	startEmpty := false
	if reg != nil && src.kind == kindBGZF && src.f != nil && path != Stdin {
		idx, ipath, err := loadIndex(path)
		if err != nil {
			src.close()
			if _, ok := err.(*Error); ok {
				return nil, err
			}
			return nil, fmt.Errorf("read %s: %w", ipath, err)
		}
		if idx != nil {
			reg.sorted = true
			found, err := src.seekIndexed(idx, ipath, reg)
			if err != nil {
				src.close()
				return nil, err
			}
			startEmpty = !found
		}
	}
	threads := opts.Threads
	if threads <= 0 {
		threads = runtime.GOMAXPROCS(0)
	}
	// Never more workers than 64 KiB blocks of input.
	if src.regular {
		threads = max(1, min(threads, int(src.size>>16)+1))
	}
	r := &Reader{hdr: src.hdr, max: opts.MaxVariants, dosageOnly: opts.DosageOnly}
	if keep == nil {
		r.samples = src.hdr.Samples
	} else {
		for _, j := range keep {
			r.samples = append(r.samples, src.hdr.Samples[j])
		}
	}
	r.nk = len(r.samples)
	pl := &pipeline{
		path:   src.errPath(),
		ctx:    ctx,
		order:  make(chan chan *batchResult, 2*threads+2),
		quit:   make(chan struct{}),
		parser: newParser(src.hdr.Samples, keep, opts.SplitMultiallelic, keepHaps, reg).withFilter(opts.Filter),
		lines:  src.hdr.NLines,
		start:  src.coff,
		end:    -1,
		size:   src.size,
	}
	r.pl = pl
	if startEmpty {
		src.close()
		close(pl.order)
		return r, nil
	}
	work := make(chan job, threads)
	pl.done.Add(1 + threads)
	for range threads {
		go pl.work(newParser(src.hdr.Samples, keep, opts.SplitMultiallelic, keepHaps, reg).withFilter(opts.Filter), work)
	}
	go src.produce(pl, work)
	return r, nil
}

func selectSamples(path string, samples []string, opts ReadOptions) ([]int32, error) {
	if opts.IncludeSamples == nil && opts.ExcludeSamples == nil {
		return nil, nil
	}
	pos := make(map[string]int, len(samples))
	for i, s := range samples {
		pos[s] = i
	}
	check := func(ids []string, what string) (map[int]bool, error) {
		if err := checkSampleList(path, ids, what); err != nil {
			return nil, err
		}
		set := map[int]bool{}
		var unknown []string
		for _, id := range ids {
			if i, ok := pos[id]; ok {
				set[i] = true
			} else {
				unknown = append(unknown, id)
			}
		}
		if len(unknown) > 0 {
			more := ""
			if len(unknown) > 5 {
				more = fmt.Sprintf(" and %d more", len(unknown)-5)
				unknown = unknown[:5]
			}
			return nil, newError(path, 0, ErrUnknownSample, "%s sample(s) not in the file: %s%s%s", what, strings.Join(unknown, ", "), more, unknownHint(unknown))
		}
		return set, nil
	}
	incl, err := check(opts.IncludeSamples, "included")
	if err != nil {
		return nil, err
	}
	excl, err := check(opts.ExcludeSamples, "excluded")
	if err != nil {
		return nil, err
	}
	keep := []int32{}
	for i := range samples {
		if (opts.IncludeSamples == nil || incl[i]) && !excl[i] {
			keep = append(keep, int32(i))
		}
	}
	return keep, nil
}

// Samples returns the IDs of the samples returned, in file order.
func (r *Reader) Samples() []string { return r.samples }

// Contigs returns the contigs declared in the header.
func (r *Reader) Contigs() []Contig { return r.hdr.Contigs }

// HeaderLines returns the header's "##" meta lines.
func (r *Reader) HeaderLines() []string { return r.hdr.Lines }

// Record is one kept site as Reader.Next returns it. Its slices point into
// the Reader's parsed batches: Next allocates nothing per record, and the
// slices stay valid (they are not reused by the Reader) until the caller
// drops them.
type Record struct {
	Site Site
	// Dosage holds one ALT dosage per sample (0, 1, 2 or Missing; a haploid
	// call is 0 or 2, see Genotypes).
	Dosage []int8
	// Haplotypes holds two alleles per sample when every call of the site is
	// phased (and ReadOptions.DosageOnly is not set); nil otherwise.
	Haplotypes []int8
	// Ploidy holds the ploidy (1 or 2) of each call, or is nil when the
	// calls are all diploid.
	Ploidy []int8
}

// Next returns the next kept site with its genotypes, or io.EOF at the end.
func (r *Reader) Next() (Record, error) {
	for {
		if r.err != nil {
			return Record{}, r.err
		}
		if r.max > 0 && r.stats.Kept >= r.max {
			r.err = io.EOF
			r.pl.close()
			continue
		}
		if r.cur != nil && r.idx < len(r.cur.sites) {
			break
		}
		pc, err := r.pl.next()
		if err != nil {
			r.err = err
			if pc != nil {
				r.stats.add(pc)
			}
			continue
		}
		r.stats.add(pc)
		r.cur, r.idx = pc, 0
	}
	r.idx++
	r.stats.Kept++
	return r.record(r.cur, r.idx-1), nil
}

// record is the Record of site i of pc.
func (r *Reader) record(pc *piece, i int) Record {
	nk := r.nk
	rec := Record{Site: pc.sites[i], Dosage: pc.dosage[i*nk : (i+1)*nk : (i+1)*nk]}
	if pc.haploid {
		rec.Ploidy = pc.ploidy[i*nk : (i+1)*nk : (i+1)*nk]
	}
	if pc.phased[i] && !r.dosageOnly {
		rec.Haplotypes = pc.haps[2*i*nk : 2*(i+1)*nk : 2*(i+1)*nk]
	}
	return rec
}

// Stats returns the counts so far.
func (r *Reader) Stats() *ReadStats {
	s := r.stats
	s.Skipped = maps.Clone(r.stats.Skipped)
	if s.Skipped == nil {
		s.Skipped = map[string]int{}
	}
	return &s
}

// Close stops the background work and releases the file.
func (r *Reader) Close() error {
	r.pl.close()
	return nil
}

// ReadFile reads a whole VCF (or the selected part of it) into memory.
func ReadFile(path string, opts ReadOptions) (*Genotypes, *ReadStats, error) {
	return ReadFileContext(context.Background(), path, opts)
}

// ReadFileContext is ReadFile that stops when ctx is cancelled and then
// returns ctx's error (context.Canceled or context.DeadlineExceeded).
func ReadFileContext(ctx context.Context, path string, opts ReadOptions) (*Genotypes, *ReadStats, error) {
	r, err := open(ctx, path, opts, false)
	if err != nil {
		return nil, nil, err
	}
	defer r.Close()
	stats := &ReadStats{Skipped: map[string]int{}}
	nk := r.nk
	g := &Genotypes{Samples: slices.Clone(r.samples), Phased: !opts.DosageOnly}
	for {
		pc, err := r.pl.next()
		if pc != nil {
			stats.add(pc)
			k := len(pc.sites)
			if r.max > 0 && len(g.Sites)+k > r.max {
				k = r.max - len(g.Sites)
			}
			if k > 0 {
				if len(g.Sites)+k > cap(g.Sites) {
					g.reserve(r.pl.estimate(len(g.Sites) + k))
				}
				if pc.haploid && g.Ploidy == nil {
					g.Ploidy = appendDiploid(make([]int8, 0, cap(g.Dosage)), len(g.Sites)*nk)
				}
				if g.Ploidy != nil && pc.haploid {
					g.Ploidy = append(g.Ploidy, pc.ploidy[:k*nk]...)
				} else if g.Ploidy != nil {
					g.Ploidy = appendDiploid(g.Ploidy, k*nk)
				}
				g.Sites = append(g.Sites, pc.sites[:k]...)
				g.Dosage = append(g.Dosage, pc.dosage[:k*nk]...)
				if g.Phased && !pc.allPhased() {
					g.Phased, g.Haplotypes = false, nil
				}
				if g.Phased {
					g.Haplotypes = append(g.Haplotypes, pc.haps[:2*k*nk]...)
				}
			}
			r.pl.parser.recycle(pc)
		}
		if err == io.EOF || r.max > 0 && len(g.Sites) >= r.max {
			break
		}
		if err != nil {
			return nil, nil, err
		}
	}
	stats.Kept = len(g.Sites)
	if len(g.Sites) == 0 {
		g.Phased, g.Haplotypes = false, nil
	}
	return g, stats, nil
}

// reserve grows the capacity of g to n sites. The matrix is filled by
// appending pieces in file order; reserving the estimated final size up
// front means each genotype is copied once, into memory touched once.
func (g *Genotypes) reserve(n int) {
	ns := len(g.Samples)
	g.Sites = growCap(g.Sites, n)
	g.Dosage = growCap(g.Dosage, n*ns)
	adviseHuge(g.Dosage)
	if g.Phased {
		g.Haplotypes = growCap(g.Haplotypes, 2*n*ns)
		adviseHuge(g.Haplotypes)
	}
}

// estimate returns a generous estimate of the number of sites the whole
// input holds, given that have sites came from the part read so far.
func (pl *pipeline) estimate(have int) int {
	done := pl.end - pl.start
	if pl.parser.region != nil || pl.end < 0 || done <= 0 || pl.size <= pl.start {
		// A region may end anywhere: grow by doubling.
		return 2 * have
	}
	est := float64(have) * float64(pl.size-pl.start) / float64(done)
	return max(2*have, int(est*1.25)+64)
}

// growCap returns s with capacity at least n. Unlike slices.Grow it does not
// write zeros into the new capacity: the memory is touched only when filled
// (fresh pages from the OS need no clearing).
func growCap[T any](s []T, n int) []T {
	if cap(s) >= n {
		return s
	}
	ns := make([]T, len(s), n)
	copy(ns, s)
	return ns
}

// Scan calls fn for every remaining kept site in file order with its
// Record, as Next returns it, and hint, a generous estimate of the number
// of sites the whole input yields (from the share of the file read so far;
// at least the sites seen so far), for callers that reserve memory. Unlike
// Next it reuses its buffers: the Record's slices are valid only during
// the call, and a scan of a whole chromosome allocates little besides what
// fn keeps. It returns nil at the end of the input, or the first error of
// the input or of fn. MaxVariants applies as for Next; Scan and Next must
// not be mixed.
func (r *Reader) Scan(fn func(rec Record, hint int) error) error {
	if r.cur != nil || r.err != nil {
		if r.err == io.EOF {
			return nil
		}
		if r.err != nil {
			return r.err
		}
		return fmt.Errorf("vcf: Scan after Next")
	}
	for {
		pc, err := r.pl.next()
		if pc != nil {
			r.stats.add(pc)
			k := len(pc.sites)
			if r.max > 0 && r.stats.Kept+k > r.max {
				k = r.max - r.stats.Kept
			}
			hint := r.pl.estimate(r.stats.Kept + k)
			for i := range k {
				if ferr := fn(r.record(pc, i), hint); ferr != nil {
					r.pl.parser.recycle(pc)
					r.err = ferr
					return ferr
				}
				r.stats.Kept++
			}
			r.pl.parser.recycle(pc)
		}
		if err == io.EOF || r.max > 0 && r.stats.Kept >= r.max {
			r.err = io.EOF
			return nil
		}
		if err != nil {
			r.err = err
			return err
		}
	}
}
