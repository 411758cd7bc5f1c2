// Package app is gousynth's application layer: what each command does, end
// to end, on top of the library packages (vcf, preprocess, model, chrom,
// report, ...). The command line in cmd/gousynth only parses flags, calls
// one function of this package and prints its result, so that every command
// can be run, and tested, from Go exactly as it runs from a shell.
//
// Every command is one function (Fit, Compare, CompareDist, ...) that takes
// a context and one options struct (FitOptions, CompareOptions, ...): the
// options say everything the command needs, defaults included, and are
// checked as early as they can be, most before any input is read (by the
// struct's Validate method where it has one; a few, such as one file per
// chromosome, need the data). An invalid option is an error wrapping
// ErrBadOption. Nothing here panics on user input or exits: errors go back
// to cmd, which decides the exit code. The steps several commands share
// (Prepare: read, filter, split and impute the input; fit, generate and
// evaluate one model) are functions of their own, not copies in each
// command.
//
// What a command writes appears all together or not at all: the outputs are
// staged in a hidden directory inside the output directory
// (internal/atomicfile) and moved into place only once every one of them,
// run.log last, was written without error; a failure or a cancelled context
// leaves what was there before as it was. Error messages name the final
// paths, not the staged ones.
//
// Outputs with the same seed are byte-identical. One --seed drives a run,
// but each stage draws from its own stream derived from it (stageSeed: the
// split, the model, generation, the report's metrics), so that a change to
// one stage (another model configuration, a larger synthetic cohort) does
// not shift the random numbers of the others, and the processes compared on
// one split get the same seeds.
//
// A windowed fit (more SNPs than one model's budget, or genome mode: one
// fit over several chromosomes of the same individuals, genome.go) runs in
// one process (Fit), or as three stages with files between them, for a
// workflow engine to run its windows as jobs (stages.go): Plan prepares the
// data and writes the shared state and one job file per window, FitWindow
// runs one job and writes its result, and Assemble reads every result in
// window order and writes, byte for byte, what Fit writes.
package app
