package measure

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/go-parallelism/go-parallelism/lib/bench"
	"github.com/go-parallelism/go-parallelism/lib/chart"
	"github.com/go-parallelism/go-parallelism/lib/model"
	"github.com/go-parallelism/go-parallelism/lib/workload"
)

func TestLabelLeavesOutPlaces(t *testing.T) {
	s := workload.Spec{Name: "scrape", Size: 8, Options: workload.Options{Latency: 20 * time.Millisecond, Addr: "127.0.0.1:1234", Dir: "/x"}}
	if got, want := Label(s), "scrape(8 latency=20ms)"; got != want {
		t.Fatalf("Label = %q, want %q", got, want)
	}
	if got, want := Label(workload.Spec{Name: "primes", Size: 4}), "primes(4)"; got != want {
		t.Fatalf("Label = %q, want %q", got, want)
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
	for i, c := range cells {
		if c.Median <= 0 || c.Speedup <= 0 {
			t.Errorf("cell %+v has no time or speedup", c)
		}
		// The speedup is bench's: the baseline's median over the model's.
		base := cells[i/len(models)*len(models)]
		if want := float64(base.Median) / float64(c.Median); c.Speedup != want {
			t.Errorf("%s under %s: speedup %v, want %v", c.Workload, c.Model, c.Speedup, want)
		}
	}
	if m.FreeCores == 0 {
		t.Errorf("FreeCores = 0: the experiments did not check the cores")
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
	// Every model but the baseline, and a dashed ideal; every chart reads well.
	if c := m.SpeedupChart(); len(c.Series()) != 3 || !c.Series()[2].Dashed || len(c.Categories()) != 2 {
		t.Errorf("speedup chart: %d series, %d categories", len(c.Series()), len(c.Categories()))
	} else if got := c.Series()[2]; !strings.HasPrefix(got.Name, "ideal for computing: ") {
		t.Errorf("speedup over sequential: ideal %q", got.Name)
	}
	if c := m.ParallelismChart(); len(c.Series()) != 4 || !c.Series()[3].Dashed {
		t.Errorf("parallelism chart: %d series", len(c.Series()))
	}
	for _, c := range []*chart.Chart{m.SpeedupChart(), m.ParallelismChart()} {
		if ps := c.Lint(); len(ps) > 0 {
			t.Errorf("%s: %v", c.Title, ps)
		}
	}
	j, err := Join(m, m)
	if err != nil || len(j.Results) != 4 {
		t.Fatalf("Join: %v, %d results", err, len(j.Results))
	}
	other := *m
	other.Models = []string{"sequential"}
	if _, err := Join(m, &other); err == nil || !strings.Contains(err.Error(), "matrix 1 times [sequential]") {
		t.Errorf("Join of matrices with different models: err = %v", err)
	}
	if _, err := Join(m, nil); err == nil || !strings.Contains(err.Error(), "matrix 1 is nil") {
		t.Errorf("Join with a nil matrix: err = %v", err)
	}
}

// A busy reading in any workload's experiment puts the note under the table.
func TestMatrixBusyNote(t *testing.T) {
	m := &Matrix{Machine: bench.Machine{GOMAXPROCS: 2}, FreeCores: 0.7}
	if !strings.Contains(m.String(), "got 0.7 of its 2 cores") || !strings.Contains(m.HTML(), "got 0.7 of its 2 cores") {
		t.Errorf("no busy note:\n%s", m)
	}
	if lowest(0, 1.5) != 1.5 || lowest(1.5, 0) != 1.5 || lowest(1.5, 0.7) != 0.7 {
		t.Errorf("lowest ignores the reading that was not taken")
	}
}

func TestRunMatrixBadInput(t *testing.T) {
	if _, err := RunMatrix(context.Background(), []workload.Spec{{Name: "primes", Size: 1}}, nil, 1, 0); err == nil || !strings.Contains(err.Error(), "models is empty") {
		t.Errorf("RunMatrix without models: err = %v", err)
	}
	_, err := RunMatrix(context.Background(), []workload.Spec{{Name: "no-such-workload", Size: 1}}, []model.Model{model.Sequential}, 1, 0)
	if err == nil || !strings.Contains(err.Error(), "no-such-workload") {
		t.Errorf("RunMatrix of an unknown workload: err = %v", err)
	}
}

func TestWrongDigestsAreErrors(t *testing.T) {
	job := &workload.Job{N: 2, Kind: workload.CPU,
		Task:  func(context.Context, int) (string, error) { return "x", nil },
		Check: func([]string) error { return os.ErrInvalid },
		Close: func() error { return nil }}
	vs := Variants(job, model.Sequential)
	if err := vs[0].Run(context.Background(), bench.Param{}); !errors.Is(err, os.ErrInvalid) {
		t.Errorf("a failed Check: err = %v, want the job's verdict", err)
	}
	if err := Variants(nil, model.Sequential)[0].Run(context.Background(), bench.Param{}); err == nil || !strings.Contains(err.Error(), "job is nil") {
		t.Errorf("a nil job: err = %v", err)
	}
}

func TestSwept(t *testing.T) {
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
	if err := runError(res); err != nil {
		t.Fatal(err)
	}
	if err := Swept("pool", job, model.Pool).Run(context.Background(), bench.Param{}); err == nil || !strings.Contains(err.Error(), "Workers is 0, want a sweep over workers") {
		t.Errorf("Swept without workers: err = %v", err)
	}
	if err := Swept("pool", job, nil).Run(context.Background(), bench.Param{Workers: 1}); err == nil || !strings.Contains(err.Error(), "newModel is nil") {
		t.Errorf("Swept with a nil model: err = %v", err)
	}
}

func TestInterleave(t *testing.T) {
	spans, err := Interleave(context.Background(), 2, 20*time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
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
	if got, err := Interleave(ctx, 2, 20*time.Millisecond); len(got) != 0 || !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: got %d spans, err %v", len(got), err)
	}
	if _, err := Interleave(context.Background(), 0, time.Millisecond); err == nil || !strings.Contains(err.Error(), "goroutines is 0, want at least 1") {
		t.Errorf("Interleave of 0 goroutines: err = %v", err)
	}
	if _, err := Interleave(context.Background(), 1, 0); err == nil || !strings.Contains(err.Error(), "work is 0s") {
		t.Errorf("Interleave of no work: err = %v", err)
	}
}
