package workload

import (
	"context"
	"math"
	"strconv"
)

// PrimeCase is one number of the primes fixture and whether it is prime.
type PrimeCase struct {
	N     uint64
	Prime bool
}

// PrimeFixture is the twenty numbers of the primes workload, after the
// fixture of Fluent Python (2nd ed., chapters 19-20): mostly 16-digit primes,
// many just below 2**53, and a few composites. Some composites are quick to
// reject (an easy factor); 4444444488888889 = 66666667² and 7777777536340681
// = 88191709² are as slow as primes, because their only factor is near the
// square root. The test checks every claim with math/big's ProbablyPrime.
var PrimeFixture = []PrimeCase{
	{9007199254740881, true},
	{9999999999999999, false},
	{7777777777777753, true},
	{4444444488888889, false},
	{9007199254740847, true},
	{5555555555555503, true},
	{3333333333333333, false},
	{9007199254740761, true},
	{9999999999999917, true},
	{7777777536340681, false},
	{9007199254740727, true},
	{4444444444444423, true},
	{9007199254740991, false}, // 2**53 - 1 = 6361 × 69431 × 20394401
	{9007199254740677, true},
	{3333333333333301, true},
	{5555555555555555, false},
	{9007199254740653, true},
	{9007199254740649, true},
	{7777777777777777, false},
	{9007199254740623, true},
}

// IsPrime reports whether n is prime, by trial division by 2 and by the odd
// numbers up to its square root: about 5×10⁷ divisions for a 16-digit prime,
// deliberately slow.
func IsPrime(n uint64) bool {
	p, _ := isPrime(context.Background(), n)
	return p
}

func isPrime(ctx context.Context, n uint64) (bool, error) {
	if n < 2 {
		return false, nil
	}
	if n%2 == 0 {
		return n == 2, nil
	}
	root := isqrt(n)
	for d := uint64(3); d <= root; d += 2 {
		if n%d == 0 {
			return false, nil
		}
		// d is odd: look at ctx once every 2**16 divisors (about
		// 1 ms), cheaply: the test is a mask on d itself.
		if d&(1<<17-1) == 1 && ctx.Err() != nil {
			return false, ctx.Err()
		}
	}
	return true, nil
}

// isqrt is the largest r with r*r <= n. It compares by division, since
// r*r overflows for n near 2**64.
func isqrt(n uint64) uint64 {
	r := uint64(math.Sqrt(float64(n)))
	for r > 0 && r > n/r {
		r--
	}
	for r+1 <= n/(r+1) {
		r++
	}
	return r
}

// Primes names the "primes" workload: task i checks whether
// PrimeFixture[i%20].N is prime by trial division; its digest is "true" or
// "false".
//
// Size is the number of numbers to check, cycling through the twenty
// (at most 2000). The twenty take about 1.3-1.4 s on one core of the course
// machine (two goroutines: about 0.66 s), so Size 7 takes about 0.5 s
// sequentially.
//
// The tasks are not all the same length: numbers 1 and 6 (and 12, 15, 18)
// are composites with a small factor, rejected at once. Size 8 is therefore
// six long tasks and two instant ones: they split evenly over 2 or 3 cores,
// but 4 cores finish in two rounds (at most 3x) and more than 6 cores find
// no more long work (at most 6x).
const Primes = "primes"

// newPrimes builds a Primes job.
func newPrimes(s Spec) (*Job, error) {
	want := make([]string, s.Size)
	for i := range want {
		want[i] = strconv.FormatBool(PrimeFixture[i%len(PrimeFixture)].Prime)
	}
	return &Job{
		N: s.Size,
		Task: func(ctx context.Context, i int) (string, error) {
			p, err := isPrime(ctx, PrimeFixture[i%len(PrimeFixture)].N)
			if err != nil {
				return "", err
			}
			return strconv.FormatBool(p), nil
		},
		Check: func(got []string) error { return compare(s.Name, want, got) },
	}, nil
}
