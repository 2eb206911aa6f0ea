package nb

import (
	"html"
	"time"

	"github.com/go-parallelism/go-parallelism/lib/bench"
	"github.com/janpfeifer/gonb/gonbui"
)

// Throttling of the sweep line: updates cross a pipe and a websocket, so at
// most one every updateEvery; and a sweep shorter than quietFor leaves no
// line behind at all.
const (
	updateEvery = 250 * time.Millisecond
	quietFor    = time.Second
)

// sweepLine returns a bench progress function that draws one line in the
// cell, updated in place, ending as a one-line summary (an erased line would
// leave a blank output in the saved notebook).
func sweepLine() func(bench.Progress) {
	var id string
	var last time.Time
	return func(p bench.Progress) {
		if p.Done <= 1 && !p.Finished {
			id, last = "", time.Time{} // a new experiment
		}
		if p.Finished {
			if id != "" {
				gonbui.UpdateHTML(id, line(p.String()))
			}
			id = ""
			return
		}
		if p.Elapsed < quietFor || time.Since(last) < updateEvery {
			return
		}
		if id == "" {
			id = "nb-sweep-" + gonbui.UniqueID()
		}
		last = time.Now()
		gonbui.UpdateHTML(id, line(p.String()+"  ("+p.Elapsed.Round(100*time.Millisecond).String()+")"))
	}
}

func line(s string) string {
	return `<div style="font-family:monospace">` + html.EscapeString(s) + `</div>`
}
