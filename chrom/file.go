package chrom

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"io"
	"math"
	"os"
	"strconv"
	"strings"

	"gonum.org/v1/gonum/mat"

	"github.com/gousynth/gousynth/autoreg"
	"github.com/gousynth/gousynth/internal/limits"
	"github.com/gousynth/gousynth/model"
	"github.com/gousynth/gousynth/vcf"
)

// Windowed model files (model.gsy of a windowed fit) are laid out as
//
//	magic line "GOUSYNTH-CHROM-MODEL 3\n" (the number is the format version)
//	body:
//	  header   uint32 LE length n, then n bytes of UTF-8 JSON (fileHeader:
//	           options, training size, number of sites and windows, PCs K,
//	           the windows, the input's ##contig and ##reference lines,
//	           the ancestry mixture with, for a fit with
//	           population labels, each component's label and the label
//	           table: names, super-populations, training counts)
//	  sites    uint64 LE length n, then n bytes of text: one line per site,
//	           "CHROM\tPOS\tID\tREF\tALT\n", in the windows' order
//	  PCA      float32 LE: per-site mean (d), per-site scale (d), loadings
//	           (d×K, row-major), score SDs (K)
//	  windows  one record per window, in order:
//	             uint32 LE length n, then n bytes of JSON (fileWindow: the
//	             window, the residual kind, the section sizes), then
//	             float64 LE slope (K) and noise variance (K) of the ancestry
//	             read-out; for the regression conditionings float32 LE
//	             coefficients ((K+1)×w row-major, w = End−Start: intercepts,
//	             then the slopes on the K PC scores), residual mean (w),
//	             residual SD (w) and, with population labels, the per-label
//	             dosage offsets (labels×w); for a latent residual float32 LE
//	             directions (w×rank), autoregression (w×lags) and innovation
//	             SDs (w); then the window's model (a model.Model or
//	             model.ContinuousModel file, Model bytes; absent for a
//	             latent residual of rank 0; for chain conditioning the
//	             autoreg.Model of the window's core sites, autoreg/file.go)
//	SHA-256 of the body (32 bytes)
//
// The checksum is verified before anything is decoded, so a truncated or
// modified file is refused whole. Every float32 section holds values that
// the fit itself rounded to float32 precision before generating, so a
// cohort generated from the file with fit's seed is fit's own cohort.
// Nothing in the file is an individual's genotype or sample ID: means,
// scales, loadings, mixture moments over at least MinClusterSize people,
// regression coefficients, correlation models and network weights.
//
// Format 2 (gob of Go structs) is refused with a request to refit.
const FileMagic = "GOUSYNTH-CHROM-MODEL 3\n"

// fileMagicPrefix is FileMagic without its format version.
const fileMagicPrefix = "GOUSYNTH-CHROM-MODEL "

// Residual kinds of a windowed model file's window records.
const (
	kindModel   = "model"     // a model.Model of dosages (matching conditionings)
	kindDosage  = "dosage"    // a model.ContinuousModel of dosage residuals
	kindLatent  = "latent"    // a LatentResidual
	kindHap     = "haplotype" // a LatentResidual of haplotypes (two draws per person)
	kindChain   = "chain"     // an autoreg.Model of the core sites (CondChain)
	maxJSONSize = 1 << 30     // bound on a JSON section's declared length
	maxWindowPC = 1 << 12     // bound on K read from a file
	maxLagsRank = 1 << 16     // bound on a latent model's rank and lags
	maxModelLen = 1<<40 - 1   // bound on a window model's declared length
)

// isLatentKind reports whether a window record of kind k holds a
// LatentResidual (of genotypes or of haplotypes).
func isLatentKind(k string) bool { return k == kindLatent || k == kindHap }

// FileHeader is the whole-chromosome part of a windowed model file:
// aggregate quantities only (windows, PCA means, scales and loadings, the
// ancestry mixture), never an individual's genotypes.
type FileHeader struct {
	Options  Options
	Sites    []vcf.Site
	Windows  []Window
	PCA      *PCA // at float32 precision (PCA.Float32)
	Mixture  *Mixture
	NumTrain int
	// Contigs and Reference are the training input's ##contig and
	// ##reference lines (reference metadata), which generated VCFs repeat.
	Contigs   []vcf.Contig
	Reference string
}

type fileHeader struct {
	Options   Options      `json:"options"`
	NumTrain  int          `json:"num_train"`
	NumSites  int          `json:"num_sites"`
	PCs       int          `json:"pcs"`
	Windows   []Window     `json:"windows"`
	Mixture   *Mixture     `json:"mixture"`
	Contigs   []vcf.Contig `json:"contigs,omitempty"`
	Reference string       `json:"reference,omitempty"`
}

type fileWindow struct {
	Window     Window `json:"window"`
	Kind       string `json:"kind"`
	Regression bool   `json:"regression"`
	Rank       int    `json:"rank,omitempty"`
	Lags       int    `json:"lags,omitempty"`
	LabelRows  int    `json:"label_rows,omitempty"`
	ModelBytes int64  `json:"model_bytes"`
}

// ErrFileFormat is wrapped by the errors of windowed model files that are
// not of this build's format version.
var ErrFileFormat = errors.New("windowed model file of another format")

// IsFile reports whether path starts like a windowed model file (of any
// format version).
func IsFile(path string) bool {
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	b := make([]byte, len(fileMagicPrefix))
	_, err = io.ReadFull(f, b)
	return err == nil && string(b) == fileMagicPrefix
}

// FileWriter writes a windowed model file to an io.Writer: the header on
// creation, one window per WriteWindow, the checksum on Close.
type FileWriter struct {
	w       *bufio.Writer
	sum     hash.Hash
	hdr     *FileHeader
	next    int
	scratch []byte
	err     error
}

// NewFileWriter writes the magic line, the header, the sites and the PCA of
// h to w. h.PCA must be at float32 precision (PCA.Float32) for generated
// cohorts to equal the fit's.
func NewFileWriter(w io.Writer, h *FileHeader) (*FileWriter, error) {
	if h.PCA == nil || len(h.Sites) != len(h.PCA.Mean) {
		return nil, fmt.Errorf("%w: windowed model file header: PCA of %d sites for %d sites", ErrOption, lenMean(h.PCA), len(h.Sites))
	}
	if _, err := io.WriteString(w, FileMagic); err != nil {
		return nil, err
	}
	fw := &FileWriter{w: bufio.NewWriterSize(w, 1<<16), sum: sha256.New(), hdr: h}
	js, err := json.Marshal(fileHeader{Options: h.Options, NumTrain: h.NumTrain, NumSites: len(h.Sites), PCs: h.PCA.K(), Windows: h.Windows, Mixture: h.Mixture, Contigs: h.Contigs, Reference: h.Reference})
	if err != nil {
		return nil, err
	}
	fw.u32(uint32(len(js)))
	fw.bytes(js)
	var sites bytes.Buffer
	for _, s := range h.Sites {
		if strings.ContainsAny(s.Chrom+s.ID+s.Ref+s.Alt, "\t\n") {
			return nil, fmt.Errorf("%w: site %s:%d has a tab or newline in a field", ErrOption, s.Chrom, s.Pos)
		}
		fmt.Fprintf(&sites, "%s\t%d\t%s\t%s\t%s\n", s.Chrom, s.Pos, s.ID, s.Ref, s.Alt)
	}
	fw.u64(uint64(sites.Len()))
	fw.bytes(sites.Bytes())
	fw.f32(h.PCA.Mean)
	fw.f32(h.PCA.Scale)
	if h.PCA.Loadings != nil { // none when K = 0
		fw.f32(h.PCA.Loadings.RawMatrix().Data)
	}
	fw.f32(h.PCA.SD)
	return fw, fw.err
}

func lenMean(p *PCA) int {
	if p == nil {
		return 0
	}
	return len(p.Mean)
}

func (fw *FileWriter) bytes(b []byte) {
	if fw.err != nil {
		return
	}
	fw.sum.Write(b)
	_, fw.err = fw.w.Write(b)
}

func (fw *FileWriter) u32(v uint32) {
	fw.bytes(binary.LittleEndian.AppendUint32(fw.scratch[:0], v))
}

func (fw *FileWriter) u64(v uint64) {
	fw.bytes(binary.LittleEndian.AppendUint64(fw.scratch[:0], v))
}

func (fw *FileWriter) f64(xs []float64) {
	b := fw.scratch[:0]
	for _, v := range xs {
		b = binary.LittleEndian.AppendUint64(b, math.Float64bits(v))
	}
	fw.scratch = b
	fw.bytes(b)
}

// f32 writes xs (float64 values at float32 precision, or float32 values).
func f32Of[T float32 | float64](fw *FileWriter, xs []T) {
	b := fw.scratch[:0]
	for _, v := range xs {
		b = binary.LittleEndian.AppendUint32(b, math.Float32bits(float32(v)))
	}
	fw.scratch = b
	fw.bytes(b)
}

func (fw *FileWriter) f32(xs []float64) { f32Of(fw, xs) }

// WriteWindow writes the model of the next window (r.Window must be the
// header's next window).
func (fw *FileWriter) WriteWindow(r *Result) error {
	if fw.err != nil {
		return fw.err
	}
	if fw.next >= len(fw.hdr.Windows) || r.Window != fw.hdr.Windows[fw.next] {
		return fmt.Errorf("%w: window %d written out of order (next is %d of %d)", ErrOption, r.Window.Index, fw.next, len(fw.hdr.Windows))
	}
	K := fw.hdr.PCA.K()
	w := r.Window.End - r.Window.Start
	rec := fileWindow{Window: r.Window, Regression: r.Coef != nil, ModelBytes: int64(len(r.Model)), LabelRows: len(r.LabelOffset) / max(w, 1)}
	switch {
	case r.Chain != nil:
		rec.Kind = kindChain
	case r.LatentSD != nil:
		rec.Kind, rec.Rank, rec.Lags = kindLatent, r.LatentRank, r.LatentLags
		if r.Haplotype {
			rec.Kind = kindHap
		}
	case r.Coef != nil:
		rec.Kind = kindDosage
	default:
		rec.Kind = kindModel
	}
	if len(r.Slope) != K || len(r.NoiseVar) != K ||
		(rec.Regression && (len(r.Coef) != (K+1)*w || len(r.ResidMean) != w || len(r.ResidSD) != w)) ||
		len(r.LabelOffset) != rec.LabelRows*w || (rec.LabelRows > 0 && (!rec.Regression || fw.hdr.Mixture == nil || rec.LabelRows != len(fw.hdr.Mixture.LabelTable))) ||
		(isLatentKind(rec.Kind) && (len(r.LatentU) != w*r.LatentRank || len(r.LatentAR) != w*r.LatentLags || len(r.LatentSD) != w)) {
		return fmt.Errorf("%w: window %d has inconsistent section sizes", ErrOption, r.Window.Index)
	}
	js, err := json.Marshal(rec)
	if err != nil {
		return err
	}
	fw.u32(uint32(len(js)))
	fw.bytes(js)
	fw.f64(r.Slope)
	fw.f64(r.NoiseVar)
	if rec.Regression {
		fw.f32(r.Coef)
		fw.f32(r.ResidMean)
		fw.f32(r.ResidSD)
		fw.f32(r.LabelOffset)
	}
	if isLatentKind(rec.Kind) {
		f32Of(fw, r.LatentU)
		f32Of(fw, r.LatentAR)
		f32Of(fw, r.LatentSD)
	}
	fw.bytes(r.Model)
	fw.next++
	return fw.err
}

// Close writes the checksum after the last window. It does not close the
// underlying writer.
func (fw *FileWriter) Close() error {
	if fw.err != nil {
		return fw.err
	}
	if fw.next != len(fw.hdr.Windows) {
		return fmt.Errorf("%w: %d of %d windows written", ErrOption, fw.next, len(fw.hdr.Windows))
	}
	if err := fw.w.Flush(); err != nil {
		return err
	}
	_, err := fw.w.Write(fw.sum.Sum(nil))
	if err == nil {
		err = fw.w.Flush()
	}
	return err
}

// FileReader reads a windowed model file one window at a time.
type FileReader struct {
	f    *os.File
	r    *bufio.Reader
	left int64 // body bytes not yet read
	hdr  *FileHeader
	next int
	path string
}

// OpenFile opens the windowed model file at path: it checks the magic line
// and format version, verifies the checksum of the body and reads the
// header, sites and PCA. Errors name path and wrap model.ErrNotModel,
// ErrFileFormat or model.ErrCorrupt.
func OpenFile(path string) (*FileReader, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	fr, err := openFile(f, path)
	if err != nil {
		f.Close()
		return nil, err
	}
	return fr, nil
}

func openFile(f *os.File, path string) (*FileReader, error) {
	magic := make([]byte, len(FileMagic))
	if _, err := io.ReadFull(f, magic); err != nil || !bytes.HasPrefix(magic, []byte(fileMagicPrefix)) {
		return nil, fmt.Errorf("%s: %w", path, model.ErrNotModel)
	}
	if string(magic) != FileMagic {
		return nil, fmt.Errorf("%s: %w: windowed model format %q, this build reads %q (refit with this version)",
			path, ErrFileFormat, bytes.TrimSpace(magic[len(fileMagicPrefix):]), strings.TrimSpace(FileMagic[len(fileMagicPrefix):]))
	}
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	body := st.Size() - int64(len(magic)) - sha256.Size
	if body <= 0 {
		return nil, fmt.Errorf("%s: %w: truncated windowed model (%d bytes)", path, model.ErrCorrupt, st.Size())
	}
	sum := sha256.New()
	if _, err := io.Copy(sum, io.NewSectionReader(f, int64(len(magic)), body)); err != nil {
		return nil, err
	}
	want := make([]byte, sha256.Size)
	if _, err := f.ReadAt(want, int64(len(magic))+body); err != nil {
		return nil, err
	}
	if !bytes.Equal(sum.Sum(nil), want) {
		return nil, fmt.Errorf("%s: %w: checksum mismatch (truncated or modified)", path, model.ErrCorrupt)
	}
	fr := &FileReader{f: f, r: bufio.NewReaderSize(io.NewSectionReader(f, int64(len(magic)), body), 1<<16), left: body, path: path}
	if fr.hdr, err = fr.readHeader(); err != nil {
		return nil, fmt.Errorf("%s: windowed model header: %w", path, err)
	}
	return fr, nil
}

// corrupt is the error of an inconsistent section.
func corrupt(format string, a ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{model.ErrCorrupt}, a...)...)
}

func (fr *FileReader) take(n int64) ([]byte, error) {
	if n < 0 || n > fr.left {
		return nil, corrupt("a section of %d bytes runs past the end of the file", n)
	}
	b := make([]byte, n)
	if _, err := io.ReadFull(fr.r, b); err != nil {
		return nil, err
	}
	fr.left -= n
	return b, nil
}

func (fr *FileReader) u32() (uint32, error) {
	b, err := fr.take(4)
	if err != nil {
		return 0, err
	}
	return binary.LittleEndian.Uint32(b), nil
}

func (fr *FileReader) f64(n int) ([]float64, error) {
	b, err := fr.take(8 * int64(n))
	if err != nil {
		return nil, err
	}
	out := make([]float64, n)
	for i := range out {
		out[i] = math.Float64frombits(binary.LittleEndian.Uint64(b[8*i:]))
		if math.IsNaN(out[i]) || math.IsInf(out[i], 0) {
			return nil, corrupt("a non-finite value")
		}
	}
	return out, nil
}

// f32 reads n float32 values, as float64 when wide.
func f32Read[T float32 | float64](fr *FileReader, n int) ([]T, error) {
	b, err := fr.take(4 * int64(n))
	if err != nil {
		return nil, err
	}
	out := make([]T, n)
	for i := range out {
		v := math.Float32frombits(binary.LittleEndian.Uint32(b[4*i:]))
		if v != v || math.IsInf(float64(v), 0) {
			return nil, corrupt("a non-finite value")
		}
		out[i] = T(v)
	}
	return out, nil
}

func (fr *FileReader) json(v any) error {
	n, err := fr.u32()
	if err != nil {
		return err
	}
	if n > maxJSONSize {
		return corrupt("a JSON section of %d bytes", n)
	}
	b, err := fr.take(int64(n))
	if err != nil {
		return err
	}
	if err := json.Unmarshal(b, v); err != nil {
		return corrupt("%v", err)
	}
	return nil
}

func (fr *FileReader) readHeader() (*FileHeader, error) {
	var h fileHeader
	if err := fr.json(&h); err != nil {
		return nil, err
	}
	if h.NumTrain < 1 || h.NumTrain > limits.MaxIndividuals {
		return nil, corrupt("implausible training size %d individuals (gousynth's limit is %d)", h.NumTrain, limits.MaxIndividuals)
	}
	d, K := h.NumSites, h.PCs
	if d < 1 || d > limits.MaxSNPs || K < 0 || K > maxWindowPC || len(h.Windows) == 0 {
		return nil, corrupt("%d sites, %d PCs, %d windows", d, K, len(h.Windows))
	}
	end := 0
	for i, w := range h.Windows {
		if w.Index != i || w.Start < 0 || w.Start > w.CoreStart || w.CoreStart >= w.End || w.End > d || w.CoreStart != end {
			return nil, corrupt("window %d (%d-%d-%d) does not continue the windows before it", i, w.Start, w.CoreStart, w.End)
		}
		end = w.End
	}
	if end != d {
		return nil, corrupt("the windows end at site %d of %d", end, d)
	}
	if err := h.Mixture.check(K); err != nil {
		return nil, err
	}
	if err := h.Mixture.CheckLabels(); err != nil {
		return nil, corrupt("%v", err)
	}
	sl, err := fr.take(8)
	if err != nil {
		return nil, err
	}
	sites, err := fr.take(int64(binary.LittleEndian.Uint64(sl)))
	if err != nil {
		return nil, err
	}
	// A site line has at least 10 bytes: the capacity is bounded by the
	// section, not by the header's (unverified) count.
	out := &FileHeader{Options: h.Options, Windows: h.Windows, Mixture: h.Mixture, NumTrain: h.NumTrain, Contigs: h.Contigs, Reference: h.Reference, Sites: make([]vcf.Site, 0, min(d, len(sites)/10))}
	for len(sites) > 0 {
		line, rest, ok := bytes.Cut(sites, []byte{'\n'})
		if !ok {
			return nil, corrupt("the sites section does not end a line")
		}
		sites = rest
		f := strings.Split(string(line), "\t")
		if len(f) != 5 {
			return nil, corrupt("site %d has %d fields, want 5", len(out.Sites)+1, len(f))
		}
		pos, err := strconv.Atoi(f[1])
		if err != nil || pos < 1 {
			return nil, corrupt("site %d has position %q", len(out.Sites)+1, f[1])
		}
		out.Sites = append(out.Sites, vcf.Site{Chrom: f[0], Pos: pos, ID: f[2], Ref: f[3], Alt: f[4]})
	}
	if len(out.Sites) != d {
		return nil, corrupt("%d sites, the header says %d", len(out.Sites), d)
	}
	p := &PCA{}
	if p.Mean, err = f32Read[float64](fr, d); err != nil {
		return nil, err
	}
	if p.Scale, err = f32Read[float64](fr, d); err != nil {
		return nil, err
	}
	load, err := f32Read[float64](fr, d*K)
	if err != nil {
		return nil, err
	}
	if K > 0 {
		p.Loadings = mat.NewDense(d, K, load)
	}
	if p.SD, err = f32Read[float64](fr, K); err != nil {
		return nil, err
	}
	out.PCA = p
	return out, nil
}

// check reports a mixture that cannot generate K-dimensional scores.
func (mx *Mixture) check(K int) error {
	if mx == nil || len(mx.Weights) == 0 || len(mx.Means) != len(mx.Weights) || len(mx.Chol) != len(mx.Weights) {
		return corrupt("ancestry mixture missing or of inconsistent size")
	}
	for c := range mx.Weights {
		if len(mx.Means[c]) != K || len(mx.Chol[c]) != K*K || !(mx.Weights[c] >= 0) {
			return corrupt("ancestry mixture component %d has inconsistent size", c)
		}
	}
	return nil
}

// Header returns the file's whole-chromosome part.
func (fr *FileReader) Header() *FileHeader { return fr.hdr }

// Next returns the model of the next window, or io.EOF after the last.
func (fr *FileReader) Next() (WindowModel, error) {
	if fr.next == len(fr.hdr.Windows) {
		return WindowModel{}, io.EOF
	}
	wm, err := fr.readWindow()
	if err != nil {
		return WindowModel{}, fmt.Errorf("%s: window %d: %w", fr.path, fr.next, err)
	}
	fr.next++
	return wm, nil
}

// readWindow reads the next window's record and arrays, and decodes its
// model.
func (fr *FileReader) readWindow() (WindowModel, error) {
	rec, err := fr.readWindowRecord()
	if err != nil {
		return WindowModel{}, err
	}
	K := fr.hdr.PCA.K()
	w := rec.Window.End - rec.Window.Start
	wm := WindowModel{Window: rec.Window}
	// The ancestry read-out, then the regression on the K scores.
	if wm.Slope, err = fr.f64(K); err != nil {
		return wm, err
	}
	if wm.NoiseVar, err = fr.f64(K); err != nil {
		return wm, err
	}
	if err := fr.readRegression(&wm, rec, K, w); err != nil {
		return wm, err
	}
	var u, ar, sd []float32
	if isLatentKind(rec.Kind) {
		if u, ar, sd, err = fr.readLatentArrays(rec, w); err != nil {
			return wm, err
		}
	}
	if rec.ModelBytes < 0 || rec.ModelBytes > maxModelLen {
		return wm, corrupt("a window model of %d bytes", rec.ModelBytes)
	}
	mb, err := fr.take(rec.ModelBytes)
	if err != nil {
		return wm, err
	}
	if err := decodeWindowModel(&wm, rec, w, mb, u, ar, sd); err != nil {
		return wm, err
	}
	if wm.Model != nil && len(wm.Model.Sites) != w {
		return wm, corrupt("a window model of %d sites for a window of %d", len(wm.Model.Sites), w)
	}
	if wm.Residual != nil && wm.Residual.Dim() != w {
		return wm, corrupt("a residual model of %d sites for a window of %d", wm.Residual.Dim(), w)
	}
	return wm, nil
}

// readWindowRecord reads the JSON record of the next window and checks it
// against the header: its window, and regression as the conditioning says.
func (fr *FileReader) readWindowRecord() (fileWindow, error) {
	var rec fileWindow
	if err := fr.json(&rec); err != nil {
		return rec, err
	}
	if rec.Window != fr.hdr.Windows[fr.next] {
		return rec, corrupt("window record %d is not the header's window", fr.next)
	}
	if c := fr.hdr.Options.Conditioning; rec.Regression != (c == CondRegress || c == CondRegressMatch) {
		return rec, corrupt("a window record with regression %v under conditioning %q", rec.Regression, c)
	}
	return rec, nil
}

// readRegression reads into wm, for a window of w sites under regression,
// its regression on the K ancestry scores: coefficients, residual means
// and SDs, and label offsets.
func (fr *FileReader) readRegression(wm *WindowModel, rec fileWindow, K, w int) error {
	if !rec.Regression {
		if rec.LabelRows != 0 {
			return corrupt("label offsets without regression")
		}
		return nil
	}
	var err error
	if wm.Coef, err = f32Read[float64](fr, (K+1)*w); err != nil {
		return err
	}
	if wm.ResidMean, err = f32Read[float64](fr, w); err != nil {
		return err
	}
	if wm.ResidSD, err = f32Read[float64](fr, w); err != nil {
		return err
	}
	if rec.LabelRows != 0 && rec.LabelRows != len(fr.hdr.Mixture.LabelTable) {
		return corrupt("%d rows of label offsets for %d labels", rec.LabelRows, len(fr.hdr.Mixture.LabelTable))
	}
	if rec.LabelRows > 0 {
		if wm.LabelOffset, err = f32Read[float64](fr, rec.LabelRows*w); err != nil {
			return err
		}
	}
	return nil
}

// readLatentArrays reads the arrays of a latent window of w sites: its
// leading directions u, AR coefficients and innovation SDs.
func (fr *FileReader) readLatentArrays(rec fileWindow, w int) (u, ar, sd []float32, err error) {
	if rec.Rank < 0 || rec.Lags < 0 || rec.Rank > maxLagsRank || rec.Lags > maxLagsRank {
		return nil, nil, nil, corrupt("latent rank %d, lags %d", rec.Rank, rec.Lags)
	}
	if u, err = f32Read[float32](fr, w*rec.Rank); err != nil {
		return nil, nil, nil, err
	}
	if ar, err = f32Read[float32](fr, w*rec.Lags); err != nil {
		return nil, nil, nil, err
	}
	if sd, err = f32Read[float32](fr, w); err != nil {
		return nil, nil, nil, err
	}
	return u, ar, sd, nil
}

// decodeWindowModel decodes into wm the window's model of mb bytes, as
// its kind and regression say: a latent residual (with the arrays u, ar,
// sd), a continuous residual model, or a whole dosage model.
func decodeWindowModel(wm *WindowModel, rec fileWindow, w int, mb []byte, u, ar, sd []float32) error {
	var err error
	switch {
	case isLatentKind(rec.Kind) && rec.Regression:
		wm.Latent, err = DecodeLatentResidual(mb, w, rec.Rank, rec.Lags, u, ar, sd)
		wm.Haplotype = rec.Kind == kindHap
	case rec.Kind == kindDosage && rec.Regression:
		wm.Residual, err = model.DecodeContinuous(mb)
	case rec.Kind == kindModel && !rec.Regression:
		wm.Model, err = model.Decode(mb)
	case rec.Kind == kindChain && !rec.Regression:
		if wm.Chain, err = autoreg.Decode(mb); err != nil {
			return corrupt("%v", err)
		}
		if len(wm.Chain.Sites) != rec.Window.Core() {
			return corrupt("a chain model of %d sites for a window core of %d", len(wm.Chain.Sites), rec.Window.Core())
		}
	default:
		return corrupt("window kind %q with regression %v", rec.Kind, rec.Regression)
	}
	return err
}

// Close closes the file.
func (fr *FileReader) Close() error { return fr.f.Close() }
