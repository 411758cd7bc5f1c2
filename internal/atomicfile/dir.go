package atomicfile

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// Dir stages a set of output files that must appear together: they are
// written inside a hidden staging directory next to the target directory's
// files and moved into place by Commit, so an interrupted run leaves none of
// them behind (RemovePending deletes the staging directory).
//
// In a directory that already holds files of the same names, nothing is
// replaced until every output has been written: Commit then replaces them
// all, or, when one cannot be moved into place, puts back every file it had
// already replaced, so the directory holds either the old set or the new one.
type Dir struct {
	target  string
	staging string
	created bool // target did not exist before CreateDir
	done    bool
}

// pendingDirs maps each live staging directory to the target directory that
// CreateDir created for it ("" when the target existed before).
var pendingDirs = map[string]string{}

// stagingPrefix opens the names of staging directories; the process id
// follows (see RemoveStale).
const stagingPrefix = ".gousynth-staging-"

// CreateDir creates target if needed and a staging directory inside it.
// Stale staging directories and temporary files of killed gousynth runs in
// target are removed first (RemoveStale).
func CreateDir(target string) (*Dir, error) {
	if target == Stdout {
		return nil, fmt.Errorf("create output directory %q: a set of files cannot be written to standard output", target)
	}
	fi, statErr := os.Stat(target)
	created := errors.Is(statErr, os.ErrNotExist)
	if statErr == nil && !fi.IsDir() {
		return nil, fmt.Errorf("create output directory %s: exists and is not a directory", target)
	}
	if err := os.MkdirAll(target, 0o755); err != nil {
		return nil, fmt.Errorf("create output directory: %w", err)
	}
	RemoveStale(target)
	staging, err := os.MkdirTemp(target, stagingPrefix+strconv.Itoa(os.Getpid())+"-*")
	if err != nil {
		return nil, fmt.Errorf("create output directory: %w", err)
	}
	mu.Lock()
	pendingDirs[staging] = ""
	if created {
		pendingDirs[staging] = target
	}
	mu.Unlock()
	return &Dir{target: target, staging: staging, created: created}, nil
}

// Path returns where the file name is to be written while staged.
func (d *Dir) Path(name string) string { return filepath.Join(d.staging, name) }

// Final returns where the file name will be after Commit.
func (d *Dir) Final(name string) string { return filepath.Join(d.target, name) }

// UserError returns err with every staged path in its message replaced by
// the final path, so that messages name the user's files rather than the
// staging directory; errors.Is and errors.As still see err. nil stays nil.
func (d *Dir) UserError(err error) error {
	if err == nil || !strings.Contains(err.Error(), d.staging) {
		return err
	}
	return &userError{msg: strings.ReplaceAll(err.Error(), d.staging, d.target), err: err}
}

type userError struct {
	msg string
	err error
}

func (e *userError) Error() string { return e.msg }
func (e *userError) Unwrap() error { return e.err }

// Commit moves every staged file into the target directory, replacing files
// of the same name, and removes the staging directory. It returns the final
// paths in name order. Either every file is moved or, on an error, none is
// left replaced (see Dir).
func (d *Dir) Commit() ([]string, error) {
	if d.done {
		return nil, errors.New("atomicfile: commit after commit or abort")
	}
	d.done = true
	defer d.forget()
	defer os.RemoveAll(d.staging)
	entries, err := os.ReadDir(d.staging)
	if err != nil {
		return nil, fmt.Errorf("commit outputs: %w", err)
	}
	var names []string
	for _, e := range entries {
		if e.Type().IsRegular() && e.Name()[0] != '.' {
			names = append(names, e.Name())
		}
	}
	sort.Strings(names)
	// Before replacing anything: follow symbolic links to the file they
	// name, and refuse a name that is not a regular file.
	moves := make([]move, len(names))
	out := make([]string, len(names))
	for i, n := range names {
		target, fi, err := resolve(d.Final(n))
		if err == nil && fi != nil && !fi.Mode().IsRegular() {
			err = fmt.Errorf("exists and is not a regular file (%s)", fi.Mode().Type())
		}
		if err != nil {
			return nil, fmt.Errorf("commit %s: %w; nothing in %s was replaced", d.Final(n), err, d.target)
		}
		moves[i] = move{from: d.Path(n), to: target, name: d.Final(n)}
		out[i] = d.Final(n)
	}
	if err := renameAll(moves); err != nil {
		return nil, fmt.Errorf("%w; nothing in %s was replaced", err, d.target)
	}
	return out, nil
}

// Abort removes the staging directory and everything in it, and the target
// directory too when CreateDir created it and it is empty. It does nothing
// after Commit, so `defer d.Abort()` is the usual pattern.
func (d *Dir) Abort() {
	if d.done {
		return
	}
	d.done = true
	os.RemoveAll(d.staging)
	if d.created {
		os.Remove(d.target) // fails, harmlessly, unless empty
	}
	d.forget()
}

func (d *Dir) forget() {
	mu.Lock()
	delete(pendingDirs, d.staging)
	mu.Unlock()
}
