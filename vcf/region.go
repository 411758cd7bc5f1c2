package vcf

import "fmt"

// Region is a genomic interval: positions Start to End (1-based, inclusive)
// of contig Chrom.
type Region struct {
	Chrom      string
	Start, End int
}

// ParseRegion parses "chr", "chr:pos", "chr:start-" or "chr:start-end"
// (1-based, inclusive; commas in numbers allowed), the syntax of
// ReadOptions.Region.
func ParseRegion(s string) (Region, error) {
	r, ok := parseRegion(s)
	if !ok {
		return Region{}, fmt.Errorf("cannot parse region %q (want chr, chr:pos or chr:start-end)", s)
	}
	return Region{Chrom: r.chrom, Start: r.start, End: r.end}, nil
}

// Contains reports whether the site overlaps the region, as the records
// ReadOptions.Region selects do.
func (r Region) Contains(s Site) bool {
	return s.Chrom == r.Chrom && s.Pos <= r.End && s.Pos+max(len(s.Ref), 1)-1 >= r.Start
}
