// Package jupyter starts a Jupyter server from the project's .venv and
// drives notebooks in it from a browser tab the way a reader does: open the
// notebook in JupyterLab (or Notebook 7), choose Run > Run All Cells, wait
// for the kernel, and read what each cell shows.
//
// The server is a test server: it listens on 127.0.0.1 only, keeps its
// settings, trust database and runtime files in a temporary folder of its
// own (so every notebook opens untrusted, as in a fresh clone), and refuses
// to save, so a test can run and edit the course's notebooks without ever
// changing them on disk.
package jupyter

import (
	"context"
	"crypto/rand"
	_ "embed"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// serverConfig is the server's configuration (Python, as Jupyter reads it).
//
//go:embed server_config.py
var serverConfig string

// ServerOptions say which Jupyter to start and on what.
type ServerOptions struct {
	// Jupyter is the jupyter executable, such as .venv/bin/jupyter.
	Jupyter string
	// Root is the folder the server serves; notebook paths are relative
	// to it.
	Root string
	// KernelPath lists folders searched first for kernelspecs
	// (JUPYTER_PATH), such as build/jupyter-batch.
	KernelPath []string
	// Static lists folders the server serves under its static/ URL
	// (ServerApp.extra_static_paths), such as build/jupyter/static.
	Static []string
	// Settings are JupyterLab settings by plugin, as JSON, such as
	// "@jupyterlab/apputils-extension:themes": `{"theme": "JupyterLab Dark"}`.
	Settings map[string]string
	// Log receives the server's own output; nil discards it.
	Log io.Writer
	// StartTimeout bounds the wait for the server to answer; zero means 90 s.
	StartTimeout time.Duration
}

// DefaultSettings keep a test run quiet and read-only: no autosave (the
// server refuses to save anyway), no news pop-up over the notebook.
var DefaultSettings = map[string]string{
	"@jupyterlab/docmanager-extension:plugin":     `{"autosave": false}`,
	"@jupyterlab/apputils-extension:notification": `{"fetchNews": "false", "checkForUpdates": false}`,
}

// Server is a running Jupyter server.
type Server struct {
	// URL is the server's base URL, ending in "/".
	URL string
	// Token authenticates requests; URLs from NotebookURL carry it.
	Token string

	cmd    *exec.Cmd
	home   string
	exited chan struct{}
	err    error // from cmd.Wait, once exited is closed
}

// StartServer starts `jupyter lab` and waits until it answers.
func StartServer(ctx context.Context, o ServerOptions) (*Server, error) {
	if o.Jupyter == "" {
		return nil, errors.New("jupyter: ServerOptions.Jupyter is empty: want the jupyter executable, such as .venv/bin/jupyter")
	}
	if st, err := os.Stat(o.Root); err != nil || !st.IsDir() {
		return nil, fmt.Errorf("jupyter: ServerOptions.Root %q: want an existing folder", o.Root)
	}
	if o.StartTimeout == 0 {
		o.StartTimeout = 90 * time.Second
	}
	home, err := os.MkdirTemp("", "jupyter-test-")
	if err != nil {
		return nil, err
	}
	s := &Server{home: home, exited: make(chan struct{})}
	if err := s.writeHome(o); err != nil {
		os.RemoveAll(home)
		return nil, err
	}
	port, err := freePort()
	if err != nil {
		os.RemoveAll(home)
		return nil, err
	}
	s.Token = randomToken()
	s.URL = fmt.Sprintf("http://127.0.0.1:%d/", port)

	s.cmd = exec.Command(o.Jupyter, "lab", "--no-browser",
		"--config="+filepath.Join(home, "server_config.py"),
		"--ServerApp.ip=127.0.0.1", "--ServerApp.port="+strconv.Itoa(port), "--ServerApp.port_retries=0",
		"--ServerApp.root_dir="+o.Root)
	if len(o.Static) > 0 {
		paths, err := json.Marshal(o.Static)
		if err != nil {
			os.RemoveAll(home)
			return nil, err
		}
		s.cmd.Args = append(s.cmd.Args, "--ServerApp.extra_static_paths="+string(paths))
	}
	s.cmd.Env = append(os.Environ(),
		"JUPYTER_TOKEN="+s.Token,
		"JUPYTER_CONFIG_DIR="+filepath.Join(home, "config"),
		"JUPYTER_DATA_DIR="+filepath.Join(home, "data"),
		"JUPYTER_RUNTIME_DIR="+filepath.Join(home, "runtime"),
		"JUPYTER_PATH="+strings.Join(o.KernelPath, string(os.PathListSeparator)),
		"JUPYTER_PLATFORM_DIRS=1",
	)
	// The Jupyter in .venv is found by its own path; its kernels find
	// their tools through their kernelspec.
	if dir := filepath.Dir(o.Jupyter); dir != "." {
		s.cmd.Env = append(s.cmd.Env, "PATH="+dir+string(os.PathListSeparator)+os.Getenv("PATH"))
	}
	s.cmd.Dir = o.Root
	s.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if o.Log != nil {
		s.cmd.Stdout, s.cmd.Stderr = o.Log, o.Log
	}
	if err := s.cmd.Start(); err != nil {
		os.RemoveAll(home)
		return nil, fmt.Errorf("jupyter: starting %s: %w", o.Jupyter, err)
	}
	go func() {
		s.err = s.cmd.Wait()
		close(s.exited)
	}()
	wctx, cancel := context.WithTimeout(ctx, o.StartTimeout)
	defer cancel()
	if err := s.waitUp(wctx); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

func (s *Server) writeHome(o ServerOptions) error {
	for _, d := range []string{"config", "data", "runtime"} {
		if err := os.MkdirAll(filepath.Join(s.home, d), 0o755); err != nil {
			return err
		}
	}
	if err := os.WriteFile(filepath.Join(s.home, "server_config.py"), []byte(serverConfig), 0o644); err != nil {
		return err
	}
	settings := map[string]string{}
	for k, v := range DefaultSettings {
		settings[k] = v
	}
	for k, v := range o.Settings {
		settings[k] = v
	}
	for plugin, js := range settings {
		if !json.Valid([]byte(js)) {
			return fmt.Errorf("jupyter: ServerOptions.Settings[%q] = %q: want a JSON object", plugin, js)
		}
		pkg, name, ok := strings.Cut(plugin, ":")
		if !ok || pkg == "" || name == "" {
			return fmt.Errorf("jupyter: ServerOptions.Settings key %q: want package:plugin, such as @jupyterlab/docmanager-extension:plugin", plugin)
		}
		dir := filepath.Join(s.home, "config", "lab", "user-settings", filepath.FromSlash(pkg))
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(dir, name+".jupyterlab-settings"), []byte(js), 0o644); err != nil {
			return err
		}
	}
	return nil
}

func (s *Server) waitUp(ctx context.Context) error {
	for {
		req, _ := http.NewRequestWithContext(ctx, "GET", s.URL+"api/status", nil)
		req.Header.Set("Authorization", "token "+s.Token)
		if resp, err := http.DefaultClient.Do(req); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		select {
		case <-s.exited:
			return fmt.Errorf("jupyter: the server exited before answering: %v", s.err)
		case <-ctx.Done():
			return fmt.Errorf("jupyter: the server did not answer at %s: %w", s.URL, ctx.Err())
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// UI is one of the front ends the server offers.
type UI string

const (
	Lab       UI = "lab"      // JupyterLab
	Notebook7 UI = "notebook" // Notebook 7, one notebook per tab
)

// NotebookURL is the address that opens the notebook at path (relative to
// the server's root) in ui, logged in.
func (s *Server) NotebookURL(ui UI, path string) string {
	p := strings.TrimPrefix(filepath.ToSlash(path), "/")
	switch ui {
	case Notebook7:
		return s.URL + "notebooks/" + p + "?token=" + s.Token
	default:
		// reset: start from an empty workspace, not the tabs of a
		// previous visit.
		return s.URL + "lab/tree/" + p + "?reset&token=" + s.Token
	}
}

// ShutdownKernels stops every kernel the server runs.
func (s *Server) ShutdownKernels(ctx context.Context) error {
	var kernels []struct {
		ID string `json:"id"`
	}
	if err := s.api(ctx, "GET", "api/kernels", &kernels); err != nil {
		return err
	}
	var errs []error
	for _, k := range kernels {
		errs = append(errs, s.api(ctx, "DELETE", "api/kernels/"+k.ID, nil))
	}
	return errors.Join(errs...)
}

func (s *Server) api(ctx context.Context, method, path string, out any) error {
	req, err := http.NewRequestWithContext(ctx, method, s.URL+path, nil)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "token "+s.Token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("jupyter: %s %s: %s", method, path, resp.Status)
	}
	if out != nil {
		return json.NewDecoder(resp.Body).Decode(out)
	}
	return nil
}

// Close stops the kernels and the server, and removes its folder.
func (s *Server) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	select {
	case <-s.exited:
	default:
		s.ShutdownKernels(ctx)
		// Jupyter stops cleanly on SIGTERM; its process group goes after
		// a grace period, so nothing it started outlives the test.
		syscall.Kill(-s.cmd.Process.Pid, syscall.SIGTERM)
		select {
		case <-s.exited:
		case <-time.After(15 * time.Second):
			syscall.Kill(-s.cmd.Process.Pid, syscall.SIGKILL)
			<-s.exited
		}
	}
	return os.RemoveAll(s.home)
}

func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

func randomToken() string {
	var b [24]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
