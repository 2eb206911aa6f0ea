package chart

import (
	"encoding/json"
	"fmt"
	"math"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/go-echarts/go-echarts/v2/charts"
	"github.com/go-echarts/go-echarts/v2/opts"

	"github.com/go-parallelism/go-parallelism/lib/span"
)

// funcString matches a JavaScript function as go-echarts writes it into its
// JSON: a string between markers. Option decodes the string and writes the
// function itself in its place, so that a function may hold quotes and
// backslashes (a lane named "it's").
var funcString = regexp.MustCompile(`"__f__((?:[^"\\]|\\.)*?)__f__"`)

// Option returns the ECharts option for c as a JavaScript object literal:
// JSON, except for the functions some charts need (renderItem, tooltip).
func (c *Chart) Option() (string, error) {
	o, err := c.optionMap()
	if err != nil {
		return "", err
	}
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(o); err != nil {
		return "", fmt.Errorf("chart: option: %w", err)
	}
	raw := funcString.ReplaceAllStringFunc(strings.TrimSpace(b.String()), func(m string) string {
		var fn string
		if err := json.Unmarshal([]byte(`"`+funcString.FindStringSubmatch(m)[1]+`"`), &fn); err != nil {
			return m
		}
		return fn
	})
	// The option goes inside a <script>, where "</script" or "<!--" in a
	// title would end or derail it: write every "<" as \u003c, which means
	// the same inside strings. (The embedded functions avoid "<".)
	return strings.ReplaceAll(raw, "<", `\u003c`), nil
}

// optionMap builds the option with go-echarts, then lays it out: title,
// legend, grid, axes and labels, the same way for every kind.
func (c *Chart) optionMap() (map[string]any, error) {
	var raw []byte
	switch c.kind {
	// Validate completes the option (it puts the categories on the x axis),
	// as go-echarts does before rendering a page.
	case kindBars:
		b := c.barOption()
		b.Validate()
		raw = []byte(b.JSONNotEscaped())
	case kindLines:
		l := c.lineOption()
		l.Validate()
		raw = []byte(l.JSONNotEscaped())
	case kindTimeline:
		t := c.timelineOption()
		t.Validate()
		raw = []byte(t.JSONNotEscaped())
	case kindHistogram:
		h := c.histogramOption()
		h.Validate()
		raw = []byte(h.JSONNotEscaped())
	default:
		return nil, fmt.Errorf("chart: unknown kind %d", c.kind)
	}
	var o map[string]any
	if err := json.Unmarshal(raw, &o); err != nil {
		return nil, fmt.Errorf("chart: option: %w", err)
	}
	c.layout(o)
	return o, nil
}

func (c *Chart) globals() []charts.GlobalOpts {
	return []charts.GlobalOpts{
		charts.WithTitleOpts(opts.Title{Title: c.Title, Subtitle: c.subtitle(), Left: "center"}),
		charts.WithColorsOpts(opts.Colors(Palette)),
		charts.WithAnimation(false),
		charts.WithLegendOpts(opts.Legend{Show: opts.Bool(len(c.legendNames()) > 0)}),
		charts.WithTooltipOpts(opts.Tooltip{Show: opts.Bool(true), Trigger: "axis"}),
	}
}

func (c *Chart) barOption() *charts.Bar {
	b := charts.NewBar()
	b.SetGlobalOptions(c.globals()...)
	labels, _ := c.categoryLabels()
	b.SetXAxis(labels)
	show := c.valueLabels()
	for i, s := range c.series {
		if s.Dashed {
			continue // drawn as a reference by layout
		}
		data := make([]opts.BarData, len(s.Y))
		for j, y := range s.Y {
			data[j] = opts.BarData{Value: y}
			if show {
				data[j].Label = &opts.Label{Show: opts.Bool(true), Position: "top", Formatter: c.valueLabel(y), FontSize: valuePx}
			}
		}
		b.AddSeries(s.Name, data, charts.WithItemStyleOpts(opts.ItemStyle{Color: seriesColor(i)}))
	}
	return b
}

// barReference draws a dashed series of a bar chart across each category's
// band, at its value: an ideal or a target, next to the bars that meet it
// or not.
const barReference = `function (params, api) {
	var p = api.coord([api.value(0), api.value(1)]);
	var w = api.size([1, 0])[0];
	return {type: 'line', shape: {x1: p[0] - w / 2, y1: p[1], x2: p[0] + w / 2, y2: p[1]}, style: {stroke: '#555555', lineWidth: 2, lineDash: [6, 4]}};
}`

func (c *Chart) lineOption() *charts.Line {
	l := charts.NewLine()
	l.SetGlobalOptions(c.globals()...)
	for i, s := range c.series {
		n := min(len(s.X), len(s.Y))
		data := make([]opts.LineData, n)
		for j := range n {
			data[j] = opts.LineData{Value: []float64{s.X[j], s.Y[j]}}
		}
		o := []charts.SeriesOpts{charts.WithItemStyleOpts(opts.ItemStyle{Color: seriesColor(i)})}
		if s.Dashed {
			style, color := c.referenceStyle(s)
			o = append(o,
				charts.WithLineStyleOpts(opts.LineStyle{Type: style, Color: color}),
				charts.WithItemStyleOpts(opts.ItemStyle{Color: color}),
				charts.WithLineChartOpts(opts.LineChart{ShowSymbol: opts.Bool(false)}))
		}
		l.AddSeries(s.Name, data, o...)
	}
	return l
}

// referenceStyle tells apart the dashed lines of one chart (a speedup's
// ideal for waiting and for computing): the first dashed, the next dotted.
func (c *Chart) referenceStyle(s Series) (style, color string) {
	k := 0
	for _, o := range c.series {
		if o.Name == s.Name {
			break
		}
		if o.Dashed {
			k++
		}
	}
	if k%2 == 1 {
		return "dotted", "#333333"
	}
	return "dashed", "#777777"
}

// renderItem draws one task as a rectangle from its start to its end in
// its worker's lane, clipped to the plot area. It uses only the api object,
// not the echarts global, which is absent where echarts loads through AMD.
const renderItem = `function (params, api) {
	var lane = api.value(0);
	var a = api.coord([api.value(1), lane]);
	var b = api.coord([api.value(2), lane]);
	var h = api.size([0, 1])[1] * 0.7;
	var cs = params.coordSys;
	var x0 = Math.max(a[0], cs.x), x1 = Math.min(b[0], cs.x + cs.width);
	if (x0 > x1) { return null; }
	return {type: 'rect', shape: {x: x0, y: a[1] - h / 2, width: Math.max(x1 - x0, 1), height: h}, style: api.style()};
}`

// jsQuote writes s as a single-quoted JavaScript string for a function's
// code, with "<" escaped so that it cannot end the page's <script>.
func jsQuote(s string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`, "\n", `\n`, "<", `\x3c`).Replace(s) + "'"
}

func (c *Chart) timelineOption() *charts.Custom {
	cu := charts.NewCustom()
	unit := unitOf(c.XLabel)
	tooltip := fmt.Sprintf(`function (p) { var v = p.value; return 'task ' + v[3] + ' on w' + v[0] + ': ' + v[1].toFixed(3) + ' to ' + v[2].toFixed(3) + ' ' + %s + (p.name ? ' (' + p.name + ')' : ''); }`, jsQuote(unit))
	if len(c.groups) > 0 { // lanes: the lane, the group and the note say it all
		quoted := make([]string, len(c.categories))
		for i, l := range c.categories {
			quoted[i] = jsQuote(l)
		}
		lanes := "[" + strings.Join(quoted, ", ") + "]"
		tooltip = fmt.Sprintf(`function (p) { var v = p.value; return %s[v[0]] + ' ' + p.seriesName + ': ' + v[1].toFixed(3) + ' to ' + v[2].toFixed(3) + ' ' + %s + (p.name ? ' (' + p.name + ')' : ''); }`, lanes, jsQuote(unit))
	}
	g := append(c.globals(),
		charts.WithXAxisOpts(opts.XAxis{Type: "value", Min: 0}),
		charts.WithYAxisOpts(opts.YAxis{Type: "category", Data: c.categories}),
		charts.WithTooltipOpts(opts.Tooltip{Show: opts.Bool(true), Trigger: "item", Formatter: opts.FuncOpts(tooltip)}))
	cu.SetGlobalOptions(g...)
	unitF := float64(c.timeUnit)
	spans, notes := c.interactiveSpans()
	item := func(i int, s span.Span) opts.CustomData {
		d := opts.CustomData{
			Value:     []float64{float64(s.Worker), float64(s.Start) / unitF, float64(s.End) / unitF, float64(s.Task)},
			ItemStyle: &opts.ItemStyle{Color: c.groupColor(s.Task)},
		}
		if i < len(notes) {
			d.Name = notes[i]
		}
		if s.Err != "" {
			d.Name = "error: " + s.Err
			d.ItemStyle.BorderColor = "#000000"
		}
		return d
	}
	series := []string{"tasks"}
	if len(c.groups) > 0 {
		series = c.groups
	}
	data := make([][]opts.CustomData, len(series))
	for i, s := range spans {
		g := 0
		if len(c.groups) > 0 {
			g = min(max(s.Task, 0), len(c.groups)-1)
		}
		data[g] = append(data[g], item(i, s))
	}
	for g, name := range series {
		cu.AddSeries(name, data[g],
			charts.WithCustomChartOpts(opts.CustomChart{RenderItem: opts.FuncOpts(renderItem)}),
			charts.WithEncodeOpts(opts.Encode{X: []int{1, 2}, Y: 0}),
			charts.WithItemStyleOpts(opts.ItemStyle{Color: c.groupColor(g)}))
	}
	return cu
}

// maxInteractiveSpans is the most spans a timeline hands ECharts one by
// one; past it, runs of spans narrower than a pixel are merged, as in the
// static image: a trace of a contended mutex has a hundred thousand.
const maxInteractiveSpans = 2000

// interactiveSpans are the spans of a timeline as the interactive chart
// draws them, with their notes: merged as the static image merges them
// where there are too many.
func (c *Chart) interactiveSpans() ([]span.Span, []string) {
	if len(c.spans) <= maxInteractiveSpans {
		return c.spans, c.notes
	}
	return c.mergedSpans()
}

// mergedSpans merges each run of neighbouring spans in a lane narrower
// than a pixel into one span of the group that took most of its time:
// the picture is the same, and its data small even for a hundred thousand
// spans.
func (c *Chart) mergedSpans() ([]span.Span, []string) {
	var end time.Duration
	for _, s := range c.spans {
		end = max(end, s.End)
	}
	px := end / 800 // about a pixel of the plot
	order := make([]int, len(c.spans))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int {
		sa, sb := c.spans[a], c.spans[b]
		if sa.Worker != sb.Worker {
			return sa.Worker - sb.Worker
		}
		return int(sa.Start - sb.Start)
	})
	var out []span.Span
	var notes []string
	var count int
	var held map[int]time.Duration // time per group in the current run
	flush := func() {
		if count > 1 {
			best := out[len(out)-1].Task
			for g, d := range held {
				if d > held[best] || (d == held[best] && g < best) {
					best = g
				}
			}
			out[len(out)-1].Task = best
			notes[len(notes)-1] = fmt.Sprintf("%d stretches too short to draw apart, mostly %s", count, c.groupName(best))
		}
	}
	for _, i := range order {
		s := c.spans[i]
		if n := len(out); n > 0 {
			last := &out[n-1]
			if last.Worker == s.Worker && s.Err == "" && last.Err == "" && s.End-s.Start < px && last.End-last.Start < 4*px && s.Start-last.End < px {
				last.End = max(last.End, s.End)
				held[s.Task] += s.End - s.Start
				count++
				continue
			}
		}
		flush()
		out = append(out, s)
		note := ""
		if i < len(c.notes) {
			note = c.notes[i]
		}
		notes = append(notes, note)
		count, held = 1, map[int]time.Duration{s.Task: s.End - s.Start}
	}
	flush()
	return out, notes
}

// binItem draws one histogram bin, [lower, upper) up to its count, on a
// numeric axis (as the static image does), with the count above it when
// the bins carry labels (value 3 is 1).
const binItem = `function (params, api) {
	var a = api.coord([api.value(0), api.value(2)]);
	var b = api.coord([api.value(1), 0]);
	var rect = {type: 'rect', shape: {x: a[0] + 0.5, y: a[1], width: Math.max(b[0] - a[0] - 1, 1), height: b[1] - a[1]}, style: api.style()};
	if (!api.value(3)) { return rect; }
	var label = {type: 'text', x: (a[0] + b[0]) / 2, y: a[1] - 3, style: {text: String(api.value(2)), fill: '#333333', font: '11px sans-serif', textAlign: 'center', textVerticalAlign: 'bottom'}};
	return {type: 'group', children: [rect, label]};
}`

func (c *Chart) histogramOption() *charts.Custom {
	cu := charts.NewCustom()
	unit := unitOf(c.XLabel)
	tooltip := fmt.Sprintf(`function (p) { var v = p.value; return v[0] + '–' + v[1] + ' ' + %s + ': ' + v[2]; }`, jsQuote(unit))
	g := append(c.globals(),
		charts.WithXAxisOpts(opts.XAxis{Type: "value"}),
		charts.WithYAxisOpts(opts.YAxis{Type: "value"}),
		charts.WithTooltipOpts(opts.Tooltip{Show: opts.Bool(true), Trigger: "item", Formatter: opts.FuncOpts(tooltip)}))
	cu.SetGlobalOptions(g...)
	if len(c.series) == 0 {
		return cu
	}
	labels := 0.0
	if c.valueLabels() {
		labels = 1
	}
	var data []opts.CustomData
	for i, n := range c.series[0].Y {
		show := labels
		if n == 0 {
			show = 0
		}
		data = append(data, opts.CustomData{Value: []float64{c.bins[i], c.bins[i+1], n, show}})
	}
	cu.AddSeries(c.series[0].Name, data,
		charts.WithCustomChartOpts(opts.CustomChart{RenderItem: opts.FuncOpts(binItem)}),
		charts.WithEncodeOpts(opts.Encode{X: []int{0, 1}, Y: 2}),
		charts.WithItemStyleOpts(opts.ItemStyle{Color: seriesColor(0)}))
	return cu
}

// layout sets what go-echarts leaves to ECharts, where ECharts would
// clip or crowd: a title that wraps and the room it takes; the legend
// below it; a grid that holds its tick labels (containLabel), with room
// for the axis names; the axes' ranges and ticks, the same as the static
// image's; all category labels, wrapped or slanted; lane labels thinned;
// dashed references on bars.
func (c *Chart) layout(o map[string]any) {
	w, _ := c.size()
	width := float64(w - 40)
	sub := c.subtitle()
	title := map[string]any{"text": c.Title, "left": "center", "top": 6,
		"textStyle": map[string]any{"fontSize": titlePx, "lineHeight": titlePx + 6, "width": width, "overflow": "break"}}
	if sub != "" {
		title["subtext"] = sub
		title["subtextStyle"] = map[string]any{"fontSize": subtitlePx, "lineHeight": subtitlePx + 4, "width": width, "overflow": "break"}
	}
	o["title"] = title
	// White, like the static image: the chart's dark ink stays legible when
	// the page around it is dark (JupyterLab Dark, a dark GitHub theme).
	o["backgroundColor"] = "#ffffff"
	t, s := c.titleLines()
	o["legend"] = map[string]any{"show": len(c.legendNames()) > 0, "top": 12 + t*(titlePx+6) + s*(subtitlePx+4) + 6,
		"left": "center", "width": width, "itemGap": 14, "textStyle": map[string]any{"fontSize": axisPx}}

	x, y := c.axes()
	o["xAxis"], o["yAxis"] = []any{x}, []any{y}
	grid := map[string]any{"top": c.headHeight(), "right": 28, "containLabel": true, "left": 10, "bottom": 8}
	if c.YLabel != "" {
		grid["left"] = 10 + axisPx + 6 // the rotated name, left of the tick labels
	}
	if c.XLabel != "" {
		grid["bottom"] = 8 + axisPx + 6
	}
	o["grid"] = []any{grid}

	if c.kind == kindBars {
		c.barReferences(o)
		legendIcons(o, c.series)
		styleLabels(o, c.verticalLabels())
	}
}

// axes returns the x and y axes of the option.
func (c *Chart) axes() (x, y map[string]any) {
	name := func(label string, gap float64) map[string]any {
		return map[string]any{"name": label, "nameLocation": "middle", "nameGap": math.Ceil(gap),
			"nameTextStyle": map[string]any{"fontSize": axisPx}, "axisLabel": map[string]any{"fontSize": axisPx}}
	}
	valueGap := float64(axisPx + 8 + 6) // under a row of tick labels
	switch c.kind {
	case kindBars:
		labels, rotate := c.categoryLabels()
		x = name(c.XLabel, c.categoryLabelHeight()+8+6)
		x["type"], x["data"] = "category", labels
		label := x["axisLabel"].(map[string]any)
		label["interval"] = 0            // every category, however many
		label["lineHeight"] = axisPx + 3 // as categoryLabelHeight reckons a wrapped label
		if rotate {
			label["rotate"] = 30
		}
		sc := c.yScale()
		y = name(c.YLabel, c.tickWidth(sc)+8+8)
		setScale(y, sc)
	case kindHistogram:
		x = name(c.XLabel, valueGap)
		x["type"] = "value"
		setScale(x, c.xBins())
		sc := c.yScale()
		y = name(c.YLabel, c.tickWidth(sc)+8+8)
		setScale(y, sc)
	case kindLines:
		x = name(c.XLabel, valueGap)
		setScale(x, c.xScale())
		sc := c.yScale()
		y = name(c.YLabel, c.tickWidth(sc)+8+8)
		setScale(y, sc)
	case kindTimeline:
		x = name(c.XLabel, valueGap)
		setScale(x, c.xTime())
		step := c.laneStep()
		widest := 0.0
		for i, l := range c.categories {
			if i%step == 0 {
				widest = max(widest, textWidth(l, axisPx))
			}
		}
		y = name(c.YLabel, widest*1.1+8+8)
		y["type"], y["data"] = "category", c.categories
		y["axisLabel"].(map[string]any)["interval"] = step - 1
	}
	return x, y
}

// setScale gives an ECharts axis the range and ticks of sc.
func setScale(axis map[string]any, sc scale) {
	sc = sc.tidy()
	axis["min"], axis["max"] = sc.min, sc.max
	if sc.log {
		axis["type"], axis["logBase"] = "log", sc.base
		axis["minorTick"] = map[string]any{"show": sc.base == 10}
		return
	}
	axis["type"], axis["interval"] = "value", sc.step
}

// tickWidth is the width in CSS pixels of the widest labelled tick of sc.
func (c *Chart) tickWidth(sc scale) float64 {
	w := 0.0
	for _, t := range sc.ticks() {
		w = max(w, textWidth(t.label, axisPx))
	}
	return w * 1.1
}

// dashIcon draws a dashed line as a legend icon. ECharts stretches a path
// to the icon's box (25 by 14): two specks at the corners keep the dashes
// thin and centred.
const dashIcon = "path://M0,0h0.1v0.1h-0.1zM24.9,13.9h0.1v0.1h-0.1zM0,6h6v2h-6zM9.5,6h6v2h-6zM19,6h6v2h-6z"

// legendIcons gives the dashed series of a bar chart a dashed icon in the
// legend, where ECharts would draw a custom series as a block.
func legendIcons(o map[string]any, series []Series) {
	legend, _ := o["legend"].(map[string]any)
	if legend == nil {
		return
	}
	var data []any
	for _, s := range series {
		item := map[string]any{"name": s.Name}
		if s.Dashed {
			item["icon"] = dashIcon
		}
		data = append(data, item)
	}
	legend["data"] = data
}

// styleLabels gives the value labels of bars a white outline, so that
// they read over a reference line, and stands them on end when upright,
// reading upwards from the top of each bar.
func styleLabels(o map[string]any, upright bool) {
	series, _ := o["series"].([]any)
	for _, s := range series {
		data, _ := s.(map[string]any)["data"].([]any)
		for _, d := range data {
			item, _ := d.(map[string]any)
			if l, ok := item["label"].(map[string]any); ok {
				l["textBorderColor"], l["textBorderWidth"] = "#ffffff", 2
				if upright {
					l["rotate"], l["align"], l["verticalAlign"], l["distance"] = 90, "left", "middle", 4
				}
			}
		}
	}
}

// barReferences adds a bar chart's dashed series as custom series drawn
// across each category's band.
func (c *Chart) barReferences(o map[string]any) {
	series, _ := o["series"].([]any)
	for _, s := range c.series {
		if !s.Dashed {
			continue
		}
		var data []any
		for j, y := range s.Y {
			if j < len(c.categories) && !math.IsNaN(y) {
				data = append(data, []any{j, y})
			}
		}
		series = append(series, map[string]any{"type": "custom", "name": s.Name, "z": 1, // behind the bars and their labels
			"renderItem": string(opts.FuncOpts(barReference)), "data": data,
			"encode":    map[string]any{"x": 0, "y": 1},
			"itemStyle": map[string]any{"color": "#555555"},
			"tooltip":   map[string]any{"show": false}})
	}
	o["series"] = series
}

func (c *Chart) integerX() bool {
	for _, s := range c.series {
		for _, x := range s.X {
			if x != float64(int64(x)) {
				return false
			}
		}
	}
	return true
}
