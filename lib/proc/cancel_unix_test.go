//go:build unix

package proc_test

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Cancelling a map while a worker computes (and never looks at its
// context) returns within 100 ms: the worker is killed. Other programs on a
// shared machine can delay any one run, so the best of three counts.
func TestCancelWhileComputing(t *testing.T) {
	p := newPool(t, 2)
	// The workers say they compute through a named pipe: opening it for
	// reading waits for a writer, so the test needs no polling. (A TCP
	// connection would do, but package net would make this test binary,
	// and so every worker, load the C library at start.)
	fifo := filepath.Join(t.TempDir(), "started")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skip("no named pipes here:", err)
	}
	var late []time.Duration
	for range 3 {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		type outcome struct {
			err error
			at  time.Time
		}
		done := make(chan outcome)
		go func() {
			_, err := spin.Map(ctx, p, []string{fifo, fifo, "", ""}, 1)
			done <- outcome{err, time.Now()}
		}()
		for n := 0; n < 2; { // both workers are computing
			f, err := os.Open(fifo) // both may come in while it is open
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(f)
			f.Close()
			n += len(b)
		}
		t0 := time.Now()
		cancel()
		o := <-done
		if !errors.Is(o.err, context.Canceled) || !strings.Contains(o.err.Error(), "4 of 4 items") {
			t.Fatalf("err = %v", o.err)
		}
		if d := o.at.Sub(t0); d <= 100*time.Millisecond {
			return
		} else {
			late = append(late, d)
		}
	}
	t.Fatalf("Map returned %v after the cancel; want within 100 ms", late)
}
