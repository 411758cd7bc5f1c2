package main

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/gousynth/gousynth/app"
	"github.com/spf13/cobra"
)

// fitInputs returns the inputs of fit (or plan: cmd names it, for the
// messages): the arguments, then the paths listed in the file list
// (--inputs-file: one path per line; blank lines and lines starting with #
// are skipped; relative paths are relative to the working directory, as on
// the command line).
func fitInputs(cmd string, args []string, list string) ([]string, error) {
	inputs := append([]string(nil), args...)
	if list != "" {
		f, err := os.Open(list)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		sc := bufio.NewScanner(f)
		line := 0
		for sc.Scan() {
			line++
			p := strings.TrimSpace(sc.Text())
			if p == "" || strings.HasPrefix(p, "#") {
				continue
			}
			if p == "-" {
				return nil, usagef("%s:%d: standard input (-) cannot be listed as an input", list, line)
			}
			inputs = append(inputs, p)
		}
		if err := sc.Err(); err != nil {
			return nil, fmt.Errorf("%s: %w", list, err)
		}
		if len(inputs) == len(args) {
			return nil, usagef("--inputs-file %s lists no input", list)
		}
	}
	if len(inputs) == 0 {
		return nil, usagef("%s needs one input VCF (or several, one per chromosome, or --inputs-file LIST); see 'gousynth %s --help'", cmd, cmd)
	}
	return inputs, nil
}

// checkGenomeFlags refuses the flags genome mode (several inputs, or
// --split-chromosomes) cannot go with, before any work; the messages name
// the command (fit or plan).
func checkGenomeFlags(cmd *cobra.Command, inputs []string, data *dataFlags, test, outDir string) error {
	fs := cmd.Flags()
	name := cmd.Name()
	switch {
	case test != "":
		return usagef("%s: --test cannot go with several inputs or --split-chromosomes (genome mode) yet; hold out --test-fraction of the individuals instead", name)
	case data.region != "":
		return usagef("%s: --region selects a stretch of one chromosome; genome mode (several inputs or --split-chromosomes) reads whole inputs: cut them first (bcftools view -r)", name)
	case data.mind > 0:
		return usagef("%s: --mind would drop different individuals from each input; in genome mode select the individuals with --samples-file or --exclude-samples-file", name)
	case fs.Changed("windows") && fs.Lookup("windows").Value.String() == app.WindowsOff:
		return usagef("%s: genome mode (several inputs or --split-chromosomes) always fits windowed models; --windows off cannot go with it", name)
	}
	seen := map[string]string{}
	for _, in := range inputs {
		if in == "-" {
			return usagef("%s: standard input (-) cannot be one of several inputs: give files", name)
		}
		abs, err := filepath.Abs(in)
		if err != nil {
			abs = in
		}
		if prev, dup := seen[abs]; dup {
			return usagef("%s: %s is given twice as an input (as %s and %s)", name, abs, prev, in)
		}
		seen[abs] = in
		// The per-chromosome outputs' names depend on the contigs: refuse
		// any input that could be one of them.
		od, err := filepath.Abs(outDir)
		if err == nil && filepath.Dir(abs) == od && strings.HasPrefix(filepath.Base(abs), "synthetic.") {
			return usagef("%s: input %s lies in the output directory with a name the per-chromosome outputs (synthetic.CONTIG.vcf.gz) may take: move it or choose another -o", name, in)
		}
	}
	return nil
}
