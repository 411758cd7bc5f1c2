package chrom

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/gousynth/gousynth/autoreg"
	"github.com/gousynth/gousynth/model"
	"github.com/gousynth/gousynth/vcf"
)

// writeFile fits every window of a small panel with conditioning cond and
// writes the windowed model file; it returns the plan, the results and the
// file's path.
func writeFile(t *testing.T, cond Conditioning) (*Plan, []*Result, string) {
	return writeFileResidual(t, cond, "")
}

// writeFileResidual is writeFile with the residual space of the regression
// conditionings ("": the default).
func writeFileResidual(t *testing.T, cond Conditioning, resid ResidualKind) (*Plan, []*Result, string) {
	t.Helper()
	train, _ := panel(t, 120, 400, 9)
	o := smallOptions(true)
	o.Conditioning, o.Residual = cond, resid
	o.WindowSNPs = 150
	return writePlanFile(t, train, o, nil)
}

// writePlanFile plans and fits a windowed model of train with options o and
// writes its model file, calling each (when not nil) with every window as
// Plan.Run hands it over; it returns the plan, the results and the file's
// path.
func writePlanFile(t *testing.T, train *vcf.Genotypes, o Options, each func(WindowDone)) (*Plan, []*Result, string) {
	t.Helper()
	p, err := NewPlan(context.Background(), train, 50, o)
	if err != nil {
		t.Fatal(err)
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
	var results []*Result
	err = p.Run(context.Background(), train, func(wd WindowDone) error {
		if each != nil {
			each(wd)
		}
		results = append(results, wd.Result)
		return fw.WriteWindow(wd.Result)
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := fw.Close(); err != nil {
		t.Fatal(err)
	}
	return p, results, path
}

// A windowed model file gives back exactly what the fit stored: the header,
// every window's sections, and window models that generate the same cohort
// as the fit's own results.
func TestFileRoundTrip(t *testing.T) {
	for _, c := range []struct {
		cond  Conditioning
		resid ResidualKind
	}{{CondRegress, ""}, {CondRegress, ResidHaplotype}, {CondMatch, ""}, {CondChain, ""}} {
		cond := c.cond
		t.Run(string(cond)+string(c.resid), func(t *testing.T) {
			p, results, path := writeFileResidual(t, cond, c.resid)
			fr, err := OpenFile(path)
			if err != nil {
				t.Fatal(err)
			}
			defer fr.Close()
			h := fr.Header()
			if !reflect.DeepEqual(h.Options, p.Options) || !reflect.DeepEqual(h.Windows, p.Windows) || !reflect.DeepEqual(h.Mixture, p.Mixture) {
				t.Fatal("options, windows or mixture differ after the round trip")
			}
			if want := p.PCA.Float32(); !reflect.DeepEqual(h.PCA.Mean, want.Mean) || !reflect.DeepEqual(h.PCA.SD, want.SD) ||
				!reflect.DeepEqual(h.PCA.Loadings.RawMatrix().Data, want.Loadings.RawMatrix().Data) {
				t.Fatal("the PCA differs from its float32 rounding after the round trip")
			}
			var fromFile, fromFit []WindowModel
			for _, r := range results {
				wm, err := fr.Next()
				if err != nil {
					t.Fatal(err)
				}
				if wm.Window != r.Window || !reflect.DeepEqual(wm.Slope, r.Slope) || !reflect.DeepEqual(wm.NoiseVar, r.NoiseVar) ||
					!reflect.DeepEqual(wm.Coef, r.Coef) || !reflect.DeepEqual(wm.ResidMean, r.ResidMean) || !reflect.DeepEqual(wm.ResidSD, r.ResidSD) {
					t.Fatalf("window %d: sections differ after the round trip", r.Window.Index)
				}
				fromFile = append(fromFile, wm)
				fit := WindowModel{Window: r.Window, Slope: r.Slope, NoiseVar: r.NoiseVar, Coef: r.Coef, ResidMean: r.ResidMean, ResidSD: r.ResidSD}
				if r.Chain != nil {
					if !reflect.DeepEqual(wm.Chain, r.Chain) {
						t.Fatalf("window %d: the chain model differs after the round trip", r.Window.Index)
					}
					fit.Chain = r.Chain
				} else if r.LatentSD != nil {
					if !reflect.DeepEqual(wm.Latent.U, r.LatentU) || !reflect.DeepEqual(wm.Latent.AR, r.LatentAR) || !reflect.DeepEqual(wm.Latent.SD, r.LatentSD) {
						t.Fatalf("window %d: latent sections differ", r.Window.Index)
					}
					if wm.Haplotype != r.Haplotype || r.Haplotype != (c.resid == ResidHaplotype) {
						t.Fatalf("window %d: haplotype model %v in the file, %v in the fit (residual %q)", r.Window.Index, wm.Haplotype, r.Haplotype, c.resid)
					}
					fit.Haplotype = r.Haplotype
					fit.Latent, err = DecodeLatentResidual(r.Model, r.Window.End-r.Window.Start, r.LatentRank, r.LatentLags, r.LatentU, r.LatentAR, r.LatentSD)
				} else if cond != CondChain {
					fit.Model, err = model.Decode(r.Model)
				}
				if err != nil {
					t.Fatal(err)
				}
				fromFit = append(fromFit, fit)
			}
			if _, err := fr.Next(); err != io.EOF {
				t.Fatalf("after the last window: %v", err)
			}
			gen := func(wms []WindowModel) []byte {
				var out []int8
				i := 0
				next := func() (WindowModel, bool, error) {
					if i == len(wms) {
						return WindowModel{}, false, nil
					}
					i++
					return wms[i-1], true, nil
				}
				err := Generate(context.Background(), h.PCA, h.Mixture, 40, h.Options.Oversample, cond, 5, next, func(wd WindowDone) error {
					out = append(out, wd.Core...)
					return nil
				})
				if err != nil {
					t.Fatal(err)
				}
				b := make([]byte, len(out))
				for k, v := range out {
					b[k] = byte(v)
				}
				return b
			}
			if !bytes.Equal(gen(fromFile), gen(fromFit)) {
				t.Error("the file's window models generate another cohort than the fit's results")
			}
		})
	}
}

// Damaged, foreign and older files are refused with the error that says
// what they are.
func TestFileRefused(t *testing.T) {
	_, _, path := writeFile(t, CondRegress)
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	flipped := bytes.Clone(b)
	flipped[len(flipped)/2] ^= 1
	cases := []struct {
		name string
		data []byte
		want error
		text string
	}{
		{"flipped byte", flipped, model.ErrCorrupt, "checksum"},
		{"truncated", b[:len(b)-100], model.ErrCorrupt, "checksum"},
		{"magic only", []byte(FileMagic), model.ErrCorrupt, "truncated"},
		{"format 2", append([]byte("GOUSYNTH-CHROM-MODEL 2\n"), b[len(FileMagic):]...), ErrFileFormat, "refit"},
		{"a VCF", []byte("##fileformat=VCFv4.2\n#CHROM\tPOS\n"), model.ErrNotModel, ""},
	}
	for _, c := range cases {
		p := filepath.Join(dir, strings.ReplaceAll(c.name, " ", "_"))
		if err := os.WriteFile(p, c.data, 0o644); err != nil {
			t.Fatal(err)
		}
		fr, err := OpenFile(p)
		if err == nil {
			fr.Close()
			t.Errorf("%s: accepted", c.name)
			continue
		}
		if !errors.Is(err, c.want) || !strings.Contains(err.Error(), c.text) || !strings.Contains(err.Error(), p) {
			t.Errorf("%s: %v, want %v naming the file and saying %q", c.name, err, c.want, c.text)
		}
	}
	// The fuzzer's seed is a valid file.
	tiny := filepath.Join(dir, "tiny.gsy")
	if err := os.WriteFile(tiny, tinyFile(t), 0o644); err != nil {
		t.Fatal(err)
	}
	if fr, err := OpenFile(tiny); err != nil {
		t.Errorf("the tiny file: %v", err)
	} else if wm, err := fr.Next(); err != nil || wm.Latent == nil || wm.Latent.Rank != 0 {
		t.Errorf("the tiny file's window: %v", err)
	} else {
		fr.Close()
	}
	// Where a single model is expected, the file says what it is.
	if _, err := model.Load(path); !errors.Is(err, model.ErrNotModel) || !strings.Contains(err.Error(), "windowed model file") {
		t.Errorf("model.Load of a windowed file: %v", err)
	}
	if !IsFile(path) || IsFile(filepath.Join(dir, "a_VCF")) {
		t.Error("IsFile does not tell a windowed model file from a VCF")
	}
}

// tinyFile is a valid windowed model file of 4 sites in one window with a
// rank-0 latent residual (no network), the fuzzer's seed.
func tinyFile(tb testing.TB) []byte {
	sites := sitesN(4, 1)
	h := &FileHeader{Options: Options{Conditioning: CondRegress, WindowSNPs: 4}, Sites: sites, Windows: []Window{{Index: 0, Start: 0, CoreStart: 0, End: 4}},
		PCA:     &PCA{Mean: []float64{0.5, 1, 0.25, 1.5}, Scale: []float64{1, 0.5, 2, 1}, Loadings: mat.NewDense(4, 1, []float64{0.5, -0.5, 0.5, -0.5}), SD: []float64{2}},
		Mixture: &Mixture{Weights: []float64{1}, Means: [][]float64{{0}}, Chol: [][]float64{{1}}}, NumTrain: 30}
	var buf bytes.Buffer
	fw, err := NewFileWriter(&buf, h)
	if err != nil {
		tb.Fatal(err)
	}
	r := &Result{Window: h.Windows[0], Slope: []float64{1}, NoiseVar: []float64{0.5}, Coef: []float64{0, 0, 0, 0, 0.5, 0.5, -0.5, -0.5},
		ResidMean: []float64{0, 0, 0, 0}, ResidSD: []float64{1, 1, 1, 1}, LatentLags: 1, LatentAR: []float32{0, 0.5, 0.5, 0.5}, LatentSD: []float32{1, 1, 1, 1}}
	if err := fw.WriteWindow(r); err != nil {
		tb.Fatal(err)
	}
	if err := fw.Close(); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

// FuzzFile feeds arbitrary bodies, with a valid checksum so that decoding
// is reached, to the reader: errors, never panics or huge allocations.
func FuzzFile(f *testing.F) {
	b := tinyFile(f)
	f.Add(b[len(FileMagic) : len(b)-sha256.Size])
	f.Add([]byte{})
	f.Add([]byte("\x02\x00\x00\x00{}"))
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, body []byte) {
		sum := sha256.Sum256(body)
		p := filepath.Join(dir, "f.gsy")
		if err := os.WriteFile(p, append(append([]byte(FileMagic), body...), sum[:]...), 0o644); err != nil {
			t.Fatal(err)
		}
		fr, err := OpenFile(p)
		if err != nil {
			return
		}
		defer fr.Close()
		for {
			if _, err := fr.Next(); err != nil {
				return
			}
		}
	})
}

// GenerateStream draws what Generate draws, chunk by chunk, for the
// dosage-latent and the haplotype window models, with n above one chunk of
// the haplotype draws (two per individual).
func TestGenerateStreamMatchesGenerate(t *testing.T) {
	if testing.Short() {
		t.Skip("fits two windowed models")
	}
	const n = model.SampleChunkRows/2 + 37
	for _, resid := range []ResidualKind{ResidLatent, ResidHaplotype} {
		t.Run(string(resid), func(t *testing.T) {
			_, _, path := writeFileResidual(t, CondRegress, resid)
			batch, stream := batchAndStream(t, path, n)
			if !slices.Equal(batch, stream) {
				t.Errorf("streamed cohort differs from Generate's (%d and %d genotypes)", len(stream), len(batch))
			}
		})
	}
}

// batchAndStream generates n individuals from the windowed model file at
// path with regress conditioning and seed 3, once with Generate and once
// with GenerateStream, and returns both cohorts (site-major).
func batchAndStream(t *testing.T, path string, n int) (batch, stream []int8) {
	t.Helper()
	return batchAndStreamCond(t, path, n, "")
}

// batchAndStreamCond is batchAndStream with conditioning cond ("": the
// file's).
func batchAndStreamCond(t *testing.T, path string, n int, cond Conditioning) (batch, stream []int8) {
	t.Helper()
	read := func() (*FileHeader, func() (WindowModel, bool, error)) {
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
		}
	}
	h, next := read()
	if cond == "" {
		cond = h.Options.Conditioning
	}
	if err := Generate(context.Background(), h.PCA, h.Mixture, n, h.Options.Oversample, cond, 3, next, func(wd WindowDone) error {
		batch = append(batch, wd.Core...)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	h, next = read()
	var win []int8
	err := GenerateStream(context.Background(), h.PCA, h.Mixture, n, h.Options.Oversample, cond, 3, next,
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
	return batch, stream
}

// TestChainFileGeneratesTheFitsCohort: with chain conditioning the model
// file, generated with the plan's seed, gives the fit's own cohort, and
// GenerateStream gives what Generate gives.
func TestChainFileGeneratesTheFitsCohort(t *testing.T) {
	train, _ := panel(t, 120, 400, 9)
	o := smallOptions(true)
	o.Conditioning, o.WindowSNPs = CondChain, 150
	var fitted []int8
	p, _, path := writePlanFile(t, train, o, func(wd WindowDone) { fitted = append(fitted, wd.Core...) })
	if len(p.Windows) < 2 || p.Windows[1].Overlap() == 0 {
		t.Fatalf("%d windows, the second with overlap %d: the test needs a chain across a boundary", len(p.Windows), p.Windows[1].Overlap())
	}
	fr, err := OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer fr.Close()
	h := fr.Header()
	var fromFile []int8
	err = Generate(context.Background(), h.PCA, h.Mixture, p.NSynth, h.Options.Oversample, CondChain, p.Options.Seed, func() (WindowModel, bool, error) {
		wm, err := fr.Next()
		if err == io.EOF {
			return WindowModel{}, false, nil
		}
		return wm, err == nil, err
	}, func(wd WindowDone) error {
		fromFile = append(fromFile, wd.Core...)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(fitted, fromFile) {
		t.Error("the model file generates another cohort than the fit's with the plan's seed")
	}
	batch, stream := batchAndStreamCond(t, path, autoreg.ChunkRows+70, CondChain)
	if !slices.Equal(batch, stream) {
		t.Errorf("streamed cohort differs from Generate's (%d and %d genotypes)", len(stream), len(batch))
	}
}
