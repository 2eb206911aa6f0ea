import (
	"cmp"
	"slices"

	"github.com/go-parallelism/go-parallelism/lib/trace"
)

// MaxOverlap returns the largest number of spans in progress at the same instant.
func MaxOverlap(spans []trace.Span) int {
	type event struct {
		at    time.Duration
		delta int
	}
	events := make([]event, 0, 2*len(spans))
	for _, s := range spans {
		events = append(events, event{s.Start, +1}, event{s.End, -1})
	}
	slices.SortFunc(events, func(a, b event) int { // ends before starts at the same instant
		return cmp.Or(cmp.Compare(a.at, b.at), cmp.Compare(a.delta, b.delta))
	})
	best, cur := 0, 0
	for _, e := range events {
		cur += e.delta
		best = max(best, cur)
	}
	return best
}

%%
fmt.Println("MaxOverlap is declared; run the check below.")
