package bench

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/go-parallelism/go-parallelism/lib/span"
)

// Result holds every measured run of an experiment, and where it ran.
type Result struct {
	Name     string        `json:"name"`
	Machine  Machine       `json:"machine"`
	Variants []string      `json:"variants"`
	Sweep    Sweep         `json:"sweep"`
	Baseline string        `json:"baseline"`
	Reps     int           `json:"reps"`
	Warmup   int           `json:"warmup"`
	Started  time.Time     `json:"started"`
	Elapsed  time.Duration `json:"elapsed_ns"` // whole experiment, warm-ups included
	Runs     []Record      `json:"runs"`
	// FreeCores is the lowest FreeCores reading taken around the runs when
	// the experiment asked for them (Experiment.CheckCores): how many cores
	// were free for it. Zero means not checked, -1 unknown.
	FreeCores float64 `json:"free_cores,omitempty"`
}

// Spans returns the task spans of the run of variant at p whose wall time
// is the median one (the lower middle for an even count), for a timeline.
func (r *Result) Spans(variant string, p Param) []span.Span {
	var runs []Record
	for _, run := range r.Runs {
		if run.Variant == variant && run.Param == p && run.Err == "" {
			runs = append(runs, run)
		}
	}
	if len(runs) == 0 {
		return nil
	}
	slices.SortFunc(runs, func(a, b Record) int { return int(a.Wall - b.Wall) })
	return runs[(len(runs)-1)/2].Spans
}

// Header is a one-line description of the experiment and the machine.
func (r *Result) Header() string {
	warm := ""
	if r.Warmup > 0 {
		warm = fmt.Sprintf(" after %d warm-up", r.Warmup)
	}
	return fmt.Sprintf("%s: median of %d runs%s; %s", r.Name, r.Reps, warm, r.Machine)
}

// String formats r as an aligned text table.
func (r *Result) String() string {
	var b strings.Builder
	r.Fprint(&b)
	return b.String()
}

// Fprint writes r to w as an aligned text table, one row per variant and
// parameter.
func (r *Result) Fprint(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(w, r.Header())
	rows := r.rows()
	for _, row := range rows {
		fmt.Fprintln(tw, strings.Join(row, "\t")+"\t")
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if note := r.BusyNote(); note != "" {
		_, err := fmt.Fprintln(w, note)
		return err
	}
	return nil
}

// columns of the table; speedup and efficiency are against the baseline.
var columns = []string{"param", "variant", "median", "min", "max", "spread", "cpu/wall", "goroutines", "alloc", "speedup", "efficiency", "errors"}

func (r *Result) rows() [][]string {
	gains, _ := r.Speedup(r.Baseline)
	gain := map[string]Gain{}
	for _, g := range gains {
		gain[g.Variant+"\x00"+g.Param.String()] = g
	}
	rows := [][]string{columns}
	for _, s := range r.Stats() {
		row := []string{s.Param.String(), s.Variant}
		if s.N == 0 {
			row = append(row, "-", "-", "-", "-", "-", "-", "-", "-", "-")
		} else {
			row = append(row,
				fmtDuration(s.Median), fmtDuration(s.Min), fmtDuration(s.Max),
				fmt.Sprintf("%.0f%%", 100*s.Spread),
				fmt.Sprintf("%.2f", s.Parallelism),
				strconv.Itoa(s.Goroutines),
				Bytes(s.HeapAlloc))
			if g, ok := gain[s.Variant+"\x00"+s.Param.String()]; ok {
				row = append(row, fmt.Sprintf("%.2fx", g.Speedup), g.efficiency())
			} else {
				row = append(row, "-", "-")
			}
		}
		row = append(row, strconv.Itoa(s.Errors))
		rows = append(rows, row)
	}
	return rows
}

// HTML formats r as an HTML table with a caption naming the machine.
func (r *Result) HTML() string {
	var notes []string
	if errs := r.errorSummary(); errs != "" {
		notes = append(notes, errs)
	}
	if note := r.BusyNote(); note != "" {
		notes = append(notes, note)
	}
	return HTMLTable(r.Header(), r.rows(), notes...)
}

// HTMLTable formats rows as an HTML table: rows[0] is the header, columns
// after the second are numbers and align right, and each note becomes a
// full-width row at the end. It escapes everything it is given.
func HTMLTable(caption string, rows [][]string, notes ...string) string {
	var b strings.Builder
	b.WriteString(`<table class="bench-result">` + "\n<caption>" + html.EscapeString(caption) + "</caption>\n")
	width := 0
	for i, row := range rows {
		width = max(width, len(row))
		cell := "td"
		if i == 0 {
			cell = "th"
		}
		b.WriteString("<tr>")
		for j, c := range row {
			align := ` style="padding:0 0.5em"`
			if j >= 2 {
				align = ` style="padding:0 0.5em;text-align:right"`
			}
			fmt.Fprintf(&b, "<%s%s>%s</%s>", cell, align, html.EscapeString(c), cell)
		}
		b.WriteString("</tr>\n")
	}
	for _, n := range notes {
		fmt.Fprintf(&b, "<tr><td colspan=%d>%s</td></tr>\n", width, html.EscapeString(n))
	}
	b.WriteString("</table>\n")
	return b.String()
}

// errorSummary names the first error of each variant, if any.
func (r *Result) errorSummary() string {
	var parts []string
	seen := map[string]bool{}
	for _, run := range r.Runs {
		if run.Err != "" && !seen[run.Variant] {
			seen[run.Variant] = true
			parts = append(parts, fmt.Sprintf("%s: %s", run.Variant, run.Err))
		}
	}
	if len(parts) == 0 {
		return ""
	}
	return "first errors: " + strings.Join(parts, "; ")
}

// WriteJSON writes r as indented JSON.
func (r *Result) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

// ReadJSON reads a Result written by WriteJSON.
func ReadJSON(rd io.Reader) (*Result, error) {
	var r Result
	if err := json.NewDecoder(rd).Decode(&r); err != nil {
		return nil, fmt.Errorf("bench: reading result: %w", err)
	}
	return &r, nil
}

// WriteCSV writes one row per measured run, with the machine in every row
// so that files from several machines can be concatenated.
func (r *Result) WriteCSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	cw.Write([]string{"experiment", "variant", "workers", "tasks", "size", "rep",
		"wall_ns", "cpu_ns", "goroutines", "heap_alloc_bytes", "heap_peak_bytes", "child_max_rss_bytes", "err",
		"num_cpu", "gomaxprocs", "go_version", "goos", "goarch"})
	m := r.Machine
	for _, run := range r.Runs {
		cw.Write([]string{r.Name, run.Variant,
			strconv.Itoa(run.Param.Workers), strconv.Itoa(run.Param.Tasks), strconv.Itoa(run.Param.Size), strconv.Itoa(run.Rep),
			strconv.FormatInt(int64(run.Wall), 10), strconv.FormatInt(int64(run.CPU), 10), strconv.Itoa(run.Goroutines),
			strconv.FormatUint(run.HeapAlloc, 10), strconv.FormatUint(run.HeapPeak, 10), strconv.FormatUint(run.ChildMaxRSS, 10),
			run.Err, strconv.Itoa(m.NumCPU), strconv.Itoa(m.GOMAXPROCS), m.GoVersion, m.GOOS, m.GOARCH})
	}
	cw.Flush()
	return cw.Error()
}

// efficiency formats Efficiency for tables. It means something only when the
// number of workers is known: without it a sequential run would read 50% on
// two cores and an I/O-bound one thousands of percent, so it shows "-".
func (g Gain) efficiency() string {
	if g.Param.Workers <= 0 {
		return "-"
	}
	return fmt.Sprintf("%.0f%%", 100*g.Efficiency)
}

// String formats the gains as an aligned table.
func (gs Gains) String() string {
	var b strings.Builder
	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "param\tvariant\tspeedup\tcpus\tefficiency\t")
	for _, g := range gs {
		fmt.Fprintf(tw, "%s\t%s\t%.2fx\t%d\t%s\t\n", g.Param, g.Variant, g.Speedup, g.CPUs, g.efficiency())
	}
	tw.Flush()
	return b.String()
}

// String formats the fit and its points.
func (a Amdahl) String() string {
	var b strings.Builder
	limit := "unbounded"
	if !math.IsInf(a.Limit, 1) {
		limit = fmt.Sprintf("%.1fx", a.Limit)
	}
	fmt.Fprintf(&b, "%s: serial fraction s = %.3f, T1 = %s, speedup limit 1/s = %s\n", a.Variant, a.Serial, fmtDuration(a.T1), limit)
	fmt.Fprintln(&b, "  (least-squares fit of T(p) = T1*(s + (1-s)/p), p = min(workers, NumCPU))")
	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "workers\tp\tmeasured\tfit\tKarp-Flatt\t")
	for _, pt := range a.Points {
		kf := "-"
		if !math.IsNaN(pt.KarpFlatt) {
			kf = fmt.Sprintf("%.3f", pt.KarpFlatt)
		}
		fmt.Fprintf(tw, "%d\t%d\t%s\t%s\t%s\t\n", pt.Workers, pt.CPUs, fmtDuration(pt.Time), fmtDuration(pt.Fit), kf)
	}
	tw.Flush()
	return b.String()
}

// fmtDuration prints three significant digits: 1.40s, 712ms, 95.3µs.
func fmtDuration(d time.Duration) string {
	units := []struct {
		unit time.Duration
		name string
	}{{time.Second, "s"}, {time.Millisecond, "ms"}, {time.Microsecond, "µs"}, {1, "ns"}}
	for _, u := range units {
		if d >= u.unit || u.unit == 1 {
			return sig3(float64(d)/float64(u.unit)) + u.name
		}
	}
	return "0"
}

// Bytes formats a size with a binary unit and three significant digits:
// "712 B", "2.50 KiB", "7.81 MiB".
func Bytes(n uint64) string {
	units := []string{"B", "KiB", "MiB", "GiB", "TiB"}
	v := float64(n)
	i := 0
	for v >= 1024 && i < len(units)-1 {
		v /= 1024
		i++
	}
	if i == 0 {
		return fmt.Sprintf("%d B", n)
	}
	return sig3(v) + " " + units[i]
}

func sig3(v float64) string {
	switch {
	case v >= 100:
		return fmt.Sprintf("%.0f", v)
	case v >= 10:
		return fmt.Sprintf("%.1f", v)
	default:
		return fmt.Sprintf("%.2f", v)
	}
}
