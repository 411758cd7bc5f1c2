package vcf

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"sync"

	"github.com/klauspost/compress/flate"
)

// BGZF (SAM/BAM specification, section 4.1) is a series of gzip members of at
// most 64 KiB each, whose header carries the compressed size of the member in
// an extra field "BC". Knowing block boundaries without inflating is what lets
// the reader inflate blocks in parallel and the index point into the file.
//
// The block codec is hand-written rather than biogo/hts/bgzf because the
// reader's hot path inflates batches of blocks in worker goroutines straight
// into one buffer, and the writer needs the virtual offset of every record for
// the tabix index while compressing blocks in parallel; klauspost's flate is
// about twice as fast as compress/flate at inflating genotype text.

const (
	bgzfHeaderLen = 18
	bgzfFooterLen = 8
	// bgzfMaxData is the most uncompressed bytes put into one block (as htslib):
	// small enough that even stored (incompressible) data fits the 64 KiB limit.
	bgzfMaxData  = 0xff00
	bgzfMaxBlock = 1 << 16
)

// bgzfEOF is the empty block that terminates every BGZF file.
var bgzfEOF = []byte{
	0x1f, 0x8b, 0x08, 0x04, 0x00, 0x00, 0x00, 0x00, 0x00, 0xff, 0x06, 0x00, 0x42, 0x43,
	0x02, 0x00, 0x1b, 0x00, 0x03, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
}

// isBGZFHeader reports whether b starts with a BGZF block header.
func isBGZFHeader(b []byte) bool {
	return len(b) >= bgzfHeaderLen && b[0] == 0x1f && b[1] == 0x8b && b[2] == 8 && b[3]&4 != 0 &&
		binary.LittleEndian.Uint16(b[10:]) == 6 && b[12] == 'B' && b[13] == 'C' &&
		binary.LittleEndian.Uint16(b[14:]) == 2
}

// bgzfBlockSize returns the total size of the block whose header starts b.
func bgzfBlockSize(b []byte) int { return int(binary.LittleEndian.Uint16(b[16:])) + 1 }

var errBlock = errors.New("corrupt BGZF block")

// inflater decompresses single BGZF blocks; it is not safe for concurrent use.
type inflater struct {
	fr  io.ReadCloser
	src bytes.Reader
}

// inflateBlock appends the decompressed content of the complete block blk
// to dst and checks its CRC and size.
func (z *inflater) inflateBlock(dst, blk []byte) ([]byte, error) {
	if len(blk) < bgzfHeaderLen+bgzfFooterLen || !isBGZFHeader(blk) {
		return dst, errBlock
	}
	footer := blk[len(blk)-bgzfFooterLen:]
	wantCRC := binary.LittleEndian.Uint32(footer)
	size := int(binary.LittleEndian.Uint32(footer[4:]))
	if size > bgzfMaxBlock {
		return dst, errBlock
	}
	start := len(dst)
	if cap(dst)-start < size {
		nd := make([]byte, start, 2*cap(dst)+size)
		copy(nd, dst)
		dst = nd
	}
	dst = dst[:start+size]
	if size > 0 {
		z.src.Reset(blk[bgzfHeaderLen : len(blk)-bgzfFooterLen])
		if z.fr == nil {
			z.fr = flate.NewReader(&z.src)
		} else if err := z.fr.(flate.Resetter).Reset(&z.src, nil); err != nil {
			return dst[:start], errBlock
		}
		if _, err := io.ReadFull(z.fr, dst[start:]); err != nil {
			return dst[:start], errBlock
		}
		// The deflate stream must end exactly here.
		var one [1]byte
		if n, _ := z.fr.Read(one[:]); n != 0 {
			return dst[:start], errBlock
		}
	}
	if crc32.ChecksumIEEE(dst[start:]) != wantCRC {
		return dst[:start], errBlock
	}
	return dst, nil
}

// bgzfWriter compresses a stream into BGZF blocks, in parallel, and reports
// the virtual offset of any point of the stream once it is closed.
//
// Positions handed out while writing are "block positions" (block number,
// offset in block); resolve converts them to virtual offsets after Close,
// when the compressed start of every block is known.
type bgzfWriter struct {
	w        io.Writer
	level    int
	maxData  int // uncompressed bytes per block: bgzfMaxData, less in tests
	buf      []byte
	nblock   int     // number of the block being filled
	coffsets []int64 // compressed start of each block, filled by the sink
	pending  chan chan []byte
	jobs     chan bgzfJob
	sinkDone chan struct{}
	workers  sync.WaitGroup
	errMu    sync.Mutex
	err      error
	closed   bool
}

type bgzfJob struct {
	data []byte
	out  chan []byte
}

type blockPos struct {
	block uint32
	off   uint16
}

func newBGZFWriter(w io.Writer, level, threads int) *bgzfWriter {
	if threads < 1 {
		threads = 1
	}
	bw := &bgzfWriter{
		w:        w,
		level:    level,
		maxData:  bgzfMaxData,
		buf:      make([]byte, 0, bgzfMaxData),
		pending:  make(chan chan []byte, 4*threads),
		jobs:     make(chan bgzfJob, 4*threads),
		sinkDone: make(chan struct{}),
	}
	for range threads {
		bw.workers.Add(1)
		go bw.compressLoop()
	}
	go bw.sinkLoop()
	return bw
}

func (bw *bgzfWriter) setErr(err error) {
	bw.errMu.Lock()
	if bw.err == nil {
		bw.err = err
	}
	bw.errMu.Unlock()
}

func (bw *bgzfWriter) getErr() error {
	bw.errMu.Lock()
	defer bw.errMu.Unlock()
	return bw.err
}

func (bw *bgzfWriter) compressLoop() {
	defer bw.workers.Done()
	var out bytes.Buffer
	fw, _ := flate.NewWriter(&out, bw.level)
	for job := range bw.jobs {
		out.Reset()
		out.Write(make([]byte, bgzfHeaderLen))
		fw.Reset(&out)
		fw.Write(job.data)
		fw.Close()
		var footer [bgzfFooterLen]byte
		binary.LittleEndian.PutUint32(footer[:], crc32.ChecksumIEEE(job.data))
		binary.LittleEndian.PutUint32(footer[4:], uint32(len(job.data)))
		out.Write(footer[:])
		blk := bytes.Clone(out.Bytes())
		copy(blk, bgzfEOF[:bgzfHeaderLen])
		binary.LittleEndian.PutUint16(blk[16:], uint16(len(blk)-1))
		job.out <- blk
	}
}

func (bw *bgzfWriter) sinkLoop() {
	defer close(bw.sinkDone)
	var off int64
	for ch := range bw.pending {
		blk := <-ch
		bw.coffsets = append(bw.coffsets, off)
		off += int64(len(blk))
		if bw.getErr() != nil {
			continue
		}
		if _, err := bw.w.Write(blk); err != nil {
			bw.setErr(err)
		}
	}
	bw.coffsets = append(bw.coffsets, off)
}

// pos returns the current position of the stream.
func (bw *bgzfWriter) pos() blockPos {
	return blockPos{uint32(bw.nblock), uint16(len(bw.buf))}
}

// Write appends p to the stream. A block is flushed as soon as it is full,
// so that pos never points at the end of a block.
func (bw *bgzfWriter) Write(p []byte) (int, error) {
	if err := bw.getErr(); err != nil {
		return 0, err
	}
	n := len(p)
	for len(p) > 0 {
		k := min(bw.maxData-len(bw.buf), len(p))
		bw.buf = append(bw.buf, p[:k]...)
		p = p[k:]
		if len(bw.buf) == bw.maxData {
			bw.flush()
		}
	}
	return n, nil
}

func (bw *bgzfWriter) flush() {
	if len(bw.buf) == 0 {
		return
	}
	out := make(chan []byte, 1)
	bw.pending <- out
	bw.jobs <- bgzfJob{data: bw.buf, out: out}
	bw.buf = make([]byte, 0, bgzfMaxData)
	bw.nblock++
}

// Close flushes the last block and writes the EOF marker.
func (bw *bgzfWriter) Close() error {
	if bw.closed {
		return bw.getErr()
	}
	bw.closed = true
	bw.flush()
	close(bw.jobs)
	close(bw.pending)
	<-bw.sinkDone
	bw.workers.Wait()
	if err := bw.getErr(); err != nil {
		return err
	}
	_, err := bw.w.Write(bgzfEOF)
	return err
}

// errAborted is the error of a bgzfWriter stopped by abort.
var errAborted = errors.New("output aborted")

// abort stops the writer without writing what is buffered, what is still
// being compressed, or the EOF marker, so that a stream cut short does not
// look complete.
func (bw *bgzfWriter) abort() {
	if bw.closed {
		return
	}
	bw.setErr(errAborted)
	bw.buf = bw.buf[:0]
	bw.Close()
}

// resolve converts a block position into a virtual offset (after Close).
func (bw *bgzfWriter) resolve(p blockPos) uint64 {
	return uint64(bw.coffsets[p.block])<<16 | uint64(p.off)
}

// compressBGZF compresses data into a complete BGZF stream with an EOF block.
func compressBGZF(w io.Writer, data []byte) error {
	bw := newBGZFWriter(w, flate.DefaultCompression, 1)
	bw.Write(data)
	if err := bw.Close(); err != nil {
		return fmt.Errorf("compress: %w", err)
	}
	return nil
}
