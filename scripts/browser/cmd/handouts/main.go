// Handouts opens HTML pages holding lib/chart charts (the handouts
// scripts/handouts.py writes, nbconvert's pages, or any page) in headless
// Chromium and checks that no chart is ever blank. A page given alone is
// checked in these modes:
//
//   - static: with every script, <style> element and style attribute
//     removed from the page (as GitHub shows a notebook), each chart's
//     static image is visible and of real size;
//   - offline: with scripts running but every CDN unreachable (a workshop
//     without network), the static images stay visible;
//   - interactive: with ECharts (and require.js, for nbconvert pages)
//     answered from local copies and all other network refused, each chart
//     is drawn by ECharts and its static image is hidden.
//
// A folder of handouts (scripts/handouts.py) is checked as a reader who got
// it by mail opens it: the folder is copied elsewhere and every page in it
// is opened from the copy with file:// URLs, every request outside the copy
// refused (no host, not even 127.0.0.1, is reachable) and counted as a
// failure. Every chart in a page's source must show:
//
//   - static: as above;
//   - noscript: with JavaScript turned off, as its static image;
//   - local: with scripts, drawn by ECharts from the folder's own assets.
//
// And no file in the folder may hold a file:// URL or an absolute path of
// the machine that built it, or link to a file the folder does not have.
//
// Usage (from scripts/browser):
//
//	go run ./cmd/handouts [-screenshots dir] [-min-charts N] page.html|folder...
//
// Pages are served from a loopback HTTP server, folders from file://. Every
// wait is bounded.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
	"github.com/go-parallelism/go-parallelism/scripts/browser/charts"
	"github.com/go-parallelism/go-parallelism/scripts/browser/chrome"
)

// Where pages fetch their scripts from: lib/chart's loader (ECharts from
// jsDelivr) and nbconvert's templates (require.js from cdnjs).
const (
	EChartsURL   = "https://cdn.jsdelivr.net/npm/echarts@*"
	RequireJSURL = "https://cdnjs.cloudflare.com/ajax/libs/require.js/*"
)

var (
	echartsFile = flag.String("echarts", "../../build/npm/node_modules/echarts/dist/echarts.min.js", "local copy of ECharts")
	requireFile = flag.String("requirejs", "../../build/npm/node_modules/requirejs/require.js", "local copy of require.js")
	timeout     = flag.Duration("timeout", 45*time.Second, "time allowed per page and mode")
	shots       = flag.String("screenshots", "", "folder to write a PNG of each page, and of each chart, in each mode")
	minCharts   = flag.Int("min-charts", 1, "fail a page with fewer charts than this")
	modesFlag   = flag.String("modes", "static,offline,interactive,noscript,local", "modes to check (a page alone: static, offline, interactive; a folder: static, noscript, local)")
)

// Settling: how long a page may take to show its charts, and how long the
// offline mode watches a page in case a late script hides an image.
const (
	settleTime  = 20 * time.Second
	offlineTime = 3 * time.Second
)

var (
	scriptRE    = regexp.MustCompile(`(?is)<script\b[^>]*>.*?</script\s*>|<script\b[^>]*/>`)
	styleRE     = regexp.MustCompile(`(?is)<style\b[^>]*>.*?</style\s*>`)
	styleAttrRE = regexp.MustCompile(`(?i)\sstyle\s*=\s*("[^"]*"|'[^']*')`)
)

// stripForStatic removes what GitHub removes: scripts and styles.
func stripForStatic(page []byte) []byte {
	p := scriptRE.ReplaceAll(page, nil)
	p = styleRE.ReplaceAll(p, nil)
	return styleAttrRE.ReplaceAll(p, nil)
}

// pages serves the pages under test on loopback.
type pages struct {
	mu sync.Mutex
	m  map[string][]byte
}

func (p *pages) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p.mu.Lock()
	b, ok := p.m[r.URL.Path]
	p.mu.Unlock()
	if !ok {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Write(b)
}

func (p *pages) add(path string, b []byte) {
	p.mu.Lock()
	p.m[path] = b
	p.mu.Unlock()
}

// result is what one page showed in one mode.
type result struct {
	charts   []charts.Chart
	amd      bool     // require.js was on the page
	errors   []string // script errors on the page
	refused  []string // requests the tab refused
	timedOut bool
	shot     string
}

// chartMode is what a mode expects of every chart.
func chartMode(mode string) charts.Mode {
	if mode == "interactive" || mode == "local" {
		return charts.Interactive
	}
	return charts.Static
}

// view opens url in a new tab and measures its charts once they settle.
func view(b *chrome.Browser, url string, mode string, shot string, opts ...chrome.TabOption) (result, error) {
	tab, err := b.NewTab(opts...)
	if err != nil {
		return result{}, err
	}
	defer tab.Close()
	if mode == "noscript" {
		if err := tab.NoScripts(); err != nil {
			return result{}, err
		}
	}
	ctx, cancel := context.WithTimeout(tab.Context(), *timeout)
	defer cancel()

	var res result
	var mu sync.Mutex
	exceptions := chromedp.Events(ctx, runtime.ExceptionThrown)
	go func() {
		for ev, err := range exceptions {
			if err != nil {
				return
			}
			mu.Lock()
			res.errors = append(res.errors, exceptionText(ev))
			mu.Unlock()
		}
	}()
	if err := chromedp.Do(ctx, chromedp.Navigate(url)); err != nil {
		return result{}, err
	}
	start := time.Now()
	for {
		cs, err := chromedp.Run(ctx, chromedp.Evaluate[[]charts.Chart](charts.Measure+"(document)"))
		if err != nil {
			return result{}, err
		}
		late := time.Since(start) > settleTime
		if settled(cs, mode, time.Since(start)) || late {
			res.charts, res.timedOut = cs, late
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if mode != "noscript" {
		res.amd, _ = chromedp.Run(ctx, chromedp.Evaluate[bool](`typeof window.define === 'function' && !!window.define.amd`))
	}
	if shot != "" {
		png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
		if err == nil {
			err = os.WriteFile(shot, png, 0o644)
		}
		if err != nil {
			return res, fmt.Errorf("screenshot: %w", err)
		}
		res.shot = shot
		// And each chart alone, to look at one by one.
		for i, c := range res.charts {
			if c.ID == "" {
				continue
			}
			png, err := chromedp.Run(ctx, chromedp.Screenshot(chromedp.ID(c.ID)))
			if err == nil {
				err = os.WriteFile(fmt.Sprintf("%s-%02d.png", strings.TrimSuffix(shot, ".png"), i+1), png, 0o644)
			}
			if err != nil {
				return res, fmt.Errorf("screenshot of chart %d: %w", i+1, err)
			}
		}
	}
	mu.Lock()
	defer mu.Unlock()
	res.refused = tab.Refused()
	return res, nil
}

func exceptionText(ev runtime.EventExceptionThrown) string {
	d := ev.ExceptionDetails
	if d == nil {
		return "exception"
	}
	msg := d.Text
	if d.Exception != nil && d.Exception.Description != "" {
		msg, _, _ = strings.Cut(d.Exception.Description, "\n")
	}
	if d.URL != "" {
		msg += " (" + d.URL + ")"
	}
	if len(msg) > 160 {
		msg = msg[:160] + "..."
	}
	return msg
}

// settled tells whether the charts have reached their final state.
func settled(cs []charts.Chart, mode string, since time.Duration) bool {
	// A page may build its charts with a script: give it time to.
	if len(cs) == 0 && since < 3*time.Second {
		return false
	}
	for _, c := range cs {
		if !c.ImgLoaded {
			return false
		}
		if chartMode(mode) == charts.Interactive && c.State != "interactive" {
			return false
		}
	}
	return mode != "offline" || since > offlineTime
}

// check judges one page in one mode; min is the fewest charts it may hold.
// found is how many it showed.
func check(b *chrome.Browser, srv *pages, base, name string, page []byte, mode string, n, min int) (problems []string, info string, found int) {
	path := fmt.Sprintf("/page/%s/%d/%s", mode, n, filepath.Base(name))
	if mode == "static" {
		page = stripForStatic(page)
	}
	srv.add(path, page)
	shot := ""
	if *shots != "" {
		shot = filepath.Join(*shots, strings.TrimSuffix(filepath.Base(name), filepath.Ext(name))+"-"+mode+".png")
	}
	var opts []chrome.TabOption
	if mode != "interactive" {
		opts = append(opts, chrome.Offline)
	}
	res, err := view(b, base+path, mode, shot, opts...)
	if err != nil {
		return []string{err.Error()}, "", 0
	}
	if len(res.charts) < min {
		problems = append(problems, fmt.Sprintf("found %d charts, want at least %d", len(res.charts), min))
	}
	problems, info = judge(res, mode, problems)
	return problems, info, len(res.charts)
}

// judge adds what is wrong with the charts of res to problems, and says
// what the page showed.
func judge(res result, mode string, problems []string) ([]string, string) {
	if res.timedOut {
		problems = append(problems, fmt.Sprintf("charts had not settled after %v", settleTime))
	}
	for _, p := range charts.Check(chartMode(mode), res.charts) {
		problems = append(problems, p.String())
	}
	var info string
	if chartMode(mode) == charts.Static {
		info = fmt.Sprintf("%d charts, %d static images shown", len(res.charts), charts.CountImages(res.charts))
	} else {
		info = fmt.Sprintf("%d of %d charts interactive", charts.Count(res.charts), len(res.charts))
	}
	if res.amd {
		info += " (require.js on the page)"
	}
	if len(res.errors) > 0 {
		info += "; page script errors (not counted): " + strings.Join(res.errors, " | ")
	}
	if res.shot != "" {
		info += "; screenshot " + res.shot
	}
	return problems, info
}

func main() {
	flag.Usage = func() {
		fmt.Fprintf(os.Stderr, "usage: handouts [flags] page.html...\n")
		flag.PrintDefaults()
	}
	flag.Parse()
	if flag.NArg() == 0 {
		flag.Usage()
		os.Exit(2)
	}
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "handouts:", err)
		os.Exit(1)
	}
}

var errFailed = errors.New("some pages failed")

// The modes of a page given alone, and of a folder's pages.
var (
	pageModes   = []string{"static", "offline", "interactive"}
	folderModes = []string{"static", "noscript", "local"}
)

func run() error {
	modes := strings.Split(*modesFlag, ",")
	for _, m := range modes {
		if !slices.Contains(pageModes, m) && !slices.Contains(folderModes, m) {
			return fmt.Errorf("-modes: %q is not a mode: want static, offline, interactive, noscript or local", m)
		}
	}
	if *shots != "" {
		if err := os.MkdirAll(*shots, 0o755); err != nil {
			return err
		}
	}
	b, err := chrome.Start(context.Background(), chrome.Options{
		Width: 1000, Height: 2400,
		Scripts: map[string]string{EChartsURL: *echartsFile, RequireJSURL: *requireFile},
	})
	if err != nil {
		return err
	}
	defer b.Close()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	srv := &pages{m: map[string][]byte{}}
	hs := &http.Server{Handler: srv, ReadHeaderTimeout: 5 * time.Second}
	go hs.Serve(ln)
	defer hs.Close()
	base := "http://" + ln.Addr().String()

	failed, checks := 0, 0
	for i, name := range flag.Args() {
		if fi, err := os.Stat(name); err == nil && fi.IsDir() {
			c, f := checkFolder(b, srv, base, name, modes, i)
			checks, failed = checks+c, failed+f
			continue
		}
		page, err := os.ReadFile(name)
		if err != nil {
			fmt.Printf("FAIL %s: %v\n", name, err)
			failed++
			checks++
			continue
		}
		for _, mode := range modes {
			if !slices.Contains(pageModes, mode) {
				continue
			}
			checks++
			problems, info, _ := check(b, srv, base, name, page, mode, i, *minCharts)
			if len(problems) == 0 {
				fmt.Printf("ok   %s [%s]: %s\n", name, mode, info)
				continue
			}
			failed++
			fmt.Printf("FAIL %s [%s]: %s\n", name, mode, info)
			for _, p := range problems {
				fmt.Printf("       %s\n", p)
			}
		}
	}
	fmt.Printf("%d passed, %d failed\n", checks-failed, failed)
	if failed > 0 {
		return errFailed
	}
	return nil
}
