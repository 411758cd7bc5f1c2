package main

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	gsmodel "github.com/gousynth/gousynth/model"
)

// This file backs the table of docs/errors.md: every class of
// bad input a user can give, what the command prints and its exit code.
// Each row of docs/errors.md names the subtest of TestErrorTable (or another
// test) that checks it; keep the two in step.

// errorFixtures are the bad input files of TestErrorTable, written once.
type errorFixtures struct {
	dir   string
	files map[string]string // name -> path
}

// goodVCF is a small valid VCF: 4 phased samples, 60 sorted SNPs on
// contig 1 (lines 1-4 are the header, records start at line 5).
func goodVCF() string {
	var b strings.Builder
	b.WriteString("##fileformat=VCFv4.2\n##contig=<ID=1,length=1000000>\n")
	b.WriteString("##FORMAT=<ID=GT,Number=1,Type=String,Description=\"Genotype\">\n")
	b.WriteString("#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tS1\tS2\tS3\tS4\n")
	gts := []string{"0|0", "0|1", "1|0", "1|1"}
	for i := range 60 {
		fmt.Fprintf(&b, "1\t%d\t.\tA\tG\t.\t.\t.\tGT", 1000+10*i)
		for s := range 4 {
			fmt.Fprintf(&b, "\t%s", gts[(i+s)%4])
		}
		b.WriteString("\n")
	}
	return b.String()
}

// editRecord applies f to the fields of data line n (1-based, after the header).
func editRecord(text string, n int, f func([]string) []string) string {
	lines := strings.Split(text, "\n")
	k := 3 + n
	lines[k] = strings.Join(f(strings.Split(lines[k], "\t")), "\t")
	return strings.Join(lines, "\n")
}

func gzipText(s string) []byte {
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	zw.Write([]byte(s))
	zw.Close()
	return b.Bytes()
}

func newErrorFixtures(t *testing.T) *errorFixtures {
	t.Helper()
	dir := t.TempDir()
	fx := &errorFixtures{dir: dir, files: map[string]string{}}
	good := goodVCF()
	// A larger text for truncation: gzip must be cut inside the records.
	var big strings.Builder
	big.WriteString(good)
	for i := 60; i < 3000; i++ {
		fmt.Fprintf(&big, "1\t%d\t.\tC\tT\t.\t.\t.\tGT\t0|1\t1|1\t0|0\t1|0\n", 1000+10*i)
	}
	bigGz := gzipText(big.String())
	real, err := os.ReadFile(realVCF)
	if err != nil {
		t.Fatal(err)
	}
	noSamples := strings.NewReplacer("\tFORMAT\tS1\tS2\tS3\tS4\n", "\n", "\tGT\t0|0\t0|1\t1|0\t1|1", "",
		"\tGT\t0|1\t1|0\t1|1\t0|0", "", "\tGT\t1|0\t1|1\t0|0\t0|1", "", "\tGT\t1|1\t0|0\t0|1\t1|0", "").Replace(good)
	zeroSamples := strings.Replace(noSamples, "\tINFO\n", "\tINFO\tFORMAT\n", 1)
	zeroSamples = strings.ReplaceAll(zeroSamples, "\t.\t.\t.\n", "\t.\t.\t.\tGT\n")
	multi := editRecord(good, 2, func(f []string) []string { f[4] = "G,T"; f[9] = "1|2"; return f })
	missing := editRecord(good, 3, func(f []string) []string { f[9], f[10] = "./.", "."; return f })
	for name, data := range map[string][]byte{
		"good.vcf":          []byte(good),
		"empty.vcf":         nil,
		"notvcf.vcf":        []byte("chr1\t100\tA\tG\n"),
		"bcf.vcf":           []byte("BCF\x02\x02\x10\x00\x00\x00##fileformat=VCFv4.2\n"),
		"nochrom.vcf":       []byte(strings.Replace(good, strings.Split(good, "\n")[3]+"\n", "", 1)),
		"truncated.vcf.gz":  bigGz[:len(bigGz)/2],
		"truncated.bgz.vcf": real[:100000],
		"badpos.vcf":        []byte(editRecord(good, 2, func(f []string) []string { f[1] = "12x"; return f })),
		"columns.vcf":       []byte(editRecord(good, 3, func(f []string) []string { return f[:len(f)-1] })),
		"badgt.vcf":         []byte(editRecord(good, 4, func(f []string) []string { f[10] = "0|x"; return f })),
		"allele.vcf":        []byte(editRecord(good, 5, func(f []string) []string { f[11] = "0|2"; return f })),
		"dupids.vcf":        []byte(strings.Replace(good, "\tS3\t", "\tS1\t", 1)),
		"unsorted.vcf":      []byte(editRecord(good, 7, func(f []string) []string { f[1] = "1005"; return f })),
		"splitcontig.vcf": []byte(editRecord(editRecord(good, 7, func(f []string) []string { f[0] = "2"; return f }),
			8, func(f []string) []string { return f })),
		"crlf.vcf":        []byte(strings.ReplaceAll(good, "\n", "\r\n")),
		"nosamples.vcf":   []byte(noSamples),
		"zerosamples.vcf": []byte(zeroSamples),
		"multi.vcf":       []byte(multi),
		"missing.vcf":     []byte(missing),
		"samples.txt":     []byte("S1\nNOBODY\n"),
		"pos0.vcf":        []byte(editRecord(good, 2, func(f []string) []string { f[1] = "0"; return f })),
		"pos2e31.vcf":     []byte(editRecord(good, 60, func(f []string) []string { f[1] = "2147483648"; return f })),
		"onesnp.vcf":      []byte(strings.Join(strings.SplitAfter(good, "\n")[:5], "")),
		"idx.vcf":         []byte(good),
		"idx.vcf.tbi":     []byte("an index to keep"),
	} {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		fx.files[name] = path
	}
	return fx
}

// tempDirs are removed when the tests end.
var tempDirs []string

func TestMain(m *testing.M) {
	code := m.Run()
	for _, d := range tempDirs {
		os.RemoveAll(d)
	}
	os.Exit(code)
}

// smallModel is a model file fitted once per test binary by the CLI on a
// small part of the bundled region (a few seconds).
var smallModel = func() func(t *testing.T) string {
	var path string
	var failed string
	return func(t *testing.T) string {
		t.Helper()
		if path == "" && failed == "" {
			dir, err := os.MkdirTemp("", "gousynth-model-")
			if err != nil {
				t.Fatal(err)
			}
			tempDirs = append(tempDirs, dir)
			out := filepath.Join(dir, "fit")
			code, msg := runCLI(t, "fit", realVCF, "-o", out, "--region", "1:11700000-11740000",
				"--steps", "20", "--sampler-steps", "10", "-n", "50", "--quiet")
			if code != 0 {
				failed = fmt.Sprintf("fit exited %d:\n%s", code, msg)
			} else {
				path = filepath.Join(out, "model.gsy")
			}
		}
		if failed != "" {
			t.Fatal(failed)
		}
		return path
	}
}()

// modelVariants writes a truncated, a corrupted and a newer-version copy of
// the model at good.
func modelVariants(t *testing.T, dir, good string) (truncated, corrupted, newer string) {
	t.Helper()
	b, err := os.ReadFile(good)
	if err != nil {
		t.Fatal(err)
	}
	truncated = filepath.Join(dir, "truncated.gsy")
	os.WriteFile(truncated, b[:len(b)*2/3], 0o644)
	c := bytes.Clone(b)
	c[len(c)*3/4] ^= 0x10
	corrupted = filepath.Join(dir, "corrupted.gsy")
	os.WriteFile(corrupted, c, 0o644)
	n := bytes.Clone(b)
	binary.LittleEndian.PutUint32(n[8:], gsmodel.FormatVersion+1)
	newer = filepath.Join(dir, "newer.gsy")
	os.WriteFile(newer, n, 0o644)
	return
}

// TestErrorTable runs each row of docs/errors.md:
// the exit code, words of the message (the file and line where there is
// one) and, for every failure, that no output file was left behind.
func TestErrorTable(t *testing.T) {
	fx := newErrorFixtures(t)
	f := fx.files
	type row struct {
		name string
		args []string // OUT is replaced by a fresh output directory's path
		code int
		want []string
	}
	rows := []row{
		// Malformed VCF input.
		{"empty file", []string{"stats", f["empty.vcf"]}, 1, []string{f["empty.vcf"] + ": empty file"}},
		{"not a VCF", []string{"stats", f["notvcf.vcf"]}, 1, []string{f["notvcf.vcf"] + ":1: not a VCF file"}},
		{"BCF given as VCF", []string{"fit", f["bcf.vcf"], "-o", "OUT/fit"}, 1, []string{f["bcf.vcf"] + ":1:", "BCF"}},
		{"missing #CHROM header", []string{"stats", f["nochrom.vcf"]}, 1, []string{f["nochrom.vcf"] + ":4:", "missing #CHROM header line"}},
		{"truncated gzip", []string{"stats", f["truncated.vcf.gz"]}, 1, []string{f["truncated.vcf.gz"] + ":", "truncated gzip stream"}},
		{"truncated BGZF", []string{"fit", f["truncated.bgz.vcf"], "-o", "OUT/fit"}, 1, []string{f["truncated.bgz.vcf"] + ":", "truncated BGZF block"}},
		{"non-numeric POS", []string{"stats", f["badpos.vcf"]}, 1, []string{f["badpos.vcf"] + ":6: non-numeric POS \"12x\""}},
		{"wrong number of sample columns", []string{"fit", f["columns.vcf"], "-o", "OUT/fit"}, 1, []string{f["columns.vcf"] + ":7: wrong number of sample columns: got 3, header has 4"}},
		{"malformed GT", []string{"stats", f["badgt.vcf"]}, 1, []string{f["badgt.vcf"] + ":8: sample S2: malformed GT \"0|x\""}},
		{"allele index beyond ALT", []string{"stats", f["allele.vcf"]}, 1, []string{f["allele.vcf"] + ":9: sample S3: GT \"0|2\": allele index 2 beyond the ALT list"}},
		{"duplicate sample IDs", []string{"fit", f["dupids.vcf"], "-o", "OUT/fit"}, 1, []string{f["dupids.vcf"] + `:4: duplicate sample ID "S1" (columns 10 and 12)`}},
		{"unsorted records", []string{"stats", f["unsorted.vcf"]}, 1, []string{f["unsorted.vcf"] + ":11: records are not sorted: POS 1005 comes after POS 1050"}},
		{"contig split", []string{"fit", f["splitcontig.vcf"], "-o", "OUT/fit"}, 1, []string{f["splitcontig.vcf"] + ":12: records are not sorted: contig 1 appears again after contig 2"}},
		{"header without samples", []string{"fit", f["nosamples.vcf"], "-o", "OUT/fit"}, 1, []string{f["nosamples.vcf"] + ": the file has no samples"}},
		{"header without samples (stats)", []string{"stats", f["nosamples.vcf"]}, 0, []string{"samples\t0\n", "sites kept\t60\n"}},
		{"header without samples (ld)", []string{"ld", f["nosamples.vcf"], "-o", "OUT/ld.tsv"}, 1, []string{f["nosamples.vcf"] + ": the file has no samples: LD needs genotypes"}},
		{"0-sample file", []string{"fit", f["zerosamples.vcf"], "-o", "OUT/fit"}, 1, []string{f["zerosamples.vcf"] + ": the file has no samples"}},
		{"empty region", []string{"fit", realVCF, "--region", "1:1-1000", "-o", "OUT/fit"}, 1, []string{realVCF + ": no variants in region 1:1-1000"}},
		{"empty region (ld)", []string{"ld", realVCF, "--region", "5:1-1000", "-o", "OUT/ld.tsv"}, 1, []string{"region 5:1-1000 has no biallelic SNPs"}},
		{"empty region (stats)", []string{"stats", realVCF, "--region", "5:1-1000"}, 0, []string{"sites kept\t0\n"}},
		{"empty region (stats, warning)", []string{"stats", realVCF, "--region", "chr1:1-1000", "--log-level", "warn"}, 0, []string{"the region holds no records", "region=chr1:1-1000", "\"contigs in the header\"=1,2,3"}},
		{"multi-allelic site", []string{"stats", f["multi.vcf"]}, 0, []string{"sites kept\t59\n", "skipped multiallelic\t1\n"}},
		{"multi-allelic site split", []string{"stats", f["multi.vcf"], "--split-multiallelic"}, 0, []string{"sites kept\t61\n"}},
		{"missing genotypes", []string{"stats", f["missing.vcf"]}, 0, []string{fmt.Sprintf("missing rate\t%.6f\n", 2.0/240)}},
		{"missing input file", []string{"stats", filepath.Join(fx.dir, "nothere.vcf.gz")}, 1, []string{"nothere.vcf.gz", "no such file"}},
		{"unknown sample", []string{"stats", f["good.vcf"], "--samples-file", f["samples.txt"]}, 1, []string{f["good.vcf"] + ": included sample(s) not in the file: NOBODY"}},
		{"too few individuals for the split", []string{"fit", f["good.vcf"], "-o", "OUT/fit"}, 1, []string{"4 individuals are too few to split into training and test sets"}},

		// Nonsense flags: usage errors.
		{"negative -n (fit)", []string{"fit", f["good.vcf"], "-n", "-5", "-o", "OUT/fit"}, 2, []string{"-n must not be negative, got -5"}},
		{"negative -n (generate)", []string{"generate", "MODEL", "-n", "-1", "-o", "OUT/g.vcf.gz"}, 2, []string{"-n must be at least 1, got -1"}},
		{"-n 0 with --population (generate)", []string{"generate", "MODEL", "-n", "0", "--population", "EUR:5", "-o", "OUT/g.vcf.gz"}, 2, []string{"-n must be at least 1, got 0"}},
		{"negative --individuals", []string{"simulate", "--individuals", "-3", "-o", "OUT/s.vcf.gz"}, 2, []string{"--individuals must be at least 1, got -3"}},
		{"zero --snps", []string{"simulate", "--snps", "0", "-o", "OUT/s.vcf.gz"}, 2, []string{"--snps must be at least 1, got 0"}},
		{"negative --steps", []string{"fit", f["good.vcf"], "--steps", "-1", "-o", "OUT/fit"}, 2, []string{"--steps must not be negative"}},
		{"negative --max-variants", []string{"stats", f["good.vcf"], "--max-variants", "-1"}, 2, []string{"--max-variants must not be negative"}},
		{"unknown process", []string{"fit", f["good.vcf"], "--process", "ddpm", "-o", "OUT/fit"}, 2, []string{"unknown process"}},
		{"MAF above 0.5", []string{"fit", f["good.vcf"], "--maf", "0.7", "-o", "OUT/fit"}, 2, []string{"--maf must be in [0, 0.5], got 0.7"}},
		{"negative MAF", []string{"ld", f["good.vcf"], "--maf", "-0.1", "-o", "OUT/ld.tsv"}, 2, []string{"--maf must be in [0, 0.5], got -0.1"}},
		{"MAF spectrum above 0.5", []string{"simulate", "--maf-max", "0.7", "-o", "OUT/s.vcf.gz"}, 2, []string{"--maf-max ≤ 0.5"}},
		{"test fraction 1", []string{"fit", f["good.vcf"], "--test-fraction", "1", "-o", "OUT/fit"}, 2, []string{"--test-fraction must be in [0, 1), got 1"}},
		{"more populations than individuals", []string{"simulate", "--individuals", "3", "--populations", "5", "-o", "OUT/s.vcf.gz"}, 2, []string{"5 populations need at least 5 individuals, got 3"}},
		{"zero --threads", []string{"stats", f["good.vcf"], "--threads", "0"}, 2, []string{"--threads must be at least 1, got 0"}},
		{"negative --seed", []string{"stats", f["good.vcf"], "--seed", "-1"}, 2, []string{"invalid argument \"-1\" for \"--seed\""}},
		{"unknown --log-level", []string{"stats", f["good.vcf"], "--log-level", "loud"}, 2, []string{"--log-level must be debug, info, warn or error"}},
		{"unparsable --region", []string{"stats", f["good.vcf"], "--region", "1:200-100"}, 2, []string{"cannot parse region \"1:200-100\""}},
		{"unknown flag", []string{"stats", f["good.vcf"], "--frobnicate"}, 2, []string{"unknown flag: --frobnicate"}},
		{"unknown command", []string{"frobnicate"}, 2, []string{"unknown command \"frobnicate\""}},
		{"missing argument", []string{"stats"}, 2, []string{"stats: accepts 1 arg(s), received 0"}},
		{"extra argument", []string{"generate", "a.gsy", "b.gsy", "-o", "OUT/g.vcf.gz"}, 2, []string{"generate: accepts 1 arg(s), received 2"}},
		{"missing -o", []string{"generate", "MODEL"}, 2, []string{"-o/--out is required"}},
		{"wrong output suffix", []string{"generate", "MODEL", "-o", "OUT/g.vcf"}, 2, []string{"must end in .vcf.gz"}},

		// Model files given to generate.
		{"model file missing", []string{"generate", filepath.Join(fx.dir, "none.gsy"), "-o", "OUT/g.vcf.gz"}, 1, []string{"none.gsy", "no such file"}},
		{"VCF given as model", []string{"generate", realVCF, "-o", "OUT/g.vcf.gz"}, 1, []string{realVCF + ": not a gousynth model file"}},
		{"model truncated", []string{"generate", "TRUNCATED", "-o", "OUT/g.vcf.gz"}, 1, []string{"truncated.gsy: corrupt model file: payload is", "(truncated or padded)"}},
		{"model corrupted", []string{"generate", "CORRUPTED", "-o", "OUT/g.vcf.gz"}, 1, []string{"corrupted.gsy: corrupt model file: checksum mismatch"}},
		{"model from a newer version", []string{"generate", "NEWER", "-o", "OUT/g.vcf.gz"}, 1, []string{fmt.Sprintf("newer.gsy: model file written by a newer gousynth: format %d, this build reads up to %d", gsmodel.FormatVersion+1, gsmodel.FormatVersion)}},
		{"model for other sites", []string{"generate", "MODEL", "--region", "2:1-1000000", "-o", "OUT/g.vcf.gz"}, 1, []string{"holds no sites in region 2:1-1000000", "sites, 1:117"}},

		// Bounds of counts, non-finite floats, checks before any work.
		{"--threads above the limit", []string{"stats", f["good.vcf"], "--threads", "1000000"}, 2, []string{"--threads must be at most 1024, got 1000000"}},
		{"absurd -n (generate)", []string{"generate", f["good.vcf"], "-n", "100000000", "-o", "OUT/g.vcf.gz"}, 2, []string{"-n must be at most 10000000 synthetic individuals, got 100000000"}},
		{"absurd -n (fit)", []string{"fit", f["good.vcf"], "-n", "100000000", "-o", "OUT/fit"}, 2, []string{"-n must be at most 10000000 synthetic individuals"}},
		{"absurd --individuals", []string{"simulate", "--individuals", "100000000", "-o", "OUT/s.vcf.gz"}, 2, []string{"--individuals must be at most 10000000, got 100000000"}},
		{"absurd --snps", []string{"simulate", "--snps", "1000000000", "-o", "OUT/s.vcf.gz"}, 2, []string{"--snps must be at most 100000000, got 1000000000"}},
		{"absurd --steps", []string{"fit", f["good.vcf"], "--steps", "1000000000", "-o", "OUT/fit"}, 2, []string{"--steps must be at most 10000000, got 1000000000"}},
		{"absurd --window-snps (ld)", []string{"ld", f["good.vcf"], "--window-snps", "1000000000", "-o", "OUT/ld.tsv"}, 2, []string{"--window-snps must be at most 100000000"}},
		{"absurd --dist-n", []string{"compare", "--dist", "funnel", "--dist-n", "1000000000", "-o", "OUT/cmp"}, 2, []string{"--dist-n must be at most 10000000"}},
		{"absurd network", []string{"fit", f["good.vcf"], "--hidden", "65536", "--layers", "256", "-o", "OUT/fit"}, 2, []string{"network too large: hidden 65536 × hidden × layers 256"}},
		{"--lr Inf", []string{"fit", f["good.vcf"], "--lr", "Inf", "-o", "OUT/fit"}, 2, []string{"--lr must be a finite number, got +Inf"}},
		{"NaN --maf", []string{"fit", f["good.vcf"], "--maf", "NaN", "-o", "OUT/fit"}, 2, []string{"--maf must be a finite number, got NaN"}},
		{"NaN --min-r2 (ld)", []string{"ld", f["good.vcf"], "--min-r2", "nan", "-o", "OUT/ld.tsv"}, 2, []string{"--min-r2 must be a finite number, got NaN"}},
		{"-Inf --fst (simulate)", []string{"simulate", "--fst", "-Inf", "-o", "OUT/s.vcf.gz"}, 2, []string{"--fst must be a finite number, got -Inf"}},
		{"directory as input", []string{"stats", fx.dir}, 1, []string{fx.dir + ": is a directory"}},
		{"directory as model", []string{"generate", fx.dir, "-o", "OUT/g.vcf.gz"}, 1, []string{fx.dir + ": is a directory"}},
		{"POS 0", []string{"stats", f["pos0.vcf"]}, 1, []string{f["pos0.vcf"] + ":6: POS 0 is outside the VCF range 1 to 2^31-1 (2147483647)"}},
		{"POS 2^31", []string{"fit", f["pos2e31.vcf"], "-o", "OUT/fit"}, 1, []string{f["pos2e31.vcf"] + ":64: POS 2147483648 is outside the VCF range"}},
		{"one SNP", []string{"fit", f["onesnp.vcf"], "-o", "OUT/fit"}, 1, []string{f["onesnp.vcf"] + ": 1 SNP passed the filters; a model needs at least 2 SNPs"}},

		// Outputs that would destroy an input or another output.
		{"output is the input's index (ld)", []string{"ld", f["idx.vcf"], "-o", f["idx.vcf.tbi"]}, 2, []string{"ld: -o " + f["idx.vcf.tbi"] + " is the same file as index of input VCF"}},
		{"--truth-out is the output's index", []string{"simulate", "-o", "OUT/s.vcf.gz", "--truth-out", "OUT/s.vcf.gz.tbi"}, 2, []string{"index of output VCF", "s.vcf.gz.tbi and --truth-out", "are the same file"}},
		{"report and JSON both on stdout", []string{"report", "--real", f["good.vcf"], "--synth", f["good.vcf"], "-o", "-", "--json", "-"}, 2, []string{"both go to standard output"}},
		{"fit to standard output", []string{"fit", f["good.vcf"], "-o", "-"}, 2, []string{"fit: -o names an output directory", "not possible"}},
		{"simulate to stdout without --panel-out", []string{"simulate", "-o", "-"}, 2, []string{"-o - (standard output, a FIFO or a device) needs --panel-out FILE"}},

		// Outputs.
		{"output directory missing", []string{"simulate", "--individuals", "10", "--snps", "10", "-o", "OUT/no/such/dir/s.vcf.gz"}, 1, []string{"no such file or directory"}},
	}
	var model, truncated, corrupted, newer string
	for _, r := range rows {
		t.Run(r.name, func(t *testing.T) {
			out := t.TempDir()
			args := make([]string, len(r.args))
			for i, a := range r.args {
				switch a {
				case "MODEL", "TRUNCATED", "CORRUPTED", "NEWER":
					if model == "" {
						model = smallModel(t)
						truncated, corrupted, newer = modelVariants(t, fx.dir, model)
					}
					a = map[string]string{"MODEL": model, "TRUNCATED": truncated, "CORRUPTED": corrupted, "NEWER": newer}[a]
				}
				args[i] = strings.Replace(a, "OUT", out, 1)
			}
			if !slices.Contains(args, "--log-level") {
				args = append(args, "--quiet")
			}
			code, msg := runCLI(t, args...)
			if code != r.code {
				t.Errorf("exit code %d, want %d\n%s", code, r.code, msg)
			}
			for _, w := range r.want {
				if !strings.Contains(msg, w) {
					t.Errorf("output does not say %q:\n%s", w, msg)
				}
			}
			if code != 0 {
				if es, _ := os.ReadDir(out); len(es) != 0 {
					t.Errorf("a failed run left %d files in its output directory (%s...)", len(es), es[0].Name())
				}
			}
		})
	}
}

// TestCRLFGivesTheSameResults: a VCF with CRLF line ends reads exactly as
// the same file with LF ends.
func TestCRLFGivesTheSameResults(t *testing.T) {
	fx := newErrorFixtures(t)
	c1, lf := runCLI(t, "stats", fx.files["good.vcf"])
	c2, crlf := runCLI(t, "stats", fx.files["crlf.vcf"])
	if c1 != 0 || c2 != 0 {
		t.Fatalf("exit codes %d, %d:\n%s\n%s", c1, c2, lf, crlf)
	}
	if strings.ReplaceAll(lf, "good.vcf", "X") != strings.ReplaceAll(crlf, "crlf.vcf", "X") {
		t.Errorf("CRLF file summarised differently:\n%s\n---\n%s", lf, crlf)
	}
	if !strings.Contains(lf, "sites kept\t60\n") || !strings.Contains(lf, "phased\ttrue\n") {
		t.Errorf("unexpected summary:\n%s", lf)
	}
}

// TestGenerateRegion: --region writes the model's sites inside it, exactly.
func TestGenerateRegion(t *testing.T) {
	model := smallModel(t)
	dir := t.TempDir()
	all, part := filepath.Join(dir, "all.vcf.gz"), filepath.Join(dir, "part.vcf.gz")
	if code, msg := runCLI(t, "generate", model, "-n", "20", "-o", all, "--quiet"); code != 0 {
		t.Fatalf("generate exited %d:\n%s", code, msg)
	}
	if code, msg := runCLI(t, "generate", model, "-n", "20", "--region", "1:11710000-11720000", "-o", part, "--quiet"); code != 0 {
		t.Fatalf("generate --region exited %d:\n%s", code, msg)
	}
	count := func(path string) (in, out int) {
		t.Helper()
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		zr, err := gzip.NewReader(bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		var text bytes.Buffer
		text.ReadFrom(zr)
		for _, l := range strings.Split(text.String(), "\n") {
			if l == "" || l[0] == '#' {
				continue
			}
			var pos int
			fmt.Sscanf(strings.Split(l, "\t")[1], "%d", &pos)
			if pos >= 11710000 && pos <= 11720000 {
				in++
			} else {
				out++
			}
		}
		return
	}
	inAll, outAll := count(all)
	inPart, outPart := count(part)
	if inAll == 0 || outAll == 0 {
		t.Fatalf("model sites: %d inside, %d outside the region; the test needs both", inAll, outAll)
	}
	if inPart != inAll || outPart != 0 {
		t.Errorf("--region wrote %d sites inside and %d outside, want %d and 0", inPart, outPart, inAll)
	}
}
