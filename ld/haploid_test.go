package ld

import (
	"bufio"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/gousynth/gousynth/vcf"
)

// TestR2HaploidMatchesPlink checks dosage r² on a chrX-like fixture with
// haploid male calls against plink 1.9 --r2, which codes a haploid call as
// homozygous (haploid ALT = dosage 2): reading "1" as dosage 1 (a
// heterozygote) made r² differ by up to 0.149.
func TestR2HaploidMatchesPlink(t *testing.T) {
	plink, err := exec.LookPath("plink1.9")
	if err != nil {
		t.Skip("plink1.9 not installed")
	}
	const fixture = "../testdata/haploid_chrX.vcf"
	dir := t.TempDir()
	out, err := exec.Command(plink, "--vcf", fixture, "--double-id", "--allow-no-sex", "--r2", "--ld-window", "100",
		"--ld-window-kb", "1000", "--ld-window-r2", "0", "--threads", "1", "--out", filepath.Join(dir, "p")).CombinedOutput()
	if err != nil {
		t.Fatalf("plink1.9: %v\n%s", err, out)
	}
	f, err := os.Open(filepath.Join(dir, "p.ld"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	want := map[string]float64{}
	sc := bufio.NewScanner(f)
	sc.Scan()
	for sc.Scan() {
		fl := strings.Fields(sc.Text())
		r, err := strconv.ParseFloat(fl[6], 64)
		if err != nil {
			t.Fatal(err)
		}
		want[fl[2]+" "+fl[5]] = r
	}
	g, _, err := vcf.ReadFile(fixture, vcf.ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	got := 0
	err = Pairs(g, WindowOptions{WindowSNPs: 100, WindowKB: 1000}, func(p Pair) error {
		key := g.Sites[p.I].ID + " " + g.Sites[p.J].ID
		w, ok := want[key]
		if !ok {
			t.Errorf("pair %s not reported by plink", key)
			return nil
		}
		if math.Abs(w-p.R2) > 1e-5 {
			t.Errorf("pair %s: r² %g, plink %g", key, p.R2, w)
		}
		got++
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if got != len(want) || got < 60 {
		t.Fatalf("%d pairs, plink %d", got, len(want))
	}
}
