package scaling

import (
	"context"
	"math"
	"os"
	"runtime"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/go-parallelism/go-parallelism/lib/bench"
	"github.com/go-parallelism/go-parallelism/lib/model"
	"github.com/go-parallelism/go-parallelism/lib/proc"
	"github.com/go-parallelism/go-parallelism/lib/workload"
)

func TestMain(m *testing.M) {
	proc.Main() // in a worker process of the Processes model: serve tasks and exit
	goleak.VerifyTestMain(m)
}

func TestLabelLeavesOutPlaces(t *testing.T) {
	s := workload.Spec{Name: "scrape", Size: 8, Options: workload.Options{Latency: 20 * time.Millisecond, Addr: "127.0.0.1:1234", Dir: "/x"}}
	if got, want := Label(s), "scrape(8 latency=20ms)"; got != want {
		t.Fatalf("Label = %q, want %q", got, want)
	}
	if got, want := Label(workload.Spec{Name: "primes", Size: 4}), "primes(4)"; got != want {
		t.Fatalf("Label = %q, want %q", got, want)
	}
}

func TestPredict(t *testing.T) {
	for _, c := range []struct {
		s    float64
		p    int
		want float64
	}{{0, 8, 8}, {1, 8, 1}, {0.5, 2, 4.0 / 3}, {0.1, 16, 1 / (0.1 + 0.9/16)}} {
		if got := Predict(c.s, c.p); math.Abs(got-c.want) > 1e-9 {
			t.Errorf("Predict(%v, %d) = %v, want %v", c.s, c.p, got, c.want)
		}
	}
	if !math.IsNaN(Predict(0.1, 0)) {
		t.Errorf("Predict with 0 cores should be NaN")
	}
	fits := []bench.Amdahl{{Variant: "a", Serial: 0.1}, {Variant: "b", Serial: 0}}
	out := Predictions(fits, 2, 16)
	for _, want := range []string{"10x", "none", "6.4x", "16.0x"} {
		if !strings.Contains(out, want) {
			t.Errorf("Predictions lacks %q:\n%s", want, out)
		}
	}
	if c := AmdahlChart(16, fits...); len(c.Series()) != 3 || len(c.Series()[0].X) != 16 {
		t.Errorf("AmdahlChart: got %d series", len(c.Series()))
	}
}

func TestMatrixRunsEveryModelAndChecksDigests(t *testing.T) {
	ctx := context.Background()
	specs := []workload.Spec{{Name: "montecarlo", Size: 4, Options: workload.Options{Samples: 1000}},
		{Name: "scrape", Size: 4, Options: workload.Options{Latency: time.Millisecond}}}
	models := []model.Model{model.Sequential, model.Pool(2), model.Processes(2)}
	m, err := RunMatrix(ctx, specs, models, 1, 0)
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Err(); err != nil {
		t.Fatal(err)
	}
	cells := m.Cells()
	if len(cells) != len(specs)*len(models) {
		t.Fatalf("got %d cells, want %d", len(cells), len(specs)*len(models))
	}
	for _, c := range cells {
		if c.Median <= 0 || c.Speedup <= 0 {
			t.Errorf("cell %+v has no time or speedup", c)
		}
	}
	if cells[0].Speedup != 1 {
		t.Errorf("baseline speedup = %v, want 1", cells[0].Speedup)
	}
	text := m.String()
	for _, want := range []string{"montecarlo(4 samples=1000)", "scrape(4 latency=1ms)", "processes(2)", "CPU-bound", "I/O-bound"} {
		if !strings.Contains(text, want) {
			t.Errorf("table lacks %q:\n%s", want, text)
		}
	}
	if strings.Contains(text, "127.0.0.1") || strings.Contains(m.HTML(), "127.0.0.1") {
		t.Errorf("table shows the server's address:\n%s", text)
	}
	if c := m.SpeedupChart(); len(c.Series()) != 2 || len(c.Categories()) != 2 {
		t.Errorf("speedup chart: %d series, %d categories", len(c.Series()), len(c.Categories()))
	}
	if c := m.ParallelismChart(); len(c.Series()) != 3 {
		t.Errorf("parallelism chart: %d series", len(c.Series()))
	}

	j, err := Join(m, m)
	if err != nil || len(j.Results) != 4 {
		t.Fatalf("Join: %v, %d results", err, len(j.Results))
	}
	other := *m
	other.Models = []string{"sequential"}
	if _, err := Join(m, &other); err == nil {
		t.Errorf("Join of matrices with different models should fail")
	}
}

func TestWrongDigestsAreErrors(t *testing.T) {
	job := &workload.Job{N: 2, Kind: workload.CPU,
		Task:  func(context.Context, int) (string, error) { return "x", nil },
		Check: func([]string) error { return os.ErrInvalid },
		Close: func() error { return nil }}
	res, err := Compare(context.Background(), job, []model.Model{model.Sequential}, 1, 0)
	if err != nil {
		t.Fatal(err)
	}
	if res.Runs[0].Err == "" {
		t.Errorf("a failed Check should make the run an error")
	}
	if _, err := Compare(context.Background(), nil, []model.Model{model.Sequential}, 1, 0); err == nil {
		t.Errorf("Compare(nil job) should fail")
	}
}

func TestSweepSpeedups(t *testing.T) {
	job, err := workload.New(workload.Spec{Name: "scrape", Size: 8, Options: workload.Options{Latency: 5 * time.Millisecond}})
	if err != nil {
		t.Fatal(err)
	}
	defer job.Close()
	res, err := bench.Run(context.Background(), bench.Experiment{
		Name: "scrape", Reps: 1, Sweep: bench.Workers(1, 4),
		Variants: []bench.Variant{Swept("pool", job, model.Pool)},
	})
	if err != nil {
		t.Fatal(err)
	}
	series, err := Speedups(res)
	if err != nil {
		t.Fatal(err)
	}
	if len(series) != 1 || len(series[0].Y) != 2 || series[0].Y[0] != 1 {
		t.Fatalf("speedups = %+v", series)
	}
	if c := SpeedupChart(res, workload.IO); len(c.Series()) != 3 {
		t.Errorf("I/O chart: %d series, want measured + 2 ideals", len(c.Series()))
	}
	if c := SpeedupChart(res, workload.CPU); len(c.Series()) != 2 {
		t.Errorf("CPU chart: %d series, want measured + 1 ideal", len(c.Series()))
	}
	if _, err := Speedups(&bench.Result{}); err == nil {
		t.Errorf("Speedups of an empty result should fail")
	}
	if err := Swept("pool", job, model.Pool).Run(context.Background(), bench.Param{}); err == nil {
		t.Errorf("Swept without workers should fail")
	}
}

func TestInterleave(t *testing.T) {
	spans := Interleave(context.Background(), 2, 20*time.Millisecond)
	busy := map[int]time.Duration{}
	for _, s := range spans {
		if s.Task != s.Worker || s.End < s.Start || s.Worker < 0 || s.Worker > 1 {
			t.Errorf("bad span %+v", s)
		}
		busy[s.Worker] += s.End - s.Start
	}
	if len(busy) != 2 {
		t.Fatalf("spans from %d goroutines, want 2: %v", len(busy), spans)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if got := Interleave(ctx, 2, 20*time.Millisecond); len(got) != 0 {
		t.Errorf("cancelled: got %d spans", len(got))
	}
}

func TestFreeCoresAndNote(t *testing.T) {
	free := FreeCores(20 * time.Millisecond)
	if math.IsNaN(free) {
		t.Skip("no CPU time on this system")
	}
	if free <= 0 || free > float64(runtime.GOMAXPROCS(0))+0.5 {
		t.Errorf("FreeCores = %v with GOMAXPROCS=%d", free, runtime.GOMAXPROCS(0))
	}
	if BusyNote(float64(runtime.GOMAXPROCS(0))) != "" || BusyNote(math.NaN()) != "" {
		t.Errorf("an idle machine gets a note")
	}
	if runtime.GOMAXPROCS(0) > 1 && !strings.Contains(BusyNote(0.5), "0.5 of its") {
		t.Errorf("a busy machine gets no note: %q", BusyNote(0.5))
	}
}
