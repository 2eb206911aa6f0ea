package nb

import (
	"fmt"
	"html"
	"io"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/janpfeifer/gonb/gonbui"
)

// Progress counts finished items by outcome ("ok", "HTTP 503", "timeout",
// ...) and shows a progress bar. In a GoNB notebook the bar is one line of
// the cell's output, redrawn every Every while items finish, and it stays
// there, in its final state, after Done. Elsewhere Done prints the final
// line to Out.
//
// Add is safe for concurrent use and cheap: it only counts; a separate
// goroutine draws.
type Progress struct {
	Title string
	Total int
	// Every is the redraw period in a notebook; zero means 100 ms.
	Every time.Duration
	// Out receives the final line outside a notebook; nil means os.Stdout.
	Out io.Writer

	mu      sync.Mutex
	counts  map[string]int
	order   []string // outcomes in order of first appearance
	start   time.Time
	id      string
	stop    chan struct{}
	stopped chan struct{}
	done    bool
}

// NewProgress returns a running Progress for total items.
func NewProgress(title string, total int) *Progress {
	p := &Progress{Title: title, Total: total, counts: map[string]int{}, start: time.Now()}
	if gonbui.IsNotebook {
		p.id = "nb-progress-" + gonbui.UniqueID()
		p.stop, p.stopped = make(chan struct{}), make(chan struct{})
		gonbui.UpdateHTML(p.id, p.html())
		go p.draw()
	}
	return p
}

// Add counts one finished item with the given outcome.
func (p *Progress) Add(outcome string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if _, seen := p.counts[outcome]; !seen {
		p.order = append(p.order, outcome)
	}
	p.counts[outcome]++
}

// Counts returns the number of items per outcome so far.
func (p *Progress) Counts() map[string]int {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := make(map[string]int, len(p.counts))
	for k, v := range p.counts {
		out[k] = v
	}
	return out
}

// Finished returns how many items have been counted.
func (p *Progress) Finished() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	n := 0
	for _, v := range p.counts {
		n += v
	}
	return n
}

// Done stops the redrawing and shows the final line. Call it once every
// item has been added; later calls do nothing.
func (p *Progress) Done() {
	p.mu.Lock()
	if p.done {
		p.mu.Unlock()
		return
	}
	p.done = true
	p.mu.Unlock()
	if p.id != "" {
		close(p.stop)
		<-p.stopped
		gonbui.UpdateHTML(p.id, p.html())
		return
	}
	out := p.Out
	if out == nil {
		out = os.Stdout
	}
	fmt.Fprintln(out, p.String())
}

func (p *Progress) draw() {
	defer close(p.stopped)
	every := p.Every
	if every <= 0 {
		every = 100 * time.Millisecond
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-p.stop:
			return
		case <-t.C:
			gonbui.UpdateHTML(p.id, p.html())
		}
	}
}

func (p *Progress) html() string {
	return `<pre style="margin:0">` + html.EscapeString(p.String()) + `</pre>`
}

// String draws the line: title, a bar of 30 characters, finished/total,
// the count of each outcome, and the time since NewProgress.
func (p *Progress) String() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	n := 0
	for _, v := range p.counts {
		n += v
	}
	const width = 30
	filled := 0
	if p.Total > 0 {
		filled = min(width, width*n/p.Total)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s [%s%s] %d/%d", p.Title, strings.Repeat("#", filled), strings.Repeat(".", width-filled), n, p.Total)
	for _, k := range p.order {
		fmt.Fprintf(&b, "  %s %d", k, p.counts[k])
	}
	fmt.Fprintf(&b, "  (%.1f s)", time.Since(p.start).Seconds())
	return b.String()
}
