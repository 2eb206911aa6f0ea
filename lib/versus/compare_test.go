//go:build !race

package versus_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/go-parallelism/go-parallelism/lib/versus"
)

// Built only without -race: the synchronization row runs a racy counter on
// purpose (lib/hazard's CountRacy).
func TestCompare(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	table, err := versus.Compare(ctx)
	if err != nil {
		t.Fatal(err)
	}
	aspects := []string{"spawn", "velocity", "memory", "synchronization", "GIL"}
	if len(table) != len(aspects) {
		t.Fatalf("%d rows, want %d:\n%s", len(table), len(aspects), table)
	}
	for i, r := range table {
		if r.Aspect != aspects[i] || r.Claim == "" || r.Measured == "" || r.Verdict == "" {
			t.Errorf("row %d incomplete: %+v", i, r)
		}
	}
	// These verdicts do not depend on timing.
	for _, i := range []int{0, 2} {
		if !strings.HasPrefix(table[i].Verdict, "True") {
			t.Errorf("%s: verdict %q, want True", table[i].Aspect, table[i].Verdict)
		}
	}
	if s := table.String(); strings.Count(s, "verdict:") != len(aspects) {
		t.Errorf("String() lacks rows:\n%s", s)
	}
	t.Log("\n" + table.String())
}
