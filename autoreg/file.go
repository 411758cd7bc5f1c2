package autoreg

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
)

// Encoded models (Encode, Decode) are laid out, little-endian, as
//
//	uint32 K, uint32 Lags, uint32 number of sites
//	float32 AncMean (K), float32 AncSD (K)
//	per site: uint8 m (predictors), m × uint8 distances (1..Lags),
//	          then the carrier and the homozygote regression, each an int8
//	          Fixed (−1, 0 or 1) followed, when −1, by 1 + K + m float32
//	          coefficients
//
// The encoding carries no checksum: it is stored inside files that have
// one (the windowed model file). Decode still checks every size and value.

// ErrCorrupt is returned (wrapped) by Decode for bytes that are not an
// encoded model.
var ErrCorrupt = errors.New("autoreg: corrupt model")

// maxK bounds the ancestry scores of a decoded model.
const maxK = 1 << 12

// Encode returns the model's bytes.
func (m *Model) Encode() []byte {
	b := binary.LittleEndian.AppendUint32(nil, uint32(m.K))
	b = binary.LittleEndian.AppendUint32(b, uint32(m.Lags))
	b = binary.LittleEndian.AppendUint32(b, uint32(len(m.Sites)))
	b = appendF32(b, m.AncMean)
	b = appendF32(b, m.AncSD)
	for _, s := range m.Sites {
		b = append(b, uint8(len(s.Pred)))
		b = append(b, s.Pred...)
		for _, l := range []Logit{s.Carrier, s.Hom} {
			b = append(b, uint8(l.Fixed))
			if l.Fixed < 0 {
				b = appendF32(b, l.Coef)
			}
		}
	}
	return b
}

func appendF32(b []byte, xs []float64) []byte {
	for _, x := range xs {
		b = binary.LittleEndian.AppendUint32(b, math.Float32bits(float32(x)))
	}
	return b
}

// Decode returns the model encoded in b (Encode), or an ErrCorrupt error.
func Decode(b []byte) (*Model, error) {
	r := decoder{b: b}
	K, lags, d := int(r.u32()), int(r.u32()), int(r.u32())
	if r.err != nil {
		return nil, r.err
	}
	// A site takes at least 3 bytes: the count bounds the allocation.
	if K > maxK || lags < 1 || lags > 255 || d > len(b)/3 {
		return nil, fmt.Errorf("%w: K %d, lags %d, %d sites in %d bytes", ErrCorrupt, K, lags, d, len(b))
	}
	m := &Model{K: K, Lags: lags, AncMean: r.f32(K), AncSD: r.f32(K), Sites: make([]Site, d)}
	for _, sd := range m.AncSD {
		if !(sd > 0) {
			return nil, fmt.Errorf("%w: ancestry SD %v", ErrCorrupt, sd)
		}
	}
	for v := range m.Sites {
		s := &m.Sites[v]
		np := int(r.u8())
		s.Pred = r.bytes(np)
		for _, l := range s.Pred {
			if l < 1 || int(l) > lags {
				return nil, fmt.Errorf("%w: site %d has a predictor %d sites back (lags %d)", ErrCorrupt, v, l, lags)
			}
		}
		for _, l := range []*Logit{&s.Carrier, &s.Hom} {
			l.Fixed = int8(r.u8())
			switch l.Fixed {
			case -1:
				l.Coef = r.f32(1 + K + np)
			case 0, 1:
			default:
				return nil, fmt.Errorf("%w: site %d has a regression marked %d", ErrCorrupt, v, l.Fixed)
			}
		}
		if r.err != nil {
			return nil, r.err
		}
	}
	if r.err != nil {
		return nil, r.err
	}
	if len(r.b) != 0 {
		return nil, fmt.Errorf("%w: %d bytes after the last site", ErrCorrupt, len(r.b))
	}
	return m, nil
}

// decoder reads little-endian values from b until the first error.
type decoder struct {
	b   []byte
	err error
}

func (r *decoder) take(n int) []byte {
	if r.err != nil {
		return nil
	}
	if n < 0 || n > len(r.b) {
		r.err = fmt.Errorf("%w: truncated", ErrCorrupt)
		return nil
	}
	out := r.b[:n]
	r.b = r.b[n:]
	return out
}

func (r *decoder) u8() uint8 {
	if b := r.take(1); b != nil {
		return b[0]
	}
	return 0
}

func (r *decoder) u32() uint32 {
	if b := r.take(4); b != nil {
		return binary.LittleEndian.Uint32(b)
	}
	return 0
}

func (r *decoder) bytes(n int) []uint8 {
	return append([]uint8(nil), r.take(n)...)
}

func (r *decoder) f32(n int) []float64 {
	b := r.take(4 * n)
	if b == nil {
		return nil
	}
	out := make([]float64, n)
	for i := range out {
		v := math.Float32frombits(binary.LittleEndian.Uint32(b[4*i:]))
		if v != v || math.IsInf(float64(v), 0) {
			r.err = fmt.Errorf("%w: a non-finite value", ErrCorrupt)
			return nil
		}
		out[i] = float64(v)
	}
	return out
}
