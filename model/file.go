package model

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"

	"gonum.org/v1/gonum/mat"

	"github.com/gousynth/gousynth/internal/atomicfile"
	"github.com/gousynth/gousynth/internal/limits"
	"github.com/gousynth/gousynth/model/nn"
	"github.com/gousynth/gousynth/vcf"
)

// Model files (.gsy) are laid out as
//
//	magic "\x89GSY\r\n\x1a\n" | format version (uint32 LE) | payload length (uint64 LE) |
//	SHA-256 of the payload (32 bytes) | payload
//
// and the payload is a JSON header (uint32 LE length, then UTF-8 JSON: sites,
// configuration, shapes, provenance) followed by little-endian binary
// sections whose sizes the header fixes: per-SNP mean and scale (float64),
// eigenvalues (float64), eigenbasis d×r (float32), thresholds 2d (float64),
// anchor weights, means and variances (float64), network weights (float32).
// Nothing in it is an individual's genotype or sample ID.
//
// Format 2 adds, when the header says Resid, the basis's per-SNP residual
// variances (float64 × d) and then, for each block of ResidBlock SNPs, its
// m×m residual square root (float64) right after the eigenbasis. Models without a
// residual are still written as format 1, byte for byte as before.
//
// Format 3 (issue 18) is a model fitted with population labels
// (FitLabelled): the JSON header adds Labels, one {pop, super_pop, n} per
// training population (n its number of training individuals: an
// aggregate; no sample ID is stored), AnchorLabels, the label index of
// each anchor (-1: the pool of populations too small to be generated), and
// LabelThresholds: when true, right after the thresholds, each label's own
// thresholds (2d float64 per label, in label order; calibrated on the
// label's genotype frequencies).
// The binary sections are those of format 2 (residual sections when the
// header says Resid, as in format 2, or none). Models without labels are
// written as format 1 or 2 as before, byte for byte.

// FormatVersion is the newest model file format this build writes and reads.
const FormatVersion = 3

var fileMagic = []byte("\x89GSY\r\n\x1a\n")

// windowedMagicPrefix opens the windowed model files of package chrom
// (chrom.FileMagic), which Decode recognises to say what such a file is.
const windowedMagicPrefix = "GOUSYNTH-CHROM-MODEL "

// Sentinel errors of Load and Decode.
var (
	ErrNotModel     = errors.New("not a gousynth model file")
	ErrNewerVersion = errors.New("model file written by a newer gousynth")
	ErrCorrupt      = errors.New("corrupt model file")
)

type fileHeader struct {
	Config      Config
	Sites       []vcf.Site
	D, R, K     int
	TrainN      int
	Fingerprint string
	TrainLoss   float64
	Version     string
	Preprocess  string
	InitKind    InitKind
	NumAnchors  int
	HasNet      bool
	NetIn       int
	NetOut      int
	TimeScale   float64
	Resid       bool `json:",omitempty"` // residual sections follow the eigenbasis; format 2
	ResidBlock  int  `json:",omitempty"`
	// Format 3: population labels and each anchor's label.
	Labels          []Label `json:",omitempty"`
	AnchorLabels    []int   `json:",omitempty"`
	LabelThresholds bool    `json:",omitempty"` // per-label thresholds follow the thresholds
	// The input's ##contig and ##reference lines (Model.Contigs,
	// Reference), in any format version (readers ignore what they do not
	// know).
	Contigs   []vcf.Contig `json:",omitempty"`
	Reference string       `json:",omitempty"`
}

// Save writes the model to path atomically.
func (m *Model) Save(path string) error {
	data, err := m.Encode()
	if err != nil {
		return fmt.Errorf("save model %s: %w", path, err)
	}
	return atomicfile.WriteFile(path, data)
}

// Encode returns the model file bytes.
func (m *Model) Encode() ([]byte, error) {
	h, ver := m.fileHeader()
	js, err := json.Marshal(h)
	if err != nil {
		return nil, err
	}
	payload := m.encodePayload(h, js)
	le := binary.LittleEndian
	sum := sha256.Sum256(payload)
	var out bytes.Buffer
	out.Write(fileMagic)
	out.Write(le.AppendUint32(nil, ver))
	out.Write(le.AppendUint64(nil, uint64(len(payload))))
	out.Write(sum[:])
	out.Write(payload)
	return out.Bytes(), nil
}

// fileHeader returns the JSON header of m's file and the oldest format
// version that holds m: 1, 2 with a residual, 3 with population labels.
func (m *Model) fileHeader() (fileHeader, uint32) {
	d, r := m.Basis.Dim(), m.Basis.Rank()
	h := fileHeader{Config: m.Config, Sites: m.Sites, D: d, R: r, K: m.K, TrainN: m.TrainN,
		Fingerprint: hex.EncodeToString(m.Fingerprint[:]), TrainLoss: m.TrainLoss,
		Version: m.Version, Preprocess: m.Preprocess, InitKind: InitMarginal, Contigs: m.Contigs, Reference: m.Reference}
	if m.Init != nil {
		h.InitKind = m.Init.Kind
		h.NumAnchors = len(m.Init.Weights)
	}
	if m.Net != nil {
		h.HasNet, h.NetIn, h.NetOut, h.TimeScale = true, m.Net.In, m.Net.Out, m.Net.TimeScale
	}
	ver := uint32(1)
	if m.Basis.Resid != nil {
		h.Resid, h.ResidBlock, ver = true, m.Basis.ResidBlock, 2
	}
	if len(m.Labels) > 0 {
		h.Labels, ver = m.Labels, 3
		if m.Init != nil {
			h.AnchorLabels = m.Init.Labels
		}
		h.LabelThresholds = m.LabelThresholds != nil
	}
	return h, ver
}

// encodePayload returns the payload: the JSON header js (with its length)
// and the binary sections that h announces, in file order.
func (m *Model) encodePayload(h fileHeader, js []byte) []byte {
	var p bytes.Buffer
	le := binary.LittleEndian
	p.Write(le.AppendUint32(nil, uint32(len(js))))
	p.Write(js)
	f64 := func(xs []float64) {
		for _, v := range xs {
			p.Write(le.AppendUint64(nil, math.Float64bits(v)))
		}
	}
	f32 := func(xs []float32) {
		for _, v := range xs {
			p.Write(le.AppendUint32(nil, math.Float32bits(v)))
		}
	}
	f64(m.Basis.Mean)
	f64(m.Basis.Scale)
	f64(m.Basis.Lambda)
	u := make([]float32, 0, h.D*h.R)
	for j := 0; j < h.D; j++ {
		for c := 0; c < h.R; c++ {
			u = append(u, float32(m.Basis.U.At(j, c)))
		}
	}
	f32(u)
	if h.Resid {
		f64(m.Basis.Resid)
		for _, sq := range m.Basis.ResidSqrt {
			f64(sq)
		}
	}
	for _, t := range m.Thresholds {
		f64(t[:])
	}
	if h.LabelThresholds {
		for _, lt := range m.LabelThresholds {
			for _, t := range lt {
				f64(t[:])
			}
		}
	}
	if h.NumAnchors > 0 {
		f64(m.Init.Weights)
		for _, a := range m.Init.Means {
			f64(a)
		}
		for _, a := range m.Init.Vars {
			f64(a)
		}
	}
	if m.Net != nil {
		for _, w := range m.Net.Params() {
			f32(w)
		}
	}
	return p.Bytes()
}

// Load reads a model file. The fixed header (magic, version, payload
// length) is checked against the file's size before the payload is read, so
// a file that is not a model, or whose length field is corrupt, fails at
// once without reading or allocating more than the header.
func Load(path string) (*Model, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("load model: %w", err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("load model: %w", err)
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("load model %s: not a regular file", path)
	}
	var hdr [fixedHeaderSize]byte
	n, err := io.ReadFull(f, hdr[:])
	if err != nil && err != io.EOF && err != io.ErrUnexpectedEOF {
		return nil, fmt.Errorf("load model %s: %w", path, err)
	}
	if err := checkFixedHeader(hdr[:n], uint64(fi.Size())); err != nil {
		return nil, fmt.Errorf("load model %s: %w", path, err)
	}
	data := make([]byte, fi.Size())
	copy(data, hdr[:])
	if _, err := io.ReadFull(f, data[fixedHeaderSize:]); err != nil {
		return nil, fmt.Errorf("load model %s: %w (%v)", path, ErrCorrupt, err)
	}
	m, err := Decode(data)
	if err != nil {
		return nil, fmt.Errorf("load model %s: %w", path, err)
	}
	return m, nil
}

// maxTrainN bounds the training size a model file may declare (generate
// draws that many individuals by default): a file claiming more is refused
// before anything of that size is allocated.
const maxTrainN = limits.MaxIndividuals

// fixedHeaderSize is the size of magic, version, payload length and checksum.
const fixedHeaderSize = 8 + 4 + 8 + 32

// checkFixedHeader checks the start of a model file of size bytes: magic,
// format version and the payload length against the size.
func checkFixedHeader(data []byte, size uint64) error {
	if bytes.HasPrefix(data, []byte(windowedMagicPrefix)) {
		return fmt.Errorf("%w: it is a windowed model file (a fit over more SNPs than --max-snps, one model per window), where a single model is needed; gousynth generate reads both", ErrNotModel)
	}
	if len(data) < len(fileMagic) || !bytes.Equal(data[:len(fileMagic)], fileMagic) {
		return ErrNotModel
	}
	if len(data) < 12 {
		return fmt.Errorf("%w: truncated header", ErrCorrupt)
	}
	le := binary.LittleEndian
	ver := le.Uint32(data[8:])
	if ver > FormatVersion {
		return fmt.Errorf("%w: format %d, this build reads up to %d", ErrNewerVersion, ver, FormatVersion)
	}
	if ver == 0 {
		return fmt.Errorf("%w: format version 0", ErrCorrupt)
	}
	if len(data) < fixedHeaderSize {
		return fmt.Errorf("%w: truncated header", ErrCorrupt)
	}
	if plen := le.Uint64(data[12:]); plen != size-fixedHeaderSize {
		return fmt.Errorf("%w: payload is %d bytes, header says %d (truncated or padded)", ErrCorrupt, size-fixedHeaderSize, plen)
	}
	return nil
}

type payloadReader struct {
	b   []byte
	err error
}

func (r *payloadReader) take(n int) []byte {
	if r.err != nil {
		return nil
	}
	if n < 0 || n > len(r.b) {
		r.err = fmt.Errorf("%w: truncated section", ErrCorrupt)
		return nil
	}
	s := r.b[:n]
	r.b = r.b[n:]
	return s
}

func (r *payloadReader) f64(n int) []float64 {
	if n < 0 || n > len(r.b)/8 {
		r.err = fmt.Errorf("%w: truncated section", ErrCorrupt)
		return nil
	}
	s := r.take(8 * n)
	if s == nil {
		return nil
	}
	out := make([]float64, n)
	for i := range out {
		out[i] = math.Float64frombits(binary.LittleEndian.Uint64(s[8*i:]))
		if math.IsNaN(out[i]) {
			r.err = fmt.Errorf("%w: NaN value", ErrCorrupt)
		}
	}
	return out
}

func (r *payloadReader) f32(n int) []float32 {
	if n < 0 || n > len(r.b)/4 {
		r.err = fmt.Errorf("%w: truncated section", ErrCorrupt)
		return nil
	}
	s := r.take(4 * n)
	if s == nil {
		return nil
	}
	out := make([]float32, n)
	for i := range out {
		out[i] = math.Float32frombits(binary.LittleEndian.Uint32(s[4*i:]))
	}
	return out
}

// Decode parses model file bytes. Errors wrap ErrNotModel, ErrNewerVersion
// or ErrCorrupt.
func Decode(data []byte) (*Model, error) {
	h, r, err := decodeHeader(data)
	if err != nil {
		return nil, err
	}
	fp, err := hex.DecodeString(h.Fingerprint)
	if err != nil || len(fp) != 32 {
		return nil, fmt.Errorf("%w: bad fingerprint", ErrCorrupt)
	}
	m := &Model{Config: h.Config, Sites: h.Sites, K: h.K, TrainN: h.TrainN, TrainLoss: h.TrainLoss,
		Version: h.Version, Preprocess: h.Preprocess, Labels: h.Labels, Contigs: h.Contigs, Reference: h.Reference}
	copy(m.Fingerprint[:], fp)
	if m.Basis, err = decodeBasis(h, r); err != nil {
		return nil, err
	}
	if m.Thresholds, m.LabelThresholds, err = decodeThresholds(h, r); err != nil {
		return nil, err
	}
	if m.Init, err = decodeInit(h, r); err != nil {
		return nil, err
	}
	if h.HasNet {
		if m.Net, err = decodeNet(h, r); err != nil {
			return nil, err
		}
	}
	if len(r.b) != 0 {
		return nil, fmt.Errorf("%w: %d trailing bytes", ErrCorrupt, len(r.b))
	}
	if m.Net != nil && (h.Config.Process == ProcessGOU || h.Config.Process == ProcessVP) && (m.Net.In != m.K || m.Net.Out != m.K) {
		return nil, fmt.Errorf("%w: network shape %d→%d does not match %d modelled coordinates", ErrCorrupt, m.Net.In, m.Net.Out, m.K)
	}
	return m, nil
}

// decodeHeader checks the fixed header and the checksum, and decodes and
// checks the JSON header: its configuration, format flags, labels and
// shapes, and that the binary sections it implies fit in the payload. The
// returned reader is positioned at the first binary section.
func decodeHeader(data []byte) (*fileHeader, *payloadReader, error) {
	if err := checkFixedHeader(data, uint64(len(data))); err != nil {
		return nil, nil, err
	}
	const fixed = fixedHeaderSize
	le := binary.LittleEndian
	payload := data[fixed:]
	sum := sha256.Sum256(payload)
	if !bytes.Equal(sum[:], data[20:52]) {
		return nil, nil, fmt.Errorf("%w: checksum mismatch", ErrCorrupt)
	}
	r := &payloadReader{b: payload}
	hl := r.take(4)
	if hl == nil {
		return nil, nil, r.err
	}
	js := r.take(int(le.Uint32(hl)))
	if js == nil {
		return nil, nil, r.err
	}
	var h fileHeader
	dec := json.NewDecoder(bytes.NewReader(js))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&h); err != nil {
		return nil, nil, fmt.Errorf("%w: header: %v", ErrCorrupt, err)
	}
	if err := h.Config.Validate(); err != nil {
		return nil, nil, fmt.Errorf("%w: %v", ErrCorrupt, err)
	}
	if ver := le.Uint32(data[8:]); ver < 3 && h.Resid != (ver >= 2) {
		return nil, nil, fmt.Errorf("%w: residual section flag %v in format %d", ErrCorrupt, h.Resid, ver)
	}
	if ver := le.Uint32(data[8:]); (len(h.Labels) > 0) != (ver >= 3) {
		return nil, nil, fmt.Errorf("%w: %d population labels in format %d", ErrCorrupt, len(h.Labels), ver)
	}
	if err := checkLabels(h.Labels, h.AnchorLabels, h.NumAnchors, h.InitKind); err != nil {
		return nil, nil, err
	}
	if h.TrainN < 1 || h.TrainN > maxTrainN {
		return nil, nil, fmt.Errorf("%w: implausible training size %d individuals (gousynth's limit is %d)", ErrCorrupt, h.TrainN, maxTrainN)
	}
	if h.D < 1 || h.R < 1 || h.R > h.D && h.R > h.TrainN || len(h.Sites) != h.D || h.K < 0 || h.K > h.R || h.NumAnchors < 0 {
		return nil, nil, fmt.Errorf("%w: inconsistent shapes (d=%d r=%d k=%d sites=%d)", ErrCorrupt, h.D, h.R, h.K, len(h.Sites))
	}
	// Bound every allocation by the payload that is actually there, without
	// overflow: each factor is checked before the products are formed.
	rest := uint64(len(r.b))
	if uint64(h.R) > rest/8 || uint64(h.D) > rest/32 || uint64(h.D) > rest/4/uint64(h.R) ||
		uint64(h.NumAnchors) > rest/(8+16*uint64(h.R)) ||
		uint64(h.D)*8*4+uint64(h.R)*8+uint64(h.D)*uint64(h.R)*4+uint64(h.NumAnchors)*(8+16*uint64(h.R)) > rest {
		return nil, nil, fmt.Errorf("%w: sections larger than the file", ErrCorrupt)
	}
	return &h, r, nil
}

// decodeBasis reads the basis sections: per-SNP mean and scale,
// eigenvalues, the eigenbasis and, when the header says so, the residual
// variances and block square roots.
func decodeBasis(h *fileHeader, r *payloadReader) (*Basis, error) {
	b := &Basis{Mean: r.f64(h.D), Scale: r.f64(h.D), Lambda: r.f64(h.R)}
	u := r.f32(h.D * h.R)
	if r.err != nil {
		return nil, r.err
	}
	uf := make([]float64, len(u))
	for i, v := range u {
		uf[i] = float64(v)
	}
	b.U = mat.NewDense(h.D, h.R, uf)
	if h.Resid {
		if err := decodeResid(h, r, b); err != nil {
			return nil, err
		}
	}
	for i, l := range b.Lambda {
		if !(l > 0) || i > 0 && l > b.Lambda[i-1] {
			return nil, fmt.Errorf("%w: eigenvalues not positive and descending", ErrCorrupt)
		}
	}
	for _, s := range b.Scale {
		if !(s > 0) {
			return nil, fmt.Errorf("%w: non-positive scale", ErrCorrupt)
		}
	}
	return b, nil
}

// decodeResid reads the residual sections of format 2 into b.
func decodeResid(h *fileHeader, r *payloadReader, b *Basis) error {
	if h.ResidBlock < 1 || h.ResidBlock > h.D {
		return fmt.Errorf("%w: residual block size %d for %d SNPs", ErrCorrupt, h.ResidBlock, h.D)
	}
	b.ResidBlock = h.ResidBlock
	if b.Resid = r.f64(h.D); r.err != nil {
		return r.err
	}
	for _, bl := range b.residBlocks() {
		m := bl[1] - bl[0]
		if uint64(m)*uint64(m) > uint64(len(r.b))/8 {
			return fmt.Errorf("%w: truncated residual section", ErrCorrupt)
		}
		b.ResidSqrt = append(b.ResidSqrt, r.f64(m*m))
		if r.err != nil {
			return r.err
		}
	}
	for _, v := range b.Resid {
		if !(v >= 0) || math.IsInf(v, 1) {
			return fmt.Errorf("%w: negative or non-finite residual variance", ErrCorrupt)
		}
	}
	return nil
}

// decodeThresholds reads the discretisation thresholds and, when the
// header says so, each label's own. An error of the thresholds section
// itself is left in r, reported after the anchors (as it always was).
func decodeThresholds(h *fileHeader, r *payloadReader) ([][2]float64, [][][2]float64, error) {
	th := r.f64(2 * h.D)
	thresholds := make([][2]float64, h.D)
	for j := range thresholds {
		if th != nil {
			thresholds[j] = [2]float64{th[2*j], th[2*j+1]}
		}
	}
	if !h.LabelThresholds {
		return thresholds, nil, nil
	}
	if len(h.Labels) == 0 {
		return nil, nil, fmt.Errorf("%w: label thresholds without labels", ErrCorrupt)
	}
	labelled := make([][][2]float64, len(h.Labels))
	for l := range labelled {
		lt := r.f64(2 * h.D)
		if r.err != nil {
			return nil, nil, r.err
		}
		labelled[l] = make([][2]float64, h.D)
		for j := range labelled[l] {
			labelled[l][j] = [2]float64{lt[2*j], lt[2*j+1]}
		}
	}
	return thresholds, labelled, nil
}

// decodeInit reads the initial distribution: the anchors' weights, means
// and variances, or nothing for the marginal and stationary starts.
func decodeInit(h *fileHeader, r *payloadReader) (*InitDist, error) {
	init := &InitDist{Kind: h.InitKind, Labels: h.AnchorLabels}
	switch h.InitKind {
	case InitAnchors:
		if h.NumAnchors < 1 {
			return nil, fmt.Errorf("%w: anchor initialisation without anchors", ErrCorrupt)
		}
		init.Weights = r.f64(h.NumAnchors)
		init.Means = make([][]float64, h.NumAnchors)
		init.Vars = make([][]float64, h.NumAnchors)
		for c := range init.Means {
			init.Means[c] = r.f64(h.R)
		}
		for c := range init.Vars {
			init.Vars[c] = r.f64(h.R)
		}
		if r.err == nil {
			for c, w := range init.Weights {
				if !(w >= 0) {
					return nil, fmt.Errorf("%w: negative anchor weight", ErrCorrupt)
				}
				for _, v := range init.Vars[c] {
					if !(v >= 0) {
						return nil, fmt.Errorf("%w: negative anchor variance", ErrCorrupt)
					}
				}
			}
		}
	case InitMarginal, InitStationary:
		if h.NumAnchors != 0 {
			return nil, fmt.Errorf("%w: anchors without anchor initialisation", ErrCorrupt)
		}
	default:
		return nil, fmt.Errorf("%w: unknown initialisation %q", ErrCorrupt, h.InitKind)
	}
	if r.err != nil {
		return nil, r.err
	}
	return init, nil
}

// decodeNet reads the score network, whose section must be exactly the
// rest of the payload.
func decodeNet(h *fileHeader, r *payloadReader) (*nn.MLP, error) {
	cfg := h.Config
	if h.NetIn < 0 || h.NetOut < 1 || cfg.Hidden > 1<<16 || cfg.Layers > 64 || h.NetIn > 1<<20 || h.NetOut > 1<<20 {
		return nil, fmt.Errorf("%w: implausible network shape", ErrCorrupt)
	}
	net := &nn.MLP{In: h.NetIn, Out: h.NetOut, Hidden: cfg.Hidden, Layers: cfg.Layers, TimeScale: h.TimeScale}
	dims := net.Dims()
	var total uint64
	for l := 0; l+1 < len(dims); l++ {
		total += uint64(dims[l]*dims[l+1] + dims[l+1])
	}
	if total*4 != uint64(len(r.b)) {
		return nil, fmt.Errorf("%w: network section has %d bytes, expected %d", ErrCorrupt, len(r.b), total*4)
	}
	for l := 0; l+1 < len(dims); l++ {
		net.W = append(net.W, r.f32(dims[l]*dims[l+1]))
		net.B = append(net.B, r.f32(dims[l+1]))
	}
	if r.err != nil {
		return nil, r.err
	}
	if err := net.Validate(); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrCorrupt, err)
	}
	return net, nil
}
