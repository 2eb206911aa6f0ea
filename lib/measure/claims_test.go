//go:build !race

package measure

import (
	"context"
	"strings"
	"testing"
	"time"
)

// Built only without -race: the synchronization row runs a racy counter on
// purpose (lib/hazard's CountRacy).
func TestClaims(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	table, err := Claims(ctx)
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
		if table[i].Outcome != Holds {
			t.Errorf("%s: outcome %v (%q), want holds", table[i].Aspect, table[i].Outcome, table[i].Verdict)
		}
	}
	if s := table.String(); strings.Count(s, "verdict:") != len(aspects) {
		t.Errorf("String() lacks rows:\n%s", s)
	}
	t.Log("\n" + table.String())
}
