package vcf

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strconv"
	"strings"

	"github.com/gousynth/gousynth/plink"
)

// A PLINK 1 binary fileset is read through the VCF parser: the source turns
// each .bim line and its .bed row into the text of a VCF record (REF = A2,
// ALT = A1, GT from the two-bit codes), one line per .bim line, so that
// regions, sample selection, filters, splitting, the sort check and the
// counts are those of a VCF, and a record's line number is its .bim line.

// plinkSource reads the .bim and the .bed of a fileset in step.
type plinkSource struct {
	set      plink.Fileset
	n        int // samples in the .fam
	bpv      int // bytes per variant in the .bed
	nVar     int // variants (.bim lines)
	bimF     *os.File
	bim      *bufio.Reader
	line     int // .bim lines read
	row      []byte
	bimClose bool
}

// gtText[b] is the text of the four calls of .bed byte b, each preceded by
// a tab: "\t1/1\t./.\t0/1\t0/0" for the codes 00 01 10 11 from the lowest
// bits up. REF is A2 and ALT is A1, so 00 (homozygous A1) is 1/1.
var gtText = func() (t [256][16]byte) {
	calls := [4]string{"\t1/1", "\t./.", "\t0/1", "\t0/0"}
	for b := range 256 {
		for k := range 4 {
			copy(t[b][4*k:], calls[(b>>(2*k))&3])
		}
	}
	return t
}()

// openPLINK opens the fileset whose .bed is open as f (its first bytes
// buffered in br) and reads the .fam and the .bim's size. name is the path
// the user gave (the .bed or the prefix).
func openPLINK(ctx context.Context, name, bedPath string, f *os.File, br *bufio.Reader) (*source, error) {
	set := plink.FilesetOf(bedPath)
	fail := func(err error) (*source, error) {
		f.Close()
		return nil, err
	}
	fam, err := plink.ReadFam(set.Fam)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return fail(newError(name, 0, ErrNotVCF, "PLINK .bed without its .fam: %s does not exist (a fileset is X.bed, X.bim and X.fam)", set.Fam))
		}
		return fail(err)
	}
	bimF, err := os.Open(set.Bim)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return fail(newError(name, 0, ErrNotVCF, "PLINK .bed without its .bim: %s does not exist (a fileset is X.bed, X.bim and X.fam)", set.Bim))
		}
		return fail(err)
	}
	nVar, err := plink.CountLines(bimF)
	if err == nil {
		_, err = bimF.Seek(0, io.SeekStart)
	}
	if err != nil {
		bimF.Close()
		return fail(fmt.Errorf("read %s: %w", set.Bim, err))
	}
	ps := &plinkSource{set: set, n: len(fam), bpv: plink.BytesPerVariant(len(fam)), nVar: nVar, bimF: bimF, bim: bufio.NewReaderSize(bimF, 1<<16)}
	if fi, err := f.Stat(); err == nil && fi.Mode().IsRegular() {
		want := int64(len(plink.Magic)) + int64(nVar)*int64(ps.bpv)
		if fi.Size() != want {
			bimF.Close()
			return fail(newError(set.Bed, 0, ErrMalformed, "the .bed has %d bytes, but %s (%d variants) and %s (%d samples) need 3 + %d × %d = %d: the three files do not belong together, or the .bed is truncated",
				fi.Size(), set.Bim, nVar, set.Fam, len(fam), nVar, ps.bpv, want))
		}
	}
	if _, err := br.Discard(len(plink.Magic)); err != nil {
		bimF.Close()
		return fail(newError(set.Bed, 0, ErrTruncated, "truncated .bed"))
	}
	ids := make([]string, len(fam))
	for i, s := range fam {
		ids[i] = s.ID()
	}
	s := &source{path: name, f: f, closer: f, kind: kindPLINK, br: br, ctx: ctx, coff: int64(len(plink.Magic)), plink: ps,
		hdr: &fileHeader{Lines: []string{"##fileformat=VCFv4.2", "##source=PLINK fileset " + set.Bed}, Samples: ids, HasGT: true}}
	s.size, s.regular = statSize(f)
	return s, nil
}

// fill appends the VCF text of the next variants to dst until it holds
// about target bytes (at least one variant), and returns io.EOF after the
// last variant.
func (ps *plinkSource) fill(dst []byte, br *bufio.Reader, target int) ([]byte, int64, error) {
	var read int64
	if cap(ps.row) < ps.bpv {
		ps.row = make([]byte, ps.bpv)
	}
	row := ps.row[:ps.bpv]
	for len(dst) < target || read == 0 {
		if ps.line == ps.nVar {
			return dst, read, io.EOF
		}
		l, err := ps.bim.ReadSlice('\n')
		if err == bufio.ErrBufferFull {
			return dst, read, newError(ps.set.Bim, ps.line+1, ErrMalformed, "a .bim line longer than 64 KB%s", "")
		}
		if err != nil && err != io.EOF {
			return dst, read, &Error{Path: ps.set.Bim, Msg: err.Error(), Err: err}
		}
		if len(l) == 0 {
			return dst, read, newError(ps.set.Bim, ps.line+1, ErrTruncated, "the .bim ended early (it changed while being read?)")
		}
		ps.line++
		v, perr := plink.ParseBimLine(ps.set.Bim, ps.line, bytes.TrimSuffix(l, []byte{'\n'}))
		if perr != nil {
			return dst, read, &Error{Path: ps.set.Bim, Line: ps.line, Msg: perr.(*plink.Error).Msg, Err: ErrMalformed}
		}
		if _, err := io.ReadFull(br, row); err != nil {
			return dst, read, newError(ps.set.Bed, 0, ErrTruncated, "truncated .bed: it ends inside the row of variant %d (%s line %d)", ps.line, ps.set.Bim, ps.line)
		}
		read += int64(ps.bpv)
		ref, alt := v.A2, v.A1
		if ref == "0" {
			ref = "N" // no REF allele: not a SNP
		}
		if alt == "0" {
			alt = "." // monomorphic: no ALT allele
		}
		dst = append(dst, v.Chrom...)
		dst = append(dst, '\t')
		dst = strconv.AppendInt(dst, int64(v.Pos), 10)
		dst = append(dst, '\t')
		dst = append(dst, v.ID...)
		dst = append(dst, '\t')
		dst = append(dst, ref...)
		dst = append(dst, '\t')
		dst = append(dst, alt...)
		dst = append(dst, "\t.\t.\t.\tGT"...)
		full := ps.n / 4
		for _, b := range row[:full] {
			dst = append(dst, gtText[b][:]...)
		}
		if r := ps.n - 4*full; r > 0 {
			dst = append(dst, gtText[row[full]][:4*r]...)
		}
		dst = append(dst, '\n')
	}
	return dst, read, nil
}

func (ps *plinkSource) close() {
	ps.bimF.Close()
}

// plinkHint returns the hint for an input that is not VCF text when its
// name says it is a .bim or .fam of a fileset, or "".
func plinkHint(path string) string {
	for _, ext := range []string{".bim", ".fam"} {
		if prefix, ok := strings.CutSuffix(path, ext); ok {
			if _, err := os.Stat(prefix + ".bed"); err == nil {
				return fmt.Sprintf("%s is the %s of a PLINK fileset; give its .bed (%s.bed) or prefix (%s)", path, ext, prefix, prefix)
			}
			return fmt.Sprintf("%s looks like the %s of a PLINK fileset; gousynth reads the fileset through its .bed", path, ext)
		}
	}
	return ""
}
