package chart

import (
	"bytes"
	"fmt"
	"image/color"
	"math"
	"strconv"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"

	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
	"gonum.org/v1/plot/vg/vgsvg"
)

// pxToPt converts CSS pixels to the points gonum/plot measures in.
const pxToPt = 0.75

// SVG renders c as a static SVG image with gonum/plot. Fonts are named, not
// embedded, which keeps the file small.
func (c *Chart) SVG() ([]byte, error) {
	w, h := c.size()
	canvas := vgsvg.New(vg.Length(float64(w)*pxToPt), vg.Length(float64(h)*pxToPt))
	if _, err := c.draw(canvas); err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if _, err := canvas.WriteTo(&buf); err != nil {
		return nil, fmt.Errorf("chart: encoding the image: %w", err)
	}
	return fixFonts(buf.Bytes()), nil
}

// pngDPI draws PNG images at twice the CSS pixel density (96 dpi), so they
// stay crisp on high-DPI screens.
const pngDPI = 2 * 96

// PNG renders c as a static PNG image, the same picture as SVG, at twice
// the pixels of the chart's CSS size. It is the fallback notebooks carry:
// a PNG shows in every notebook viewer, where SVG images are sometimes
// dropped for security.
func (c *Chart) PNG() ([]byte, error) {
	png, _, err := c.png()
	return png, err
}

// png renders the PNG image and returns the boxes of the text it holds.
func (c *Chart) png() ([]byte, []textBox, error) {
	w, h := c.size()
	canvas := vgimg.NewWith(vgimg.UseWH(vg.Length(float64(w)*pxToPt), vg.Length(float64(h)*pxToPt)), vgimg.UseDPI(pngDPI))
	boxes, err := c.draw(canvas)
	if err != nil {
		return nil, nil, err
	}
	var buf bytes.Buffer
	if _, err := (palettedPNG{canvas}).WriteTo(&buf); err != nil {
		return nil, nil, fmt.Errorf("chart: encoding the image: %w", err)
	}
	return buf.Bytes(), boxes, nil
}

// Text sizes of the static image, in points: the same pixels as ECharts'.
var (
	titlePt = vg.Length(titlePx * pxToPt)
	axisPt  = vg.Length(axisPx * pxToPt)
	valuePt = vg.Length(valuePx * pxToPt)
)

// draw plots c onto canvas and returns the box of every text it wrote.
func (c *Chart) draw(canvas vg.CanvasSizer) (boxes []textBox, err error) {
	// gonum/plot panics on some degenerate input; a chart must not take the
	// program that draws it down with it.
	defer func() {
		if v := recover(); v != nil {
			boxes, err = nil, fmt.Errorf("chart: drawing %s %q: %v", c.Kind(), c.Title, v)
		}
	}()
	rec := newRecorder(canvas)
	w, _ := c.size()
	dc := draw.New(rec)
	dc.SetColor(color.White)
	dc.Fill(dc.Rectangle.Path())

	p := plot.New()
	sansSerif(p)
	title := c.Title
	if sub := c.subtitle(); sub != "" {
		title += "\n" + sub
	}
	p.Title.Text = wrap(title, p.Title.TextStyle, vg.Length(float64(w)*pxToPt*0.95))
	p.Title.Padding = vg.Points(8)
	p.X.Label.Text = c.XLabel
	p.Y.Label.Text = c.YLabel

	var legend []legendEntry
	switch c.kind {
	case kindBars:
		legend, err = c.plotBars(p)
	case kindHistogram:
		err = c.plotHistogram(p)
	case kindLines:
		legend, err = c.plotLines(p)
	case kindTimeline:
		err = c.plotTimeline(p)
		legend = c.laneLegend()
	}
	if err != nil {
		return nil, err
	}

	// The legend goes in rows below the plot, so that it never hides data.
	margin := vg.Points(6)
	plotArea := draw.Crop(dc, margin, -margin-vg.Points(4), margin, -margin)
	if len(legend) > 0 {
		rows := legendRowsOf(legend, float64(w-40))
		strip := vg.Length(len(rows))*vg.Points(16) + vg.Points(8)
		plotArea = draw.Crop(dc, margin, -margin-vg.Points(4), strip, -margin)
		drawLegend(draw.Crop(dc, 0, 0, vg.Points(4), -(dc.Max.Y-dc.Min.Y-strip)), rows)
	}
	p.Draw(plotArea)
	return rec.boxes, nil
}

func (c *Chart) subtitle() string {
	if c.note != "" {
		return strings.TrimSpace(c.Subtitle + " (" + c.note + ")")
	}
	return c.Subtitle
}

// wrap breaks each line of s at spaces so that none is wider than width.
func wrap(s string, style text.Style, width vg.Length) string {
	var out []string
	for _, line := range strings.Split(s, "\n") {
		out = append(out, wrapWords(line, func(s string) bool { return style.Rectangle(s).Size().X <= width })...)
	}
	return strings.Join(out, "\n")
}

// fixFonts adds generic fallbacks to the font families vgsvg names, so a
// machine without the Liberation fonts still draws a sans-serif face.
func fixFonts(svg []byte) []byte {
	for _, fam := range []string{"Liberation Sans", "Liberation Serif", "Liberation Mono"} {
		generic := "sans-serif"
		switch {
		case strings.HasSuffix(fam, "Serif"):
			generic = "serif"
		case strings.HasSuffix(fam, "Mono"):
			generic = "monospace"
		}
		svg = bytes.ReplaceAll(svg, []byte("font-family:"+fam+";"),
			[]byte("font-family:'"+fam+"',Arial,Helvetica,"+generic+";"))
	}
	return svg
}

type legendEntry struct {
	name  string
	thumb plot.Thumbnailer
}

// legendRowsOf lays the entries out in rows as the interactive legend does.
func legendRowsOf(entries []legendEntry, width float64) [][]legendEntry {
	names := make([]string, len(entries))
	for i, e := range entries {
		names[i] = e.name
	}
	var rows [][]legendEntry
	k := 0
	for _, r := range legendRows(names, width) {
		rows = append(rows, entries[k:k+len(r)])
		k += len(r)
	}
	return rows
}

// drawLegend lays the rows out centred, the first at the top of c.
func drawLegend(c draw.Canvas, rows [][]legendEntry) {
	l := plot.NewLegend()
	l.TextStyle.Font = font.From(sansSerifFont, axisPt)
	gap := vg.Points(14)
	rowHeight := vg.Points(16)
	for r, row := range rows {
		widths := make([]vg.Length, len(row))
		var total vg.Length
		for i, e := range row {
			widths[i] = l.ThumbnailWidth + l.TextStyle.Rectangle(" "+e.name).Size().X + l.TextStyle.Font.Size
			total += widths[i] + gap
		}
		total -= gap
		x := c.Min.X + max((c.Max.X-c.Min.X-total)/2, 0)
		line := draw.Crop(c, 0, 0, c.Max.Y-c.Min.Y-rowHeight*vg.Length(r+1), -rowHeight*vg.Length(r))
		for i, e := range row {
			one := plot.NewLegend()
			one.TextStyle = l.TextStyle
			one.Top, one.Left = true, true
			one.Add(e.name, e.thumb)
			one.Draw(draw.Crop(line, x-line.Min.X, -(line.Max.X - x - widths[i]), 0, 0))
			x += widths[i] + gap
		}
	}
}

func (c *Chart) plotBars(p *plot.Plot) ([]legendEntry, error) {
	var bars []Series
	for _, s := range c.series {
		if !s.Dashed {
			bars = append(bars, s)
		}
	}
	if len(c.series) == 0 || len(c.categories) == 0 {
		return nil, nil
	}
	p.Add(horizontalGrid())
	n := max(len(bars), 1)
	w, _ := c.size()
	groupPt := float64(w) * pxToPt * 0.8 / float64(len(c.categories))
	barWidth := vg.Length(groupPt * 0.8 / float64(n))
	// References first, behind the bars and their labels.
	legend := make([]legendEntry, len(c.series))
	for i, s := range c.series {
		if s.Dashed {
			ref := &bandLines{values: s.Y}
			p.Add(ref)
			legend[i] = legendEntry{s.Name, ref}
		}
	}
	k := 0
	for i, s := range c.series {
		if s.Dashed {
			continue
		}
		vals := make(plotter.Values, len(c.categories))
		copy(vals, s.Y)
		b, err := plotter.NewBarChart(vals, barWidth)
		if err != nil {
			return nil, fmt.Errorf("chart: series %q: %w", s.Name, err)
		}
		b.Color = parseColor(seriesColor(i))
		b.LineStyle.Width = 0
		b.Offset = barWidth * vg.Length(float64(k)-float64(n-1)/2)
		k++
		p.Add(b)
		if c.valueLabels() {
			if err := c.addBarLabels(p, vals, b.Offset); err != nil {
				return nil, err
			}
		}
		legend[i] = legendEntry{s.Name, b}
	}
	labels, rotate := c.categoryLabels()
	p.NominalX(labels...)
	// NominalX moves the data right by half the first label, for fear of
	// the y axis; the half group left of the first bars is room enough,
	// except for a slanted label, which reaches left by its whole width.
	p.Y.Padding = vg.Points(2)
	if rotate {
		p.X.Tick.Label.Rotation = math.Pi / 6
		p.X.Tick.Label.XAlign = text.XRight
		p.X.Tick.Label.YAlign = text.YCenter
		reach := textWidth(labels[0], axisPx)*math.Cos(math.Pi/6) - c.plotWidth()/float64(2*len(labels))
		p.Y.Padding = vg.Length(max(reach, 0)*pxToPt) + vg.Points(2)
	}
	// Room for the outer bars of the first and last groups.
	p.X.Min, p.X.Max = -0.5, float64(len(c.categories))-0.5
	setAxis(&p.Y, c.yScale())
	if len(c.legendNames()) == 0 {
		legend = nil
	}
	return legend, nil
}

// bandLines draws a dashed line across each category's band of a bar
// chart: the static form of a dashed series (an ideal) on bars.
type bandLines struct{ values []float64 }

func (b *bandLines) Plot(c draw.Canvas, p *plot.Plot) {
	tx, ty := p.Transforms(&c)
	for i, v := range b.values {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			continue
		}
		y := ty(v)
		c.StrokeLine2(referenceLine(), tx(float64(i)-0.5), y, tx(float64(i)+0.5), y)
	}
}

func (b *bandLines) Thumbnail(c *draw.Canvas) {
	y := c.Center().Y
	c.StrokeLine2(referenceLine(), c.Min.X, y, c.Max.X, y)
}

func referenceLine() draw.LineStyle {
	return draw.LineStyle{Color: color.Gray{Y: 0x55}, Width: vg.Points(1.5), Dashes: []vg.Length{vg.Points(4.5), vg.Points(3)}}
}

// horizontalGrid draws the value axis's grid lines only: lines down
// through bars or lanes would cut them.
func horizontalGrid() *plotter.Grid {
	g := plotter.NewGrid()
	g.Vertical.Color = nil
	return g
}

// plotHistogram draws the bins on a numeric axis with gonum's histogram.
func (c *Chart) plotHistogram(p *plot.Plot) error {
	p.Add(horizontalGrid())
	if len(c.series) == 0 {
		return nil
	}
	counts := c.series[0].Y
	h := &plotter.Histogram{Width: c.bins[1] - c.bins[0], FillColor: parseColor(seriesColor(0))}
	h.LineStyle.Width = vg.Points(0.5)
	h.LineStyle.Color = color.White
	var xys plotter.XYs
	var labels []string
	for i, n := range counts {
		h.Bins = append(h.Bins, plotter.HistogramBin{Min: c.bins[i], Max: c.bins[i+1], Weight: n})
		if l := c.valueLabel(n); l != "" && c.valueLabels() {
			xys = append(xys, plotter.XY{X: (c.bins[i] + c.bins[i+1]) / 2, Y: n})
			labels = append(labels, l)
		}
	}
	p.Add(h)
	if len(labels) > 0 {
		l, err := plotter.NewLabels(plotter.XYLabels{XYs: xys, Labels: labels})
		if err != nil {
			return fmt.Errorf("chart: bin labels: %w", err)
		}
		for i := range l.TextStyle {
			l.TextStyle[i].Font = font.From(sansSerifFont, valuePt)
			l.TextStyle[i].XAlign = text.XCenter
		}
		l.Offset = vg.Point{Y: vg.Points(2)}
		p.Add(l)
	}
	setAxis(&p.X, c.xBins())
	setAxis(&p.Y, c.yScale())
	return nil
}

// setAxis gives a gonum axis the range and ticks of sc, as setScale gives
// them to the interactive chart.
func setAxis(a *plot.Axis, sc scale) {
	sc = sc.tidy()
	a.Min, a.Max = sc.min, sc.max
	if sc.log {
		a.Scale = plot.LogScale{}
	}
	var ts []plot.Tick
	for _, t := range sc.ticks() {
		ts = append(ts, plot.Tick{Value: t.value, Label: t.label})
	}
	a.Tick.Marker = plot.ConstantTicks(ts)
}

// sansSerif sets every text of p in Liberation Sans (gonum/plot's default
// is the serif face), at the sizes the interactive chart uses.
func sansSerif(p *plot.Plot) {
	set := func(f *font.Font, size vg.Length) { *f = font.From(sansSerifFont, size) }
	set(&p.Title.TextStyle.Font, titlePt)
	set(&p.X.Label.TextStyle.Font, axisPt)
	set(&p.Y.Label.TextStyle.Font, axisPt)
	set(&p.X.Tick.Label.Font, axisPt)
	set(&p.Y.Tick.Label.Font, axisPt)
	set(&p.Legend.TextStyle.Font, axisPt)
}

func (c *Chart) plotLines(p *plot.Plot) ([]legendEntry, error) {
	p.Add(plotter.NewGrid())
	var legend []legendEntry
	for i, s := range c.series {
		n := min(len(s.X), len(s.Y))
		pts := make(plotter.XYs, n)
		for j := range n {
			pts[j] = plotter.XY{X: s.X[j], Y: s.Y[j]}
		}
		l, sc, err := plotter.NewLinePoints(pts)
		if err != nil {
			return nil, fmt.Errorf("chart: series %q: %w", s.Name, err)
		}
		col := parseColor(seriesColor(i))
		l.Color, l.Width = col, vg.Points(2)
		sc.Color, sc.Shape, sc.Radius = col, draw.CircleGlyph{}, vg.Points(3)
		if s.Dashed {
			style, hex := c.referenceStyle(s)
			l.Color = parseColor(hex)
			l.Width = vg.Points(1.5)
			l.Dashes = []vg.Length{vg.Points(6), vg.Points(4)}
			if style == "dotted" {
				l.Dashes = []vg.Length{vg.Points(1.5), vg.Points(3)}
			}
			p.Add(l)
			legend = append(legend, legendEntry{s.Name, l})
			continue
		}
		p.Add(l, sc)
		legend = append(legend, legendEntry{s.Name, l})
	}
	setAxis(&p.X, c.xScale())
	setAxis(&p.Y, c.yScale())
	if len(c.legendNames()) == 0 {
		legend = nil
	}
	return legend, nil
}

func (c *Chart) plotTimeline(p *plot.Plot) error {
	p.Add(horizontalGrid())
	lanes := max(len(c.categories), 1)
	sp := &spanPlotter{lanes: lanes, unit: float64(c.timeUnit)}
	var end float64
	for _, s := range c.spans {
		end = max(end, float64(s.End)/sp.unit)
	}
	merged, _ := c.mergedSpans()
	for _, s := range merged {
		r := rect{lane: s.Worker, start: float64(s.Start) / sp.unit, end: float64(s.End) / sp.unit, color: parseColor(c.groupColor(s.Task))}
		if s.Err != "" {
			r.color = color.Black
		}
		sp.rects = append(sp.rects, r)
	}
	sp.xmax = math.Max(end, 1e-9)
	p.Add(sp)
	if n := len(c.categories); n > 0 {
		// Past what the height holds, lane names overprint each other:
		// label every step-th lane (as the interactive chart does) and
		// leave a bare tick on the others.
		step := c.laneStep()
		ticks := make([]plot.Tick, n)
		for i := range ticks {
			ticks[i].Value = float64(i)
			if i%step == 0 {
				ticks[i].Label = c.categories[i]
			}
		}
		p.Y.Tick.Marker = plot.ConstantTicks(ticks)
		p.Y.Min, p.Y.Max = -0.5, float64(n)-0.5
	}
	setAxis(&p.X, c.xTime())
	return nil
}

// rect is one bar of the static timeline, in axis units.
type rect struct {
	lane       int
	start, end float64
	color      color.Color
}

// spanPlotter draws a timeline: a gonum/plot Plotter and DataRanger.
type spanPlotter struct {
	lanes int
	unit  float64
	xmax  float64
	rects []rect
}

func (sp *spanPlotter) DataRange() (xmin, xmax, ymin, ymax float64) {
	return 0, sp.xmax, -0.5, float64(sp.lanes) - 0.5
}

func (sp *spanPlotter) Plot(c draw.Canvas, p *plot.Plot) {
	tx, ty := p.Transforms(&c)
	for _, r := range sp.rects {
		x0, x1 := tx(r.start), tx(r.end)
		if x1-x0 < 0.5 {
			x1 = x0 + 0.5
		}
		y0, y1 := ty(float64(r.lane)-0.35), ty(float64(r.lane)+0.35)
		c.FillPolygon(r.color, []vg.Point{{X: x0, Y: y0}, {X: x1, Y: y0}, {X: x1, Y: y1}, {X: x0, Y: y1}})
	}
}

func parseColor(hex string) color.Color {
	v, err := strconv.ParseUint(strings.TrimPrefix(hex, "#"), 16, 32)
	if err != nil {
		return color.Black
	}
	return color.RGBA{R: uint8(v >> 16), G: uint8(v >> 8), B: uint8(v), A: 0xff}
}

// addBarLabels writes each bar's value above it, so that a bar too short to
// see still says what it measures; upright when it is wider than the bar.
func (c *Chart) addBarLabels(p *plot.Plot, vals plotter.Values, offset vg.Length) error {
	xys := make(plotter.XYs, len(vals))
	labels := make([]string, len(vals))
	for i, v := range vals {
		xys[i] = plotter.XY{X: float64(i), Y: v}
		labels[i] = c.valueLabel(v)
	}
	l, err := plotter.NewLabels(plotter.XYLabels{XYs: xys, Labels: labels})
	if err != nil {
		return fmt.Errorf("chart: bar labels: %w", err)
	}
	vertical := c.verticalLabels()
	for i := range l.TextStyle {
		l.TextStyle[i].Font = font.From(sansSerifFont, valuePt)
		l.TextStyle[i].XAlign = text.XCenter
		if vertical {
			l.TextStyle[i].Rotation = math.Pi / 2
			l.TextStyle[i].XAlign = text.XLeft
			l.TextStyle[i].YAlign = text.YCenter
		}
	}
	l.Offset = vg.Point{X: offset, Y: vg.Points(2)}
	p.Add(l)
	return nil
}
