package report

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"html/template"
	"image"
	"image/color"
	"image/png"
	"math"
	"strconv"
	"strings"

	"github.com/gousynth/gousynth/preprocess"
	"github.com/gousynth/gousynth/vcf"
)

// DefaultWindowHeatCells is the default resolution of the per-window zoom
// heatmaps of a windowed report (Options.WindowHeatCells).
const DefaultWindowHeatCells = 64

// WindowHeatmap is one window's LD heatmap data for the zoom of a windowed
// report: the block-averaged r² matrices of the real test cohort and of the
// synthetic cohort over the window's SNPs (as PlotData.HeatTest and
// HeatSynth, downsampled to Cells × Cells).
type WindowHeatmap struct {
	Cells       int
	Test, Synth []float32 // Cells × Cells, row-major
	// Pos holds the position (bp) of the first SNP of each cell, Last that
	// of the window's last SNP; SNPs is the number of SNPs behind the cells.
	Pos  []float64
	Last float64
	SNPs int
}

// windowHeatmap computes the zoom heatmap of one window's test and
// synthetic cohorts (same sites), thinned to at most maxSNPs evenly spaced
// SNPs and block averaged to at most cells × cells.
func windowHeatmap(t, s *vcf.Genotypes, cells, maxSNPs int) (WindowHeatmap, error) {
	d := t.NumSites()
	if d > maxSNPs {
		idx := make([]int, maxSNPs)
		for i := range idx {
			idx[i] = int(float64(i)*float64(d-1)/float64(maxSNPs-1) + 0.5)
		}
		t, s, d = preprocess.SubsetSites(t, idx), preprocess.SubsetSites(s, idx), maxSNPs
	}
	c := min(cells, d)
	h := WindowHeatmap{Cells: c, Pos: make([]float64, c), Last: float64(t.Sites[d-1].Pos), SNPs: d}
	for v := d - 1; v >= 0; v-- { // blockR2's cells: SNP v in cell v·c/d
		h.Pos[v*c/d] = float64(t.Sites[v].Pos)
	}
	rt, err := blockR2(t, c)
	if err != nil {
		return h, err
	}
	rs, err := blockR2(s, c)
	if err != nil {
		return h, err
	}
	h.Test, h.Synth = make([]float32, c*c), make([]float32, c*c)
	for i := range rt {
		h.Test[i], h.Synth[i] = float32(rt[i]), float32(rs[i])
	}
	return h, nil
}

// zoomLevels is the number of colours of a zoom heatmap's palette: 64
// levels of r² (steps of 1/63) keep each PNG small.
const zoomLevels = 64

var (
	seqPalette  = makePalette(func(i int) color.Color { return seqColour(float64(i) / (zoomLevels - 1)) })
	diffPalette = makePalette(func(i int) color.Color {
		if i == zoomLevels {
			return color.RGBA{0xbb, 0xbb, 0xbb, 0xff} // the diagonal
		}
		return divColour(2*float64(i)/(zoomLevels-1) - 1)
	})
)

func makePalette(f func(int) color.Color) color.Palette {
	p := make(color.Palette, zoomLevels+1)
	for i := range p {
		p[i] = f(min(i, zoomLevels))
	}
	return p
}

// level maps v in [lo, hi] to a palette index.
func level(v, lo, hi float64) uint8 {
	x := (v - lo) / (hi - lo)
	return uint8(math.Round(math.Max(0, math.Min(1, x)) * (zoomLevels - 1)))
}

func pngBase64(img image.Image) (string, error) {
	var buf bytes.Buffer
	enc := png.Encoder{CompressionLevel: png.BestCompression}
	if err := enc.Encode(&buf, img); err != nil {
		return "", err
	}
	return base64.StdEncoding.EncodeToString(buf.Bytes()), nil
}

// zoomGeometry of one zoom figure (CSS pixels): two heatmaps of side
// zoomSize, each with a colour bar.
const zoomSize, zoomLeft, zoomTop, zoomGap = 300, 54, 26, 96

// zoomSVG draws one window's triangle pair (real test below the diagonal,
// synthetic above) and difference panel, with Mb ticks, as one compact
// <svg>; the colour bars use the gradients of zoomDefs. It returns the
// difference scale.
func zoomSVG(h WindowHeatmap) (template.HTML, float64, error) {
	n := h.Cells
	test, synth := make([]float64, n*n), make([]float64, n*n)
	for i := range test {
		test[i], synth[i] = float64(h.Test[i]), float64(h.Synth[i])
	}
	scale := diffScale(test, synth, n)
	pair := image.NewPaletted(image.Rect(0, 0, n, n), seqPalette)
	diff := image.NewPaletted(image.Rect(0, 0, n, n), diffPalette)
	for i := 0; i < n; i++ {
		for j := 0; j < n; j++ {
			k := i*n + j
			if j <= i {
				pair.SetColorIndex(j, i, level(test[k], 0, 1))
			} else {
				pair.SetColorIndex(j, i, level(synth[k], 0, 1))
			}
			if i == j {
				diff.SetColorIndex(j, i, zoomLevels)
			} else {
				diff.SetColorIndex(j, i, level(synth[k]-test[k], -scale, scale))
			}
		}
	}
	W, H := 2*(zoomLeft+zoomSize)+zoomGap+70, zoomTop+zoomSize+40
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="zoom" role="img" width="%d" height="%d" viewBox="0 0 %d %d" xmlns="http://www.w3.org/2000/svg" font-family="Arial,Helvetica,sans-serif" font-size="11">`, W, H, W, H)
	at, labels := mbTicks(h.Pos, h.Last)
	px := float64(zoomSize) / float64(n)
	sc := strconv.FormatFloat(scale, 'g', 3, 64)
	for p, panel := range []struct {
		img          *image.Paletted
		title, grad  string
		lo, mid, hi  string
		corner1, cr2 string
	}{
		{pair, "LD r²: real test (below) · synthetic (above)", "zseq", "0", "0.5", "1", "real test", "synthetic"},
		{diff, "Synthetic − real r² (±" + sc + ")", "zdiv", "−" + sc, "0", sc, "", ""},
	} {
		x0 := zoomLeft + p*(zoomLeft+zoomSize+zoomGap)
		data, err := pngBase64(panel.img)
		if err != nil {
			return "", 0, err
		}
		fmt.Fprintf(&b, `<text x="%d" y="16" text-anchor="middle" font-size="13" font-weight="bold">%s</text>`, x0+zoomSize/2, template.HTMLEscapeString(panel.title))
		fmt.Fprintf(&b, `<image x="%d" y="%d" width="%d" height="%d" preserveAspectRatio="none" style="image-rendering:pixelated" href="data:image/png;base64,%s"/>`, x0, zoomTop, zoomSize, zoomSize, data)
		fmt.Fprintf(&b, `<rect x="%d" y="%d" width="%d" height="%d" fill="none" stroke="#444"/>`, x0, zoomTop, zoomSize, zoomSize)
		if panel.corner1 != "" {
			fmt.Fprintf(&b, `<text x="%d" y="%d">%s</text><text x="%d" y="%d" text-anchor="end">%s</text>`, x0+6, zoomTop+zoomSize-8, panel.corner1, x0+zoomSize-6, zoomTop+15, panel.cr2)
		}
		var ticks strings.Builder
		for i, x := range at {
			q := x * px
			fmt.Fprintf(&ticks, "M%.1f %dv5M%d %.1fh-5", float64(x0)+q, zoomTop+zoomSize, x0, float64(zoomTop)+q)
			fmt.Fprintf(&b, `<text x="%.1f" y="%d" text-anchor="middle">%s</text><text x="%d" y="%.1f" text-anchor="end">%s</text>`,
				float64(x0)+q, zoomTop+zoomSize+16, labels[i], x0-7, float64(zoomTop)+q+4, labels[i])
		}
		fmt.Fprintf(&b, `<path d="%s" stroke="#444"/>`, ticks.String())
		fmt.Fprintf(&b, `<text x="%d" y="%d" text-anchor="middle">position (Mb)</text>`, x0+zoomSize/2, zoomTop+zoomSize+32)
		bx := x0 + zoomSize + 12
		fmt.Fprintf(&b, `<rect x="%d" y="%d" width="12" height="%d" fill="url(#%s)" stroke="#444"/>`, bx, zoomTop, zoomSize, panel.grad)
		for k, v := range []string{panel.hi, panel.mid, panel.lo} {
			fmt.Fprintf(&b, `<text x="%d" y="%d">%s</text>`, bx+16, zoomTop+k*zoomSize/2+4, v)
		}
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String()), scale, nil //nolint:gosec // built here; text escaped
}

// zoomDefs are the colour-bar gradients the zoom figures refer to, defined
// once in the (always displayed) window strip.
func zoomDefs() string {
	var b strings.Builder
	b.WriteString(`<defs><linearGradient id="zseq" x1="0" y1="1" x2="0" y2="0">`)
	for k := 0; k <= 8; k++ {
		c := seqColour(float64(k) / 8)
		fmt.Fprintf(&b, `<stop offset="%.3f" stop-color="#%02x%02x%02x"/>`, float64(k)/8, c.R, c.G, c.B)
	}
	b.WriteString(`</linearGradient><linearGradient id="zdiv" x1="0" y1="1" x2="0" y2="0">`)
	for k := 0; k <= 16; k++ {
		c := divColour(float64(k)/8 - 1)
		fmt.Fprintf(&b, `<stop offset="%.4f" stop-color="#%02x%02x%02x"/>`, float64(k)/16, c.R, c.G, c.B)
	}
	b.WriteString(`</linearGradient></defs>`)
	return b.String()
}

// Okabe–Ito colours of the window strip's good, fair and poor windows.
var stripColours = [3]string{"#009e73", "#e69f00", "#d55e00"}

// stripMax caps the window strip's ratio axis.
const stripMax = 4.0

// windowStrip draws one bar per window, its height the window's LD error
// over its floor, each bar a link to the window's zoom (#zoom-i).
func windowStrip(ov *Overview) template.HTML {
	nw := len(ov.From)
	const W, H, left, top, plotH = 920, 156, 46, 12, 100
	bw := float64(W-left-10) / float64(nw)
	y := func(r float64) float64 { return top + plotH - plotH*math.Min(r, stripMax)/stripMax }
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="strip" role="img" width="%d" height="%d" viewBox="0 0 %d %d" xmlns="http://www.w3.org/2000/svg" font-family="Arial,Helvetica,sans-serif" font-size="11">`, W, H, W, H)
	b.WriteString(zoomDefs())
	for _, r := range []float64{1, GoodRatio, FairRatio} {
		fmt.Fprintf(&b, `<line x1="%d" x2="%d" y1="%.1f" y2="%.1f" stroke="#999" stroke-dasharray="3 3"/><text x="%d" y="%.1f" text-anchor="end">%g×</text>`, left, W-10, y(r), y(r), left-4, y(r)+4, r)
	}
	fmt.Fprintf(&b, `<line x1="%d" x2="%d" y1="%d" y2="%d" stroke="#444"/>`, left, W-10, top+plotH, top+plotH)
	fmt.Fprintf(&b, `<text transform="translate(11 %d) rotate(-90)" text-anchor="middle">LD error / floor</text>`, top+plotH/2)
	for i := 0; i < nw; i++ {
		r := ov.LDErr[i] / ov.LDErrFloor[i]
		cls := 2
		switch {
		case math.IsNaN(r):
			cls = -1
		case r <= GoodRatio:
			cls = 0
		case r <= FairRatio:
			cls = 1
		}
		fill := "#bbbbbb"
		if cls >= 0 {
			fill = stripColours[cls]
		}
		x := float64(left) + float64(i)*bw
		tip := fmt.Sprintf("window %d: %s:%.0f-%.0f, LD error %s (floor %s, %s×)", i, ov.Chrom, ov.From[i], ov.To[i], fmtNum(ov.LDErr[i]), fmtNum(ov.LDErrFloor[i]), fmtRatio(r))
		fmt.Fprintf(&b, `<a href="#zoom-%d"><title>%s</title><rect x="%.1f" y="%d" width="%.2f" height="%d" fill="#fff" fill-opacity="0"/>`, i, template.HTMLEscapeString(tip), x, top, bw, plotH)
		h := 0.0
		if cls >= 0 {
			h = float64(top+plotH) - y(r)
		}
		fmt.Fprintf(&b, `<rect x="%.1f" y="%.1f" width="%.2f" height="%.1f" fill="%s"/>`, x+0.1*bw, float64(top+plotH)-math.Max(h, 1), 0.8*bw, math.Max(h, 1), fill)
		if r > stripMax { // cut at the top of the axis: a dark cap says so
			fmt.Fprintf(&b, `<rect x="%.1f" y="%d" width="%.2f" height="3" fill="#222"/>`, x+0.1*bw, top, 0.8*bw)
		}
		b.WriteString(`</a>`)
		if i == ov.Representative {
			fmt.Fprintf(&b, `<path d="M%.1f %dl-4 -7h8z" fill="#444"/>`, x+bw/2, top+plotH+9)
		}
	}
	// Mb labels under about eight windows.
	step := max(1, (nw+7)/8)
	_, prec := mbStep(ov.From[0], ov.To[nw-1])
	for i := 0; i < nw; i += step {
		fmt.Fprintf(&b, `<text x="%.1f" y="%d" text-anchor="middle">%s</text>`, float64(left)+(float64(i)+0.5)*bw, top+plotH+22, strconv.FormatFloat(ov.From[i]/1e6, 'f', prec+1, 64))
	}
	fmt.Fprintf(&b, `<text x="%d" y="%d" text-anchor="middle">window start (Mb); ▲ representative window</text>`, left+(W-left)/2, top+plotH+37)
	b.WriteString(`</svg>`)
	return template.HTML(b.String()) //nolint:gosec // built here; text escaped
}

// zoomPanel is one window of the zoom: its heading line and figure.
type zoomPanel struct {
	ID, Class string
	Head      string
	Prev      int // −1 for none
	Next      int
	SVG       template.HTML
}

// zoomPanels draws every window's zoom figure (nil without heatmaps).
func zoomPanels(ov *Overview) ([]zoomPanel, error) {
	if len(ov.Heatmaps) != len(ov.From) {
		return nil, nil
	}
	nw := len(ov.From)
	rep := ov.Representative
	if rep < 0 || rep >= nw {
		rep = 0
	}
	out := make([]zoomPanel, nw)
	for i, h := range ov.Heatmaps {
		svg, _, err := zoomSVG(h)
		if err != nil {
			return nil, err
		}
		head := fmt.Sprintf("Window %d of %d: %s:%.0f–%.0f, %d SNPs · LD error %s (floor %s, %s×) · allele-frequency error %s (floor %s)",
			i, nw, ov.Chrom, ov.From[i], ov.To[i], h.SNPs, fmtNum(ov.LDErr[i]), fmtNum(ov.LDErrFloor[i]), fmtRatio(ov.LDErr[i]/ov.LDErrFloor[i]), fmtNum(ov.AFErr[i]), fmtNum(ov.AFErrFloor[i]))
		if ov.Ancestry != nil {
			head += fmt.Sprintf(" · ancestry agreement %s (real test %s)", fmtNum(ov.Ancestry[i]), fmtNum(ov.AncestryTest[i]))
		}
		cls := "zwin"
		if i == rep {
			cls += " rep"
		}
		next := i + 1
		if next == nw {
			next = -1
		}
		out[i] = zoomPanel{ID: "zoom-" + strconv.Itoa(i), Class: cls, Head: head, Prev: i - 1, Next: next, SVG: svg}
	}
	return out, nil
}
