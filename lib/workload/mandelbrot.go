package workload

import (
	"context"
	"strconv"
)

// Mandelbrot names the "mandelbrot" workload, an embarrassingly parallel
// kernel with a tunable grain: it computes the escape times of a Size × Size
// image of the Mandelbrot set over [-2, 1] × [-1.5, 1.5]. Task i computes
// Grain consecutive rows (the last task may get fewer); its digest is the
// sum of their iteration counts. Rows through the middle of the set cost far
// more than rows near the edges, so coarse grains balance badly.
//
// Size is the image's side in pixels (at most 20,000), N = ceil(Size/Grain).
// With the default 500 iterations, Size 1400 takes about 0.45 s
// sequentially (the work grows as Size²).
//
// Options:
//   - Grain: rows per task (default 1)
//   - Iter: maximum iterations per pixel (default 500)
const Mandelbrot = "mandelbrot"

// newMandelbrot builds a Mandelbrot job.
func newMandelbrot(s Spec) (*Job, error) {
	c := checker{workload: s.Name}
	grain := c.int("Grain", s.Options.Grain, 1, 1, s.Size)
	maxIter := c.int("Iter", s.Options.Iter, 500, 1, 1<<20)
	if err := c.err(); err != nil {
		return nil, err
	}
	side := s.Size
	n := (side + grain - 1) / grain
	task := func(ctx context.Context, i int) (string, error) {
		var sum int64
		for y := i * grain; y < min((i+1)*grain, side); y++ {
			n, err := mandelbrotRow(ctx, y, side, maxIter, nil)
			if err != nil {
				return "", err
			}
			sum += n
		}
		return strconv.FormatInt(sum, 10), nil
	}
	return &Job{
		N:     n,
		Task:  task,
		Check: checkAgainst(s.Name, n, task),
	}, nil
}

// MandelbrotRow computes row y of a side × side image of the Mandelbrot set
// over [-2, 1] × [-1.5, 1.5], with at most maxIter iterations per pixel. It
// stores the escape times in out if out is at least side long, and returns
// their sum.
func MandelbrotRow(y, side, maxIter int, out []int) int64 {
	n, _ := mandelbrotRow(context.Background(), y, side, maxIter, out)
	return n
}

func mandelbrotRow(ctx context.Context, y, side, maxIter int, out []int) (int64, error) {
	scale := 3 / float64(side)
	ci := 1.5 - float64(y)*scale
	var sum, sinceCheck int64
	for x := range side {
		// Look at ctx every million iterations or so (a few ms): a
		// pixel costs from 1 to maxIter iterations, so counting pixels
		// would not bound the time between two looks.
		if sinceCheck >= 1<<20 || x == 0 {
			if err := ctx.Err(); err != nil {
				return 0, err
			}
			sinceCheck = 0
		}
		cr := -2 + float64(x)*scale
		var zr, zi float64
		k := 0
		for ; k < maxIter && zr*zr+zi*zi <= 4; k++ {
			zr, zi = zr*zr-zi*zi+cr, 2*zr*zi+ci
		}
		if len(out) >= side {
			out[x] = k
		}
		sum += int64(k)
		sinceCheck += int64(k) + 1
	}
	return sum, nil
}
