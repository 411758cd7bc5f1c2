package vcf

import (
	"os"
	"testing"
)

// benchFile is the 1000 Genomes-shaped file of bench/ingest.sh (make it with
// go run ./bench/mkvcf); the benchmarks fall back to the bundled region.
func benchFile(b *testing.B) string {
	const big = "../bench/work/1kg_like_20k.vcf.gz"
	if _, err := os.Stat(big); err == nil {
		return big
	}
	return realVCF
}

func BenchmarkReadFile(b *testing.B) {
	path := benchFile(b)
	fi, _ := os.Stat(path)
	b.SetBytes(fi.Size())
	for b.Loop() {
		if _, _, err := ReadFile(path, ReadOptions{}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkFastGT(b *testing.B) {
	const n = 2504
	line := make([]byte, 0, 4*n)
	for i := range n {
		line = append(line, '0'+byte(i%2), '|', '0'+byte(i/2%2), '\t')
	}
	line = line[:len(line)-1]
	dos, haps := make([]int8, n), make([]int8, 2*n)
	b.SetBytes(int64(len(line)))
	for b.Loop() {
		if _, ok := fastGT(line, dos, haps); !ok {
			b.Fatal("fast path rejected")
		}
	}
}

func BenchmarkWriteGenotypes(b *testing.B) {
	g := randomGenotypes(1, 2000, 2504, true)
	path := b.TempDir() + "/out.vcf.gz"
	b.SetBytes(int64(len(g.Dosage)))
	for b.Loop() {
		if err := WriteGenotypes(path, g, Header{}); err != nil {
			b.Fatal(err)
		}
	}
}
