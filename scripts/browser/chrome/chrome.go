// Package chrome runs headless Chromium for the course's browser checks, and
// keeps it off the network: pages on 127.0.0.1 load as usual, requests for
// the scripts a page fetches from a CDN (ECharts, require.js) are answered
// from local copies, and every other request fails and is recorded.
//
// A check therefore sees exactly what a reader sees on a machine whose
// notebooks were opened with the network up, and never depends on the
// network itself:
//
//	b, err := chrome.Start(ctx, chrome.Options{Scripts: map[string]string{
//		chart.ScriptURL: "build/npm/node_modules/echarts/dist/echarts.min.js",
//	}})
//	if err != nil { ... }
//	defer b.Close()
//	tab, err := b.NewTab()
//	...
//	err = chromedp.Do(tab.Context(), chromedp.Navigate(url))
//
// It drives Chromium with github.com/chromedp/chromedp over the DevTools
// protocol.
package chrome

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"slices"
	"strings"
	"sync"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/fetch"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// Options say how to start Chromium.
type Options struct {
	// Binary is the Chromium executable; empty means the first one of
	// Candidates found on this machine.
	Binary string
	// Width and Height are the window's size in CSS pixels; zero means
	// 1280 by 1000.
	Width, Height int
	// Scripts answers requests for these URLs with the content of local
	// files: URL -> file. A URL that ends in "*" matches every URL that
	// starts with the part before it.
	Scripts map[string]string
}

// Candidates are the executables Start tries, in order, when
// Options.Binary is empty. Debian's /usr/bin/chromium is a shell wrapper;
// the binary behind it starts faster and says less.
var Candidates = []string{"/usr/lib/chromium/chromium", "chromium", "chromium-browser", "google-chrome", "google-chrome-stable"}

// ErrNoChromium is returned by Start when no Chromium is installed.
var ErrNoChromium = errors.New("chrome: no Chromium found (run scripts/browser/install.sh)")

// Browser is a running headless Chromium.
type Browser struct {
	ctx     context.Context // the browser's first tab, kept open
	cancel  context.CancelFunc
	stopAll context.CancelFunc
	scripts map[string][]byte
}

// Start starts Chromium. Close stops it.
func Start(ctx context.Context, o Options) (*Browser, error) {
	bin := o.Binary
	if bin == "" {
		for _, c := range Candidates {
			if p, err := exec.LookPath(c); err == nil {
				bin = p
				break
			}
		}
		if bin == "" {
			return nil, ErrNoChromium
		}
	}
	if o.Width == 0 {
		o.Width = 1280
	}
	if o.Height == 0 {
		o.Height = 1000
	}
	if o.Width < 0 || o.Height < 0 {
		return nil, fmt.Errorf("chrome: window size %dx%d: want positive sizes, or zero for the default", o.Width, o.Height)
	}
	scripts := make(map[string][]byte, len(o.Scripts))
	for url, file := range o.Scripts {
		b, err := os.ReadFile(file)
		if err != nil {
			return nil, fmt.Errorf("chrome: local copy of %s: %w (run scripts/browser/install.sh)", url, err)
		}
		scripts[url] = b
	}
	opts := append(slices.Clone(chromedp.DefaultExecAllocatorOptions[:]),
		chromedp.ExecPath(bin),
		chromedp.NoSandbox, // CI runs as root, where the sandbox cannot start
		chromedp.DisableGPU,
		chromedp.WindowSize(o.Width, o.Height),
		chromedp.Flag("hide-scrollbars", true),
		chromedp.Flag("disable-component-update", true),
		// Only loopback has addresses: whatever the Fetch rules below do
		// not catch cannot leave the machine either.
		chromedp.Flag("host-resolver-rules", "MAP * ~NOTFOUND, EXCLUDE 127.0.0.1, EXCLUDE localhost"),
	)
	actx, stopAll := chromedp.NewExecAllocator(ctx, opts...)
	bctx, cancel := chromedp.NewContext(actx)
	if err := chromedp.Do(bctx); err != nil { // starts the browser
		cancel()
		stopAll()
		return nil, fmt.Errorf("chrome: starting %s: %w", bin, err)
	}
	return &Browser{ctx: bctx, cancel: cancel, stopAll: stopAll, scripts: scripts}, nil
}

// Close stops Chromium and waits for it to exit.
func (b *Browser) Close() {
	b.cancel()
	b.stopAll()
}

// Tab is one browser tab with the network rules of its Browser.
type Tab struct {
	ctx    context.Context
	cancel context.CancelFunc
	done   chan struct{}

	mu      sync.Mutex
	refused []string
	served  []string
}

// TabOption changes how a tab treats the network.
type TabOption func(*tabConfig)

type tabConfig struct {
	offline bool
	only    string
}

// Offline makes the tab answer no request from the local copies: every
// script from a CDN fails to load, as on a machine with no network.
func Offline(c *tabConfig) { c.offline = true }

// Only makes the tab load nothing but URLs that start with prefix (and the
// local copies of Options.Scripts, unless Offline): every other request,
// loopback included, fails and is recorded.
func Only(prefix string) TabOption { return func(c *tabConfig) { c.only = prefix } }

// NewTab opens a tab. Use Context with chromedp's actions; Close closes it.
func (b *Browser) NewTab(opts ...TabOption) (*Tab, error) {
	var cfg tabConfig
	for _, o := range opts {
		o(&cfg)
	}
	scripts := b.scripts
	if cfg.offline {
		scripts = nil
	}
	ctx, cancel := chromedp.NewContext(b.ctx)
	t := &Tab{ctx: ctx, cancel: cancel, done: make(chan struct{})}
	// Subscribe before enabling interception, so no request is missed.
	paused := chromedp.Events(ctx, fetch.RequestPaused)
	// Only https requests pause here: the pages under test come over http
	// from 127.0.0.1 and pass untouched. With Only, every request pauses.
	pattern := &fetch.RequestPattern{URLPattern: "https://*", RequestStage: fetch.RequestStageRequest}
	if cfg.only != "" {
		pattern.URLPattern = "*"
	}
	if _, err := chromedp.Call(ctx, fetch.Enable, fetch.EnableParams{Patterns: []*fetch.RequestPattern{pattern}}); err != nil {
		cancel()
		return nil, fmt.Errorf("chrome: enabling request interception: %w", err)
	}
	go func() {
		defer close(t.done)
		for ev, err := range paused {
			if err != nil {
				return
			}
			t.answer(scripts, cfg.only, ev)
		}
	}()
	return t, nil
}

// answer serves a local copy of a known script, lets a request for an
// allowed URL through, or fails the request.
func (t *Tab) answer(scripts map[string][]byte, only string, ev fetch.EventRequestPaused) {
	url := ev.Request.URL
	if only != "" && strings.HasPrefix(url, only) {
		chromedp.Call(t.ctx, fetch.ContinueRequest, fetch.ContinueRequestParams{RequestID: ev.RequestID})
		return
	}
	if body, ok := lookup(scripts, url); ok {
		t.mu.Lock()
		t.served = append(t.served, url)
		t.mu.Unlock()
		chromedp.Call(t.ctx, fetch.FulfillRequest, fetch.FulfillRequestParams{
			RequestID:    ev.RequestID,
			ResponseCode: 200,
			ResponseHeaders: []*fetch.HeaderEntry{
				{Name: "Content-Type", Value: "text/javascript; charset=utf-8"},
				{Name: "Access-Control-Allow-Origin", Value: "*"},
			},
			Body: body,
		})
		return
	}
	t.mu.Lock()
	t.refused = append(t.refused, url)
	t.mu.Unlock()
	chromedp.Call(t.ctx, fetch.FailRequest, fetch.FailRequestParams{
		RequestID:   ev.RequestID,
		ErrorReason: network.ErrorReasonInternetDisconnected,
	})
}

func lookup(scripts map[string][]byte, url string) ([]byte, bool) {
	if b, ok := scripts[url]; ok {
		return b, true
	}
	for pattern, b := range scripts {
		if prefix, ok := strings.CutSuffix(pattern, "*"); ok && strings.HasPrefix(url, prefix) {
			return b, true
		}
	}
	return nil, false
}

// Context is the chromedp context of the tab.
func (t *Tab) Context() context.Context { return t.ctx }

// Refused returns the URLs the tab asked for and did not get, in order.
func (t *Tab) Refused() []string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return slices.Clone(t.refused)
}

// Served returns the URLs answered with a local copy, in order.
func (t *Tab) Served() []string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return slices.Clone(t.served)
}

// Close closes the tab.
func (t *Tab) Close() {
	t.cancel()
	<-t.done
}

// NoScripts turns scripts off in the tab, as for a reader who has turned
// JavaScript off; call it before navigating.
func (t *Tab) NoScripts() error {
	_, err := chromedp.Call(t.ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true})
	if err != nil {
		return fmt.Errorf("chrome: turning scripts off: %w", err)
	}
	return nil
}
