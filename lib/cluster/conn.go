package cluster

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/go-parallelism/go-parallelism/lib/proc"
)

// dialTimeout bounds the connection to each server of a URL, so that an
// unreachable URL fails fast.
const dialTimeout = time.Second

// jsReadyTimeout bounds the wait for JetStream in a cluster that is still
// electing its leaders, when ctx has no deadline of its own.
const jsReadyTimeout = 20 * time.Second

// Conn is a connection to NATS with JetStream: to a server or cluster named
// by a URL (Connect), or to an embedded server that it started and owns
// (Open with an empty URL). One Conn serves any number of Maps, one after
// another or at once (each with its own stream name).
type Conn struct {
	nc  *nats.Conn
	js  jetstream.JetStream
	url string
	own *Server // the embedded server Open started, closed by Close
}

// Open connects to the NATS server or cluster at url, or, if url is empty,
// starts an embedded server (see Start) and connects to it; Close then stops
// that server too. Notebooks pass os.Getenv("NATS_URL"), so that the same
// cells run on the embedded server or against a real cluster.
//
// Open first calls proc.Main, so that in a worker process of lib/proc it
// serves tasks instead of starting a server (see package proc).
func Open(ctx context.Context, url string) (*Conn, error) {
	proc.Main()
	if url != "" {
		return Connect(ctx, url)
	}
	srv, err := Start(ctx)
	if err != nil {
		return nil, err
	}
	c, err := Connect(ctx, srv.URL())
	if err != nil {
		srv.Close()
		return nil, err
	}
	c.own = srv
	return c, nil
}

// Connect connects to the NATS server or cluster at url: one URL, or several
// separated by commas (nats://a:4222,nats://b:4222), as NATS_URL holds them.
// It fails within about a second per server with an *UnreachableError if
// none answers, and with a *NoJetStreamError if the server has JetStream
// off. Once connected, it reconnects on its own to another server of a
// cluster when its server goes away.
func Connect(ctx context.Context, url string) (*Conn, error) {
	if strings.TrimSpace(url) == "" {
		return nil, errors.New(`cluster: Connect: url is empty; give a NATS URL such as nats://127.0.0.1:4222, or call Open(ctx, "") to start an embedded server`)
	}
	type dialed struct {
		nc  *nats.Conn
		err error
	}
	ch := make(chan dialed, 1)
	go func() {
		nc, err := nats.Connect(url,
			nats.Name("go-parallelism"),
			nats.Timeout(dialTimeout),
			nats.MaxReconnects(-1), // a cluster losing a server is the point
			nats.ReconnectWait(100*time.Millisecond),
			nats.ReconnectJitter(50*time.Millisecond, 50*time.Millisecond),
		)
		ch <- dialed{nc, err}
	}()
	var d dialed
	select {
	case d = <-ch:
	case <-ctx.Done():
		go func() { // the dial ends within dialTimeout per server
			if d := <-ch; d.nc != nil {
				d.nc.Close()
			}
		}()
		return nil, &UnreachableError{URL: redact(url), Err: ctx.Err()}
	}
	if d.err != nil {
		return nil, &UnreachableError{URL: redact(url), Err: d.err}
	}
	js, err := jetstream.New(d.nc)
	if err != nil {
		d.nc.Close()
		return nil, fmt.Errorf("cluster: %w", err)
	}
	c := &Conn{nc: d.nc, js: js, url: url}
	if err := c.waitJetStream(ctx); err != nil {
		d.nc.Close()
		return nil, err
	}
	return c, nil
}

// waitJetStream checks that JetStream answers. A cluster that has just
// started answers "temporarily unavailable" until it has elected a leader;
// that is waited for, bounded by ctx (or jsReadyTimeout).
func (c *Conn) waitJetStream(ctx context.Context) error {
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, jsReadyTimeout)
		defer cancel()
	}
	pause := 20 * time.Millisecond
	for {
		actx, cancel := context.WithTimeout(ctx, 2*time.Second)
		_, err := c.js.AccountInfo(actx)
		cancel()
		switch {
		case err == nil:
			return nil
		case errors.Is(err, jetstream.ErrJetStreamNotEnabled), errors.Is(err, jetstream.ErrJetStreamNotEnabledForAccount):
			return &NoJetStreamError{URL: redact(c.url), Err: err}
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("cluster: JetStream at %s did not answer: %w (last answer: %v)", redact(c.url), ctx.Err(), err)
		case <-time.After(pause):
		}
		pause = min(2*pause, 500*time.Millisecond)
	}
}

// URL returns the URL the Conn was opened with (the embedded server's, after
// Open("")), with any password removed.
func (c *Conn) URL() string { return redact(c.url) }

// Server returns the name of the server the Conn is connected to now.
func (c *Conn) Server() string { return c.nc.ConnectedServerName() }

// Embedded returns the embedded server that Open started, or nil.
func (c *Conn) Embedded() *Server { return c.own }

// StreamLeader returns the name of the server that leads the stream: the
// one that orders its messages and that its replicas follow.
func (c *Conn) StreamLeader(ctx context.Context, stream string) (string, error) {
	ctx, cancel := bounded(ctx)
	defer cancel()
	s, err := c.js.Stream(ctx, stream)
	if err != nil {
		return "", fmt.Errorf("cluster: stream %s: %w", stream, err)
	}
	info, err := s.Info(ctx)
	if err != nil {
		return "", fmt.Errorf("cluster: stream %s: %w", stream, err)
	}
	if info.Cluster == nil {
		return "", nil
	}
	return info.Cluster.Leader, nil
}

// Close closes the connection, and stops the embedded server if Open
// started one (removing its store).
func (c *Conn) Close() error {
	c.nc.Close()
	if c.own != nil {
		return c.own.Close()
	}
	return nil
}

// redact removes passwords and tokens from a list of URLs, for messages.
func redact(urls string) string {
	parts := strings.Split(urls, ",")
	for i, p := range parts {
		u, err := url.Parse(strings.TrimSpace(p))
		if err != nil || u.User == nil {
			continue
		}
		u.User = url.User("redacted")
		parts[i] = u.String()
	}
	return strings.Join(parts, ",")
}
