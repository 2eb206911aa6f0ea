package workload

import (
	"cmp"
	"context"
	"fmt"
	"image"
	"image/color"
	"maps"
	"math"
	"slices"
	"strings"

	"golang.org/x/image/draw"
)

// maxImageSide bounds Src and Dst. The rescale is one call that does not
// look at ctx, so its size bounds how long a cancelled task can take to
// return: at 1024 pixels, a few tens of milliseconds.
const maxImageSide = 1024

// imageKernels are the resampling kernels the images workload accepts.
var imageKernels = map[string]draw.Scaler{
	"catmullrom": draw.CatmullRom,
	"bilinear":   draw.BiLinear,
	"approx":     draw.ApproxBiLinear,
}

// Images names the "images" workload, image rescaling: task i generates
// source image i (src × src pixels of gradients, rings and stripes, a
// deterministic function of i), rescales it to dst × dst with
// golang.org/x/image/draw, and returns a checksum of the output pixels.
// Check compares with a reference run.
//
// Size is the number of images (at most 100,000). With the defaults (512 →
// 128, Catmull-Rom) an image takes about 11 ms, so Size 45 takes about
// 0.5 s sequentially.
//
// Options:
//   - Src: side of the source images in pixels (default 512, at most 1024)
//   - Dst: side of the rescaled images (default 128, at most 1024)
//   - Kernel: catmullrom (default), bilinear or approx (ApproxBiLinear)
const Images = "images"

// newImages builds a Images job.
func newImages(s Spec) (*Job, error) {
	c := checker{workload: s.Name}
	src := c.int("Src", s.Options.Src, 512, 1, maxImageSide)
	dst := c.int("Dst", s.Options.Dst, 128, 1, maxImageSide)
	name := cmp.Or(s.Options.Kernel, "catmullrom")
	scaler, ok := imageKernels[name]
	if !ok {
		c.fail("Kernel", fmt.Sprintf("%q", name), strings.Join(slices.Sorted(maps.Keys(imageKernels)), ", "))
	}
	if err := c.err(); err != nil {
		return nil, err
	}
	task := func(ctx context.Context, i int) (string, error) {
		img, err := sourceImage(ctx, i, src)
		if err != nil {
			return "", err
		}
		// One call to Scale: a kernel scaler makes its horizontal pass
		// over the whole image each time, so scaling in bands to look at
		// ctx more often would cost several times more. Generating the
		// source image looks at ctx.
		out := image.NewRGBA(image.Rect(0, 0, dst, dst))
		scaler.Scale(out, out.Bounds(), img, img.Bounds(), draw.Src, nil)
		if err := ctx.Err(); err != nil {
			return "", err
		}
		return digest(out.Pix), nil
	}
	return &Job{
		N:     s.Size,
		Task:  task,
		Check: checkAgainst(s.Name, s.Size, task),
	}, nil
}

// SourceImage returns source image i of the images workload, side × side.
func SourceImage(i, side int) *image.RGBA {
	img, _ := sourceImage(context.Background(), i, side)
	return img
}

func sourceImage(ctx context.Context, i, side int) (*image.RGBA, error) {
	img := image.NewRGBA(image.Rect(0, 0, side, side))
	r := &rng{uint64(i) + 1}
	cx, cy := float64(r.intn(side)), float64(r.intn(side))
	freq := 0.02 + float64(r.intn(100))/1000
	stripe := 4 + r.intn(28)
	tint := color.RGBA{uint8(r.intn(256)), uint8(r.intn(256)), uint8(r.intn(256)), 255}
	for y := range side {
		if y%64 == 0 && ctx.Err() != nil {
			return nil, ctx.Err()
		}
		row := img.Pix[y*img.Stride:]
		for x := range side {
			d := math.Hypot(float64(x)-cx, float64(y)-cy)
			ring := uint8(127.5 + 127.5*math.Sin(d*freq))
			g := uint8((x + y) * 255 / (2 * side))
			px := row[4*x : 4*x+4 : 4*x+4]
			px[0] = ring/2 + tint.R/2
			px[1] = g/2 + tint.G/2
			px[2] = uint8(255 * ((x / stripe) % 2))
			px[3] = 255
		}
	}
	return img, nil
}
