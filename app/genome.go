package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/gousynth/gousynth/chrom"
	"github.com/gousynth/gousynth/internal/atomicfile"
	"github.com/gousynth/gousynth/preprocess"
	"github.com/gousynth/gousynth/report"
	"github.com/gousynth/gousynth/vcf"
)

// Genome mode (DataOptions.Inputs): several inputs, typically one VCF per
// chromosome, of the same individuals are read with the same filters into
// one training and one test matrix (the sites of each input after those of
// the inputs before it, the individuals aligned by sample ID), so that one
// windowed fit spans them all: its whole-input PCA, and so every synthetic
// individual's ancestry latent, is the genome's, and SYN000017 has the same
// ancestry on every chromosome. The split is decided once, on the first
// input's sample IDs, so it holds the same individuals on every chromosome.
// Windows never straddle a chromosome (chrom.CutWindows cuts at every
// change of contig). Genome mode always fits windowed models, even when
// the inputs together have fewer SNPs than one model's budget: one model
// over several chromosomes would treat them as one LD region.

// prepareGenome is Prepare for o.Inputs (genome mode). It holds one byte
// per kept genotype, as Prepare does: every input streams into the same
// training and test matrices, whose capacity is reserved from an estimate
// of the kept sites of all inputs (their file sizes), so that the matrices
// are not copied as inputs follow one another.
func prepareGenome(ctx context.Context, o DataOptions, log *slog.Logger) (*Data, error) {
	switch {
	case o.TestFraction < 0 || o.TestFraction >= 1:
		return nil, fmt.Errorf("%w: test fraction must be in [0, 1), got %g", ErrBadOption, o.TestFraction)
	case o.TestInput != "":
		return nil, fmt.Errorf("%w: an external test cohort (%s) cannot be used in genome mode (several inputs) yet; hold out --test-fraction of the individuals instead", ErrBadOption, o.TestInput)
	case o.Read.Region != "":
		return nil, fmt.Errorf("%w: --region %s selects a stretch of one chromosome; genome mode (several inputs) reads whole inputs: cut them first (bcftools view -r)", ErrBadOption, o.Read.Region)
	case o.Filter.MaxSampleMissing > 0:
		return nil, fmt.Errorf("%w: --mind would drop different individuals from each input; in genome mode (several inputs) select the individuals with --samples-file or --exclude-samples-file", ErrBadOption)
	case o.Windows == WindowsOff:
		return nil, fmt.Errorf("%w: genome mode (several inputs) always fits windowed models; --windows off cannot go with it", ErrBadOption)
	}
	seen := map[string]bool{}
	for _, in := range o.Inputs {
		if in == "-" {
			return nil, fmt.Errorf("%w: standard input (-) cannot be one of several inputs (genome mode): give files", ErrBadOption)
		}
		key := in
		if abs, err := filepath.Abs(in); err == nil {
			key = abs
		}
		if seen[key] {
			return nil, fmt.Errorf("%w: %s is given twice as an input", ErrBadOption, in)
		}
		seen[key] = true
	}
	d := &Data{Input: strings.Join(o.Inputs, " "), Inputs: append([]string(nil), o.Inputs...), Windowed: true, ReadStats: &vcf.ReadStats{}}
	if o.PanelPath != "" {
		p, err := preprocess.ReadPanel(o.PanelPath)
		if err != nil {
			return nil, err
		}
		d.Panel = p
	}
	var sizes []int64 // of the inputs, for the capacity estimate (0: unknown)
	for _, in := range o.Inputs {
		var sz int64
		if st, err := os.Stat(in); err == nil && st.Mode().IsRegular() {
			sz = st.Size()
		}
		sizes = append(sizes, sz)
	}
	var (
		first       []string // the first input's samples: the individuals' order
		train, test []int    // the split, as indices into first
		sp          = &splitReader{phase: o.KeepPhase}
		owner       = map[string]string{} // contig → the input holding it
		logs        []*preprocess.Log
	)
	startPhase(ctx, "read")
	for fi, in := range o.Inputs {
		log.Info("reading", "file", in, "input", fi+1, "of", len(o.Inputs))
		sf, ro, err := preprocess.NewStreamFilter(in, o.Read, o.Filter)
		if err != nil {
			if errors.Is(err, preprocess.ErrNothingLeft) || errors.Is(err, preprocess.ErrBadOption) {
				return nil, fmt.Errorf("%s: %w", in, err)
			}
			return nil, err
		}
		ro.DosageOnly = !o.KeepPhase // only haplotype window models use the phase
		r, err := vcf.OpenContext(ctx, in, ro)
		if err != nil {
			return nil, err
		}
		samples := r.Samples()
		if len(samples) == 0 {
			r.Close()
			return nil, fmt.Errorf("%s: the file has no samples", in)
		}
		if fi == 0 {
			first = samples
			if train, test, err = splitSamples(samples, o.TestFraction, o.Seed, d.Panel); err != nil {
				r.Close()
				return nil, err
			}
			if len(train) < 2 || (len(test) < 2 && o.TestFraction > 0) {
				r.Close()
				return nil, fmt.Errorf("%w: %d individuals are too few to split into training and test sets (test fraction %g)", ErrBadOption, len(samples), o.TestFraction)
			}
			sp.train, sp.test = train, test
		} else {
			col, err := alignSamples(first, samples, o.Inputs[0], in)
			if err != nil {
				r.Close()
				return nil, err
			}
			sp.train, sp.test = remap(train, col), remap(test, col)
		}
		for _, c := range r.Contigs() {
			if !hasContig(d.Contigs, c.ID) {
				d.Contigs = append(d.Contigs, c)
			}
		}
		if d.Reference == "" {
			for _, l := range r.HeaderLines() {
				if strings.HasPrefix(l, "##reference=") {
					d.Reference = l
					break
				}
			}
		}
		before := len(sp.sites)
		var readBytes, allBytes int64
		for k, s := range sizes {
			if k <= fi {
				readBytes += s
			}
			allBytes += s
		}
		last := ""
		err = r.Scan(func(rec vcf.Record, hint int) error {
			s := rec.Site
			if s.Chrom != last {
				if o, ok := owner[s.Chrom]; ok {
					if o == in {
						return fmt.Errorf("%s: contig %s comes back after another contig: sort the input by contig (bcftools sort)", in, s.Chrom)
					}
					return fmt.Errorf("%w: contig %s is in %s and in %s: every chromosome must come from one input", ErrBadOption, s.Chrom, o, in)
				}
				owner[s.Chrom], last = in, s.Chrom
			}
			// The estimate of this input's kept sites, scaled to all inputs
			// by their sizes (reserved capacity costs nothing until filled).
			est := before + hint
			if readBytes > 0 && allBytes > readBytes && sizes[fi] > 0 {
				est = int(float64(est) * float64(allBytes) / float64(readBytes))
			}
			return sp.add(rec, est)
		})
		r.Close()
		if err != nil {
			return nil, err
		}
		stats := r.Stats()
		log.Info("read", "file", in, "samples", len(samples), "sites", stats.Kept, "filtered", stats.Filtered, "records", stats.Records, "skipped", formatCounts(stats.Skipped))
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if stats.Kept+stats.Filtered == 0 {
			return nil, fmt.Errorf("%s: no usable variants", in)
		}
		lg, err := sf.Log(len(samples))
		if err != nil {
			return nil, fmt.Errorf("%s: %w", in, err)
		}
		if stats.Kept < 2 {
			return nil, fmt.Errorf("%s: %d SNP passed the filters; every input of genome mode needs at least 2 SNPs (relax --maf, --geno, --hwe, or leave the input out)", in, stats.Kept)
		}
		logs = append(logs, lg)
		d.ReadStats.Records += stats.Records
		d.ReadStats.Kept += stats.Kept
		d.ReadStats.Filtered += stats.Filtered
		for k, v := range stats.Skipped {
			if d.ReadStats.Skipped == nil {
				d.ReadStats.Skipped = map[string]int{}
			}
			d.ReadStats.Skipped[k] += v
		}
	}
	d.Log = mergeLogs(logs)
	d.NumInput = len(first)
	for _, line := range strings.Split(strings.TrimSpace(d.Log.String()), "\n") {
		if line != "" {
			log.Debug("filter", "step", line)
		}
	}
	sp.train, sp.test = train, test // the sample IDs, in the first input's order
	d.Train, d.Test = sp.imputed(first, log)
	var contigs []string
	for _, c := range vcf.MergeContigs(nil, d.Train.Sites) {
		contigs = append(contigs, c.ID)
	}
	note := fmt.Sprintf("genome mode: %d inputs, %d contigs (%s), %d SNPs: one windowed fit across all of them, so that every synthetic individual has one ancestry on every chromosome",
		len(o.Inputs), len(contigs), strings.Join(contigs, ", "), d.Train.NumSites())
	log.Info(note)
	d.Notes = append(d.Notes, note)
	log.Info("split", "train", d.Train.NumSamples(), "test", d.Test.NumSamples(), "snps", d.Train.NumSites(), "stratified", d.Panel != nil && o.TestFraction > 0)
	return d, nil
}

// alignSamples returns, for each sample of first (the first input's), its
// column in samples (input in's), or an error naming what differs.
func alignSamples(first, samples []string, firstIn, in string) ([]int, error) {
	col := make(map[string]int, len(samples))
	for i, s := range samples {
		col[s] = i
	}
	out := make([]int, len(first))
	missing, firstMissing := 0, ""
	for i, s := range first {
		c, ok := col[s]
		if !ok {
			if missing == 0 {
				firstMissing = s
			}
			missing++
			continue
		}
		out[i] = c
	}
	if missing > 0 || len(samples) != len(first) {
		msg := fmt.Sprintf("%s has %d samples and %s %d", in, len(samples), firstIn, len(first))
		if missing > 0 {
			msg += fmt.Sprintf("; %d of %s's samples are not in %s (the first: %s)", missing, firstIn, in, firstMissing)
		}
		return nil, fmt.Errorf("%w: %s: every input of genome mode must hold the same individuals (in any order); select them with --samples-file", ErrBadOption, msg)
	}
	return out, nil
}

// remap returns col[idx[i]] for every i.
func remap(idx, col []int) []int {
	out := make([]int, len(idx))
	for i, j := range idx {
		out[i] = col[j]
	}
	return out
}

func hasContig(cs []vcf.Contig, id string) bool {
	for _, c := range cs {
		if c.ID == id {
			return true
		}
	}
	return false
}

// mergeLogs adds up the filter steps of several inputs (every input has
// the same steps, counted in variants, in the same order).
func mergeLogs(logs []*preprocess.Log) *preprocess.Log {
	out := &preprocess.Log{}
	for _, l := range logs {
		for i, s := range l.Steps {
			if i >= len(out.Steps) {
				out.Steps = append(out.Steps, preprocess.Step{Name: s.Name, Unit: s.Unit, Reason: s.Reason})
			}
			out.Steps[i].Removed += s.Removed
			out.Steps[i].Remaining += s.Remaining
		}
	}
	return out
}

// SplitSynthFile is the name of contig's synthetic file in a fit's output
// directory with FitOptions.SplitChromosomes: synthetic.CONTIG.vcf.gz, or
// synthetic.CONTIG.bed with .bim and .fam for the PLINK format; characters
// of the contig name other than letters, digits, '.', '-' and '_' become
// '_'.
func SplitSynthFile(contig, format string) string {
	var b strings.Builder
	for _, r := range contig {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '.', r == '-', r == '_':
			b.WriteRune(r)
		default:
			b.WriteByte('_')
		}
	}
	if format == FormatPLINK {
		return "synthetic." + b.String() + ".bed"
	}
	return "synthetic." + b.String() + ".vcf.gz"
}

// checkSplitChromosomes refuses SplitChromosomes without genome mode, or
// for contigs that would share a file, before any output is written.
func (o FitOptions) checkSplitChromosomes(d *Data) error {
	if !o.SplitChromosomes {
		return nil
	}
	if d.Inputs == nil {
		return fmt.Errorf("%w: one file per chromosome needs genome mode (DataOptions.Inputs)", ErrBadOption)
	}
	_, _, err := splitFileNames(d.Train.Sites, o.OutFormat)
	return err
}

// splitFileNames returns each contig's file name (SplitSynthFile), in the
// order of sites, or an error when two contigs would share a file.
func splitFileNames(sites []vcf.Site, format string) (contigs, names []string, err error) {
	byName := map[string]string{}
	for _, c := range vcf.MergeContigs(nil, sites) {
		name := SplitSynthFile(c.ID, format)
		if o, dup := byName[name]; dup {
			return nil, nil, fmt.Errorf("%w: contigs %s and %s would both be written to %s: rename one (bcftools annotate --rename-chrs) or write one file (leave out --split-chromosomes)", ErrBadOption, o, c.ID, name)
		}
		byName[name] = c.ID
		contigs, names = append(contigs, c.ID), append(names, name)
	}
	return contigs, names, nil
}

// createSynthOutput opens the synthetic cohort's writer of a windowed fit:
// one file (SynthFile or SynthPLINKFile) or, with SplitChromosomes, one
// per contig (SplitSynthFile), each with its own contig line.
func (o FitOptions) createSynthOutput(out *atomicfile.Dir, hdr vcf.Header, sites []vcf.Site) (vcf.SiteWriter, error) {
	if !o.SplitChromosomes {
		return vcf.CreateOutput(out.Path(o.synthFile()), hdr)
	}
	contigs, names, err := splitFileNames(sites, o.OutFormat)
	if err != nil {
		return nil, err
	}
	cw := &contigWriter{out: out, hdr: hdr, file: map[string]string{}}
	for i, c := range contigs {
		cw.file[c] = names[i]
	}
	return cw, nil
}

// noteSynthIndex logs the indexes written beside the synthetic VCFs.
func (o FitOptions) noteSynthIndex(log *slog.Logger, sites []vcf.Site) {
	if o.OutFormat == FormatPLINK {
		return
	}
	if !o.SplitChromosomes {
		NoteIndex(log, SynthFile, sites)
		return
	}
	for lo := 0; lo < len(sites); {
		hi := lo + 1
		for hi < len(sites) && sites[hi].Chrom == sites[lo].Chrom {
			hi++
		}
		NoteIndex(log, SplitSynthFile(sites[lo].Chrom, o.OutFormat), sites[lo:hi])
		lo = hi
	}
}

// contigWriter writes sites sorted by contig to one file per contig: the
// file of a contig is created at its first site and closed (written with
// its index) at the first site of the next.
type contigWriter struct {
	out   *atomicfile.Dir
	hdr   vcf.Header
	file  map[string]string // contig → file name
	cur   vcf.SiteWriter
	chrom string
	done  map[string]bool
}

func (c *contigWriter) to(chrom string) error {
	if c.cur != nil && chrom == c.chrom {
		return nil
	}
	if c.cur != nil {
		if err := c.cur.Close(); err != nil {
			return err
		}
		c.cur = nil
	}
	if c.done == nil {
		c.done = map[string]bool{}
	}
	name, ok := c.file[chrom]
	if !ok || c.done[chrom] {
		return fmt.Errorf("%w: contig %s written out of order", ErrBadOption, chrom)
	}
	c.done[chrom] = true
	h := c.hdr
	h.Contigs = nil
	for _, ct := range c.hdr.Contigs {
		if ct.ID == chrom {
			h.Contigs = append(h.Contigs, ct)
		}
	}
	if len(h.Contigs) == 0 {
		h.Contigs = []vcf.Contig{{ID: chrom}}
	}
	w, err := vcf.CreateOutput(c.out.Path(name), h)
	if err != nil {
		return err
	}
	c.cur, c.chrom = w, chrom
	return nil
}

func (c *contigWriter) Write(site vcf.Site, dosage, haps []int8) error {
	if err := c.to(site.Chrom); err != nil {
		return err
	}
	return c.cur.Write(site, dosage, haps)
}

func (c *contigWriter) WritePloidy(site vcf.Site, dosage, haps, ploidy []int8) error {
	if err := c.to(site.Chrom); err != nil {
		return err
	}
	return c.cur.WritePloidy(site, dosage, haps, ploidy)
}

func (c *contigWriter) Close() error {
	if c.cur == nil {
		return nil
	}
	err := c.cur.Close()
	c.cur = nil
	return err
}

func (c *contigWriter) Abort() {
	if c.cur != nil {
		c.cur.Abort()
		c.cur = nil
	}
}

// IndexPath is empty: each contig's file has its own index.
func (c *contigWriter) IndexPath() string { return "" }

// genomeProvenance is the provenance row of the cross-chromosome ancestry
// agreement (chrom.Metrics.Genome), none on one chromosome.
func genomeProvenance(cm *chrom.Metrics) report.Provenance {
	g := cm.Genome
	if g == nil {
		return nil
	}
	f := func(x float64) string { return strconv.FormatFloat(x, 'g', 4, 64) }
	var out report.Provenance
	for k := range g.SynthMean {
		out = append(out, report.KeyValue{Key: fmt.Sprintf("genome: PC%d share, chromosome vs chromosome correlation", k+1),
			Value: fmt.Sprintf("synthetic %s, real test %s (mean over %d pairs of %d chromosomes)", f(g.SynthMean[k]), f(g.TestMean[k]), len(g.Pairs), len(g.Contigs))})
	}
	return out
}
