package main

import (
	"fmt"
	"io"
	"log/slog"
	"strings"

	"github.com/gousynth/gousynth/app"
	"github.com/gousynth/gousynth/chrom"
	"github.com/gousynth/gousynth/internal/limits"
	"github.com/gousynth/gousynth/internal/pathcheck"
	"github.com/gousynth/gousynth/model"
	"github.com/gousynth/gousynth/report"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

func newFitCmd() *cobra.Command { return newFitStageCmd(false) }

// fitFlags are the flags of fit and plan.
type fitFlags struct {
	data    dataFlags
	mflags  modelFlags
	outf    outputFlags
	outDir  string
	process string
	win     windowFlags
	// outFormat is the synthetic cohort's format (--out-format).
	outFormat string
	test      string
	split     bool
	// Genome mode: several inputs (arguments or --inputs-file) and
	// one synthetic file per chromosome.
	inputsFile  string
	splitChroms bool
}

// newFitStageCmd is fit, or with plan its first stage (newPlanCmd), which
// takes the same flags.
func newFitStageCmd(plan bool) *cobra.Command {
	var f fitFlags
	cmd := &cobra.Command{
		Use:   "fit IN.vcf.gz [IN2.vcf.gz ...]",
		Short: "Filter, split, train a model and write a synthetic cohort with its report",
		Long: `fit is the main job. It reads a VCF, keeps biallelic SNPs that pass the
filters, holds out --test-fraction of the individuals as a real test set, fits
a diffusion model (GOU by default) on the rest, generates a synthetic cohort
(as many individuals as the input unless -n) and evaluates it against the
held-out individuals. --test-fraction 0 trains on every individual (the
report then has no floor and no membership inference, and says so);
--test TEST.vcf.gz trains on every individual and evaluates against that
external cohort instead, on the sites both files hold (matched on
CHROM/POS/REF/ALT; how many each lacked is in run.log and metrics.json).
--write-split also writes the training and test sample lists (REAL IDs)
for rerunning "gousynth report" on the same split. It writes, all
together or not at all:

  OUTDIR/model.gsy              the fitted model (no real genotypes or IDs)
  OUTDIR/synthetic.vcf.gz(.tbi/.csi) the synthetic cohort (samples SYN000001, ...;
                                synthetic.bed/.bim/.fam with --out-format plink)
  OUTDIR/report.html            fidelity and privacy report (self-contained)
  OUTDIR/metrics.json           every metric with its floor
  OUTDIR/run.log                the command line, version and seed; what was read,
                                filtered, fitted and measured
  OUTDIR/{train,test}.samples.real-ids.txt  with --write-split: the split (REAL IDs)

Beyond --max-snps SNPs (default 2000), fit works on the whole input with
windowed models (--windows auto, the default): the sites are cut into windows
of about --window-snps SNPs at points of weak LD, one model is fitted per
window (--threads windows at a time), and the synthetic chromosome is
assembled window by window. Each synthetic individual keeps one ancestry
along the chromosome: a latent of whole-chromosome PCs is drawn for it first,
and every window's model (fitted on the residuals of the window's regression
on the training PCs) adds that ancestry back to its draws. model.gsy then holds every window's model; report.html shows the
chromosome-scale metrics and the standard sections on one representative
window. With --windows off, the first --max-snps consecutive SNPs are fitted
instead, and the run says so; pick another stretch with --region.

Genome mode: several inputs (chr1.vcf.gz chr2.vcf.gz ..., or --inputs-file
LIST with one path per line) of the same individuals (in any order) are
read with the same filters and fitted as one windowed fit, so that each
synthetic individual has one ancestry latent on every chromosome; the
training/test split holds the same individuals on every chromosome.
Genome mode always fits windowed models. The synthetic cohort is one
synthetic.vcf.gz over every chromosome, or with --split-chromosomes one
synthetic.CONTIG.vcf.gz (+ .tbi) per chromosome (docs/genome.md).`,
		Example: `  gousynth fit testdata/1kg_chr1_11.7M.vcf.gz -o out
  gousynth fit chr22.vcf.gz --region 22:17000000-18000000 --panel samples.panel -o chr22_out
  gousynth fit in.vcf.gz --process vp --steps 2000 -n 5000 --seed 7 -o vp_out
  gousynth fit chr22.vcf.gz --threads 2 -o chr22_windows     # whole chromosome, windowed
  gousynth fit chr22.vcf.gz --windows off --region 22:17000000-18000000 -o chr22_1mb
  gousynth fit train.vcf.gz --test test.vcf.gz -o ext_out  # external test cohort
  gousynth fit in.vcf.gz --write-split -o out                # + out/{train,test}.samples.real-ids.txt
  gousynth fit chr1.vcf.gz chr2.vcf.gz chr3.vcf.gz -o genome  # genome mode: one ancestry per person
  gousynth fit --inputs-file chroms.txt --split-chromosomes -o genome  # one synthetic VCF per chromosome`,
		Args: cobra.ArbitraryArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			fo, err := f.options(cmd, args)
			if err != nil {
				return err
			}
			return runFit(cmd, fo, plan)
		},
	}
	f.register(cmd.Flags())
	return cmd
}

// runFit runs app.Fit (or with plan app.Plan) and prints the summary.
func runFit(cmd *cobra.Command, fo app.FitOptions, plan bool) error {
	prog := newProgress("")
	defer prog.finish()
	fo.Progress = prog.fn()
	if plan {
		return runPlan(cmd, prog, fo)
	}
	res, err := app.Fit(prog.context(cmd.Context()), fo)
	prog.finish()
	if err != nil {
		return err
	}
	if !global.quiet {
		printSummary(cmd.OutOrStdout(), res)
	}
	return nil
}

func (f *fitFlags) register(fs *pflag.FlagSet) {
	fs.StringVarP(&f.outDir, "out", "o", "gousynth_out", "output `DIR`")
	fs.StringVar(&f.process, "process", "gou", "forward process: gou, vp, cld or cld-eps")
	fs.StringVar(&f.outFormat, "out-format", app.FormatVCF, "synthetic cohort format: vcf (synthetic.vcf.gz + .tbi) or plink (synthetic.bed, .bim, .fam)")
	fs.StringVar(&f.test, "test", "", "evaluate against this external test cohort (`VCF`) instead of held-out individuals: every input individual is trained on, sites are matched on CHROM/POS/REF/ALT (fitted and evaluated on those both hold; mismatches are counted in run.log and metrics.json)")
	fs.BoolVar(&f.split, "write-split", false, "also write the training and test sample lists, "+app.TrainSplitFile+" and "+app.TestSplitFile+" (REAL sample IDs, one per line, as bcftools -S and --samples-file read them)")
	fs.StringVar(&f.inputsFile, "inputs-file", "", "genome mode: also read the inputs listed in `LIST` (one path per line; blank lines and # comments skipped), e.g. one VCF per chromosome")
	fs.BoolVar(&f.splitChroms, "split-chromosomes", false, "genome mode: write one synthetic.CONTIG.vcf.gz (+ index; synthetic.CONTIG.bed with --out-format plink) per chromosome instead of one synthetic.vcf.gz")
	f.outf.register(fs)
	f.data.register(fs)
	// fit, unlike compare, goes windowed beyond one model's budget.
	fs.Lookup("max-snps").Usage = "SNP budget of one model (`N`): beyond it fit switches to windowed models over every SNP (--windows auto), or fits the first N consecutive SNPs with --windows off (-1 = no limit, one model); by default 2000, or with --windows auto the number of training individuals when fewer, which also caps --window-snps (docs/privacy.md)"
	f.mflags.register(fs)
	f.win.register(fs)
}

// options are the fit the flags and the inputs (args, --inputs-file)
// describe, validated (app.FitOptions.Validate) and with outputs that are
// no input, without Progress.
func (f *fitFlags) options(cmd *cobra.Command, args []string) (app.FitOptions, error) {
	if err := f.outf.validate(); err != nil {
		return app.FitOptions{}, err
	}
	inputs, err := fitInputs(cmd.Name(), args, f.inputsFile)
	if err != nil {
		return app.FitOptions{}, err
	}
	dopts, err := f.dataOptions(cmd, inputs)
	if err != nil {
		return app.FitOptions{}, err
	}
	cfg, err := f.mflags.config(strings.ToLower(f.process))
	if err != nil {
		return app.FitOptions{}, err
	}
	wopts, err := f.win.options(cmd.Flags(), cfg)
	if err != nil {
		return app.FitOptions{}, err
	}
	dopts.Windows = f.win.mode
	wopts.Workers = dopts.Read.Threads
	fo := app.FitOptions{
		Data:        dopts,
		OutDir:      f.outDir,
		NSynth:      f.outf.nSynth,
		Model:       cfg,
		Report:      report.Options{LDWindowSNPs: f.outf.ldWindowSNPs},
		CommandLine: commandLine(),
		Logger:      slog.Default(),
		Windows:     windowSizes(cmd.Flags(), dopts.MaxSNPs, wopts),

		FixedWindowSNPs: cmd.Flags().Changed("window-snps"),
		OutFormat:       f.outFormat,
		WriteSplit:      f.split,

		SplitChromosomes: f.splitChroms,
	}
	if err := fo.Validate(); err != nil {
		return fo, err
	}
	if err := checkOutDir(cmd, f.outDir); err != nil {
		return fo, err
	}
	return fo, f.checkFiles(cmd, inputs)
}

// dataOptions are the data options of the flags for inputs: several of
// them, or --split-chromosomes, are genome mode; --test replaces the
// held-out individuals.
func (f *fitFlags) dataOptions(cmd *cobra.Command, inputs []string) (app.DataOptions, error) {
	genome := len(inputs) > 1 || f.splitChroms
	if genome {
		if err := checkGenomeFlags(cmd, inputs, &f.data, f.test, f.outDir); err != nil {
			return app.DataOptions{}, err
		}
	}
	dopts, err := f.data.options(cmd.Flags(), inputs[0])
	if err != nil {
		return dopts, err
	}
	if genome {
		dopts.Inputs = inputs
	}
	if f.test != "" {
		// The external cohort replaces the held-out individuals.
		if cmd.Flags().Changed("test-fraction") && dopts.TestFraction > 0 {
			return dopts, usagef("fit: --test %s replaces the held-out individuals; --test-fraction %g cannot go with it (leave it out, or give 0)", f.test, dopts.TestFraction)
		}
		dopts.TestFraction = 0
		dopts.TestInput = f.test
	}
	return dopts, nil
}

// windowSizes keeps a window within one model's budget (maxSNPs, when
// below --window-snps and the window size was not given).
func windowSizes(fs *pflag.FlagSet, maxSNPs int, wopts chrom.Options) chrom.Options {
	if !fs.Changed("window-snps") && maxSNPs > 0 && maxSNPs < wopts.WindowSNPs {
		// A window is one model: it keeps within one model's budget.
		wopts.WindowSNPs = max(10, maxSNPs)
		if !fs.Changed("window-overlap") && wopts.Conditioning != chrom.CondRegress {
			wopts.OverlapSNPs = min(chrom.DefaultOverlapSNPs, wopts.WindowSNPs/2)
		}
	}
	return wopts
}

// checkFiles refuses outputs of the fit that are its inputs or one
// another, before any work.
func (f *fitFlags) checkFiles(cmd *cobra.Command, inputs []string) error {
	var files pathcheck.Set
	f.data.files(&files, inputs[0])
	for _, in := range inputs[1:] {
		files.VCFInput("input VCF", in)
	}
	files.Input("--inputs-file", f.inputsFile)
	files.VCFInput("--test VCF", f.test)
	names := app.FitOutputNamesFor(f.outFormat)
	if f.split {
		names = append(names, app.SplitFileNames()...)
	}
	dirOutputs(&files, f.outDir, names)
	return checkFiles(cmd, &files)
}

// windowFlags are fit's windowed-mode flags.
type windowFlags struct {
	mode         string
	snps         int
	overlap      int
	conditioning string
	residual     string
	oversample   float64
}

func (f *windowFlags) register(fs *pflag.FlagSet) {
	fs.StringVar(&f.mode, "windows", app.WindowsAuto, "beyond --max-snps SNPs: auto (windowed models over every SNP) or off (fit the first --max-snps)")
	fs.IntVar(&f.snps, "window-snps", chrom.DefaultWindowSNPs, "windowed mode: target SNPs written by each window (cut at the weakest LD within ±25%; at most --max-snps unless given)")
	fs.IntVar(&f.overlap, "window-overlap", 0, fmt.Sprintf("windowed mode: SNPs each window shares with the previous one (0: %d for chain, which conditions on it, and for the conditionings that match candidates on it; none for regress, which does not use it)", chrom.DefaultOverlapSNPs))
	fs.StringVar(&f.conditioning, "window-conditioning", chrom.CondChain.String(), "windowed mode: chain (the chromosome as one discrete autoregression: each genotype drawn from logistic regressions on the person's ancestry PCs and on up to 16 of the 96 preceding genotypes, across window boundaries), regress (window models fitted on the residuals of the dosages' regression on the global PCs, each person's ancestry added back), regress-match (regress, then select candidates as match does), match (select candidates on ancestry latent + overlap), ancestry (latent only) or none (independent windows)")
	fs.StringVar(&f.residual, "window-residual", chrom.ResidLatent.String(), "windowed mode with regress conditioning: latent (each window's model learns the latent Gaussian of each genotype given ancestry, which keeps LD), haplotype (the latent Gaussians of a person's two haplotypes; phased input; see docs/results-windowed-ld.md) or dosage (the dosage residuals; weaker LD)")
	fs.Float64Var(&f.oversample, "oversample", chrom.DefaultOversample, "windowed mode with candidate selection (match, ancestry, regress-match): candidates drawn per synthetic individual in each window (≥ 1)")
}

// options validates the flags and returns the windowed options; the window
// models use chrom.WindowModelConfig except where model flags were given.
func (f *windowFlags) options(fs *pflag.FlagSet, cfg model.Config) (chrom.Options, error) {
	switch f.mode {
	case app.WindowsAuto, app.WindowsOff:
	default:
		return chrom.Options{}, usagef("--windows must be auto or off, got %q", f.mode)
	}
	cond, err := chrom.ParseConditioning(f.conditioning)
	if err != nil {
		return chrom.Options{}, usagef("--window-conditioning: %v", err)
	}
	resid, err := chrom.ParseResidualKind(f.residual)
	if err != nil {
		return chrom.Options{}, usagef("--window-residual: %v", err)
	}
	if err := checkCount("--window-snps", f.snps, 10, limits.MaxSNPs); err != nil {
		return chrom.Options{}, err
	}
	if f.overlap < 0 || f.overlap > f.snps/2 {
		return chrom.Options{}, usagef("--window-overlap must be in [0, --window-snps/2], got %d", f.overlap)
	}
	if !(f.oversample >= 1 && f.oversample <= limits.MaxSmall) {
		return chrom.Options{}, usagef("--oversample must be in [1, %d], got %g", limits.MaxSmall, f.oversample)
	}
	wcfg := chrom.WindowModelConfig(cfg)
	if fs.Changed("steps") {
		wcfg.Steps = cfg.Steps
	}
	if fs.Changed("hidden") {
		wcfg.Hidden = cfg.Hidden
	}
	if fs.Changed("net-dims") {
		wcfg.NetDims = cfg.NetDims
	}
	if fs.Changed("sampler-steps") {
		wcfg.SamplerSteps = cfg.SamplerSteps
	}
	return chrom.Options{WindowSNPs: f.snps, OverlapSNPs: f.overlap, Conditioning: cond, Residual: resid, Oversample: f.oversample, Model: wcfg}, nil
}

// printSummary prints the verdicts and where the outputs are.
func printSummary(w io.Writer, res *app.FitResult) {
	m := res.Metrics
	against := fmt.Sprintf("evaluated against %d held-out", m.NumTest)
	switch {
	case res.Data.TestInput != "":
		against = fmt.Sprintf("evaluated against %d of the external test cohort", m.NumTest)
	case m.NumTest == 0:
		against = "no held-out individuals to evaluate against (compared with the training individuals, no floor)"
	}
	if wr := res.Windowed; wr != nil {
		cm := wr.Metrics
		why := "more than --max-snps"
		if in := res.Data.Inputs; in != nil {
			why = fmt.Sprintf("genome mode: %d inputs, one ancestry per synthetic individual", len(in))
		}
		fmt.Fprintf(w, "windowed fit: %d windows over %d SNPs (%s), %d training individuals; %d synthetic individuals %s\n",
			len(wr.Windows), res.Data.Train.NumSites(), why, res.Data.Train.NumSamples(), m.NumSynth, against)
		if cm != nil {
			fmt.Fprintf(w, "  %-20s inside windows %.4f (floor %.4f), straddling boundaries %.4f (floor %.4f)\n", "LD r² MAE", cm.LD.Inside, cm.LD.FloorInside, cm.LD.Straddle, cm.LD.FloorStraddle)
			fmt.Fprintf(w, "  %-20s %.4f (floor %.4f) over pairs ≤ 200 SNPs apart; LD-decay L2 %.4f (floor %.4f)\n", "LD (judge's)", cm.LD.JudgeMAE, cm.LD.FloorJudgeMAE, cm.LD.JudgeDecayL2, cm.LD.FloorJudgeDecayL2)
		} else {
			cm = &chrom.Metrics{}
		}
		if g := cm.Genome; g != nil && len(g.SynthMean) > 0 {
			fmt.Fprintf(w, "  %-20s PC1 share correlation between chromosomes %.3f (real %.3f)\n", "genome ancestry", g.SynthMean[0], g.TestMean[0])
		}
		for k := range cm.PCW2 {
			if k < 3 {
				fmt.Fprintf(w, "  %-20s PC%d W2 %.3f (floor %.3f)\n", "ancestry", k+1, cm.PCW2[k], cm.PCW2Floor[k])
			}
		}
		fmt.Fprintf(w, "  verdicts below are for window %d (SNPs %d-%d), the report's representative window\n", wr.Representative.Index, wr.Representative.CoreStart+1, wr.Representative.End)
		for _, v := range m.Verdicts {
			fmt.Fprintf(w, "  %-20s %-12s %s\n", v.Area, v.Verdict, v.Reason)
		}
		for _, f := range res.Files {
			fmt.Fprintf(w, "  wrote %s\n", f)
		}
		return
	}
	fmt.Fprintf(w, "fitted %s on %d individuals × %d SNPs; %d synthetic individuals %s\n",
		res.Model.Config.Process, res.Data.Train.NumSamples(), res.Data.Train.NumSites(), m.NumSynth, against)
	for _, v := range m.Verdicts {
		fmt.Fprintf(w, "  %-20s %-12s %s\n", v.Area, v.Verdict, v.Reason)
	}
	for _, f := range res.Files {
		fmt.Fprintf(w, "  wrote %s\n", f)
	}
}

// exactArgs is cobra.ExactArgs with a usage error that says what is missing.
func exactArgs(n int, msg string) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) != n {
			return usagef("%s (got %d arguments); see '%s --help'", msg, len(args), cmd.CommandPath())
		}
		return nil
	}
}

// commandLine is the command as the user typed it, for provenance.
func commandLine() string {
	return strings.Join(append([]string{"gousynth"}, invocation...), " ")
}
