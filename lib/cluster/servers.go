package cluster

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"os/signal"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/nats-io/nats-server/v2/server"
)

// envServer marks a process started by StartServers: it holds the server's
// configuration as JSON.
const envServer = "GO_PARALLELISM_NATS_SERVER"

// A process started by StartServers is this program started again, and it
// becomes a NATS server here, in this package's initialisation, before main.
// (lib/proc waits for main instead, because its workers need the tasks that
// main's packages register; a server needs nothing from them.)
func init() {
	if cfg, ok := os.LookupEnv(envServer); ok {
		os.Unsetenv(envServer)
		os.Exit(serveNATS(cfg))
	}
}

// serverConfig is what a server process needs to know.
type serverConfig struct {
	Name        string   `json:"name"`
	Port        int      `json:"port"`
	ClusterPort int      `json:"cluster_port,omitzero"`
	Routes      []string `json:"routes,omitzero"`
	StoreDir    string   `json:"store_dir"`
}

// serveNATS runs a NATS server until its standard input closes (the parent
// closed it, or died), and returns the exit code.
func serveNATS(cfgJSON string) int {
	var cfg serverConfig
	if err := json.Unmarshal([]byte(cfgJSON), &cfg); err != nil {
		fmt.Fprintf(os.Stderr, "nats server: bad configuration %s: %v\n", envServer, err)
		return 2
	}
	opts := &server.Options{
		ServerName: cfg.Name,
		Host:       "127.0.0.1",
		Port:       cfg.Port,
		JetStream:  true,
		StoreDir:   cfg.StoreDir,
		NoSigs:     true,
	}
	if cfg.ClusterPort != 0 {
		opts.Cluster = server.ClusterOpts{Name: "course", Host: "127.0.0.1", Port: cfg.ClusterPort}
		opts.Routes = server.RoutesFromStr(strings.Join(cfg.Routes, ","))
	}
	s, err := server.NewServer(opts)
	if err != nil {
		fmt.Fprintf(os.Stderr, "nats server %s: %v\n", cfg.Name, err)
		return 1
	}
	s.ConfigureLogger() // notices and errors to stderr, which the parent keeps
	s.Start()
	if !s.ReadyForConnections(10 * time.Second) {
		fmt.Fprintf(os.Stderr, "nats server %s: not ready after 10s\n", cfg.Name)
		return 1
	}
	fmt.Printf("ready %s\n", s.ClientURL())
	// Run until the parent closes our input (or dies), or asks us to stop
	// with SIGTERM. Shutdown hands the leadership of every stream this
	// server leads to another server before it goes.
	stop := make(chan struct{}, 2)
	go func() { io.Copy(io.Discard, os.Stdin); stop <- struct{}{} }()
	term := make(chan os.Signal, 1)
	signal.Notify(term, syscall.SIGTERM)
	go func() { <-term; stop <- struct{}{} }()
	<-stop
	s.Shutdown()
	s.WaitForShutdown()
	return 0
}

// Servers is a NATS cluster of several servers on this machine, each a
// separate OS process, routed to one another on 127.0.0.1, with JetStream
// clustered across them: a stream with 3 replicas lives on three of them,
// one of which leads, and survives the loss of any one. It is the real thing
// in miniature: on several machines, only the addresses differ.
//
// The processes are this program started again (as lib/proc starts its
// workers); they become servers in this package's initialisation, before
// main runs, so nothing of the program's own work runs in them.
type Servers struct {
	procs []*serverProc
	dir   string
	url   string
}

// serverProc is one server process.
type serverProc struct {
	name    string
	url     string
	cmd     *exec.Cmd
	stdin   io.WriteCloser
	stderr  *tail
	readyCh chan struct{} // closed when the server accepts clients
	exited  chan struct{} // closed when the process has been waited for

	mu     sync.Mutex
	killed bool
}

// StartServers starts a cluster of n server processes (n from 1 to 9; 3 is
// the usual size: it keeps a majority when one is lost) and waits, bounded
// by ctx, until JetStream has elected its leader. The servers are named n1,
// n2, ... Close stops them and removes their stores.
func StartServers(ctx context.Context, n int) (*Servers, error) {
	if n < 1 || n > 9 {
		return nil, fmt.Errorf("cluster: StartServers: n is %d, want 1..9 servers (3 survives the loss of one)", n)
	}
	exe, err := os.Executable()
	if err != nil {
		return nil, fmt.Errorf("cluster: cannot find this program to start servers: %w", err)
	}
	dir, err := os.MkdirTemp("", "nats-cluster-")
	if err != nil {
		return nil, fmt.Errorf("cluster: store directory: %w", err)
	}
	s := &Servers{dir: dir}
	ports, err := freePorts(2 * n)
	if err != nil {
		s.Close()
		return nil, err
	}
	var routes, urls []string
	for i := range n {
		routes = append(routes, fmt.Sprintf("nats-route://127.0.0.1:%d", ports[n+i]))
		urls = append(urls, fmt.Sprintf("nats://127.0.0.1:%d", ports[i]))
	}
	s.url = strings.Join(urls, ",")
	for i := range n {
		cfg := serverConfig{Name: fmt.Sprintf("n%d", i+1), Port: ports[i], StoreDir: fmt.Sprintf("%s/n%d", dir, i+1)}
		if n > 1 {
			cfg.ClusterPort, cfg.Routes = ports[n+i], routes
		}
		p, err := startServerProc(exe, cfg)
		if err != nil {
			s.Close()
			return nil, err
		}
		p.url = urls[i]
		s.procs = append(s.procs, p)
	}
	for _, p := range s.procs {
		if err := p.waitReady(ctx); err != nil {
			s.Close()
			return nil, err
		}
	}
	// The servers accept clients; JetStream answers once the cluster has
	// elected its meta leader. Connect waits for that.
	c, err := Connect(ctx, s.url)
	if err != nil {
		s.Close()
		return nil, err
	}
	c.Close()
	return s, nil
}

// freePorts asks the OS for n free ports on 127.0.0.1. They are free when
// asked; a server process binds them a few milliseconds later.
func freePorts(n int) ([]int, error) {
	var ports []int
	var ls []net.Listener
	defer func() {
		for _, l := range ls {
			l.Close()
		}
	}()
	for range n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, fmt.Errorf("cluster: finding a free port: %w", err)
		}
		ls = append(ls, l)
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	return ports, nil
}

func startServerProc(exe string, cfg serverConfig) (*serverProc, error) {
	b, err := json.Marshal(cfg)
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(exe)
	cmd.Env = append(childEnv(), envServer+"="+string(b))
	p := &serverProc{name: cfg.Name, cmd: cmd, stderr: &tail{max: 16 << 10}, exited: make(chan struct{})}
	cmd.Stderr = p.stderr
	cmd.SysProcAttr = sysProcAttr()
	cmd.WaitDelay = time.Second
	if p.stdin, err = cmd.StdinPipe(); err != nil {
		return nil, fmt.Errorf("cluster: server %s: %w", cfg.Name, err)
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, fmt.Errorf("cluster: server %s: %w", cfg.Name, err)
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("cluster: starting server %s: %w", cfg.Name, err)
	}
	ready := make(chan struct{})
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if strings.HasPrefix(sc.Text(), "ready ") {
				close(ready)
				break
			}
		}
		io.Copy(io.Discard, out)
		cmd.Wait()
		close(p.exited)
	}()
	p.readyCh = ready
	return p, nil
}

// childEnv is this process's environment without GoNB's display pipes (a
// server must not draw in the notebook) and without the worker markers.
func childEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		switch k, _, _ := strings.Cut(kv, "="); k {
		case "GONB_PIPE", "GONB_PIPE_BACK", envServer, "GO_PARALLELISM_PROC_WORKER":
			continue
		}
		env = append(env, kv)
	}
	return env
}

// waitReady waits until the server says it accepts clients.
func (p *serverProc) waitReady(ctx context.Context) error {
	select {
	case <-p.readyCh:
		return nil
	case <-p.exited:
		return fmt.Errorf("cluster: server %s exited at start (%v); it wrote:\n%s", p.name, p.cmd.ProcessState, lastLines(p.stderr.String(), 10))
	case <-ctx.Done():
		return fmt.Errorf("cluster: server %s not ready: %w", p.name, ctx.Err())
	}
}

// URL returns the client URLs of all servers, separated by commas: what
// Connect and NATS_URL take. A client connects to one and learns the others,
// and moves to another when its server goes away.
func (s *Servers) URL() string { return s.url }

// Names returns the servers' names: n1, n2, ...
func (s *Servers) Names() []string {
	var names []string
	for _, p := range s.procs {
		names = append(names, p.name)
	}
	return names
}

// PID returns the process id of the named server, or 0.
func (s *Servers) PID(name string) int {
	if p := s.find(name); p != nil {
		return p.cmd.Process.Pid
	}
	return 0
}

// Alive returns the names of the servers whose process still runs.
func (s *Servers) Alive() []string {
	var names []string
	for _, p := range s.procs {
		select {
		case <-p.exited:
		default:
			names = append(names, p.name)
		}
	}
	return names
}

func (s *Servers) find(name string) *serverProc {
	for _, p := range s.procs {
		if p.name == name {
			return p
		}
	}
	return nil
}

// Kill kills the named server's process with SIGKILL, as a crash or a power
// cut would: no goodbye to its clients or to the other servers. What it led
// (a stream, a consumer) has no leader until the others notice its silence
// and, after a randomized election timeout (seconds, so that two of them do
// not both claim the lead), elect a new one; work on that stream pauses
// meanwhile, and nothing acknowledged is lost. It returns once the process
// is gone.
func (s *Servers) Kill(name string) error {
	p := s.find(name)
	if p == nil {
		return fmt.Errorf("cluster: Kill: no server named %q (have %s)", name, strings.Join(s.Names(), ", "))
	}
	p.mu.Lock()
	p.killed = true
	p.mu.Unlock()
	p.cmd.Process.Signal(syscall.SIGKILL)
	<-p.exited
	return nil
}

// Stop stops the named server the polite way (SIGTERM): before it exits,
// it hands the leadership of what it leads to the other servers, so the
// cluster carries on at once. Compare Kill. It returns once the process is
// gone.
func (s *Servers) Stop(name string) error {
	p := s.find(name)
	if p == nil {
		return fmt.Errorf("cluster: Stop: no server named %q (have %s)", name, strings.Join(s.Names(), ", "))
	}
	p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.exited:
	case <-time.After(10 * time.Second):
		p.cmd.Process.Kill()
		<-p.exited
	}
	return nil
}

// Close stops every server (asking first, then killing any still running
// after five seconds) and removes their stores.
func (s *Servers) Close() error {
	for _, p := range s.procs {
		p.stdin.Close() // the server shuts down when its input ends
	}
	for _, p := range s.procs {
		select {
		case <-p.exited:
		case <-time.After(5 * time.Second):
			p.cmd.Process.Kill()
			<-p.exited
		}
	}
	var errs []error
	for _, p := range s.procs {
		p.mu.Lock()
		killed := p.killed
		p.mu.Unlock()
		if st := p.cmd.ProcessState; !killed && st != nil && !st.Success() {
			errs = append(errs, fmt.Errorf("cluster: server %s ended with %v; it wrote:\n%s", p.name, st, lastLines(p.stderr.String(), 10)))
		}
	}
	if err := os.RemoveAll(s.dir); err != nil {
		errs = append(errs, fmt.Errorf("cluster: removing the stores: %w", err))
	}
	return errors.Join(errs...)
}

// lastLines returns the last n lines of s.
func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// tail keeps the last max bytes written to it.
type tail struct {
	mu  sync.Mutex
	max int
	buf []byte
}

func (t *tail) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.buf = append(t.buf, p...)
	if over := len(t.buf) - t.max; over > 0 {
		t.buf = append(t.buf[:0], t.buf[over:]...)
	}
	return len(p), nil
}

func (t *tail) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return string(t.buf)
}
