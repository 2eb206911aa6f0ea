package bench

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"text/tabwriter"
	"time"
)

// Stat summarises the measured runs of one variant at one parameter. Times
// are over the runs that succeeded; Errors counts the others.
type Stat struct {
	Variant string        `json:"variant"`
	Param   Param         `json:"param"`
	N       int           `json:"n"`
	Errors  int           `json:"errors"`
	Median  time.Duration `json:"median_ns"`
	Min     time.Duration `json:"min_ns"`
	Max     time.Duration `json:"max_ns"`
	// Spread is (Max-Min)/Median: 0.05 means the runs fell within 5% of
	// the median's size of each other.
	Spread float64 `json:"spread"`
	// CPU is the median CPU time; Parallelism is CPU/Median.
	CPU         time.Duration `json:"cpu_ns"`
	Parallelism float64       `json:"parallelism"`
	Goroutines  int           `json:"goroutines"` // largest over the runs
	HeapAlloc   uint64        `json:"heap_alloc_bytes"`
	HeapPeak    uint64        `json:"heap_peak_bytes"`
	ChildMaxRSS uint64        `json:"child_max_rss_bytes,omitempty"`
}

// Stats is a list of Stat, in the order of the sweep, then of the variants.
type Stats []Stat

// Stats summarises the runs of every variant at every parameter.
func (r *Result) Stats() Stats {
	var out Stats
	for _, p := range r.Sweep {
		for _, v := range r.Variants {
			out = append(out, r.stat(v, p))
		}
	}
	return out
}

// Stat summarises the runs of variant at p; ok is false if there were none.
func (r *Result) Stat(variant string, p Param) (s Stat, ok bool) {
	s = r.stat(variant, p)
	return s, s.N+s.Errors > 0
}

func (r *Result) stat(variant string, p Param) Stat {
	s := Stat{Variant: variant, Param: p}
	var walls, cpus []time.Duration
	var allocs []uint64
	for _, run := range r.Runs {
		if run.Variant != variant || run.Param != p {
			continue
		}
		if run.Err != "" {
			s.Errors++
			continue
		}
		walls = append(walls, run.Wall)
		cpus = append(cpus, run.CPU)
		allocs = append(allocs, run.HeapAlloc)
		s.Goroutines = max(s.Goroutines, run.Goroutines)
		s.HeapPeak = max(s.HeapPeak, run.HeapPeak)
		s.ChildMaxRSS = max(s.ChildMaxRSS, run.ChildMaxRSS)
	}
	s.N = len(walls)
	if s.N == 0 {
		return s
	}
	s.Median = Median(walls)
	s.Min, s.Max = slices.Min(walls), slices.Max(walls)
	if s.Median > 0 {
		s.Spread = float64(s.Max-s.Min) / float64(s.Median)
		s.CPU = Median(cpus)
		s.Parallelism = float64(s.CPU) / float64(s.Median)
	}
	s.HeapAlloc = Median(allocs)
	return s
}

// Median returns the median of xs (the mean of the two middle values for
// an even count), or zero for an empty slice. xs is not modified.
func Median[T ~int64 | ~uint64 | ~float64](xs []T) T {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return s[n/2-1] + (s[n/2]-s[n/2-1])/2
}

// Gain compares one variant at one parameter with the baseline at the same
// parameter.
type Gain struct {
	Variant string `json:"variant"`
	Param   Param  `json:"param"`
	// Speedup is the baseline's median time over this variant's.
	Speedup float64 `json:"speedup"`
	// CPUs is the number of cores the variant could use: its Workers, at
	// most the machine's NumCPU (all of them when Workers is not swept).
	CPUs int `json:"cpus"`
	// Efficiency is Speedup/CPUs: 1 means every usable core did useful work.
	Efficiency float64 `json:"efficiency"`
}

// Gains is a list of Gain, in the order of Stats.
type Gains []Gain

// Speedup compares every variant with baseline (the experiment's Baseline
// if empty) at each parameter. Cells where either side has no successful
// run are left out.
func (r *Result) Speedup(baseline string) (Gains, error) {
	if baseline == "" {
		baseline = r.Baseline
	}
	if !slices.Contains(r.Variants, baseline) {
		return nil, fmt.Errorf("bench: no variant named %q (have %v)", baseline, r.Variants)
	}
	var out Gains
	ref, workersOnly := r.Reference()
	for _, p := range r.Sweep {
		bp := p
		if workersOnly {
			bp = ref
		}
		base := r.stat(baseline, bp)
		if base.N == 0 {
			continue
		}
		for _, v := range r.Variants {
			s := r.stat(v, p)
			if s.N == 0 || s.Median <= 0 {
				continue
			}
			g := Gain{Variant: v, Param: p, Speedup: float64(base.Median) / float64(s.Median)}
			g.CPUs = usableCPUs(p.Workers, r.Machine.NumCPU)
			g.Efficiency = g.Speedup / float64(g.CPUs)
			out = append(out, g)
		}
	}
	return out, nil
}

// Reference reports whether the sweep varies Workers alone and, if so, its
// point with the fewest workers. Speedup is then measured against the
// baseline at that point, so a single variant swept over 1, 2, 4 workers
// reads as T(1)/T(p), the usual definition, rather than 1.00x everywhere.
// Otherwise each point is compared with the baseline at the same point.
func (r *Result) Reference() (Param, bool) {
	if len(r.Sweep) < 2 {
		return Param{}, false
	}
	ref := r.Sweep[0]
	for _, p := range r.Sweep[1:] {
		if p.Tasks != ref.Tasks || p.Size != ref.Size || p.Workers <= 0 {
			return Param{}, false
		}
		if p.Workers < ref.Workers {
			ref = p
		}
	}
	return ref, ref.Workers > 0
}

func usableCPUs(workers, numCPU int) int {
	numCPU = max(numCPU, 1)
	if workers <= 0 {
		return numCPU
	}
	return min(workers, numCPU)
}

// Amdahl is Amdahl's law fitted to one variant's times over a sweep of
// worker counts.
type Amdahl struct {
	Variant string `json:"variant"`
	// Serial is the fitted serial fraction s, between 0 and 1.
	Serial float64 `json:"serial"`
	// T1 is the fitted time on one core.
	T1 time.Duration `json:"t1_ns"`
	// Limit is the largest speedup the fit allows on any number of cores, 1/s.
	Limit  float64       `json:"limit"`
	Points []AmdahlPoint `json:"points"`
}

// AmdahlPoint is one worker count of the fit.
type AmdahlPoint struct {
	Workers int           `json:"workers"`
	CPUs    int           `json:"cpus"` // min(Workers, NumCPU): the p of the law
	Time    time.Duration `json:"time_ns"`
	Fit     time.Duration `json:"fit_ns"`
	// KarpFlatt is the experimentally determined serial fraction
	// (1/S - 1/p) / (1 - 1/p), with S measured against the run at one worker;
	// NaN where p is 1 or there is no one-worker run.
	KarpFlatt float64 `json:"karp_flatt"`
}

// Amdahl fits T(p) = T1·(s + (1-s)/p) to the median times of variant by
// linear least squares on x = 1/p, where p = min(workers, NumCPU): a sweep
// past the number of cores adds no processors, only goroutines. It also
// gives the Karp-Flatt fraction at each point, which shows whether the
// serial part is constant (it should be, if the law holds) or grows with p
// (overhead). The sweep must vary Workers only and reach two values of p.
func (r *Result) Amdahl(variant string) (Amdahl, error) {
	if !slices.Contains(r.Variants, variant) {
		return Amdahl{}, fmt.Errorf("bench: no variant named %q (have %v)", variant, r.Variants)
	}
	a := Amdahl{Variant: variant}
	var ps, ts []float64
	var t1 time.Duration
	seen := map[int]bool{}
	for _, p := range r.Sweep {
		if p.Workers <= 0 {
			return a, errors.New("bench: Amdahl needs a sweep over Workers")
		}
		if seen[p.Workers] {
			return a, fmt.Errorf("bench: Amdahl needs a sweep over Workers only; workers=%d appears twice", p.Workers)
		}
		seen[p.Workers] = true
		s := r.stat(variant, p)
		if s.N == 0 {
			continue
		}
		cpus := usableCPUs(p.Workers, r.Machine.NumCPU)
		if p.Workers == 1 {
			t1 = s.Median
		}
		a.Points = append(a.Points, AmdahlPoint{Workers: p.Workers, CPUs: cpus, Time: s.Median})
		ps = append(ps, float64(cpus))
		ts = append(ts, float64(s.Median))
	}
	serial, one, err := FitAmdahl(ps, ts)
	if err != nil {
		return a, err
	}
	a.Serial, a.T1 = serial, time.Duration(one)
	a.Limit = math.Inf(1)
	if serial > 0 {
		a.Limit = 1 / serial
	}
	for i := range a.Points {
		pt := &a.Points[i]
		p := float64(pt.CPUs)
		pt.Fit = time.Duration(one / a.Predict(pt.CPUs))
		pt.KarpFlatt = math.NaN()
		if t1 > 0 && pt.CPUs > 1 && pt.Time > 0 {
			speedup := float64(t1) / float64(pt.Time)
			pt.KarpFlatt = (1/speedup - 1/p) / (1 - 1/p)
		}
	}
	return a, nil
}

// Predict is Amdahl's law: the speedup on cores cores of a program whose
// serial fraction is a.Serial, 1 / (s + (1-s)/p). It is NaN for fewer than
// one core.
func (a Amdahl) Predict(cores int) float64 {
	if cores < 1 {
		return math.NaN()
	}
	return 1 / (a.Serial + (1-a.Serial)/float64(cores))
}

// Predictions formats, for every fit, its serial fraction, the limit 1/s,
// and the speedups Amdahl's law predicts on each of the given core counts.
func Predictions(fits []Amdahl, cores ...int) string {
	var b strings.Builder
	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprint(tw, "variant\tserial fraction\tlimit 1/s\t")
	for _, p := range cores {
		fmt.Fprintf(tw, "%d cores\t", p)
	}
	fmt.Fprintln(tw)
	for _, a := range fits {
		limit := "none"
		if a.Serial > 0 {
			limit = fmt.Sprintf("%.0fx", 1/a.Serial)
		}
		fmt.Fprintf(tw, "%s\t%.3f\t%s\t", a.Variant, a.Serial, limit)
		for _, p := range cores {
			fmt.Fprintf(tw, "%.1fx\t", a.Predict(p))
		}
		fmt.Fprintln(tw)
	}
	tw.Flush()
	return b.String()
}

// FitAmdahl fits t = t1·(s + (1-s)/p) to the points (procs[i], times[i]) by
// least squares on t = a + b/p, so t1 = a+b and s = a/(a+b); s is clamped
// to [0, 1]. It needs at least two distinct processor counts.
func FitAmdahl(procs, times []float64) (serial, t1 float64, err error) {
	if len(procs) != len(times) {
		return 0, 0, errors.New("bench: FitAmdahl: procs and times differ in length")
	}
	var n, sx, sy, sxx, sxy float64
	distinct := map[float64]bool{}
	for i, p := range procs {
		if p < 1 || times[i] <= 0 || math.IsNaN(times[i]) {
			return 0, 0, fmt.Errorf("bench: FitAmdahl: bad point p=%v t=%v", p, times[i])
		}
		x := 1 / p
		distinct[x] = true
		n++
		sx += x
		sy += times[i]
		sxx += x * x
		sxy += x * times[i]
	}
	if len(distinct) < 2 {
		return 0, 0, errors.New("bench: Amdahl needs times at two or more core counts (sweep workers from 1 to NumCPU)")
	}
	b := (n*sxy - sx*sy) / (n*sxx - sx*sx)
	a := (sy - b*sx) / n
	t1 = a + b
	if t1 <= 0 {
		return 0, 0, errors.New("bench: Amdahl fit failed: times grow with cores")
	}
	serial = min(max(a/t1, 0), 1)
	return serial, t1, nil
}
