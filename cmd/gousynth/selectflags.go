package main

import (
	"strings"

	"github.com/gousynth/gousynth/internal/pathcheck"
	"github.com/gousynth/gousynth/vcf"
	"github.com/spf13/pflag"
)

// sampleFlags are the sample-selection flags of a command that reads
// genotypes, as stats has them: --samples (comma-separated IDs),
// --samples-file (one whole ID per line, as bcftools -S) and, unless
// includeOnly, --exclude-samples and --exclude-samples-file. A prefix
// ("real-", "train-") names the flags of one of several inputs.
type sampleFlags struct {
	prefix                                     string
	include, exclude, includeFile, excludeFile string
}

func (f *sampleFlags) register(fs *pflag.FlagSet, prefix, what string, includeOnly bool) {
	f.prefix = prefix
	fs.StringVar(&f.include, prefix+"samples", "", "keep only these comma-separated sample `IDs`"+what)
	fs.StringVar(&f.includeFile, prefix+"samples-file", "", "keep only the samples listed in `FILE` (one whole ID per line, as bcftools -S)"+what)
	if !includeOnly {
		fs.StringVar(&f.exclude, prefix+"exclude-samples", "", "drop these comma-separated sample `IDs`"+what)
		fs.StringVar(&f.excludeFile, prefix+"exclude-samples-file", "", "drop the samples listed in `FILE` (one whole ID per line, as bcftools -S)"+what)
	}
}

// files adds the sample files to s.
func (f *sampleFlags) files(s *pathcheck.Set) {
	s.Input("--"+f.prefix+"samples-file", f.includeFile)
	s.Input("--"+f.prefix+"exclude-samples-file", f.excludeFile)
}

// apply sets the sample selection of o: the IDs of the comma-separated
// list and of the file together.
func (f *sampleFlags) apply(o *vcf.ReadOptions) error {
	for _, sel := range []struct {
		list, file string
		ids        *[]string
	}{{f.include, f.includeFile, &o.IncludeSamples}, {f.exclude, f.excludeFile, &o.ExcludeSamples}} {
		if sel.list != "" {
			*sel.ids = append(*sel.ids, strings.Split(sel.list, ",")...)
		}
		ids, err := readIDList(sel.file)
		if err != nil {
			return err
		}
		*sel.ids = append(*sel.ids, ids...)
	}
	return nil
}
