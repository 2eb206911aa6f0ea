// Package contrast tells whether text is legible on its background, by the
// contrast ratio of WCAG 2 (1 for the same colour, 21 for black on white).
// The browser checks use it to find output that a dark theme makes
// unreadable: dark text on a dark page, or light text on a light box.
//
//	r, err := contrast.Ratio("rgb(70, 70, 70)", "#111111") // 2.0: illegible
package contrast

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Min is the smallest ratio counted as legible: WCAG's minimum for large
// text and for the parts of a graphic that carry meaning.
const Min = 3.0

// Color is an sRGB colour with alpha, each in [0, 1].
type Color struct{ R, G, B, A float64 }

// Parse reads a CSS colour as a browser reports it: #rgb, #rrggbb,
// #rrggbbaa, rgb(r, g, b), rgba(r, g, b, a) or "transparent".
func Parse(s string) (Color, error) {
	t := strings.ToLower(strings.TrimSpace(s))
	if t == "transparent" {
		return Color{}, nil
	}
	if hex, ok := strings.CutPrefix(t, "#"); ok {
		if len(hex) == 3 {
			hex = string([]byte{hex[0], hex[0], hex[1], hex[1], hex[2], hex[2]})
		}
		if len(hex) == 6 {
			hex += "ff"
		}
		if len(hex) != 8 {
			return Color{}, fmt.Errorf("contrast: colour %q: want #rgb, #rrggbb or #rrggbbaa", s)
		}
		v, err := strconv.ParseUint(hex, 16, 32)
		if err != nil {
			return Color{}, fmt.Errorf("contrast: colour %q: %v", s, err)
		}
		return Color{float64(v>>24&0xff) / 255, float64(v>>16&0xff) / 255, float64(v>>8&0xff) / 255, float64(v&0xff) / 255}, nil
	}
	for _, fn := range []string{"rgba(", "rgb("} {
		inner, ok := strings.CutPrefix(t, fn)
		if !ok {
			continue
		}
		inner, ok = strings.CutSuffix(inner, ")")
		if !ok {
			break
		}
		parts := strings.FieldsFunc(inner, func(r rune) bool { return r == ',' || r == ' ' || r == '/' })
		if len(parts) != 3 && len(parts) != 4 {
			break
		}
		var v [4]float64
		v[3] = 1
		for i, p := range parts {
			f, err := strconv.ParseFloat(strings.TrimSuffix(p, "%"), 64)
			if err != nil {
				return Color{}, fmt.Errorf("contrast: colour %q: %v", s, err)
			}
			if i < 3 {
				f /= 255
			}
			v[i] = f
		}
		return Color{v[0], v[1], v[2], v[3]}, nil
	}
	return Color{}, fmt.Errorf("contrast: colour %q: want #hex, rgb(...), rgba(...) or transparent", s)
}

// Over returns c painted over an opaque background bg.
func (c Color) Over(bg Color) Color {
	return Color{c.R*c.A + bg.R*(1-c.A), c.G*c.A + bg.G*(1-c.A), c.B*c.A + bg.B*(1-c.A), 1}
}

// luminance is WCAG's relative luminance of an opaque colour.
func (c Color) luminance() float64 {
	lin := func(v float64) float64 {
		if v <= 0.03928 {
			return v / 12.92
		}
		return math.Pow((v+0.055)/1.055, 2.4)
	}
	return 0.2126*lin(c.R) + 0.7152*lin(c.G) + 0.0722*lin(c.B)
}

// Ratio returns the contrast ratio of the text colour fg on the background
// bg (fg's transparency blended over bg; bg taken as opaque).
func Ratio(fg, bg string) (float64, error) {
	f, err := Parse(fg)
	if err != nil {
		return 0, err
	}
	b, err := Parse(bg)
	if err != nil {
		return 0, err
	}
	b.A = 1
	l1, l2 := f.Over(b).luminance(), b.luminance()
	if l1 < l2 {
		l1, l2 = l2, l1
	}
	return (l1 + 0.05) / (l2 + 0.05), nil
}
