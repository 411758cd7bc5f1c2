package plink

import (
	"bufio"
	"fmt"
	"strconv"
	"strings"

	"github.com/gousynth/gousynth/internal/atomicfile"
)

// Writer writes a fileset. Nothing appears under the three names until
// Close succeeds, and then all three appear together (atomicfile.CommitAll).
type Writer struct {
	set           Fileset
	n             int
	bed, bim, fam *atomicfile.File
	bedW, bimW    *bufio.Writer
	row           []byte
	err           error
	done          bool
}

// Create starts writing the fileset of path (OutputFileset: "X.bed" or
// "X") with the given sample IDs, written to the .fam as FID "0", IID id,
// unknown parents, sex and phenotype. A fileset is three files: it cannot go
// to standard output.
func Create(path string, samples []string) (*Writer, error) {
	set := OutputFileset(path)
	if path == atomicfile.Stdout || atomicfile.IsStream(set.Bed) {
		return nil, fmt.Errorf("%s: a PLINK fileset is three files (.bed, .bim, .fam) and cannot be streamed; give a file name X.bed", path)
	}
	seen := map[string]bool{}
	for _, s := range samples {
		if s == "" || strings.ContainsAny(s, " \t\n\r") {
			return nil, fmt.Errorf("%s: sample ID %q cannot be written to a .fam file (empty or with whitespace)", set.Fam, s)
		}
		if seen[s] {
			return nil, fmt.Errorf("%s: duplicate sample ID %q", set.Fam, s)
		}
		seen[s] = true
	}
	w := &Writer{set: set, n: len(samples)}
	var err error
	if w.bed, err = atomicfile.Create(set.Bed); err != nil {
		return nil, err
	}
	if w.bim, err = atomicfile.Create(set.Bim); err != nil {
		w.bed.Abort()
		return nil, err
	}
	if w.fam, err = atomicfile.Create(set.Fam); err != nil {
		w.bed.Abort()
		w.bim.Abort()
		return nil, err
	}
	fw := bufio.NewWriter(w.fam)
	for _, s := range samples {
		fw.WriteString("0\t" + s + "\t0\t0\t0\t-9\n")
	}
	if err := fw.Flush(); err != nil {
		w.Abort()
		return nil, fmt.Errorf("write %s: %w", set.Fam, err)
	}
	w.bedW = bufio.NewWriterSize(w.bed, 1<<20)
	w.bimW = bufio.NewWriterSize(w.bim, 1<<16)
	w.bedW.Write(Magic)
	return w, nil
}

// Fileset returns the names of the files Close publishes.
func (w *Writer) Fileset() Fileset { return w.set }

// Write appends one variant with its dosages (count of A1 alleles, one per
// sample; Missing for a missing call).
func (w *Writer) Write(v Variant, dosage []int8) error {
	if w.err != nil {
		return w.err
	}
	if w.done {
		return fmt.Errorf("write %s: write after close", w.set.Bed)
	}
	if err := w.write(v, dosage); err != nil {
		w.err = err
		return err
	}
	return nil
}

func (w *Writer) write(v Variant, dosage []int8) error {
	if len(dosage) != w.n {
		return fmt.Errorf("write %s: site %s:%d: got %d dosages, want %d", w.set.Bed, v.Chrom, v.Pos, len(dosage), w.n)
	}
	for _, f := range []string{v.Chrom, v.ID, v.A1, v.A2} {
		if f == "" || strings.ContainsAny(f, " \t\n\r") {
			return fmt.Errorf("write %s: site %s:%d: %q cannot be written to a .bim column (empty or with whitespace)", w.set.Bim, v.Chrom, v.Pos, f)
		}
	}
	for _, d := range dosage {
		if d < Missing || d > 2 {
			return fmt.Errorf("write %s: site %s:%d: dosage %d not in {0, 1, 2, Missing}", w.set.Bed, v.Chrom, v.Pos, d)
		}
	}
	cm := v.CM
	if cm == "" {
		cm = "0"
	}
	w.bimW.WriteString(v.Chrom + "\t" + v.ID + "\t" + cm + "\t" + strconv.Itoa(v.Pos) + "\t" + v.A1 + "\t" + v.A2 + "\n")
	w.row = EncodeRow(w.row[:0], dosage)
	if _, err := w.bedW.Write(w.row); err != nil {
		return fmt.Errorf("write %s: %w", w.set.Bed, err)
	}
	return nil
}

// Close finishes the three files and publishes them together. After a
// failed Write, Close discards them and returns that error.
func (w *Writer) Close() error {
	if w.done {
		return w.err
	}
	if w.err != nil {
		w.Abort()
		return w.err
	}
	w.done = true
	if err := w.bedW.Flush(); err != nil {
		w.abortFiles()
		return fmt.Errorf("write %s: %w", w.set.Bed, err)
	}
	if err := w.bimW.Flush(); err != nil {
		w.abortFiles()
		return fmt.Errorf("write %s: %w", w.set.Bim, err)
	}
	return atomicfile.CommitAll(w.bed, w.bim, w.fam)
}

// Abort discards the output. It is safe to call after Close.
func (w *Writer) Abort() {
	if w.done && w.err == nil {
		return
	}
	if w.err == nil {
		w.err = fmt.Errorf("write %s: output aborted", w.set.Bed)
	}
	w.done = true
	w.abortFiles()
}

func (w *Writer) abortFiles() {
	w.bed.Abort()
	w.bim.Abort()
	w.fam.Abort()
}
