package measure

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/go-parallelism/go-parallelism/lib/bench"
	"github.com/go-parallelism/go-parallelism/lib/chart"
	"github.com/go-parallelism/go-parallelism/lib/model"
	"github.com/go-parallelism/go-parallelism/lib/workload"
)

// Matrix holds one experiment per workload, each timing the same models;
// the first model is the baseline of the speedups.
type Matrix struct {
	Machine bench.Machine
	Models  []string
	Names   []string        // one per workload: its name
	Labels  []string        // one per workload, as Label gives it
	Kinds   []workload.Kind // one per workload
	Results []*bench.Result // one per workload
	// FreeCores is the lowest of the results' bench.FreeCores readings
	// (each experiment checks the cores): how many cores were free for
	// them (-1 where it cannot be measured).
	FreeCores float64
}

// Join returns one matrix holding the workloads of all ms, which must time
// the same models.
func Join(ms ...*Matrix) (*Matrix, error) {
	out := &Matrix{}
	for i, m := range ms {
		if m == nil {
			return nil, fmt.Errorf("measure: Join: matrix %d is nil", i)
		}
		if i == 0 {
			out.Machine, out.Models, out.FreeCores = m.Machine, m.Models, m.FreeCores
		} else if !slices.Equal(m.Models, out.Models) {
			return nil, fmt.Errorf("measure: Join: matrix %d times %v, not %v", i, m.Models, out.Models)
		}
		out.FreeCores = lowest(out.FreeCores, m.FreeCores)
		out.Names = append(out.Names, m.Names...)
		out.Labels = append(out.Labels, m.Labels...)
		out.Kinds = append(out.Kinds, m.Kinds...)
		out.Results = append(out.Results, m.Results...)
	}
	return out, nil
}

// Cell is one workload under one model.
type Cell struct {
	Workload string
	Kind     workload.Kind
	Model    string
	Median   time.Duration
	// Speedup is the baseline model's median time over this model's.
	Speedup float64
	// Parallelism is CPU time over wall time: about 1 for one busy core,
	// about 2 for two, well below 1 while the tasks wait.
	Parallelism float64
	// Err is the first error of the model's runs, if any.
	Err string
}

// RunMatrix builds the job of every spec, times it under every model (the
// first is the baseline of the speedups) as one bench experiment that
// checks the free cores, and closes it. bench.Run runs each job once,
// unmeasured, under the first model before timing it; warmup adds full
// unmeasured rounds of every model on top. It stops at the
// first workload that cannot be built or timed (ctx ended) and returns what
// it has so far with the error.
func RunMatrix(ctx context.Context, specs []workload.Spec, models []model.Model, reps, warmup int) (*Matrix, error) {
	if len(models) == 0 {
		return nil, errors.New("measure: RunMatrix: models is empty, want at least one (the first is the baseline)")
	}
	m := &Matrix{Machine: bench.ThisMachine()}
	for _, md := range models {
		m.Models = append(m.Models, md.Name)
	}
	for _, s := range specs {
		res, err := runSpec(ctx, s, models, reps, warmup)
		if err != nil {
			return m, fmt.Errorf("measure: RunMatrix: %s: %w", Label(s), err)
		}
		kind, _ := workload.KindOf(s.Name)
		m.Names = append(m.Names, s.Name)
		m.Labels = append(m.Labels, Label(s))
		m.Kinds = append(m.Kinds, kind)
		m.Results = append(m.Results, res)
		m.FreeCores = lowest(m.FreeCores, res.FreeCores)
	}
	return m, nil
}

func runSpec(ctx context.Context, s workload.Spec, models []model.Model, reps, warmup int) (res *bench.Result, err error) {
	job, err := workload.New(s)
	if err != nil {
		return nil, err
	}
	defer func() { err = errors.Join(err, job.Close()) }()
	return bench.Run(ctx, bench.Experiment{
		Name:     Label(s), // s, not job.Spec: without what New adds
		Variants: Variants(job, models...), Reps: reps, Warmup: warmup, CheckCores: true,
	})
}

// lowest is the lower of two FreeCores readings that were taken (not 0).
func lowest(a, b float64) float64 {
	switch {
	case a == 0:
		return b
	case b == 0:
		return a
	}
	return min(a, b)
}

// Cells returns every workload under every model, workload by workload.
// Speedups are bench's (Result.Speedup), over the first model.
func (m *Matrix) Cells() []Cell {
	var cells []Cell
	for i, res := range m.Results {
		gains, _ := res.Speedup("")
		for _, name := range m.Models {
			c := Cell{Workload: m.Labels[i], Kind: m.Kinds[i], Model: name}
			if st, ok := res.Stat(name, bench.Param{}); ok && st.N > 0 {
				c.Median, c.Parallelism = st.Median, st.Parallelism
			}
			for _, g := range gains {
				if g.Variant == name {
					c.Speedup = g.Speedup
				}
			}
			for _, r := range res.Runs {
				if r.Variant == name && r.Err != "" {
					c.Err = r.Err
					break
				}
			}
			cells = append(cells, c)
		}
	}
	return cells
}

// Err returns the first error of any run, naming its workload and model.
func (m *Matrix) Err() error {
	for _, c := range m.Cells() {
		if c.Err != "" {
			return fmt.Errorf("%s under %s: %s", c.Workload, c.Model, c.Err)
		}
	}
	return nil
}

// rows gives the table: one row per workload, one column per model holding
// "median (speedup, CPU/wall)".
func (m *Matrix) rows() [][]string {
	head := []string{"workload", "kind"}
	for _, name := range m.Models {
		head = append(head, name)
	}
	rows := [][]string{head}
	cells := m.Cells()
	for i := range m.Results {
		row := []string{m.Labels[i], m.Kinds[i].String()}
		for j := range m.Models {
			c := cells[i*len(m.Models)+j]
			switch {
			case c.Err != "":
				row = append(row, "error")
			case c.Median == 0:
				row = append(row, "-")
			default:
				row = append(row, fmt.Sprintf("%s  %.1fx  cpu/wall %.2f", fmtDur(c.Median), c.Speedup, c.Parallelism))
			}
		}
		rows = append(rows, row)
	}
	return rows
}

// Header says what the table shows and where it was measured.
func (m *Matrix) Header() string {
	reps := 0
	if len(m.Results) > 0 {
		reps = m.Results[0].Reps
	}
	base := ""
	if len(m.Models) > 0 {
		base = m.Models[0]
	}
	return fmt.Sprintf("median wall time, speedup over %s, CPU time/wall time; median of %d runs; %s", base, reps, m.Machine)
}

// Fprint writes the matrix as an aligned text table.
func (m *Matrix) Fprint(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, m.Header())
	for _, row := range m.rows() {
		fmt.Fprintln(tw, strings.Join(row, "\t")+"\t")
	}
	if err := m.Err(); err != nil {
		fmt.Fprintf(tw, "first error: %v\n", err)
	}
	if note := bench.BusyNote(m.FreeCores, m.Machine.GOMAXPROCS); note != "" {
		fmt.Fprintln(tw, note)
	}
	return tw.Flush()
}

// String formats the matrix as an aligned text table.
func (m *Matrix) String() string {
	var b strings.Builder
	m.Fprint(&b)
	return b.String()
}

// HTML formats the matrix as an HTML table with a caption.
func (m *Matrix) HTML() string {
	var notes []string
	if err := m.Err(); err != nil {
		notes = append(notes, "first error: "+err.Error())
	}
	if note := bench.BusyNote(m.FreeCores, m.Machine.GOMAXPROCS); note != "" {
		notes = append(notes, note)
	}
	return bench.HTMLTable(m.Header(), m.rows(), notes...)
}

// SpeedupChart draws, for every workload, the speedup of every model but
// the baseline as bars; 1 means no faster than the baseline. A dashed line
// marks what computing can gain at best: the machine's CPUs, over a
// sequential baseline; over another baseline, 1 (as fast as it).
func (m *Matrix) SpeedupChart() *chart.Chart {
	c := m.bars(func(c Cell) float64 { return c.Speedup }, "speedup over "+m.base()+" (x)", "speedup over "+m.base(), true)
	cpus := max(m.Machine.NumCPU, 1)
	ideal := chart.Series{Name: fmt.Sprintf("as fast as %s", m.base()), Dashed: true}
	level := 1.0
	if m.base() == model.Sequential.Name {
		ideal.Name, level = fmt.Sprintf("ideal for computing: %d CPUs", cpus), float64(cpus)
	}
	for range m.Results {
		ideal.Y = append(ideal.Y, level)
	}
	return c.Add(ideal)
}

// ParallelismChart draws, for every workload, the CPU time over wall time of
// every model as bars, with a dashed line where every CPU is busy.
func (m *Matrix) ParallelismChart() *chart.Chart {
	c := m.bars(func(c Cell) float64 { return c.Parallelism }, "CPU time / wall time (cores)", "achieved parallelism (CPU time / wall time)", false)
	cpus := max(m.Machine.NumCPU, 1)
	busy := chart.Series{Name: fmt.Sprintf("all %d CPUs busy", cpus), Dashed: true}
	for range m.Results {
		busy.Y = append(busy.Y, float64(cpus))
	}
	return c.Add(busy)
}

func (m *Matrix) base() string {
	if len(m.Models) == 0 {
		return ""
	}
	return m.Models[0]
}

func (m *Matrix) bars(value func(Cell) float64, ylabel, title string, skipBase bool) *chart.Chart {
	cells := m.Cells()
	var series []chart.Series
	for j, name := range m.Models {
		if skipBase && j == 0 {
			continue
		}
		s := chart.Series{Name: name}
		for i := range m.Results {
			s.Y = append(s.Y, value(cells[i*len(m.Models)+j]))
		}
		series = append(series, s)
	}
	c := chart.NewBars(title, m.Names, series...)
	reps := 0
	if len(m.Results) > 0 {
		reps = m.Results[0].Reps
	}
	c.Subtitle = fmt.Sprintf("%d CPUs, GOMAXPROCS=%d; median of %d runs", m.Machine.NumCPU, m.Machine.GOMAXPROCS, reps)
	c.YLabel = ylabel
	return c
}

func fmtDur(d time.Duration) string {
	switch {
	case d >= time.Second:
		return fmt.Sprintf("%.2fs", d.Seconds())
	case d >= time.Millisecond:
		return fmt.Sprintf("%.0fms", float64(d)/float64(time.Millisecond))
	default:
		return fmt.Sprintf("%.0fµs", float64(d)/float64(time.Microsecond))
	}
}
