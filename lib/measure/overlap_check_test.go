package measure

import (
	"cmp"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/go-parallelism/go-parallelism/lib/span"
)

// overlapSweep counts in progress with events sorted by time; startsFirst puts a
// start before an end at the same instant, and sorted false skips the sort.
func overlapSweep(spans []span.Span, startsFirst, sorted bool) int {
	type event struct {
		at    time.Duration
		delta int
	}
	var events []event
	for _, s := range spans {
		events = append(events, event{s.Start, +1}, event{s.End, -1})
	}
	if sorted {
		slices.SortFunc(events, func(a, b event) int {
			c := cmp.Compare(a.delta, b.delta)
			if startsFirst {
				c = -c
			}
			return cmp.Or(cmp.Compare(a.at, b.at), c)
		})
	}
	best, n := 0, 0
	for _, e := range events {
		n += e.delta
		best = max(best, n)
	}
	return best
}

func TestCheckMaxOverlapAcceptsTheAnswer(t *testing.T) {
	if err := CheckMaxOverlap(func(s []span.Span) int { return overlapSweep(s, false, true) }); err != nil {
		t.Fatalf("the expected answer was rejected: %v", err)
	}
}

func TestCheckMaxOverlapRejectsWrongAnswers(t *testing.T) {
	wrong := []struct {
		name string
		f    func([]span.Span) int
	}{
		{"a start counted before an end at the same instant", func(s []span.Span) int { return overlapSweep(s, true, true) }},
		{"events not sorted", func(s []span.Span) int { return overlapSweep(s, false, false) }},
		{"every span counted as concurrent", func(s []span.Span) int { return len(s) }},
		{"for each span, the spans that meet it", func(spans []span.Span) int {
			best := 0
			for _, a := range spans {
				n := 0
				for _, b := range spans {
					if b.Start < a.End && a.Start < b.End {
						n++
					}
				}
				best = max(best, n)
			}
			return best
		}},
		{"spans counted at their starts only, ends inclusive", func(spans []span.Span) int {
			best := 0
			for _, a := range spans {
				n := 0
				for _, b := range spans {
					if b.Start <= a.Start && a.Start <= b.End {
						n++
					}
				}
				best = max(best, n)
			}
			return best
		}},
	}
	for _, w := range wrong {
		t.Run(w.name, func(t *testing.T) {
			err := CheckMaxOverlap(w.f)
			var oe *OverlapError
			if !errors.As(err, &oe) || oe.Panic != nil {
				t.Fatalf("want an *OverlapError for a wrong count, got %v", err)
			}
			t.Logf("rejected: %v", err)
		})
	}
}

func TestCheckMaxOverlapStub(t *testing.T) {
	err := CheckMaxOverlap(func([]span.Span) int { panic("TODO: write MaxOverlap") })
	var oe *OverlapError
	if !errors.As(err, &oe) || oe.Panic != "TODO: write MaxOverlap" {
		t.Fatalf("want the panic's value in OverlapError.Panic, got %#v", err)
	}
	if CheckMaxOverlap(nil) == nil {
		t.Fatal("a nil maxOverlap was accepted")
	}
}
