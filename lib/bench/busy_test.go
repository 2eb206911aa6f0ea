package bench

import (
	"bytes"
	"context"
	"math"
	"runtime"
	"strings"
	"testing"
	"time"
)

func TestFreeCores(t *testing.T) {
	free := FreeCores(20 * time.Millisecond)
	if math.IsNaN(free) {
		t.Skip("no CPU time on this system")
	}
	// Real time: only a generous bound. It cannot exceed the cores Go uses.
	if free <= 0 || free > float64(runtime.GOMAXPROCS(0))+0.5 {
		t.Errorf("FreeCores = %v with GOMAXPROCS=%d", free, runtime.GOMAXPROCS(0))
	}
}

func TestBusyNote(t *testing.T) {
	for _, c := range []struct {
		free  float64
		procs int
		want  string // "" for no note
	}{
		{2, 2, ""},
		{1.2, 2, ""}, // 60%: a dip, not a busy machine
		{1.1, 2, "got 1.1 of its 2 cores"},
		{0.5, 1, "got 0.5 of its 1 cores"},
		{math.NaN(), 2, ""},
		{0, 2, ""},  // not checked
		{-1, 2, ""}, // unknown
		{0.5, 0, ""},
	} {
		got := BusyNote(c.free, c.procs)
		if (c.want == "") != (got == "") || !strings.Contains(got, c.want) {
			t.Errorf("BusyNote(%v, %d) = %q, want a note containing %q", c.free, c.procs, got, c.want)
		}
	}
}

func TestCheckCores(t *testing.T) {
	e := Experiment{Name: "c", Reps: 1, Sweep: Workers(1, 2), Variants: []Variant{{Name: "a", Run: noop}}}
	res, err := Run(context.Background(), e)
	if err != nil {
		t.Fatal(err)
	}
	if res.FreeCores != 0 {
		t.Errorf("FreeCores = %v without CheckCores, want 0", res.FreeCores)
	}
	e.CheckCores = true
	if res, err = Run(context.Background(), e); err != nil {
		t.Fatal(err)
	}
	if res.FreeCores == 0 || res.FreeCores > float64(runtime.GOMAXPROCS(0))+0.5 {
		t.Errorf("FreeCores = %v with CheckCores", res.FreeCores)
	}

	// A reading below 60% of the cores puts the note under the table, in
	// every format, and survives JSON.
	res.Machine.GOMAXPROCS, res.FreeCores = 2, 0.4
	for name, out := range map[string]string{"text": res.String(), "HTML": res.HTML()} {
		if !strings.Contains(out, "got 0.4 of its 2 cores") {
			t.Errorf("%s lacks the busy note:\n%s", name, out)
		}
	}
	var buf bytes.Buffer
	if err := res.WriteJSON(&buf); err != nil {
		t.Fatal(err)
	}
	back, err := ReadJSON(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if back.BusyNote() == "" {
		t.Errorf("the note is lost in JSON: FreeCores = %v", back.FreeCores)
	}
	res.FreeCores = 2
	if strings.Contains(res.String(), "note:") {
		t.Errorf("a note with every core free:\n%s", res)
	}
}
