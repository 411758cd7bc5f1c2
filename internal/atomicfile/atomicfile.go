// Package atomicfile writes output files all at once or not at all.
//
// gousynth never leaves a half-written output: every file is written to a
// temporary file in the target directory and renamed over the target only
// after it was written, synced and closed without error. A process killed in
// between leaves at most a hidden ".name.tmp-*" file, which Abort (or the
// interrupt handler of the command line) removes.
package atomicfile

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
)

// File is an output file under construction. Write to it, then call Commit to
// publish it under its final name, or Abort to discard it.
type File struct {
	*os.File
	path string
	done bool
}

var (
	mu      sync.Mutex
	pending = map[string]struct{}{}
)

// Create opens a temporary file next to path. The file appears under path
// only when Commit succeeds.
func Create(path string) (*File, error) {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	f, err := os.CreateTemp(dir, "."+base+".tmp-*")
	if err != nil {
		return nil, fmt.Errorf("create %s: %w", path, err)
	}
	mu.Lock()
	pending[f.Name()] = struct{}{}
	mu.Unlock()
	return &File{File: f, path: path}, nil
}

// Path returns the final path of the file.
func (f *File) Path() string { return f.path }

// Commit syncs and closes the temporary file and renames it to its final path.
func (f *File) Commit() error {
	if f.done {
		return errors.New("atomicfile: commit after commit or abort")
	}
	f.done = true
	tmp := f.Name()
	defer forget(tmp)
	if err := f.Sync(); err != nil {
		f.Close()
		os.Remove(tmp)
		return fmt.Errorf("write %s: %w", f.path, err)
	}
	if err := f.Close(); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("write %s: %w", f.path, err)
	}
	if err := os.Chmod(tmp, 0o644); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("write %s: %w", f.path, err)
	}
	if err := os.Rename(tmp, f.path); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("write %s: %w", f.path, err)
	}
	return nil
}

// Abort closes and removes the temporary file. It is safe to call after
// Commit, where it does nothing, so `defer f.Abort()` is the usual pattern.
func (f *File) Abort() {
	if f.done {
		return
	}
	f.done = true
	f.Close()
	os.Remove(f.Name())
	forget(f.Name())
}

func forget(tmp string) {
	mu.Lock()
	delete(pending, tmp)
	mu.Unlock()
}

// RemovePending removes every temporary file and staging directory created by
// this process that has been neither committed nor aborted. The command line calls it when it is
// interrupted, before it exits.
func RemovePending() {
	mu.Lock()
	defer mu.Unlock()
	for tmp := range pending {
		os.Remove(tmp)
		delete(pending, tmp)
	}
	for dir, created := range pendingDirs {
		os.RemoveAll(dir)
		if created != "" {
			os.Remove(created) // only if empty
		}
		delete(pendingDirs, dir)
	}
}

// WriteFile writes data to path atomically.
func WriteFile(path string, data []byte) error {
	f, err := Create(path)
	if err != nil {
		return err
	}
	defer f.Abort()
	if _, err := f.Write(data); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return f.Commit()
}
