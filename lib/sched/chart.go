package sched

import (
	"cmp"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/go-parallelism/go-parallelism/lib/chart"
)

// StateColors colour the states in StateChart and ThreadChart: green runs,
// amber is ready but without a P, grey waits, red is in the kernel.
var StateColors = []string{"#3ba272", "#fac858", "#c8c8c8", "#ee6666"}

var stateNames = []string{Running.String(), Runnable.String(), Waiting.String(), Syscall.String()}

// maxGroups is the most goroutine colours ProcChart uses; past it,
// goroutines are coloured by the function they started in.
const maxGroups = 6

// ProcChart draws one lane per P and a bar for every stretch a goroutine ran
// on it, coloured by goroutine (or by the function it started in, when
// there are many): interleaving on one P, or side by side on several.
func (t *Trace) ProcChart(title string) *chart.Chart {
	group, groups := t.goroutineGroups()
	var ps []int
	for _, s := range t.Slices {
		if s.State == Running && !slices.Contains(ps, s.P) {
			ps = append(ps, s.P)
		}
	}
	slices.Sort(ps)
	lanes := make([]string, len(ps))
	for i, p := range ps {
		lanes[i] = fmt.Sprintf("P%d", p)
	}
	var bars []chart.Bar
	for _, s := range t.Slices {
		if s.State == Running {
			bars = append(bars, chart.Bar{Lane: slices.Index(ps, s.P), Group: group(s.G), Start: s.Start, End: s.End,
				Note: fmt.Sprintf("G%d on thread %d", s.G, s.Thread)})
		}
	}
	c := chart.NewLanes(title, lanes, groups, bars)
	c.YLabel = "P"
	c.Height = max(220, 140+50*len(lanes))
	return c
}

// StateChart draws one lane per goroutine (the first maxLanes of them), coloured by
// state: running, runnable, waiting or in a system call.
func (t *Trace) StateChart(title string) *chart.Chart {
	const maxLanes = 24
	shown := t.Goroutines[:min(len(t.Goroutines), maxLanes)]
	lanes := make([]string, len(shown))
	for i, g := range shown {
		lanes[i] = fmt.Sprintf("G%d", g)
	}
	var bars []chart.Bar
	for _, s := range t.Slices {
		lane := slices.Index(shown, s.G)
		if lane < 0 {
			continue
		}
		bars = append(bars, chart.Bar{Lane: lane, Group: int(s.State), Start: s.Start, End: s.End, Note: note(s)})
	}
	c := chart.NewLanes(title, lanes, stateNames, bars, StateColors...)
	c.YLabel = "goroutine"
	if n := len(t.Goroutines) - len(shown); n > 0 {
		c.Subtitle = fmt.Sprintf("the first %d of %d goroutines", len(shown), len(t.Goroutines))
	}
	c.Height = min(max(220, 140+28*len(lanes)), 700)
	return c
}

// ThreadChart draws one lane per OS thread: when it ran Go code and when it
// sat in a system call on behalf of a goroutine.
func (t *Trace) ThreadChart(title string) *chart.Chart {
	var ms []int64
	for _, s := range t.Slices {
		if (s.State == Running || s.State == Syscall) && s.Thread >= 0 && !slices.Contains(ms, s.Thread) {
			ms = append(ms, s.Thread)
		}
	}
	slices.Sort(ms)
	lanes := make([]string, len(ms))
	for i := range ms {
		lanes[i] = fmt.Sprintf("M%d", i)
	}
	var bars []chart.Bar
	for _, s := range t.Slices {
		if lane := slices.Index(ms, s.Thread); lane >= 0 && (s.State == Running || s.State == Syscall) {
			bars = append(bars, chart.Bar{Lane: lane, Group: int(s.State), Start: s.Start, End: s.End, Note: note(s)})
		}
	}
	c := chart.NewLanes(title, lanes, stateNames, bars, StateColors...)
	c.YLabel = "OS thread"
	c.Height = min(max(220, 140+28*len(lanes)), 700)
	return c
}

func note(s Slice) string {
	switch s.State {
	case Running:
		return fmt.Sprintf("G%d on P%d", s.G, s.P)
	case Syscall:
		return fmt.Sprintf("G%d in a system call", s.G)
	case Waiting, Runnable:
		if s.Reason != "" {
			return fmt.Sprintf("G%d: %s", s.G, s.Reason)
		}
	}
	return fmt.Sprintf("G%d", s.G)
}

// goroutineGroups colours goroutines one by one when there are few, else by
// the function they started in (the busiest functions first, the rest as
// "other").
func (t *Trace) goroutineGroups() (func(g int64) int, []string) {
	if len(t.Goroutines) <= maxGroups {
		names := make([]string, len(t.Goroutines))
		for i, g := range t.Goroutines {
			names[i] = fmt.Sprintf("G%d", g)
		}
		return func(g int64) int { return slices.Index(t.Goroutines, g) }, names
	}
	count := map[string]int{}
	for _, g := range t.Goroutines {
		count[shortFunc(t.Funcs[g])]++
	}
	funcs := slices.SortedFunc(maps.Keys(count), func(a, b string) int {
		return cmp.Or(count[b]-count[a], strings.Compare(a, b))
	})
	if len(funcs) > maxGroups {
		funcs = append(funcs[:maxGroups-1], "other")
	}
	return func(g int64) int {
		if i := slices.Index(funcs, shortFunc(t.Funcs[g])); i >= 0 {
			return i
		}
		return len(funcs) - 1
	}, funcs
}

// shortFunc keeps the last element of a function's import path.
func shortFunc(f string) string {
	if f == "" {
		return "caller"
	}
	if i := strings.LastIndex(f, "/"); i >= 0 {
		f = f[i+1:]
	}
	return f
}
