package app

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/stat"

	"github.com/gousynth/gousynth/model"
	"github.com/gousynth/gousynth/report"
)

// smallDistOptions keeps a CompareDist run to a few seconds.
func smallDistOptions(out string, seed uint64) CompareDistOptions {
	procs := []string{"vp", "gou", "cld"}
	cfgs := map[string]model.Config{}
	for _, p := range procs {
		c := model.DefaultConfig(model.ProcessKind(p))
		c.Steps, c.Hidden, c.SamplerSteps = 40, 16, 20
		cfgs[p] = c
	}
	// NSynth equals the training size, so every synthetic sample is evaluated.
	return CompareDistOptions{Dist: "two-gaussians", N: 600, TestFraction: 0.3, NSynth: 420, Seed: seed,
		OutDir: out, Processes: procs, Configs: cfgs, Projections: 50}
}

func readTSV(t *testing.T, path string) *mat.Dense {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Scan() // header
	var data []float64
	rows, cols := 0, 0
	for sc.Scan() {
		fs := strings.Split(sc.Text(), "\t")
		cols = len(fs)
		for _, s := range fs {
			v, err := strconv.ParseFloat(s, 64)
			if err != nil {
				t.Fatal(err)
			}
			data = append(data, v)
		}
		rows++
	}
	return mat.NewDense(rows, cols, data)
}

// w2Quantiles approximates the 1-D W2 distance of two samples on a fine
// grid of quantile levels (an independent check of the exact merge).
func w2Quantiles(a, b []float64) float64 {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	const k = 200000
	var s float64
	for i := 0; i < k; i++ {
		u := (float64(i) + 0.5) / k
		d := a[int(u*float64(len(a)))] - b[int(u*float64(len(b)))]
		s += d * d
	}
	return math.Sqrt(s / k)
}

func TestCompareDist(t *testing.T) {
	dir := t.TempDir()
	outA := filepath.Join(dir, "a")
	res, err := CompareDist(context.Background(), smallDistOptions(outA, 3))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{CompareTableFile, CompareHTMLFile, CompareJSONFile, LogFile, DistTestFile, "samples-vp.tsv", "samples-gou.tsv", "samples-cld.tsv"} {
		if _, err := os.Stat(filepath.Join(outA, f)); err != nil {
			t.Errorf("missing output: %v", err)
		}
	}
	for _, r := range res.Rows {
		// CPU time is measured on Unix systems (NaN elsewhere).
		if runtime.GOOS != "windows" && !(r.CPUSeconds > 0) {
			t.Errorf("%s: CPU time %v", r.Process, r.CPUSeconds)
		}
	}
	if res.Dist == nil || res.Dist.NumTrain != 420 || res.Dist.NumTest != 180 || res.Dist.EvalSize != 420 || res.Dist.Dim != 2 {
		t.Fatalf("data description %+v", res.Dist)
	}

	// Every metric is finite, with a positive floor, the same floor for every
	// process, and ratio = value / floor.
	js, err := os.ReadFile(filepath.Join(outA, CompareJSONFile))
	if err != nil {
		t.Fatal(err)
	}
	var parsed struct {
		Data      DistInfo `json:"data"`
		Processes []struct {
			Process string          `json:"process"`
			Metrics *report.Metrics `json:"metrics"`
		} `json:"processes"`
	}
	if err := json.Unmarshal(js, &parsed); err != nil {
		t.Fatal(err)
	}
	if len(parsed.Processes) != 3 || parsed.Data.Distribution != "two-gaussians" {
		t.Fatalf("comparison.json: %d processes, data %+v", len(parsed.Processes), parsed.Data)
	}
	floors := map[string]float64{}
	for _, p := range parsed.Processes {
		ms := append(slices.Clone(p.Metrics.Paper), p.Metrics.Structure...)
		if len(ms) < 15 {
			t.Errorf("%s: only %d metrics", p.Process, len(ms))
		}
		for _, m := range ms {
			if math.IsNaN(m.Value) || math.IsInf(m.Value, 0) || !(m.Floor > 0) || math.IsInf(m.Floor, 0) {
				t.Errorf("%s %s: value %v floor %v", p.Process, m.Name, m.Value, m.Floor)
			}
			if math.Abs(m.Ratio-m.Value/m.Floor) > 1e-9*m.Ratio {
				t.Errorf("%s %s: ratio %v, value/floor %v", p.Process, m.Name, m.Ratio, m.Value/m.Floor)
			}
			if f, ok := floors[m.Name]; ok && f != m.Floor {
				t.Errorf("%s: floor %v for %s, %v for another process", m.Name, m.Floor, p.Process, f)
			}
			floors[m.Name] = m.Floor
		}
	}
	table, _ := os.ReadFile(filepath.Join(outA, CompareTableFile))
	for _, want := range []string{"| metric | floor | vp | gou | cld |", "| cov_frobenius |", "| kl_hist_2d |", "| mode_occupancy_tv |", "wall time", "| CPU time, fit + generate + evaluate (s) |"} {
		if !bytes.Contains(table, []byte(want)) {
			t.Errorf("comparison.md lacks %q", want)
		}
	}

	// The synthetic rows agree with an independent computation from the
	// written samples and test set.
	test := readTSV(t, filepath.Join(outA, DistTestFile))
	for _, p := range parsed.Processes {
		s := readTSV(t, filepath.Join(outA, "samples-"+p.Process+".tsv"))
		if r, c := s.Dims(); r != 420 || c != 2 {
			t.Fatalf("%s: samples %d×%d", p.Process, r, c)
		}
		get := func(name string) float64 {
			m, ok := p.Metrics.Get(name)
			if !ok {
				t.Fatalf("%s: no metric %s", p.Process, name)
			}
			return m.Value
		}
		covS, covT := mat.NewSymDense(2, nil), mat.NewSymDense(2, nil)
		stat.CovarianceMatrix(covS, s, nil)
		stat.CovarianceMatrix(covT, test, nil)
		var diff mat.Dense
		diff.Sub(covS, covT)
		if want := mat.Norm(&diff, 2); math.Abs(get("cov_frobenius")-want) > 1e-9*want {
			t.Errorf("%s cov_frobenius %v, independent %v", p.Process, get("cov_frobenius"), want)
		}
		for j := 0; j < 2; j++ {
			cs, ct := mat.Col(nil, j, s), mat.Col(nil, j, test)
			ms, ss := stat.MeanStdDev(cs, nil)
			mt, st := stat.MeanStdDev(ct, nil)
			name := strconv.Itoa(j + 1)
			if want := math.Abs(ms - mt); math.Abs(get("mean_error_x"+name)-want) > 1e-9 {
				t.Errorf("%s mean_error_x%s %v, independent %v", p.Process, name, get("mean_error_x"+name), want)
			}
			if want := math.Abs(ss - st); math.Abs(get("std_error_x"+name)-want) > 1e-9 {
				t.Errorf("%s std_error_x%s %v, independent %v", p.Process, name, get("std_error_x"+name), want)
			}
			if want := w2Quantiles(cs, ct); math.Abs(get("w2_x"+name)-want) > 0.01*want+1e-3 {
				t.Errorf("%s w2_x%s %v, quantile-grid %v", p.Process, name, get("w2_x"+name), want)
			}
		}
	}

	// Same seed: byte-identical samples, test set and metrics (the table,
	// HTML page and log also record wall times).
	outB := filepath.Join(dir, "b")
	if _, err := CompareDist(context.Background(), smallDistOptions(outB, 3)); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{DistTestFile, "samples-vp.tsv", "samples-gou.tsv", "samples-cld.tsv"} {
		a, _ := os.ReadFile(filepath.Join(outA, f))
		b, _ := os.ReadFile(filepath.Join(outB, f))
		if len(a) == 0 || !bytes.Equal(a, b) {
			t.Errorf("%s differs between two runs with the same seed", f)
		}
	}
	jsB, _ := os.ReadFile(filepath.Join(outB, CompareJSONFile))
	if !bytes.Equal(stripSeconds(js), stripSeconds(jsB)) {
		t.Error("comparison.json metrics differ between two runs with the same seed")
	}
}

// stripSeconds drops the wall-time lines of comparison.json.
func stripSeconds(b []byte) []byte {
	var out [][]byte
	for _, l := range bytes.Split(b, []byte("\n")) {
		if !bytes.Contains(l, []byte(`_seconds"`)) {
			out = append(out, l)
		}
	}
	return bytes.Join(out, []byte("\n"))
}

func TestCompareDistBadOptions(t *testing.T) {
	dir := t.TempDir()
	for _, c := range []struct {
		name string
		edit func(*CompareDistOptions)
	}{
		{"unknown distribution", func(o *CompareDistOptions) { o.Dist = "moons" }},
		{"too few samples", func(o *CompareDistOptions) { o.N = 5 }},
		{"test fraction", func(o *CompareDistOptions) { o.TestFraction = 1 }},
		{"no config", func(o *CompareDistOptions) { o.Processes = append(o.Processes, "cld-eps") }},
	} {
		t.Run(c.name, func(t *testing.T) {
			o := smallDistOptions(filepath.Join(dir, "out"), 1)
			c.edit(&o)
			if _, err := CompareDist(context.Background(), o); !errors.Is(err, ErrBadOption) {
				t.Errorf("error %v, want ErrBadOption", err)
			}
		})
	}
	if es, _ := os.ReadDir(dir); len(es) != 0 {
		t.Errorf("bad options left %d entries", len(es))
	}
}
