package chart_test

import (
	"strings"
	"testing"
	"time"

	"github.com/go-parallelism/go-parallelism/lib/chart"
)

func TestLanes(t *testing.T) {
	ms := time.Millisecond
	c := chart.NewLanes("states", []string{"G1", "G2"}, []string{"running", "waiting"}, []chart.Bar{
		{Lane: 0, Group: 0, Start: 0, End: 5 * ms, Note: "G1 on P0"},
		{Lane: 1, Group: 1, Start: 0, End: 5 * ms, Note: "G2: chan receive"},
		{Lane: 1, Group: 0, Start: 5 * ms, End: 9 * ms},
	}, "#00aa00", "#cccccc")
	opt, err := c.Option()
	if err != nil {
		t.Fatal(err)
	}
	// One series per group, so the legend names the colours.
	for _, want := range []string{`"name":"running"`, `"name":"waiting"`, "#00aa00", "#cccccc", "G2: chan receive", `["G1","G2"]`} {
		if !strings.Contains(opt, want) {
			t.Errorf("option lacks %s:\n%s", want, opt)
		}
	}
	// Functions travel inside JSON strings whose quotes are stripped: an
	// escaped double quote left in one is a syntax error in the browser,
	// and the chart never leaves its static image.
	if strings.Contains(opt, `\"`) {
		t.Errorf("option holds an escaped double quote, which breaks its functions:\n%s", opt)
	}
	svg, err := c.SVG()
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"running", "waiting", "G1", "G2", "time (ms)"} {
		if !strings.Contains(string(svg), want) {
			t.Errorf("static image lacks %q", want)
		}
	}
	empty := chart.NewLanes("none", nil, []string{"a"}, nil)
	if _, err := empty.SVG(); err != nil {
		t.Errorf("empty lanes: %v", err)
	}
}
