package app

import (
	"context"
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
	if err := checkGenomeOptions(o); err != nil {
		return nil, err
	}
	g := &genomeReader{o: o, log: log, sizes: inputSizes(o.Inputs), sp: &splitReader{phase: o.KeepPhase}, owner: map[string]string{},
		d: &Data{Input: strings.Join(o.Inputs, " "), Inputs: append([]string(nil), o.Inputs...), Windowed: true, ReadStats: &vcf.ReadStats{}}}
	var err error
	if g.d.Panel, err = readPanel(o.PanelPath); err != nil {
		return nil, err
	}
	startPhase(ctx, "read")
	for fi, in := range o.Inputs {
		if err := g.read(ctx, fi, in); err != nil {
			return nil, err
		}
	}
	return g.finish(), nil
}

// checkGenomeOptions refuses the options that cannot go with several
// inputs, and an input given twice, before any input is read.
func checkGenomeOptions(o DataOptions) error {
	if err := checkTestFraction(o.TestFraction); err != nil {
		return err
	}
	switch {
	case o.TestInput != "":
		return fmt.Errorf("%w: an external test cohort (%s) cannot be used in genome mode (several inputs) yet; hold out --test-fraction of the individuals instead", ErrBadOption, o.TestInput)
	case o.Read.Region != "":
		return fmt.Errorf("%w: --region %s selects a stretch of one chromosome; genome mode (several inputs) reads whole inputs: cut them first (bcftools view -r)", ErrBadOption, o.Read.Region)
	case o.Filter.MaxSampleMissing > 0:
		return fmt.Errorf("%w: --mind would drop different individuals from each input; in genome mode (several inputs) select the individuals with --samples-file or --exclude-samples-file", ErrBadOption)
	case o.Windows == WindowsOff:
		return fmt.Errorf("%w: genome mode (several inputs) always fits windowed models; --windows off cannot go with it", ErrBadOption)
	}
	seen := map[string]bool{}
	for _, in := range o.Inputs {
		if in == "-" {
			return fmt.Errorf("%w: standard input (-) cannot be one of several inputs (genome mode): give files", ErrBadOption)
		}
		key := in
		if abs, err := filepath.Abs(in); err == nil {
			key = abs
		}
		if seen[key] {
			return fmt.Errorf("%w: %s is given twice as an input", ErrBadOption, in)
		}
		seen[key] = true
	}
	return nil
}

// inputSizes returns the file size of each input (0: unknown, not a
// regular file), for the capacity estimate.
func inputSizes(inputs []string) []int64 {
	var sizes []int64
	for _, in := range inputs {
		var sz int64
		if st, err := os.Stat(in); err == nil && st.Mode().IsRegular() {
			sz = st.Size()
		}
		sizes = append(sizes, sz)
	}
	return sizes
}

// genomeReader is the state of prepareGenome as the inputs are read one
// after another into the same matrices.
type genomeReader struct {
	o     DataOptions
	log   *slog.Logger
	d     *Data
	sizes []int64 // of the inputs (inputSizes)
	// first are the first input's samples: the individuals' order; train
	// and test, the split, as indices into first.
	first       []string
	train, test []int
	sp          *splitReader
	owner       map[string]string // contig → the input holding it
	logs        []*preprocess.Log
}

// read streams input fi (in) into the matrices and adds its header, read
// statistics and filter log to the data.
func (g *genomeReader) read(ctx context.Context, fi int, in string) error {
	g.log.Info("reading", "file", in, "input", fi+1, "of", len(g.o.Inputs))
	sf, r, samples, err := openInput(ctx, in, g.o)
	if err != nil {
		return err
	}
	defer r.Close()
	if err := g.split(fi, in, samples); err != nil {
		return err
	}
	for _, c := range r.Contigs() {
		if !hasContig(g.d.Contigs, c.ID) {
			g.d.Contigs = append(g.d.Contigs, c)
		}
	}
	if g.d.Reference == "" {
		g.d.Reference = referenceLine(r)
	}
	err = g.scan(r, fi, in)
	r.Close()
	if err != nil {
		return err
	}
	stats := r.Stats()
	g.log.Info("read", "file", in, "samples", len(samples), "sites", stats.Kept, "filtered", stats.Filtered, "records", stats.Records, "skipped", formatCounts(stats.Skipped))
	if err := checkVariants(ctx, in, "", stats); err != nil {
		return err
	}
	lg, _, err := filterLog(sf, in, len(samples)) // no --mind in genome mode
	if err != nil {
		return err
	}
	if stats.Kept < 2 {
		return fmt.Errorf("%s: %d SNP passed the filters; every input of genome mode needs at least 2 SNPs (relax --maf, --geno, --hwe, or leave the input out)", in, stats.Kept)
	}
	g.logs = append(g.logs, lg)
	addReadStats(g.d.ReadStats, stats)
	return nil
}

// split decides the split on the first input's samples and, for the
// inputs after it, points the split reader at the same individuals'
// columns of input fi (in).
func (g *genomeReader) split(fi int, in string, samples []string) error {
	if fi > 0 {
		col, err := alignSamples(g.first, samples, g.o.Inputs[0], in)
		if err != nil {
			return err
		}
		g.sp.train, g.sp.test = remap(g.train, col), remap(g.test, col)
		return nil
	}
	g.first = samples
	var err error
	if g.train, g.test, err = splitSamples(samples, g.o.TestFraction, g.o.Seed, g.d.Panel); err != nil {
		return err
	}
	if err := checkSplitSize(g.train, g.test, len(samples), g.o.TestFraction); err != nil {
		return err
	}
	g.sp.train, g.sp.test = g.train, g.test
	return nil
}

// scan streams the records of input fi (in) into the split reader,
// refusing a contig that another input holds or that comes back after
// another contig.
func (g *genomeReader) scan(r *vcf.Reader, fi int, in string) error {
	before := len(g.sp.sites)
	var readBytes, allBytes int64
	for k, s := range g.sizes {
		if k <= fi {
			readBytes += s
		}
		allBytes += s
	}
	last := ""
	return r.Scan(func(rec vcf.Record, hint int) error {
		s := rec.Site
		if s.Chrom != last {
			if o, ok := g.owner[s.Chrom]; ok {
				if o == in {
					return fmt.Errorf("%s: contig %s comes back after another contig: sort the input by contig (bcftools sort)", in, s.Chrom)
				}
				return fmt.Errorf("%w: contig %s is in %s and in %s: every chromosome must come from one input", ErrBadOption, s.Chrom, o, in)
			}
			g.owner[s.Chrom], last = in, s.Chrom
		}
		// The estimate of this input's kept sites, scaled to all inputs
		// by their sizes (reserved capacity costs nothing until filled).
		est := before + hint
		if readBytes > 0 && allBytes > readBytes && g.sizes[fi] > 0 {
			est = int(float64(est) * float64(allBytes) / float64(readBytes))
		}
		return g.sp.add(rec, est)
	})
}

// finish merges the inputs' filter logs and returns the data: the
// training and test matrices over the sites of every input, their
// individuals in the first input's order.
func (g *genomeReader) finish() *Data {
	d, o, log := g.d, g.o, g.log
	d.Log = mergeLogs(g.logs)
	d.NumInput = len(g.first)
	logFilterSteps(log, d.Log)
	g.sp.train, g.sp.test = g.train, g.test // the sample IDs, in the first input's order
	d.Train, d.Test = g.sp.imputed(g.first, log)
	d.WindowCap = windowCap(o, d.Train.NumSamples())
	var contigs []string
	for _, c := range vcf.MergeContigs(nil, d.Train.Sites) {
		contigs = append(contigs, c.ID)
	}
	note := fmt.Sprintf("genome mode: %d inputs, %d contigs (%s), %d SNPs: one windowed fit across all of them, so that every synthetic individual has one ancestry on every chromosome",
		len(o.Inputs), len(contigs), strings.Join(contigs, ", "), d.Train.NumSites())
	log.Info(note)
	d.Notes = append(d.Notes, note)
	log.Info("split", "train", d.Train.NumSamples(), "test", d.Test.NumSamples(), "snps", d.Train.NumSites(), "stratified", d.Panel != nil && o.TestFraction > 0)
	return d
}

// addReadStats adds the counts of s to sum.
func addReadStats(sum, s *vcf.ReadStats) {
	sum.Records += s.Records
	sum.Kept += s.Kept
	sum.Filtered += s.Filtered
	for k, v := range s.Skipped {
		if sum.Skipped == nil {
			sum.Skipped = map[string]int{}
		}
		sum.Skipped[k] += v
	}
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
