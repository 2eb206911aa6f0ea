//go:build !race

package hazard_test

import (
	"testing"

	"github.com/go-parallelism/go-parallelism/lib/hazard"
)

// Built only without -race: this test runs the racy counter on purpose.
func TestCountRacyLosesUpdates(t *testing.T) {
	c, err := hazard.CountRacy(8, 10000)
	if err != nil {
		t.Fatal(err)
	}
	if c.Lost() <= 0 || c.Got > c.Want {
		t.Fatalf("%v: expected lost updates", c)
	}
	t.Log(c)
}
