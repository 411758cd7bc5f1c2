package vcf

import (
	"bufio"
	"os"
	"strings"
)

// ReadSampleFile reads a list of sample IDs as bcftools -S takes it: one ID
// per line, the whole line (so IDs may contain spaces; a trailing "\r" is
// dropped, other white space is part of the ID), blank lines skipped. An ID
// listed twice (bcftools: "Duplicate sample name") and a file without IDs
// are errors wrapping ErrSampleList. Every command reads --samples-file and
// --exclude-samples-file with this function.
func ReadSampleFile(path string) ([]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var ids []string
	seen := map[string]int{}
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 16<<20)
	for line := 1; sc.Scan(); line++ {
		id := strings.TrimSuffix(sc.Text(), "\r")
		if id == "" {
			continue
		}
		if prev, dup := seen[id]; dup {
			return nil, newError(path, line, ErrSampleList, "sample %q is listed twice (first on line %d)", id, prev)
		}
		seen[id] = line
		ids = append(ids, id)
	}
	if err := sc.Err(); err != nil {
		return nil, newError(path, 0, ErrSampleList, "%v", err)
	}
	if len(ids) == 0 {
		return nil, newError(path, 0, ErrSampleList, "no sample IDs in the file")
	}
	return ids, nil
}

// checkSampleList reports the first ID listed twice in ids (what names the
// list in the message: "included", "excluded"), as bcftools refuses
// "-s A,A".
func checkSampleList(path string, ids []string, what string) error {
	seen := make(map[string]bool, len(ids))
	for _, id := range ids {
		if seen[id] {
			return newError(path, 0, ErrSampleList, "%s sample %q is listed twice (list each sample once)", what, id)
		}
		seen[id] = true
	}
	return nil
}

// unknownHint explains why IDs with white space are not found.
func unknownHint(unknown []string) string {
	for _, id := range unknown {
		if strings.ContainsAny(id, " \t") {
			return " (a samples file holds one whole ID per line, as for bcftools -S; IDs with spaces or tabs must match the header exactly)"
		}
	}
	return ""
}
