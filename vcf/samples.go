package vcf

import (
	"bufio"
	"os"
	"strings"
)

// ReadSampleFile reads a list of sample IDs, one per line (as bcftools -S
// takes it): the first whitespace-separated word of each line, skipping blank
// lines and lines starting with '#'. Duplicates are an error.
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
		fields := strings.Fields(sc.Text())
		if len(fields) == 0 || strings.HasPrefix(fields[0], "#") {
			continue
		}
		if prev, dup := seen[fields[0]]; dup {
			return nil, newError(path, line, ErrMalformed, "sample %q already listed on line %d", fields[0], prev)
		}
		seen[fields[0]] = line
		ids = append(ids, fields[0])
	}
	if err := sc.Err(); err != nil {
		return nil, newError(path, 0, ErrMalformed, "%v", err)
	}
	return ids, nil
}
