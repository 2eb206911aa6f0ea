package proc

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"sync"
	"syscall"
	"time"
)

// envWorker marks a process started as a worker; envMemoryLimit gives its
// memory cap in bytes.
const (
	envWorker      = "GO_PARALLELISM_PROC_WORKER"
	envMemoryLimit = "GO_PARALLELISM_PROC_MEMORY_LIMIT"
)

// request asks a worker to run a task on a chunk of arguments; First is the
// index of Args[0] in the whole map.
type request struct {
	Task  string            `json:"task"`
	First int               `json:"first"`
	Args  []json.RawMessage `json:"args"`
}

// result is what a worker sends for each item, as soon as the item ends, so
// that a worker that dies is blamed for the right item: the first without a
// result. The first message of a worker is a hello, with Index -1 and its
// PID, and Err if it cannot serve. Start and End are Unix nanoseconds.
type result struct {
	Index int             `json:"i"`
	PID   int             `json:"pid,omitempty"`
	Value json.RawMessage `json:"r,omitempty"`
	Err   string          `json:"err,omitempty"`
	Start int64           `json:"start,omitempty"`
	End   int64           `json:"end,omitempty"`
}

// isWorker is decided once, before main runs; the variable is removed from
// the environment so that processes the worker starts are not workers.
var isWorker = func() bool {
	if os.Getenv(envWorker) != "1" {
		return false
	}
	os.Unsetenv(envWorker)
	// Keep the protocol pipes out of any process the program starts before
	// it reaches Main: a grandchild holding them would hide our exit.
	syscall.CloseOnExec(3)
	syscall.CloseOnExec(4)
	return true
}()

// IsWorker reports whether this process was started as a pool worker.
func IsWorker() bool { return isWorker }

// Main makes a worker process serve tasks, and returns at once in any other
// process. In a worker it never returns: it exits when the pool closes (or
// the parent dies). Call it first thing in main, or in TestMain before
// m.Run, so that nothing before it runs twice. NewPool calls it too.
func Main() {
	if isWorker {
		os.Exit(serve())
	}
}

var (
	atExitMu sync.Mutex
	atExit   []func()
)

// AtExit registers fn to run in a worker process when it exits because its
// pool closed, for cleanup that a deferred call in main would do in a
// normal program (a worker ends with os.Exit, which skips deferred calls).
// It does not run when the worker crashes or is killed. Outside a worker,
// AtExit does nothing.
func AtExit(fn func()) {
	if !isWorker || fn == nil {
		return
	}
	atExitMu.Lock()
	atExit = append(atExit, fn)
	atExitMu.Unlock()
}

// exit runs the AtExit functions, last registered first, and exits.
func exit(code int) {
	atExitMu.Lock()
	fns := atExit
	atExit = nil
	atExitMu.Unlock()
	for i := len(fns) - 1; i >= 0; i-- {
		fns[i]()
	}
	os.Exit(code)
}

// serve runs the worker's side of the protocol and returns the exit code.
func serve() int {
	in, out := os.NewFile(3, "proc-in"), os.NewFile(4, "proc-out")
	bw := bufio.NewWriter(out)
	enc := json.NewEncoder(bw)
	send := func(r result) {
		err := enc.Encode(r)
		if err == nil {
			err = bw.Flush()
		}
		if err != nil {
			exit(0) // the parent is gone
		}
	}
	if err := limitMemory(); err != nil {
		send(result{Index: -1, PID: os.Getpid(), Err: err.Error()})
		return 1
	}
	// The hello is written by hand: encoding/json would first build its
	// encoder for result, a tenth of a millisecond, which is better spent
	// while the worker waits for its first request.
	hello := strconv.AppendInt([]byte(`{"i":-1,"pid":`), int64(os.Getpid()), 10)
	if _, err := out.Write(append(hello, "}\n"...)); err != nil {
		return 0 // the parent is gone
	}
	enc.Encode(result{}) // builds the encoder; writes nothing until a flush
	bw.Reset(out)

	// Read requests on their own goroutine, so that the end of input (the
	// pool closed, or the parent died) ends the worker even in mid-task.
	reqs := make(chan request)
	go func() {
		json.Unmarshal([]byte("{}"), new(request)) // builds the decoder while there is time
		dec := json.NewDecoder(bufio.NewReader(in))
		for {
			var r request
			if err := dec.Decode(&r); err != nil {
				if errors.Is(err, io.EOF) || errors.Is(err, os.ErrClosed) {
					exit(0)
				}
				fmt.Fprintf(os.Stderr, "proc worker: bad request: %v\n", err)
				os.Exit(2)
			}
			reqs <- r
		}
	}()
	ctx := context.Background()
	for req := range reqs {
		e := lookup(req.Task)
		for k, arg := range req.Args {
			r := result{Index: req.First + k, Start: time.Now().UnixNano()}
			if e == nil {
				r.Err = fmt.Sprintf("task %q is not registered in the worker (register it in a package-level var or init, not in main)", req.Task)
			} else if v, err := callTask(ctx, e, arg); err != nil {
				r.Err = err.Error()
			} else {
				r.Value = v
			}
			r.End = time.Now().UnixNano()
			send(r)
		}
	}
	return 0
}

// limitMemory applies the memory cap the pool asked for, if any.
func limitMemory() error {
	v, ok := os.LookupEnv(envMemoryLimit)
	if !ok {
		return nil
	}
	os.Unsetenv(envMemoryLimit)
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n <= 0 {
		return fmt.Errorf("bad %s=%q", envMemoryLimit, v)
	}
	if err := setMemoryLimit(n); err != nil {
		return fmt.Errorf("setting its memory limit of %s: %w", bytesText(n), err)
	}
	return nil
}

// callTask runs one task, turning a panic into an error.
func callTask(ctx context.Context, e *entry, arg json.RawMessage) (res json.RawMessage, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("task panicked: %v", p)
		}
	}()
	return e.call(ctx, arg)
}
