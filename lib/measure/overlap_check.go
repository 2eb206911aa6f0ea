package measure

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/go-parallelism/go-parallelism/lib/gil"
	"github.com/go-parallelism/go-parallelism/lib/pool"
	"github.com/go-parallelism/go-parallelism/lib/span"
)

// OverlapError is CheckMaxOverlap's verdict on a wrong MaxOverlap: the case
// it got wrong, or the panic it raised.
type OverlapError struct {
	Case      string      // what the case is, in words
	Spans     []span.Span // its input
	Got, Want int
	Panic     any // the value passed to panic, if MaxOverlap panicked
}

func (e *OverlapError) Error() string {
	if e.Panic != nil {
		return fmt.Sprintf("MaxOverlap panicked on %s: %v", e.Case, e.Panic)
	}
	return fmt.Sprintf("%s: MaxOverlap = %d, want %d", e.Case, e.Got, e.Want)
}

// CheckMaxOverlap returns what is wrong with maxOverlap as an answer to the
// exercise of notebook 08, or nil. maxOverlap must return the largest number
// of spans in progress at the same instant, a span running from Start
// (included) to End (excluded).
//
// It tries hand-made cases that reject the usual slips: no spans (0);
// spans that touch end to start, which do not overlap (an answer that counts
// a start before an end at the same instant says 2); spans out of order (an
// answer that does not sort); one long span over three short ones, two of
// which overlap (an answer that counts, for each span, the spans that meet
// it says 4, not 3); and the same span twice. Then real runs, marked by
// lib/pool: 9 tasks that each wait 20 ms, on 3 workers, on 3 workers with
// GOMAXPROCS=1 (waiting tasks stay concurrent on one core), and on 1 worker;
// each must give what the check's own count gives (3, 3 and 1 unless the
// machine delayed a worker by a whole task).
func CheckMaxOverlap(maxOverlap func([]span.Span) int) error {
	if maxOverlap == nil {
		return errors.New("measure: CheckMaxOverlap: maxOverlap is nil, want the MaxOverlap function")
	}
	ms := time.Millisecond
	sp := func(start, end time.Duration) span.Span { return span.Span{Start: start * ms, End: end * ms} }
	cases := []struct {
		what  string
		spans []span.Span
		want  int
	}{
		{"no spans", nil, 0},
		{"one span", []span.Span{sp(0, 10)}, 1},
		{"three spans, each starting when the previous ends", []span.Span{sp(0, 10), sp(10, 20), sp(20, 30)}, 1},
		{"three overlapping spans, out of order", []span.Span{sp(20, 30), sp(0, 25), sp(5, 21)}, 3},
		{"a long span over three short ones, two of which overlap", []span.Span{sp(0, 100), sp(10, 20), sp(30, 40), sp(35, 50)}, 3},
		{"the same span twice", []span.Span{sp(5, 15), sp(5, 15)}, 2},
	}
	for _, c := range cases {
		if err := tryOverlap(maxOverlap, c.what, c.spans, c.want); err != nil {
			return err
		}
	}
	wait := func(ctx context.Context, i int) (int, error) { time.Sleep(20 * ms); return i, nil }
	runs := []struct {
		what    string
		workers int
		oneCore bool
	}{
		{"9 waiting tasks on 3 workers", 3, false},
		{"9 waiting tasks on 3 workers, GOMAXPROCS=1", 3, true},
		{"9 waiting tasks on 1 worker", 1, false},
	}
	for _, r := range runs {
		rec := span.NewRecorder()
		run := func() { _, err := pool.Workers(span.With(context.Background(), rec), r.workers, 9, wait); _ = err }
		if r.oneCore {
			if err := gil.OneCore(run); err != nil {
				return err
			}
		} else {
			run()
		}
		spans := rec.Spans()
		if err := tryOverlap(maxOverlap, r.what, spans, maxOverlapOf(spans)); err != nil {
			return err
		}
	}
	return nil
}

// tryOverlap calls maxOverlap on a copy of spans and compares with want.
func tryOverlap(maxOverlap func([]span.Span) int, what string, spans []span.Span, want int) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = &OverlapError{Case: what, Spans: spans, Want: want, Panic: p}
		}
	}()
	if got := maxOverlap(slices.Clone(spans)); got != want {
		return &OverlapError{Case: what, Spans: spans, Got: got, Want: want}
	}
	return nil
}

// maxOverlapOf is the check's own count: +1 at each start, -1 at each end,
// ends first at the same instant.
func maxOverlapOf(spans []span.Span) int {
	type event struct {
		at    time.Duration
		delta int
	}
	events := make([]event, 0, 2*len(spans))
	for _, s := range spans {
		events = append(events, event{s.Start, +1}, event{s.End, -1})
	}
	slices.SortFunc(events, func(a, b event) int { return cmp.Or(cmp.Compare(a.at, b.at), cmp.Compare(a.delta, b.delta)) })
	best, n := 0, 0
	for _, e := range events {
		n += e.delta
		best = max(best, n)
	}
	return best
}
