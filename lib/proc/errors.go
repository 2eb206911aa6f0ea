package proc

import (
	"errors"
	"fmt"
	"os"
	"strings"
)

// TaskError is the failure of one item of a Map: the task returned an error,
// or panicked, in a worker that carried on. The task's error crossed a
// process boundary, so Err holds its text only, not its type.
type TaskError struct {
	Task string // the registered name
	Item int    // the index of the argument in Map's args
	Err  error  // what the task returned, as text
}

func (e *TaskError) Error() string {
	return fmt.Sprintf("proc: task %q, item %d: %v", e.Task, e.Item, e.Err)
}

func (e *TaskError) Unwrap() error { return e.Err }

// WorkerError is the failure of the item a worker process was running when
// it died: the task called os.Exit, crashed the process (a panic on another
// goroutine, a fatal error such as running out of memory), or the process
// was killed by a signal from outside. Only that item fails; the items of
// its chunk that it had not started run on a fresh worker.
type WorkerError struct {
	Task string // the registered name
	Item int    // the index of the argument it was running
	PID  int    // the worker's process id

	// ExitCode is the worker's exit status, or -1 if a signal ended it.
	ExitCode int
	// Signal is the signal that ended the worker, or nil.
	Signal os.Signal
	// Stderr is the end of what the worker wrote to its standard error
	// (a few KiB), led by the line that says why it died when a long stack
	// dump would push that line out ("panic: ...", "fatal error: ...").
	Stderr string
	// MemoryLimit is the worker's memory cap in bytes (see the option
	// MemoryLimit) when the worker died for hitting it, and 0 otherwise.
	MemoryLimit int64
}

func (e *WorkerError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "proc: worker (pid %d) died running task %q, item %d: ", e.PID, e.Task, e.Item)
	switch {
	case e.Signal != nil:
		fmt.Fprintf(&b, "signal: %v", e.Signal)
	default:
		fmt.Fprintf(&b, "exit status %d", e.ExitCode)
	}
	if e.MemoryLimit > 0 {
		fmt.Fprintf(&b, ", over its memory limit of %s", bytesText(e.MemoryLimit))
	}
	if why := reason(e.Stderr); why != "" {
		fmt.Fprintf(&b, "; it printed %q", why)
	}
	return b.String()
}

// reason is the line of a worker's stderr that says why it died: the
// runtime's "panic: " or "fatal error: " line, or else the last line.
func reason(stderr string) string {
	lines := strings.Split(strings.TrimSpace(stderr), "\n")
	why := strings.TrimSpace(lines[len(lines)-1])
	for _, l := range lines {
		if strings.HasPrefix(l, "panic: ") || strings.HasPrefix(l, "fatal error: ") {
			why = strings.TrimSpace(l)
			break
		}
	}
	if len(why) > 200 {
		why = why[:200] + "..."
	}
	return why
}

// bytesText writes n bytes in the largest binary unit that divides it.
func bytesText(n int64) string {
	for _, u := range []struct {
		size int64
		name string
	}{{1 << 30, "GiB"}, {1 << 20, "MiB"}, {1 << 10, "KiB"}} {
		if n%u.size == 0 {
			return fmt.Sprintf("%d %s", n/u.size, u.name)
		}
	}
	return fmt.Sprintf("%d bytes", n)
}

// ItemErrors splits err, the error of a Map, into the failures of single
// items, by item index (every *TaskError and *WorkerError it holds), and the
// rest: why some items did not run (the context ended, the pool was closed),
// nil if every item ran. A nil err gives an empty map and nil.
//
//	squares, err := square.Map(ctx, pool, xs, 1)
//	failed, err := proc.ItemErrors(err)
//	if err != nil {
//		return err // some items did not run
//	}
//	for i, x := range xs {
//		if failed[i] != nil { ... } else { use(squares[i]) }
//	}
func ItemErrors(err error) (items map[int]error, rest error) {
	items = map[int]error{}
	var others []error
	var walk func(error)
	walk = func(err error) {
		if j, ok := err.(interface{ Unwrap() []error }); ok {
			for _, e := range j.Unwrap() {
				walk(e)
			}
			return
		}
		var te *TaskError
		var we *WorkerError
		switch {
		case errors.As(err, &te):
			items[te.Item] = err
		case errors.As(err, &we):
			items[we.Item] = err
		default:
			others = append(others, err)
		}
	}
	if err != nil {
		walk(err)
	}
	if len(others) == 1 {
		return items, others[0]
	}
	return items, errors.Join(others...)
}
