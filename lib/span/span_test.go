package span

import (
	"context"
	"errors"
	"sync"
	"testing"
)

func TestTaskRecordsSpans(t *testing.T) {
	r := NewRecorder()
	ctx := With(context.Background(), r)
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			done := Task(ctx, i, i%2)
			var err error
			if i == 3 {
				err = errors.New("boom")
			}
			done(err)
		}()
	}
	wg.Wait()
	spans := r.Spans()
	if len(spans) != 8 {
		t.Fatalf("got %d spans, want 8", len(spans))
	}
	seen := map[int]bool{}
	for i, s := range spans {
		if s.End < s.Start {
			t.Errorf("span %+v ends before it starts", s)
		}
		if i > 0 && s.Start < spans[i-1].Start {
			t.Errorf("spans not ordered by start")
		}
		if s.Worker != s.Task%2 {
			t.Errorf("task %d on worker %d, want %d", s.Task, s.Worker, s.Task%2)
		}
		if (s.Task == 3) != (s.Err == "boom") {
			t.Errorf("task %d has err %q", s.Task, s.Err)
		}
		seen[s.Task] = true
	}
	if len(seen) != 8 {
		t.Errorf("tasks seen: %v", seen)
	}
}

func TestTaskWithoutRecorderIsNoop(t *testing.T) {
	done := Task(context.Background(), 1, 1)
	done(nil) // must not panic
	if From(context.Background()) != nil {
		t.Fatal("From on a bare context should be nil")
	}
}
