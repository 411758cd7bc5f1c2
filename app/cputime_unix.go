//go:build unix

package app

import (
	"math"
	"syscall"
)

// processCPUSeconds returns the CPU time (user + system) this process has
// used so far, or NaN when the system does not say.
func processCPUSeconds() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return math.NaN()
	}
	return float64(ru.Utime.Nano()+ru.Stime.Nano()) / 1e9
}
