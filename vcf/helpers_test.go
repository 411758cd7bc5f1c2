package vcf

import (
	"strconv"
	"strings"
	"testing"
)

// bcfCall decodes one GT string printed by bcftools query (alleles 0/1 after
// splitting, or of a biallelic record) into dosage and haplotypes.
func bcfCall(t testing.TB, gt string) (d, h0, h1 int8, unphased bool) {
	t.Helper()
	sep := strings.IndexAny(gt, "|/")
	parts := []string{gt}
	if sep >= 0 {
		parts = []string{gt[:sep], gt[sep+1:]}
		unphased = gt[sep] == '/'
	}
	al := [2]int8{Missing, Missing}
	for i, p := range parts {
		if p == "." {
			continue
		}
		v, err := strconv.Atoi(p)
		if err != nil || v > 1 {
			t.Fatalf("unexpected bcftools GT %q", gt)
		}
		al[i] = int8(v)
	}
	h0, h1 = al[0], al[1]
	switch {
	case h0 == Missing || len(parts) == 2 && h1 == Missing:
		d = Missing
	case len(parts) == 1:
		d = 2 * h0 // a haploid call is coded as homozygous
	default:
		d = h0 + h1
	}
	if unphased && h0 == Missing && h1 == Missing {
		unphased = false
	}
	return d, h0, h1, unphased
}

type bcfSite struct {
	key      string // CHROM POS REF ALT
	dosage   []int8
	haps     []int8
	unphased bool
}

// bcftoolsSites runs `bcftools query` (after the given pipeline prefix
// command, if any) and decodes every record.
func bcftoolsSites(t testing.TB, out string) []bcfSite {
	t.Helper()
	var sites []bcfSite
	for _, line := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
		if line == "" {
			continue
		}
		f := strings.Split(strings.TrimSuffix(line, "\t"), "\t")
		s := bcfSite{key: f[0]}
		if !isSNPKey(s.key) {
			sites = append(sites, s)
			continue
		}
		for _, gt := range f[1:] {
			d, h0, h1, u := bcfCall(t, gt)
			s.dosage = append(s.dosage, d)
			s.haps = append(s.haps, h0, h1)
			s.unphased = s.unphased || u
		}
		sites = append(sites, s)
	}
	return sites
}

const queryFormat = "%CHROM %POS %REF %ALT\t[%GT\t]\n"

// isSNPKey reports whether a bcftools site key is a biallelic SNP as the
// reader defines it.
func isSNPKey(key string) bool {
	f := strings.Fields(key)
	return classify([]byte(f[2]), []byte(f[3])) < 0
}
