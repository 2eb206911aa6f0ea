package workload

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"hash/crc32"
	"net"
	"strconv"
	"sync"
	"time"
)

// TCP names the "tcp" workload, network communication: New starts a
// line-echo server on 127.0.0.1 (random port); task i opens a connection and
// does Rounds request/response round trips, each a line the server sends
// back, and verifies every answer; its digest is the CRC-32C of the answers.
// Close stops the server and closes its connections. The server's address is
// recorded in Job.Spec, so that a job rebuilt from it in a child process
// talks to the same server.
//
// Size is the number of tasks, that is of connections (at most 10,000). A
// loopback round trip costs about 20 µs, so with the default 100 rounds Size
// 200 takes about 0.4-0.5 s sequentially. With Latency the server
// waits before each answer, like a slow service: then waiting dominates.
//
// Options:
//   - Rounds: round trips per task (default 100)
//   - MsgSize: bytes per message, newline included (default 64, at least 20)
//   - Latency: server delay before each answer (default none)
//   - Addr: host:port of the echo server of another tcp job, to use instead
//     of starting one (its latency applies)
const TCP = "tcp"

// newTCP builds a TCP job.
func newTCP(s Spec) (*Job, error) {
	c := checker{workload: s.Name}
	rounds := c.int("Rounds", s.Options.Rounds, 100, 1, 10_000_000)
	size := c.int("MsgSize", s.Options.MsgSize, 64, 20, 1<<20)
	latency := c.duration("Latency", s.Options.Latency, 0, maxWait)
	if err := c.err(); err != nil {
		return nil, err
	}
	spec, addr, closer := s, s.Options.Addr, func() error { return nil }
	if addr == "" {
		srv, err := startEcho(latency)
		if err != nil {
			return nil, fmt.Errorf("workload tcp: %w", err)
		}
		addr, closer = srv.ln.Addr().String(), srv.close
		spec.Options.Addr = addr
	}
	want := func(i int) uint32 {
		h := crc32.New(castagnoli)
		var line []byte
		for r := range rounds {
			line = message(line, i, r, size)
			h.Write(line)
		}
		return h.Sum32()
	}
	return &Job{
		Spec: spec,
		N:    s.Size,
		Task: func(ctx context.Context, i int) (string, error) {
			got, err := echoRounds(ctx, addr, i, rounds, size)
			if err != nil {
				return "", err
			}
			return crcHex(got), nil
		},
		Check: func(got []string) error {
			w := make([]string, s.Size)
			for i := range w {
				w[i] = crcHex(want(i))
			}
			return compare(s.Name, w, got)
		},
		Close: closeOnce(closer),
	}, nil
}

// message is request number r of task i: a line of size bytes.
func message(buf []byte, i, r, size int) []byte {
	buf = strconv.AppendInt(buf[:0], int64(i), 10)
	buf = append(buf, ' ')
	buf = strconv.AppendInt(buf, int64(r), 10)
	buf = append(buf, ' ')
	for k := len(buf); k < size-1; k++ {
		buf = append(buf, '0'+byte((i*7+r+k)%10))
	}
	return append(buf, '\n')
}

// echoRounds does the round trips of task i on one new connection.
func echoRounds(ctx context.Context, addr string, i, rounds, size int) (uint32, error) {
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return 0, err
	}
	defer conn.Close()
	// Cancelling ctx interrupts a blocked read or write at once.
	stop := context.AfterFunc(ctx, func() { conn.SetDeadline(time.Unix(1, 0)) })
	defer stop()

	h := crc32.New(castagnoli)
	rd := bufio.NewReaderSize(conn, size+1)
	var req []byte
	for r := range rounds {
		req = message(req, i, r, size)
		if _, err := conn.Write(req); err != nil {
			return 0, ctxOr(ctx, err)
		}
		resp, err := rd.ReadSlice('\n')
		if err != nil {
			return 0, ctxOr(ctx, err)
		}
		if !bytes.Equal(resp, req) {
			return 0, fmt.Errorf("tcp: round %d: answer %.20q..., want %.20q...", r, resp, req)
		}
		h.Write(resp)
	}
	return h.Sum32(), nil
}

// ctxOr returns ctx's error if it is done (it explains err), else err.
func ctxOr(ctx context.Context, err error) error {
	if e := ctx.Err(); e != nil {
		return e
	}
	return err
}

// echoServer answers every line with the same line.
type echoServer struct {
	ln      net.Listener
	latency time.Duration
	quit    chan struct{}
	wg      sync.WaitGroup
	mu      sync.Mutex
	conns   map[net.Conn]struct{}
}

func startEcho(latency time.Duration) (*echoServer, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	s := &echoServer{ln: ln, latency: latency, quit: make(chan struct{}), conns: map[net.Conn]struct{}{}}
	s.wg.Go(s.accept)
	return s, nil
}

func (s *echoServer) accept() {
	for {
		c, err := s.ln.Accept()
		if err != nil {
			return // closed
		}
		s.mu.Lock()
		select {
		case <-s.quit:
			s.mu.Unlock()
			c.Close()
			return
		default:
		}
		s.conns[c] = struct{}{}
		s.mu.Unlock()
		s.wg.Go(func() { s.serve(c) })
	}
}

func (s *echoServer) serve(c net.Conn) {
	defer func() {
		s.mu.Lock()
		delete(s.conns, c)
		s.mu.Unlock()
		c.Close()
	}()
	rd := bufio.NewReader(c)
	for {
		line, err := rd.ReadSlice('\n')
		if errors.Is(err, bufio.ErrBufferFull) {
			// A long line: echo it piece by piece.
		} else if err != nil {
			return
		}
		if s.latency > 0 && err == nil {
			t := time.NewTimer(s.latency)
			select {
			case <-t.C:
			case <-s.quit:
				t.Stop()
				return
			}
		}
		if _, err := c.Write(line); err != nil {
			return
		}
	}
}

// close stops accepting, closes every connection and waits for the
// server's goroutines.
func (s *echoServer) close() error {
	s.mu.Lock()
	close(s.quit)
	err := s.ln.Close()
	for c := range s.conns {
		c.Close()
	}
	s.mu.Unlock()
	s.wg.Wait()
	return err
}
