package app

import (
	"bytes"
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gousynth/gousynth/vcf"
)

// statsVCF has 4 diploid samples, 9 records: a multi-allelic one (skipped)
// and 8 SNPs, the last of them unphased. Counted by hand: 2 monomorphic,
// 1 without calls, MAF 1/8, 2/8, 4/8, 1/6 (one call missing) and 1/8.
const statsVCF = `##fileformat=VCFv4.2
##contig=<ID=1,length=100000>
##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">
#CHROM	POS	ID	REF	ALT	QUAL	FILTER	INFO	FORMAT	S1	S2	S3	S4
1	100	.	A	G	.	.	.	GT	0|0	0|0	0|0	0|0
1	200	.	A	G	.	.	.	GT	1|1	1|1	1|1	1|1
1	300	.	A	G	.	.	.	GT	.|.	.|.	.|.	.|.
1	350	.	A	G,T	.	.	.	GT	0|1	0|2	0|0	0|0
1	400	.	A	G	.	.	.	GT	0|1	0|0	0|0	0|0
1	500	.	A	G	.	.	.	GT	0|1	1|0	0|0	0|0
1	600	.	A	G	.	.	.	GT	0|1	1|0	1|1	0|0
1	700	.	A	G	.	.	.	GT	0|1	.|.	0|0	0|0
1	800	.	A	G	.	.	.	GT	0/1	0/0	0/0	0/0
`

func TestStatsCountsEachClass(t *testing.T) {
	path := filepath.Join(t.TempDir(), "s.vcf")
	if err := os.WriteFile(path, []byte(statsVCF), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name        string
		maxVariants int
		want        StatsResult
	}{
		{"all", 0, StatsResult{Samples: 4, Sites: 8, Missing: 5, Monomorphic: 2, AllMissing: 1, MAF: [7]int{0, 0, 0, 3, 1, 0, 1}}},
		// Without the last, unphased site every site is phased.
		{"first 7", 7, StatsResult{Samples: 4, Sites: 7, Missing: 5, Phased: true, Monomorphic: 2, AllMissing: 1, MAF: [7]int{0, 0, 0, 2, 1, 0, 1}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, err := Stats(context.Background(), StatsConfig{Input: path, Read: vcf.ReadOptions{MaxVariants: tc.maxVariants}})
			if err != nil {
				t.Fatal(err)
			}
			if res.Read == nil || res.Read.Skipped["multiallelic"] != 1 || res.Read.Kept != tc.want.Sites {
				t.Errorf("read stats %+v", res.Read)
			}
			got := *res
			got.Read = nil
			if got != tc.want {
				t.Errorf("got  %+v\nwant %+v", got, tc.want)
			}
			if r := res.MissingRate(); r != 5/float64(4*tc.want.Sites) {
				t.Errorf("missing rate %g", r)
			}
		})
	}
}

// TestStatsEmptyRegion: a region without records is no error, but a
// warning that names the contigs of the header.
func TestStatsEmptyRegion(t *testing.T) {
	var log bytes.Buffer
	c := StatsConfig{Input: kgVCF, Read: vcf.ReadOptions{Region: "chr1:1-1000"}, Logger: slog.New(slog.NewTextHandler(&log, nil))}
	res, err := Stats(context.Background(), c)
	if err != nil {
		t.Fatal(err)
	}
	if res.Sites != 0 || res.Phased || res.MissingRate() != 0 {
		t.Errorf("result %+v", res)
	}
	if !strings.Contains(log.String(), `msg="the region holds no records"`) || !strings.Contains(log.String(), `"contigs in the header"=1,`) {
		t.Errorf("log:\n%s", log.String())
	}
}

func TestStatsConfigValidate(t *testing.T) {
	checkValidate(t, StatsConfig{Input: kgVCF}.Validate(), "")
	checkValidate(t, StatsConfig{Input: kgVCF, Read: vcf.ReadOptions{MaxVariants: -1}}.Validate(), "--max-variants must not be negative")
	if _, err := Stats(context.Background(), StatsConfig{Input: kgVCF, Read: vcf.ReadOptions{MaxVariants: -1}}); err == nil {
		t.Error("Stats ran an invalid configuration")
	}
}
