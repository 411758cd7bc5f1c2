// Package atomicfile writes output files all at once or not at all, and
// never destroys what is not a regular file.
//
// gousynth never leaves a half-written output: a regular file (or a path
// that does not exist yet) is written to a temporary file in the target
// directory and renamed over the target only after it was written, synced
// and closed without error. A process killed in between leaves at most a
// hidden ".name.tmp-PID-*" file, which Abort (or the interrupt handler of the
// command line) removes, and which the next gousynth writing into that
// directory removes once process PID is gone (RemoveStale).
//
// Targets that are not regular files are never replaced:
//
//   - "-" is standard output;
//   - a symbolic link is followed: its final target is written (atomically
//     when that is a regular file or does not exist), the link stays;
//   - a FIFO, a character or block device (e.g. /dev/null) is opened and
//     written through directly, as bcftools does: there is no temporary
//     file, so what was written before a failure stays written;
//   - a directory is an error.
package atomicfile

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"sync"
)

// Stdout is the name that means standard output wherever an output can be
// streamed.
const Stdout = "-"

// File is an output file under construction. Write to it, then call Commit to
// publish it under its final name, or Abort to discard it.
type File struct {
	f      *os.File
	path   string // the name given to Create
	target string // the file renamed over on Commit (path with links resolved)
	tmp    string // temporary file; "" when writing through
	close  bool   // close f when done (false for standard output)
	done   bool
}

var (
	mu      sync.Mutex
	pending = map[string]struct{}{}
)

// tmpPrefix is the prefix of the temporary file of base: hidden, named after
// the target and this process's id (see RemoveStale).
func tmpPrefix(base string) string {
	return "." + base + ".tmp-" + strconv.Itoa(os.Getpid()) + "-"
}

// Create starts writing path. For a regular file or a new path the output
// appears under path only when Commit succeeds; see the package doc for
// "-", symbolic links and special files.
func Create(path string) (*File, error) {
	if path == Stdout {
		return &File{f: os.Stdout, path: path}, nil
	}
	target, fi, err := resolve(path)
	if err != nil {
		return nil, fmt.Errorf("create %s: %w", path, err)
	}
	if fi != nil && !fi.Mode().IsRegular() {
		// FIFO, device: write through, never replace.
		f, err := os.OpenFile(target, os.O_WRONLY, 0)
		if err != nil {
			return nil, fmt.Errorf("create %s: %w", path, err)
		}
		return &File{f: f, path: path, target: target, close: true}, nil
	}
	dir, base := filepath.Split(target)
	if dir == "" {
		dir = "."
	}
	RemoveStale(dir)
	f, err := os.CreateTemp(dir, tmpPrefix(base)+"*")
	if err != nil {
		return nil, fmt.Errorf("create %s: %w", path, err)
	}
	mu.Lock()
	pending[f.Name()] = struct{}{}
	mu.Unlock()
	return &File{f: f, path: path, target: target, tmp: f.Name(), close: true}, nil
}

// resolve follows symbolic links at path and returns the file to write with
// its FileInfo (nil when it does not exist). A directory is an error.
func resolve(path string) (string, fs.FileInfo, error) {
	fi, err := os.Lstat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return path, nil, nil
	}
	if err != nil {
		return "", nil, err
	}
	target := path
	if fi.Mode()&fs.ModeSymlink != 0 {
		if target, err = filepath.EvalSymlinks(path); err != nil {
			// A dangling link: write the file it names, like cp and bcftools.
			link, lerr := os.Readlink(path)
			if lerr != nil || !errors.Is(err, fs.ErrNotExist) {
				return "", nil, fmt.Errorf("symbolic link: %w", err)
			}
			if !filepath.IsAbs(link) {
				link = filepath.Join(filepath.Dir(path), link)
			}
			if _, serr := os.Lstat(link); serr == nil {
				return "", nil, fmt.Errorf("symbolic link to %s, which cannot be resolved: %w", link, err)
			}
			return link, nil, nil
		}
		if fi, err = os.Stat(target); err != nil {
			return "", nil, err
		}
	}
	if fi.IsDir() {
		return "", nil, errors.New("is a directory")
	}
	return target, fi, nil
}

// IsStream reports whether path names an output that Create writes through:
// "-" or an existing FIFO or device (after following symbolic links). Such
// an output needs no file-name suffix and gets no index.
func IsStream(path string) bool {
	if path == Stdout {
		return true
	}
	fi, err := os.Stat(path)
	return err == nil && !fi.Mode().IsRegular() && !fi.IsDir()
}

// Write writes to the output.
func (f *File) Write(p []byte) (int, error) { return f.f.Write(p) }

// WriteString writes s to the output.
func (f *File) WriteString(s string) (int, error) { return io.WriteString(f.f, s) }

// Path returns the final path of the file, as given to Create.
func (f *File) Path() string { return f.path }

// Regular reports whether the output is a regular file, published on Commit.
// It is false for standard output, FIFOs and devices, which are written
// through and beside which no index file can be meaningful.
func (f *File) Regular() bool { return f.tmp != "" }

// Commit syncs and closes the temporary file and renames it to its final
// path. For an output written through, it closes it.
func (f *File) Commit() error {
	if f.done {
		return errors.New("atomicfile: commit after commit or abort")
	}
	if err := f.finish(); err != nil {
		return err
	}
	if f.tmp == "" {
		return nil
	}
	defer forget(f.tmp)
	if err := os.Rename(f.tmp, f.target); err != nil {
		os.Remove(f.tmp)
		return fmt.Errorf("write %s: %w", f.path, err)
	}
	return nil
}

// finish flushes and closes the file (temporary or written through) without
// publishing it; on failure it removes the temporary file.
func (f *File) finish() error {
	f.done = true
	if f.tmp == "" {
		if !f.close {
			return nil
		}
		if err := f.f.Close(); err != nil {
			return fmt.Errorf("write %s: %w", f.path, err)
		}
		return nil
	}
	fail := func(err error) error {
		f.f.Close()
		os.Remove(f.tmp)
		forget(f.tmp)
		return fmt.Errorf("write %s: %w", f.path, err)
	}
	if err := f.f.Sync(); err != nil {
		return fail(err)
	}
	if err := f.f.Close(); err != nil {
		return fail(err)
	}
	if err := os.Chmod(f.tmp, 0o644); err != nil {
		return fail(err)
	}
	return nil
}

// Abort closes and removes the temporary file. It is safe to call after
// Commit, where it does nothing, so `defer f.Abort()` is the usual pattern.
// An output written through is closed; what was written stays written.
func (f *File) Abort() {
	if f.done {
		return
	}
	f.done = true
	if f.close {
		f.f.Close()
	}
	if f.tmp != "" {
		os.Remove(f.tmp)
		forget(f.tmp)
	}
}

func forget(tmp string) {
	mu.Lock()
	delete(pending, tmp)
	mu.Unlock()
}

// CommitAll publishes files as one unit: each is synced and closed, then
// they are renamed into place one after the other; when a rename fails, the
// files already renamed are put back as they were (a file they replaced is
// restored, a new one removed), so either all are published or none. A VCF
// and its index are committed this way.
func CommitAll(files ...*File) error {
	for i, f := range files {
		if f.done {
			return errors.New("atomicfile: commit after commit or abort")
		}
		if err := f.finish(); err != nil {
			for _, g := range files[i+1:] {
				g.Abort()
			}
			for _, g := range files[:i] {
				if g.tmp != "" {
					os.Remove(g.tmp)
					forget(g.tmp)
				}
			}
			return err
		}
	}
	var moves []move
	for _, f := range files {
		if f.tmp != "" {
			moves = append(moves, move{from: f.tmp, to: f.target, name: f.path})
		}
	}
	err := renameAll(moves)
	for _, f := range files {
		if f.tmp != "" {
			os.Remove(f.tmp)
			forget(f.tmp)
		}
	}
	return err
}

// move is one rename of a group commit.
type move struct{ from, to, name string }

// renameAll renames every move's from to its to, or none: a target that
// exists is first hard-linked aside, and on failure the renamed targets are
// restored from those links (or removed when they were new).
func renameAll(moves []move) error {
	const keep = "\x00" // the target existed but could not be linked aside
	type undo struct{ to, backup string }
	var done []undo
	rollback := func() {
		for i := len(done) - 1; i >= 0; i-- {
			u := done[i]
			switch u.backup {
			case keep:
			case "":
				os.Remove(u.to)
			default:
				os.Rename(u.backup, u.to)
			}
		}
	}
	var backups []string
	defer func() {
		for _, b := range backups {
			os.Remove(b)
		}
	}()
	for _, m := range moves {
		backup := ""
		if len(moves) > 1 {
			if _, err := os.Lstat(m.to); err == nil {
				dir, base := filepath.Split(m.to)
				if dir == "" {
					dir = "."
				}
				b, err := os.CreateTemp(dir, tmpPrefix(base)+"old-*")
				if err != nil {
					rollback()
					return fmt.Errorf("write %s: %w", m.name, err)
				}
				b.Close()
				os.Remove(b.Name())
				// Without hard links (some file systems), the old file
				// is replaced without a way back.
				if err := os.Link(m.to, b.Name()); err == nil {
					backup = b.Name()
					backups = append(backups, backup)
				} else {
					backup = keep
				}
			}
		}
		if err := os.Rename(m.from, m.to); err != nil {
			rollback()
			return fmt.Errorf("write %s: %w", m.name, err)
		}
		done = append(done, undo{m.to, backup})
	}
	return nil
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

// WriteFile writes data to path atomically (see Create).
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
