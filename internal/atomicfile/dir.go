package atomicfile

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
)

// Dir stages a set of output files that must appear together: they are
// written inside a hidden staging directory next to the target directory's
// files and moved into place by Commit, so an interrupted run leaves none of
// them behind (RemovePending deletes the staging directory).
type Dir struct {
	target  string
	staging string
	created bool // target did not exist before CreateDir
	done    bool
}

// pendingDirs maps each live staging directory to the target directory that
// CreateDir created for it ("" when the target existed before).
var pendingDirs = map[string]string{}

// CreateDir creates target if needed and a staging directory inside it.
func CreateDir(target string) (*Dir, error) {
	_, statErr := os.Stat(target)
	created := os.IsNotExist(statErr)
	if err := os.MkdirAll(target, 0o755); err != nil {
		return nil, fmt.Errorf("create output directory: %w", err)
	}
	staging, err := os.MkdirTemp(target, ".gousynth-staging-*")
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

// Commit moves every staged file into the target directory, replacing files
// of the same name, and removes the staging directory. It returns the final
// paths in name order.
func (d *Dir) Commit() ([]string, error) {
	if d.done {
		return nil, errors.New("atomicfile: commit after commit or abort")
	}
	d.done = true
	defer d.forget()
	entries, err := os.ReadDir(d.staging)
	if err != nil {
		os.RemoveAll(d.staging)
		return nil, fmt.Errorf("commit outputs: %w", err)
	}
	var names []string
	for _, e := range entries {
		if e.Type().IsRegular() && e.Name()[0] != '.' {
			names = append(names, e.Name())
		}
	}
	sort.Strings(names)
	var out []string
	for _, n := range names {
		if err := os.Rename(d.Path(n), d.Final(n)); err != nil {
			os.RemoveAll(d.staging)
			return out, fmt.Errorf("commit %s: %w", d.Final(n), err)
		}
		out = append(out, d.Final(n))
	}
	os.RemoveAll(d.staging)
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
