package vcf

import (
	"errors"
	"fmt"
)

// Sentinel errors. Every error returned by this package for bad input wraps
// one of them inside an *Error that names the file and line, so callers can
// test the kind with errors.Is and print the error as is.
var (
	// ErrNotVCF: the input is not VCF text (for example BCF, or another format).
	ErrNotVCF = errors.New("not a VCF file")
	// ErrEmpty: the input holds no bytes at all (or only an empty compressed stream).
	ErrEmpty = errors.New("empty file")
	// ErrHeader: the header is missing or malformed.
	ErrHeader = errors.New("malformed header")
	// ErrMalformed: a data line cannot be parsed.
	ErrMalformed = errors.New("malformed record")
	// ErrUnsorted: records are not sorted by position within a contig, or a
	// contig's records are not contiguous.
	ErrUnsorted = errors.New("records not sorted")
	// ErrTruncated: the compressed stream ends early or is corrupt.
	ErrTruncated = errors.New("truncated or corrupt compressed data")
	// ErrUnknownSample: a sample requested in ReadOptions is not in the file.
	ErrUnknownSample = errors.New("unknown sample")
	// ErrSampleList: a list of samples names one twice, or a samples file
	// names none.
	ErrSampleList = errors.New("invalid sample list")
	// ErrRegion: ReadOptions.Region cannot be parsed, or the index cannot be used.
	ErrRegion = errors.New("bad region")
	// ErrIndex: a .tbi/.csi index is malformed.
	ErrIndex = errors.New("malformed index")
	// ErrIndexMismatch: a .tbi/.csi index belongs to another file (its
	// offsets or contigs do not fit the data file).
	ErrIndexMismatch = errors.New("index does not match the data file")
	// ErrWrite: a Writer was used incorrectly (unsorted sites, undeclared
	// contig, wrong number of genotypes, ...).
	ErrWrite = errors.New("invalid VCF output")
)

// Error is an input error located in a file. Line is 1-based; 0 means the
// location is the file as a whole.
type Error struct {
	Path string
	Line int
	Msg  string // what is wrong, without the location
	Err  error  // the sentinel (ErrMalformed, ...) or an underlying error
}

// Error formats the error as "path:line: msg" ("msg" alone when Path is
// empty: the message names the files; "line N: msg" for a line of an
// unnamed input, see ReadOptions.Name).
func (e *Error) Error() string {
	if e.Path == "" {
		if e.Line > 0 {
			return fmt.Sprintf("line %d: %s", e.Line, e.Msg)
		}
		return e.Msg
	}
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", e.Path, e.Line, e.Msg)
	}
	return fmt.Sprintf("%s: %s", e.Path, e.Msg)
}

// Unwrap returns the sentinel error.
func (e *Error) Unwrap() error { return e.Err }

func newError(path string, line int, kind error, format string, a ...any) *Error {
	return &Error{Path: path, Line: line, Msg: fmt.Sprintf(format, a...), Err: kind}
}

// lineError is a parse error before its absolute location is known (parsers
// work on chunks of records); the reader converts it into an *Error.
type lineError struct {
	kind error
	msg  string
	line int // set by the header parser
}

func (e *lineError) Error() string { return e.msg }

func errorf(kind error, format string, a ...any) *lineError {
	return &lineError{kind: kind, msg: fmt.Sprintf(format, a...)}
}
