package cluster

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"runtime/debug"
	"sync"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/go-parallelism/go-parallelism/lib/async"
)

// WorkFunc is the exercise of notebook 10: take items off a work queue
// through cons until n results are in, calling f on each item's payload and
// acknowledging an item only once f has succeeded on it; return the results
// by payload.
type WorkFunc func(ctx context.Context, cons jetstream.Consumer, n int, f func(string) (int, error)) (map[string]int, error)

// The rules of the Work exercise, one for each way CheckWork can reject an
// answer.
var (
	errWorkAckedEarly = errors.New("acknowledge an item only after f has succeeded on it")
	errWorkTimeout    = errors.New("return once every item has a result")
	errWorkError      = errors.New("return no error when every item has a result")
	errWorkResults    = errors.New("return f's result for every payload")
	errWorkLeft       = errors.New("acknowledge every item that is done")
)

// What CheckWork publishes, the payload whose first f fails, and the limits
// it sets; a right answer needs well under a second.
var workWords = []string{"one", "two", "three", "four", "five", "six"}

const (
	workFailing = "four"
	workAckWait = 300 * time.Millisecond
	workTimeout = 3 * time.Second
)

// errPassing is what f returns the first time it sees workFailing.
var errPassing = errors.New("a passing failure")

// CheckWork returns what is wrong with work as an answer to the exercise,
// or nil. It starts an embedded server with a work-queue stream, publishes
// six words and gives work a consumer whose ack wait is 300 ms and an f that
// returns a word's length, but fails the first time it sees "four". While
// work runs, CheckWork watches the stream: a word that leaves it (was
// acknowledged) before f has succeeded on it is lost for good, which
// rejects an answer that acknowledges an item first and works on it after,
// and one that acknowledges an item whose f failed. Then work must return
// every word's length, no error, within 3 s, and leave the stream empty,
// which rejects one that never acknowledges. A panic in work comes back as
// an async.PanicError.
func CheckWork(work WorkFunc) error {
	if work == nil {
		return errors.New("cluster: CheckWork: work is nil, want a Work function")
	}
	ctx, cancel := context.WithTimeout(context.Background(), workTimeout+10*time.Second)
	defer cancel()
	srv, err := Start(ctx)
	if err != nil {
		return err
	}
	defer srv.Close()
	nc, err := nats.Connect(srv.URL())
	if err != nil {
		return fmt.Errorf("cluster: CheckWork: %w", err)
	}
	defer nc.Close()
	js, err := jetstream.New(nc)
	if err != nil {
		return fmt.Errorf("cluster: CheckWork: %w", err)
	}
	stream, err := js.CreateStream(ctx, jetstream.StreamConfig{Name: "EX", Subjects: []string{"ex"}, Retention: jetstream.WorkQueuePolicy})
	if err != nil {
		return fmt.Errorf("cluster: CheckWork: %w", err)
	}
	cons, err := stream.CreateConsumer(ctx, jetstream.ConsumerConfig{Durable: "w", AckPolicy: jetstream.AckExplicitPolicy, AckWait: workAckWait})
	if err != nil {
		return fmt.Errorf("cluster: CheckWork: %w", err)
	}
	seqs := map[string]uint64{}
	for _, w := range workWords {
		ack, err := js.Publish(ctx, "ex", []byte(w))
		if err != nil {
			return fmt.Errorf("cluster: CheckWork: %w", err)
		}
		seqs[w] = ack.Sequence
	}

	var mu sync.Mutex
	calls, succeeded := map[string]int{}, map[string]bool{}
	f := func(s string) (int, error) {
		mu.Lock()
		defer mu.Unlock()
		if calls[s]++; s == workFailing && calls[s] == 1 {
			return 0, errPassing
		}
		succeeded[s] = true // before f returns, so before a right answer acknowledges
		return len(s), nil
	}
	lost := func() (string, bool) { // a word that left the stream before f succeeded on it
		for _, w := range workWords {
			mu.Lock()
			ok := succeeded[w]
			mu.Unlock()
			if ok {
				continue
			}
			if _, err := stream.GetMsg(ctx, seqs[w]); errors.Is(err, jetstream.ErrMsgNotFound) {
				mu.Lock()
				ok = succeeded[w] // f may have succeeded, and the item been acknowledged, since
				mu.Unlock()
				if !ok {
					return w, true
				}
			}
		}
		return "", false
	}

	type answer struct {
		got map[string]int
		err error
	}
	wctx, stop := context.WithTimeout(ctx, workTimeout)
	defer stop()
	answered := make(chan answer, 1)
	go func() {
		defer func() {
			if v := recover(); v != nil {
				answered <- answer{err: async.PanicError{Value: v, Stack: debug.Stack()}}
			}
		}()
		got, err := work(wctx, cons, len(workWords), f)
		answered <- answer{got, err}
	}()
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	var a answer
	for waiting := true; waiting; {
		select {
		case a = <-answered:
			waiting = false
		case <-tick.C:
			if w, ok := lost(); ok {
				stop()
				select { // let Work see its context end, for a while
				case <-answered:
				case <-time.After(time.Second):
				}
				mu.Lock()
				n := calls[w]
				mu.Unlock()
				return mistake(errWorkAckedEarly, "the item %q left the queue (it was acknowledged) before f had succeeded on it "+
					"(f had run on it %d time(s)): its result is lost for good. Acknowledge an item only after f returned no error for it",
					w, n)
			}
		}
	}
	var p async.PanicError
	switch {
	case errors.As(a.err, &p):
		return p
	case errors.Is(a.err, context.DeadlineExceeded) || wctx.Err() != nil:
		return mistake(errWorkTimeout, "Work did not return within %v (it got %v): keep fetching until every item has a result, "+
			"and let an item whose f failed come back (Nak it, or wait for the ack wait)", workTimeout, a.got)
	case a.err != nil:
		return mistake(errWorkError, "Work returned the error %v (with %v), want none", a.err, a.got)
	}
	want := map[string]int{}
	for _, w := range workWords {
		want[w] = len(w)
	}
	if !maps.Equal(a.got, want) {
		return mistake(errWorkResults, "Work returned %v, want %v: f's result for every payload", a.got, want)
	}
	left, err := waitEmpty(ctx, stream)
	if err != nil {
		return fmt.Errorf("cluster: CheckWork: %w", err)
	}
	if left > 0 {
		return mistake(errWorkLeft, "%d of %d items were still in the stream after Work returned: it never acknowledged them. "+
			"Acknowledge each item once f has succeeded on it", left, len(workWords))
	}
	return nil
}

// waitEmpty waits up to 300 ms for the stream to hold no message (a plain
// Ack reaches the server a moment after it returns) and returns how many
// it still holds.
func waitEmpty(ctx context.Context, stream jetstream.Stream) (uint64, error) {
	deadline := time.Now().Add(300 * time.Millisecond)
	for {
		info, err := stream.Info(ctx)
		if err != nil {
			return 0, err
		}
		if info.State.Msgs == 0 || time.Now().After(deadline) {
			return info.State.Msgs, nil
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// checkError is an exercise answer that a check rejected: what the check
// saw, in words for the reader, and the rule the answer broke, for
// errors.Is.
type checkError struct {
	rule error
	msg  string
}

func (e *checkError) Error() string { return e.msg }
func (e *checkError) Unwrap() error { return e.rule }

// mistake returns a checkError for rule, its message formatted.
func mistake(rule error, format string, args ...any) error {
	return &checkError{rule: rule, msg: fmt.Sprintf(format, args...)}
}
