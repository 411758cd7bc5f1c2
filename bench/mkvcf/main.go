// Command mkvcf writes a deterministic, 1000 Genomes-shaped, phased,
// BGZF-compressed VCF for ingest benchmarks: 2504 samples in the five 1000G
// super-populations, 1000G-like INFO (AC, AF, AN, NS, DP, the five
// super-population AFs, AA, VT=SNP), a rare-variant-heavy allele-frequency
// spectrum and haplotypes copied as mosaics of a few hundred ancestral
// haplotypes, which gives LD and text that compresses like real data.
//
//	go run ./bench/mkvcf -snps 20000 -o bench/work/1kg_like.vcf.gz
package main

import (
	"bufio"
	"flag"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"strconv"

	"github.com/biogo/hts/bgzf"
)

func main() {
	out := flag.String("o", "bench/work/1kg_like_20k.vcf.gz", "output BGZF VCF")
	nSNP := flag.Int("snps", 20000, "number of SNPs")
	seed := flag.Uint64("seed", 1, "random seed")
	flag.Parse()
	if err := write(*out, *nSNP, *seed); err != nil {
		fmt.Fprintln(os.Stderr, "mkvcf:", err)
		os.Exit(1)
	}
}

// The 1000 Genomes phase 3 super-population sizes (EAS, AMR, AFR, EUR, SAS).
var pops = []struct {
	name string
	n    int
}{{"EAS", 504}, {"AMR", 347}, {"AFR", 661}, {"EUR", 503}, {"SAS", 489}}

const nFounders = 200

// write writes to path the VCF of nSNP sites of the cohort drawn from
// seed.
func write(path string, nSNP int, seed uint64) error {
	c := newCohort(seed)
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer f.Close()
	bz, err := bgzf.NewWriterLevel(f, 6, 2)
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(bz, 1<<20)
	writeHeader(w, len(c.popOf))
	pos := 16050000
	line := make([]byte, 0, 4*len(c.popOf)+512)
	for v := range nSNP {
		pos += 1 + c.rng.IntN(60)
		c.recombine()
		c.drawAlleles(c.alleleFreq())
		line = c.appendRecord(line[:0], v, pos)
		if _, err := w.Write(line); err != nil {
			return err
		}
	}
	if err := w.Flush(); err != nil {
		return err
	}
	if err := bz.Close(); err != nil {
		return err
	}
	return f.Close()
}

// cohort is the simulated cohort: its samples' populations and, at the
// current site, the ancestral haplotype each haplotype copies and the
// alleles. Every random draw comes from rng, in site order.
type cohort struct {
	rng     *rand.Rand
	popOf   []int  // each sample's index in pops
	src     []int  // the ancestral haplotype each haplotype copies
	founder []byte // the ancestral haplotypes' alleles at the site
	hap     []byte // the haplotypes' alleles at the site (2 per sample)
}

// newCohort returns the cohort of pops, each haplotype with its first
// ancestor drawn from seed.
func newCohort(seed uint64) *cohort {
	c := &cohort{rng: rand.New(rand.NewPCG(seed, 0x1000))}
	nSamples := 0
	for _, p := range pops {
		nSamples += p.n
	}
	nHap := 2 * nSamples
	c.popOf = make([]int, nSamples)
	for i, k := 0, 0; k < len(pops); k++ {
		for range pops[k].n {
			c.popOf[i] = k
			i++
		}
	}
	c.src = make([]int, nHap)
	for h := range c.src {
		c.src[h] = c.pick(h)
	}
	c.founder = make([]byte, nFounders)
	c.hap = make([]byte, nHap)
	return c
}

// pick draws the ancestral haplotype that haplotype h copies. Each
// haplotype copies one ancestral haplotype at a time, switching with a
// small probability per site; ancestors are drawn per population from
// overlapping pools, so allele frequencies differ between populations.
func (c *cohort) pick(h int) int {
	k := c.popOf[h/2]
	return (k*nFounders/len(pops) + c.rng.IntN(nFounders/2)) % nFounders
}

// recombine switches ancestors at a site.
func (c *cohort) recombine() {
	for h := range c.src {
		if c.rng.Float64() < 0.002 {
			c.src[h] = c.pick(h)
		}
	}
}

// alleleFreq draws the ALT frequency of a site from a neutral-like
// spectrum: density ∝ 1/p on [1/nHap, 0.5], then ALT is the minor allele
// 80% of the time.
func (c *cohort) alleleFreq() float64 {
	p := math.Exp(math.Log(1.0/float64(len(c.hap))) * c.rng.Float64())
	if p > 0.5 {
		p = 0.5
	}
	if c.rng.IntN(5) == 0 {
		p = 1 - p
	}
	return p
}

// drawAlleles draws the haplotypes' alleles at a site of ALT frequency p:
// copied from the ancestors' (with noise), or, for a variant too rare (or
// too common) for the ancestors to carry, given to a few haplotypes.
func (c *cohort) drawAlleles(p float64) {
	nHap := len(c.hap)
	if p*nFounders >= 1 && p*nFounders <= nFounders-1 {
		for k := range c.founder {
			c.founder[k] = 0
			if c.rng.Float64() < p {
				c.founder[k] = 1
			}
		}
		for h := range c.hap {
			c.hap[h] = c.founder[c.src[h]]
			if c.rng.Float64() < 0.001 {
				c.hap[h] ^= 1 // recurrent mutation / genotyping noise
			}
		}
		return
	}
	// Rare (or nearly fixed) variants: carried by a few haplotypes.
	base := byte(0)
	if p > 0.5 {
		base, p = 1, 1-p
	}
	for h := range c.hap {
		c.hap[h] = base
	}
	for range max(1, int(p*float64(nHap)+c.rng.Float64())) {
		c.hap[c.rng.IntN(nHap)] = 1 - base
	}
}

// appendRecord appends the VCF line of site v at pos, with the current
// alleles, to line: random alleles, ID and depth, 1000G-like INFO.
func (c *cohort) appendRecord(line []byte, v, pos int) []byte {
	nSamples, nHap := len(c.popOf), len(c.hap)
	ac := 0
	var popAC [5]int
	for h, a := range c.hap {
		ac += int(a)
		popAC[c.popOf[h/2]] += int(a)
	}
	const bases = "ACGT"
	ref := bases[c.rng.IntN(4)]
	alt := bases[(indexOf(bases, ref)+1+c.rng.IntN(3))%4]
	line = append(line, "22\t"...)
	line = strconv.AppendInt(line, int64(pos), 10)
	line = append(line, "\trs"...)
	line = strconv.AppendInt(line, int64(100000000+v*7+c.rng.IntN(7)), 10)
	line = append(line, '\t', ref, '\t', alt)
	line = append(line, "\t100\tPASS\tAC="...)
	line = strconv.AppendInt(line, int64(ac), 10)
	line = append(line, ";AF="...)
	line = strconv.AppendFloat(line, float64(ac)/float64(nHap), 'g', 6, 64)
	line = fmt.Appendf(line, ";AN=%d;NS=%d;DP=%d", nHap, nSamples, 15000+c.rng.IntN(15000))
	for k, pp := range pops {
		line = append(line, ';')
		line = append(line, pp.name...)
		line = append(line, "_AF="...)
		line = strconv.AppendFloat(line, math.Round(float64(popAC[k])/float64(2*pp.n)*1e4)/1e4, 'g', 4, 64)
	}
	line = append(line, ";AA="...)
	line = append(line, ref)
	line = append(line, "|||;VT=SNP\tGT"...)
	for s := range nSamples {
		line = append(line, '\t', '0'+c.hap[2*s], '|', '0'+c.hap[2*s+1])
	}
	return append(line, '\n')
}

// writeHeader writes the meta lines and the column header of nSamples
// samples.
func writeHeader(w *bufio.Writer, nSamples int) {
	fmt.Fprintln(w, "##fileformat=VCFv4.1")
	fmt.Fprintln(w, `##FILTER=<ID=PASS,Description="All filters passed">`)
	fmt.Fprintln(w, "##fileDate=20150218")
	fmt.Fprintln(w, "##source=gousynth-bench-mkvcf")
	fmt.Fprintln(w, "##contig=<ID=22,assembly=b37,length=51304566>")
	for _, l := range []string{
		`##INFO=<ID=AC,Number=A,Type=Integer,Description="Total number of alternate alleles in called genotypes">`,
		`##INFO=<ID=AF,Number=A,Type=Float,Description="Estimated allele frequency in the range (0,1)">`,
		`##INFO=<ID=AN,Number=1,Type=Integer,Description="Total number of alleles in called genotypes">`,
		`##INFO=<ID=NS,Number=1,Type=Integer,Description="Number of samples with data">`,
		`##INFO=<ID=DP,Number=1,Type=Integer,Description="Total read depth">`,
		`##INFO=<ID=EAS_AF,Number=A,Type=Float,Description="Allele frequency in the EAS populations">`,
		`##INFO=<ID=AMR_AF,Number=A,Type=Float,Description="Allele frequency in the AMR populations">`,
		`##INFO=<ID=AFR_AF,Number=A,Type=Float,Description="Allele frequency in the AFR populations">`,
		`##INFO=<ID=EUR_AF,Number=A,Type=Float,Description="Allele frequency in the EUR populations">`,
		`##INFO=<ID=SAS_AF,Number=A,Type=Float,Description="Allele frequency in the SAS populations">`,
		`##INFO=<ID=AA,Number=1,Type=String,Description="Ancestral Allele">`,
		`##INFO=<ID=VT,Number=.,Type=String,Description="Variant type">`,
		`##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">`,
	} {
		fmt.Fprintln(w, l)
	}
	w.WriteString("#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT")
	for i := range nSamples {
		fmt.Fprintf(w, "\tSYN%05d", i+1)
	}
	w.WriteByte('\n')
}

func indexOf(s string, c byte) int {
	for i := range len(s) {
		if s[i] == c {
			return i
		}
	}
	return 0
}
