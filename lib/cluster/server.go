package cluster

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/nats-io/nats-server/v2/server"
)

// Server is a NATS server with JetStream running inside this process: the
// default when no URL is given, so that nothing has to be installed and
// everything works offline. It listens on 127.0.0.1 only, on a port the
// operating system picks, and keeps its streams in a fresh temporary
// directory that Close removes.
type Server struct {
	srv *server.Server
	dir string
}

// Start starts an embedded server and waits, bounded by ctx, until it
// accepts connections.
func Start(ctx context.Context) (*Server, error) {
	return startEmbedded(ctx, true)
}

// startEmbedded starts an embedded server, with JetStream on or (for the
// tests of a server without it) off.
func startEmbedded(ctx context.Context, jetStream bool) (*Server, error) {
	dir, err := os.MkdirTemp("", "nats-store-")
	if err != nil {
		return nil, fmt.Errorf("cluster: store directory: %w", err)
	}
	srv, err := server.NewServer(&server.Options{
		ServerName: "embedded",
		Host:       "127.0.0.1", // nothing beyond this machine
		Port:       server.RANDOM_PORT,
		JetStream:  jetStream,
		StoreDir:   dir,
		NoSigs:     true, // the program's signals are its own
		NoLog:      true,
	})
	if err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("cluster: embedded server: %w", err)
	}
	s := &Server{srv: srv, dir: dir}
	srv.Start()
	for !srv.ReadyForConnections(20 * time.Millisecond) {
		if err := ctx.Err(); err != nil {
			s.Close()
			return nil, fmt.Errorf("cluster: embedded server not ready: %w", err)
		}
	}
	return s, nil
}

// URL returns the URL clients connect to, such as nats://127.0.0.1:41234.
func (s *Server) URL() string { return s.srv.ClientURL() }

// Name returns the server's name, as stream leaders are reported.
func (s *Server) Name() string { return s.srv.Name() }

// StoreDir returns the directory that holds the server's streams.
func (s *Server) StoreDir() string { return s.dir }

// Close shuts the server down, waits for it, and removes its store. It is
// safe to call twice.
func (s *Server) Close() error {
	s.srv.Shutdown()
	s.srv.WaitForShutdown()
	if err := os.RemoveAll(s.dir); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("cluster: removing the store: %w", err)
	}
	return nil
}
