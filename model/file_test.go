package model

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"errors"
	"maps"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/gousynth/gousynth/vcf"
)

// smallCohort returns a tiny genotype matrix with LD (two haplotype blocks)
// and its sites.
func smallCohort(n, d int, seed uint64) (*mat.Dense, []vcf.Site) {
	rng := rand.New(rand.NewPCG(seed, 99))
	x := mat.NewDense(n, d, nil)
	for i := 0; i < n; i++ {
		for h := 0; h < 2; h++ {
			hap := rng.IntN(3)
			for j := 0; j < d; j++ {
				a := 0.0
				if (j+hap)%3 == 0 && rng.Float64() < 0.9 || rng.Float64() < 0.05 {
					a = 1
				}
				x.Set(i, j, x.At(i, j)+a)
			}
		}
	}
	sites := make([]vcf.Site, d)
	for j := range sites {
		sites[j] = vcf.Site{Chrom: "1", Pos: 1000 + 10*j, ID: ".", Ref: "A", Alt: "G"}
	}
	return x, sites
}

func quickConfig(process ProcessKind) Config {
	c := DefaultConfig(process)
	c.Steps, c.BatchSize, c.Hidden, c.Layers, c.NetDims = 40, 32, 16, 1, 4
	c.SamplerSteps, c.CalibrationSize, c.Anchors, c.MinClusterSize = 10, 50, 3, 5
	c.ProbitRounds, c.ProbitSweeps = 2, 1
	return c
}

func TestModelFileRoundTrip(t *testing.T) {
	x, sites := smallCohort(60, 12, 1)
	for _, proc := range []ProcessKind{ProcessGOU, ProcessVP} {
		for _, latent := range []LatentKind{LatentDosage, LatentProbit} {
			t.Run(string(proc)+"/"+string(latent), func(t *testing.T) {
				cfg := quickConfig(proc)
				cfg.Latent = latent
				m, err := Fit(context.Background(), x, sites, cfg, nil)
				if err != nil {
					t.Fatal(err)
				}
				m.Preprocess = "MAF >= 0.01; 70/30 split"
				path := filepath.Join(t.TempDir(), "m.gsy")
				if err := m.Save(path); err != nil {
					t.Fatal(err)
				}
				l, err := Load(path)
				if err != nil {
					t.Fatal(err)
				}
				if l.Summary() != m.Summary() {
					t.Errorf("summary changed:\n%s\nvs\n%s", l.Summary(), m.Summary())
				}
				a, err := m.Generate(context.Background(), 25, 3)
				if err != nil {
					t.Fatal(err)
				}
				b, err := l.Generate(context.Background(), 25, 3)
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(int8Bytes(a.Dosage), int8Bytes(b.Dosage)) {
					t.Error("loaded model generates different genotypes")
				}
				if a.Samples[0] != "SYN000001" || a.Samples[24] != "SYN000025" || a.Phased {
					t.Errorf("sample IDs %q..%q phased=%v", a.Samples[0], a.Samples[24], a.Phased)
				}
				for _, v := range a.Dosage {
					if v < 0 || v > 2 {
						t.Fatalf("dosage %d", v)
					}
				}
				// Encoding is deterministic.
				e1, _ := m.Encode()
				e2, _ := l.Encode()
				if !bytes.Equal(e1, e2) {
					t.Error("re-encoding a loaded model changes the bytes")
				}
			})
		}
	}
}

func int8Bytes(x []int8) []byte {
	b := make([]byte, len(x))
	for i, v := range x {
		b[i] = byte(v)
	}
	return b
}

// TestModelFileHoldsNoGenotypes checks that no training row appears in the
// model file as a run of float64 or float32 values.
func TestModelFileHoldsNoGenotypes(t *testing.T) {
	x, sites := smallCohort(60, 12, 2)
	m, err := Fit(context.Background(), x, sites, quickConfig("gou"), nil)
	if err != nil {
		t.Fatal(err)
	}
	data, _ := m.Encode()
	for i := 0; i < 60; i++ {
		row := x.RawRowView(i)
		var b64, b32 []byte
		for _, v := range row {
			b64 = binary.LittleEndian.AppendUint64(b64, mathFloat64bits(v))
			b32 = binary.LittleEndian.AppendUint32(b32, mathFloat32bits(float32(v)))
		}
		if bytes.Contains(data, b64) || bytes.Contains(data, b32) {
			t.Fatalf("training row %d found in the model file", i)
		}
	}
}

func TestModelFileCorruption(t *testing.T) {
	x, sites := smallCohort(40, 8, 3)
	m, err := Fit(context.Background(), x, sites, quickConfig("gou"), nil)
	if err != nil {
		t.Fatal(err)
	}
	good, _ := m.Encode()
	newer := append([]byte(nil), good...)
	binary.LittleEndian.PutUint32(newer[8:], FormatVersion+1)
	flipped := append([]byte(nil), good...)
	flipped[len(flipped)/2] ^= 0x40
	cases := []struct {
		name string
		data []byte
		want error
	}{
		{"empty", nil, ErrNotModel},
		{"foreign", []byte("##fileformat=VCFv4.2\n#CHROM\tPOS\n"), ErrNotModel},
		{"gzip", []byte{0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0}, ErrNotModel},
		{"header only", good[:20], ErrCorrupt},
		{"truncated", good[:len(good)-100], ErrCorrupt},
		{"padded", append(append([]byte(nil), good...), 0), ErrCorrupt},
		{"bit flip", flipped, ErrCorrupt},
		{"newer version", newer, ErrNewerVersion},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Decode(c.data)
			if !errors.Is(err, c.want) {
				t.Fatalf("got %v, want %v", err, c.want)
			}
		})
	}
	path := filepath.Join(t.TempDir(), "bad.gsy")
	os.WriteFile(path, good[:len(good)-1], 0o644)
	if _, err := Load(path); !errors.Is(err, ErrCorrupt) || !bytes.Contains([]byte(err.Error()), []byte(path)) {
		t.Errorf("Load error %v should wrap ErrCorrupt and name the file", err)
	}
}

func FuzzDecode(f *testing.F) {
	x, sites := smallCohort(30, 5, 4)
	// A small seed (a few hundred bytes of sections after the JSON header):
	// the fuzzer's mutations and the minimisation of every new input cost
	// time in proportion to its size.
	cfg := quickConfig("gou")
	cfg.Steps, cfg.Hidden, cfg.NetDims, cfg.Anchors = 2, 4, 2, 2
	m, err := Fit(context.Background(), x, sites, cfg, nil)
	if err != nil {
		f.Fatal(err)
	}
	good, _ := m.Encode()
	if testing.Verbose() {
		f.Logf("seed model file: %d bytes", len(good))
	}
	f.Add(good)
	f.Add(good[:60])
	f.Add([]byte("\x89GSY\r\n\x1a\n"))
	f.Add(good[52:]) // a bare payload: exercised with a valid checksum below
	f.Fuzz(func(t *testing.T, data []byte) {
		// As given, and re-wrapped as a payload with a valid checksum so the
		// fuzzer reaches the header and section parsers.
		sum := sha256.Sum256(data)
		var w []byte
		w = append(w, fileMagic...)
		w = binary.LittleEndian.AppendUint32(w, FormatVersion)
		w = binary.LittleEndian.AppendUint64(w, uint64(len(data)))
		w = append(w, sum[:]...)
		w = append(w, data...)
		for _, in := range [][]byte{data, w} {
			m, err := Decode(in)
			if err != nil {
				continue
			}
			if _, err := m.Encode(); err != nil {
				t.Fatal(err)
			}
		}
	})
}

func mathFloat64bits(v float64) uint64 { return math.Float64bits(v) }
func mathFloat32bits(v float32) uint32 { return math.Float32bits(v) }

// wrapPayload returns a model file around payload with a valid checksum.
func wrapPayload(payload []byte) []byte {
	sum := sha256.Sum256(payload)
	var w []byte
	w = append(w, fileMagic...)
	w = binary.LittleEndian.AppendUint32(w, FormatVersion)
	w = binary.LittleEndian.AppendUint64(w, uint64(len(payload)))
	w = append(w, sum[:]...)
	return append(w, payload...)
}

// TestDecodeHugeDeclaredSizes gives Decode headers (with valid checksums)
// whose shapes declare sections far larger than the file, including sizes
// whose products overflow 64 bits: each must fail as corrupt before any
// allocation of that size.
func TestDecodeHugeDeclaredSizes(t *testing.T) {
	x, sites := smallCohort(30, 5, 4)
	cfg := quickConfig("gou")
	cfg.Steps = 2
	m, err := Fit(context.Background(), x, sites, cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	good, _ := m.Encode()
	payload := good[fixedHeaderSize:]
	hl := binary.LittleEndian.Uint32(payload)
	js, rest := payload[4:4+hl], payload[4+hl:]
	var h map[string]any
	if err := json.Unmarshal(js, &h); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		field string
		value float64
	}{
		{"R", 1 << 40}, {"R", 1 << 61}, {"TrainN", 1 << 62}, {"TrainN", 1e8}, {"NumAnchors", 1 << 40}, {"NumAnchors", 1 << 60},
		{"NetIn", 1 << 19}, {"NetOut", 1 << 19},
	} {
		hh := maps.Clone(h)
		hh[c.field] = c.value
		if c.field == "R" {
			hh["TrainN"] = c.value // R may exceed d only up to the training size
		}
		if c.field == "NumAnchors" {
			hh["InitKind"] = "anchors"
		}
		nj, _ := json.Marshal(hh)
		p := binary.LittleEndian.AppendUint32(nil, uint32(len(nj)))
		p = append(append(p, nj...), rest...)
		if _, err := Decode(wrapPayload(p)); !errors.Is(err, ErrCorrupt) {
			t.Errorf("%s = %g: got %v, want ErrCorrupt", c.field, c.value, err)
		}
	}
}

// TestLoadChecksHeaderFirst: Load rejects a large file that is not a model,
// and a model whose length field is corrupt, from the fixed header and the
// file size alone (sparse files here: reading them whole would take
// gigabytes of memory).
func TestLoadChecksHeaderFirst(t *testing.T) {
	dir := t.TempDir()
	big := func(name string, head []byte) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, head, 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Truncate(path, 8<<30); err != nil {
			t.Skip("no sparse files here:", err)
		}
		return path
	}
	vcfLike := big("chr22.vcf.gsy", []byte("##fileformat=VCFv4.2\n"))
	if _, err := Load(vcfLike); !errors.Is(err, ErrNotModel) || !strings.Contains(err.Error(), vcfLike) {
		t.Errorf("8 GB VCF given as a model: %v", err)
	}
	var h []byte
	h = append(h, fileMagic...)
	h = binary.LittleEndian.AppendUint32(h, FormatVersion)
	h = binary.LittleEndian.AppendUint64(h, 1<<50)
	h = append(h, make([]byte, 32)...)
	badLen := big("badlen.gsy", h)
	if _, err := Load(badLen); !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), "header says") {
		t.Errorf("corrupt length field: %v", err)
	}
	binary.LittleEndian.PutUint32(h[8:], FormatVersion+1)
	newer := big("newer.gsy", h)
	if _, err := Load(newer); !errors.Is(err, ErrNewerVersion) {
		t.Errorf("newer format: %v", err)
	}
	if _, err := Load(dir); err == nil || !strings.Contains(err.Error(), "not a regular file") {
		t.Errorf("directory as model: %v", err)
	}
	if _, err := Load(filepath.Join(dir, "missing.gsy")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing model: %v", err)
	}
}
