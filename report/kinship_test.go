package report

import (
	"bufio"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/gousynth/gousynth/metrics"
	"github.com/gousynth/gousynth/preprocess"
	"github.com/gousynth/gousynth/vcf"
)

const bundledVCF = "../testdata/1kg_chr1_11.7M.vcf.gz"

// kinFixture builds two cohorts on the first d sites of the bundled region:
// a ("training") of na real individuals and b of nb other real individuals
// followed by constructed relatives of a's members: a duplicate, a child of
// two members, a child of a member and an outsider and a grandchild. With
// missing, about 1% of calls of both cohorts are set missing.
func kinFixture(t testing.TB, na, nb, d int, missing bool) (a, b *vcf.Genotypes) {
	t.Helper()
	g, _, err := vcf.ReadFile(bundledVCF, vcf.ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	g = preprocess.SubsetSites(g, iota(min(d, g.NumSites())))
	a = preprocess.SubsetSamplesShared(g, iota(na))
	real := preprocess.SubsetSamplesShared(g, iotaFrom(na, na+nb+2))
	rng := rand.New(rand.NewPCG(7, 7))
	n := real.NumSamples() - 2 + 4
	d = g.NumSites()
	b = &vcf.Genotypes{Sites: g.Sites, Samples: make([]string, n), Dosage: make([]int8, n*d)}
	// transmit draws the allele an individual of dosage x passes on.
	transmit := func(x int8) int8 {
		switch x {
		case 0:
			return 0
		case 2:
			return 1
		}
		return int8(rng.IntN(2))
	}
	for v := 0; v < d; v++ {
		ra, rr, rb := a.Row(v), real.Row(v), b.Row(v)
		copy(rb, rr[:nb])
		child := transmit(ra[1]) + transmit(ra[2])
		rb[nb] = ra[0]
		rb[nb+1] = child
		rb[nb+2] = transmit(ra[3]) + transmit(rr[nb])
		rb[nb+3] = transmit(child) + transmit(rr[nb+1])
	}
	for s := range b.Samples {
		b.Samples[s] = fmt.Sprintf("B%d", s)
	}
	for s := range a.Samples {
		a.Samples[s] = fmt.Sprintf("A%d", s)
	}
	if missing {
		for _, c := range []*vcf.Genotypes{a, b} {
			c.Dosage = append([]int8(nil), c.Dosage...)
			for i := range c.Dosage {
				if rng.Float64() < 0.01 {
					c.Dosage[i] = vcf.Missing
				}
			}
		}
	}
	return a, b
}

// writeTextVCF writes a and b side by side as one unphased VCF.
func writeTextVCF(t *testing.T, path string, cohorts ...*vcf.Genotypes) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w := bufio.NewWriter(f)
	fmt.Fprint(w, "##fileformat=VCFv4.2\n##contig=<ID=1>\n##FORMAT=<ID=GT,Number=1,Type=String,Description=\"Genotype\">\n")
	fmt.Fprint(w, "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT")
	for _, c := range cohorts {
		for _, s := range c.Samples {
			fmt.Fprint(w, "\t", s)
		}
	}
	fmt.Fprintln(w)
	gt := map[int8]string{0: "0/0", 1: "0/1", 2: "1/1", vcf.Missing: "./."}
	for v, s := range cohorts[0].Sites {
		fmt.Fprintf(w, "%s\t%d\tv%d\t%s\t%s\t.\t.\t.\tGT", s.Chrom, s.Pos, v, s.Ref, s.Alt)
		for _, c := range cohorts {
			for _, x := range c.Row(v) {
				fmt.Fprint(w, "\t", gt[x])
			}
		}
		fmt.Fprintln(w)
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	f.Close()
}

// plinkKing runs plink2 --make-king-table on path and returns the kinship of
// every pair, keyed "IID1 IID2" (both orders).
func plinkKing(t *testing.T, path string) map[string]float64 {
	t.Helper()
	out := filepath.Join(t.TempDir(), "king")
	cmd := exec.Command("plink2", "--vcf", path, "--make-king-table", "--threads", "1", "--out", out)
	if msg, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("plink2: %v\n%s", err, msg)
	}
	f, err := os.Open(out + ".kin0")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Scan()
	head := strings.Fields(sc.Text())
	col := map[string]int{}
	for i, h := range head {
		col[strings.TrimPrefix(h, "#")] = i
	}
	res := map[string]float64{}
	for sc.Scan() {
		fs := strings.Fields(sc.Text())
		k, err := strconv.ParseFloat(fs[col["KINSHIP"]], 64)
		if err != nil {
			t.Fatal(err)
		}
		id1, id2 := fs[col["IID1"]], fs[col["IID2"]]
		res[id1+" "+id2], res[id2+" "+id1] = k, k
	}
	return res
}

// TestKinshipMatchesPlink2 compares Kinship with plink2 --make-king-table on
// the same genotypes, for every pair across the two cohorts, with and
// without missing calls, and checks that the constructed relatives come out
// as relatives.
func TestKinshipMatchesPlink2(t *testing.T) {
	if _, err := exec.LookPath("plink2"); err != nil {
		t.Skip("plink2 not installed")
	}
	const tol = 1e-5 // plink2 prints the kinship to about 6 significant digits
	for _, c := range []struct {
		name    string
		missing bool
	}{{"complete", false}, {"missing calls", true}} {
		t.Run(c.name, func(t *testing.T) {
			a, b := kinFixture(t, 40, 20, 3000, c.missing)
			path := filepath.Join(t.TempDir(), "ab.vcf")
			writeTextVCF(t, path, a, b)
			want := plinkKing(t, path)
			k, err := Kinship(a, b)
			if err != nil {
				t.Fatal(err)
			}
			worst := 0.0
			for i, x := range a.Samples {
				for j, y := range b.Samples {
					w, ok := want[x+" "+y]
					if !ok {
						t.Fatalf("plink2 has no pair %s %s", x, y)
					}
					worst = max(worst, math.Abs(k[i*len(b.Samples)+j]-w))
				}
			}
			t.Logf("max |gousynth − plink2| = %.3g over %d pairs", worst, len(k))
			if worst > tol {
				t.Errorf("max abs difference from plink2 %.3g > %g", worst, tol)
			}
			nb := b.NumSamples()
			// The constructed relatives: a duplicate, two children, a
			// grandchild. Their alleles are transmitted site by site from
			// parents of varied ancestry, so the estimates scatter around
			// 0.5, 0.25 and 0.125; the ranges are wide, plink2 is the exact check.
			colMax := metrics.MaxKinship(transpose(k, a.NumSamples(), nb), nb, a.NumSamples())
			for _, r := range []struct {
				who    int
				lo, hi float64
			}{{nb - 4, 0.45, 0.5}, {nb - 3, 0.12, 0.35}, {nb - 2, 0.12, 0.35}, {nb - 1, 0.04, 0.25}} {
				if v := colMax[r.who]; !(v >= r.lo && v <= r.hi) {
					t.Errorf("relative %s: largest kinship %.3f, want in [%g, %g]", b.Samples[r.who], v, r.lo, r.hi)
				}
			}
		})
	}
}

func transpose(k []float64, rows, cols int) []float64 {
	out := make([]float64, len(k))
	for i := 0; i < rows; i++ {
		for j := 0; j < cols; j++ {
			out[j*rows+i] = k[i*cols+j]
		}
	}
	return out
}

func TestKinshipSiteMismatch(t *testing.T) {
	a, b := kinFixture(t, 5, 5, 100, false)
	_, err := Kinship(a, preprocess.SubsetSites(b, iota(50)))
	if !errors.Is(err, ErrSiteMismatch) {
		t.Errorf("error %v, want ErrSiteMismatch", err)
	}
}

// BenchmarkKinship: 2500 × 2500 individuals × 5000 SNPs.
func BenchmarkKinship(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 2))
	mk := func(n, d int) *vcf.Genotypes {
		g := &vcf.Genotypes{Sites: make([]vcf.Site, d), Samples: make([]string, n), Dosage: make([]int8, n*d)}
		for v := range g.Sites {
			g.Sites[v] = vcf.Site{Chrom: "1", Pos: v + 1, Ref: "A", Alt: "G"}
		}
		for i := range g.Dosage {
			g.Dosage[i] = int8(rng.IntN(3))
		}
		return g
	}
	x, y := mk(2500, 5000), mk(2500, 5000)
	y.Sites = x.Sites
	b.ResetTimer()
	for b.Loop() {
		if _, err := Kinship(x, y); err != nil {
			b.Fatal(err)
		}
	}
}
