// Command autoreg measures the discrete autoregression of package autoreg
// as a whole-chromosome model, outside the windowed pipeline (issue 14): it
// reads a training VCF (restricted to the sites of -sites, e.g. a fit's
// synthetic VCF, so that the judge compares the same sites), takes the
// chromosome's ancestry latent as a windowed fit does (replicated PCs,
// chrom.FitPCA, a chrom.FitMixture drawn for the synthetic individuals),
// fits the autoregression block by block (each block conditioned on the
// -lags sites before it) and draws the synthetic cohort as one chain. The
// output is a VCF for ../shared/judge/judge.py.
//
//	go run ./bench/autoreg -train T.vcf.gz -sites S.vcf.gz -n 700 -o out.vcf.gz
package main

import (
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"time"

	"github.com/gousynth/gousynth/autoreg"
	"github.com/gousynth/gousynth/chrom"
	"github.com/gousynth/gousynth/preprocess"
	"github.com/gousynth/gousynth/report"
	"github.com/gousynth/gousynth/vcf"
)

func main() {
	train := flag.String("train", "", "training VCF")
	sites := flag.String("sites", "", "VCF whose sites are modelled (default: every site of -train)")
	out := flag.String("o", "", "synthetic VCF to write")
	n := flag.Int("n", 0, "synthetic individuals (default: as many as training)")
	cfg := autoreg.DefaultConfig()
	flag.IntVar(&cfg.Lags, "lags", cfg.Lags, "candidate preceding sites")
	flag.IntVar(&cfg.Keep, "keep", cfg.Keep, "preceding sites kept per site")
	flag.Float64Var(&cfg.Ridge, "ridge", cfg.Ridge, "ridge penalty λ")
	flag.IntVar(&cfg.Threads, "threads", 2, "sites fitted at once")
	block := flag.Int("block", 2000, "sites per block")
	pcs := flag.Int("pcs", chrom.DefaultPCs, "at most this many ancestry PCs (those that replicate)")
	seed := flag.Uint64("seed", 1, "seed")
	hap := flag.Bool("hap", false, "model haplotypes (phased input): two chains per person, genotypes their sums")
	flag.Parse()
	if *train == "" || *out == "" {
		fmt.Fprintln(os.Stderr, "autoreg: -train and -o are required")
		os.Exit(2)
	}
	if err := run(*train, *sites, *out, *n, *block, *pcs, *seed, *hap, cfg); err != nil {
		fmt.Fprintln(os.Stderr, "autoreg:", err)
		os.Exit(1)
	}
}

func run(trainPath, sitesPath, outPath string, nSynth, block, maxPCs int, seed uint64, hap bool, cfg autoreg.Config) error {
	t0 := time.Now()
	g, _, err := vcf.ReadFile(trainPath, vcf.ReadOptions{DosageOnly: !hap})
	if err != nil {
		return err
	}
	if sitesPath != "" {
		s, _, err := vcf.ReadFile(sitesPath, vcf.ReadOptions{DosageOnly: true})
		if err != nil {
			return err
		}
		if g, err = report.RestrictToSites(g, s.Sites, "training VCF"); err != nil {
			return err
		}
	}
	preprocess.ImputeMeanInPlace(g)
	n, d := g.NumSamples(), g.NumSites()
	if nSynth == 0 {
		nSynth = n
	}
	K, _, err := chrom.ReplicatedAxes(g, maxPCs, seed)
	if err != nil {
		return err
	}
	_, scores, err := chrom.FitPCA(g, K, seed+1)
	if err != nil {
		return err
	}
	mx, err := chrom.FitMixture(scores, chrom.DefaultAncestryComponents, chrom.DefaultMinClusterSize, seed+2)
	if err != nil {
		return err
	}
	syn := mx.Sample(nSynth, rand.New(rand.NewPCG(seed+3, 0)))
	// autoreg.Fit standardises the scores itself (Model.AncMean, AncSD).
	anc, sanc := make([]float64, n*K), make([]float64, nSynth*K)
	for k := 0; k < K; k++ {
		for i := 0; i < n; i++ {
			anc[i*K+k] = scores.At(i, k)
		}
		for i := 0; i < nSynth; i++ {
			sanc[i*K+k] = syn.At(i, k)
		}
	}
	tRead := time.Since(t0)
	// With -hap the units are haplotypes: rows 2i and 2i+1 are person i's,
	// with the person's ancestry.
	units, sunits, data := n, nSynth, g.Dosage
	if hap {
		if !g.HasPhase() {
			return fmt.Errorf("-hap: %s is not phased", trainPath)
		}
		units, sunits = 2*n, 2*nSynth
		data = make([]int8, 2*n*d)
		for v := 0; v < d; v++ {
			g.HapRowTo(v, data[2*n*v:2*n*(v+1)])
		}
		anc, sanc = twice(anc, n, K), twice(sanc, nSynth, K)
	}
	smp, err := autoreg.NewSampler(sanc, sunits, K, cfg.Lags, seed+4)
	if err != nil {
		return err
	}
	dos := make([]int8, nSynth*d)
	var tFit, tDraw time.Duration
	for lo := 0; lo < d; lo += block {
		hi := min(lo+block, d)
		ctx := min(cfg.Lags, lo)
		t1 := time.Now()
		mdl, err := autoreg.Fit(data[(lo-ctx)*units:hi*units], units, hi-lo+ctx, ctx, anc, K, cfg)
		if err != nil {
			return err
		}
		t2 := time.Now()
		x, err := smp.Draw(mdl)
		if err != nil {
			return err
		}
		tFit += t2.Sub(t1)
		tDraw += time.Since(t2)
		if hap {
			for i := range x[:len(x)/2] {
				x[i] = x[2*i] + x[2*i+1]
			}
			x = x[:len(x)/2]
		}
		copy(dos[lo*nSynth:], x)
	}
	ids := make([]string, nSynth)
	for i := range ids {
		ids[i] = fmt.Sprintf("SYN%06d", i+1)
	}
	sg := &vcf.Genotypes{Sites: g.Sites, Samples: ids, Dosage: dos}
	if err := vcf.WriteGenotypes(outPath, sg, vcf.Header{FileDate: "20261204"}); err != nil {
		return err
	}
	fmt.Printf("%d training × %d sites, K %d, lags %d keep %d ridge %g: read+PCA %.1fs, fit %.1fs, draw %.1fs\n",
		n, d, K, cfg.Lags, cfg.Keep, cfg.Ridge, tRead.Seconds(), tFit.Seconds(), tDraw.Seconds())
	return nil
}

// twice repeats each of the n rows of x (n×K) once more: rows 2i and 2i+1
// are row i.
func twice(x []float64, n, K int) []float64 {
	out := make([]float64, 2*n*K)
	for i := 0; i < n; i++ {
		copy(out[2*i*K:(2*i+1)*K], x[i*K:(i+1)*K])
		copy(out[(2*i+1)*K:(2*i+2)*K], x[i*K:(i+1)*K])
	}
	return out
}
