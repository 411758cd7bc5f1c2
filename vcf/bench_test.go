package vcf

import (
	"bytes"
	stdflate "compress/flate"
	"encoding/binary"
	"hash/crc32"
	"io"
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

// BenchmarkInflate compares klauspost/compress/flate (used) with the
// standard library on the BGZF blocks of the benchmark file.
func BenchmarkInflate(b *testing.B) {
	raw, err := os.ReadFile(benchFile(b))
	if err != nil {
		b.Fatal(err)
	}
	var blocks [][]byte
	total := 0
	for len(raw) > 0 && len(blocks) < 400 {
		n := bgzfBlockSize(raw)
		blocks = append(blocks, raw[:n])
		total += int(binary.LittleEndian.Uint32(raw[n-4:]))
		raw = raw[n:]
	}
	dst := make([]byte, 0, bgzfMaxBlock)
	b.Run("klauspost", func(b *testing.B) {
		b.SetBytes(int64(total))
		var z inflater
		for b.Loop() {
			for _, blk := range blocks {
				if _, err := z.inflateBlock(dst[:0], blk); err != nil {
					b.Fatal(err)
				}
			}
		}
	})
	b.Run("stdlib", func(b *testing.B) {
		b.SetBytes(int64(total))
		var src bytes.Reader
		fr := stdflate.NewReader(&src)
		for b.Loop() {
			for _, blk := range blocks {
				src.Reset(blk[bgzfHeaderLen : len(blk)-bgzfFooterLen])
				fr.(stdflate.Resetter).Reset(&src, nil)
				n := int(binary.LittleEndian.Uint32(blk[len(blk)-4:]))
				if _, err := io.ReadFull(fr, dst[:n]); err != nil {
					b.Fatal(err)
				}
				crc32.ChecksumIEEE(dst[:n])
			}
		}
	})
}

// BenchmarkParseLine measures one 2504-sample record through the fast path
// and through the general path (GT not alone in FORMAT, missing calls).
func BenchmarkParseLine(b *testing.B) {
	const n = 2504
	samples := make([]string, n)
	fast := []byte("1\t100\trs1\tA\tG\t100\tPASS\tAC=1;AN=2\tGT")
	general := []byte("1\t100\trs1\tA\tG\t100\tPASS\tAC=1;AN=2\tGT:DP")
	for i := range samples {
		samples[i] = "S" + itoa(i)
		fast = append(fast, '\t', '0'+byte(i%2), '|', '0'+byte(i/2%2))
		if i%50 == 0 {
			general = append(general, "\t./.:0"...)
		} else {
			general = append(general, '\t', '0'+byte(i%2), '/', '0'+byte(i/2%2), ':', '9')
		}
	}
	for _, c := range []struct {
		name string
		line []byte
	}{{"fast", fast}, {"general", general}} {
		b.Run(c.name, func(b *testing.B) {
			p := newParser(samples, nil, false, false, nil)
			pc := &piece{}
			b.SetBytes(int64(len(c.line)))
			for b.Loop() {
				*pc = piece{sites: pc.sites[:0], dosage: pc.dosage[:0], haps: pc.haps[:0], phased: pc.phased[:0]}
				if err := p.parseLine(c.line, pc); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkNext streams the bundled region site by site through
// Reader.Next, the per-record API (the Record it returns must not allocate).
func BenchmarkNext(b *testing.B) {
	path := benchFile(b)
	fi, _ := os.Stat(path)
	b.SetBytes(fi.Size())
	b.ReportAllocs()
	for b.Loop() {
		r, err := Open(path, ReadOptions{})
		if err != nil {
			b.Fatal(err)
		}
		for {
			_, err := r.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
		}
		r.Close()
	}
}
