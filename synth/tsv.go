package synth

import (
	"bufio"
	"io"
	"strconv"

	"gonum.org/v1/gonum/mat"
)

// WriteTSV writes m as a tab-separated matrix with a header line x1 … xd and
// one sample per line. Numbers use the shortest representation that parses
// back to the same float64, so the output is exact and deterministic.
func WriteTSV(w io.Writer, m *mat.Dense) error {
	bw := bufio.NewWriterSize(w, 1<<16)
	r, c := 0, 0
	if !m.IsEmpty() {
		r, c = m.Dims()
	}
	buf := make([]byte, 0, 32)
	for j := range c {
		if j > 0 {
			bw.WriteByte('\t')
		}
		bw.WriteString("x")
		bw.WriteString(strconv.Itoa(j + 1))
	}
	bw.WriteByte('\n')
	for i := range r {
		for j, v := range m.RawRowView(i) {
			if j > 0 {
				bw.WriteByte('\t')
			}
			buf = strconv.AppendFloat(buf[:0], v, 'g', -1, 64)
			bw.Write(buf)
		}
		bw.WriteByte('\n')
	}
	return bw.Flush()
}
