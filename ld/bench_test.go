package ld

import (
	"context"
	"io"
	"testing"
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
