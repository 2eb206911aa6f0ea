package chart

import (
	"image"
	"image/color"
	"math"

	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/vg"
)

// textBox is where the static rendering wrote a piece of text: its box in
// points, with the origin at the bottom left of the image.
type textBox struct {
	text     string
	min, max vg.Point
	// square: drawn level or upright, so that the box is the text's own,
	// not the larger box around slanted text.
	square bool
}

// recorder passes drawing on to a canvas and keeps the box of every string
// drawn, after the canvas's rotations and translations: the text metrics
// of the renderer itself, for Lint.
type recorder struct {
	vg.CanvasSizer
	m     affine
	stack []affine
	boxes []textBox
}

func newRecorder(c vg.CanvasSizer) *recorder {
	return &recorder{CanvasSizer: c, m: affine{1, 0, 0, 1, 0, 0}}
}

// affine maps (x, y) to (a x + c y + e, b x + d y + f).
type affine struct{ a, b, c, d, e, f float64 }

func (m affine) apply(x, y float64) (float64, float64) {
	return m.a*x + m.c*y + m.e, m.b*x + m.d*y + m.f
}

// then returns m followed, in local coordinates, by n: m∘n.
func (m affine) then(n affine) affine {
	return affine{
		a: m.a*n.a + m.c*n.b, b: m.b*n.a + m.d*n.b,
		c: m.a*n.c + m.c*n.d, d: m.b*n.c + m.d*n.d,
		e: m.a*n.e + m.c*n.f + m.e, f: m.b*n.e + m.d*n.f + m.f,
	}
}

func (r *recorder) Push() { r.stack = append(r.stack, r.m); r.CanvasSizer.Push() }

func (r *recorder) Pop() {
	if n := len(r.stack); n > 0 {
		r.m, r.stack = r.stack[n-1], r.stack[:n-1]
	}
	r.CanvasSizer.Pop()
}

func (r *recorder) Translate(pt vg.Point) {
	r.m = r.m.then(affine{1, 0, 0, 1, float64(pt.X), float64(pt.Y)})
	r.CanvasSizer.Translate(pt)
}

func (r *recorder) Rotate(rad float64) {
	s, c := math.Sincos(rad)
	r.m = r.m.then(affine{c, s, -s, c, 0, 0})
	r.CanvasSizer.Rotate(rad)
}

func (r *recorder) Scale(x, y float64) {
	r.m = r.m.then(affine{x, 0, 0, y, 0, 0})
	r.CanvasSizer.Scale(x, y)
}

func (r *recorder) FillString(f font.Face, pt vg.Point, text string) {
	if text != "" {
		ext := f.Extents()
		x0, x1 := float64(pt.X), float64(pt.X+f.Width(text))
		y0, y1 := float64(pt.Y-ext.Descent), float64(pt.Y+ext.Ascent)
		b := textBox{text: text, min: vg.Point{X: vg.Length(math.Inf(1)), Y: vg.Length(math.Inf(1))}, max: vg.Point{X: vg.Length(math.Inf(-1)), Y: vg.Length(math.Inf(-1))}}
		for _, corner := range [][2]float64{{x0, y0}, {x1, y0}, {x0, y1}, {x1, y1}} {
			x, y := r.m.apply(corner[0], corner[1])
			b.min.X, b.min.Y = min(b.min.X, vg.Length(x)), min(b.min.Y, vg.Length(y))
			b.max.X, b.max.Y = max(b.max.X, vg.Length(x)), max(b.max.Y, vg.Length(y))
		}
		const eps = 1e-9
		b.square = (math.Abs(r.m.b) < eps && math.Abs(r.m.c) < eps) || (math.Abs(r.m.a) < eps && math.Abs(r.m.d) < eps)
		r.boxes = append(r.boxes, b)
	}
	r.CanvasSizer.FillString(f, pt, text)
}

// nullCanvas draws nothing: Lint runs the static rendering on it for its
// text boxes alone.
type nullCanvas struct{ w, h vg.Length }

func (n nullCanvas) Size() (vg.Length, vg.Length)         { return n.w, n.h }
func (nullCanvas) SetLineWidth(vg.Length)                 {}
func (nullCanvas) SetLineDash([]vg.Length, vg.Length)     {}
func (nullCanvas) SetColor(color.Color)                   {}
func (nullCanvas) Rotate(float64)                         {}
func (nullCanvas) Translate(vg.Point)                     {}
func (nullCanvas) Scale(float64, float64)                 {}
func (nullCanvas) Push()                                  {}
func (nullCanvas) Pop()                                   {}
func (nullCanvas) Stroke(vg.Path)                         {}
func (nullCanvas) Fill(vg.Path)                           {}
func (nullCanvas) FillString(font.Face, vg.Point, string) {}
func (nullCanvas) DrawImage(vg.Rectangle, image.Image)    {}
