package cluster

import (
	"errors"
	"fmt"
)

// ItemError is the failure of one item whose task returned an error (or
// panicked) in the worker that ran it. The queue does not retry it: the task
// ran to its end and said no, which another delivery would not change. When
// the task ran in another process, Err holds its text only.
type ItemError struct {
	Item   int    // the task index in the job
	Worker string // the worker that ran it, e.g. "pid 4242" or "g2"
	Err    error
}

func (e *ItemError) Error() string {
	return fmt.Sprintf("cluster: item %d failed in worker %s: %v", e.Item, e.Worker, e.Err)
}

func (e *ItemError) Unwrap() error { return e.Err }

// PoisonError is an item that the queue gave up on: it was delivered
// MaxDeliver times and never acknowledged, because every worker that took it
// died or stalled. Such a message is called a poison message. It stays in
// the work stream, unacknowledged: a dead letter (see Result.DeadLetters).
type PoisonError struct {
	Item       int    // the task index in the job
	Stream     string // the work stream
	Seq        uint64 // its sequence number in the stream
	Deliveries int    // how many times it was delivered (MaxDeliver)
}

func (e *PoisonError) Error() string {
	return fmt.Sprintf("cluster: item %d given up after %d deliveries, none acknowledged (a poison message: each worker that took it died or stalled); it stays in stream %s as dead letter seq %d",
		e.Item, e.Deliveries, e.Stream, e.Seq)
}

// UnreachableError is a NATS URL where no server answered.
type UnreachableError struct {
	URL string
	Err error
}

func (e *UnreachableError) Error() string {
	return fmt.Sprintf("cluster: no NATS server answered at %s: %v; start one there (nats-server -js), "+
		"or leave the URL empty (unset NATS_URL) to run an embedded server in this process", e.URL, e.Err)
}

func (e *UnreachableError) Unwrap() error { return e.Err }

// NoJetStreamError is a NATS server that answers but has JetStream, the
// persistence layer the work queue needs, turned off.
type NoJetStreamError struct {
	URL string
	Err error
}

func (e *NoJetStreamError) Error() string {
	return fmt.Sprintf("cluster: the NATS server at %s has JetStream disabled (%v); start it with JetStream on "+
		"(nats-server -js, or jetstream {} in its configuration), or leave the URL empty to use the embedded server", e.URL, e.Err)
}

func (e *NoJetStreamError) Unwrap() error { return e.Err }

// StreamExistsError is a stream that Map cannot create: a stream of that
// name, or one that takes the same subjects, already exists on the server.
// It may belong to someone else, or to a run that did not finish; Map never
// reuses or deletes a stream it did not create.
type StreamExistsError struct {
	Stream string // the name Map wanted
	URL    string
	Err    error // the server's answer
}

func (e *StreamExistsError) Error() string {
	return fmt.Sprintf("cluster: cannot create stream %s at %s: %v; choose another name (Options.Stream), "+
		"or delete the old stream if it is yours (nats stream rm %s)", e.Stream, e.URL, e.Err, e.Stream)
}

func (e *StreamExistsError) Unwrap() error { return e.Err }

// ItemErrors returns the per-item failures in err, the error of a Map, by
// item: every *ItemError and *PoisonError it holds. Errors that are not about
// one item (a cancelled context, a lost server) are left out; a nil err gives
// an empty map.
func ItemErrors(err error) map[int]error {
	out := map[int]error{}
	var walk func(error)
	walk = func(err error) {
		switch e := err.(type) {
		case nil:
		case *ItemError:
			out[e.Item] = e
		case *PoisonError:
			out[e.Item] = e
		case interface{ Unwrap() []error }:
			for _, e := range e.Unwrap() {
				walk(e)
			}
		default:
			walk(errors.Unwrap(err))
		}
	}
	walk(err)
	return out
}
