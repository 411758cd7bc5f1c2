package app

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"reflect"
	"strings"
	"testing"

	"github.com/gousynth/gousynth/chrom"
	"github.com/gousynth/gousynth/preprocess"
	"github.com/gousynth/gousynth/vcf"
)

// prepareOld is Prepare before filtering while reading (read the whole
// input with haplotypes, filter a copy, split, impute copies): the
// reference the streamed Prepare must match.
func prepareOld(ctx context.Context, o DataOptions, log *slog.Logger) (*Data, error) {
	if o.TestFraction <= 0 || o.TestFraction >= 1 {
		return nil, fmt.Errorf("%w: test fraction must be in (0, 1), got %g", ErrBadOption, o.TestFraction)
	}
	d := &Data{Input: o.Input}
	var panel *preprocess.Panel
	if o.PanelPath != "" {
		p, err := preprocess.ReadPanel(o.PanelPath)
		if err != nil {
			return nil, err
		}
		panel = p
		d.Panel = p
	}
	log.Info("reading", "file", o.Input, "region", o.Read.Region)
	g, stats, err := vcf.ReadFile(o.Input, o.Read)
	if err != nil {
		return nil, err
	}
	d.ReadStats = stats
	log.Info("read", "samples", g.NumSamples(), "sites", g.NumSites(), "records", stats.Records, "skipped", formatCounts(stats.Skipped))
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if g.NumSamples() == 0 {
		return nil, fmt.Errorf("%s: the file has no samples", o.Input)
	}
	if g.NumSites() == 0 {
		if o.Read.Region != "" {
			return nil, fmt.Errorf("%s: no variants in region %s", o.Input, o.Read.Region)
		}
		return nil, fmt.Errorf("%s: no usable variants", o.Input)
	}
	d.NumInput = g.NumSamples()
	g, flog, err := preprocess.Filter(g, o.Filter)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", o.Input, err)
	}
	d.Log = flog
	max := o.MaxSNPs
	if max == 0 {
		max = DefaultMaxSNPs
	}
	switch o.Windows {
	case "", WindowsOff, WindowsAuto:
	default:
		return nil, fmt.Errorf("%w: --windows must be auto or off, got %q", ErrBadOption, o.Windows)
	}
	if max > 0 && g.NumSites() > max && o.Windows == WindowsAuto {
		first, last := g.Sites[0], g.Sites[g.NumSites()-1]
		note := fmt.Sprintf("%d SNPs passed the filters, more than the budget of %d of one model: fitting all of them (%s:%d-%d) with windowed models (--windows off fits the first %d instead)",
			g.NumSites(), max, first.Chrom, first.Pos, last.Pos, max)
		log.Warn(note)
		d.Notes = append(d.Notes, note)
		d.Windowed = true
		// Windowed models fit dosages: drop the haplotypes of a whole
		// chromosome rather than copy them into the split (unless the
		// haplotype window models need them).
		if !o.KeepPhase {
			g.Haplotypes, g.Phased = nil, false
		}
	} else if max > 0 && g.NumSites() > max {
		first, last := g.Sites[0], g.Sites[max-1]
		note := fmt.Sprintf("%d SNPs passed the filters, more than the budget of %d: fitting the first %d consecutive SNPs (%s:%d-%d); choose another stretch with --region, or raise --max-snps",
			g.NumSites(), max, max, first.Chrom, first.Pos, last.Pos)
		log.Warn(note)
		d.Notes = append(d.Notes, note)
		var slog2 *preprocess.Log
		g, slog2, err = preprocess.SelectSNPs(g, preprocess.SelectOptions{WindowSNPs: max})
		if err != nil {
			return nil, err
		}
		d.Log.Append(slog2)
	}
	for _, line := range strings.Split(strings.TrimSpace(d.Log.String()), "\n") {
		if line != "" {
			log.Debug("filter", "step", line) // preprocess logs these at Info already; this copy is for run.log
		}
	}
	train, test, err := preprocess.Split(g.Samples, o.TestFraction, o.Seed, panel)
	if err != nil {
		return nil, err
	}
	if len(train) < 2 || len(test) < 2 {
		return nil, fmt.Errorf("%w: %d individuals are too few to split into training and test sets (test fraction %g)", ErrBadOption, g.NumSamples(), o.TestFraction)
	}
	trainG, nTrainImp := preprocess.ImputeMean(preprocess.SubsetSamples(g, train))
	testG, nTestImp := preprocess.ImputeMean(preprocess.SubsetSamples(g, test))
	if nTrainImp+nTestImp > 0 {
		log.Info("imputed missing genotypes with the per-SNP mean dosage", "train", nTrainImp, "test", nTestImp)
	}
	d.Train, d.Test = trainG, testG
	if !d.Windowed {
		d.TrainMatrix = preprocess.Matrix(trainG)
	}
	log.Info("split", "train", len(train), "test", len(test), "snps", g.NumSites(), "stratified", panel != nil)
	return d, nil
}

// TestPrepareMatchesReadThenFilter: the streamed Prepare (filters in the
// reader, split while reading, imputation in place) gives the same
// training and test genotypes, matrix, log and notes as the old path.
func TestPrepareMatchesReadThenFilter(t *testing.T) {
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	const in = "../testdata/1kg_chr1_11.7M.vcf.gz"
	for i, o := range []DataOptions{
		{Filter: preprocess.DefaultFilterOptions()},
		{Filter: preprocess.DefaultFilterOptions(), MaxSNPs: 300},
		{Filter: preprocess.DefaultFilterOptions(), MaxSNPs: 300, Windows: WindowsAuto},
		{Filter: preprocess.FilterOptions{MinMAF: 0.05, BiallelicSNPsOnly: true, HWEPValue: 1e-6, MaxSiteMissing: 0.1}, MaxSNPs: -1},
		{Filter: preprocess.FilterOptions{MinMAF: 0.2, MaxSampleMissing: 0.01}, Read: vcf.ReadOptions{Region: "1:11700000-"}},
		{Filter: preprocess.DefaultFilterOptions(), PanelPath: "../testdata/1kg_phase3_samples.panel", Read: vcf.ReadOptions{ExcludeSamples: []string{"HG00096"}}},
		{Filter: preprocess.FilterOptions{MinMAF: 0.5}}, // nothing left: the same error
		{Filter: preprocess.DefaultFilterOptions(), MaxSNPs: 300, Windows: WindowsAuto, KeepPhase: true},
	} {
		o.Input, o.TestFraction, o.Seed = in, 0.3, uint64(10+i)
		want, werr := prepareOld(context.Background(), o, quiet)
		got, gerr := Prepare(context.Background(), o, quiet)
		if (werr == nil) != (gerr == nil) || werr != nil && werr.Error() != gerr.Error() {
			t.Fatalf("case %d: error %v, old path %v", i, gerr, werr)
		}
		if werr != nil {
			continue
		}
		for _, p := range []struct {
			name     string
			got, old *vcf.Genotypes
		}{{"train", got.Train, want.Train}, {"test", got.Test, want.Test}} {
			if !reflect.DeepEqual(p.got.Sites, p.old.Sites) || !reflect.DeepEqual(p.got.Samples, p.old.Samples) || !reflect.DeepEqual(p.got.Dosage, p.old.Dosage) {
				t.Fatalf("case %d: %s %d × %d, old path %d × %d (or other calls)", i, p.name, p.got.NumSites(), p.got.NumSamples(), p.old.NumSites(), p.old.NumSamples())
			}
		}
		// The phase, one bit per training genotype, gives back the
		// haplotypes of the read-then-filter path (which keeps them).
		if o.KeepPhase != (got.Train.PhaseBits != nil) || got.Test.PhaseBits != nil {
			t.Fatalf("case %d: KeepPhase %v, training phase kept %v, test phase kept %v", i, o.KeepPhase, got.Train.PhaseBits != nil, got.Test.PhaseBits != nil)
		}
		if o.KeepPhase {
			if !want.Train.Phased {
				t.Fatalf("case %d: the old path has no haplotypes", i)
			}
			n := got.Train.NumSamples()
			row := make([]int8, 2*n)
			for v := 0; v < got.Train.NumSites(); v++ {
				if h := got.Train.HapRowTo(v, row); !reflect.DeepEqual(h, want.Train.HapRow(v)) {
					t.Fatalf("case %d: site %d: haplotypes from the phase bits differ from the file's", i, v)
				}
			}
		}
		if !reflect.DeepEqual(got.TrainMatrix, want.TrainMatrix) {
			t.Fatalf("case %d: training matrices differ", i)
		}
		if got.Log.String() != want.Log.String() || !reflect.DeepEqual(got.Notes, want.Notes) || got.Windowed != want.Windowed || got.NumInput != want.NumInput {
			t.Fatalf("case %d: log, notes, windowed or NumInput differ:\n%s%q %v %d\nold:\n%s%q %v %d", i, got.Log, got.Notes, got.Windowed, got.NumInput, want.Log, want.Notes, want.Windowed, want.NumInput)
		}
		if got.ReadStats.Records != want.ReadStats.Records || !reflect.DeepEqual(got.ReadStats.Skipped, want.ReadStats.Skipped) {
			t.Fatalf("case %d: read stats %+v, old %+v", i, got.ReadStats, want.ReadStats)
		}
		t.Logf("case %d: %d train, %d test, %d sites, as the old path", i, got.Train.NumSamples(), got.Test.NumSamples(), got.Train.NumSites())
	}
}

// TestWindowCap: with the default budget and windows auto, an input of
// more SNPs than training individuals is fitted with windowed models of at
// most as many SNPs as there are training individuals; an explicit budget,
// windows off, or more individuals than SNPs leave it as it was.
func TestWindowCap(t *testing.T) {
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	const in = "../testdata/1kg_chr1_11.7M.vcf.gz"
	r, err := vcf.Open(in, vcf.ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	ids := r.Samples()[:400]
	r.Close()
	for _, c := range []struct {
		name         string
		o            DataOptions
		windowed     bool
		cap, nTrain  int
		windowSNPs   int
		fixedWindows bool
	}{
		{name: "default budget, 400 individuals", o: DataOptions{Windows: WindowsAuto, Read: vcf.ReadOptions{IncludeSamples: ids}}, windowed: true, cap: 280, nTrain: 280, windowSNPs: 280},
		{name: "fixed window size", o: DataOptions{Windows: WindowsAuto, Read: vcf.ReadOptions{IncludeSamples: ids}}, windowed: true, cap: 280, nTrain: 280, windowSNPs: chrom.DefaultWindowSNPs, fixedWindows: true},
		{name: "explicit budget", o: DataOptions{Windows: WindowsAuto, MaxSNPs: DefaultMaxSNPs, Read: vcf.ReadOptions{IncludeSamples: ids}}, nTrain: 280, windowSNPs: chrom.DefaultWindowSNPs},
		{name: "windows off", o: DataOptions{Read: vcf.ReadOptions{IncludeSamples: ids}}, nTrain: 280, windowSNPs: chrom.DefaultWindowSNPs},
		{name: "every individual", o: DataOptions{Windows: WindowsAuto}, cap: 1753, nTrain: 1753, windowSNPs: chrom.DefaultWindowSNPs},
	} {
		t.Run(c.name, func(t *testing.T) {
			o := c.o
			o.Input, o.TestFraction, o.Seed, o.Filter = in, 0.3, 1, preprocess.DefaultFilterOptions()
			d, err := Prepare(context.Background(), o, quiet)
			if err != nil {
				t.Fatal(err)
			}
			if d.Windowed != c.windowed || d.WindowCap != c.cap || d.Train.NumSamples() != c.nTrain {
				t.Fatalf("windowed %v, cap %d, %d training individuals; want %v, %d, %d", d.Windowed, d.WindowCap, d.Train.NumSamples(), c.windowed, c.cap, c.nTrain)
			}
			if c.windowed && (d.Train.NumSites() <= c.nTrain || !strings.Contains(strings.Join(d.Notes, "\n"), "more than the 280 training individuals")) {
				t.Errorf("%d SNPs, notes %q: want more SNPs than individuals and a note saying why the fit is windowed", d.Train.NumSites(), d.Notes)
			}
			co := capWindows(chrom.Options{OverlapSNPs: chrom.DefaultOverlapSNPs}, d.WindowCap, c.fixedWindows)
			if got := co.WindowSNPs; got != c.windowSNPs && !(got == 0 && c.windowSNPs == chrom.DefaultWindowSNPs) {
				t.Errorf("window size %d, want %d", got, c.windowSNPs)
			}
			if ws := max(co.WindowSNPs, 1); co.WindowSNPs > 0 && co.OverlapSNPs > ws/2 {
				t.Errorf("overlap %d of a %d-SNP window", co.OverlapSNPs, co.WindowSNPs)
			}
		})
	}
}
