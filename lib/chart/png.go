package chart

import (
	"cmp"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"io"
	"maps"
	"slices"

	"gonum.org/v1/plot/vg/vgimg"
)

// palettedPNG encodes a canvas as a PNG of at most 256 colours. A chart has
// a few flat colours and the shades that smooth its edges; keeping the 256
// most frequent and mapping the rarest edge shades to the nearest of them
// changes nothing a reader can see and makes the image several times
// smaller than a full-colour one.
type palettedPNG struct{ *vgimg.Canvas }

func (p palettedPNG) WriteTo(w io.Writer) (int64, error) {
	src := p.Image()
	b := src.Bounds()
	img, ok := src.(*image.RGBA)
	if !ok { // not what vgimg draws on today; convert once
		img = image.NewRGBA(b)
		draw.Draw(img, b, src, b.Min, draw.Src)
	}
	at := func(x, y int) color.RGBA {
		i := img.PixOffset(x, y)
		return color.RGBA{img.Pix[i], img.Pix[i+1], img.Pix[i+2], img.Pix[i+3]}
	}
	count := map[color.RGBA]int{}
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			count[at(x, y)]++
		}
	}
	colors := slices.SortedFunc(maps.Keys(count), func(a, b color.RGBA) int { return cmp.Compare(count[b], count[a]) })
	pal := make(color.Palette, 0, 256)
	for _, c := range colors[:min(len(colors), 256)] {
		pal = append(pal, c)
	}
	out := image.NewPaletted(b, pal)
	index := map[color.RGBA]uint8{}
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			c := at(x, y)
			i, ok := index[c]
			if !ok {
				i = uint8(pal.Index(c))
				index[c] = i
			}
			out.SetColorIndex(x, y, i)
		}
	}
	cw := &countWriter{w: w}
	err := (&png.Encoder{CompressionLevel: png.DefaultCompression}).Encode(cw, out)
	return cw.n, err
}

type countWriter struct {
	w io.Writer
	n int64
}

func (c *countWriter) Write(b []byte) (int, error) {
	n, err := c.w.Write(b)
	c.n += int64(n)
	return n, err
}
