package vcf

import (
	"bytes"
	"encoding/binary"
	"strconv"
	"sync"
)

// Skip reasons, in the order they are reported.
const (
	skipMultiallelic = iota
	skipNotSNP
	skipSymbolic
	skipNoAlt
	skipNoGT
	numSkipReasons
)

var skipNames = [numSkipReasons]string{"multiallelic", "not-snp", "symbolic", "no-alt", "no-GT"}

// piece is a run of consecutive parsed sites.
type piece struct {
	sites    []Site
	dosage   []int8 // nKeep per site
	haps     []int8 // 2*nKeep per site while allPhased (or always, when streaming)
	phased   []bool // per site: every non-missing diploid call is phased
	ploidy   []int8 // nKeep per site (1 or 2) once haploid is set
	haploid  bool   // a site of the piece has a haploid call: ploidy is kept
	records  int
	filtered int // sites the SiteFilter rejected
	skipped  [numSkipReasons]int
	stop     bool            // a record past the region was seen: nothing after it matters
	runs     []orderRun      // runs of records on one contig, for the sort check
	runSet   map[string]bool // the contigs of runs, once there are many
	lastPos  int             // POS of the last record
}

// orderRun is the start of a run of consecutive records on one contig. The
// parsers check the order inside a batch; the reader checks it across
// batches, where it knows the line numbers (see pipeline.checkOrder).
type orderRun struct {
	chrom string
	pos   int // POS of the run's first record
	k     int // line of that record, counted from the batch's head line (0)
}

// order checks that a record at chrom:pos may follow the records of pc: POS
// never decreases on a contig and a contig's records are contiguous.
func (p *parser) order(pc *piece, chrom []byte, pos int) *lineError {
	if n := len(pc.runs); n > 0 && pc.runs[n-1].chrom == string(chrom) {
		if pos < pc.lastPos {
			return errorf(ErrUnsorted, "records are not sorted: POS %d comes after POS %d on contig %s (sort the file, e.g. with bcftools sort)", pos, pc.lastPos, clip(chrom))
		}
		pc.lastPos = pos
		return nil
	}
	// A linear scan while runs are few; a set beyond, so that a batch of
	// many one-record contigs is checked in linear time.
	again := false
	if pc.runSet != nil {
		again = pc.runSet[string(chrom)]
	} else {
		for _, r := range pc.runs {
			if r.chrom == string(chrom) {
				again = true
				break
			}
		}
	}
	if again {
		return errorf(ErrUnsorted, "records are not sorted: contig %s appears again after contig %s (sort the file, e.g. with bcftools sort)", clip(chrom), pc.runs[len(pc.runs)-1].chrom)
	}
	pc.runs = append(pc.runs, orderRun{chrom: string(chrom), pos: pos, k: p.k})
	switch {
	case pc.runSet != nil:
		pc.runSet[pc.runs[len(pc.runs)-1].chrom] = true
	case len(pc.runs) > 16:
		pc.runSet = make(map[string]bool, 2*len(pc.runs))
		for _, r := range pc.runs {
			pc.runSet[r.chrom] = true
		}
	}
	pc.lastPos = pos
	return nil
}

// parser turns data lines into sites and genotypes. Each worker has its own.
type parser struct {
	samples   []string // all samples of the file
	keep      []int32  // indices of the kept samples, nil when all are kept
	split     bool
	keepHaps  bool // keep haplotypes of unphased sites too (streaming Reader)
	region    *region
	filter    SiteFilter // nil: keep every site
	lastChrom string
	noFast    bool // tests: always take the general path
	k         int  // line of the record being parsed, counted from the batch's head line

	// scratch
	row, rowHaps []int8
	rowPloidy    []int8
	al           []int32 // two allele indices per sample (-1 missing, -2 absent second allele)
	unph         []bool
	alts         [][]byte
}

func newParser(samples []string, keep []int32, split, keepHaps bool, reg *region) *parser {
	return &parser{samples: samples, keep: keep, split: split, keepHaps: keepHaps, region: reg}
}

// withFilter gives p its own SiteFilter from newFilter (nil: none).
func (p *parser) withFilter(newFilter func() SiteFilter) *parser {
	if newFilter != nil {
		p.filter = newFilter()
	}
	return p
}

// rejects applies the SiteFilter to a parsed site and counts a rejection.
func (p *parser) rejects(pc *piece, s *Site, dos, ploidy []int8) bool {
	if p.filter == nil || p.filter(s, dos, ploidy) {
		return false
	}
	pc.filtered++
	return true
}

func (p *parser) nKeep() int {
	if p.keep != nil {
		return len(p.keep)
	}
	return len(p.samples)
}

// allPhased reports whether haplotypes are still being kept in pc.
func (pc *piece) allPhased() bool {
	for _, ph := range pc.phased {
		if !ph {
			return false
		}
	}
	return true
}

// nextField returns the field of line starting at *off and advances past its tab.
func nextField(line []byte, off *int) ([]byte, bool) {
	rest := line[*off:]
	k := bytes.IndexByte(rest, '\t')
	if k < 0 {
		*off = len(line)
		return rest, false
	}
	*off += k + 1
	return rest[:k], true
}

var columnNames = [9]string{"CHROM", "POS", "ID", "REF", "ALT", "QUAL", "FILTER", "INFO", "FORMAT"}

// isBase reports whether c is a nucleotide A, C, G or T (either case). N, an
// unknown base, is not: a site with REF or ALT N is not a SNP.
func isBase(c byte) bool {
	switch c {
	case 'A', 'C', 'G', 'T', 'a', 'c', 'g', 't':
		return true
	}
	return false
}

// isSNP is the definition of a biallelic SNP's alleles used everywhere in
// gousynth (see IsSNP).
func isSNP[T string | []byte](ref, alt T) bool {
	return len(ref) == 1 && len(alt) == 1 && isBase(ref[0]) && isBase(alt[0]) && ref[0]|0x20 != alt[0]|0x20
}

// IsSNP reports whether ref and alt are the alleles of a biallelic SNP: one
// base each, from A, C, G, T (either case), that differ. It is the one
// definition every gousynth command uses (the reader keeps exactly these
// sites, and the preprocessing filter tests the same): REF or ALT N, an
// unknown base, is not a SNP.
func IsSNP(ref, alt string) bool { return isSNP(ref, alt) }

// classify returns -1 for a SNP allele, else the skip reason.
func classify(ref, alt []byte) int {
	switch {
	case len(alt) == 0 || len(alt) == 1 && alt[0] == '.':
		return skipNoAlt
	case alt[0] == '<' || alt[0] == '*' || bytes.IndexByte(alt, '[') >= 0 || bytes.IndexByte(alt, ']') >= 0:
		return skipSymbolic
	case !isSNP(ref, alt):
		return skipNotSNP
	}
	return -1
}

// parseLine parses one data line (without its newline) into pc: the fixed
// columns, then the genotypes through the fast path (biallelic, FORMAT GT
// alone, one-digit diploid calls) or, when it does not apply, the general
// one.
func (p *parser) parseLine(line []byte, pc *piece) *lineError {
	if n := len(line); n > 0 && line[n-1] == '\r' {
		line = line[:n-1]
	}
	if len(line) == 0 {
		return nil
	}
	if line[0] == '#' {
		return errorf(ErrMalformed, "header line after the first record")
	}
	var f [9][]byte
	off, err := p.fixedColumns(line, &f)
	if err != nil {
		return err
	}
	chromB, idB, refB := f[0], f[2], f[3]
	pos, inRegion, err := p.locate(pc, chromB, f[1], refB)
	if err != nil || !inRegion {
		return err
	}
	pc.records++
	alts, anySNP := p.snpAlts(pc, refB, f[4])
	if !anySNP {
		return nil
	}
	samplesB := line[off:]
	if len(p.samples) > 0 && off == len(line) && len(samplesB) == 0 && !bytes.HasSuffix(line, []byte{'\t'}) {
		return errorf(ErrMalformed, "wrong number of sample columns: got 0, header has %d", len(p.samples))
	}
	gtIndex := -1
	if len(p.samples) > 0 {
		gtIndex = formatIndex(f[8])
		if gtIndex < 0 {
			pc.skipped[skipNoGT]++
			return nil
		}
	}
	chrom := p.lastChrom
	if string(chromB) != chrom {
		chrom = string(chromB)
		p.lastChrom = chrom
	}
	site := Site{Chrom: chrom, Pos: pos, ID: string(idB), Ref: string(refB)}
	n := len(p.samples)
	if !p.noFast && len(alts) == 1 && gtIndex == 0 && len(f[8]) == 2 && n > 0 && len(samplesB) == 4*n-1 &&
		p.parseFast(pc, site, alts[0], samplesB) {
		return nil
	}
	return p.parseGeneral(pc, site, refB, alts, samplesB, gtIndex)
}

// fixedColumns cuts the fixed columns of line into f (8, or 9 with FORMAT
// when the file has samples) and returns the offset of the sample columns.
func (p *parser) fixedColumns(line []byte, f *[9][]byte) (int, *lineError) {
	nFixed := 8
	if len(p.samples) > 0 {
		nFixed = 9
	}
	off := 0
	for i := range nFixed {
		var more bool
		f[i], more = nextField(line, &off)
		if !more && i < nFixed-1 || i == nFixed-1 && !more && len(p.samples) > 0 {
			return 0, errorf(ErrMalformed, "wrong number of columns: the line ends after %s (column %d), header has %d sample columns", columnNames[i], i+1, len(p.samples))
		}
	}
	return off, nil
}

// locate checks CHROM, POS, the sort order and REF of a record and places
// it against the region: inRegion is false for a record outside it (and
// pc.stop is set past it).
func (p *parser) locate(pc *piece, chromB, posB, refB []byte) (pos int, inRegion bool, err *lineError) {
	if len(chromB) == 0 {
		return 0, false, errorf(ErrMalformed, "empty CHROM")
	}
	pos, ok := parsePos(posB)
	if !ok {
		return 0, false, errorf(ErrMalformed, "non-numeric POS %q", clip(posB))
	}
	if pos < 1 || pos > MaxPos {
		return 0, false, errorf(ErrMalformed, "POS %s is outside the VCF range 1 to 2^31-1 (%d)", clip(posB), MaxPos)
	}
	if err := p.order(pc, chromB, pos); err != nil {
		return 0, false, err
	}
	if len(refB) == 0 {
		return 0, false, errorf(ErrMalformed, "empty REF")
	}
	if p.region != nil {
		switch p.region.test(chromB, pos, len(refB)) {
		case regionBefore:
			return pos, false, nil
		case regionAfter:
			pc.stop = true
			return pos, false, nil
		}
	}
	return pos, true, nil
}

// snpAlts splits the ALT column (the common biallelic case without
// allocation) and reports whether any ALT allele makes a SNP site; records
// without one are counted by reason in pc.skipped (a multi-allelic record
// once, unless p.split).
func (p *parser) snpAlts(pc *piece, refB, altB []byte) ([][]byte, bool) {
	alts := p.alts[:0]
	for a := altB; ; {
		k := bytes.IndexByte(a, ',')
		if k < 0 {
			alts = append(alts, a)
			break
		}
		alts = append(alts, a[:k])
		a = a[k+1:]
	}
	p.alts = alts
	if len(alts) > 1 && !p.split {
		pc.skipped[skipMultiallelic]++
		return alts, false
	}
	anySNP := false
	for _, a := range alts {
		if r := classify(refB, a); r < 0 {
			anySNP = true
		} else if len(alts) == 1 {
			pc.skipped[r]++
		}
	}
	if !anySNP && len(alts) > 1 {
		pc.skipped[skipMultiallelic]++
	}
	return alts, anySNP
}

// parseFast decodes the calls of a biallelic record whose FORMAT is GT
// alone and whose sample columns are 4n-1 bytes long, every call "a|b" or
// "a/b" with one-digit alleles 0 or 1 (fastGT), and adds the site to pc.
// It reports false, leaving pc as it was, when a call does not fit: the
// general path then parses the record.
func (p *parser) parseFast(pc *piece, site Site, alt, samplesB []byte) bool {
	n, nk := len(p.samples), p.nKeep()
	wantHaps := p.keepHaps || pc.allPhased()
	var dos, haps []int8
	if p.keep == nil {
		dos, haps = grow(pc.dosage, n), grow(pc.haps, 2*n)
	} else {
		p.row, p.rowHaps = grow(p.row[:0], n), grow(p.rowHaps[:0], 2*n)
		dos, haps = p.row, p.rowHaps
	}
	sep, ok := fastGT(samplesB, dos[len(dos)-n:], haps[len(haps)-2*n:])
	if !ok {
		return false
	}
	nd, nh := len(pc.dosage), len(pc.haps)
	if p.keep == nil {
		pc.dosage = dos
		if wantHaps {
			pc.haps = haps
		}
	} else {
		pc.dosage = gather(pc.dosage, p.row, p.keep, 1)
		if wantHaps {
			pc.haps = gather(pc.haps, p.rowHaps, p.keep, 2)
		}
	}
	site.Alt = string(alt)
	if p.rejects(pc, &site, pc.dosage[nd:], nil) {
		pc.dosage, pc.haps = pc.dosage[:nd], pc.haps[:nh]
		return true
	}
	pc.addPloidy(nil, nk)
	pc.sites = append(pc.sites, site)
	pc.phased = append(pc.phased, sep == '|')
	if !wantHaps || sep != '|' && !p.keepHaps {
		pc.haps = pc.haps[:0]
	}
	return true
}

// parseGeneral decodes the calls of any record (FORMAT GT at gtIndex,
// multi-digit alleles, haploid and missing calls) and adds one site per
// SNP ALT allele (one site unless p.split) to pc.
func (p *parser) parseGeneral(pc *piece, site Site, refB []byte, alts [][]byte, samplesB []byte, gtIndex int) *lineError {
	if err := p.parseCalls(samplesB, gtIndex, len(alts)); err != nil {
		return err
	}
	nk := p.nKeep()
	for k, a := range alts {
		if r := classify(refB, a); r >= 0 {
			if len(alts) > 1 {
				pc.skipped[r]++
			}
			continue
		}
		s := site
		s.Alt = string(a)
		wantHaps := p.keepHaps || pc.allPhased()
		dos := grow(pc.dosage, nk)
		haps := grow(pc.haps, 2*nk)
		p.rowPloidy = grow(p.rowPloidy[:0], nk)
		phased, haploid := p.emit(int32(k+1), dos[len(dos)-nk:], haps[len(haps)-2*nk:], p.rowPloidy)
		var prow []int8
		if haploid {
			prow = p.rowPloidy
		}
		if p.rejects(pc, &s, dos[len(dos)-nk:], prow) {
			continue
		}
		pc.addPloidy(prow, nk)
		pc.dosage = dos
		pc.haps = haps
		if !p.keepHaps && (!wantHaps || !phased) {
			pc.haps = pc.haps[:0]
		}
		pc.sites = append(pc.sites, s)
		pc.phased = append(pc.phased, phased)
	}
	return nil
}

var piecePool sync.Pool

// newPiece returns an empty piece, reusing the buffers of a recycled one.
func (p *parser) newPiece() *piece {
	if pc, ok := piecePool.Get().(*piece); ok {
		return pc
	}
	return &piece{}
}

// recycle returns a piece whose contents have been copied elsewhere.
func (p *parser) recycle(pc *piece) {
	*pc = piece{sites: pc.sites[:0], dosage: pc.dosage[:0], haps: pc.haps[:0], phased: pc.phased[:0], runs: pc.runs[:0], ploidy: pc.ploidy[:0]}
	piecePool.Put(pc)
}

// addPloidy records the ploidy of the nk calls of the site being added
// (before it is appended to pc.sites): row, or all diploid when row is nil.
// Nothing is stored until a site has a haploid call.
func (pc *piece) addPloidy(row []int8, nk int) {
	if !pc.haploid {
		if row == nil {
			return
		}
		pc.haploid = true
		pc.ploidy = appendDiploid(pc.ploidy[:0], len(pc.sites)*nk)
	}
	if row == nil {
		pc.ploidy = appendDiploid(pc.ploidy, nk)
	} else {
		pc.ploidy = append(pc.ploidy, row...)
	}
}

// appendDiploid appends n ploidies of 2 to s.
func appendDiploid(s []int8, n int) []int8 {
	s = grow(s, n)
	for i := len(s) - n; i < len(s); i++ {
		s[i] = 2
	}
	return s
}

// grow extends s by n elements (their values are to be overwritten).
func grow(s []int8, n int) []int8 {
	if cap(s)-len(s) < n {
		ns := make([]int8, len(s), 2*cap(s)+n)
		copy(ns, s)
		s = ns
	}
	return s[:len(s)+n]
}

// gather appends the kept samples' values (width per sample) of row to dst.
func gather(dst, row []int8, keep []int32, width int) []int8 {
	for _, j := range keep {
		dst = append(dst, row[int(j)*width:int(j)*width+width]...)
	}
	return dst
}

// MaxPos is the largest POS the VCF specification allows (2^31-1).
const MaxPos = 1<<31 - 1

func parsePos(b []byte) (int, bool) {
	if len(b) == 0 || len(b) > 12 {
		return 0, false
	}
	v := 0
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		v = v*10 + int(c-'0')
	}
	return v, true
}

// formatIndex returns the position of GT among the FORMAT keys, or -1.
func formatIndex(format []byte) int {
	if len(format) >= 2 && format[0] == 'G' && format[1] == 'T' && (len(format) == 2 || format[2] == ':') {
		return 0
	}
	i := 0
	for len(format) > 0 {
		k := bytes.IndexByte(format, ':')
		key := format
		if k >= 0 {
			key, format = format[:k], format[k+1:]
		} else {
			format = nil
		}
		if string(key) == "GT" {
			return i
		}
		i++
	}
	return -1
}

// fastGT decodes calls of the fixed-width layout "a|b\ta|b\t...a|b" with
// a, b in {0, 1} and one separator for the whole line. It reports the
// separator and false when the line does not have that layout.
//
// This is the measured hot path of ingest (1000 Genomes files are entirely
// in this layout): it checks and decodes two calls per 64-bit load instead
// of walking the bytes.
func fastGT(s []byte, dos, haps []int8) (byte, bool) {
	n := len(dos)
	sep := s[1]
	if sep != '|' && sep != '/' {
		return 0, false
	}
	// Byte layout of a call: allele '0'/'1' (0x30/0x31), sep, allele, tab.
	const mask64 = 0xFFFEFFFE_FFFEFFFE
	want32 := uint64(0x09300030) | uint64(sep)<<8
	want64 := want32 | want32<<32
	full := n - 1 // calls followed by a tab
	dosB, hapB := asBytes(dos), asBytes(haps[:2*n])
	s = s[:4*n-1]
	i := 0
	for ; i+2 <= full; i += 2 {
		w := binary.LittleEndian.Uint64(s[4*i:])
		if w&mask64 != want64 {
			return 0, false
		}
		x := w & 0x0001_0001_0001_0001
		y := x + x>>16
		binary.LittleEndian.PutUint16(dosB[i:], uint16(y&3|(y>>24)&0x300))
		binary.LittleEndian.PutUint32(hapB[2*i:], uint32(x&1|x>>8&0x100|x>>16&0x10000|x>>24&0x1000000))
	}
	for ; i < n; i++ {
		c := s[4*i:]
		a, b := c[0]-'0', c[2]-'0'
		if a > 1 || b > 1 || c[1] != sep || i < full && c[3] != '\t' {
			return 0, false
		}
		dos[i] = int8(a + b)
		haps[2*i], haps[2*i+1] = int8(a), int8(b)
	}
	return sep, true
}

// parseCalls parses the GT of every sample into p.al and p.unph.
func (p *parser) parseCalls(s []byte, gtIndex, nAlt int) *lineError {
	n := len(p.samples)
	if cap(p.al) < 2*n {
		p.al = make([]int32, 2*n)
		p.unph = make([]bool, n)
	}
	p.al, p.unph = p.al[:2*n], p.unph[:n]
	off := 0
	for j := range n {
		if off > len(s) {
			return errorf(ErrMalformed, "wrong number of sample columns: got %d, header has %d", j, n)
		}
		field, more := nextField(s, &off)
		if !more {
			off = len(s) + 1
		}
		if j == n-1 && more {
			got := n + 1 + bytes.Count(s[off:], []byte{'\t'})
			return errorf(ErrMalformed, "wrong number of sample columns: got %d, header has %d", got, n)
		}
		gt := field
		for k := 0; k < gtIndex; k++ {
			c := bytes.IndexByte(gt, ':')
			if c < 0 {
				gt = nil
				break
			}
			gt = gt[c+1:]
		}
		if c := bytes.IndexByte(gt, ':'); c >= 0 {
			gt = gt[:c]
		}
		a0, a1, unphased, err := parseGT(gt)
		if err != nil {
			return errorf(ErrMalformed, "sample %s: %s", p.samples[j], err.msg)
		}
		if int(a0) > nAlt || int(a1) > nAlt {
			return errorf(ErrMalformed, "sample %s: GT %q: allele index %d beyond the ALT list (%d allele(s))", p.samples[j], clip(gt), max(a0, a1), nAlt)
		}
		p.al[2*j], p.al[2*j+1], p.unph[j] = a0, a1, unphased
	}
	return nil
}

const (
	alleleMissing = -1 // "."
	alleleAbsent  = -2 // no second allele: a haploid call
)

// parseGT parses a GT value: alleles (numbers or ".") separated by "/" or "|".
// It returns the allele indices (alleleAbsent for the second of a haploid
// call) and whether a diploid call with a called allele is unphased. An empty
// value (GT dropped from a trailing field) is a missing haploid call.
func parseGT(gt []byte) (a0, a1 int32, unphased bool, err *lineError) {
	if len(gt) == 0 {
		return alleleMissing, alleleAbsent, false, nil
	}
	var al [2]int32
	var sep byte
	n := 0
	i := 0
	for {
		if n == 2 {
			return 0, 0, false, errorf(ErrMalformed, "GT %q: more than 2 alleles (polyploid calls are not supported)", clip(gt))
		}
		switch {
		case i < len(gt) && gt[i] == '.':
			al[n] = alleleMissing
			i++
		case i < len(gt) && gt[i] >= '0' && gt[i] <= '9':
			v := int32(0)
			for ; i < len(gt) && gt[i] >= '0' && gt[i] <= '9'; i++ {
				v = v*10 + int32(gt[i]-'0')
				if v > 1<<20 {
					return 0, 0, false, errorf(ErrMalformed, "GT %q: allele index too large", clip(gt))
				}
			}
			al[n] = v
		default:
			return 0, 0, false, errorf(ErrMalformed, "malformed GT %q", clip(gt))
		}
		n++
		if i == len(gt) {
			break
		}
		if gt[i] != '/' && gt[i] != '|' {
			return 0, 0, false, errorf(ErrMalformed, "malformed GT %q", clip(gt))
		}
		if n == 1 {
			sep = gt[i]
		}
		i++
	}
	if n == 1 {
		return al[0], alleleAbsent, false, nil
	}
	return al[0], al[1], sep == '/' && (al[0] >= 0 || al[1] >= 0), nil
}

// emit writes the dosage of ALT allele k, the haplotypes (allele k = 1,
// any other called allele = 0, as bcftools norm -m- splits) and the ploidy
// of the kept samples, and reports whether every call is phased and whether
// a call is haploid. A haploid call's dosage is 0 or 2 (coded as homozygous,
// as plink codes haploid calls); its second haplotype is Missing.
func (p *parser) emit(k int32, dos, haps, ploidy []int8) (phased, haploid bool) {
	phased = true
	nk := len(dos)
	for i := range nk {
		j := i
		if p.keep != nil {
			j = int(p.keep[i])
		}
		a0, a1 := p.al[2*j], p.al[2*j+1]
		if p.unph[j] {
			phased = false
		}
		h0, h1 := hapAllele(a0, k), hapAllele(a1, k)
		haps[2*i], haps[2*i+1] = h0, h1
		ploidy[i] = 2
		if a1 == alleleAbsent {
			ploidy[i], haploid = 1, true
		}
		switch {
		case h0 == Missing || a1 == alleleMissing:
			dos[i] = Missing
		case a1 == alleleAbsent:
			dos[i] = 2 * h0
		default:
			dos[i] = h0 + h1
		}
	}
	return phased, haploid
}

func hapAllele(a, k int32) int8 {
	switch {
	case a < 0:
		return Missing
	case a == k:
		return 1
	}
	return 0
}

// region is a genomic interval filter on records.
type region struct {
	chrom      string
	start, end int // 1-based inclusive
	sorted     bool
}

const (
	regionIn = iota
	regionBefore
	regionAfter
)

// test places a record relative to the region. With an index (sorted file,
// scan started inside the region's contig) any record not on the contig or
// beyond the end ends the scan.
func (r *region) test(chrom []byte, pos, refLen int) int {
	if string(chrom) != r.chrom {
		if r.sorted {
			return regionAfter
		}
		return regionBefore
	}
	if pos > r.end {
		if r.sorted {
			return regionAfter
		}
		return regionBefore
	}
	if pos+refLen-1 < r.start {
		return regionBefore
	}
	return regionIn
}

func parseRegion(s string) (*region, bool) {
	if s == "" {
		return nil, false
	}
	chrom, rng, ok := cutLast(s, ':')
	if !ok {
		return &region{chrom: s, start: 1, end: 1<<62 - 1}, true
	}
	num := func(t string) (int, bool) {
		v, err := strconv.Atoi(string(bytes.ReplaceAll([]byte(t), []byte(","), nil)))
		return v, err == nil && v >= 1
	}
	r := &region{chrom: chrom}
	a, b, dash := cutLast(rng, '-')
	var ok1, ok2 bool
	switch {
	case !dash:
		r.start, ok1 = num(rng)
		r.end, ok2 = r.start, ok1
	case b == "":
		r.start, ok1 = num(a)
		r.end, ok2 = 1<<62-1, true
	default:
		r.start, ok1 = num(a)
		r.end, ok2 = num(b)
	}
	if chrom == "" || !ok1 || !ok2 || r.end < r.start {
		return nil, false
	}
	return r, true
}

func cutLast(s string, sep byte) (string, string, bool) {
	for i := len(s) - 1; i >= 0; i-- {
		if s[i] == sep {
			return s[:i], s[i+1:], true
		}
	}
	return s, "", false
}
