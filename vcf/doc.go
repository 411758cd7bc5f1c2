// Package vcf streams genotype data in and out of Variant Call Format files.
//
// It is the only package of gousynth that touches VCF text.
//
// # Reading
//
// ReadFile reads a plain, gzip or BGZF-compressed VCF into a Genotypes value:
// the sites, the sample IDs, one int8 ALT-allele dosage per genotype (Missing
// for a missing call; a haploid call is coded 0 or 2, as plink codes it, and
// Genotypes.Ploidy records it as haploid) and, when every call is phased, the
// two haplotypes.
// The input is recognised by its content, not its name: "-" is standard
// input (read once; a region is then filtered while streaming, as there is
// no index), and a PLINK 1 binary fileset is read when the path is a .bed
// (magic bytes 0x6c 0x1b 0x01) or the prefix X of X.bed, with X.bim and
// X.fam beside it: each .bim line becomes a record (REF = A2, ALT = A1,
// see package plink), so regions, samples and filters work as for a VCF,
// and errors name the .bim line. A BCF file, or a .bim or .fam given
// instead of the .bed, is an ErrNotVCF error that says what to do.
// Open does the same one site at a time: Reader.Next returns a Record (the
// site, its dosages, its haplotypes when phased, the ploidy of haploid
// calls) without allocating per record. NewReader streams VCF text from
// any io.Reader (plain, gzip or BGZF, as bgzf.NewReader and
// fastq.NewScanner do for theirs); Open is NewReader on a file plus what
// only a path allows: a .tbi/.csi index for a region, a PLINK fileset's
// .bim and .fam, and "-" for standard input (OpenContext,
// NewReaderContext and ReadFileContext stop when their context is
// cancelled, checking it after every block of the header and every batch
// of records). Biallelic SNPs are kept;
// multi-allelic records, indels, symbolic and ALT-less records are skipped
// and counted by reason in ReadStats (ReadOptions.SplitMultiallelic splits
// multi-allelic records into biallelic SNP sites as bcftools norm -m- does).
// ReadOptions selects a region (through a .tbi or .csi index when there is
// one), samples and a maximum number of sites.
//
// One goroutine reads the file and cuts it into batches of BGZF blocks (or
// of text); worker goroutines inflate and parse the batches in parallel; the
// caller's goroutine puts the results back in file order, joins the records
// cut by batch boundaries and numbers lines, so errors name the file and
// line ("x.vcf.gz:123: wrong number of sample columns: got 2503, header has
// 2504"). GT fields are decoded from raw bytes, eight bytes at a time in the
// common "a|b" layout; every other FORMAT field and INFO are skipped unread.
//
// Input errors are *Error values wrapping a sentinel (ErrNotVCF, ErrEmpty,
// ErrHeader, ErrMalformed, ErrUnsorted, ErrTruncated, ErrUnknownSample,
// ErrSampleList, ErrRegion, ErrIndex, ErrIndexMismatch) for errors.Is.
// Records must be sorted as tabix
// requires: POS never decreases within a contig and each contig's records
// are contiguous; the reader checks this on every record (ErrUnsorted, with
// the line of the first record out of order).
//
// # Why not vcfgo
//
// The design names github.com/brentp/vcfgo. Even in its lazy mode it
// allocates per record and per sample field, and reading GT into a dosage
// matrix is the measured hot path (bench/ingest.sh: this reader takes 0.39×
// plink2's time on 2504 samples; vcfgo-style per-sample parsing is several
// times slower than plink2). So this package parses the tab-separated text
// and GT bytes itself (the BGZF codec is in this package too; bgzf.go says
// why); the module does not depend on vcfgo.
//
// # Writing
//
// NewWriter writes BGZF-compressed VCF 4.2 (compressing blocks in
// parallel) with recomputed INFO AC/AN/AF to any io.Writer. Create and
// WriteGenotypes (WriteGenotypesContext to stop on cancellation) write the
// same bytes to a file, with a tabix .tbi index
// (a CSI index, .csi, when a position is beyond 2^29, which a .tbi cannot
// hold),
// always through internal/atomicfile: the VCF and its index appear only once
// they have been completely written. CreateOutput and WriteGenotypes write
// a PLINK 1 fileset instead when the path ends in .bed (CreatePLINK).
package vcf
