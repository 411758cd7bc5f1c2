package app

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/gousynth/gousynth/chrom"
	"github.com/gousynth/gousynth/model"
	"github.com/gousynth/gousynth/preprocess"
	"github.com/gousynth/gousynth/synth"
	"github.com/gousynth/gousynth/vcf"
	"gonum.org/v1/gonum/mat"
)

// writeChromosomes simulates the same individuals on several chromosomes
// (contigs "1", "2", …): synth assigns individual i to the same population
// whatever the seed, so the chromosomes share each individual's ancestry,
// as a real genome does, while their allele frequencies and LD are drawn
// independently.
func writeChromosomes(t *testing.T, dir string, n, snps, chroms int) []string {
	t.Helper()
	var paths []string
	for c := 1; c <= chroms; c++ {
		// Short LD blocks, so that a chromosome's top PCs are its
		// population structure rather than its LD blocks.
		cfg := synth.PaperPreset(n, snps)
		cfg.BlockSize, cfg.Rho = 10, 0.5
		cfg.Populations, cfg.Fst, cfg.Chrom = 3, 0.1, fmt.Sprint(c)
		p, err := synth.NewPanel(cfg, uint64(20+c))
		if err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(dir, fmt.Sprintf("chr%d.vcf.gz", c))
		if err := p.WriteVCF(context.Background(), path, synth.VCFOptions{}); err != nil {
			t.Fatal(err)
		}
		paths = append(paths, path)
	}
	return paths
}

// genomeTestModel is a fast window model for the tests.
func genomeTestModel() model.Config {
	c := chrom.WindowModelConfig(model.DefaultConfig("gou"))
	c.Steps, c.SamplerSteps, c.CalibrationSize, c.Hidden = 20, 10, 200, 32
	return c
}

// perChromosomePCs computes, independently of gousynth's PCA, each
// individual's top k PC scores from the sites of contig c alone
// (standardised dosages, thin SVD): n×k.
func perChromosomePCs(g *vcf.Genotypes, c string, k int) *mat.Dense {
	n := g.NumSamples()
	var cols [][]float64
	for v, s := range g.Sites {
		if s.Chrom != c {
			continue
		}
		x := make([]float64, n)
		var mean float64
		for i := range x {
			x[i] = float64(g.Dosage[v*n+i])
			mean += x[i]
		}
		mean /= float64(n)
		var ss float64
		for i := range x {
			x[i] -= mean
			ss += x[i] * x[i]
		}
		if ss == 0 {
			continue
		}
		sd := math.Sqrt(ss / float64(n))
		for i := range x {
			x[i] /= sd
		}
		cols = append(cols, x)
	}
	X := mat.NewDense(n, len(cols), nil)
	for j, x := range cols {
		X.SetCol(j, x)
	}
	var svd mat.SVD
	if !svd.Factorize(X, mat.SVDThin) {
		panic("SVD failed")
	}
	var u mat.Dense
	svd.UTo(&u)
	sv := svd.Values(nil)
	out := mat.NewDense(n, k, nil)
	for i := 0; i < n; i++ {
		for j := 0; j < k; j++ {
			out.Set(i, j, u.At(i, j)*sv[j])
		}
	}
	return out
}

// canonicalCorrelations returns the canonical correlations of the columns
// of a and b (n×k each): the singular values of Qaᵀ Qb, Q the orthonormal
// bases of the centred columns. They do not depend on the PCs' signs, order
// or rotation within a subspace, which differ between chromosomes.
func canonicalCorrelations(a, b *mat.Dense) []float64 {
	basis := func(x *mat.Dense) *mat.Dense {
		n, k := x.Dims()
		c := mat.DenseCopyOf(x)
		for j := 0; j < k; j++ {
			var m float64
			for i := 0; i < n; i++ {
				m += c.At(i, j)
			}
			m /= float64(n)
			for i := 0; i < n; i++ {
				c.Set(i, j, c.At(i, j)-m)
			}
		}
		var svd mat.SVD
		svd.Factorize(c, mat.SVDThin)
		var u mat.Dense
		svd.UTo(&u)
		return &u
	}
	var m mat.Dense
	m.Mul(basis(a).T(), basis(b))
	var svd mat.SVD
	svd.Factorize(&m, mat.SVDNone)
	return svd.Values(nil)
}

// crossChromosomeAncestry is the mean of the top k canonical correlations
// between every pair of chromosomes' per-chromosome PCs of g's individuals.
func crossChromosomeAncestry(g *vcf.Genotypes, contigs []string, k int) float64 {
	var sum float64
	var cnt int
	for a := range contigs {
		for b := a + 1; b < len(contigs); b++ {
			for _, r := range canonicalCorrelations(perChromosomePCs(g, contigs[a], k), perChromosomePCs(g, contigs[b], k)) {
				sum += r
				cnt++
			}
		}
	}
	return sum / float64(cnt)
}

func readAll(t *testing.T, paths ...string) *vcf.Genotypes {
	t.Helper()
	var all *vcf.Genotypes
	for _, p := range paths {
		g, _, err := vcf.ReadFile(p, vcf.ReadOptions{DosageOnly: true})
		if err != nil {
			t.Fatal(err)
		}
		if all == nil {
			all = g
			continue
		}
		if strings.Join(g.Samples, " ") != strings.Join(all.Samples, " ") {
			t.Fatalf("%s: other samples", p)
		}
		all.Sites = append(all.Sites, g.Sites...)
		all.Dosage = append(all.Dosage, g.Dosage...)
	}
	return all
}

// Genome mode: three simulated chromosomes of the same individuals, fitted
// together, give every synthetic individual one ancestry on every
// chromosome. Measured independently of gousynth's PCA: each chromosome's
// own PCs (top 2), and the canonical correlations of one chromosome's
// with another's over the individuals. For real people they are high
// (shared population membership); the genome-mode synthetic cohort must
// come within 0.1 of them, well above chance and at least as high as
// chromosomes fitted one at a time (see the contrast below). The
// outputs: one VCF over every chromosome, or one per chromosome (the same
// genotypes); the same seed gives the same bytes. -short makes the genome
// fit only (no separate fits, no split outputs).
func TestGenomeModeSharesAncestry(t *testing.T) {
	dir := t.TempDir()
	const n, snps = 150, 360
	inputs := writeChromosomes(t, dir, n, snps, 3)
	contigs := []string{"1", "2", "3"}
	mcfg := genomeTestModel()
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	data := DataOptions{Inputs: inputs, Filter: preprocess.DefaultFilterOptions(), MaxSNPs: 200, TestFraction: 0.3, Seed: 2, Windows: WindowsAuto}
	fit := func(out string, d DataOptions, split bool) *FitResult {
		t.Helper()
		res, err := Fit(context.Background(), FitOptions{Data: d, OutDir: out, Model: mcfg, Logger: logger, SplitChromosomes: split,
			Windows: chrom.Options{WindowSNPs: 200, Model: mcfg, Workers: 2}})
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	one := filepath.Join(dir, "genome")
	res := fit(one, data, false)
	if res.Windowed == nil {
		t.Fatal("genome mode did not fit windowed models")
	}
	for _, w := range res.Windowed.Windows {
		if a, b := res.Data.Train.Sites[w.Start].Chrom, res.Data.Train.Sites[w.End-1].Chrom; a != b {
			t.Fatalf("window %d straddles chromosomes %s and %s", w.Index, a, b)
		}
	}
	real := readAll(t, inputs...)
	syn := readAll(t, filepath.Join(one, SynthFile))
	if syn.NumSamples() != n || syn.NumSites() != res.Data.Train.NumSites() {
		t.Fatalf("synthetic cohort %d × %d, want %d × %d", syn.NumSamples(), syn.NumSites(), n, res.Data.Train.NumSites())
	}
	realCC := crossChromosomeAncestry(real, contigs, 2)
	synCC := crossChromosomeAncestry(syn, contigs, 2)

	t.Logf("cross-chromosome ancestry (mean canonical correlation of per-chromosome PC1-2 over chromosome pairs): real %.3f, genome-mode synthetic %.3f", realCC, synCC)
	if realCC < 0.8 {
		t.Fatalf("the simulation has weak shared ancestry (real %.3f): the test means nothing", realCC)
	}
	if math.Abs(synCC-realCC) > 0.1 {
		t.Errorf("genome-mode synthetic cross-chromosome ancestry %.3f, real %.3f: more than 0.1 apart", synCC, realCC)
	}
	// The contrast: chromosomes 1 and 2 fitted one at a time (windowed
	// too). They agree through the cohort's composition alone: the
	// mixture's component counts are interleaved the same way in every fit
	// (chrom.Mixture.Cohort), so SYN i often gets a component of the same
	// population on both. With only the PCs that replicate (2 on this
	// 3-population simulation) the components are the populations, and
	// population membership is all the ancestry these chromosomes share,
	// so separate fits come close to genome mode (measured 0.944 against
	// 0.950; with 6 PCs, whose noise split the populations differently in
	// each fit, they were lower). That agreement is an accident of the
	// ordering, not a guarantee; the contrast asserted is with chance, the
	// separate fits with chromosome 2's individuals shuffled, and genome
	// mode must agree at least as well as the separate fits.
	if !testing.Short() {
		var sepPaths []string
		for c, in := range inputs[:2] {
			d := data
			d.Inputs, d.Input = nil, in
			out := filepath.Join(dir, fmt.Sprintf("sep%d", c+1))
			fit(out, d, false)
			sepPaths = append(sepPaths, filepath.Join(out, SynthFile))
		}
		sep := readAll(t, sepPaths...)
		sepCC := crossChromosomeAncestry(sep, contigs[:2], 2)
		pair := crossChromosomeAncestry(syn, contigs[:2], 2)
		// What is left once the individuals of one separately fitted
		// chromosome are shuffled: chance agreement only.
		perm := rand.New(rand.NewPCG(1, 2)).Perm(n)
		shuf := &vcf.Genotypes{Sites: sep.Sites, Samples: sep.Samples, Dosage: slices.Clone(sep.Dosage)}
		for v, s := range sep.Sites {
			if s.Chrom == "2" {
				for i, j := range perm {
					shuf.Dosage[v*n+i] = sep.Dosage[v*n+j]
				}
			}
		}
		t.Logf("chromosomes 1 and 2: real %.3f, genome mode %.3f, fitted separately %.3f (%.3f with chromosome 2's individuals shuffled)",
			crossChromosomeAncestry(real, contigs[:2], 2), pair, sepCC, crossChromosomeAncestry(shuf, contigs[:2], 2))
		if chance := crossChromosomeAncestry(shuf, contigs[:2], 2); pair < chance+0.5 || pair < sepCC-0.02 {
			t.Errorf("genome mode agrees at %.3f across chromosomes, separate fits at %.3f, chance at %.3f: want ≥ chance + 0.5 and ≥ separate fits", pair, sepCC, chance)
		}
	}
	// gousynth's own measure (metrics.json chromosome.Genome): shares of
	// the genome PCs per chromosome, synthetic next to held-out real.
	g := res.Windowed.Metrics.Genome
	if g == nil || len(g.Contigs) != 3 || len(g.Pairs) != 3 {
		t.Fatalf("Metrics.Genome = %+v", g)
	}
	if math.Abs(g.SynthMean[0]-g.TestMean[0]) > 0.2 || g.SynthMean[0] < 0.3 {
		t.Errorf("Genome PC1 share correlation: synthetic %.3f, test %.3f", g.SynthMean[0], g.TestMean[0])
	}
	jb, err := os.ReadFile(filepath.Join(one, JSONFile))
	if err != nil {
		t.Fatal(err)
	}
	var js struct {
		Chromosome struct{ Genome *chrom.GenomeAncestry } `json:"chromosome"`
	}
	if err := json.Unmarshal(jb, &js); err != nil || js.Chromosome.Genome == nil {
		t.Fatalf("metrics.json has no chromosome.Genome: %v", err)
	}
	// Its keys are documented (TestMetricsSchemaDocumented checks the
	// others on one chromosome, where Genome is absent).
	doc, err := os.ReadFile("../docs/metrics.md")
	if err != nil {
		t.Fatal(err)
	}
	var v any
	json.Unmarshal(jb, &v)
	keys := map[string]bool{}
	jsonKeys(v, "", keys, map[string]bool{})
	for k := range keys {
		if strings.HasPrefix(k, "chromosome.Genome") && !strings.Contains(string(doc), "`"+k+"`") {
			t.Errorf("docs/metrics.md does not document %s", k)
		}
	}

	// --split-chromosomes: one VCF per chromosome, with its own contig
	// line and index, holding the same genotypes; the same seed, the
	// same bytes.
	if testing.Short() {
		return
	}
	split := filepath.Join(dir, "split")
	sres := fit(split, data, true)
	var names []string
	for _, f := range sres.Files {
		names = append(names, filepath.Base(f))
	}
	for _, c := range contigs {
		name := SplitSynthFile(c, FormatVCF)
		if !strings.Contains(strings.Join(names, " "), name+".tbi") {
			t.Fatalf("files %v lack %s and its index", names, name)
		}
		r, err := vcf.Open(filepath.Join(split, name), vcf.ReadOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if cs := r.Contigs(); len(cs) != 1 || cs[0].ID != c {
			t.Errorf("%s declares contigs %+v", name, cs)
		}
		r.Close()
	}
	if slices.Contains(names, SynthFile) {
		t.Errorf("--split-chromosomes also wrote %s: %v", SynthFile, names)
	}
	var parts []string
	for _, c := range contigs {
		parts = append(parts, filepath.Join(split, SplitSynthFile(c, FormatVCF)))
	}
	sg := readAll(t, parts...)
	if !slices.Equal(sg.Dosage, syn.Dosage) {
		t.Error("the per-chromosome files hold other genotypes than the single file")
	}
	a, _ := os.ReadFile(filepath.Join(one, ModelFile))
	b, _ := os.ReadFile(filepath.Join(split, ModelFile))
	if !bytes.Equal(a, b) {
		t.Error("the same seed gave another model file")
	}
}

// Genome mode refuses, before writing anything, inputs of different
// individuals and a chromosome in two inputs, naming the files; the
// individuals may come in another order. The inputs are read into one
// matrix, split as the first input alone would be.
func TestGenomeModeInputs(t *testing.T) {
	dir := t.TempDir()
	inputs := writeChromosomes(t, dir, 60, 120, 2)
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	data := DataOptions{Filter: preprocess.DefaultFilterOptions(), TestFraction: 0.3, Seed: 2, Windows: WindowsAuto}
	prepare := func(inputs ...string) (*Data, error) {
		d := data
		d.Inputs = inputs
		return Prepare(context.Background(), d, logger)
	}
	// The same chromosome twice: the same contig in two inputs.
	copyPath := filepath.Join(dir, "copy.vcf.gz")
	b, err := os.ReadFile(inputs[0])
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(copyPath, b, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := prepare(inputs[0], copyPath); !errors.Is(err, ErrBadOption) || !strings.Contains(err.Error(), "contig 1 is in "+inputs[0]+" and in "+copyPath) {
		t.Errorf("duplicate contig: %v", err)
	}
	if _, err := prepare(inputs[0], inputs[0]); err == nil || !strings.Contains(err.Error(), "given twice") {
		t.Errorf("the same input twice: %v", err)
	}
	// Other individuals: chromosome 2 of one sample fewer.
	g, _, err := vcf.ReadFile(inputs[1], vcf.ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	fewer := filepath.Join(dir, "fewer.vcf.gz")
	keep := make([]int, g.NumSamples()-1)
	for i := range keep {
		keep[i] = i + 1
	}
	sub := preprocess.SubsetSamples(g, keep)
	if err := vcf.WriteGenotypes(fewer, sub, vcf.Header{Samples: sub.Samples}); err != nil {
		t.Fatal(err)
	}
	_, err = prepare(inputs[0], fewer)
	if !errors.Is(err, ErrBadOption) || !strings.Contains(err.Error(), fewer+" has 59 samples and "+inputs[0]+" 60") || !strings.Contains(err.Error(), "(the first: "+g.Samples[0]+")") {
		t.Errorf("other individuals: %v", err)
	}
	// The same individuals in another order are aligned by ID.
	rev := make([]int, g.NumSamples())
	for i := range rev {
		rev[i] = len(rev) - 1 - i
	}
	rg := preprocess.SubsetSamples(g, rev)
	reversed := filepath.Join(dir, "reversed.vcf.gz")
	if err := vcf.WriteGenotypes(reversed, rg, vcf.Header{Samples: rg.Samples}); err != nil {
		t.Fatal(err)
	}
	d1, err := prepare(inputs[0], inputs[1])
	if err != nil {
		t.Fatal(err)
	}
	d2, err := prepare(inputs[0], reversed)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(d1.Train.Dosage, d2.Train.Dosage) || !slices.Equal(d1.Test.Dosage, d2.Test.Dosage) || strings.Join(d1.Train.Samples, " ") != strings.Join(d2.Train.Samples, " ") {
		t.Error("an input with the individuals in another order gave other matrices")
	}
	// The training matrix is the inputs' kept sites one after the other,
	// each individual's genotypes from every input (independent reads).
	want := readAll(t, inputs...)
	col := map[string]int{}
	for i, s := range want.Samples {
		col[s] = i
	}
	nt, nw := d1.Train.NumSamples(), want.NumSamples()
	w := 0
	for v, site := range d1.Train.Sites {
		for w < want.NumSites() && (want.Sites[w].Chrom != site.Chrom || want.Sites[w].Pos != site.Pos) {
			w++
		}
		if w == want.NumSites() {
			t.Fatalf("kept site %d (%s:%d) is not in the inputs, or out of order", v, site.Chrom, site.Pos)
		}
		for i, s := range d1.Train.Samples {
			if got, x := d1.Train.Dosage[v*nt+i], want.Dosage[w*nw+col[s]]; got != x {
				t.Fatalf("site %s:%d, %s: %d, want %d", site.Chrom, site.Pos, s, got, x)
			}
		}
	}
	if c := d1.Train.Sites[d1.Train.NumSites()-1].Chrom; d1.Train.Sites[0].Chrom != "1" || c != "2" {
		t.Errorf("sites from contig %s to %s, want 1 to 2", d1.Train.Sites[0].Chrom, c)
	}
	// The held-out individuals are those of a fit of the first input
	// alone: the same people on every chromosome.
	single := data
	single.Input = inputs[0]
	d0, err := Prepare(context.Background(), single, logger)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(d0.Test.Samples, " ") != strings.Join(d1.Test.Samples, " ") || strings.Join(d0.Train.Samples, " ") != strings.Join(d1.Train.Samples, " ") {
		t.Error("genome mode split the individuals otherwise than a fit of the first input")
	}
	// One byte per genotype: the capacity reserved from the inputs' sizes
	// is not a multiple of what was kept.
	if l, c := len(d1.Train.Dosage), cap(d1.Train.Dosage); c > 2*l {
		t.Errorf("training matrix of %d genotypes has capacity %d", l, c)
	}
	// Nothing is written when the inputs are refused.
	out := filepath.Join(dir, "out")
	d := data
	d.Inputs = []string{inputs[0], fewer}
	if _, err := Fit(context.Background(), FitOptions{Data: d, OutDir: out, Model: genomeTestModel(), Logger: logger}); err == nil {
		t.Fatal("Fit accepted inputs of other individuals")
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Errorf("a refused fit left %s behind (%v)", out, err)
	}
	// Flags genome mode cannot go with.
	for _, c := range []struct {
		name string
		mod  func(*DataOptions)
		want string
	}{
		{"region", func(o *DataOptions) { o.Read.Region = "1:1-1000" }, "--region"},
		{"mind", func(o *DataOptions) { o.Filter.MaxSampleMissing = 0.1 }, "--mind"},
		{"windows off", func(o *DataOptions) { o.Windows = WindowsOff }, "--windows off"},
		{"external test", func(o *DataOptions) { o.TestInput, o.TestFraction = inputs[0], 0 }, "external test cohort"},
	} {
		d := data
		d.Inputs = inputs
		c.mod(&d)
		if _, err := Prepare(context.Background(), d, logger); !errors.Is(err, ErrBadOption) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v", c.name, err)
		}
	}
}
