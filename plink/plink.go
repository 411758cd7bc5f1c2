package plink

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
)

// Magic is the first three bytes of a SNP-major .bed file.
var Magic = []byte{0x6c, 0x1b, 0x01}

// Missing is the dosage of a missing call (the same value as vcf.Missing).
const Missing int8 = -1

// ErrFormat marks a malformed .bed, .bim or .fam file.
var ErrFormat = errors.New("malformed PLINK file")

// Error is an error in a fileset's file, with the line (1-based; 0 when
// the error is not on a line).
type Error struct {
	Path string
	Line int
	Msg  string
}

// Error returns "path:line: message".
func (e *Error) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", e.Path, e.Line, e.Msg)
	}
	return e.Path + ": " + e.Msg
}

// Unwrap returns ErrFormat.
func (e *Error) Unwrap() error { return ErrFormat }

func errorf(path string, line int, format string, a ...any) *Error {
	return &Error{Path: path, Line: line, Msg: fmt.Sprintf(format, a...)}
}

// IsBed reports whether b starts with the magic of a SNP-major .bed.
func IsBed(b []byte) bool { return bytes.HasPrefix(b, Magic) }

// IsIndividualMajorBed reports whether b starts like a .bed of the
// individual-major layout of plink before 1.0, which gousynth does not read.
func IsIndividualMajorBed(b []byte) bool {
	return len(b) >= 3 && b[0] == 0x6c && b[1] == 0x1b && b[2] == 0x00
}

// Fileset names the three files of a fileset.
type Fileset struct {
	Bed, Bim, Fam string
}

// FilesetOf returns the fileset of path: path itself is the .bed, and the
// .bim and .fam are path with its ".bed" suffix (if any) replaced.
func FilesetOf(path string) Fileset {
	prefix := strings.TrimSuffix(path, ".bed")
	return Fileset{Bed: path, Bim: prefix + ".bim", Fam: prefix + ".fam"}
}

// OutputFileset returns the fileset an output path names: "X.bed" (or the
// prefix "X") writes X.bed, X.bim and X.fam.
func OutputFileset(path string) Fileset {
	prefix := strings.TrimSuffix(path, ".bed")
	return Fileset{Bed: prefix + ".bed", Bim: prefix + ".bim", Fam: prefix + ".fam"}
}

// BytesPerVariant is the size of one variant's row in a .bed of n samples.
func BytesPerVariant(n int) int { return (n + 3) / 4 }

// Sample is one line of a .fam file.
type Sample struct {
	FID, IID, Father, Mother, Sex, Phenotype string
}

// ID is the sample's ID in a VCF: IID when FID is "0" or equals IID, else
// FID_IID (plink2 --export vcf's naming).
func (s Sample) ID() string {
	if s.FID == "0" || s.FID == s.IID {
		return s.IID
	}
	return s.FID + "_" + s.IID
}

// ReadFam reads a .fam file: six whitespace-separated columns per line.
func ReadFam(path string) ([]Sample, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return ParseFam(path, data)
}

// ParseFam parses the contents of a .fam file named path (for messages).
// Sample IDs (see Sample.ID) must be unique.
func ParseFam(path string, data []byte) ([]Sample, error) {
	var out []Sample
	seen := map[string]int{}
	line := 0
	for len(data) > 0 {
		line++
		var l []byte
		if k := bytes.IndexByte(data, '\n'); k >= 0 {
			l, data = data[:k], data[k+1:]
		} else {
			l, data = data, nil
		}
		f := bytes.Fields(l)
		if len(f) == 0 {
			return nil, errorf(path, line, "empty line in a .fam file")
		}
		if len(f) != 6 {
			return nil, errorf(path, line, "a .fam line has 6 columns (FID IID father mother sex phenotype), this one has %d%s", len(f), notText(l))
		}
		s := Sample{string(f[0]), string(f[1]), string(f[2]), string(f[3]), string(f[4]), string(f[5])}
		id := s.ID()
		if first, ok := seen[id]; ok {
			return nil, errorf(path, line, "duplicate sample ID %q (first on line %d)", id, first)
		}
		seen[id] = line
		out = append(out, s)
	}
	return out, nil
}

// notText says so when a line holds bytes that are not text (a binary file
// given as .fam or .bim), so that messages never quote such bytes.
func notText(l []byte) string {
	for _, c := range l {
		if c < 0x20 && c != '\t' && c != '\r' || c == 0x7f {
			return " (the file is not text)"
		}
	}
	return ""
}

// Variant is one line of a .bim file.
type Variant struct {
	Chrom string
	ID    string
	CM    string // genetic position, as written ("0" when unknown)
	Pos   int    // base-pair position
	A1    string // allele 1: ALT (usually the minor allele); "0" when absent
	A2    string // allele 2: REF; "0" when absent
}

// MaxPos is the largest position a .bim may give (the VCF limit, 2^31-1).
const MaxPos = 1<<31 - 1

// ParseBimLine parses one .bim line (without its newline); path and line
// name it in errors.
func ParseBimLine(path string, line int, l []byte) (Variant, error) {
	var f [7][]byte
	n := 0
	for rest := l; ; {
		rest = bytes.TrimLeft(rest, " \t\r")
		if len(rest) == 0 {
			break
		}
		k := bytes.IndexAny(rest, " \t\r")
		if k < 0 {
			k = len(rest)
		}
		if n < len(f) {
			f[n] = rest[:k]
		}
		n++
		rest = rest[k:]
	}
	if n == 0 {
		return Variant{}, errorf(path, line, "empty line in a .bim file")
	}
	if n != 6 {
		return Variant{}, errorf(path, line, "a .bim line has 6 columns (chromosome ID cM position allele1 allele2), this one has %d%s", n, notText(l))
	}
	pos, err := strconv.Atoi(string(f[3]))
	if err != nil {
		return Variant{}, errorf(path, line, "non-numeric position %q%s", clip(f[3]), notText(f[3]))
	}
	if pos < 1 || pos > MaxPos {
		return Variant{}, errorf(path, line, "position %d is outside 1 to 2^31-1 (a VCF position)", pos)
	}
	return Variant{Chrom: string(f[0]), ID: string(f[1]), CM: string(f[2]), Pos: pos, A1: string(f[4]), A2: string(f[5])}, nil
}

func clip(b []byte) string {
	if len(b) > 40 {
		return strconv.Quote(string(b[:40]))[1:] + "..."
	}
	return string(b)
}

// decodeTable[b] holds the dosages (count of A1) of the four genotypes of
// byte b.
var decodeTable = func() (t [256][4]int8) {
	code := [4]int8{2, Missing, 1, 0}
	for b := range 256 {
		for k := range 4 {
			t[b][k] = code[(b>>(2*k))&3]
		}
	}
	return t
}()

// DecodeRow writes the dosages (count of A1 alleles: 0, 1, 2 or Missing) of
// the first len(dst) samples of a .bed row into dst.
func DecodeRow(dst []int8, row []byte) {
	n := len(dst)
	full := n / 4
	for i := range full {
		copy(dst[4*i:4*i+4], decodeTable[row[i]][:])
	}
	for k := 4 * full; k < n; k++ {
		dst[k] = decodeTable[row[full]][k-4*full]
	}
}

// EncodeRow appends the .bed row of dosages (count of A1 alleles; a value
// outside 0..2 is missing) to dst.
func EncodeRow(dst []byte, dosage []int8) []byte {
	codes := [3]byte{3, 2, 0} // dosage 0: hom A2, 1: het, 2: hom A1
	var b byte
	for i, d := range dosage {
		c := byte(1)
		if d >= 0 && d <= 2 {
			c = codes[d]
		}
		b |= c << (2 * (i & 3))
		if i&3 == 3 {
			dst = append(dst, b)
			b = 0
		}
	}
	if len(dosage)&3 != 0 {
		dst = append(dst, b)
	}
	return dst
}

// CountLines returns the number of lines of r (a last line without a
// newline counts).
func CountLines(r io.Reader) (int, error) {
	buf := make([]byte, 1<<16)
	n, last := 0, byte('\n')
	for {
		k, err := r.Read(buf)
		if k > 0 {
			n += bytes.Count(buf[:k], []byte{'\n'})
			last = buf[k-1]
		}
		if err == io.EOF {
			if last != '\n' {
				n++
			}
			return n, nil
		}
		if err != nil {
			return n, err
		}
	}
}
