package chart

import (
	"fmt"
	"image/color"
	"time"

	"gonum.org/v1/plot/plotter"

	"github.com/go-parallelism/go-parallelism/lib/span"
)

// Bar is one stretch of time on one lane of a NewLanes chart.
type Bar struct {
	Lane       int // index into the lane names
	Group      int // index into the group names: the bar's colour and legend entry
	Start, End time.Duration
	Note       string // shown in the tooltip, e.g. "waiting: chan receive"
}

// NewLanes draws named lanes of coloured bars, one colour per group, with a
// legend: which goroutine ran on which P, or what state each goroutine was
// in. Colors, if given, colours the groups in order (else the Palette).
func NewLanes(title string, lanes, groups []string, bars []Bar, colors ...string) *Chart {
	c := &Chart{Title: title, kind: kindTimeline, categories: lanes, groups: groups, groupColors: colors}
	if len(bars) == 0 {
		c.note = "nothing recorded"
	}
	var end time.Duration
	for _, b := range bars {
		end = max(end, b.End)
		c.spans = append(c.spans, span.Span{Task: b.Group, Worker: b.Lane, Start: b.Start, End: b.End})
		c.notes = append(c.notes, b.Note)
	}
	unit, name := unitFor(end)
	c.timeUnit = unit
	c.XLabel = "time (" + name + ")"
	return c
}

// groupColor is the colour of group (or timeline task) i.
func (c *Chart) groupColor(i int) string {
	if i >= 0 && i < len(c.groupColors) {
		return c.groupColors[i]
	}
	return seriesColor(i)
}

// groupName names group i in a tooltip.
func (c *Chart) groupName(i int) string {
	if i >= 0 && i < len(c.groups) {
		return c.groups[i]
	}
	return fmt.Sprintf("task %d", i)
}

// laneLegend is the static legend of a lanes chart: one swatch per group.
func (c *Chart) laneLegend() []legendEntry {
	var out []legendEntry
	for i, g := range c.groups {
		out = append(out, legendEntry{g, swatch(parseColor(c.groupColor(i)))})
	}
	return out
}

func swatch(col color.Color) *plotter.BarChart {
	b, _ := plotter.NewBarChart(plotter.Values{1}, 1) // cannot fail for one positive value
	b.Color = col
	b.LineStyle.Width = 0
	return b
}
