package sched

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"text/tabwriter"
	"time"
)

// Goroutine totals the time one goroutine spent in each state.
type Goroutine struct {
	ID       int64
	Func     string // the function it started in
	Running  time.Duration
	Runnable time.Duration // ready but without a P: the cost of having more goroutines than cores
	Syscall  time.Duration
	Waiting  map[string]time.Duration // by reason
}

// Blocked is the total time the goroutine waited, for any reason.
func (g Goroutine) Blocked() time.Duration {
	var d time.Duration
	for _, v := range g.Waiting {
		d += v
	}
	return d
}

// Summary totals each goroutine's time by state, in the order of
// t.Goroutines.
func (t *Trace) Summary() []Goroutine {
	out := make([]Goroutine, len(t.Goroutines))
	idx := map[int64]int{}
	for i, g := range t.Goroutines {
		out[i] = Goroutine{ID: g, Func: t.Funcs[g], Waiting: map[string]time.Duration{}}
		idx[g] = i
	}
	for _, s := range t.Slices {
		g := &out[idx[s.G]]
		d := s.End - s.Start
		switch s.State {
		case Running:
			g.Running += d
		case Runnable:
			g.Runnable += d
		case Syscall:
			g.Syscall += d
		case Waiting:
			g.Waiting[reason(s.Reason)] += d
		}
	}
	return out
}

func reason(r string) string {
	if r == "" {
		return "other"
	}
	return r
}

// Total adds up the goroutines' times: how much running, runnable, waiting
// (by reason) and syscall time the recording holds.
func (t *Trace) Total() Goroutine {
	tot := Goroutine{ID: -1, Waiting: map[string]time.Duration{}}
	for _, g := range t.Summary() {
		tot.Running += g.Running
		tot.Runnable += g.Runnable
		tot.Syscall += g.Syscall
		for r, d := range g.Waiting {
			tot.Waiting[r] += d
		}
	}
	return tot
}

// Procs is the number of distinct Ps the shown goroutines ran on.
func (t *Trace) Procs() int {
	return t.count(func(s Slice) (int64, bool) { return int64(s.P), s.State == Running })
}

// Threads is the number of distinct OS threads that ran the shown goroutines
// or carried them through a system call.
func (t *Trace) Threads() int {
	return t.count(func(s Slice) (int64, bool) { return s.Thread, s.State == Running || s.State == Syscall })
}

func (t *Trace) count(key func(Slice) (int64, bool)) int {
	set := map[int64]bool{}
	for _, s := range t.Slices {
		if k, ok := key(s); ok && k >= 0 {
			set[k] = true
		}
	}
	return len(set)
}

// Parallel is the share of the recording during which at least two of the
// shown goroutines ran at the same instant: 0 when everything ran on one P.
func (t *Trace) Parallel() (share float64) {
	type edge struct {
		at    time.Duration
		delta int
	}
	var es []edge
	for _, s := range t.Slices {
		if s.State == Running {
			es = append(es, edge{s.Start, +1}, edge{s.End, -1})
		}
	}
	slices.SortFunc(es, func(a, b edge) int {
		if a.at != b.at {
			return int(a.at - b.at)
		}
		return a.delta - b.delta // ends before starts at the same instant
	})
	var both time.Duration
	n := 0
	for i, e := range es {
		if n >= 2 && i > 0 {
			both += e.at - es[i-1].at
		}
		n += e.delta
	}
	if t.Duration <= 0 {
		return 0
	}
	return float64(both) / float64(t.Duration)
}

// String prints the summary as a table: one row per goroutine (at most
// maxRows, then one row for the rest) and a total.
func (t *Trace) String() string {
	const maxRows = 8
	var b strings.Builder
	fmt.Fprintf(&b, "%d goroutines over %s on %d Ps and %d OS threads; two or more running at once %.0f%% of the time\n",
		len(t.Goroutines), round(t.Duration), t.Procs(), t.Threads(), 100*t.Parallel())
	w := tabwriter.NewWriter(&b, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(w, "goroutine\trunning\trunnable\tsyscall\twaiting\t")
	sum := t.Summary()
	rest := Goroutine{Waiting: map[string]time.Duration{}}
	for i, g := range sum {
		if i >= maxRows {
			rest.Running += g.Running
			rest.Runnable += g.Runnable
			rest.Syscall += g.Syscall
			for r, d := range g.Waiting {
				rest.Waiting[r] += d
			}
			continue
		}
		fmt.Fprintf(w, "G%d\t%s\n", g.ID, row(g))
	}
	if n := len(sum) - maxRows; n > 0 {
		fmt.Fprintf(w, "%d more\t%s\n", n, row(rest))
	}
	fmt.Fprintf(w, "total\t%s\n", row(t.Total()))
	w.Flush()
	return b.String()
}

func row(g Goroutine) string {
	var ws []string
	for _, r := range slices.Sorted(maps.Keys(g.Waiting)) {
		ws = append(ws, r+" "+round(g.Waiting[r]).String())
	}
	waits := strings.Join(ws, ", ")
	if waits == "" {
		waits = "0s"
	}
	return fmt.Sprintf("%s\t%s\t%s\t%s\t", round(g.Running), round(g.Runnable), round(g.Syscall), waits)
}

// round keeps three significant digits, so tables read at a glance.
func round(d time.Duration) time.Duration {
	switch {
	case d >= 100*time.Millisecond:
		return d.Round(time.Millisecond)
	case d >= 10*time.Millisecond:
		return d.Round(100 * time.Microsecond)
	case d >= time.Millisecond:
		return d.Round(10 * time.Microsecond)
	case d >= 100*time.Microsecond:
		return d.Round(time.Microsecond)
	}
	return d.Round(10 * time.Nanosecond)
}
