package ld

import (
	"context"
	"fmt"
	"io"
	"testing"

	"github.com/gousynth/gousynth/vcf"
)

// BenchmarkPairs measures the r² kernel alone: 2504 individuals, 1000-SNP
// window, like plink 1.9 --r2 --ld-window 1000 on 1000 Genomes data.
func BenchmarkPairs(b *testing.B) {
	g := simulate(2504, 3000, 0, 1)
	opts := WindowOptions{WindowSNPs: 1000, WindowKB: 1e9}
	b.ResetTimer()
	var n int
	for b.Loop() {
		n = 0
		if err := Pairs(g, opts, func(Pair) error { n++; return nil }); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds()/1e6, "Mpairs/s")
}

// BenchmarkWriteTSV adds text formatting to BenchmarkPairs.
func BenchmarkWriteTSV(b *testing.B) {
	g := simulate(2504, 3000, 0, 1)
	opts := WindowOptions{WindowSNPs: 1000, WindowKB: 1e9}
	b.ResetTimer()
	var n int64
	for b.Loop() {
		var err error
		n, err = WriteTSV(context.Background(), io.Discard, g, opts)
		if err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds()/1e6, "Mpairs/s")
}

// BenchmarkWriteTSVBenchFile runs the CLI's workload, compute and text
// formatting only, on bench/work/1kg_like_20k.vcf.gz (made by bench/ld.sh)
// when it exists: 20,000 SNPs × 2504 samples, 1000-SNP window.
func BenchmarkWriteTSVBenchFile(b *testing.B) {
	g, _, err := vcf.ReadFile("../bench/work/1kg_like_20k.vcf.gz", vcf.ReadOptions{})
	if err != nil {
		b.Skip("benchmark file not available: ", err)
	}
	opts := WindowOptions{WindowSNPs: 1000, WindowKB: 1000}
	b.ResetTimer()
	var n int64
	for b.Loop() {
		n, err = WriteTSV(context.Background(), io.Discard, g, opts)
		if err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds()/1e6, "Mpairs/s")
}

// BenchmarkPairsBenchFile compares the r² kernel with and without the
// carrier-list path, at several carrier limits, on the benchmark file
// (rare-variant-heavy, like 1000G).
func BenchmarkPairsBenchFile(b *testing.B) {
	g, _, err := vcf.ReadFile("../bench/work/1kg_like_20k.vcf.gz", vcf.ReadOptions{MaxVariants: 4000})
	if err != nil {
		b.Skip("benchmark file not available: ", err)
	}
	opts := WindowOptions{WindowSNPs: 1000, WindowKB: 1000}
	defer func(f int) { sparseFactor = f }(sparseFactor)
	for _, f := range []int{0, 2, 4, 8, 0, 2, 4, 8} {
		b.Run(fmt.Sprintf("limit=%dwords", f), func(b *testing.B) {
			sparseFactor = f
			var n int
			for b.Loop() {
				n = 0
				if err := Pairs(g, opts, func(Pair) error { n++; return nil }); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds()/1e6, "Mpairs/s")
		})
	}
}

// BenchmarkPairsBenchFileAll is bench/ld.sh's compute-only figure: r² of
// all 19.5 M pairs of the benchmark file (1000-SNP, 1000-kb window),
// including bit-plane packing, without VCF reading or output.
func BenchmarkPairsBenchFileAll(b *testing.B) {
	g, _, err := vcf.ReadFile("../bench/work/1kg_like_20k.vcf.gz", vcf.ReadOptions{})
	if err != nil {
		b.Skip("benchmark file not available: ", err)
	}
	opts := WindowOptions{WindowSNPs: 1000, WindowKB: 1000}
	var n int
	for b.Loop() {
		n = 0
		if err := Pairs(g, opts, func(Pair) error { n++; return nil }); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(n), "pairs")
}
