package chart

import (
	"bytes"
	"fmt"
	"image/color"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"

	"github.com/go-parallelism/go-parallelism/lib/span"
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
	svg, err := c.draw(vgsvg.New(vg.Length(float64(w)*pxToPt), vg.Length(float64(h)*pxToPt)))
	if err != nil {
		return nil, err
	}
	return fixFonts(svg), nil
}

// pngDPI draws PNG images at twice the CSS pixel density (96 dpi), so they
// stay crisp on high-DPI screens.
const pngDPI = 2 * 96

// PNG renders c as a static PNG image, the same picture as SVG, at twice
// the pixels of the chart's CSS size. It is the fallback notebooks carry:
// a PNG shows in every notebook viewer, where SVG images are sometimes
// dropped for security.
func (c *Chart) PNG() ([]byte, error) {
	w, h := c.size()
	canvas := vgimg.NewWith(vgimg.UseWH(vg.Length(float64(w)*pxToPt), vg.Length(float64(h)*pxToPt)), vgimg.UseDPI(pngDPI))
	return c.draw(palettedPNG{canvas})
}

// draw plots c onto canvas and returns the encoded image.
func (c *Chart) draw(canvas interface {
	vg.CanvasSizer
	io.WriterTo
}) (out []byte, err error) {
	// gonum/plot panics on some degenerate input; a chart must not take the
	// program that draws it down with it.
	defer func() {
		if v := recover(); v != nil {
			out, err = nil, fmt.Errorf("chart: drawing %s %q: %v", c.Kind(), c.Title, v)
		}
	}()
	w, _ := c.size()
	dc := draw.New(canvas)
	dc.SetColor(color.White)
	dc.Fill(dc.Rectangle.Path())

	p := plot.New()
	sansSerif(p)
	p.Title.TextStyle.Font.Size = vg.Points(12)
	title := c.Title
	if sub := c.subtitle(); sub != "" {
		title += "\n" + sub
	}
	p.Title.Text = wrap(title, p.Title.TextStyle, vg.Length(float64(w)*pxToPt*0.95))
	p.Title.Padding = vg.Points(8)
	p.X.Label.Text = c.XLabel
	p.Y.Label.Text = c.YLabel
	p.Add(plotter.NewGrid())

	var legend []legendEntry
	switch c.kind {
	case kindBars:
		legend, err = c.plotBars(p)
	case kindHistogram:
		c.plotHistogram(p)
	case kindLines:
		legend, err = c.plotLines(p)
	case kindTimeline:
		err = c.plotTimeline(p)
		legend = c.laneLegend()
	}
	if err != nil {
		return nil, err
	}

	// The legend goes in a strip below the plot, one row, so that it never
	// hides data.
	plotArea := dc
	if len(legend) > 0 {
		strip := vg.Points(22)
		plotArea = draw.Crop(dc, vg.Points(6), -vg.Points(10), strip, -vg.Points(6))
		drawLegend(draw.Crop(dc, 0, 0, 0, -(dc.Max.Y-dc.Min.Y-strip)), legend)
	} else {
		plotArea = draw.Crop(dc, vg.Points(6), -vg.Points(10), vg.Points(6), -vg.Points(6))
	}
	p.Draw(plotArea)

	var buf bytes.Buffer
	if _, err := canvas.WriteTo(&buf); err != nil {
		return nil, fmt.Errorf("chart: encoding the image: %w", err)
	}
	return buf.Bytes(), nil
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
		cur := ""
		for _, word := range strings.Fields(line) {
			next := strings.TrimSpace(cur + " " + word)
			if cur != "" && style.Rectangle(next).Size().X > width {
				out = append(out, cur)
				next = word
			}
			cur = next
		}
		out = append(out, cur)
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

// drawLegend lays the entries out in one centred row.
func drawLegend(c draw.Canvas, entries []legendEntry) {
	l := plot.NewLegend()
	l.TextStyle.Font = font.From(font.Font{Typeface: "Liberation", Variant: "Sans"}, vg.Points(10))
	gap := vg.Points(14)
	widths := make([]vg.Length, len(entries))
	var total vg.Length
	for i, e := range entries {
		widths[i] = l.ThumbnailWidth + l.TextStyle.Rectangle(" "+e.name).Size().X + l.TextStyle.Font.Size
		total += widths[i] + gap
	}
	x := c.Min.X + max((c.Max.X-c.Min.X-total)/2, 0)
	for i, e := range entries {
		one := plot.NewLegend()
		one.TextStyle = l.TextStyle
		one.Top, one.Left = true, true
		one.Add(e.name, e.thumb)
		one.Draw(draw.Crop(c, x-c.Min.X, -(c.Max.X - x - widths[i]), 0, 0))
		x += widths[i] + gap
	}
}

func (c *Chart) plotBars(p *plot.Plot) ([]legendEntry, error) {
	n := len(c.series)
	if n == 0 || len(c.categories) == 0 {
		return nil, nil
	}
	w, _ := c.size()
	groupPt := float64(w) * pxToPt * 0.8 / float64(len(c.categories))
	barWidth := vg.Length(groupPt * 0.8 / float64(n))
	var legend []legendEntry
	for i, s := range c.series {
		vals := make(plotter.Values, len(c.categories))
		copy(vals, s.Y)
		b, err := plotter.NewBarChart(vals, barWidth)
		if err != nil {
			return nil, fmt.Errorf("chart: series %q: %w", s.Name, err)
		}
		b.Color = parseColor(seriesColor(i))
		b.LineStyle.Width = 0
		b.Offset = barWidth * vg.Length(float64(i)-float64(n-1)/2)
		p.Add(b)
		if c.valueLabels() {
			if err := addBarLabels(p, vals, b.Offset); err != nil {
				return nil, err
			}
		}
		legend = append(legend, legendEntry{s.Name, b})
	}
	p.NominalX(c.categories...)
	if c.crowded() {
		p.X.Tick.Label.Rotation = math.Pi / 6
		p.X.Tick.Label.XAlign = text.XRight
		p.X.Tick.Label.YAlign = text.YCenter
	}
	// Room for the outer bars of the first and last groups.
	p.X.Min, p.X.Max = -0.5, float64(len(c.categories))-0.5
	headroom(p)
	return legend, nil
}

// plotHistogram draws the bins on a numeric axis with gonum's histogram.
func (c *Chart) plotHistogram(p *plot.Plot) {
	if len(c.series) == 0 {
		return
	}
	counts := c.series[0].Y
	h := &plotter.Histogram{Width: c.bins[1] - c.bins[0], FillColor: parseColor(seriesColor(0))}
	h.LineStyle.Width = vg.Points(0.5)
	h.LineStyle.Color = color.White
	for i, n := range counts {
		h.Bins = append(h.Bins, plotter.HistogramBin{Min: c.bins[i], Max: c.bins[i+1], Weight: n})
	}
	p.Add(h)
	p.X.Tick.Marker = niceTicks{}
	headroom(p)
}

// headroom starts the y axis at zero and leaves a little space above the
// highest value, with round ticks.
func headroom(p *plot.Plot) {
	p.Y.Min = 0
	p.Y.Max *= 1.08
	p.Y.Tick.Marker = niceTicks{}
}

// niceTicks labels every tick, at steps of 1, 2 or 5 times a power of ten,
// about six of them.
type niceTicks struct{}

func (niceTicks) Ticks(lo, hi float64) []plot.Tick {
	if !(hi > lo) {
		return []plot.Tick{{Value: lo, Label: strconv.FormatFloat(lo, 'g', 4, 64)}}
	}
	raw := (hi - lo) / 6
	mag := math.Pow(10, math.Floor(math.Log10(raw)))
	step := mag
	for _, m := range []float64{1, 2, 5, 10} {
		if m*mag >= raw {
			step = m * mag
			break
		}
	}
	var ts []plot.Tick
	for v := math.Ceil(lo/step) * step; v <= hi+step*1e-9; v += step {
		v = math.Round(v/step) * step // no 0.30000000000000004
		ts = append(ts, plot.Tick{Value: v, Label: strconv.FormatFloat(v, 'g', 6, 64)})
		// Unlabelled minor ticks halfway.
		if mid := v + step/2; mid < hi {
			ts = append(ts, plot.Tick{Value: mid})
		}
	}
	return ts
}

// sansSerif sets every text of p in Liberation Sans (gonum/plot's default
// is the serif face).
func sansSerif(p *plot.Plot) {
	sans := font.Font{Typeface: "Liberation", Variant: "Sans"}
	set := func(f *font.Font) { *f = font.From(sans, f.Size) }
	set(&p.Title.TextStyle.Font)
	set(&p.X.Label.TextStyle.Font)
	set(&p.Y.Label.TextStyle.Font)
	set(&p.X.Tick.Label.Font)
	set(&p.Y.Tick.Label.Font)
	set(&p.Legend.TextStyle.Font)
}

func (c *Chart) plotLines(p *plot.Plot) ([]legendEntry, error) {
	var legend []legendEntry
	var xs []float64
	for i, s := range c.series {
		n := min(len(s.X), len(s.Y))
		pts := make(plotter.XYs, n)
		for j := range n {
			pts[j] = plotter.XY{X: s.X[j], Y: s.Y[j]}
			xs = append(xs, s.X[j])
		}
		l, sc, err := plotter.NewLinePoints(pts)
		if err != nil {
			return nil, fmt.Errorf("chart: series %q: %w", s.Name, err)
		}
		col := parseColor(seriesColor(i))
		l.Color, l.Width = col, vg.Points(2)
		sc.Color, sc.Shape, sc.Radius = col, draw.CircleGlyph{}, vg.Points(3)
		if s.Dashed {
			l.Color = color.Gray{Y: 0x77}
			l.Width = vg.Points(1.5)
			l.Dashes = []vg.Length{vg.Points(6), vg.Points(4)}
			p.Add(l)
			legend = append(legend, legendEntry{s.Name, l})
			continue
		}
		p.Add(l, sc)
		legend = append(legend, legendEntry{s.Name, l})
	}
	// Ticks at the swept values (1, 2, 4, 8 workers) read better than
	// round numbers.
	slices.Sort(xs)
	xs = slices.Compact(xs)
	if len(xs) > 0 && len(xs) <= 12 {
		p.X.Tick.Marker = fixedTicks(xs)
	} else {
		p.X.Tick.Marker = niceTicks{}
	}
	headroom(p)
	return legend, nil
}

type fixedTicks []float64

func (f fixedTicks) Ticks(min, max float64) []plot.Tick {
	var ts []plot.Tick
	for _, v := range f {
		if v >= min && v <= max {
			ts = append(ts, plot.Tick{Value: v, Label: strconv.FormatFloat(v, 'g', 4, 64)})
		}
	}
	return ts
}

// maxLaneLabels is the most lane names a static timeline prints.
const maxLaneLabels = 24

func (c *Chart) plotTimeline(p *plot.Plot) error {
	lanes := max(len(c.categories), 1)
	sp := &spanPlotter{lanes: lanes, unit: float64(c.timeUnit)}
	var end float64
	for _, s := range c.spans {
		end = max(end, float64(s.End)/sp.unit)
	}
	sp.rects = mergeTiny(c.spans, sp.unit, end/800, c.groupColor)
	sp.xmax = math.Max(end, 1e-9)
	p.Add(sp)
	if n := len(c.categories); n > 0 {
		p.NominalY(c.categories...)
		// Past a couple of dozen lanes the names overprint each other:
		// label every step-th lane and leave a bare tick on the others.
		if step := (n + maxLaneLabels - 1) / maxLaneLabels; step > 1 {
			ticks := make([]plot.Tick, n)
			for i := range ticks {
				ticks[i].Value = float64(i)
				if i%step == 0 {
					ticks[i].Label = c.categories[i]
				}
			}
			p.Y.Tick.Marker = plot.ConstantTicks(ticks)
		}
	}
	p.X.Min = 0
	p.X.Tick.Marker = niceTicks{}
	return nil
}

// rect is one bar of the static timeline, in axis units.
type rect struct {
	lane       int
	start, end float64
	color      color.Color
}

// mergeTiny turns spans into rectangles, merging runs of neighbouring spans
// in a lane that are each narrower than minWidth (less than a pixel wide):
// the picture is the same and the SVG stays small even for many tasks.
func mergeTiny(spans []span.Span, unit, minWidth float64, colorOf func(int) string) []rect {
	sorted := slices.Clone(spans)
	slices.SortFunc(sorted, func(a, b span.Span) int {
		if a.Worker != b.Worker {
			return a.Worker - b.Worker
		}
		return int(a.Start - b.Start)
	})
	var out []rect
	for _, s := range sorted {
		r := rect{lane: s.Worker, start: float64(s.Start) / unit, end: float64(s.End) / unit, color: parseColor(colorOf(s.Task))}
		if s.Err != "" {
			r.color = color.Black
		}
		if n := len(out); n > 0 {
			last := &out[n-1]
			if last.lane == r.lane && r.end-r.start < minWidth && last.end-last.start < minWidth*4 && r.start-last.end < minWidth {
				last.end = max(last.end, r.end)
				continue
			}
		}
		out = append(out, r)
	}
	return out
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
// see still says what it measures.
func addBarLabels(p *plot.Plot, vals plotter.Values, offset vg.Length) error {
	xys := make(plotter.XYs, len(vals))
	labels := make([]string, len(vals))
	for i, v := range vals {
		xys[i] = plotter.XY{X: float64(i), Y: v}
		labels[i] = formatValue(v)
	}
	l, err := plotter.NewLabels(plotter.XYLabels{XYs: xys, Labels: labels})
	if err != nil {
		return fmt.Errorf("chart: bar labels: %w", err)
	}
	for i := range l.TextStyle {
		l.TextStyle[i].Font = font.From(font.Font{Typeface: "Liberation", Variant: "Sans"}, vg.Points(8))
		l.TextStyle[i].XAlign = text.XCenter
	}
	l.Offset = vg.Point{X: offset, Y: vg.Points(2)}
	p.Add(l)
	return nil
}
