package ld

import (
	"context"
	"io"
	"math"
	"strconv"

	"github.com/gousynth/gousynth/vcf"
)

// TSVHeader is the header line of WriteTSV: plink 1.9 --r2's columns,
// tab-separated.
const TSVHeader = "CHR_A\tBP_A\tSNP_A\tCHR_B\tBP_B\tSNP_B\tR2\n"

// WriteTSV writes the windowed dosage r² of g (see Pairs) to w as
// tab-separated text with plink 1.9 --r2's columns (TSVHeader): one line per
// reported pair, r² printed like plink with 6 significant digits. It returns the number of pairs written.
//
// Lines are formatted on the worker goroutines and written in order, so the
// output is byte-identical for any number of threads.
func WriteTSV(ctx context.Context, w io.Writer, g *vcf.Genotypes, opts WindowOptions) (int64, error) {
	if err := opts.validate(); err != nil {
		return 0, err
	}
	if _, err := io.WriteString(w, TSVHeader); err != nil {
		return 0, err
	}
	win := newWindower(g, opts)
	// "CHR\tBP\tSNP\t" of every site, formatted once. Prefixes that fit in
	// a fixed 32-byte slot are copied as one array assignment (two vector
	// moves) instead of a memmove call: two per line, tens of millions of
	// lines.
	prefix := make([][]byte, len(g.Sites))
	slots := make([][prefixSlot]byte, len(g.Sites))
	for i, s := range g.Sites {
		b := make([]byte, 0, len(s.Chrom)+len(s.ID)+14)
		b = append(b, s.Chrom...)
		b = append(b, '\t')
		b = strconv.AppendInt(b, int64(s.Pos), 10)
		b = append(b, '\t')
		b = append(b, s.ID...)
		b = append(b, '\t')
		prefix[i] = b
		copy(slots[i][:], b)
	}
	appendPrefix := func(buf []byte, i int) []byte {
		p := prefix[i]
		if len(p) > prefixSlot || cap(buf)-len(buf) < prefixSlot {
			return append(buf, p...)
		}
		n := len(buf)
		*(*[prefixSlot]byte)(buf[n : n+prefixSlot]) = slots[i]
		return buf[:n+len(p)]
	}
	var n int64
	err := win.run(ctx, func(lo, hi int, c *chunk) {
		buf := c.buf
		cnt := 0
		win.scan(lo, hi, func(i, j int, r float64) {
			buf = appendPrefix(buf, i)
			buf = appendPrefix(buf, j)
			buf = AppendR2(buf, r)
			buf = append(buf, '\n')
			cnt++
		})
		c.buf = buf
		c.count = cnt
	}, func(c *chunk) error {
		n += int64(c.count)
		_, err := w.Write(c.buf)
		return err
	})
	return n, err
}

// prefixSlot is the fixed copy size of WriteTSV's line prefixes.
const prefixSlot = 32

var pow10 = [...]float64{1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10,
	1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22}

// decade[k] is 10^-(k+1), the lower bound of the decade of exponent -(k+1).
var decade = [...]float64{1e-1, 1e-2, 1e-3, 1e-4, 1e-5, 1e-6, 1e-7, 1e-8,
	1e-9, 1e-10, 1e-11, 1e-12, 1e-13, 1e-14, 1e-15, 1e-16}

// AppendR2 appends r formatted like C's %g (6 significant digits, trailing
// zeros removed), which is how plink prints r², and "nan" for NaN.
//
// Formatting is on the hot path of WriteTSV (one number per pair, tens of
// millions of pairs), so values in [1e-16, 1) take an integer fast path;
// it defers to strconv whenever the scaled value is too close to a rounding
// tie to be sure, so the output equals strconv.FormatFloat(r, 'g', 6, 64).
func AppendR2(b []byte, r float64) []byte {
	if r != r {
		return append(b, "nan"...)
	}
	if !(r >= 1e-16 && r < 1) {
		return strconv.AppendFloat(b, r, 'g', 6, 64)
	}
	// Find e with 10^e ≤ r < 10^(e+1), e in [-16, -1].
	k := 0
	for r < decade[k] {
		k++
	}
	e := -(k + 1)
	x := r * pow10[5-e]
	m := math.Floor(x)
	frac := x - m
	if frac > 0.5-1e-6 && frac < 0.5+1e-6 || x < 99999.5 || x >= 999999.5 {
		// Near a tie, or the decade guess is off by rounding: let strconv decide.
		return strconv.AppendFloat(b, r, 'g', 6, 64)
	}
	mi := uint32(m)
	if frac > 0.5 {
		mi++
	}
	// 100000 ≤ mi ≤ 999999: six digits, trailing zeros dropped.
	var digits [6]byte
	for j := 5; j >= 0; j-- {
		q := mi / 10
		digits[j] = byte('0' + mi - 10*q)
		mi = q
	}
	nd := 6
	for nd > 1 && digits[nd-1] == '0' {
		nd--
	}
	if e >= -4 {
		switch e {
		case -1:
			b = append(b, '0', '.')
		case -2:
			b = append(b, '0', '.', '0')
		case -3:
			b = append(b, '0', '.', '0', '0')
		default:
			b = append(b, '0', '.', '0', '0', '0')
		}
		return append(b, digits[:nd]...)
	}
	b = append(b, digits[0])
	if nd > 1 {
		b = append(b, '.')
		b = append(b, digits[1:nd]...)
	}
	b = append(b, 'e', '-')
	if -e < 10 {
		return append(b, '0', byte('0'-e))
	}
	return append(b, '1', byte('0'-e-10))
}
