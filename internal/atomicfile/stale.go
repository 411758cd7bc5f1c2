package atomicfile

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// LegacyStaleAge is how old a temporary file or staging directory of a
// gousynth version that did not name them after its process must be before
// RemoveStale deletes it.
const LegacyStaleAge = 24 * time.Hour

// RemoveStale deletes, in dir, the temporary files (".NAME.tmp-PID-*") and
// staging directories (".gousynth-staging-PID-*") left by gousynth processes
// that were killed: those whose process PID no longer runs on this machine.
// Names without a process id (older versions) are deleted once older than
// LegacyStaleAge. Nothing else is ever touched. Errors are ignored: it is
// housekeeping.
func RemoveStale(dir string) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	for _, e := range entries {
		name := e.Name()
		if !strings.HasPrefix(name, ".") {
			continue
		}
		var rest string
		isDir := false
		if r, ok := strings.CutPrefix(name, stagingPrefix); ok {
			rest, isDir = r, true
		} else if i := strings.LastIndex(name, ".tmp-"); i > 1 {
			rest = name[i+len(".tmp-"):]
		} else {
			continue
		}
		if isDir != e.IsDir() || !isDir && !e.Type().IsRegular() {
			continue
		}
		if !stale(rest, e) {
			continue
		}
		path := filepath.Join(dir, name)
		if isDir {
			os.RemoveAll(path)
		} else {
			os.Remove(path)
		}
	}
}

// stale reports whether the temporary name's suffix rest ("PID-RANDOM" or,
// from older versions, "RANDOM") belongs to a process that is gone.
func stale(rest string, e os.DirEntry) bool {
	pidStr, random, ok := strings.Cut(rest, "-")
	if !ok || !allDigits(pidStr) || random == "" {
		if !allDigits(rest) {
			return false // not a name gousynth makes
		}
		fi, err := e.Info()
		return err == nil && time.Since(fi.ModTime()) > LegacyStaleAge
	}
	pid, err := strconv.Atoi(pidStr)
	if err != nil || pid <= 0 || pid == os.Getpid() {
		return false
	}
	return !processAlive(pid)
}

func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}
