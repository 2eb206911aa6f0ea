package measure

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/go-parallelism/go-parallelism/lib/async"
	"github.com/go-parallelism/go-parallelism/lib/site"
)

// FirstOfFunc is the exercise of notebook 04: download every url at once,
// return the index and size of the first download that succeeds, and cancel
// the others; an error if every download fails.
type FirstOfFunc func(ctx context.Context, c *http.Client, urls []string) (index, size int, err error)

// The mirrors CheckFirstOf starts: two slow ones, one that fails fast, and
// the first good answer.
var firstOfMirrors = []site.Options{
	{Latency: time.Second},
	{Latency: 20 * time.Millisecond, ErrorRate: 1},
	{Latency: 150 * time.Millisecond},
	{Latency: 1500 * time.Millisecond},
}

const (
	firstOfGood    = 2               // the mirror whose answer is the first good one
	firstOfTimeout = 5 * time.Second // the time firstOf gets
)

// CheckFirstOf returns what is wrong with firstOf as an answer to the
// exercise, or nil. It starts four local mirrors: mirror 0 answers after 1 s,
// mirror 1 fails after 20 ms, mirror 2 answers after 150 ms and mirror 3
// after 1.5 s. firstOf must ask each mirror once, return mirror 2's page,
// and cancel the two slow downloads, so that the slow mirrors never answer.
// That rejects an answer that waits for every download and then picks the
// first success (the slow mirrors have answered before it returns), one that
// returns at the first success without cancelling the rest (they answer
// later), and one that returns the first download to finish, failed or not.
// A firstOf that fails every time must return an error, as must one that
// runs longer than 5 s. A panic in firstOf comes back as an async.PanicError.
func CheckFirstOf(firstOf FirstOfFunc) error {
	if firstOf == nil {
		return errors.New("measure: CheckFirstOf: firstOf is nil, want a FirstOf function")
	}
	var mirrors []*site.Server
	defer func() {
		for _, m := range mirrors {
			m.Close()
		}
	}()
	var urls []string
	for _, o := range firstOfMirrors {
		m, err := site.Start(o)
		if err != nil {
			return err
		}
		mirrors, urls = append(mirrors, m), append(urls, m.PageURL(0))
	}
	client := site.NewClient(firstOfTimeout)
	defer client.CloseIdleConnections()
	a, err := runFirstOf(firstOf, client, urls)
	if errors.Is(err, errFirstOfTimeout) {
		return mistake(errFirstOfTimeout, "FirstOf did not return within %v", firstOfTimeout)
	}
	var p async.PanicError
	if errors.As(err, &p) {
		return p
	}
	slow := []int{0, 3}
	servedEarly := mirrors[0].Stats().Served + mirrors[3].Stats().Served
	want := len(site.Page(0, site.DefaultPages, site.DefaultPageSize))
	if err != nil || a.index != firstOfGood || a.size != want {
		return mistake(errFirstOfAnswer, "FirstOf returned url %d, %d bytes, error %v; want url %d, %d bytes, no error "+
			"(url 1 fails after 20 ms, url 2 answers after 150 ms, urls 0 and 3 after 1 s or more)",
			a.index, a.size, err, firstOfGood, want)
	}
	for i, m := range mirrors {
		if n := m.Stats().Requests; n != 1 {
			return mistake(errFirstOfRequests, "mirror %d got %d requests by the time FirstOf returned, want 1: ask every mirror once, all at once", i, n)
		}
	}
	if servedEarly > 0 {
		return mistake(errFirstOfWaitedForAll, "FirstOf returned after %d slow mirror(s) had answered: it waited for every download instead of returning at the first success", servedEarly)
	}
	// A download left running ends by itself once its mirror answers; wait
	// for that (at most the slowest mirror's delay) before counting answers.
	for deadline := time.Now().Add(firstOfMirrors[3].Latency + time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		if mirrors[0].Stats().InFlight+mirrors[3].Stats().InFlight == 0 {
			break
		}
	}
	for _, i := range slow {
		if mirrors[i].Stats().Served > 0 {
			return mistake(errFirstOfNotCancelled, "mirror %d answered after FirstOf had returned: its download was not cancelled", i)
		}
	}
	// Every mirror fails: FirstOf must say so.
	for _, m := range mirrors {
		m.Close()
	}
	mirrors, urls = nil, nil
	for range 3 {
		m, err := site.Start(site.Options{Latency: 20 * time.Millisecond, ErrorRate: 1})
		if err != nil {
			return err
		}
		mirrors, urls = append(mirrors, m), append(urls, m.PageURL(0))
	}
	_, err = runFirstOf(firstOf, client, urls)
	switch {
	case errors.Is(err, errFirstOfTimeout):
		return mistake(errFirstOfTimeout, "with every mirror failing, FirstOf did not return within %v", firstOfTimeout)
	case errors.As(err, &p):
		return p
	case err == nil:
		return mistake(errFirstOfNoError, "FirstOf returned no error although every mirror failed")
	}
	return nil
}

// The rules of the FirstOf exercise, one for each way CheckFirstOf can
// reject an answer.
var (
	errFirstOfTimeout      = errors.New("return within the time allowed")
	errFirstOfAnswer       = errors.New("return the first download that succeeds")
	errFirstOfRequests     = errors.New("ask every mirror once")
	errFirstOfWaitedForAll = errors.New("return at the first success")
	errFirstOfNotCancelled = errors.New("cancel the other downloads")
	errFirstOfNoError      = errors.New("fail when every download fails")
)

type firstOfAnswer struct{ index, size int }

// runFirstOf calls firstOf on its own goroutine and waits at most
// firstOfTimeout for it. firstOf gets a context that nothing cancels, so
// that only firstOf itself can stop the downloads it started.
func runFirstOf(firstOf FirstOfFunc, client *http.Client, urls []string) (firstOfAnswer, error) {
	task := async.Go(context.Background(), func(context.Context) (firstOfAnswer, error) {
		i, n, err := firstOf(context.Background(), client, urls)
		return firstOfAnswer{i, n}, err
	})
	ctx, cancel := context.WithTimeoutCause(context.Background(), firstOfTimeout, errFirstOfTimeout)
	defer cancel()
	return task.Wait(ctx)
}
