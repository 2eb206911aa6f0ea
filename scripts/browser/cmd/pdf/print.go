package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"path"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/go-parallelism/go-parallelism/scripts/browser/chrome"
)

// A printer prints pages with headless Chromium. The pages come from a
// loopback server that serves the generated pages and the files of the
// folders they stand in for (so that relative links to assets resolve);
// every other request is refused.
type printer struct {
	browser *chrome.Browser
	http    *http.Server
	base    string
	timeout time.Duration
	tagged  bool

	mu    sync.Mutex
	docs  map[string][]byte // generated pages by URL path
	dirs  []string          // folders, served under /0/, /1/, ...
	dirID map[string]int

	warned map[string]bool // refused requests already reported, by page
}

func newPrinter(ctx context.Context, timeout time.Duration, tagged bool) (*printer, error) {
	b, err := chrome.Start(ctx, chrome.Options{Width: 1000, Height: 1400})
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Close()
		return nil, err
	}
	p := &printer{browser: b, timeout: timeout, tagged: tagged, docs: map[string][]byte{}, dirID: map[string]int{}, warned: map[string]bool{}}
	p.http = &http.Server{Handler: p, ReadHeaderTimeout: 5 * time.Second}
	go p.http.Serve(ln)
	p.base = "http://" + ln.Addr().String()
	return p, nil
}

func (p *printer) Close() {
	p.http.Close()
	p.browser.Close()
}

func (p *printer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p.mu.Lock()
	doc, ok := p.docs[r.URL.Path]
	p.mu.Unlock()
	if ok {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write(doc)
		return
	}
	// /<n>/<file>: a file of the n-th folder.
	id, rest, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), "/")
	var n int
	if _, err := fmt.Sscan(id, &n); err != nil || n < 0 || n >= len(p.dirs) {
		http.NotFound(w, r)
		return
	}
	http.ServeFile(w, r, filepath.Join(p.dirs[n], filepath.FromSlash(path.Clean("/"+rest))))
}

// url serves doc as if it were the file name in folder dir, and returns
// its address.
func (p *printer) url(dir, name string, doc string) string {
	p.mu.Lock()
	defer p.mu.Unlock()
	n, ok := p.dirID[dir]
	if !ok {
		n = len(p.dirs)
		p.dirs = append(p.dirs, dir)
		p.dirID[dir] = n
	}
	u := fmt.Sprintf("/%d/%s", n, name)
	p.docs[u] = []byte(doc)
	return p.base + u
}

// ErrNotLoaded is wrapped by print's error when a page did not finish
// loading in time.
var ErrNotLoaded = errors.New("page did not finish loading")

// loaded is null until the page, its images and its fonts have loaded,
// then the list of the images that failed to.
const loaded = `(() => {
  if (document.readyState !== 'complete' || document.fonts.status !== 'loaded') return null;
  const broken = [];
  for (const img of document.images) {
    if (!img.complete) return null;
    if (!img.naturalWidth) broken.push(img.alt || img.src.slice(0, 80));
  }
  return broken;
})()`

// tooWide lists the outermost elements that reach past the right margin
// when the page is laid out as wide as the printed text: on paper they
// would be cut off.
const tooWide = `((width) => {
  const out = [];
  for (const el of document.body.querySelectorAll('*')) {
    // An inline element that wraps has one box per line: look at each.
    const right = Math.max(0, ...Array.from(el.getClientRects(), r => r.width > 0 ? r.right : 0));
    if (right <= width + 1) continue;
    if (out.some(o => o.el.contains(el))) continue;
    const cls = el.className && el.className.baseVal === undefined ? '.' + el.className.trim().split(/\s+/).join('.') : '';
    const text = (el.textContent || el.getAttribute('alt') || '').trim().replace(/\s+/g, ' ').slice(0, 60);
    out.push({el, what: el.tagName.toLowerCase() + cls + ' "' + text + '" is ' + Math.ceil(right - width) + ' px too wide'});
  }
  return out.map(o => o.what);
})`

// A printed page: the PDF, and what printing it found.
type printed struct {
	pdf     []byte
	refused []string // requests of the page that were refused
	wide    []string // elements wider than the printed text
	broken  []string // images that did not load

	reembedded int // images taken from their PNGs
}

// print loads doc (served as name in folder dir) and prints it to PDF.
func (p *printer) print(dir, name, doc string) (out printed, err error) {
	url := p.url(dir, name, doc)
	tab, err := p.browser.NewTab(chrome.Only(p.base + "/"))
	if err != nil {
		return out, err
	}
	defer tab.Close()
	ctx, cancel := context.WithTimeout(tab.Context(), p.timeout)
	defer cancel()
	defer func() { out.refused = tab.Refused() }()
	if err := chromedp.Do(ctx, chromedp.Navigate(url)); err != nil {
		return out, fmt.Errorf("loading %s: %w", name, err)
	}
	for {
		broken, err := chromedp.Run(ctx, chromedp.Evaluate[*[]string](loaded))
		if err != nil {
			if ctx.Err() != nil {
				return out, fmt.Errorf("%s: %w within %v", name, ErrNotLoaded, p.timeout)
			}
			return out, fmt.Errorf("%s: %w: %v", name, ErrNotLoaded, err)
		}
		if broken != nil {
			out.broken = *broken
			break
		}
		select {
		case <-ctx.Done():
			return out, fmt.Errorf("%s: %w within %v", name, ErrNotLoaded, p.timeout)
		case <-time.After(50 * time.Millisecond):
		}
	}
	// Lay the page out for print at the width of the printed text, and
	// look for what would not fit.
	_, err = chromedp.Call(ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: "print"})
	if err == nil {
		_, err = chromedp.Call(ctx, emulation.SetDeviceMetricsOverride, emulation.SetDeviceMetricsOverrideParams{
			Width: textWidth, Height: 1000, DeviceScaleFactor: 1,
		})
	}
	if err == nil {
		out.wide, err = chromedp.Run(ctx, chromedp.Evaluate[[]string](fmt.Sprintf("%s(%d)", tooWide, textWidth)))
	}
	if err == nil {
		_, err = chromedp.Call(ctx, emulation.ClearDeviceMetricsOverride, cdp.Empty{})
	}
	if err != nil {
		return out, fmt.Errorf("measuring %s: %w", name, err)
	}
	out.pdf, err = chromedp.Run(ctx, chromedp.PrintToPDF(
		chromedp.PDFPreferCSSPageSize(), // A4 and the margins come from the page's @page rule
		chromedp.PDFPrintBackground(),
		func(pp *page.PrintToPDFParams) {
			// Chromium's outline needs a tagged PDF, whose structure more
			// than doubles the size of a handout: off unless asked for.
			pp.GenerateTaggedPDF, pp.GenerateDocumentOutline = &p.tagged, &p.tagged
		},
		chromedp.PDFStream(),
	))
	if err != nil {
		return out, fmt.Errorf("printing %s: %w", name, err)
	}
	return out, nil
}
