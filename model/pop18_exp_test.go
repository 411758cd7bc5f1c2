package model_test

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"sort"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/stat"

	"github.com/gousynth/gousynth/model"
	"github.com/gousynth/gousynth/preprocess"
	"github.com/gousynth/gousynth/report"
	"github.com/gousynth/gousynth/vcf"
)

// TestPop18Experiment (issue 18) loads a labelled model fitted by
// "gousynth fit --panel --write-split" (POP18_DIR) with its input VCF
// (POP18_VCF) and panel (POP18_PANEL), recalibrates the per-label
// thresholds, and measures the labelled cohorts as bench/popmetrics does,
// with diagnostics. Not part of the suite.
func TestPop18Experiment(t *testing.T) {
	dir := os.Getenv("POP18_DIR")
	if dir == "" {
		t.Skip("POP18_DIR not set")
	}
	ctx := context.Background()
	m, err := model.Load(dir + "/model.gsy")
	if err != nil {
		t.Fatal(err)
	}
	g, _, err := vcf.ReadFile(os.Getenv("POP18_VCF"), vcf.ReadOptions{DosageOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	if g, err = report.RestrictToSites(g, m.Sites, "input"); err != nil {
		t.Fatal(err)
	}
	preprocess.ImputeMeanInPlace(g)
	panel, err := preprocess.ReadPanel(os.Getenv("POP18_PANEL"))
	if err != nil {
		t.Fatal(err)
	}
	ids := func(f string) []int {
		b, err := os.ReadFile(dir + "/" + f)
		if err != nil {
			t.Fatal(err)
		}
		want := map[string]bool{}
		for _, s := range strings.Fields(string(b)) {
			want[s] = true
		}
		var out []int
		for i, s := range g.Samples {
			if want[s] {
				out = append(out, i)
			}
		}
		return out
	}
	train := preprocess.SubsetSamples(g, ids("train.samples.real-ids.txt"))
	test := preprocess.SubsetSamples(g, ids("test.samples.real-ids.txt"))
	lab := &model.Labelling{Pop: make([]string, train.NumSamples()), SuperPop: map[string]string{}}
	for i, s := range train.Samples {
		e, _ := panel.Lookup(s)
		lab.Pop[i] = e.Pop
		if e.SuperPop != "" {
			lab.SuperPop[e.Pop] = e.SuperPop
		}
	}
	x := preprocess.Matrix(train)
	if v := os.Getenv("POP18_RECAL"); v != "" {
		var perPerson int
		fmt.Sscan(v, &perPerson)
		if err := m.CalibrateLabelsForTest(ctx, x, lab, perPerson); err != nil {
			t.Fatal(err)
		}
	}
	group := func(gt *vcf.Genotypes) []string {
		out := make([]string, gt.NumSamples())
		for i, s := range gt.Samples {
			e, _ := panel.Lookup(s)
			out[i] = e.SuperPop
			if out[i] == "" {
				out[i] = e.Pop
			}
		}
		return out
	}
	synthGroup := func(cohort []int) []string {
		out := make([]string, len(cohort))
		for i, l := range cohort {
			p, sp := model.LabelOf(m.Labels, l)
			out[i] = sp
			if sp == "" || sp == p {
				out[i] = p
			}
			if out[i] == model.UnlabelledName {
				out[i] = ""
			}
		}
		return out
	}
	trG, teG := group(train), group(test)
	seed := uint64(11)
	cohort, err := m.Cohort(nil, g.NumSamples())
	if err != nil {
		t.Fatal(err)
	}
	s, err := m.GenerateCohort(ctx, len(cohort), cohort, seed)
	if err != nil {
		t.Fatal(err)
	}
	res, err := report.EvaluatePopulations(test, s, train, teG, synthGroup(cohort), trG, 10, 1)
	if err != nil {
		t.Fatal(err)
	}
	for _, mt := range res.Metrics {
		if strings.HasPrefix(mt.Name, "pop_af") {
			t.Logf("%-20s %.4f floor %.4f diff %+.4f", mt.Name, mt.Value, mt.Floor, mt.Value-mt.Floor)
		}
	}
	popOf := func(gt *vcf.Genotypes) []string {
		out := make([]string, gt.NumSamples())
		for i, s := range gt.Samples {
			e, _ := panel.Lookup(s)
			out[i] = e.Pop
		}
		return out
	}
	synthPop := func(cohort []int) []string {
		out := make([]string, len(cohort))
		for i, l := range cohort {
			out[i], _ = model.LabelOf(m.Labels, l)
		}
		return out
	}
	af := func(gt *vcf.Genotypes, lab []string, l string) ([]float64, int) {
		var idx []int
		for i, x := range lab {
			if x == l {
				idx = append(idx, i)
			}
		}
		sub := preprocess.SubsetSamples(gt, idx)
		n := sub.NumSamples()
		out := make([]float64, sub.NumSites())
		for v := range out {
			var sum float64
			for i := 0; i < n; i++ {
				sum += float64(sub.Dosage[v*n+i])
			}
			out[v] = sum / float64(2*n)
		}
		return out, n
	}
	within := 0
	for _, f := range res.Fst {
		a, na := af(train, trG, f.A)
		b, nb := af(train, trG, f.B)
		raw := report.HudsonFst(a, b, 1<<40, 1<<40)
		if f.RelErr <= 0.1 {
			within++
		}
		t.Logf("Fst %-8s synth %.5f test %.5f train %.5f (uncorrected %.5f, +%.1f%%) relerr %+.1f%% train %+.1f%%", f.A+"|"+f.B, f.Synth, f.Test, f.Train, raw, 100*(raw/f.Train-1), 100*(f.Synth/f.Test-1), 100*(f.Train/f.Test-1))
		_ = na
		_ = nb
	}
	t.Logf("Fst within 10%%: %d of %d", within, len(res.Fst))
	if os.Getenv("POP18_BOOT") != "" {
		// A perfect copy of the training individuals: as many individuals
		// of each label as the synthetic cohort, resampled from training.
		rng := rand.New(rand.NewPCG(7, 7))
		sG := synthGroup(cohort)
		for rep := 0; rep < 5; rep++ {
			var idx []int
			var bl []string
			byL := map[string][]int{}
			for i, l := range trG {
				byL[l] = append(byL[l], i)
			}
			for _, l := range sG {
				if l == "" {
					continue
				}
				idx = append(idx, byL[l][rng.IntN(len(byL[l]))])
				bl = append(bl, l)
			}
			b := preprocess.SubsetSamples(train, idx)
			rb, err := report.EvaluatePopulations(test, b, train, teG, bl, trG, 10, 1)
			if err != nil {
				t.Fatal(err)
			}
			var line string
			for _, mt := range rb.Metrics {
				if strings.HasPrefix(mt.Name, "pop_af") {
					line += fmt.Sprintf(" %s %+.4f", mt.Name, mt.Value-mt.Floor)
				}
			}
			w := 0
			for _, f := range rb.Fst {
				line += fmt.Sprintf(" %s %+.1f%%", f.A+"|"+f.B, 100*(f.Synth/f.Test-1))
				if f.RelErr <= 0.1 {
					w++
				}
			}
			t.Logf("bootstrap copy of training %d: within 10%% %d;%s", rep, w, line)
		}
	}
	if os.Getenv("POP18_POPS") != "" {
		trP, sP := popOf(train), synthPop(cohort)
		for _, lb := range m.Labels {
			a, na := af(train, trP, lb.Pop)
			b, nb := af(s, sP, lb.Pop)
			var msd, noise, bias float64
			for v := range a {
				msd += (a[v] - b[v]) * (a[v] - b[v])
				noise += a[v] * (1 - a[v]) * (1/float64(2*nb) + 1/400.0)
				bias += b[v] - a[v]
			}
			k := float64(len(a))
			t.Logf("pop %s (%s) n %d/%d: rms(synth−train AF) %.4f, expected from noise %.4f, mean diff %+.4f", lb.Pop, lb.SuperPop, na, nb, math.Sqrt(msd/k), math.Sqrt(noise/k), bias/k)
		}
	}
	if os.Getenv("POP18_CLASSIFY") != "" {
		// Assign every individual to the super-population under whose
		// training allele frequencies (HWE) its genotypes are likeliest.
		sups := map[string][]float64{}
		for _, l := range trG {
			if sups[l] == nil {
				sups[l], _ = af(train, trG, l)
			}
		}
		classify := func(gt *vcf.Genotypes, lab []string, what string) {
			n := gt.NumSamples()
			wrong := map[string]int{}
			tot := map[string]int{}
			for i := 0; i < n; i++ {
				if lab[i] == "" {
					continue
				}
				best, bestL := "", math.Inf(-1)
				for sp, p := range sups {
					var ll float64
					for v := range p {
						q := math.Min(0.99, math.Max(0.01, p[v]))
						switch gt.Dosage[v*n+i] {
						case 0:
							ll += 2 * math.Log(1-q)
						case 1:
							ll += math.Log(2 * q * (1 - q))
						default:
							ll += 2 * math.Log(q)
						}
					}
					if ll > bestL {
						best, bestL = sp, ll
					}
				}
				tot[lab[i]]++
				if best != lab[i] {
					wrong[lab[i]+"→"+best]++
				}
			}
			t.Logf("classified %s: %v of %v", what, wrong, tot)
		}
		classify(test, teG, "test")
		classify(s, synthGroup(cohort), "synthetic")
	}
	// One-population cohorts.
	var sups []string
	seen := map[string]bool{}
	for _, l := range m.Labels {
		if !seen[l.SuperPop] {
			seen[l.SuperPop] = true
			sups = append(sups, l.SuperPop)
		}
	}
	sort.Strings(sups)
	pca := newPCA(preprocess.Matrix(train), 5)
	for _, sp := range sups {
		c, err := m.Cohort([]model.Request{{Name: sp, N: 300}}, 0)
		if err != nil {
			t.Logf("%s: %v", sp, err)
			continue
		}
		s1, err := m.GenerateCohort(ctx, len(c), c, seed+1)
		if err != nil {
			t.Fatal(err)
		}
		r1, err := report.EvaluatePopulations(test, s1, train, teG, synthGroup(c), trG, 10, 1)
		if err != nil {
			t.Fatal(err)
		}
		for _, mt := range r1.Metrics {
			if strings.HasPrefix(mt.Name, "pop_pca") {
				t.Logf("one-pop %-4s %s %.4f floor %.4f ratio %.2f", sp, mt.Name, mt.Value, mt.Floor, mt.Ratio)
			}
		}
		sel := func(gt *vcf.Genotypes, lab []string) *mat.Dense {
			var idx []int
			for i, x := range lab {
				if x == sp {
					idx = append(idx, i)
				}
			}
			return preprocess.Matrix(preprocess.SubsetSamples(gt, idx))
		}
		ps, pt, pr := pca.project(preprocess.Matrix(s1)), pca.project(sel(test, teG)), pca.project(sel(train, trG))
		var line string
		for c := 0; c < 5; c++ {
			ms, ss := stat.MeanStdDev(mat.Col(nil, c, ps), nil)
			mt, st := stat.MeanStdDev(mat.Col(nil, c, pt), nil)
			mr, sr := stat.MeanStdDev(mat.Col(nil, c, pr), nil)
			line += fmt.Sprintf(" PC%d mean %.2f/%.2f/%.2f sd %.2f/%.2f/%.2f;", c+1, ms, mt, mr, ss, st, sr)
		}
		t.Logf("one-pop %-4s synth/test/train%s", sp, line)
	}
}

type pcaT struct {
	mean, sd []float64
	v        *mat.Dense
}

func newPCA(x *mat.Dense, k int) *pcaT {
	n, d := x.Dims()
	p := &pcaT{mean: make([]float64, d), sd: make([]float64, d)}
	z := mat.NewDense(n, d, nil)
	for j := 0; j < d; j++ {
		col := mat.Col(nil, j, x)
		p.mean[j], p.sd[j] = stat.MeanStdDev(col, nil)
		if p.sd[j] == 0 {
			p.sd[j] = 1
		}
		for i := range col {
			z.Set(i, j, (col[i]-p.mean[j])/p.sd[j])
		}
	}
	var svd mat.SVD
	svd.Factorize(z, mat.SVDThin)
	var v mat.Dense
	svd.VTo(&v)
	p.v = mat.DenseCopyOf(v.Slice(0, d, 0, k))
	return p
}

func (p *pcaT) project(x *mat.Dense) *mat.Dense {
	n, d := x.Dims()
	z := mat.NewDense(n, d, nil)
	for i := 0; i < n; i++ {
		for j := 0; j < d; j++ {
			z.Set(i, j, (x.At(i, j)-p.mean[j])/p.sd[j])
		}
	}
	var out mat.Dense
	out.Mul(z, p.v)
	return &out
}
