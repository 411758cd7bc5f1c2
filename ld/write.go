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
	// "CHR\tBP\tSNP\t" of every site, formatted once.
	prefix := make([][]byte, len(g.Sites))
	for i, s := range g.Sites {
		b := make([]byte, 0, len(s.Chrom)+len(s.ID)+14)
		b = append(b, s.Chrom...)
		b = append(b, '\t')
		b = strconv.AppendInt(b, int64(s.Pos), 10)
		b = append(b, '\t')
		b = append(b, s.ID...)
		b = append(b, '\t')
		prefix[i] = b
	}
	var n int64
	err := win.run(ctx, func(lo, hi int, c *chunk) {
		buf := c.buf
		cnt := 0
		win.scan(lo, hi, func(i, j int, r float64) {
			buf = append(buf, prefix[i]...)
			buf = append(buf, prefix[j]...)
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

var pow10 = [...]float64{1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10,
	1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22}

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
	e := -1
	for r < 1/pow10[-e] {
		e--
	}
	x := r * pow10[5-e]
	m := math.Floor(x)
	frac := x - m
	if math.Abs(frac-0.5) < 1e-6 || x < 99999.5 || x >= 999999.5 {
		// Near a tie, or the decade guess is off by rounding: let strconv decide.
		return strconv.AppendFloat(b, r, 'g', 6, 64)
	}
	if frac > 0.5 {
		m++
	}
	mi := int64(m) // 100000 ≤ mi ≤ 999999
	var digits [6]byte
	for k := 5; k >= 0; k-- {
		digits[k] = byte('0' + mi%10)
		mi /= 10
	}
	nd := 6
	for nd > 1 && digits[nd-1] == '0' {
		nd--
	}
	if e >= -4 {
		b = append(b, '0', '.')
		for k := -1; k > e; k-- {
			b = append(b, '0')
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
		b = append(b, '0')
	}
	return strconv.AppendInt(b, int64(-e), 10)
}
