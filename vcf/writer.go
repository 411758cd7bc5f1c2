package vcf

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/gousynth/gousynth/internal/atomicfile"
	"github.com/gousynth/gousynth/internal/version"
	"github.com/klauspost/compress/flate"
)

// Contig is a reference sequence declared in the VCF header.
type Contig struct {
	ID       string
	Length   int    // 0 when unknown (the ##contig line then has no length)
	Assembly string // the assembly attribute, "" when absent
	// Line is the ##contig line as read from a VCF header (all its
	// attributes: ID, length, assembly, md5, ...), written unchanged; ""
	// for a contig made otherwise, written from ID, Length and Assembly.
	Line string
}

// MergeContigs returns the contigs of a header for sites taken from an
// input that declared contigs: the input's contigs (with their lines) when
// the sites' contigs are among them in the same order, else the sites'
// contigs in order of appearance (with the input's lines where it had
// them) followed by the input's other contigs.
//
// Input contigs that a header cannot declare (a repeated ID, an ID the
// writer refuses) are dropped, and a line that does not parse back to its
// contig is rewritten from ID, Length and Assembly, so that the result
// always passes Create's checks when the sites' contigs do.
func MergeContigs(input []Contig, sites []Site) []Contig {
	var order []string
	seen := map[string]bool{}
	for _, s := range sites {
		if !seen[s.Chrom] {
			seen[s.Chrom] = true
			order = append(order, s.Chrom)
		}
	}
	clean := make([]Contig, 0, len(input))
	pos := make(map[string]int, len(input))
	for _, c := range input {
		if _, dup := pos[c.ID]; dup || !validContigID(c.ID) {
			continue
		}
		if checkContig(c) != nil {
			c.Line = ""
			if checkContig(c) != nil {
				c.Assembly = ""
			}
		}
		pos[c.ID] = len(clean)
		clean = append(clean, c)
	}
	input = clean
	inOrder, last := true, -1
	for _, id := range order {
		i, ok := pos[id]
		if !ok || i < last {
			inOrder = false
			break
		}
		last = i
	}
	if inOrder {
		return append([]Contig(nil), input...)
	}
	var out []Contig
	for _, id := range order {
		if i, ok := pos[id]; ok {
			out = append(out, input[i])
		} else {
			out = append(out, Contig{ID: id})
		}
	}
	for _, c := range input {
		if !seen[c.ID] {
			out = append(out, c)
		}
	}
	return out
}

// headerLine is the ##contig line of c.
func (c Contig) headerLine() string {
	if c.Line != "" {
		return c.Line
	}
	l := "##contig=<ID=" + c.ID
	if c.Length > 0 {
		l += ",length=" + strconv.Itoa(c.Length)
	}
	if c.Assembly != "" {
		l += ",assembly=" + c.Assembly
	}
	return l + ">"
}

// Header describes the VCF a Writer produces.
type Header struct {
	Samples     []string // sample IDs, in column order (never real IDs for synthetic data)
	Contigs     []Contig // every CHROM written must be declared here, in the order sites are written
	Phased      bool     // write phased "a|b" calls from the haplotypes
	Source      string   // ##source value; defaults to "gousynth " + version
	CommandLine string   // written as ##gousynthCommand= when not empty
	ExtraLines  []string // additional header lines, with or without the leading "##"
	// FileDate is the ##fileDate value (YYYYMMDD). When empty it is taken
	// from SOURCE_DATE_EPOCH if set (for byte-identical reruns), else today.
	FileDate string
}

// Writer writes a BGZF-compressed VCF 4.2: to any io.Writer (NewWriter), or
// to a file with its tabix index (Create). Sites must be written sorted by
// contig (in Header.Contigs order) and position.
type Writer struct {
	path    string // names the output in errors; "" for NewWriter
	h       Header
	f       *atomicfile.File // Create's output, indexed at Close; nil for NewWriter
	bw      *bgzfWriter
	tids    map[string]int
	line    []byte
	entries []indexEntry
	lastTid int
	lastPos int
	err     error
	done    bool
	index   string // the index written by Close
}

// NewWriter starts writing a BGZF-compressed VCF with header h to w
// (compressing blocks in parallel) and writes the header. There is no
// index: a stream has no offsets to index (Create writes one). Close
// flushes the last block and the BGZF end-of-file marker; it does not
// close w.
func NewWriter(w io.Writer, h Header) (*Writer, error) {
	if err := checkHeader(h); err != nil {
		return nil, &Error{Msg: err.Error(), Err: ErrWrite}
	}
	return newWriter(w, "", nil, h)
}

// Create starts writing a VCF to path (conventionally ending in .vcf.gz;
// "-" is standard output, see package atomicfile): NewWriter on the file,
// which Close indexes and publishes. Nothing appears under path until
// Close succeeds.
func Create(path string, h Header) (*Writer, error) {
	if err := checkHeader(h); err != nil {
		return nil, &Error{Path: path, Msg: err.Error(), Err: ErrWrite}
	}
	f, err := atomicfile.Create(path)
	if err != nil {
		return nil, err
	}
	return newWriter(f, path, f, h)
}

// newWriter writes the header of h (checked) to out; f, when not nil, is
// the file behind out, which Close indexes and commits.
func newWriter(out io.Writer, path string, f *atomicfile.File, h Header) (*Writer, error) {
	w := &Writer{path: path, h: h, f: f, tids: map[string]int{}, lastTid: -1}
	for i, c := range h.Contigs {
		w.tids[c.ID] = i
	}
	w.bw = newBGZFWriter(out, flate.DefaultCompression, runtime.GOMAXPROCS(0))
	if _, err := w.bw.Write(w.headerText()); err != nil {
		w.Abort()
		if path == "" {
			return nil, fmt.Errorf("write VCF header: %w", err)
		}
		return nil, fmt.Errorf("write %s: %w", path, err)
	}
	return w, nil
}

func checkHeader(h Header) error {
	seen := map[string]bool{}
	for _, s := range h.Samples {
		if s == "" || strings.ContainsAny(s, "\t\n\r") {
			return fmt.Errorf("invalid sample ID %q", s)
		}
		if seen[s] {
			return fmt.Errorf("duplicate sample ID %q", s)
		}
		seen[s] = true
	}
	cs := map[string]bool{}
	for _, c := range h.Contigs {
		if !validContigID(c.ID) {
			return fmt.Errorf("invalid contig ID %q", c.ID)
		}
		if cs[c.ID] {
			return fmt.Errorf("duplicate contig %q", c.ID)
		}
		if err := checkContig(c); err != nil {
			return err
		}
		cs[c.ID] = true
	}
	for _, l := range h.ExtraLines {
		if strings.ContainsAny(l, "\n\r") || strings.HasPrefix(strings.TrimPrefix(l, "##"), "#") {
			return fmt.Errorf("invalid extra header line %q", l)
		}
	}
	return nil
}

// validContigID reports whether a header may declare contig id.
func validContigID(id string) bool {
	return id != "" && !strings.ContainsAny(id, "\t\n\r,<>= ") && id[0] != '*' && id[0] != '#'
}

// checkContig checks c's line and assembly.
func checkContig(c Contig) error {
	if c.Line != "" && (strings.ContainsAny(c.Line, "\n\r") || !strings.HasPrefix(c.Line, "##contig=<") || !strings.HasSuffix(c.Line, ">")) {
		return fmt.Errorf("invalid contig line %q", c.Line)
	}
	if c.Line != "" {
		if pc, ok := parseContig(c.Line); !ok || pc.ID != c.ID {
			return fmt.Errorf("contig line %q does not declare contig %q", c.Line, c.ID)
		}
	}
	if strings.ContainsAny(c.Assembly, "\t\n\r,<>") {
		return fmt.Errorf("invalid assembly %q of contig %q", c.Assembly, c.ID)
	}
	return nil
}

func fileDate(h Header) string {
	if h.FileDate != "" {
		return h.FileDate
	}
	t := time.Now().UTC()
	if s := os.Getenv("SOURCE_DATE_EPOCH"); s != "" {
		if sec, err := strconv.ParseInt(s, 10, 64); err == nil {
			t = time.Unix(sec, 0).UTC()
		}
	}
	return t.Format("20060102")
}

func (w *Writer) headerText() []byte {
	var b bytes.Buffer
	h := w.h
	b.WriteString("##fileformat=VCFv4.2\n")
	b.WriteString("##fileDate=" + fileDate(h) + "\n")
	src := h.Source
	if src == "" {
		src = "gousynth " + version.String()
	}
	b.WriteString("##source=" + strings.ReplaceAll(src, "\n", " ") + "\n")
	if h.CommandLine != "" {
		b.WriteString("##gousynthCommand=" + strings.ReplaceAll(h.CommandLine, "\n", " ") + "\n")
	}
	for _, c := range h.Contigs {
		b.WriteString(c.headerLine() + "\n")
	}
	b.WriteString("##INFO=<ID=AC,Number=A,Type=Integer,Description=\"Allele count in genotypes\">\n")
	b.WriteString("##INFO=<ID=AN,Number=1,Type=Integer,Description=\"Total number of alleles in called genotypes\">\n")
	b.WriteString("##INFO=<ID=AF,Number=A,Type=Float,Description=\"Allele frequency\">\n")
	b.WriteString("##FORMAT=<ID=GT,Number=1,Type=String,Description=\"Genotype\">\n")
	for _, l := range h.ExtraLines {
		b.WriteString("##" + strings.TrimPrefix(l, "##") + "\n")
	}
	b.WriteString("#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO")
	if len(h.Samples) > 0 {
		b.WriteString("\tFORMAT")
		for _, s := range h.Samples {
			b.WriteString("\t" + s)
		}
	}
	b.WriteByte('\n')
	return b.Bytes()
}

// phasedGT[h0+1][h1+1] is the text of a phased call with alleles h0, h1 (Missing = -1).
var phasedGT = [3][3]string{
	{".|.", ".|0", ".|1"},
	{"0|.", "0|0", "0|1"},
	{"1|.", "1|0", "1|1"},
}

var unphasedGT = [4]string{"./.", "0/0", "0/1", "1/1"}

// haploidGT[a+1] is the text of a haploid call with allele a (Missing = -1).
var haploidGT = [3]string{".", "0", "1"}

func validAllele(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case 'A', 'C', 'G', 'T', 'N', 'a', 'c', 'g', 't', 'n', '*', '<', '>', '[', ']', ':', '.', '_', '-':
		default:
			if !(s[i] >= 'A' && s[i] <= 'Z' || s[i] >= 'a' && s[i] <= 'z' || s[i] >= '0' && s[i] <= '9') {
				return false
			}
		}
	}
	return true
}

// Write appends one site. When the header is phased, haps holds two alleles
// per sample (0, 1 or Missing; a haploid call has its second allele Missing
// and a non-missing dosage) and dosage may be nil; otherwise dosage holds
// one value per sample (0, 1, 2 or Missing) written as 0/0, 0/1, 1/1, ./.
// INFO AC, AN and AF are computed from the calls.
func (w *Writer) Write(site Site, dosage []int8, haps []int8) error {
	return w.WritePloidy(site, dosage, haps, nil)
}

// WritePloidy is Write with the ploidy of each call (1 or 2; nil means all
// diploid, except that a phased call with a Missing second allele is then
// haploid, as for Write). A haploid call is written as one allele, "0", "1"
// or ".": from haps when the header is phased, else from the dosage coded
// as homozygous (0 or 2, see Genotypes; 1 is an error). It counts one
// allele in AN, as bcftools counts it.
func (w *Writer) WritePloidy(site Site, dosage, haps, ploidy []int8) error {
	if w.err != nil {
		return w.err
	}
	if w.done {
		if w.path == "" {
			return fmt.Errorf("write VCF: write after close")
		}
		return fmt.Errorf("write %s: write after close", w.path)
	}
	if err := w.write(site, dosage, haps, ploidy); err != nil {
		w.err = &Error{Path: w.path, Msg: err.Error(), Err: ErrWrite}
		return w.err
	}
	return nil
}

// write checks one site and its calls, then appends the record (and its
// index entry when there is an index).
func (w *Writer) write(site Site, dosage, haps, ploidy []int8) error {
	tid, err := w.checkSite(site, dosage, haps, ploidy)
	if err != nil {
		return err
	}
	w.lastTid, w.lastPos = tid, site.Pos

	// The genotypes first (into a scratch buffer), to know AC and AN.
	var ac, an int
	if w.h.Phased {
		w.line, ac, an, err = appendPhasedGT(w.line[:0], site, dosage, haps, ploidy)
	} else {
		w.line, ac, an, err = appendUnphasedGT(w.line[:0], site, dosage, ploidy)
	}
	if err != nil {
		return err
	}
	w.line = append(w.line, '\n')
	// The fixed columns go to a buffer on the stack (appendSiteColumns
	// does not keep it): no allocation per record.
	fixed := appendSiteColumns(make([]byte, 0, 128), site, ac, an, len(w.h.Samples) > 0)
	return w.emit(tid, site, fixed, w.line)
}

// checkSite returns the contig index of site after checking that it is
// declared, in order and well formed, and that the calls have one entry
// per sample (two for haps).
func (w *Writer) checkSite(site Site, dosage, haps, ploidy []int8) (int, error) {
	n := len(w.h.Samples)
	tid, ok := w.tids[site.Chrom]
	switch {
	case !ok:
		return 0, fmt.Errorf("site %s:%d: contig %q is not declared in Header.Contigs", site.Chrom, site.Pos, site.Chrom)
	case site.Pos < 1 || site.Pos >= 1<<31-1:
		return 0, fmt.Errorf("site %s:%d: position out of range", site.Chrom, site.Pos)
	case tid < w.lastTid || tid == w.lastTid && site.Pos < w.lastPos:
		return 0, fmt.Errorf("site %s:%d: sites are not sorted (contig order of the header, then position)", site.Chrom, site.Pos)
	case !validAllele(site.Ref) || !validAllele(site.Alt) || strings.ContainsAny(site.Alt, ",") || site.Ref == "." || site.Ref == "*":
		return 0, fmt.Errorf("site %s:%d: invalid alleles REF %q ALT %q", site.Chrom, site.Pos, site.Ref, site.Alt)
	case strings.ContainsAny(site.ID, "\t\n\r; "):
		return 0, fmt.Errorf("site %s:%d: invalid ID %q", site.Chrom, site.Pos, site.ID)
	}
	if w.h.Phased {
		if len(haps) != 2*n {
			return 0, fmt.Errorf("site %s:%d: got %d haplotype alleles, want %d (2 per sample)", site.Chrom, site.Pos, len(haps), 2*n)
		}
		if dosage != nil && len(dosage) != n {
			return 0, fmt.Errorf("site %s:%d: got %d dosages, want %d", site.Chrom, site.Pos, len(dosage), n)
		}
	} else if len(dosage) != n {
		return 0, fmt.Errorf("site %s:%d: got %d dosages, want %d", site.Chrom, site.Pos, len(dosage), n)
	}
	if ploidy != nil && len(ploidy) != n {
		return 0, fmt.Errorf("site %s:%d: got %d ploidies, want %d", site.Chrom, site.Pos, len(ploidy), n)
	}
	return tid, nil
}

// appendPhasedGT appends the phased calls of haps ("\t" then "a|b", or one
// allele for a haploid call) to gt and returns it with the site's AC and AN.
func appendPhasedGT(gt []byte, site Site, dosage, haps, ploidy []int8) (_ []byte, ac, an int, _ error) {
	for s := range len(haps) / 2 {
		h0, h1 := haps[2*s], haps[2*s+1]
		if h0 < Missing || h0 > 1 || h1 < Missing || h1 > 1 {
			return gt, 0, 0, fmt.Errorf("site %s:%d: sample %d: haplotype alleles %d, %d not in {0, 1, Missing}", site.Chrom, site.Pos, s, h0, h1)
		}
		haploid := h1 == Missing && h0 != Missing && (dosage == nil || dosage[s] != Missing)
		if ploidy != nil {
			haploid = ploidy[s] == 1
			if haploid {
				h1 = Missing
			}
		}
		gt = append(gt, '\t')
		if haploid {
			gt = append(gt, haploidGT[h0+1]...)
		} else {
			gt = append(gt, phasedGT[h0+1][h1+1]...)
		}
		if h0 != Missing {
			an++
			ac += int(h0)
		}
		if h1 != Missing {
			an++
			ac += int(h1)
		}
	}
	return gt, ac, an, nil
}

// appendUnphasedGT appends the unphased calls of dosage ("\t" then "a/b",
// or one allele for a haploid call) to gt and returns it with the site's
// AC and AN.
func appendUnphasedGT(gt []byte, site Site, dosage, ploidy []int8) (_ []byte, ac, an int, _ error) {
	for s, d := range dosage {
		if d < Missing || d > 2 {
			return gt, 0, 0, fmt.Errorf("site %s:%d: sample %d: dosage %d not in {0, 1, 2, Missing}", site.Chrom, site.Pos, s, d)
		}
		gt = append(gt, '\t')
		if ploidy != nil && ploidy[s] == 1 {
			if d == 1 {
				return gt, 0, 0, fmt.Errorf("site %s:%d: sample %d: haploid call with dosage 1 (a haploid call is 0 or 2)", site.Chrom, site.Pos, s)
			}
			if d == Missing {
				gt = append(gt, '.')
				continue
			}
			gt = append(gt, haploidGT[d/2+1]...)
			an++
			ac += int(d) / 2
			continue
		}
		gt = append(gt, unphasedGT[d+1]...)
		if d != Missing {
			an += 2
			ac += int(d)
		}
	}
	return gt, ac, an, nil
}

// appendSiteColumns appends the eight fixed columns of a record, with INFO
// AC, AN and AF, and FORMAT GT when there are samples, to dst.
func appendSiteColumns(dst []byte, site Site, ac, an int, samples bool) []byte {
	id := site.ID
	if id == "" {
		id = "."
	}
	fixed := fmt.Appendf(dst, "%s\t%d\t%s\t%s\t%s\t.\tPASS\tAC=%d;AN=%d", site.Chrom, site.Pos, id, site.Ref, site.Alt, ac, an)
	if an > 0 {
		fixed = append(fixed, ";AF="...)
		fixed = strconv.AppendFloat(fixed, float64(ac)/float64(an), 'g', 6, 64)
	}
	if samples {
		fixed = append(fixed, "\tGT"...)
	}
	return fixed
}

// emit writes a record's fixed columns and calls and, for Create's output,
// records its index entry (block positions, resolved at Close).
func (w *Writer) emit(tid int, site Site, fixed, gt []byte) error {
	start := w.bw.pos()
	w.bw.Write(fixed)
	if _, err := w.bw.Write(gt); err != nil {
		return err
	}
	if w.f == nil {
		return nil // NewWriter: no index
	}
	beg := int64(site.Pos - 1)
	w.entries = append(w.entries, indexEntry{tid: tid, beg: beg, end: beg + int64(len(site.Ref)), vbeg: uint64(start.block)<<16 | uint64(start.off)})
	e := &w.entries[len(w.entries)-1]
	end := w.bw.pos()
	e.vend = uint64(end.block)<<16 | uint64(end.off)
	return nil
}

// Close finishes the VCF, writes its index and publishes both together
// (neither appears when either fails): path+".tbi", or path+".csi" (CSIv1,
// min_shift 14, the depth that covers the largest position) when a site
// reaches beyond 2^29, which a .tbi cannot index. IndexPath names it. An
// output that is not a regular file (atomicfile: "-", a FIFO, a device) is
// written without an index, as is NewWriter's. After a failed Write, Close
// discards the output and returns that error.
func (w *Writer) Close() error {
	if w.done {
		return w.err
	}
	if w.err != nil {
		w.Abort()
		return w.err
	}
	w.done = true
	if w.f == nil {
		if err := w.bw.Close(); err != nil {
			w.err = fmt.Errorf("write VCF: %w", err)
			return w.err
		}
		return nil
	}
	if err := w.bw.Close(); err != nil {
		w.f.Abort()
		return fmt.Errorf("write %s: %w", w.path, err)
	}
	// Block positions become virtual offsets now that block sizes are known.
	for i := range w.entries {
		e := &w.entries[i]
		e.vbeg = w.bw.resolve(blockPos{uint32(e.vbeg >> 16), uint16(e.vbeg)})
		e.vend = w.bw.resolve(blockPos{uint32(e.vend >> 16), uint16(e.vend)})
	}
	if !w.f.Regular() {
		// Standard output, a FIFO, a device: a stream has no index.
		return w.f.Commit()
	}
	names := make([]string, len(w.h.Contigs))
	var maxLen int64
	for i, c := range w.h.Contigs {
		names[i] = c.ID
		maxLen = max(maxLen, int64(c.Length))
	}
	var maxEnd int64
	for _, e := range w.entries {
		maxEnd = max(maxEnd, e.end)
	}
	var data []byte
	w.index = w.path + ".tbi"
	if needsCSI(maxEnd) {
		w.index = w.path + ".csi"
		data = buildCSI(names, w.entries, max(maxLen, maxEnd))
	} else {
		data = buildTabix(names, w.entries)
	}
	idx, err := atomicfile.Create(w.index)
	if err != nil {
		w.f.Abort()
		return err
	}
	defer idx.Abort()
	if err := compressBGZF(idx, data); err != nil {
		w.f.Abort()
		return fmt.Errorf("write %s: %w", w.index, err)
	}
	// The VCF and its index appear together or not at all.
	return atomicfile.CommitAll(w.f, idx)
}

// IndexPath returns the path of the index that Close wrote (path+".tbi" or
// path+".csi"), or "" before Close.
func (w *Writer) IndexPath() string { return w.index }

// Abort discards the output (NewWriter's: stops writing to it, leaving
// what was written). It is safe to call after Close.
func (w *Writer) Abort() {
	if w.done && w.err == nil {
		return
	}
	w.bw.abort()
	if w.err == nil {
		w.err = &Error{Path: w.path, Msg: "output aborted", Err: ErrWrite}
	}
	w.done = true
	if w.f != nil {
		w.f.Abort()
	}
}

// WriteGenotypes writes g to path as a BGZF VCF with a tabix index (as a
// PLINK 1 fileset when path ends in .bed, see CreateOutput). Header
// fields Samples and Phased default to g's; when h.Contigs is empty the
// contigs are taken from g.Sites in order of appearance (without lengths).
func WriteGenotypes(path string, g *Genotypes, h Header) error {
	return WriteGenotypesContext(context.Background(), path, g, h)
}

// WriteGenotypesContext is WriteGenotypes that stops when ctx is cancelled:
// it then removes the partial output and returns ctx's error.
func WriteGenotypesContext(ctx context.Context, path string, g *Genotypes, h Header) error {
	if h.Samples == nil {
		h.Samples = g.Samples
	}
	if len(h.Samples) != len(g.Samples) {
		return &Error{Path: path, Msg: fmt.Sprintf("header has %d samples, genotypes have %d", len(h.Samples), len(g.Samples)), Err: ErrWrite}
	}
	h.Phased = h.Phased || g.Phased
	if h.Phased && !g.Phased {
		return &Error{Path: path, Msg: "phased output requested but genotypes have no haplotypes", Err: ErrWrite}
	}
	if len(h.Contigs) == 0 {
		seen := map[string]bool{}
		for _, s := range g.Sites {
			if !seen[s.Chrom] {
				seen[s.Chrom] = true
				h.Contigs = append(h.Contigs, Contig{ID: s.Chrom})
			}
		}
	}
	w, err := CreateOutput(path, h)
	if err != nil {
		return err
	}
	for v, s := range g.Sites {
		var haps []int8
		if h.Phased {
			haps = g.HapRow(v)
		}
		if v%256 == 0 && ctx.Err() != nil {
			w.Abort()
			return ctx.Err()
		}
		if err := w.WritePloidy(s, g.Row(v), haps, g.PloidyRow(v)); err != nil {
			w.Abort()
			return err
		}
	}
	if err := ctx.Err(); err != nil {
		w.Abort()
		return err
	}
	return w.Close()
}
