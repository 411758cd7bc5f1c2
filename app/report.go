package app

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"os"
	"strconv"
	"time"

	"github.com/gousynth/gousynth/internal/atomicfile"
	"github.com/gousynth/gousynth/internal/limits"
	"github.com/gousynth/gousynth/internal/version"
	"github.com/gousynth/gousynth/preprocess"
	"github.com/gousynth/gousynth/report"
	"github.com/gousynth/gousynth/vcf"
)

// ReportConfig describes a report job: the fidelity and privacy report of
// a synthetic cohort against held-out real individuals, as an HTML page
// and/or the metrics as JSON.
type ReportConfig struct {
	// Real holds the held-out real individuals (required), Synth the
	// synthetic ones (required), Train the training individuals: without
	// it ("") the report has no floor and no privacy metrics. Each is a VCF.
	Real, Synth, Train string
	// RealSamples and TrainSamples keep only these individuals of Real and
	// Train (nil: all).
	RealSamples, TrainSamples []string
	// Region reads only the sites in chr:start-end of every cohort ("" for
	// all); it also selects the sites of the LD heatmaps, unless
	// HeatmapRegion does.
	Region string
	// HeatmapRegion selects the sites of the LD heatmaps among those
	// compared, chr:start-end ("" for all, or Region).
	HeatmapRegion string
	// Panel is a 1000 Genomes panel file (sample pop super_pop ...) whose
	// PanelColumn ("super_pop" or "pop") colours the real individuals of
	// the PCA plot ("" for none). SynthPanel, in the same format, labels
	// the synthetic individuals ("" for none).
	Panel, PanelColumn, SynthPanel string
	// HTML and JSON are the output files, at least one of them ("" for
	// none, "-" for standard output); Title is the HTML page's title.
	HTML, JSON, Title string
	// Metrics are the settings of the metrics: LD windows, projections,
	// PCs, floor size, heatmap sizes, seed. Report sets their Panel,
	// SynthLabels and HeatmapRegion from the fields above.
	Metrics report.Options
	// Threads is the number of threads that read the VCFs.
	Threads int
	// CommandLine is recorded in the report's provenance.
	CommandLine string
	// Logger receives the job's log (what was read, sites missing from a
	// cohort); nil discards it.
	Logger *slog.Logger
}

// Validate reports a setting of c that cannot be run, as an ErrBadOption.
func (c ReportConfig) Validate() error {
	o := c.Metrics
	switch {
	case c.Real == "" || c.Synth == "":
		return usagef("report needs --real and --synth")
	case c.HTML == "" && c.JSON == "":
		return usagef("report needs -o FILE (HTML) and/or --json FILE")
	case c.PanelColumn != "super_pop" && c.PanelColumn != "pop":
		return usagef("--panel-column must be super_pop or pop, got %q", c.PanelColumn)
	case o.LDWindowSNPs < 2:
		return usagef("--ld-window-snps must be at least 2, got %d", o.LDWindowSNPs)
	case !(o.LDWindowKB > 0):
		return usagef("--ld-window-kb must be positive, got %g", o.LDWindowKB)
	case o.Projections < 1 || o.PCs < 1 || o.FloorSize < 0 || o.HeatmapCells < 1 || o.HeatmapMaxSNPs < 2:
		return usagef("--projections, --pcs, --heatmap-cells must be ≥ 1, --heatmap-max-snps ≥ 2, --floor-size ≥ 0")
	}
	err := checkCounts([]countCheck{{"--ld-window-snps", o.LDWindowSNPs, 0, limits.MaxSNPs},
		{"--projections", o.Projections, 0, limits.MaxSmall}, {"--pcs", o.PCs, 0, 1000},
		{"--floor-size", o.FloorSize, 0, limits.MaxIndividuals},
		{"--heatmap-cells", o.HeatmapCells, 0, 10000}, {"--heatmap-max-snps", o.HeatmapMaxSNPs, 0, 10000}})
	if err != nil {
		return err
	}
	_, err = c.heatmapRegion()
	return err
}

// heatmapRegion is the region of the LD heatmaps: HeatmapRegion, else
// Region, else none (the zero Region).
func (c ReportConfig) heatmapRegion() (report.Region, error) {
	var heat report.Region
	for _, r := range []struct{ flag, v string }{{"--region", c.Region}, {"--heatmap-region", c.HeatmapRegion}} {
		if r.v == "" {
			continue
		}
		reg, err := report.ParseRegion(r.v)
		if err != nil {
			return report.Region{}, usagef("%s: %v", r.flag, err)
		}
		if r.flag == "--region" && c.HeatmapRegion != "" {
			continue
		}
		heat = reg
	}
	return heat, nil
}

// ReportResult is what a report job computed and wrote.
type ReportResult struct {
	Metrics *report.Metrics
	// Provenance is the provenance written into the HTML and JSON outputs.
	Provenance report.Provenance
}

// reportCohorts are the cohorts of a report, on the sites they all hold
// (train nil without a training cohort), and how those sites were matched.
type reportCohorts struct {
	test, synth, train *vcf.Genotypes
	isect              *report.Intersection
}

// Report reads the cohorts of c, evaluates the synthetic one and writes
// the outputs c asks for, each through a temporary file renamed only when
// complete.
func Report(ctx context.Context, c ReportConfig) (*ReportResult, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	log := logOrDiscard(c.Logger)
	opts := c.Metrics
	var err error
	if opts.HeatmapRegion, err = c.heatmapRegion(); err != nil {
		return nil, err
	}
	startPhase(ctx, "read")
	start := time.Now()
	cs, err := c.readCohorts(ctx, log)
	if err != nil {
		return nil, err
	}
	if err := c.labels(cs, &opts, log); err != nil {
		return nil, err
	}
	startPhase(ctx, "evaluate")
	m, err := report.Evaluate(cs.test, cs.synth, cs.train, opts)
	if err != nil {
		return nil, err
	}
	if !cs.isect.Matched() {
		m.Notes = append(m.Notes, cs.isect.String())
	}
	log.Info("metrics computed", "seconds", strconv.FormatFloat(time.Since(start).Seconds(), 'f', 1, 64))
	prov := c.provenance(cs)
	if err := c.writeOutputs(m, prov); err != nil {
		return nil, err
	}
	return &ReportResult{Metrics: m, Provenance: prov}, nil
}

// readCohorts reads the three cohorts of c and keeps the sites they all
// hold (matched on CHROM/POS/REF/ALT, in the order of Real), warning of
// those some lacked.
func (c ReportConfig) readCohorts(ctx context.Context, log *slog.Logger) (*reportCohorts, error) {
	read := func(path string, samples []string) (*vcf.Genotypes, error) {
		return readCohort(ctx, log, path, vcf.ReadOptions{Threads: c.Threads, Region: c.Region, IncludeSamples: samples})
	}
	test, err := read(c.Real, c.RealSamples)
	if err != nil {
		return nil, err
	}
	synth, err := read(c.Synth, nil)
	if err != nil {
		return nil, err
	}
	train, err := read(c.Train, c.TrainSamples)
	if err != nil {
		return nil, err
	}
	gs, isect, err := report.IntersectSites([]*vcf.Genotypes{test, synth, train}, []string{"--real " + c.Real, "--synth " + c.Synth, "--train " + c.Train})
	if err != nil {
		return nil, err
	}
	if !isect.Matched() {
		log.Warn("report: cohorts hold different sites: " + isect.String())
	}
	return &reportCohorts{test: gs[0], synth: gs[1], train: gs[2], isect: isect}, nil
}

// labels sets the population labels of the PCA plot in opts: those of the
// real test individuals from Panel, those of the synthetic ones from
// SynthPanel.
func (c ReportConfig) labels(cs *reportCohorts, opts *report.Options, log *slog.Logger) error {
	if c.Panel != "" {
		p, err := preprocess.ReadPanel(c.Panel)
		if err != nil {
			return err
		}
		opts.Panel = map[string]string{}
		for _, id := range cs.test.Samples {
			if e, ok := p.Lookup(id); ok {
				opts.Panel[id] = e.SuperPop
				if c.PanelColumn == "pop" {
					opts.Panel[id] = e.Pop
				}
			}
		}
	}
	if c.SynthPanel != "" {
		var err error
		if opts.SynthLabels, err = synthLabels(c.SynthPanel, c.PanelColumn, cs.synth.Samples, log); err != nil {
			return err
		}
	}
	return nil
}

// synthLabels reads a panel of the synthetic individuals and returns the
// column's label of each of samples ("" for those not in it). A panel that
// labels none of them is an ErrBadOption (the wrong file, most likely).
func synthLabels(path, column string, samples []string, log *slog.Logger) ([]string, error) {
	p, err := preprocess.ReadPanel(path)
	if err != nil {
		return nil, err
	}
	labels := make([]string, len(samples))
	found := 0
	for i, id := range samples {
		if e, ok := p.Lookup(id); ok {
			labels[i] = e.SuperPop
			if column == "pop" {
				labels[i] = e.Pop
			}
			found++
		}
	}
	if found == 0 {
		return nil, usagef("--synth-panel %s labels none of the %d synthetic individuals (first ID %q)", path, len(samples), samples[0])
	}
	if found < len(samples) {
		log.Warn("synthetic individuals without a label", "file", path, "unlabelled", len(samples)-found, "of", len(samples))
	}
	return labels, nil
}

// provenance is the provenance of the report: its inputs, command, seed,
// version and time.
func (c ReportConfig) provenance(cs *reportCohorts) report.Provenance {
	prov := report.Provenance{
		{Key: "real test cohort", Value: describeCohort(c.Real, cs.test)},
		{Key: "synthetic cohort", Value: describeCohort(c.Synth, cs.synth)},
	}
	if cs.train != nil {
		prov = append(prov, report.KeyValue{Key: "training cohort", Value: describeCohort(c.Train, cs.train)})
	}
	if c.Panel != "" {
		prov = append(prov, report.KeyValue{Key: "panel", Value: c.Panel + " (" + c.PanelColumn + ")"})
	}
	if c.SynthPanel != "" {
		prov = append(prov, report.KeyValue{Key: "synthetic panel", Value: c.SynthPanel + " (" + c.PanelColumn + ")"})
	}
	return append(prov,
		report.KeyValue{Key: "command", Value: c.CommandLine},
		report.KeyValue{Key: "seed", Value: strconv.FormatUint(c.Metrics.Seed, 10)},
		report.KeyValue{Key: "gousynth version", Value: version.String()},
		report.KeyValue{Key: "generated", Value: reportTime().Format(time.RFC3339)},
	)
}

func describeCohort(path string, g *vcf.Genotypes) string {
	return fmt.Sprintf("%s: %d individuals × %d SNPs", path, g.NumSamples(), g.NumSites())
}

// reportTime is now, or SOURCE_DATE_EPOCH when set (reproducible reports).
func reportTime() time.Time {
	if s := os.Getenv("SOURCE_DATE_EPOCH"); s != "" {
		if sec, err := strconv.ParseInt(s, 10, 64); err == nil {
			return time.Unix(sec, 0).UTC()
		}
	}
	return time.Now().UTC()
}

// writeOutputs writes the HTML page and the JSON metrics c asks for.
func (c ReportConfig) writeOutputs(m *report.Metrics, prov report.Provenance) error {
	if c.HTML != "" {
		var buf bytes.Buffer
		if err := report.WriteHTML(&buf, m, report.HTMLOptions{Title: c.Title, Provenance: prov}); err != nil {
			return err
		}
		if err := atomicfile.WriteFile(c.HTML, buf.Bytes()); err != nil {
			return err
		}
	}
	if c.JSON != "" {
		var buf bytes.Buffer
		if err := report.WriteJSON(&buf, m, prov); err != nil {
			return err
		}
		if err := atomicfile.WriteFile(c.JSON, buf.Bytes()); err != nil {
			return err
		}
	}
	return nil
}

// readCohort reads the cohort VCF at path with ro (nil for an empty path)
// and logs its size: the one reader of the report and audit jobs.
func readCohort(ctx context.Context, log *slog.Logger, path string, ro vcf.ReadOptions) (*vcf.Genotypes, error) {
	if path == "" {
		return nil, nil
	}
	g, _, err := vcf.ReadFileContext(ctx, path, ro)
	if err != nil {
		return nil, err
	}
	log.Info("read", "file", path, "sites", g.NumSites(), "individuals", g.NumSamples())
	return g, nil
}
