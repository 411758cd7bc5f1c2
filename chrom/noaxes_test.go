package chrom

import (
	"math"
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
	g, _ := preprocess.ImputeMean(simulatedPanel(t, synth.PaperPreset(individuals, snps), seed))
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
	const n = 50
	syn := &vcf.Genotypes{Sites: train.Sites, Samples: make([]string, n), Dosage: make([]int8, train.NumSites()*n)}
	p, _, path := writePlanFile(t, train, o, func(wd WindowDone) { copy(syn.Dosage[wd.Window.CoreStart*n:], wd.Core) })
	t.Logf("%d × %d, canonical correlations %.3f", train.NumSamples(), train.NumSites(), p.PCReplication)
	if p.PCA.K() != 0 || p.PCA.Loadings != nil || p.TrainScores != nil || p.Latent != nil {
		t.Fatalf("K = %d ancestry PCs on one population, want 0", p.PCA.K())
	}
	if p.EvalPCA.K() != evaluationPCs || len(p.Mixture.Weights) != 1 || len(p.Mixture.Means[0]) != 0 {
		t.Fatalf("evaluation PCs %d (want %d), mixture of %d components of dimension %d (want 1 of 0)",
			p.EvalPCA.K(), evaluationPCs, len(p.Mixture.Weights), len(p.Mixture.Means[0]))
	}
	// Allele frequencies of 50 synthetic individuals against the
	// training's (0.907 measured at this seed).
	ft, fs := metrics.AlleleFreqs(train), metrics.AlleleFreqs(syn)
	r := pearson(ft, fs)
	t.Logf("allele-frequency r² %.3f", r*r)
	if r*r < 0.85 {
		t.Errorf("allele-frequency r² %.3f between the synthetic and training cohorts, want ≥ 0.85", r*r)
	}

	fr, err := OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer fr.Close()
	if h := fr.Header(); h.PCA.K() != 0 || !slices.Equal(h.PCA.Mean, p.PCA.Float32().Mean) {
		t.Fatalf("the file's PCA has K = %d or other means", h.PCA.K())
	}
	batch, stream := batchAndStream(t, path, n)
	if len(batch) != len(syn.Dosage) || !slices.Equal(batch, stream) {
		t.Errorf("generated %d genotypes in a batch, %d streamed (want %d, equal)", len(batch), len(stream), len(syn.Dosage))
	}

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
