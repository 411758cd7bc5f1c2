package vcf

import (
	"fmt"
	"strings"

	"github.com/gousynth/gousynth/plink"
)

// SiteWriter is what Create and CreatePLINK return: a writer of sites in
// order, published by Close.
type SiteWriter interface {
	Write(site Site, dosage, haps []int8) error
	WritePloidy(site Site, dosage, haps, ploidy []int8) error
	Close() error
	Abort()
	IndexPath() string
}

// IsPLINKOutput reports whether an output path names a PLINK 1 fileset
// (it ends in .bed) rather than a VCF.
func IsPLINKOutput(path string) bool { return strings.HasSuffix(path, ".bed") }

// CreateOutput starts writing path: a PLINK 1 fileset when it ends in .bed
// (CreatePLINK), else a bgzipped VCF (Create).
func CreateOutput(path string, h Header) (SiteWriter, error) {
	if IsPLINKOutput(path) {
		return CreatePLINK(path, h)
	}
	return Create(path, h)
}

// PLINKWriter writes sites as a PLINK 1 fileset (X.bed, X.bim, X.fam; see
// package plink): ALT is A1, REF is A2, and the dosage is the count of A1.
// A PLINK fileset has no header: of h, only Samples and Contigs (the order
// check) are used. Sites must be sorted as for Writer.
type PLINKWriter struct {
	w       *plink.Writer
	path    string
	n       int
	tids    map[string]int
	lastTid int
	lastPos int
	dos     []int8
}

// CreatePLINK starts writing the fileset of path ("X.bed" writes X.bed,
// X.bim and X.fam); the three files appear together when Close succeeds.
func CreatePLINK(path string, h Header) (*PLINKWriter, error) {
	if err := checkHeader(h); err != nil {
		return nil, &Error{Path: path, Msg: err.Error(), Err: ErrWrite}
	}
	w, err := plink.Create(path, h.Samples)
	if err != nil {
		return nil, err
	}
	pw := &PLINKWriter{w: w, path: path, n: len(h.Samples), tids: map[string]int{}, lastTid: -1}
	for i, c := range h.Contigs {
		pw.tids[c.ID] = i
	}
	return pw, nil
}

// Write appends one site (see Writer.Write; haplotypes, when given without
// dosages, are summed).
func (w *PLINKWriter) Write(site Site, dosage, haps []int8) error {
	return w.WritePloidy(site, dosage, haps, nil)
}

// WritePloidy is Write; a .bed has no ploidy, and a haploid call, coded as
// a homozygote (see Genotypes), is written as one, as plink does.
func (w *PLINKWriter) WritePloidy(site Site, dosage, haps, ploidy []int8) error {
	if dosage == nil && haps != nil {
		w.dos = w.dos[:0]
		for s := 0; 2*s+1 < len(haps); s++ {
			h0, h1 := haps[2*s], haps[2*s+1]
			switch {
			case h0 == Missing:
				w.dos = append(w.dos, Missing)
			case h1 == Missing && ploidy != nil && ploidy[s] == 1 || h1 == Missing && ploidy == nil:
				w.dos = append(w.dos, 2*h0)
			case h1 == Missing:
				w.dos = append(w.dos, Missing)
			default:
				w.dos = append(w.dos, h0+h1)
			}
		}
		dosage = w.dos
	}
	if len(w.tids) > 0 {
		tid, ok := w.tids[site.Chrom]
		switch {
		case !ok:
			return w.fail(fmt.Errorf("site %s:%d: contig %q is not declared in Header.Contigs", site.Chrom, site.Pos, site.Chrom))
		case tid < w.lastTid || tid == w.lastTid && site.Pos < w.lastPos:
			return w.fail(fmt.Errorf("site %s:%d: sites are not sorted (contig order of the header, then position)", site.Chrom, site.Pos))
		}
		w.lastTid, w.lastPos = tid, site.Pos
	}
	id := site.ID
	if id == "" {
		id = "."
	}
	return w.w.Write(plink.Variant{Chrom: site.Chrom, ID: id, CM: "0", Pos: site.Pos, A1: site.Alt, A2: site.Ref}, dosage)
}

func (w *PLINKWriter) fail(err error) error {
	e := &Error{Path: w.path, Msg: err.Error(), Err: ErrWrite}
	w.w.Abort()
	return e
}

// Close publishes the fileset.
func (w *PLINKWriter) Close() error { return w.w.Close() }

// Abort discards the output. It is safe to call after Close.
func (w *PLINKWriter) Abort() { w.w.Abort() }

// IndexPath returns "": a fileset has no index.
func (w *PLINKWriter) IndexPath() string { return "" }

// Fileset returns the names of the three files.
func (w *PLINKWriter) Fileset() plink.Fileset { return w.w.Fileset() }
