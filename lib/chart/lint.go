package chart

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"gonum.org/v1/plot/vg"
)

// ProblemKind is what makes a chart hard to read at a glance.
type ProblemKind int

const (
	// SmallBar: a bar under SmallBarFraction of its axis's maximum, on a
	// linear axis, without its value written on it: it reads as no bar.
	SmallBar ProblemKind = iota + 1
	// MissingUnit: a value axis whose name does not end with its unit in
	// parentheses, as "time (ms)" or "goroutines (count)".
	MissingUnit
	// LabelOutside: a text of the static image runs past its edge.
	LabelOutside
	// NoIdeal: a speedup (unit "x") drawn without a dashed ideal to hold
	// it against.
	NoIdeal
	// LabelsOverlap: two texts of the static image printed over each
	// other, sharing more than a third of the smaller one's box.
	LabelsOverlap
)

func (k ProblemKind) String() string {
	switch k {
	case SmallBar:
		return "small bar without its value"
	case MissingUnit:
		return "axis without a unit"
	case LabelOutside:
		return "label outside the chart"
	case NoIdeal:
		return "speedup without an ideal line"
	case LabelsOverlap:
		return "labels over each other"
	}
	return fmt.Sprintf("ProblemKind(%d)", int(k))
}

// SmallBarFraction is the share of its axis's maximum under which a bar on
// a linear axis needs its value written on it.
const SmallBarFraction = 0.02

// Problem is one thing that makes a chart hard to read.
type Problem struct {
	Kind   ProblemKind
	Detail string // which bar, axis or text, and how to mend it
}

func (p Problem) String() string { return p.Kind.String() + ": " + p.Detail }

// Lint returns what makes c hard to read, in both its renderings: bars too
// small to see on a linear axis with no value on them (in the interactive
// option as ECharts gets it, and in the static image), value axes without
// a unit, text of the static image outside the image (measured with the
// static renderer's own font metrics) or over each other, a speedup
// without its ideal. None
// means the chart passes.
func (c *Chart) Lint() []Problem {
	o, err := c.optionMap()
	if err != nil {
		return []Problem{{Kind: LabelOutside, Detail: err.Error()}}
	}
	w, h := c.size()
	boxes, err := c.draw(nullCanvas{vg.Length(float64(w) * pxToPt), vg.Length(float64(h) * pxToPt)})
	if err != nil {
		return []Problem{{Kind: LabelOutside, Detail: err.Error()}}
	}
	return c.lint(o, boxes)
}

func (c *Chart) lint(o map[string]any, boxes []textBox) []Problem {
	var out []Problem
	axes := c.valueAxes()
	for _, name := range []string{"x", "y"} {
		label, ok := axes[name]
		if ok && c.note == "" && unitOf(label) == "" {
			detail := fmt.Sprintf("the %s axis %q names no unit: call %sAxis(name, unit), as %sAxis(%q, %q)",
				name, label, strings.ToUpper(name), strings.ToUpper(name), "time", "ms")
			if label == "" {
				detail = fmt.Sprintf("the %s axis has no name: call %sAxis(name, unit), as %sAxis(%q, %q)",
					name, strings.ToUpper(name), strings.ToUpper(name), "time", "ms")
			}
			out = append(out, Problem{MissingUnit, detail})
		}
	}
	if unitOf(c.YLabel) == "x" && !slices.ContainsFunc(c.series, func(s Series) bool { return s.Dashed }) {
		out = append(out, Problem{NoIdeal, "the speedup has no dashed series for the ideal to compare it with"})
	}
	out = append(out, smallBars(o)...)
	out = append(out, c.smallBarsStatic(boxes)...)
	w, h := c.size()
	right, top := vg.Length(float64(w)*pxToPt), vg.Length(float64(h)*pxToPt)
	const slack = 0.5 // points
	for _, b := range boxes {
		if b.min.X < -slack || b.min.Y < -slack || b.max.X > right+slack || b.max.Y > top+slack {
			out = append(out, Problem{LabelOutside, fmt.Sprintf("%q spans %.0f..%.0f x %.0f..%.0f px in a %dx%d image",
				b.text, b.min.X/pxToPt, b.max.X/pxToPt, float64(h)-float64(b.max.Y/pxToPt), float64(h)-float64(b.min.Y/pxToPt), w, h)})
		}
	}
	for i, a := range boxes {
		for _, b := range boxes[i+1:] {
			if !a.square || !b.square {
				continue // the boxes of slanted texts overlap where the texts need not
			}
			w := min(a.max.X, b.max.X) - max(a.min.X, b.min.X)
			h := min(a.max.Y, b.max.Y) - max(a.min.Y, b.min.Y)
			area := func(t textBox) vg.Length { return (t.max.X - t.min.X) * (t.max.Y - t.min.Y) }
			if w > 0 && h > 0 && w*h > min(area(a), area(b))/3 {
				out = append(out, Problem{LabelsOverlap, fmt.Sprintf("%q and %q in the static image", a.text, b.text)})
			}
		}
	}
	return out
}

// smallBars finds, in an ECharts option, the bars under SmallBarFraction of
// a linear y axis's maximum that show no label: bar series, and the bins of
// a histogram (custom series of [lower, upper, count, labelled]).
func smallBars(o map[string]any) []Problem {
	y := firstAxis(o["yAxis"])
	if y == nil || (y["type"] != "value" && y["type"] != nil) { // a log axis, or a timeline's lanes
		return nil
	}
	series, _ := o["series"].([]any)
	top, ok := y["max"].(float64)
	if !ok { // ECharts picks the range: at least the largest value
		top = 0
		for _, s := range series {
			for _, v := range barValues(s) {
				top = max(top, math.Abs(v.value))
			}
		}
	}
	var out []Problem
	for _, s := range series {
		name, _ := s.(map[string]any)["name"].(string)
		for _, v := range barValues(s) {
			if math.Abs(v.value) < SmallBarFraction*top && !v.labelled {
				out = append(out, Problem{SmallBar, fmt.Sprintf("series %q, bar %d: %s is under %.0f%% of the axis maximum %s and has no value label",
					name, v.index+1, formatValue(v.value), 100*SmallBarFraction, formatValue(top))})
			}
		}
	}
	return out
}

type barValue struct {
	index    int
	value    float64
	labelled bool
}

// barValues reads the bars of one series of an option.
func barValues(s any) []barValue {
	m, _ := s.(map[string]any)
	data, _ := m["data"].([]any)
	var out []barValue
	switch m["type"] {
	case "bar":
		seriesLabel := shows(m["label"])
		for i, d := range data {
			v, labelled := d, seriesLabel
			if item, ok := d.(map[string]any); ok {
				v = item["value"]
				if l, ok := item["label"]; ok {
					labelled = shows(l)
				}
			}
			if f, ok := v.(float64); ok {
				out = append(out, barValue{i, f, labelled})
			}
		}
	case "custom": // histogram bins
		for i, d := range data {
			item, _ := d.(map[string]any)
			vs, _ := item["value"].([]any)
			if len(vs) != 4 {
				continue
			}
			n, _ := vs[2].(float64)
			show, _ := vs[3].(float64)
			if n != 0 {
				out = append(out, barValue{i, n, show != 0})
			}
		}
	}
	return out
}

func shows(label any) bool {
	l, ok := label.(map[string]any)
	return ok && l["show"] == true
}

func firstAxis(a any) map[string]any {
	switch a := a.(type) {
	case []any:
		if len(a) > 0 {
			m, _ := a[0].(map[string]any)
			return m
		}
	case map[string]any:
		return a
	}
	return nil
}

// smallBarsStatic finds the small bars of the static image with no label:
// a bar under SmallBarFraction of the axis maximum and no text of its
// value drawn.
func (c *Chart) smallBarsStatic(boxes []textBox) []Problem {
	if c.kind != kindBars && c.kind != kindHistogram {
		return nil
	}
	sc := c.yScale()
	if sc.log {
		return nil
	}
	written := map[string]int{}
	for _, b := range boxes {
		written[b.text]++
	}
	var out []Problem
	for _, s := range c.series {
		if s.Dashed {
			continue
		}
		for i, v := range s.Y {
			if c.kind == kindHistogram && v == 0 {
				continue
			}
			l := c.valueLabel(v)
			if math.Abs(v) < SmallBarFraction*sc.max && written[l] == 0 {
				out = append(out, Problem{SmallBar, fmt.Sprintf("static image, series %q, bar %d: %s is under %.0f%% of the axis maximum %s and has no value label",
					s.Name, i+1, formatValue(v), 100*SmallBarFraction, formatValue(sc.max))})
			}
		}
	}
	return out
}
