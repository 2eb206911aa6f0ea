package chart

import (
	"encoding/json"
	"fmt"
	"math"
	"regexp"
	"strings"

	"github.com/go-echarts/go-echarts/v2/charts"
	"github.com/go-echarts/go-echarts/v2/opts"

	"github.com/go-parallelism/go-parallelism/lib/span"
)

// funcMarker is how go-echarts marks JavaScript functions inside its JSON;
// its page template strips the quotes around them, and so does Option.
var funcMarker = regexp.MustCompile(`(__f__")|("__f__)|(__f__)`)

// Option returns the ECharts option for c as a JavaScript object literal:
// JSON, except for the functions a timeline needs (renderItem, tooltip).
func (c *Chart) Option() (string, error) {
	var raw string
	switch c.kind {
	// Validate completes the option (it puts the categories on the x axis),
	// as go-echarts does before rendering a page.
	case kindBars, kindHistogram:
		b := c.barOption()
		b.Validate()
		raw = string(b.JSONNotEscaped())
	case kindLines:
		l := c.lineOption()
		l.Validate()
		raw = string(l.JSONNotEscaped())
	case kindTimeline:
		t := c.timelineOption()
		t.Validate()
		raw = string(t.JSONNotEscaped())
	default:
		return "", fmt.Errorf("chart: unknown kind %d", c.kind)
	}
	raw, err := c.roomForTitle(raw)
	if err != nil {
		return "", err
	}
	raw = funcMarker.ReplaceAllString(strings.TrimSpace(raw), "")
	// The option goes inside a <script>, where "</script" or "<!--" in a
	// title would end or derail it: write every "<" as \u003c, which means
	// the same inside JSON strings. (The embedded functions avoid "<".)
	return strings.ReplaceAll(raw, "<", `\u003c`), nil
}

func (c *Chart) globals(legend bool) []charts.GlobalOpts {
	title := opts.Title{Title: c.Title, Subtitle: c.Subtitle, Left: "center"}
	if c.note != "" {
		title.Subtitle = strings.TrimSpace(c.Subtitle + " (" + c.note + ")")
	}
	nameStyle := func(name string, gap int) (string, string, int) { return name, "middle", gap }
	xn, xl, xg := nameStyle(c.XLabel, 28)
	yn, yl, yg := nameStyle(c.YLabel, 45)
	g := []charts.GlobalOpts{
		charts.WithTitleOpts(title),
		charts.WithColorsOpts(opts.Colors(Palette)),
		charts.WithAnimation(false),
		charts.WithGridOpts(opts.Grid{Left: "70", Right: "30", Top: "70", Bottom: "55"}),
		charts.WithXAxisOpts(opts.XAxis{Name: xn, NameLocation: xl, NameGap: xg}),
		charts.WithYAxisOpts(opts.YAxis{Name: yn, NameLocation: yl, NameGap: yg}),
		charts.WithLegendOpts(opts.Legend{Show: opts.Bool(legend), Top: "42"}),
		charts.WithTooltipOpts(opts.Tooltip{Show: opts.Bool(true), Trigger: "axis"}),
	}
	return g
}

func (c *Chart) barOption() *charts.Bar {
	b := charts.NewBar()
	g := c.globals(c.kind == kindBars && len(c.series) > 0)
	// Every category gets its label (ECharts would skip some when crowded),
	// slanted when they would not fit side by side.
	label := &opts.AxisLabel{Interval: string(opts.FuncOpts("function () { return true; }"))}
	gap := 28
	if c.crowded() {
		label.Rotate = 30
		gap = 60
	}
	g = append(g, charts.WithXAxisOpts(opts.XAxis{Name: c.XLabel, NameLocation: "middle", NameGap: gap, Type: "category", AxisLabel: label}))
	if c.crowded() {
		g = append(g, charts.WithGridOpts(opts.Grid{Left: "70", Right: "30", Top: "70", Bottom: "90"}))
	}
	b.SetGlobalOptions(g...)
	b.SetXAxis(c.categories)
	for i, s := range c.series {
		data := make([]opts.BarData, len(s.Y))
		labels := c.valueLabels()
		for j, y := range s.Y {
			data[j] = opts.BarData{Value: y}
			if labels {
				data[j].Label = &opts.Label{Show: opts.Bool(true), Position: "top", Formatter: formatValue(y)}
			}
		}
		o := []charts.SeriesOpts{charts.WithItemStyleOpts(opts.ItemStyle{Color: seriesColor(i)})}
		if c.kind == kindHistogram {
			o = append(o, charts.WithBarChartOpts(opts.BarChart{BarCategoryGap: "2%"}))
		}
		b.AddSeries(s.Name, data, o...)
	}
	return b
}

func (c *Chart) lineOption() *charts.Line {
	l := charts.NewLine()
	g := c.globals(len(c.series) > 0)
	// Whole numbers on the x axis (workers, tasks) get whole-number ticks.
	var minInterval float64
	if c.integerX() {
		minInterval = 1
	}
	g = append(g,
		charts.WithXAxisOpts(opts.XAxis{Name: c.XLabel, NameLocation: "middle", NameGap: 28, Type: "value", Scale: opts.Bool(true), MinInterval: minInterval}),
		charts.WithYAxisOpts(opts.YAxis{Name: c.YLabel, NameLocation: "middle", NameGap: 45, Type: "value"}))
	l.SetGlobalOptions(g...)
	for i, s := range c.series {
		n := min(len(s.X), len(s.Y))
		data := make([]opts.LineData, n)
		for j := range n {
			data[j] = opts.LineData{Value: []float64{s.X[j], s.Y[j]}}
		}
		o := []charts.SeriesOpts{charts.WithItemStyleOpts(opts.ItemStyle{Color: seriesColor(i)})}
		if s.Dashed {
			o = append(o,
				charts.WithLineStyleOpts(opts.LineStyle{Type: "dashed", Color: "#777777"}),
				charts.WithItemStyleOpts(opts.ItemStyle{Color: "#777777"}),
				charts.WithLineChartOpts(opts.LineChart{ShowSymbol: opts.Bool(false)}))
		}
		l.AddSeries(s.Name, data, o...)
	}
	return l
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

func (c *Chart) timelineOption() *charts.Custom {
	cu := charts.NewCustom()
	unit := strings.TrimSuffix(strings.TrimPrefix(c.XLabel, "time ("), ")")
	tooltip := fmt.Sprintf(`function (p) { var v = p.value; return 'task ' + v[3] + ' on w' + v[0] + ': ' + v[1].toFixed(3) + ' to ' + v[2].toFixed(3) + ' %s' + (p.name ? ' (' + p.name + ')' : ''); }`, unit)
	if len(c.groups) > 0 { // lanes: the lane, the group and the note say it all
		// The function travels inside a JSON string whose quotes are
		// stripped, so it may hold no double quote: single-quoted names.
		quoted := make([]string, len(c.categories))
		for i, l := range c.categories {
			quoted[i] = "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`, `"`, `\u0022`, "<", `\u003c`).Replace(l) + "'"
		}
		lanes := "[" + strings.Join(quoted, ", ") + "]"
		tooltip = fmt.Sprintf(`function (p) { var v = p.value; return %s[v[0]] + ' ' + p.seriesName + ': ' + v[1].toFixed(3) + ' to ' + v[2].toFixed(3) + ' %s' + (p.name ? ' (' + p.name + ')' : ''); }`, lanes, unit)
	}
	g := c.globals(len(c.groups) > 0)
	g = append(g,
		charts.WithXAxisOpts(opts.XAxis{Name: c.XLabel, NameLocation: "middle", NameGap: 28, Type: "value", Min: 0}),
		charts.WithYAxisOpts(opts.YAxis{Name: c.YLabel, NameLocation: "middle", NameGap: 45, Type: "category", Data: c.categories}),
		charts.WithTooltipOpts(opts.Tooltip{Show: opts.Bool(true), Trigger: "item", Formatter: opts.FuncOpts(tooltip)}))
	cu.SetGlobalOptions(g...)
	unitF := float64(c.timeUnit)
	item := func(i int, s span.Span) opts.CustomData {
		d := opts.CustomData{
			Value:     []float64{float64(s.Worker), float64(s.Start) / unitF, float64(s.End) / unitF, float64(s.Task)},
			ItemStyle: &opts.ItemStyle{Color: c.groupColor(s.Task)},
		}
		if i < len(c.notes) {
			d.Name = c.notes[i]
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
	for i, s := range c.spans {
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

// crowded tells whether the category labels are too long to stand side by
// side under the x axis.
func (c *Chart) crowded() bool {
	w, _ := c.size()
	room := float64(w-100) / float64(max(len(c.categories), 1)) // px per category
	longest := 0
	for _, cat := range c.categories {
		longest = max(longest, len([]rune(cat)))
	}
	return float64(longest)*6.5 > room*0.9 // about 6.5 px per character at 12 px
}

// Title font sizes in the interactive chart, and the width of an average
// character at those sizes, to tell how many lines a title wraps to.
const (
	titlePx, subtitlePx = 16, 12
	charEm              = 0.55
)

// roomForTitle makes a long title wrap inside the chart instead of running
// off both sides, and moves the legend and the plot down by the lines it
// takes. ECharts breaks the text itself (overflow 'break'); the line count
// here only reserves the room.
func (c *Chart) roomForTitle(raw string) (string, error) {
	var o map[string]any
	if err := json.Unmarshal([]byte(raw), &o); err != nil {
		return "", fmt.Errorf("chart: option: %w", err)
	}
	w, _ := c.size()
	width := float64(w - 40)
	lines := func(s string, px float64) int {
		if s == "" {
			return 0
		}
		n := 0
		for _, l := range strings.Split(s, "\n") {
			n += max(1, int(math.Ceil(float64(len([]rune(l)))*px*charEm/width)))
		}
		return n
	}
	sub := c.subtitle()
	titleLines, subLines := lines(c.Title, titlePx), lines(sub, subtitlePx)
	title := map[string]any{"text": c.Title, "left": "center", "top": 6,
		"textStyle": map[string]any{"fontSize": titlePx, "lineHeight": titlePx + 6, "width": width, "overflow": "break"}}
	if sub != "" {
		title["subtext"] = sub
		title["subtextStyle"] = map[string]any{"fontSize": subtitlePx, "lineHeight": subtitlePx + 4, "width": width, "overflow": "break"}
	}
	o["title"] = title
	head := 12 + titleLines*(titlePx+6) + subLines*(subtitlePx+4)
	if legend, ok := o["legend"].(map[string]any); ok {
		legend["top"] = head + 4
		if show, _ := legend["show"].(bool); show {
			head += 28
		}
	}
	// go-echarts writes one grid or a list of them.
	grids, _ := o["grid"].([]any)
	if g, ok := o["grid"].(map[string]any); ok {
		grids = []any{g}
	}
	for _, g := range grids {
		if grid, ok := g.(map[string]any); ok {
			grid["top"] = head + 24 // the top tick label and the axis name sit above the plot
		}
	}
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(o); err != nil {
		return "", fmt.Errorf("chart: option: %w", err)
	}
	return b.String(), nil
}
