// Package nb shows the course's results in a GoNB notebook cell. It is the
// only package of the course that talks to the notebook, so the rest of the
// library runs the same in a test, a program or a cell.
//
//	nb.Show(chart.Times(res), res) // a chart, then the table of results
//
// Show knows three kinds of value: a chart (anything with a Bundle method,
// shown as one output in several forms: the interactive chart, its static
// image, a line of text), anything with an HTML method (tables), and
// everything else, printed as text. Outside a notebook, Show prints text.
//
// A GoNB cell is a program of its own: the cell's variables are gone when it
// ends. Save and Load keep a result on disk between cells, so a cell can draw
// what an earlier cell measured.
//
// In a notebook, importing nb also makes every bench experiment show its
// progress as one line in the cell that updates in place (bench.DefaultProgress).
package nb

import (
	"fmt"
	"html"
	"os"

	"github.com/go-parallelism/go-parallelism/lib/bench"
	"github.com/janpfeifer/gonb/gonbui"
	"github.com/janpfeifer/gonb/gonbui/protocol"
)

// bundler is a value with several representations by MIME type, such as a
// *chart.Chart.
type bundler interface {
	Bundle() (map[string]string, error)
}

// htmler is a value that formats itself as HTML, such as a *bench.Result.
type htmler interface {
	HTML() string
}

// Show displays each value in the cell, one output each, in order, and waits
// until the kernel has them (a cell that ends right after a Show keeps its
// output). An error is shown as text in place of the value that failed.
// Outside a notebook, Show prints each value as text to standard output.
func Show(values ...any) {
	for _, v := range values {
		if !gonbui.IsNotebook {
			fmt.Fprintln(os.Stdout, text(v))
			continue
		}
		switch v := v.(type) {
		case bundler:
			b, err := v.Bundle()
			if err != nil {
				gonbui.DisplayHTML("<pre>" + html.EscapeString(err.Error()) + "</pre>")
				continue
			}
			data := map[protocol.MIMEType]any{}
			for mime, s := range b {
				data[protocol.MIMEType(mime)] = s
			}
			gonbui.SendData(&protocol.DisplayData{Data: data})
		case htmler:
			gonbui.DisplayHTML(v.HTML())
		default:
			gonbui.DisplayHTML("<pre>" + html.EscapeString(text(v)) + "</pre>")
		}
	}
	if gonbui.IsNotebook {
		gonbui.Sync()
	}
}

// text is how Show prints v outside a notebook: a chart as its text/plain
// form, anything else with fmt.
func text(v any) string {
	if b, ok := v.(bundler); ok {
		m, err := b.Bundle()
		if err != nil {
			return err.Error()
		}
		return m["text/plain"]
	}
	return fmt.Sprint(v)
}

// InNotebook reports whether the program runs in a GoNB cell.
func InNotebook() bool { return gonbui.IsNotebook }

func init() {
	if gonbui.IsNotebook && bench.DefaultProgress == nil {
		bench.DefaultProgress = sweepLine()
	}
}
