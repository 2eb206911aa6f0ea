package bench

import (
	"fmt"
	"html"
	"io"
	"time"

	"github.com/janpfeifer/gonb/gonbui"
)

// progress shows how far a sweep has got: an HTML line in a notebook cell
// that ends as a one-line summary (an erased line would leave a blank output
// behind in the saved notebook), and/or lines on a writer if one was given.
// Elsewhere, and under go test, it is silent.
type progress struct {
	name      string
	total     int
	done      int
	w         io.Writer
	displayID string
	last      time.Time
	start     time.Time
}

// updateEvery limits notebook updates, which cross a pipe and a websocket;
// quietFor keeps a sweep shorter than it from showing (and leaving behind)
// a progress line at all.
const (
	updateEvery = 250 * time.Millisecond
	quietFor    = time.Second
)

func newProgress(name string, total int, w io.Writer) *progress {
	p := &progress{name: name, total: total, w: w, start: time.Now()}
	if gonbui.IsNotebook {
		p.displayID = "bench-progress-" + gonbui.UniqueID()
	}
	return p
}

func (p *progress) step(variant string, param Param, what string) {
	p.done++
	if p.w != nil {
		fmt.Fprintf(p.w, "%s [%d/%d] %s %s: %s\n", p.name, p.done, p.total, variant, param, what)
	}
	if p.displayID == "" || time.Since(p.start) < quietFor || time.Since(p.last) < updateEvery {
		return
	}
	p.last = time.Now()
	pct := 100 * p.done / max(p.total, 1)
	gonbui.UpdateHTML(p.displayID, fmt.Sprintf(
		`<div style="font-family:monospace">%s: run %d of %d (%s %s: %s), %s elapsed `+
			`<progress max="100" value="%d"></progress></div>`,
		html.EscapeString(p.name), p.done, p.total, html.EscapeString(variant), html.EscapeString(param.String()),
		html.EscapeString(what), time.Since(p.start).Round(100*time.Millisecond), pct))
}

func (p *progress) close() {
	if p.displayID != "" && !p.last.IsZero() {
		gonbui.UpdateHTML(p.displayID, fmt.Sprintf(
			`<div style="font-family:monospace">%s: %d runs in %s</div>`,
			html.EscapeString(p.name), p.done, time.Since(p.start).Round(100*time.Millisecond)))
	}
}
