// Package pathcheck refuses, before any work, a command whose outputs would
// overwrite one of its inputs or one another.
//
// Files are compared by identity, not by name: two existing paths are the
// same file when os.SameFile says so (hard links, symbolic links, "./x" and
// "x"); a path that does not exist yet is compared by its absolute, cleaned
// name after the symbolic links of its parent directory are resolved.
// Derived files count too: a VCF output brings its .tbi, a VCF input its
// .tbi and .csi (VCFInput, VCFOutput).
package pathcheck

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// StdStream is the name of standard input (for an input) or standard
// output (for an output).
const StdStream = "-"

// Set is the files of one command run.
type Set struct {
	files []file
}

type file struct {
	role, path string
	output     bool
	derived    bool // an index the command reads or writes beside another file
}

// Conflict is the error of an output that is an input or another output.
type Conflict struct {
	Output, OutputPath string // the output that would overwrite
	Other, OtherPath   string // what it would overwrite
	OtherIsOutput      bool
}

// Error names both files and what to do.
func (c *Conflict) Error() string {
	if c.OtherIsOutput {
		if c.OutputPath == StdStream {
			return fmt.Sprintf("%s and %s both go to standard output; give one of them a file", c.Other, c.Output)
		}
		return fmt.Sprintf("%s %s and %s %s are the same file; give them different names", c.Other, c.OtherPath, c.Output, c.OutputPath)
	}
	return fmt.Sprintf("%s %s is the same file as %s %s: writing it would destroy the input; choose another output", c.Output, c.OutputPath, c.Other, c.OtherPath)
}

// Input adds an input file; "" (not given) and "-" (standard input) are
// ignored.
func (s *Set) Input(role, path string) {
	if path != "" && path != StdStream {
		s.files = append(s.files, file{role: role, path: path})
	}
}

// VCFInput adds an input VCF and the .tbi and .csi indexes beside it. A
// genotype input may also be a PLINK fileset, named by its .bed or its
// prefix X: the .bim and .fam beside it (and X.bed) are added as inputs too
// when they exist.
func (s *Set) VCFInput(role, path string) {
	if path == "" || path == StdStream {
		return
	}
	if _, err := os.Stat(path); err != nil && exists(path+".bed") {
		// The prefix of a fileset.
		s.Input(role, path+".bed")
	} else {
		s.Input(role, path)
	}
	s.files = append(s.files, file{role: "index of " + role, path: path + ".tbi", derived: true},
		file{role: "index of " + role, path: path + ".csi", derived: true})
	prefix := strings.TrimSuffix(path, ".bed")
	for _, ext := range []string{".bim", ".fam"} {
		s.files = append(s.files, file{role: ext + " of " + role, path: prefix + ext, derived: true})
	}
}

func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// PLINKOutput adds an output PLINK fileset named by X.bed (or the prefix
// X): X.bed, X.bim and X.fam.
func (s *Set) PLINKOutput(role, path string) {
	if path == "" {
		return
	}
	prefix := strings.TrimSuffix(path, ".bed")
	s.Output(role, prefix+".bed")
	s.files = append(s.files, file{role: ".bim of " + role, path: prefix + ".bim", output: true, derived: true},
		file{role: ".fam of " + role, path: prefix + ".fam", output: true, derived: true})
}

// Output adds an output file; "" (not given) is ignored, "-" is standard
// output, which only one output may use.
func (s *Set) Output(role, path string) {
	if path != "" {
		s.files = append(s.files, file{role: role, path: path, output: true})
	}
}

// VCFOutput adds an output VCF and, unless it is standard output, the .tbi
// index written beside it.
func (s *Set) VCFOutput(role, path string) {
	s.Output(role, path)
	if path != "" && path != StdStream {
		s.files = append(s.files, file{role: "index of " + role, path: path + ".tbi", output: true, derived: true})
	}
}

// identity is what a path names.
type identity struct {
	info fs.FileInfo // nil when the file does not exist
	name string      // absolute, cleaned, links resolved as far as they exist
}

func identify(path string) identity {
	if path == StdStream {
		return identity{name: StdStream}
	}
	id := identity{}
	if fi, err := os.Stat(path); err == nil {
		id.info = fi
	}
	if r, err := filepath.EvalSymlinks(path); err == nil {
		if a, err := filepath.Abs(r); err == nil {
			id.name = a
			return id
		}
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		abs = filepath.Clean(path)
	}
	dir, base := filepath.Split(abs)
	if r, err := filepath.EvalSymlinks(dir); err == nil {
		abs = filepath.Join(r, base)
	} else if link, err := os.Readlink(abs); err == nil {
		// A dangling link: the file it would create.
		if !filepath.IsAbs(link) {
			link = filepath.Join(dir, link)
		}
		abs = filepath.Clean(link)
	}
	id.name = abs
	return id
}

func same(a, b identity) bool {
	if a.info != nil && b.info != nil {
		return os.SameFile(a.info, b.info)
	}
	return a.name == b.name
}

// writeThrough reports whether an existing output is a device such as
// /dev/null, which any number of outputs may share harmlessly.
func writeThrough(id identity) bool {
	return id.info != nil && id.info.Mode()&(fs.ModeCharDevice|fs.ModeDevice) != 0
}

// Check returns a *Conflict when an output is the same file as an input or
// as another output, and a *NotAFile when an input is a directory or a
// socket or an output is a directory. It reads only file metadata.
func (s *Set) Check() error {
	ids := make([]identity, len(s.files))
	for i, f := range s.files {
		if !f.output && !f.derived {
			if err := CheckInput(f.role, f.path); err != nil {
				return err
			}
		}
		ids[i] = identify(f.path)
		if f.output && ids[i].info != nil && ids[i].info.IsDir() {
			return &NotAFile{Role: f.role, Path: f.path, Kind: "is a directory"}
		}
	}
	for i, o := range s.files {
		if !o.output || writeThrough(ids[i]) {
			continue
		}
		for j, other := range s.files {
			if i == j || other.output && j > i {
				continue
			}
			if other.derived && !other.output && ids[j].info == nil {
				continue // an index that is not there cannot be destroyed
			}
			if same(ids[i], ids[j]) {
				return &Conflict{Output: o.role, OutputPath: o.path, Other: other.role, OtherPath: other.path, OtherIsOutput: other.output}
			}
		}
	}
	return nil
}

// NotAFile is the error of an input that is a directory (or another thing
// that cannot be read as a file).
type NotAFile struct {
	Role, Path, Kind string
}

// Error names the file and what it is.
func (e *NotAFile) Error() string {
	return fmt.Sprintf("%s: %s, not a file (%s)", e.Path, e.Kind, e.Role)
}

// CheckInput returns an error naming path when it cannot be read as a file:
// a directory or a socket. A FIFO or a device (e.g. /dev/stdin, a process
// substitution) is accepted; a missing file is left to the reader's error.
func CheckInput(role, path string) error {
	if path == "" || path == StdStream {
		return nil
	}
	fi, err := os.Stat(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		return err
	}
	switch {
	case fi.IsDir():
		return &NotAFile{Role: role, Path: path, Kind: "is a directory"}
	case fi.Mode()&fs.ModeSocket != 0:
		return &NotAFile{Role: role, Path: path, Kind: "is a socket"}
	}
	return nil
}
