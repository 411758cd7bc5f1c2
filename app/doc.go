// Package app is gousynth's application layer. It runs the end-to-end
// job of every command on top of the library packages: read a VCF, filter, split individuals into training and test
// sets, fit one or more diffusion models, generate synthetic cohorts and
// evaluate them, writing every output of a run together or not at all. The
// command line is a thin layer over it (fit, compare, simulate, generate, ...), so that the same job
// can be run, and tested, from Go. A windowed fit also runs as three
// stages with files between them (Plan, FitWindow, Assemble; stages.go),
// for a workflow engine to run its windows as jobs.
package app
