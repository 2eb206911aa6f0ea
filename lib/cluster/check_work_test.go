package cluster

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/go-parallelism/go-parallelism/lib/async"
)

// each fetches items off cons until it holds n results, and hands each
// item to handle, which may record a result.
func each(ctx context.Context, cons jetstream.Consumer, n int, handle func(jetstream.Msg, map[string]int)) (map[string]int, error) {
	results := map[string]int{}
	for len(results) < n {
		if err := ctx.Err(); err != nil {
			return results, err
		}
		batch, err := cons.Fetch(n-len(results), jetstream.FetchMaxWait(200*time.Millisecond))
		if err != nil {
			return results, err
		}
		for msg := range batch.Messages() {
			handle(msg, results)
		}
	}
	return results, nil
}

// The notebook's solution: acknowledge after f succeeded, Nak after it failed.
func workRight(ctx context.Context, cons jetstream.Consumer, n int, f func(string) (int, error)) (map[string]int, error) {
	return each(ctx, cons, n, func(msg jetstream.Msg, results map[string]int) {
		v, err := f(string(msg.Data()))
		if err != nil {
			msg.Nak()
			return
		}
		results[string(msg.Data())] = v
		msg.DoubleAck(ctx)
	})
}

func TestCheckWorkAcceptsRightAnswers(t *testing.T) {
	if err := CheckWork(workRight); err != nil {
		t.Errorf("the solution was rejected: %v", err)
	}
	// No Nak: the failed item comes back after the ack wait. A plain Ack
	// reaches the server a moment after it returns.
	waitForAckWait := func(ctx context.Context, cons jetstream.Consumer, n int, f func(string) (int, error)) (map[string]int, error) {
		return each(ctx, cons, n, func(msg jetstream.Msg, results map[string]int) {
			if v, err := f(string(msg.Data())); err == nil {
				results[string(msg.Data())] = v
				msg.Ack()
			}
		})
	}
	if err := CheckWork(waitForAckWait); err != nil {
		t.Errorf("an answer that lets the ack wait bring the item back was rejected: %v", err)
	}
}

func TestCheckWorkRejectsWrongAnswers(t *testing.T) {
	for _, c := range []struct {
		name string
		work WorkFunc
		rule error
	}{
		{"acknowledged first, worked on after", func(ctx context.Context, cons jetstream.Consumer, n int, f func(string) (int, error)) (map[string]int, error) {
			return each(ctx, cons, n, func(msg jetstream.Msg, results map[string]int) {
				msg.DoubleAck(ctx)
				if v, err := f(string(msg.Data())); err == nil {
					results[string(msg.Data())] = v
				}
			})
		}, errWorkAckedEarly},
		{"acknowledged even when f failed", func(ctx context.Context, cons jetstream.Consumer, n int, f func(string) (int, error)) (map[string]int, error) {
			return each(ctx, cons, n, func(msg jetstream.Msg, results map[string]int) {
				if v, err := f(string(msg.Data())); err == nil {
					results[string(msg.Data())] = v
				}
				msg.DoubleAck(ctx)
			})
		}, errWorkAckedEarly},
		{"never acknowledged", func(ctx context.Context, cons jetstream.Consumer, n int, f func(string) (int, error)) (map[string]int, error) {
			return each(ctx, cons, n, func(msg jetstream.Msg, results map[string]int) {
				if v, err := f(string(msg.Data())); err == nil {
					results[string(msg.Data())] = v
				}
			})
		}, errWorkLeft},
		{"results by the wrong key", func(ctx context.Context, cons jetstream.Consumer, n int, f func(string) (int, error)) (map[string]int, error) {
			got, err := workRight(ctx, cons, n, f)
			wrong := map[string]int{}
			for k, v := range got {
				wrong[k+"!"] = v
			}
			return wrong, err
		}, errWorkResults},
		{"an error although every item is done", func(ctx context.Context, cons jetstream.Consumer, n int, f func(string) (int, error)) (map[string]int, error) {
			got, _ := workRight(ctx, cons, n, f)
			return got, errors.New("done")
		}, errWorkError},
	} {
		t.Run(c.name, func(t *testing.T) {
			err := CheckWork(c.work)
			if !errors.Is(err, c.rule) {
				t.Errorf("CheckWork = %v, want an error for the rule %q", err, c.rule)
			}
		})
	}
}

func TestCheckWorkReportsAPanic(t *testing.T) {
	err := CheckWork(func(context.Context, jetstream.Consumer, int, func(string) (int, error)) (map[string]int, error) {
		panic("TODO: write Work")
	})
	var p async.PanicError
	if !errors.As(err, &p) || p.Value != "TODO: write Work" {
		t.Errorf("CheckWork = %v, want an async.PanicError with the stub's message", err)
	}
	if err := CheckWork(nil); err == nil {
		t.Error("CheckWork(nil) = nil, want an error")
	}
}
