package model

import (
	"github.com/gousynth/gousynth/internal/roc"

	"bytes"
	"context"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// densityAUC fits a basis with options o on the first nTrain rows of x and
// returns the AUC of the model-density attack (Basis.DensityScore, higher ⇒
// member) with the remaining rows as non-members.
func densityAUC(t *testing.T, x *mat.Dense, nTrain int, o basisOpts) (*Basis, float64) {
	t.Helper()
	n, d := x.Dims()
	b, err := newBasisOpts(mat.DenseCopyOf(x.Slice(0, nTrain, 0, d)), false, o)
	if err != nil {
		t.Fatal(err)
	}
	score, err := b.DensityScore()
	if err != nil {
		t.Fatal(err)
	}
	var mem, non []float64
	for i := 0; i < n; i++ {
		row := append([]float64(nil), x.RawRowView(i)...)
		if i < nTrain {
			mem = append(mem, score(row))
		} else {
			non = append(non, score(row))
		}
	}
	return b, roc.AUC(mem, non)
}

// TestDensityScore: the likelihood-ratio attack on the model's own density
// tells members from non-members when the model's covariance has too many
// free parameters for the training size (the basis of newBasisFor before the
// private rank and the AR residual: 10 directions and full block
// covariances, AUC ≈ 0.97 here), and much less with the private basis choices
// (measured ≈ 0.6; standard error ≈ 0.035 at 200 vs 100).
func TestDensityScore(t *testing.T) {
	const nTrain, nTest, d = 200, 100, 600
	x := blockPanel(nTrain+nTest, d, 50, 0.9, 11)
	_, old := densityAUC(t, x, nTrain, basisOpts{maxRank: maxBasisRank(nTrain, d), block: residBlockSize(nTrain)})
	if old < 0.85 {
		t.Errorf("full block residual: density attack AUC %.3f, want ≥ 0.85 (the leak this attack exists to find)", old)
	}
	b, now := densityAUC(t, x, nTrain, defaultBasisOpts(nTrain, d, true))
	if now > 0.72 || now > old-0.15 {
		t.Errorf("the private basis options (rank %d, AR lags %d): density attack AUC %.3f (full block residual: %.3f), want ≤ 0.72", b.Rank(), defaultBasisOpts(nTrain, d, true).arLags, now, old)
	}
	t.Logf("density attack AUC: full block residual %.3f, private basis %.3f (rank %d)", old, now, b.Rank())
	// Missing values are filled with the mean and change nothing else.
	score, err := b.DensityScore()
	if err != nil {
		t.Fatal(err)
	}
	row := append([]float64(nil), x.RawRowView(0)...)
	filled := append([]float64(nil), row...)
	nan := math.NaN()
	row[3], filled[3] = nan, b.Mean[3]
	if a, c := score(row), score(filled); a != c {
		t.Errorf("score with a missing value %v, with it filled by the mean %v", a, c)
	}
}

func TestPrivateRank(t *testing.T) {
	for _, c := range []struct {
		auc  []float64
		want int
	}{{[]float64{0.5, 0.52, 0.56, 0.5}, 2}, {[]float64{0.6, 0.5}, 1}, {[]float64{0.5, 0.5}, 2}, {nil, 1}} {
		if got := privateRank(c.auc, 0.55); got != c.want {
			t.Errorf("privateRank(%v) = %d, want %d", c.auc, got, c.want)
		}
	}
}

// TestNetMinTime: below Config.NetMinTime the network is not trained (every
// batch time is at least NetMinTime).
func TestNetMinTime(t *testing.T) {
	cfg := DefaultConfig("gou")
	cfg.NetMinTime = 0.3
	lambda := []float64{4, 2, 1}
	p, err := registry["gou"].factory(cfg, lambda)
	if err != nil {
		t.Fatal(err)
	}
	data := &latentData{Y: []float32{1, 0, -1, -1, 1, 0}, N: 2, R: 3, Lambda: lambda}
	const batch = 64
	in, tv, target := make([]float32, batch*3), make([]float64, batch), make([]float32, batch*3)
	p.Batch(rand.New(rand.NewPCG(1, 2)), data, 3, batch, in, tv, target)
	for _, x := range tv {
		if x < cfg.NetMinTime || x > cfg.T {
			t.Fatalf("training time %g outside [NetMinTime, T] = [%g, %g]", x, cfg.NetMinTime, cfg.T)
		}
	}
	cfg.NetMinTime = cfg.T
	if cfg.Validate() == nil {
		t.Error("NetMinTime = T validates")
	}
}

// TestPrivateBasis: on a panel with more SNPs than individuals the private
// basis keeps fewer directions than newBasisFor, and both the model-file probe
// and the density attack lose most of their power.
func TestPrivateBasis(t *testing.T) {
	const nTrain, nTest, d = 200, 100, 600
	x := blockPanel(nTrain+nTest, d, 50, 0.9, 13)
	train := mat.DenseCopyOf(x.Slice(0, nTrain, 0, d))
	std, err := newBasisFor(train, false, false)
	if err != nil {
		t.Fatal(err)
	}
	priv, err := newBasisFor(train, false, true)
	if err != nil {
		t.Fatal(err)
	}
	if priv.Rank() > std.Rank() || priv.Resid == nil {
		t.Fatalf("private basis rank %d (standard %d), resid %v", priv.Rank(), std.Rank(), priv.Resid != nil)
	}
	probeAUC := func(b *Basis) float64 {
		var mem, non []float64
		for i := 0; i < nTrain+nTest; i++ {
			s := b.OutsideSpan(append([]float64(nil), x.RawRowView(i)...))
			if i < nTrain {
				mem = append(mem, s)
			} else {
				non = append(non, s)
			}
		}
		return aucBelow(mem, non)
	}
	ps, pp := probeAUC(std), probeAUC(priv)
	if pp > ps || pp > 0.75 {
		t.Errorf("probe AUC: private %.3f (rank %d), standard %.3f (rank %d)", pp, priv.Rank(), ps, std.Rank())
	}
	t.Logf("probe AUC: private %.3f (rank %d), standard %.3f (rank %d)", pp, priv.Rank(), ps, std.Rank())
	// Its residual covariance is the AR fit's: equal to the standard one on
	// the band of residARLags, different beyond.
	lags := residARLags(nTrain, d)
	b2, err := newBasisOpts(train, false, basisOpts{maxRank: priv.Rank(), block: residBlockSize(nTrain)})
	if err != nil {
		t.Fatal(err)
	}
	for p := 0; p < 20; p++ {
		for q := p; q <= p+lags; q++ {
			if a, c := priv.residCov(p, q), b2.residCov(p, q); math.Abs(a-c) > 1e-6*(1+math.Abs(c)) {
				t.Fatalf("AR residual covariance (%d, %d) = %g, block covariance %g: want equal within the band", p, q, a, c)
			}
		}
	}
}

// TestPrivateModelRoundTrip: a --private fit (d > n/2) records Private and
// NetMinTime in its model file, and the loaded model generates exactly what
// the fitted one does.
func TestPrivateModelRoundTrip(t *testing.T) {
	x, sites := smallCohort(60, 80, 2)
	cfg := quickConfig("gou")
	cfg.Private = true
	m, err := Fit(context.Background(), x, sites, cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	if m.Config.NetMinTime != privateNetMinTime || m.Basis.Resid == nil {
		t.Fatalf("NetMinTime %g, resid %v: want %g and a capped basis", m.Config.NetMinTime, m.Basis.Resid != nil, privateNetMinTime)
	}
	data, err := m.Encode()
	if err != nil {
		t.Fatal(err)
	}
	l, err := Decode(data)
	if err != nil {
		t.Fatal(err)
	}
	if !l.Config.Private || l.Config.NetMinTime != privateNetMinTime || !strings.Contains(l.Summary(), "private fit") {
		t.Errorf("loaded config Private %v NetMinTime %g; summary:\n%s", l.Config.Private, l.Config.NetMinTime, l.Summary())
	}
	a, err := m.Generate(context.Background(), 20, 5)
	if err != nil {
		t.Fatal(err)
	}
	b, err := l.Generate(context.Background(), 20, 5)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(int8Bytes(a.Dosage), int8Bytes(b.Dosage)) {
		t.Error("loaded private model generates different genotypes")
	}
}
