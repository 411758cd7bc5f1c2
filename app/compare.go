package app

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"html/template"
	"io"
	"log/slog"
	"math"
	"strconv"
	"strings"

	"github.com/gousynth/gousynth/internal/atomicfile"
	"github.com/gousynth/gousynth/model"
	"github.com/gousynth/gousynth/report"
)

// Output files of a comparison, inside its output directory. Each process
// also gets report-<process>.html.
const (
	CompareTableFile = "comparison.md"
	CompareHTMLFile  = "comparison.html"
	CompareJSONFile  = "comparison.json"
)

// CompareOptions describe a comparison of forward processes on one split.
type CompareOptions struct {
	Data      DataOptions
	OutDir    string
	Processes []string
	// Configs holds the model configuration of each process. Every process
	// gets the same budget: the caller gives them the same Steps, network
	// size and sampler steps.
	Configs map[string]model.Config
	NSynth  int
	Report  report.Options
	// CommandLine is recorded in the reports.
	CommandLine string
	// Progress, when not nil, returns the progress callback of a process.
	Progress func(process string) func(model.Progress)
	Logger   *slog.Logger
}

// CompareRow is one process's result.
type CompareRow struct {
	Process         string
	Metrics         *report.Metrics
	FitSeconds      float64
	GenerateSeconds float64
	// CPUSeconds is the CPU time (user + system, all threads) of the
	// process's fit, generation and evaluation; NaN where not measured.
	CPUSeconds float64
}

// CompareResult is the outcome of Compare.
type CompareResult struct {
	Data *Data // nil for a comparison on a benchmark distribution
	// Dist describes the data of a comparison on a benchmark distribution
	// (CompareDist); nil for genotype data.
	Dist  *DistInfo
	Rows  []CompareRow
	Files []string
}

// Compare fits every process on the same training set with the same budget
// and seed, generates the same number of synthetic individuals, and
// evaluates each against the same held-out individuals (so every process
// shares one floor). It writes a table, a JSON file and an HTML comparison
// with one full report per process, all together or not at all.
func Compare(ctx context.Context, o CompareOptions) (_ *CompareResult, err error) {
	if err := checkProcesses(o.Processes, o.Configs); err != nil {
		return nil, err
	}
	j, err := startJob(ctx, o.Logger, o.OutDir, o.Data, o.CommandLine)
	if err != nil {
		return nil, err
	}
	defer j.out.Abort()
	defer func() { err = j.out.UserError(err) }()
	res := &CompareResult{Data: j.data}
	for _, proc := range o.Processes {
		var progress func(model.Progress)
		if o.Progress != nil {
			progress = o.Progress(proc)
		}
		cpu0 := processCPUSeconds()
		run, err := j.fitGenerateEvaluate(ctx, o.Configs[proc], o.NSynth, o.Report, progress)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", proc, err)
		}
		cpu := processCPUSeconds() - cpu0
		j.log.Info("compared", "process", proc, "fit_seconds", fmt.Sprintf("%.1f", run.fitSeconds), "generate_seconds", fmt.Sprintf("%.1f", run.generateSeconds),
			"cpu_seconds", fmt.Sprintf("%.1f", cpu))
		prov := provenance(FitOptions{Data: o.Data, CommandLine: o.CommandLine}, j.data, run.model, run.synth.NumSamples())
		if err := writeProcessReport(j.out, "report-"+proc+".html", run.metrics, prov, "gousynth report: "+proc); err != nil {
			return nil, err
		}
		res.Rows = append(res.Rows, CompareRow{Process: proc, Metrics: run.metrics, FitSeconds: run.fitSeconds, GenerateSeconds: run.generateSeconds, CPUSeconds: cpu})
	}
	if err := res.writeFiles(j.out, o.CommandLine); err != nil {
		return nil, err
	}
	res.Files, err = j.finish(ctx)
	return res, err
}

// checkProcesses refuses a comparison of no process, or of a process
// without its configuration.
func checkProcesses(procs []string, configs map[string]model.Config) error {
	if len(procs) == 0 {
		return fmt.Errorf("%w: no process to compare", ErrBadOption)
	}
	for _, proc := range procs {
		if _, ok := configs[proc]; !ok {
			return fmt.Errorf("%w: no configuration for process %q", ErrBadOption, proc)
		}
	}
	return nil
}

// writeFiles writes the comparison table (Markdown), JSON and HTML page
// into out.
func (r *CompareResult) writeFiles(out *atomicfile.Dir, cmdline string) error {
	var table, js, page bytes.Buffer
	r.WriteTable(&table)
	if err := r.writeJSON(&js); err != nil {
		return err
	}
	if err := r.writeHTML(&page, cmdline); err != nil {
		return err
	}
	for _, f := range []struct {
		name string
		b    []byte
	}{{CompareTableFile, table.Bytes()}, {CompareJSONFile, js.Bytes()}, {CompareHTMLFile, page.Bytes()}} {
		if err := atomicfile.WriteFile(out.Path(f.name), f.b); err != nil {
			return err
		}
	}
	return nil
}

func writeProcessReport(out *atomicfile.Dir, name string, met *report.Metrics, prov report.Provenance, title string) error {
	var b bytes.Buffer
	if err := report.WriteHTML(&b, met, report.HTMLOptions{Title: title, Provenance: prov}); err != nil {
		return err
	}
	return atomicfile.WriteFile(out.Path(name), b.Bytes())
}

// tableRow is one metric across processes.
type tableRow struct {
	Section, Name, Better string
	Floor                 float64
	Values, Ratios        []float64
}

// rows lays the metrics out as the paper's tables do: one row per metric,
// one column per process, plus the floor.
func (r *CompareResult) rows() []tableRow {
	if len(r.Rows) == 0 {
		return nil
	}
	first := r.Rows[0].Metrics
	var out []tableRow
	for _, sec := range []struct {
		name string
		ms   []report.Metric
	}{{"paper", first.Paper}, {"genetics", first.Genetics}, {"structure", first.Structure}, {"privacy", first.Privacy}} {
		for _, m := range sec.ms {
			row := tableRow{Section: sec.name, Name: m.Name, Better: m.Better, Floor: m.Floor}
			for _, pr := range r.Rows {
				v, ok := pr.Metrics.Get(m.Name)
				if !ok {
					v = report.Metric{Value: math.NaN(), Ratio: math.NaN()}
				}
				row.Values = append(row.Values, v.Value)
				row.Ratios = append(row.Ratios, v.Ratio)
			}
			out = append(out, row)
		}
	}
	return out
}

func fmtNum(v float64) string {
	switch {
	case math.IsNaN(v):
		return "–"
	case v == 0:
		return "0"
	case math.Abs(v) >= 1000 || math.Abs(v) < 1e-3:
		return strconv.FormatFloat(v, 'e', 2, 64)
	default:
		return strconv.FormatFloat(v, 'g', 4, 64)
	}
}

// WriteTable writes the comparison as a Markdown table: value (ratio to the
// floor) per process, the floor, and the wall time of each process.
func (r *CompareResult) WriteTable(w io.Writer) {
	fmt.Fprintf(w, "| metric | floor |")
	for _, pr := range r.Rows {
		fmt.Fprintf(w, " %s |", pr.Process)
	}
	fmt.Fprintf(w, "\n|---|---|%s\n", strings.Repeat("---|", len(r.Rows)))
	for _, row := range r.rows() {
		fmt.Fprintf(w, "| %s | %s |", row.Name, fmtNum(row.Floor))
		for i := range row.Values {
			if math.IsNaN(row.Ratios[i]) {
				fmt.Fprintf(w, " %s |", fmtNum(row.Values[i]))
			} else {
				fmt.Fprintf(w, " %s (%s×) |", fmtNum(row.Values[i]), strconv.FormatFloat(row.Ratios[i], 'f', 2, 64))
			}
		}
		fmt.Fprintln(w)
	}
	fmt.Fprintf(w, "| fit + generate wall time (s) | |")
	for _, pr := range r.Rows {
		fmt.Fprintf(w, " %.1f + %.1f |", pr.FitSeconds, pr.GenerateSeconds)
	}
	fmt.Fprintf(w, "\n| %s | |", cpuRowName)
	for _, pr := range r.Rows {
		fmt.Fprintf(w, " %s |", fmtCPU(pr.CPUSeconds))
	}
	fmt.Fprintln(w)
}

// cpuRowName labels the CPU-time row of the comparison tables.
const cpuRowName = "CPU time, fit + generate + evaluate (s)"

func fmtCPU(v float64) string {
	if math.IsNaN(v) {
		return "–"
	}
	return strconv.FormatFloat(v, 'f', 1, 64)
}

func (r *CompareResult) writeJSON(w io.Writer) error {
	type proc struct {
		Process         string          `json:"process"`
		FitSeconds      float64         `json:"fit_seconds"`
		GenerateSeconds float64         `json:"generate_seconds"`
		CPUSeconds      *float64        `json:"cpu_seconds"`
		Metrics         *report.Metrics `json:"metrics"`
	}
	var ps []proc
	for _, pr := range r.Rows {
		var cpu *float64
		if !math.IsNaN(pr.CPUSeconds) {
			cpu = &pr.CPUSeconds
		}
		ps = append(ps, proc{pr.Process, pr.FitSeconds, pr.GenerateSeconds, cpu, pr.Metrics})
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(struct {
		Data      *DistInfo `json:"data,omitempty"`
		Processes []proc    `json:"processes"`
	}{r.Dist, ps})
}

var compareTmpl = template.Must(template.New("compare").Parse(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>gousynth comparison</title>
<style>body{font-family:system-ui,sans-serif;margin:2em;color:#222}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:4px 8px;text-align:right}td:first-child,th:first-child{text-align:left}.good{background:#e3f4e1}.fair{background:#fdf3d6}.poor{background:#f9dcdc}caption{text-align:left;font-weight:bold;margin-bottom:.5em}</style></head>
<body><h1>Forward processes compared</h1>
{{if .Dist}}<p>Data: {{.Dist.N}} samples of the {{.Dist.Dim}}-dimensional distribution {{.Dist.Distribution}} (seed {{.Dist.Seed}}), {{.Dist.NumTest}} held out. Every process was fitted on the same {{.NTrain}} training samples with the same budget and seed, and {{.NEval}} of its samples were evaluated against the {{.NTest}} held-out samples. The floor is the same metric for a random subset of real training samples of the same size;{{else}}<p>Every process was fitted on the same {{.NTrain}} training individuals × {{.NSites}} SNPs with the same budget and seed, and {{.NEval}} synthetic individuals were evaluated against the same {{.NTest}} held-out individuals. The floor is the same metric for a random subset of real training individuals of the same size;{{end}} the ratio says how much worse than the floor the process is (1 = as good as real data; green ≤ {{.Good}}×, amber ≤ {{.Fair}}×).</p>
<table><caption>Metrics: value (ratio to the floor)</caption>
<tr><th>metric</th><th>floor</th>{{range .Procs}}<th>{{if $.Dist}}{{.}}{{else}}<a href="report-{{.}}.html">{{.}}</a>{{end}}</th>{{end}}</tr>
{{range .Rows}}<tr><td title="{{.Section}}">{{.Name}}</td><td>{{.Floor}}</td>{{range .Cells}}<td class="{{.Class}}">{{.Text}}</td>{{end}}</tr>
{{end}}<tr><td>fit + generate wall time (s)</td><td></td>{{range .Times}}<td>{{.}}</td>{{end}}</tr>
<tr><td>{{.CPURow}}</td><td></td>{{range .CPU}}<td>{{.}}</td>{{end}}</tr>
</table>
<p><small>{{.Command}}</small></p></body></html>
`))

func (r *CompareResult) writeHTML(w io.Writer, cmdline string) error {
	type cell struct{ Text, Class string }
	type row struct {
		Section, Name, Floor string
		Cells                []cell
	}
	var procs, times, cpu []string
	for _, pr := range r.Rows {
		procs = append(procs, pr.Process)
		times = append(times, fmt.Sprintf("%.1f + %.1f", pr.FitSeconds, pr.GenerateSeconds))
		cpu = append(cpu, fmtCPU(pr.CPUSeconds))
	}
	var rows []row
	for _, tr := range r.rows() {
		rw := row{Section: tr.Section, Name: tr.Name, Floor: fmtNum(tr.Floor)}
		for i, v := range tr.Values {
			c := cell{Text: fmtNum(v)}
			if q := tr.Ratios[i]; !math.IsNaN(q) {
				c.Text += fmt.Sprintf(" (%.2f×)", q)
				switch {
				case q <= report.GoodRatio:
					c.Class = "good"
				case q <= report.FairRatio:
					c.Class = "fair"
				default:
					c.Class = "poor"
				}
			}
			rw.Cells = append(rw.Cells, c)
		}
		rows = append(rows, rw)
	}
	first := r.Rows[0].Metrics
	return compareTmpl.Execute(w, map[string]any{
		"NTrain": first.NumTrain, "NSites": first.NumSites, "NEval": first.EvalSize, "NTest": first.NumTest,
		"Procs": procs, "Rows": rows, "Times": times, "Command": cmdline,
		"Good": report.GoodRatio, "Fair": report.FairRatio, "Dist": r.Dist, "CPU": cpu, "CPURow": cpuRowName,
	})
}

// CompareOutputNames are the files compare writes into its output directory
// for processes procs (dist: compare --dist), for checking before any work
// that none of them is an input.
func CompareOutputNames(procs []string, dist bool) []string {
	names := []string{CompareTableFile, CompareHTMLFile, CompareJSONFile, LogFile}
	if dist {
		names = append(names, DistTestFile)
	}
	for _, p := range procs {
		if dist {
			names = append(names, "samples-"+p+".tsv")
		} else {
			names = append(names, "report-"+p+".html")
		}
	}
	return names
}
