package vcf

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
)

// Tabix (.tbi) and coordinate-sorted (.csi) indexes, as specified in
// "The Tabix index file format" and the CSIv1 specification. The writer makes
// a .tbi for the files it writes; the reader uses either to jump to a region.

const (
	tbiMinShift = 14
	tbiDepth    = 5
	// tbiMaxEnd is the largest 0-based exclusive end a .tbi can index
	// (2^29): tabix and bcftools cannot use a .tbi for positions beyond it
	// and ask for CSI.
	tbiMaxEnd   = 1 << (tbiMinShift + 3*tbiDepth)
	csiMinShift = 14
)

// needsCSI reports whether records ending at maxEnd (0-based, exclusive)
// need a CSI index rather than a .tbi.
func needsCSI(maxEnd int64) bool { return maxEnd > tbiMaxEnd }

// csiDepth returns the CSI depth (number of levels below the root bin) that
// covers positions up to maxLen with csiMinShift, as htslib computes it
// (hts_idx_push's n_lvls, with htslib's 256 bases of slack).
func csiDepth(maxLen int64) int {
	depth := 0
	for s := int64(1) << csiMinShift; maxLen+256 > s; s <<= 3 {
		depth++
	}
	return max(depth, 1)
}

// IndexPathFor returns the index the Writer writes beside a VCF at path
// holding sites: path+".tbi", or path+".csi" when a site reaches beyond
// 2^29 (the limit of the .tbi format; tabix -p vcf refuses such files too).
func IndexPathFor(path string, sites []Site) string {
	var maxEnd int64
	for _, s := range sites {
		maxEnd = max(maxEnd, int64(s.Pos-1+len(s.Ref)))
	}
	if needsCSI(maxEnd) {
		return path + ".csi"
	}
	return path + ".tbi"
}

// reg2bin returns the smallest bin containing the 0-based half-open [beg, end).
func reg2bin(beg, end int64, minShift, depth int) int {
	end--
	s := minShift
	t := ((1 << (depth * 3)) - 1) / 7
	for l := depth; l > 0; {
		if beg>>s == end>>s {
			return t + int(beg>>s)
		}
		l--
		s += 3
		t -= 1 << (l * 3)
	}
	return 0
}

// reg2bins returns every bin that may hold records overlapping [beg, end).
func reg2bins(beg, end int64, minShift, depth int) []int {
	s := minShift + depth*3
	if beg >= end {
		return nil
	}
	if end >= 1<<s {
		end = 1 << s
	}
	end--
	var bins []int
	for l, t := 0, 0; l <= depth; l++ {
		for i := t + int(beg>>s); i <= t+int(end>>s); i++ {
			bins = append(bins, i)
		}
		s -= 3
		t += 1 << (l * 3)
	}
	return bins
}

// indexEntry is one record as the index builder sees it.
type indexEntry struct {
	tid        int
	beg, end   int64 // 0-based half-open reference interval
	vbeg, vend uint64
}

type chunk struct{ beg, end uint64 }

// buildTabix serialises (uncompressed) a tabix index of a VCF whose records
// are entries, sorted by tid then beg, on the contigs names.
func buildTabix(names []string, entries []indexEntry) []byte {
	return buildIndex(names, entries, false, tbiMinShift, tbiDepth)
}

// buildCSI serialises (uncompressed) a CSIv1 index, with the tabix header
// as its auxiliary data (as tabix --csi and bcftools index write it), of
// min_shift 14 and the depth that covers maxLen (the largest record end or
// contig length).
func buildCSI(names []string, entries []indexEntry, maxLen int64) []byte {
	return buildIndex(names, entries, true, csiMinShift, csiDepth(maxLen))
}

// tabixHeader is the tabix description of a VCF: the .tbi header after
// n_ref, and the auxiliary data of a CSI index.
func tabixHeader(names []string) []byte {
	var b bytes.Buffer
	le := func(v any) { binary.Write(&b, binary.LittleEndian, v) }
	le(int32(2))          // format: VCF
	le([3]int32{1, 2, 0}) // col_seq, col_beg, col_end
	le(int32('#'))        // meta character
	le(int32(0))          // lines to skip
	var nm bytes.Buffer
	for _, n := range names {
		nm.WriteString(n)
		nm.WriteByte(0)
	}
	le(int32(nm.Len()))
	b.Write(nm.Bytes())
	return b.Bytes()
}

// buildIndex serialises a .tbi (csi false) or CSI index with the given
// binning. The two formats share the binning scheme; a CSI index has a
// per-bin loffset (the linear index entry of the bin's first window, as
// htslib computes it) instead of a linear index.
func buildIndex(names []string, entries []indexEntry, csi bool, minShift, depth int) []byte {
	var b bytes.Buffer
	writeIndexHeader(&b, names, csi, minShift, depth)
	i := 0
	for tid := range names {
		j := i
		for j < len(entries) && entries[j].tid == tid {
			j++
		}
		writeRefIndex(&b, entries[i:j], csi, minShift, depth)
		i = j
	}
	return b.Bytes()
}

// writeIndexHeader writes what comes before the references' indexes: the
// magic, the binning and tabix header (CSI) or the tabix header (.tbi),
// and the number of references.
func writeIndexHeader(b *bytes.Buffer, names []string, csi bool, minShift, depth int) {
	le := func(v any) { binary.Write(b, binary.LittleEndian, v) }
	if csi {
		aux := tabixHeader(names)
		b.WriteString("CSI\x01")
		le(int32(minShift))
		le(int32(depth))
		le(int32(len(aux)))
		b.Write(aux)
		le(int32(len(names)))
	} else {
		b.WriteString("TBI\x01")
		le(int32(len(names)))
		b.Write(tabixHeader(names))
	}
}

// writeRefIndex writes the index of one reference, whose records are
// recs: its bins (each with its loffset in a CSI index) and their chunks,
// the pseudo-bin with the reference's statistics, and (.tbi) its linear
// index.
func writeRefIndex(b *bytes.Buffer, recs []indexEntry, csi bool, minShift, depth int) {
	le := func(v any) { binary.Write(b, binary.LittleEndian, v) }
	nBins := ((1 << (3 * (depth + 1))) - 1) / 7
	bins, linear := refBins(recs, minShift, depth)
	keys := make([]int, 0, len(bins))
	for k := range bins {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	nbin := len(keys)
	if len(recs) > 0 {
		nbin++ // the pseudo-bin with the reference's statistics
	}
	le(int32(nbin))
	for _, k := range keys {
		le(uint32(k))
		if csi {
			le(binLoffset(k, linear, depth))
		}
		le(int32(len(bins[k])))
		for _, c := range bins[k] {
			le(c.beg)
			le(c.end)
		}
	}
	if len(recs) > 0 {
		le(uint32(nBins + 1)) // 37450 for a .tbi
		if csi {
			le(uint64(0))
		}
		le(int32(2))
		le(recs[0].vbeg)
		le(recs[len(recs)-1].vend)
		le(uint64(len(recs)))
		le(uint64(0))
	}
	if !csi {
		le(int32(len(linear)))
		for _, o := range linear {
			le(o)
		}
	}
}

// refBins returns the chunks of each bin of one reference's records recs
// (a chunk that continues the bin's last one extends it), and its linear
// index: for each minShift window, the smallest offset of a record that
// overlaps it.
func refBins(recs []indexEntry, minShift, depth int) (map[int][]chunk, []uint64) {
	bins := map[int][]chunk{}
	var linear []uint64
	for _, e := range recs {
		bin := reg2bin(e.beg, e.end, minShift, depth)
		cs := bins[bin]
		if n := len(cs); n > 0 && cs[n-1].end == e.vbeg {
			cs[n-1].end = e.vend
		} else {
			cs = append(cs, chunk{e.vbeg, e.vend})
		}
		bins[bin] = cs
		first, last := e.beg>>minShift, (e.end-1)>>minShift
		for int64(len(linear)) <= last {
			linear = append(linear, 0)
		}
		for w := first; w <= last; w++ {
			if linear[w] == 0 {
				linear[w] = e.vbeg
			}
		}
	}
	// Windows without a record point at the next record's start (the
	// first window with one sets the value for the empty ones before it).
	var fill uint64
	if len(recs) > 0 {
		fill = recs[0].vbeg
	}
	for w := range linear {
		if linear[w] == 0 {
			linear[w] = fill
		} else {
			fill = linear[w]
		}
	}
	return bins, linear
}

// binLoffset returns the loffset of a CSI bin: the linear index entry (the
// smallest offset of a record overlapping the window) of the bin's first
// minShift window.
func binLoffset(bin int, linear []uint64, depth int) uint64 {
	l, t := 0, 0
	for ; l < depth && bin >= t+(1<<(3*l)); l++ {
		t += 1 << (3 * l)
	}
	w := (bin - t) << (3 * (depth - l))
	if w < len(linear) {
		return linear[w]
	}
	return 0
}

// regionIndex answers "where in the file do records of this region start".
type regionIndex struct {
	minShift, depth int
	names           map[string]int
	refs            []indexRef
	maxCoff         int64 // the largest compressed offset the index refers to
}

// seekIndexed positions s at the first record of reg that idx (read from
// ipath) points at, and reports false when the index says the region holds
// none. An index that cannot belong to the file (offsets beyond its end,
// contigs the header does not declare, an offset that is not the start of
// a record of the region's contig) is an ErrIndexMismatch error.
func (s *source) seekIndexed(idx *regionIndex, ipath string, reg *region) (bool, error) {
	if fi, err := s.f.Stat(); err == nil && idx.maxCoff >= fi.Size() || !idx.namesMatch(s.hdr) {
		return false, indexMismatch(s.path, ipath)
	}
	voff, found := idx.start(reg.chrom, int64(reg.start-1), int64(min(reg.end, 1<<40)))
	if !found {
		return false, nil
	}
	if err := s.seek(voff); err != nil {
		if e, ok := err.(*Error); ok && (e.Err == ErrIndex || e.Err == ErrTruncated) {
			return false, indexMismatch(s.path, ipath)
		}
		return false, err
	}
	// The offset must start a line of the contig: "chrom\t...".
	want := reg.chrom + "\t"
	n := min(len(s.leftover), len(want))
	if s.midLine || string(s.leftover[:n]) != want[:n] {
		return false, indexMismatch(s.path, ipath)
	}
	return true, nil
}

// indexMismatch is the error of an index that belongs to another file.
func indexMismatch(path, ipath string) *Error {
	how := "tabix -p vcf"
	if strings.HasSuffix(ipath, ".csi") {
		how = "tabix --csi -p vcf"
	}
	return &Error{Msg: fmt.Sprintf("index %s does not match %s (re-index with %s)", ipath, path, how), Err: ErrIndexMismatch}
}

// namesMatch reports whether the contigs the index names can be those of
// a file with header h: when h declares contigs, at least one of the
// index's must be among them (a file may hold records on contigs its
// header does not declare, so not all need be).
func (idx *regionIndex) namesMatch(h *fileHeader) bool {
	if len(h.Contigs) == 0 || len(idx.names) == 0 {
		return true
	}
	for _, c := range h.Contigs {
		if _, ok := idx.names[c.ID]; ok {
			return true
		}
	}
	return false
}

type indexRef struct {
	bins    map[int][]chunk
	loffset map[int]uint64 // CSI: per-bin smallest offset
	linear  []uint64       // TBI: per-16 kb-window smallest offset
}

// loadIndex reads path+".tbi" or path+".csi"; it returns nil, nil when
// neither exists.
//
// An index older than its data file is ignored (the region is then found
// by scanning): it may describe an earlier version of the file.
func loadIndex(path string) (*regionIndex, string, error) {
	data, err := os.Stat(path)
	if err != nil {
		return nil, path, err
	}
	for _, ext := range []string{".tbi", ".csi"} {
		p := path + ext
		if fi, err := os.Stat(p); err == nil && fi.ModTime().Before(data.ModTime()) {
			continue
		}
		raw, err := os.ReadFile(p)
		if os.IsNotExist(err) {
			continue
		}
		if err != nil {
			return nil, p, err
		}
		data, err := inflateAll(raw)
		if err != nil {
			return nil, p, newError(p, 0, ErrIndex, "cannot decompress index: %v", err)
		}
		idx, err := parseIndex(data)
		if err != nil {
			return nil, p, newError(p, 0, ErrIndex, "%v", err)
		}
		return idx, p, nil
	}
	return nil, "", nil
}

// inflateAll decompresses a whole BGZF stream held in memory.
func inflateAll(raw []byte) ([]byte, error) {
	var z inflater
	var out []byte
	for len(raw) > 0 {
		if !isBGZFHeader(raw) {
			return nil, errBlock
		}
		n := bgzfBlockSize(raw)
		if n > len(raw) {
			return nil, io.ErrUnexpectedEOF
		}
		var err error
		if out, err = z.inflateBlock(out, raw[:n]); err != nil {
			return nil, err
		}
		raw = raw[n:]
	}
	return out, nil
}

type byteReader struct {
	b   []byte
	err error
}

func (r *byteReader) u32() uint32 {
	if len(r.b) < 4 {
		r.err = io.ErrUnexpectedEOF
		return 0
	}
	v := binary.LittleEndian.Uint32(r.b)
	r.b = r.b[4:]
	return v
}

func (r *byteReader) u64() uint64 {
	if len(r.b) < 8 {
		r.err = io.ErrUnexpectedEOF
		return 0
	}
	v := binary.LittleEndian.Uint64(r.b)
	r.b = r.b[8:]
	return v
}

func (r *byteReader) bytes(n int) []byte {
	if n < 0 || len(r.b) < n {
		r.err = io.ErrUnexpectedEOF
		return nil
	}
	v := r.b[:n]
	r.b = r.b[n:]
	return v
}

// count reads a non-negative int32 bounded by what the remaining bytes can hold.
func (r *byteReader) count(unit int) int {
	n := int(int32(r.u32()))
	if r.err == nil && (n < 0 || n*unit > len(r.b)) {
		r.err = fmt.Errorf("count %d out of range", n)
		return 0
	}
	return n
}

func parseNames(r *byteReader, idx *regionIndex) {
	r.bytes(24) // format, col_seq, col_beg, col_end, meta, skip
	lnm := r.count(1)
	nm := r.bytes(lnm)
	for len(nm) > 0 {
		k := bytes.IndexByte(nm, 0)
		if k < 0 {
			k = len(nm)
		}
		idx.names[string(nm[:k])] = len(idx.names)
		nm = nm[min(k+1, len(nm)):]
	}
}

func parseIndex(data []byte) (*regionIndex, error) {
	r := &byteReader{b: data}
	idx := &regionIndex{names: map[string]int{}}
	magic := string(r.bytes(4))
	csi := false
	switch magic {
	case "TBI\x01":
		idx.minShift, idx.depth = tbiMinShift, tbiDepth
		nref := r.count(4)
		parseNames(r, idx)
		idx.refs = make([]indexRef, 0, nref)
	case "CSI\x01":
		csi = true
		idx.minShift, idx.depth = int(r.u32()), int(r.u32())
		if idx.minShift < 1 || idx.minShift > 30 || idx.depth < 1 || idx.depth > 10 {
			return nil, fmt.Errorf("unsupported CSI min_shift %d, depth %d", idx.minShift, idx.depth)
		}
		aux := r.bytes(r.count(1))
		if len(aux) >= 28 {
			parseNames(&byteReader{b: aux}, idx)
		}
		r.count(4) // n_ref
	default:
		return nil, fmt.Errorf("not a tabix or CSI index")
	}
	for r.err == nil && len(r.b) >= 4 {
		ref := indexRef{bins: map[int][]chunk{}}
		if csi {
			ref.loffset = map[int]uint64{}
		}
		nbin := r.count(8)
		for range nbin {
			bin := int(r.u32())
			if csi {
				ref.loffset[bin] = r.u64()
			}
			nchunk := r.count(16)
			cs := make([]chunk, nchunk)
			for k := range cs {
				cs[k] = chunk{r.u64(), r.u64()}
			}
			ref.bins[bin] = cs
			if bin != ((1<<(3*(idx.depth+1)))-1)/7+1 { // not the pseudo-bin of counts
				for _, c := range cs {
					idx.maxCoff = max(idx.maxCoff, int64(c.beg>>16), int64(c.end>>16))
				}
			}
		}
		if !csi {
			nintv := r.count(8)
			ref.linear = make([]uint64, nintv)
			for k := range ref.linear {
				ref.linear[k] = r.u64()
				idx.maxCoff = max(idx.maxCoff, int64(ref.linear[k]>>16))
			}
		}
		if r.err != nil {
			break
		}
		idx.refs = append(idx.refs, ref)
		if !csi && len(idx.refs) == cap(idx.refs) {
			break
		}
	}
	if r.err != nil {
		return nil, fmt.Errorf("truncated index: %v", r.err)
	}
	return idx, nil
}

// start returns the virtual offset from which a sequential scan finds every
// record of chrom overlapping the 0-based [beg, end), and false when the index
// says there is none.
func (idx *regionIndex) start(chrom string, beg, end int64) (uint64, bool) {
	tid, ok := idx.names[chrom]
	if !ok || tid >= len(idx.refs) {
		return 0, false
	}
	ref := &idx.refs[tid]
	var minOff uint64
	if ref.linear != nil && len(ref.linear) > 0 {
		w := beg >> idx.minShift
		if w >= int64(len(ref.linear)) {
			w = int64(len(ref.linear)) - 1
		}
		minOff = ref.linear[w]
	}
	best, found := uint64(0), false
	maxBin := ((1 << ((idx.depth + 1) * 3)) - 1) / 7
	for _, bin := range reg2bins(beg, end, idx.minShift, idx.depth) {
		if bin >= maxBin {
			continue
		}
		for _, c := range ref.bins[bin] {
			if c.end <= minOff {
				continue
			}
			if !found || c.beg < best {
				best, found = c.beg, true
			}
		}
	}
	return best, found
}
