//go:build !unix

package app

import "math"

// processCPUSeconds is not measured on this system.
func processCPUSeconds() float64 { return math.NaN() }
