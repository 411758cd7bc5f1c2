//go:build unix

package atomicfile

import (
	"errors"
	"syscall"
)

// processAlive reports whether a process pid exists (kill with signal 0:
// only ESRCH says it does not).
func processAlive(pid int) bool {
	err := syscall.Kill(pid, 0)
	return !errors.Is(err, syscall.ESRCH)
}
