package synth

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/gousynth/gousynth/vcf"
)

// VCFOptions configures Panel.WriteVCF.
type VCFOptions struct {
	// Header supplies Source, CommandLine, FileDate and ExtraLines; Samples,
	// Contigs and Phased are set from the panel, and a ##gousynthSimulation
	// line recording the configuration and seed is appended.
	Header vcf.Header
	// Threads generating haplotypes (the output does not depend on it).
	Threads int
	// Truth, when not nil, receives a tab-separated table of each site's
	// generating truth: CHROM POS ID BLOCK ANC_FREQ and one FREQ_<pop>
	// column per population.
	Truth io.Writer
}

// WriteVCF simulates the panel into a BGZF-compressed VCF with a tabix index
// at path, streaming: memory does not grow with the number of SNPs. Nothing
// appears under path unless the whole file was written.
func (p *Panel) WriteVCF(ctx context.Context, path string, opt VCFOptions) error {
	h := opt.Header
	h.Samples = p.SampleIDs()
	h.Contigs = []vcf.Contig{p.Contig()}
	h.Phased = !p.cfg.Unphased
	h.ExtraLines = append(append([]string(nil), h.ExtraLines...), "gousynthSimulation="+p.Describe())
	w, err := vcf.Create(path, h)
	if err != nil {
		return err
	}
	defer w.Abort()
	ro := RunOptions{Threads: opt.Threads}
	var tw *bufio.Writer
	if opt.Truth != nil {
		tw = bufio.NewWriterSize(opt.Truth, 1<<16)
		hdr := "CHROM\tPOS\tID\tBLOCK\tANC_FREQ"
		for k := range p.cfg.Populations {
			hdr += "\tFREQ_POP" + strconv.Itoa(k+1)
		}
		if _, err := tw.WriteString(hdr + "\n"); err != nil {
			return err
		}
		buf := make([]byte, 0, 128)
		ro.Truth = func(t SiteTruth) error {
			buf = append(buf[:0], t.Site.Chrom...)
			buf = append(buf, '\t')
			buf = strconv.AppendInt(buf, int64(t.Site.Pos), 10)
			buf = append(buf, '\t')
			buf = append(buf, t.Site.ID...)
			buf = append(buf, '\t')
			buf = strconv.AppendInt(buf, int64(t.Block), 10)
			buf = append(buf, '\t')
			buf = strconv.AppendFloat(buf, t.AncestralFreq, 'g', 6, 64)
			for _, f := range t.PopFreq {
				buf = append(buf, '\t')
				buf = strconv.AppendFloat(buf, f, 'g', 6, 64)
			}
			buf = append(buf, '\n')
			_, err := tw.Write(buf)
			return err
		}
	}
	if err := p.Run(ctx, w, ro); err != nil {
		return err
	}
	if tw != nil {
		if err := tw.Flush(); err != nil {
			return err
		}
	}
	return w.Close()
}

// Describe returns a one-line, deterministic description of the simulation
// (configuration and seed), recorded in the VCF header.
func (p *Panel) Describe() string {
	c := p.cfg
	f := func(x float64) string { return strconv.FormatFloat(x, 'g', -1, 64) }
	var b strings.Builder
	fmt.Fprintf(&b, "Individuals=%d,SNPs=%d,Seed=%d,MeanGap=%s", c.Individuals, c.SNPs, p.seed, f(c.MeanGap))
	if c.HotspotSpacing > 0 {
		fmt.Fprintf(&b, ",HotspotSpacing=%s", f(c.HotspotSpacing))
	} else {
		fmt.Fprintf(&b, ",BlockSize=%d,VariableBlocks=%t", c.BlockSize, c.VariableBlocks)
	}
	if len(c.LD) == 0 {
		fmt.Fprintf(&b, ",Rho=%s", f(c.Rho))
	} else {
		parts := make([]string, len(c.LD))
		for i, l := range c.LD {
			parts[i] = f(l.Weight) + ":" + f(l.Scale)
		}
		fmt.Fprintf(&b, ",LD=%s", strings.Join(parts, "+"))
	}
	kind := "uniform"
	switch c.Spectrum.Kind {
	case SpectrumBeta:
		kind = "beta(" + f(c.Spectrum.Alpha) + ";" + f(c.Spectrum.Beta) + ")"
	case Spectrum1KG:
		kind = "1kg"
	}
	fmt.Fprintf(&b, ",SameBranch=%s,Spectrum=%s[%s;%s],Populations=%d,Fst=%s,Phased=%t",
		f(c.SameBranch), kind, f(c.Spectrum.Min), f(c.Spectrum.Max), c.Populations, f(c.Fst), !c.Unphased)
	return b.String()
}
