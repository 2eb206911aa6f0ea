// Check opens HTML pages holding lib/chart charts in headless Chromium and
// verifies that no chart is ever blank:
//
//   - static: with every script, <style> element and style attribute
//     removed from the page (as GitHub shows a notebook), each chart's
//     fallback image is visible and of real size;
//   - offline: with scripts running but the ECharts script unreachable
//     (a workshop without network), the fallback images stay visible;
//   - interactive: with ECharts (and require.js, for nbconvert pages)
//     served from a local copy and all other network refused, each chart
//     has rendered a canvas of non-zero size and no fallback is visible.
//
// Usage:
//
//	go run ./scripts/browser/check [-npm build/npm] [-screenshots dir] page.html...
//
// The pages are served from a loopback HTTP server; a probe script added
// to each page measures the charts and posts the result back. Chromium is
// killed after each page, and every wait is bounded.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"time"
)

var (
	npmDir      = flag.String("npm", "build/npm", "npm prefix holding node_modules/echarts and node_modules/requirejs")
	chromiumBin = flag.String("chromium", "", "Chromium binary (default: found on this machine)")
	timeout     = flag.Duration("timeout", 45*time.Second, "time allowed per page and mode")
	shots       = flag.String("screenshots", "", "directory to write a PNG of each page in each mode")
	minCharts   = flag.Int("min-charts", 1, "fail a page with fewer charts than this")
	modesFlag   = flag.String("modes", "static,offline,interactive", "modes to check")
)

// chart is what the probe reports for one chart.
type chart struct {
	ID          string  `json:"id"`
	State       string  `json:"state"`
	ImgVisible  bool    `json:"imgVisible"`
	ImgW        float64 `json:"imgW"`
	ImgH        float64 `json:"imgH"`
	ImgDecoded  bool    `json:"imgDecoded"`
	LiveVisible bool    `json:"liveVisible"`
	CanvasW     float64 `json:"canvasW"`
	CanvasH     float64 `json:"canvasH"`
}

type report struct {
	Charts   []chart  `json:"charts"`
	Errors   []string `json:"errors"`
	TimedOut bool     `json:"timedOut"`
	// AMD tells whether require.js was on the page, so the loader had to
	// use require(['echarts']) rather than a script tag.
	AMD bool `json:"amd"`
}

// probe is appended to each page. It waits until every chart has settled
// (or 20 s have passed), measures them and posts the result.
const probe = `<script>
(function () {
  var mode = __MODE__, start = Date.now();
  function visible(el) {
    if (!el) { return false; }
    var r = el.getBoundingClientRect(), s = getComputedStyle(el);
    return r.width > 0 && r.height > 0 && s.display !== 'none' && s.visibility !== 'hidden' && s.opacity !== '0';
  }
  function measure() {
    var roots = document.querySelectorAll('.gp-chart'), out = [];
    for (var i = 0; i < roots.length; i++) {
      var root = roots[i], img = root.querySelector('img.gp-chart-static'), live = root.querySelector('.gp-chart-live');
      var c = live ? live.querySelector('canvas, svg') : null, cr = c ? c.getBoundingClientRect() : null;
      var ir = img ? img.getBoundingClientRect() : null;
      out.push({id: root.id, state: root.getAttribute('data-chart') || '',
        imgVisible: visible(img), imgW: ir ? ir.width : 0, imgH: ir ? ir.height : 0,
        imgDecoded: !!(img && img.complete && img.naturalWidth > 0),
        liveVisible: visible(live), canvasW: cr ? cr.width : 0, canvasH: cr ? cr.height : 0});
    }
    return out;
  }
  function settled(charts) {
    // A page may build its charts with a script: give it time to.
    if (charts.length === 0 && Date.now() - start < 3000) { return false; }
    for (var i = 0; i < charts.length; i++) {
      var c = charts[i];
      if (!c.imgDecoded) { return false; }
      if (mode === 'interactive' && c.state !== 'interactive') { return false; }
    }
    if (mode === 'offline') { return Date.now() - start > 3000; }
    return true;
  }
  function tick() {
    var charts = measure(), late = Date.now() - start > 20000;
    if (!settled(charts) && !late) { setTimeout(tick, 100); return; }
    var x = new XMLHttpRequest();
    x.open('POST', '/report/' + __TOKEN__);
    var amd = typeof window.define === 'function' && !!window.define.amd;
    x.send(JSON.stringify({charts: charts, errors: window.__probeErrors || [], timedOut: late, amd: amd}));
  }
  if (document.readyState === 'complete') { tick(); } else { window.addEventListener('load', tick); }
})();
</script>`

// errorHook is put first in the page to catch script errors.
const errorHook = `<script>window.__probeErrors = []; window.addEventListener('error', function (e) { var t = e.target || {}; window.__probeErrors.push(e.message ? e.message + (e.filename ? ' (' + e.filename + ')' : '') : 'cannot load ' + (t.src || t.href || t.tagName)); }, true);</script>`

var (
	scriptRE    = regexp.MustCompile(`(?is)<script\b[^>]*>.*?</script\s*>|<script\b[^>]*/>`)
	styleRE     = regexp.MustCompile(`(?is)<style\b[^>]*>.*?</style\s*>`)
	styleAttrRE = regexp.MustCompile(`(?i)\sstyle\s*=\s*("[^"]*"|'[^']*')`)
	echartsRE   = regexp.MustCompile(`https?://[^"'\s<>]*?/echarts\.min(\.js)?\b`)
	requireRE   = regexp.MustCompile(`(?:https?|file)://[^"'\s<>]*?/require(\.min)?\.js\b`)
	headOpenRE  = regexp.MustCompile(`(?i)<head\b[^>]*>`)
	bodyEndRE   = regexp.MustCompile(`(?i)</body\s*>`)
)

// server serves the pages under test, the local scripts, and takes reports.
type server struct {
	addr    string
	mu      sync.Mutex
	pages   map[string][]byte
	reports map[string]chan report
	refused []string
	files   map[string]string // URL path -> local file
}

func (s *server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch {
	case strings.HasPrefix(r.URL.Path, "/report/"):
		var rep report
		body, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
		if err := json.Unmarshal(body, &rep); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		s.mu.Lock()
		ch := s.reports[strings.TrimPrefix(r.URL.Path, "/report/")]
		s.mu.Unlock()
		if ch != nil {
			select {
			case ch <- rep:
			default:
			}
		}
		return
	case strings.HasPrefix(r.URL.Path, "/page/"):
		s.mu.Lock()
		page, ok := s.pages[r.URL.Path]
		s.mu.Unlock()
		if ok {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			w.Write(page)
			return
		}
	default:
		if f, ok := s.files[r.URL.Path]; ok {
			w.Header().Set("Content-Type", "text/javascript")
			http.ServeFile(w, r, f)
			return
		}
	}
	s.mu.Lock()
	s.refused = append(s.refused, r.URL.Path)
	s.mu.Unlock()
	http.NotFound(w, r)
}

// prepare rewrites a page for a mode.
func (s *server) prepare(page []byte, mode, token string) []byte {
	p := string(page)
	switch mode {
	case "static":
		p = scriptRE.ReplaceAllString(p, "")
		p = styleRE.ReplaceAllString(p, "")
		p = styleAttrRE.ReplaceAllString(p, "")
	case "interactive":
		base := "http://" + s.addr
		p = echartsRE.ReplaceAllStringFunc(p, func(m string) string {
			if strings.HasSuffix(m, ".js") {
				return base + "/local/echarts.min.js"
			}
			return base + "/local/echarts.min"
		})
		p = requireRE.ReplaceAllString(p, base+"/local/require.js")
		fallthrough
	case "offline":
		if loc := headOpenRE.FindStringIndex(p); loc != nil {
			p = p[:loc[1]] + errorHook + p[loc[1]:]
		} else {
			p = errorHook + p
		}
	}
	pr := strings.NewReplacer("__MODE__", jsQuote(mode), "__TOKEN__", jsQuote(token)).Replace(probe)
	if loc := bodyEndRE.FindAllStringIndex(p, -1); len(loc) > 0 {
		last := loc[len(loc)-1]
		p = p[:last[0]] + pr + p[last[0]:]
	} else {
		p += pr
	}
	return []byte(p)
}

func jsQuote(s string) string { b, _ := json.Marshal(s); return string(b) }

func findChromium() (string, error) {
	if *chromiumBin != "" {
		return *chromiumBin, nil
	}
	// Debian's /usr/bin/chromium is a shell wrapper; the binary behind it
	// is the one that honours --screenshot reliably.
	for _, c := range []string{"/usr/lib/chromium/chromium", "chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(c); err == nil {
			return p, nil
		}
	}
	return "", errors.New("no Chromium found: run scripts/browser/install.sh")
}

// browse opens url in headless Chromium and returns when ctx ends or done
// is closed, killing Chromium and its children.
func browse(ctx context.Context, bin, url string, extra ...string) error {
	dir, err := os.MkdirTemp("", "chart-check-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	args := append([]string{
		"--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--user-data-dir=" + dir, "--window-size=1000,2400", "--hide-scrollbars",
		// Refuse every host name but loopback: nothing leaves the machine.
		"--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
	}, extra...)
	args = append(args, url)
	cmd := exec.Command(bin, args...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		return err
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	select {
	case err := <-exited:
		if err != nil && ctx.Err() == nil {
			return fmt.Errorf("chromium: %v\n%s", err, tail(stderr.String(), 800))
		}
		return nil
	case <-ctx.Done():
		syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) // Chromium and its helpers, all started here
		<-exited
		return nil
	}
}

func tail(s string, n int) string {
	if len(s) > n {
		return s[len(s)-n:]
	}
	return s
}

// check runs one page in one mode and returns the problems found.
func check(bin string, s *server, name string, page []byte, mode string, n int) (problems []string, info string) {
	token := fmt.Sprintf("%d-%s", n, mode)
	path := fmt.Sprintf("/page/%s/%d.html", mode, n)
	ch := make(chan report, 1)
	s.mu.Lock()
	s.pages[path] = s.prepare(page, mode, token)
	s.reports[token] = ch
	s.mu.Unlock()
	url := "http://" + s.addr + path

	ctx, cancel := context.WithTimeout(context.Background(), *timeout)
	defer cancel()
	var rep report
	var got bool
	var browseErr error
	done := make(chan struct{})
	go func() {
		defer close(done)
		browseErr = browse(ctx, bin, url)
	}()
	select {
	case rep = <-ch:
		got = true
	case <-ctx.Done():
	case <-done:
	}
	cancel()
	<-done
	if !got {
		msg := "no report from the page within " + timeout.String()
		if browseErr != nil {
			msg += ": " + browseErr.Error()
		}
		return []string{msg}, ""
	}

	if len(rep.Charts) < *minCharts {
		problems = append(problems, fmt.Sprintf("found %d charts, want at least %d", len(rep.Charts), *minCharts))
	}
	if rep.TimedOut {
		problems = append(problems, "charts had not settled after 20 s")
	}
	interactive := 0
	for i, c := range rep.Charts {
		label := fmt.Sprintf("chart %d (%s)", i+1, c.ID)
		switch mode {
		case "static", "offline":
			if !c.ImgVisible || !c.ImgDecoded || c.ImgW < 200 || c.ImgH < 100 {
				problems = append(problems, fmt.Sprintf("%s: fallback image not shown (visible %v, decoded %v, %.0fx%.0f)", label, c.ImgVisible, c.ImgDecoded, c.ImgW, c.ImgH))
			}
			if c.LiveVisible && c.CanvasW > 0 {
				problems = append(problems, label+": an interactive chart is showing too")
			}
		case "interactive":
			if c.State != "interactive" || !c.LiveVisible || c.CanvasW < 200 || c.CanvasH < 100 {
				problems = append(problems, fmt.Sprintf("%s: not rendered interactively (state %q, visible %v, canvas %.0fx%.0f)", label, c.State, c.LiveVisible, c.CanvasW, c.CanvasH))
			} else {
				interactive++
			}
			if c.ImgVisible {
				problems = append(problems, label+": fallback image still visible")
			}
		}
	}
	info = fmt.Sprintf("%d charts", len(rep.Charts))
	if mode == "interactive" {
		info = fmt.Sprintf("%d of %d charts interactive", interactive, len(rep.Charts))
	}
	if rep.AMD {
		info += " (require.js on the page)"
	}
	for i, e := range rep.Errors {
		if len(e) > 160 {
			rep.Errors[i] = e[:160] + "..."
		}
	}
	if len(rep.Errors) > 0 {
		info += fmt.Sprintf("; page script errors (not counted): %s", strings.Join(rep.Errors, " | "))
	}
	if *shots != "" {
		png := filepath.Join(*shots, strings.TrimSuffix(filepath.Base(name), filepath.Ext(name))+"-"+mode+".png")
		sctx, scancel := context.WithTimeout(context.Background(), *timeout)
		err := browse(sctx, bin, url, "--screenshot="+png, "--virtual-time-budget=8000")
		scancel()
		if err != nil {
			info += "; screenshot failed: " + err.Error()
		} else {
			info += "; screenshot " + png
		}
	}
	return problems, info
}

func main() {
	log.SetFlags(0)
	flag.Usage = func() {
		fmt.Fprintf(os.Stderr, "usage: check [flags] page.html...\n")
		flag.PrintDefaults()
	}
	flag.Parse()
	if flag.NArg() == 0 {
		flag.Usage()
		os.Exit(2)
	}
	bin, err := findChromium()
	if err != nil {
		log.Fatal(err)
	}
	files := map[string]string{
		"/local/echarts.min.js": filepath.Join(*npmDir, "node_modules/echarts/dist/echarts.min.js"),
		"/local/require.js":     filepath.Join(*npmDir, "node_modules/requirejs/require.js"),
	}
	for _, f := range files {
		if _, err := os.Stat(f); err != nil {
			log.Fatalf("check: %v (run scripts/browser/install.sh)", err)
		}
	}
	if *shots != "" {
		if err := os.MkdirAll(*shots, 0o755); err != nil {
			log.Fatal(err)
		}
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	s := &server{addr: ln.Addr().String(), pages: map[string][]byte{}, reports: map[string]chan report{}, files: files}
	srv := &http.Server{Handler: s, ReadHeaderTimeout: 5 * time.Second}
	go srv.Serve(ln)
	defer srv.Close()

	modes := strings.Split(*modesFlag, ",")
	failed := 0
	checks := 0
	for i, name := range flag.Args() {
		page, err := os.ReadFile(name)
		if err != nil {
			log.Printf("FAIL %s: %v", name, err)
			failed++
			checks++
			continue
		}
		for _, mode := range modes {
			checks++
			problems, info := check(bin, s, name, page, mode, i)
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
		os.Exit(1)
	}
}
