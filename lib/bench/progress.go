package bench

import (
	"fmt"
	"time"
)

// Progress says how far Run has got. Run passes one to Experiment.Progress
// (or, if that is nil, to DefaultProgress) after every run, warm-up runs
// included, and a last one with Finished set.
type Progress struct {
	Experiment string
	Done       int // runs finished, warm-up runs included
	Total      int
	Variant    string // the variant of the run that just finished
	Param      Param
	Last       string // that run's wall time, its error, or "warm-up"
	Elapsed    time.Duration
	Finished   bool // every run is done (or ctx ended): the last call
}

// String gives one line, such as "primes [3/12] pool workers=2: 412ms".
func (p Progress) String() string {
	if p.Finished {
		return fmt.Sprintf("%s: %d runs in %s", p.Experiment, p.Done, p.Elapsed.Round(100*time.Millisecond))
	}
	return fmt.Sprintf("%s [%d/%d] %s %s: %s", p.Experiment, p.Done, p.Total, p.Variant, p.Param, p.Last)
}

// DefaultProgress receives the progress of every experiment that has no
// Progress function of its own. It is nil (silent) unless something sets
// it: lib/nb does, in a notebook, to draw a line that updates in place.
var DefaultProgress func(Progress)

// progress feeds a Progress function.
type progress struct {
	p     Progress
	f     func(Progress)
	start time.Time
}

func newProgress(name string, total int, f func(Progress)) *progress {
	if f == nil {
		f = DefaultProgress
	}
	return &progress{p: Progress{Experiment: name, Total: total}, f: f, start: time.Now()}
}

func (p *progress) step(variant string, param Param, what string) {
	p.p.Done++
	p.p.Variant, p.p.Param, p.p.Last = variant, param, what
	p.p.Elapsed = time.Since(p.start)
	if p.f != nil {
		p.f(p.p)
	}
}

func (p *progress) close() {
	p.p.Finished = true
	p.p.Elapsed = time.Since(p.start)
	if p.f != nil {
		p.f(p.p)
	}
}
