package chrom

import (
	"context"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/gousynth/gousynth/metrics"
	"github.com/gousynth/gousynth/preprocess"
	"github.com/gousynth/gousynth/synth"
	"github.com/gousynth/gousynth/vcf"
)

// onePopulation returns a simulated panel of one population (the paper
// preset's LD blocks, as `simulate` draws by default), MAF ≥ 0.01, imputed.
func onePopulation(t *testing.T, individuals, snps int, seed uint64) *vcf.Genotypes {
	t.Helper()
	cfg := synth.PaperPreset(individuals, snps)
	p, err := synth.NewPanel(cfg, seed)
	if err != nil {
		t.Fatal(err)
	}
	g, _, err := p.Genotypes(context.Background(), 0)
	if err != nil {
		t.Fatal(err)
	}
	if g, _, err = preprocess.Filter(g, preprocess.FilterOptions{MinMAF: 0.01, BiallelicSNPsOnly: true}); err != nil {
		t.Fatal(err)
	}
	g, _ = preprocess.ImputeMean(g)
	return g
}

// Where no PC replicates (one population, SNPs ≥ twice the people), the
// windowed model has no ancestry axis (K = 0): the plan keeps a PCA for
// the metrics only, the model file stores no loadings, the cohort keeps the
// training allele frequencies, the file generates what the fit's window
// models generate, streamed or not, and the model-file probe, which reads
// the span of the stored loadings, is the same for every individual.
func TestNoReplicatedAxes(t *testing.T) {
	train := onePopulation(t, 150, 1200, 4)
	o := smallOptions(true)
	o.WindowSNPs = 300
	p, err := NewPlan(context.Background(), train, 60, o)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d × %d, canonical correlations %.3f", train.NumSamples(), train.NumSites(), p.PCReplication)
	if p.PCA.K() != 0 || p.PCA.Loadings != nil || p.TrainScores != nil || p.Latent != nil {
		t.Fatalf("K = %d ancestry PCs on one population, want 0", p.PCA.K())
	}
	if p.EvalPCA.K() != evaluationPCs || len(p.Mixture.Weights) != 1 || len(p.Mixture.Means[0]) != 0 {
		t.Fatalf("evaluation PCs %d (want %d), mixture of %d components of dimension %d (want 1 of 0)",
			p.EvalPCA.K(), evaluationPCs, len(p.Mixture.Weights), len(p.Mixture.Means[0]))
	}

	path := filepath.Join(t.TempDir(), "model.gsy")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	fw, err := NewFileWriter(f, &FileHeader{Options: p.Options, Sites: train.Sites, Windows: p.Windows, PCA: p.PCA.Float32(), Mixture: p.Mixture, NumTrain: train.NumSamples()})
	if err != nil {
		t.Fatal(err)
	}
	n := p.NSynth
	syn := &vcf.Genotypes{Sites: train.Sites, Samples: make([]string, n), Dosage: make([]int8, train.NumSites()*n)}
	err = p.Run(context.Background(), train, func(wd WindowDone) error {
		copy(syn.Dosage[wd.Window.CoreStart*n:], wd.Core)
		return fw.WriteWindow(wd.Result)
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := fw.Close(); err != nil {
		t.Fatal(err)
	}
	// Allele frequencies of 60 synthetic individuals against the
	// training's: sampling alone gives r² ≈ 0.9 here.
	ft, fs := metrics.AlleleFreqs(train), metrics.AlleleFreqs(syn)
	if r := pearson(ft, fs); r*r < 0.85 {
		t.Errorf("allele-frequency r² %.3f between the synthetic and training cohorts, want ≥ 0.85", r*r)
	}

	read := func() (*FileHeader, func() (WindowModel, bool, error), *FileReader) {
		fr, err := OpenFile(path)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { fr.Close() })
		return fr.Header(), func() (WindowModel, bool, error) {
			wm, err := fr.Next()
			if err == io.EOF {
				return WindowModel{}, false, nil
			}
			return wm, err == nil, err
		}, fr
	}
	h, next, _ := read()
	if h.PCA.K() != 0 || !slices.Equal(h.PCA.Mean, p.PCA.Float32().Mean) {
		t.Fatalf("the file's PCA has K = %d or other means", h.PCA.K())
	}
	var batch []int8
	if err := Generate(context.Background(), h.PCA, h.Mixture, n, h.Options.Oversample, CondRegress, 3, next, func(wd WindowDone) error {
		batch = append(batch, wd.Core...)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	h, next, _ = read()
	var stream, win []int8
	err = GenerateStream(context.Background(), h.PCA, h.Mixture, n, h.Options.Oversample, CondRegress, 3, next,
		func(w Window, lo, rows int, core []int8) error {
			if win == nil {
				win = make([]int8, w.Core()*n)
			}
			for v := 0; v < w.Core(); v++ {
				copy(win[v*n+lo:v*n+lo+rows], core[v*rows:(v+1)*rows])
			}
			return nil
		}, func(Window) error {
			stream = append(stream, win...)
			win = nil
			return nil
		})
	if err != nil {
		t.Fatal(err)
	}
	if len(batch) != len(syn.Dosage) || !slices.Equal(batch, stream) {
		t.Errorf("generated %d genotypes in a batch, %d streamed (want %d, equal)", len(batch), len(stream), len(syn.Dosage))
	}

	_, _, fr := read()
	probe, err := NewMembershipProbe(fr)
	if err != nil {
		t.Fatal(err)
	}
	m, nt := train.NumSites(), train.NumSamples()
	x := make([]float64, m)
	for i := 0; i < 5; i++ {
		for v := range x {
			x[v] = float64(train.Dosage[v*nt+i])
		}
		got, err := probe.Probe(x)
		if err != nil {
			t.Fatal(err)
		}
		if math.Abs(got-1) > 1e-12 {
			t.Errorf("training individual %d: probe %g, want 1 (no stored direction)", i, got)
		}
	}
}
