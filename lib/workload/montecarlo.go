package workload

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"strconv"
)

// MonteCarlo names the "montecarlo" workload: estimate π by throwing
// random points at the unit square and counting those inside the quarter
// circle. Task i throws Samples points from its own generator, seeded by
// (Seed, i), so the result does not depend on which goroutine runs it; its
// digest is the count of hits. Check compares with a reference run and
// verifies that the estimate of π is close.
//
// Size is the number of tasks (at most 100,000); the grain is Samples per
// task (default 1,000,000), about 6 ms. Size 80 takes about 0.5 s
// sequentially.
//
// Options:
//   - Samples: points per task (default 1,000,000)
//   - Seed: generator seed (default 0)
const MonteCarlo = "montecarlo"

// newMonteCarlo builds a MonteCarlo job.
func newMonteCarlo(s Spec) (*Job, error) {
	c := checker{workload: s.Name}
	samples := c.int("Samples", s.Options.Samples, 1_000_000, 1, 1<<40)
	seed := uint64(s.Options.Seed)
	if err := c.err(); err != nil {
		return nil, err
	}
	task := func(ctx context.Context, i int) (string, error) {
		r := rand.New(rand.NewPCG(seed, uint64(i)))
		c := ctxCheck{ctx: ctx, every: 16}
		hits := 0
		for range samples {
			x, y := r.Float64(), r.Float64()
			if x*x+y*y < 1 {
				hits++
			}
			if c.done() {
				return "", ctx.Err()
			}
		}
		return strconv.Itoa(hits), nil
	}
	ref := checkAgainst(s.Name, s.Size, task)
	return &Job{
		N:    s.Size,
		Task: task,
		Check: func(got []string) error {
			if err := ref(got); err != nil {
				return err
			}
			pi, err := EstimatePi(got, samples)
			if err != nil {
				return err
			}
			// Four standard deviations of the estimate.
			tol := 4 * 4 * math.Sqrt(math.Pi/4*(1-math.Pi/4)/float64(samples*s.Size))
			if math.Abs(pi-math.Pi) > tol {
				return fmt.Errorf("workload montecarlo: π estimated as %v, off by more than %.2g", pi, tol)
			}
			return nil
		},
	}, nil
}

// EstimatePi turns the digests of a montecarlo job (hit counts) into an
// estimate of π, given the samples per task.
func EstimatePi(digests []string, samples int) (float64, error) {
	var hits int64
	for i, d := range digests {
		h, err := strconv.ParseInt(d, 10, 64)
		if err != nil {
			return 0, fmt.Errorf("montecarlo: digest %d is %q, not a count", i, d)
		}
		hits += h
	}
	if len(digests) == 0 || samples <= 0 {
		return 0, fmt.Errorf("montecarlo: no samples")
	}
	return 4 * float64(hits) / float64(int64(samples)*int64(len(digests))), nil
}
