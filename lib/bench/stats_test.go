package bench

import (
	"math"
	"strings"
	"testing"
	"time"
)

func TestMedian(t *testing.T) {
	cases := []struct {
		in   []time.Duration
		want time.Duration
	}{
		{nil, 0},
		{[]time.Duration{5}, 5},
		{[]time.Duration{9, 1, 5}, 5},
		{[]time.Duration{4, 1, 3, 2}, 2}, // (2+3)/2 in integer nanoseconds
		{[]time.Duration{10, 30, 20, 40}, 25},
	}
	for _, c := range cases {
		in := append([]time.Duration(nil), c.in...)
		if got := Median(c.in); got != c.want {
			t.Errorf("Median(%v) = %v, want %v", c.in, got, c.want)
		}
		for i := range in {
			if in[i] != c.in[i] {
				t.Errorf("Median modified its input")
			}
		}
	}
	if got := Median([]float64{1, 2, 3, 4}); got != 2.5 {
		t.Errorf("Median of floats = %v, want 2.5", got)
	}
}

// fake builds a result from wall times: runs[variant][param] = walls.
func fake(numCPU int, sweep Sweep, variants []string, wall func(v string, p Param, rep int) time.Duration, reps int) *Result {
	r := &Result{Name: "fake", Machine: Machine{NumCPU: numCPU, GOMAXPROCS: numCPU}, Variants: variants,
		Sweep: sweep, Baseline: variants[0], Reps: reps}
	for _, p := range sweep {
		for rep := range reps {
			for _, v := range variants {
				w := wall(v, p, rep)
				r.Runs = append(r.Runs, Record{Variant: v, Param: p, Rep: rep, Wall: w, CPU: 2 * w})
			}
		}
	}
	return r
}

func TestStat(t *testing.T) {
	walls := []time.Duration{100, 120, 80}
	r := fake(4, Workers(2), []string{"a"}, func(_ string, _ Param, rep int) time.Duration { return walls[rep] }, 3)
	r.Runs = append(r.Runs, Record{Variant: "a", Param: Param{Workers: 2}, Wall: 1, Err: "boom"})
	s, ok := r.Stat("a", Param{Workers: 2})
	if !ok {
		t.Fatal("Stat found nothing")
	}
	if s.N != 3 || s.Errors != 1 {
		t.Errorf("N, Errors = %d, %d; want 3, 1", s.N, s.Errors)
	}
	if s.Median != 100 || s.Min != 80 || s.Max != 120 {
		t.Errorf("median/min/max = %v/%v/%v, want 100/80/120", s.Median, s.Min, s.Max)
	}
	if math.Abs(s.Spread-0.4) > 1e-12 {
		t.Errorf("spread = %v, want 0.4", s.Spread)
	}
	if s.CPU != 200 || s.Parallelism != 2 {
		t.Errorf("cpu = %v, parallelism = %v; want 200, 2", s.CPU, s.Parallelism)
	}
	if _, ok := r.Stat("a", Param{Workers: 3}); ok {
		t.Error("Stat at a parameter never run reported ok")
	}
}

func TestSpeedupAndEfficiency(t *testing.T) {
	// sequential takes 1s everywhere; parallel takes 1s/workers.
	r := fake(4, Workers(1, 2, 8), []string{"seq", "par"}, func(v string, p Param, _ int) time.Duration {
		if v == "seq" {
			return time.Second
		}
		return time.Second / time.Duration(p.Workers)
	}, 3)
	gains, err := r.Speedup("seq")
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][3]float64{ // speedup, cpus, efficiency
		"seq workers=1": {1, 1, 1},
		"par workers=1": {1, 1, 1},
		"seq workers=2": {1, 2, 0.5},
		"par workers=2": {2, 2, 1},
		"seq workers=8": {1, 4, 0.25},
		"par workers=8": {8, 4, 2}, // more than the cores allow: a sign of a bad baseline
	}
	if len(gains) != len(want) {
		t.Fatalf("got %d gains, want %d", len(gains), len(want))
	}
	for _, g := range gains {
		w, ok := want[g.Variant+" "+g.Param.String()]
		if !ok {
			t.Errorf("unexpected gain %+v", g)
			continue
		}
		if math.Abs(g.Speedup-w[0]) > 1e-9 || g.CPUs != int(w[1]) || math.Abs(g.Efficiency-w[2]) > 1e-9 {
			t.Errorf("%s %s: speedup %v cpus %d efficiency %v, want %v", g.Variant, g.Param, g.Speedup, g.CPUs, g.Efficiency, w)
		}
	}
	if _, err := r.Speedup("nope"); err == nil || !strings.Contains(err.Error(), "nope") {
		t.Errorf("Speedup of unknown baseline: err = %v", err)
	}
	if !strings.Contains(gains.String(), "8.00x") {
		t.Errorf("gains table lacks 8.00x:\n%s", gains)
	}
}

func TestFitAmdahlRecoversSerialFraction(t *testing.T) {
	for _, s := range []float64{0, 0.05, 0.3, 1} {
		const t1 = 2.0
		var ps, ts []float64
		for _, p := range []float64{1, 2, 3, 4, 8, 16} {
			ps = append(ps, p)
			ts = append(ts, t1*(s+(1-s)/p))
		}
		gotS, gotT1, err := FitAmdahl(ps, ts)
		if err != nil {
			t.Fatal(err)
		}
		if math.Abs(gotS-s) > 1e-9 || math.Abs(gotT1-t1) > 1e-9 {
			t.Errorf("s=%v: fit gave s=%v t1=%v", s, gotS, gotT1)
		}
	}
}

func TestFitAmdahlWithNoise(t *testing.T) {
	const s, t1 = 0.2, 1.0
	noise := []float64{0.01, -0.008, 0.005, -0.01, 0.007}
	var ps, ts []float64
	for i, p := range []float64{1, 2, 4, 8, 16} {
		ps = append(ps, p)
		ts = append(ts, t1*(s+(1-s)/p)*(1+noise[i]))
	}
	gotS, _, err := FitAmdahl(ps, ts)
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(gotS-s) > 0.02 {
		t.Errorf("fit gave s=%v, want about %v", gotS, s)
	}
}

func TestFitAmdahlBadInput(t *testing.T) {
	cases := map[string][2][]float64{
		"one core count": {{2, 2}, {1, 1}},
		"length":         {{1, 2}, {1}},
		"zero procs":     {{0, 2}, {1, 1}},
		"zero time":      {{1, 2}, {1, 0}},
	}
	for name, c := range cases {
		if _, _, err := FitAmdahl(c[0], c[1]); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

func TestFitAmdahlSlowerWithCoresIsSerial(t *testing.T) {
	s, _, err := FitAmdahl([]float64{1, 2}, []float64{1, 3})
	if err != nil || s != 1 {
		t.Errorf("times growing with cores: s=%v err=%v, want s=1", s, err)
	}
}

func TestAmdahlOnResult(t *testing.T) {
	const s = 0.25
	r := fake(64, Workers(1, 2, 4, 8), []string{"par"}, func(_ string, p Param, _ int) time.Duration {
		return time.Duration(float64(time.Second) * (s + (1-s)/float64(p.Workers)))
	}, 3)
	a, err := r.Amdahl("par")
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(a.Serial-s) > 1e-6 || math.Abs(a.Limit-4) > 1e-4 {
		t.Errorf("serial %v limit %v, want %v and 4", a.Serial, a.Limit, s)
	}
	if len(a.Points) != 4 {
		t.Fatalf("got %d points", len(a.Points))
	}
	if !math.IsNaN(a.Points[0].KarpFlatt) {
		t.Errorf("Karp-Flatt at one worker = %v, want NaN", a.Points[0].KarpFlatt)
	}
	for _, pt := range a.Points[1:] {
		if math.Abs(pt.KarpFlatt-s) > 1e-6 {
			t.Errorf("Karp-Flatt at %d = %v, want %v", pt.Workers, pt.KarpFlatt, s)
		}
	}
	if !strings.Contains(a.String(), "0.250") {
		t.Errorf("Amdahl string lacks the fraction:\n%s", a)
	}

	// On 2 cores, 4 and 8 workers still mean p = 2.
	r.Machine.NumCPU = 2
	a, err = r.Amdahl("par")
	if err != nil {
		t.Fatal(err)
	}
	if a.Points[3].CPUs != 2 {
		t.Errorf("8 workers on 2 CPUs: p = %d, want 2", a.Points[3].CPUs)
	}

	if _, err := r.Amdahl("nope"); err == nil {
		t.Error("Amdahl of unknown variant: no error")
	}
	r2 := fake(4, Sizes(1, 2), []string{"par"}, func(string, Param, int) time.Duration { return 1 }, 1)
	if _, err := r2.Amdahl("par"); err == nil {
		t.Error("Amdahl over a size sweep: no error")
	}
}

func TestFormat(t *testing.T) {
	cases := map[time.Duration]string{
		1400 * time.Millisecond: "1.40s",
		712 * time.Millisecond:  "712ms",
		95300 * time.Nanosecond: "95.3µs",
		12:                      "12.0ns",
		0:                       "0.00ns",
	}
	for d, want := range cases {
		if got := fmtDuration(d); got != want {
			t.Errorf("fmtDuration(%v) = %q, want %q", d, got, want)
		}
	}
	if got := Bytes(3 << 20); got != "3.00 MiB" {
		t.Errorf("Bytes = %q", got)
	}
	if got := Bytes(12); got != "12 B" {
		t.Errorf("Bytes = %q", got)
	}
}

func TestSpeedupOfOneVariantOverWorkers(t *testing.T) {
	// One variant swept over workers: speedup is T(fewest workers)/T(p).
	r := fake(4, Workers(2, 1, 4), []string{"pool"}, func(_ string, p Param, _ int) time.Duration {
		return time.Second / time.Duration(p.Workers)
	}, 3)
	gains, err := r.Speedup("")
	if err != nil {
		t.Fatal(err)
	}
	want := map[int]float64{1: 1, 2: 2, 4: 4}
	for _, g := range gains {
		if math.Abs(g.Speedup-want[g.Param.Workers]) > 1e-9 {
			t.Errorf("workers=%d: speedup %v, want %v", g.Param.Workers, g.Speedup, want[g.Param.Workers])
		}
	}
	if len(gains) != 3 {
		t.Fatalf("got %d gains, want 3", len(gains))
	}
	// A sweep over sizes compares at the same point: the work differs.
	r = fake(4, Sizes(10, 20), []string{"a", "b"}, func(v string, p Param, _ int) time.Duration {
		if v == "a" {
			return time.Duration(p.Size) * time.Second
		}
		return time.Duration(p.Size) * time.Second / 2
	}, 3)
	gains, err = r.Speedup("a")
	if err != nil {
		t.Fatal(err)
	}
	for _, g := range gains {
		if w := map[string]float64{"a": 1, "b": 2}[g.Variant]; math.Abs(g.Speedup-w) > 1e-9 {
			t.Errorf("%s %s: speedup %v, want %v", g.Variant, g.Param, g.Speedup, w)
		}
	}
	// Without a worker count, efficiency has no meaning and is not shown.
	if s := gains.String(); strings.Contains(s, "%") {
		t.Errorf("efficiency shown for a sweep without workers:\n%s", s)
	}
}

func TestPredict(t *testing.T) {
	for _, c := range []struct {
		s    float64
		p    int
		want float64
	}{{0, 8, 8}, {1, 8, 1}, {0.5, 2, 4.0 / 3}, {0.1, 16, 1 / (0.1 + 0.9/16)}} {
		if got := (Amdahl{Serial: c.s}).Predict(c.p); math.Abs(got-c.want) > 1e-9 {
			t.Errorf("Predict(s=%v, %d) = %v, want %v", c.s, c.p, got, c.want)
		}
	}
	if !math.IsNaN((Amdahl{Serial: 0.1}).Predict(0)) {
		t.Errorf("Predict on 0 cores should be NaN")
	}
	out := Predictions([]Amdahl{{Variant: "a", Serial: 0.1}, {Variant: "b", Serial: 0}}, 2, 16)
	for _, want := range []string{"10x", "none", "6.4x", "16.0x", "16 cores"} {
		if !strings.Contains(out, want) {
			t.Errorf("Predictions lacks %q:\n%s", want, out)
		}
	}
}
