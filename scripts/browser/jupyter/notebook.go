package jupyter

import (
	"bytes"
	"context"
	_ "embed"
	"encoding/json"
	"fmt"
	"image"
	"image/draw"
	"image/png"
	"strings"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/go-parallelism/go-parallelism/scripts/browser/charts"
)

//go:embed probe.js
var probeJS string

var probe = strings.Replace(probeJS, "__MEASURE__", charts.Measure, 1)

// Notebook is a notebook open in a browser tab.
type Notebook struct {
	ctx context.Context // the tab's chromedp context
	url string
}

// Status is what the page says about the notebook and its kernel.
type Status struct {
	App    bool   `json:"app"`    // the front end has started
	Ready  bool   `json:"ready"`  // the notebook is loaded
	Kernel string `json:"kernel"` // the kernel's display name
	State  string `json:"status"` // the kernel's status: unknown, starting, idle, busy, ...
	// Connection is the page's link to the kernel: connecting, connected,
	// disconnected.
	Connection string `json:"connection"`
	Code       int    `json:"code"`    // code cells that are not empty
	Running    int    `json:"running"` // code cells running or queued
	Ran        int    `json:"ran"`     // code cells run since Watch
	Dialog     string `json:"dialog"`  // the text of an open dialog, if any
}

// Cell is one cell as the page shows it.
type Cell struct {
	Index          int      `json:"index"`
	Type           string   `json:"type"` // code, markdown, raw
	Source         string   `json:"source"`
	Tags           []string `json:"tags"`
	Trusted        bool     `json:"trusted"`
	ExecutionCount *int     `json:"executionCount"`
	Ran            bool     `json:"ran"` // ran since Watch
	Outputs        []Output `json:"outputs"`
	View           View     `json:"view"`
	Charts         []Chart  `json:"charts"`
}

// WantCharts is the number of charts the cell's outputs hold.
func (c Cell) WantCharts() int {
	n := 0
	for _, o := range c.Outputs {
		n += o.Charts
	}
	return n
}

// Output is one output in the cell's model.
type Output struct {
	Type  string   `json:"type"`  // stream, display_data, execute_result, error
	Mimes []string `json:"mimes"` // MIME types of a display
	Name  string   `json:"name"`  // stdout or stderr, for a stream
	Text  string   `json:"text"`  // a stream's text, or an error's name and value
	// Charts counts the lib/chart charts in the output's HTML.
	Charts int `json:"charts"`
}

// View is what the cell's output area shows.
type View struct {
	Items  int     `json:"items"`  // outputs shown
	Text   string  `json:"text"`   // their visible text (the last 20000 characters)
	Height float64 `json:"height"` // in CSS pixels
	// Overflow is how far the widest output runs past the output area's
	// width, in CSS pixels (it then scrolls sideways).
	Overflow float64 `json:"overflow"`
}

// Chart is one lib/chart chart as measured in the page.
type Chart = charts.Chart

// Open loads url (from Server.NotebookURL) in the tab of ctx and waits
// until the notebook is loaded and its kernel has started.
func Open(ctx context.Context, url string) (*Notebook, error) {
	n := &Notebook{ctx: ctx, url: url}
	if err := chromedp.Do(ctx, chromedp.Navigate(url)); err != nil {
		return nil, fmt.Errorf("jupyter: opening %s: %w", url, err)
	}
	_, err := n.waitFor(ctx, "the notebook to load", func(s Status) bool { return s.Ready })
	if err != nil {
		return nil, err
	}
	return n, nil
}

// Attach returns the notebook already open in the tab of ctx.
func Attach(ctx context.Context) *Notebook { return &Notebook{ctx: ctx} }

// HideSidebars collapses the side panels, so the notebook gets the width
// of the window.
func (n *Notebook) HideSidebars(ctx context.Context) error {
	return n.call(ctx, `(() => { const s = window.jupyterapp.shell;
		if (s.collapseLeft) { s.collapseLeft(); } if (s.collapseRight) { s.collapseRight(); } return null; })()`, nil)
}

// WaitKernel waits until the page is connected to a kernel that is not
// busy, and returns the status. (GoNB reports no status before its first
// execution, so "unknown" counts as ready.)
func (n *Notebook) WaitKernel(ctx context.Context) (Status, error) {
	return n.waitFor(ctx, "the kernel to start", func(s Status) bool {
		return s.Connection == "connected" && (s.State == "idle" || s.State == "unknown")
	})
}

// Settle waits until every output in the model is shown and every chart's
// static image has finished loading (or failed to), and returns the cells.
func (n *Notebook) Settle(ctx context.Context) ([]Cell, error) {
	for {
		cells, err := n.Cells(ctx)
		if err == nil && settled(cells) {
			return cells, nil
		}
		select {
		case <-ctx.Done():
			if err == nil {
				err = ctx.Err()
			}
			return cells, fmt.Errorf("jupyter: waiting for the outputs to render: %w", err)
		case <-time.After(250 * time.Millisecond):
		}
	}
}

func settled(cells []Cell) bool {
	for _, c := range cells {
		if c.Type != "code" {
			continue
		}
		if c.View.Items < len(c.Outputs) || len(c.Outputs) > 0 && c.View.Height == 0 || len(c.Charts) < c.WantCharts() {
			return false
		}
		for _, ch := range c.Charts {
			if !ch.ImgLoaded {
				return false
			}
		}
	}
	return true
}

// Status reads the notebook's status.
func (n *Notebook) Status(ctx context.Context) (Status, error) {
	var s Status
	err := n.call(ctx, "__gp.panel() ? __gp.status() : {app: !!window.jupyterapp}", &s)
	return s, err
}

func (n *Notebook) waitFor(ctx context.Context, what string, ok func(Status) bool) (Status, error) {
	var last Status
	var lastErr error
	for {
		s, err := n.Status(ctx)
		if err == nil {
			last = s
			if s.Dialog != "" {
				return s, fmt.Errorf("jupyter: a dialog opened while waiting for %s: %q", what, s.Dialog)
			}
			if ok(s) {
				return s, nil
			}
		} else {
			lastErr = err
		}
		select {
		case <-ctx.Done():
			return last, fmt.Errorf("jupyter: waiting for %s: %w (last status %+v, last error %v)", what, ctx.Err(), last, lastErr)
		case <-time.After(250 * time.Millisecond):
		}
	}
}

// call evaluates expr after the probe and decodes its JSON value into out.
func (n *Notebook) call(ctx context.Context, expr string, out any) error {
	raw, err := chromedp.Run(ctx, chromedp.Evaluate[[]byte](probe+";\n("+expr+")", chromedp.EvalAwaitPromise))
	if err != nil {
		return err
	}
	if out == nil {
		return nil
	}
	return json.Unmarshal(raw, out)
}

// Watch starts counting the code cells that run from now on (Status.Ran,
// Cell.Ran).
func (n *Notebook) Watch(ctx context.Context) error {
	return n.call(ctx, "__gp.watch(), null", nil)
}

// RunAll chooses Run > Run All Cells in the menu bar, as a reader does.
func (n *Notebook) RunAll(ctx context.Context) error {
	return n.menu(ctx, "Run", "runmenu:run-all")
}

// menu opens the menu bar's menu titled top and clicks its item for the
// command (menu items carry their command's id).
func (n *Notebook) menu(ctx context.Context, top, command string) error {
	bar := fmt.Sprintf(`[...document.querySelectorAll('.lm-MenuBar-item')].find(e => e.innerText.trim() === %q)`, top)
	item := fmt.Sprintf(`document.querySelector('.lm-Menu .lm-Menu-item[data-command=%q]')`, command)
	for _, el := range []string{bar, item} {
		if err := n.click(ctx, el); err != nil {
			return fmt.Errorf("jupyter: menu %s, item for %s: %w", top, command, err)
		}
	}
	return nil
}

// click moves the mouse onto the element that the JavaScript expression el
// finds, once it is shown, and clicks it. Moving first matters: a menu
// item takes a click only once the pointer has entered it.
func (n *Notebook) click(ctx context.Context, el string) error {
	var at struct {
		OK   bool
		X, Y float64
	}
	where := fmt.Sprintf(`(() => { const e = %s; if (!e) { return {OK: false}; }
		const r = e.getBoundingClientRect();
		return {OK: r.width > 0 && r.height > 0, X: r.left + r.width / 2, Y: r.top + r.height / 2}; })()`, el)
	for {
		if err := n.call(ctx, where, &at); err != nil {
			return err
		}
		if at.OK {
			break
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("%s not shown: %w", el, ctx.Err())
		case <-time.After(100 * time.Millisecond):
		}
	}
	return chromedp.Do(ctx,
		chromedp.MouseEvent(chromedp.MouseMoved, at.X, at.Y),
		chromedp.MouseClickXY(at.X, at.Y),
	)
}

// WaitRun waits until the run started before it (Watch, then RunAll) is
// over: every code cell has run since Watch, or, when a failing cell made
// the kernel drop the rest, nothing is left running. Either way the kernel
// must be idle. It calls progress, if not nil, whenever the count of cells
// run changes.
func (n *Notebook) WaitRun(ctx context.Context, progress func(Status)) (Status, error) {
	ran, idle := -1, 0
	started := false
	return n.waitFor(ctx, "all cells to run", func(s Status) bool {
		if s.Ran != ran && progress != nil {
			progress(s)
		}
		ran = s.Ran
		started = started || s.Running > 0 || s.Ran > 0
		// The kernel is idle for a moment between two cells: require
		// two idle readings in a row with nothing left to run, or 3 s of
		// them if some cell never ran.
		if started && s.Running == 0 && s.State == "idle" {
			idle++
		} else {
			idle = 0
		}
		return idle >= 2 && s.Ran >= s.Code || idle >= 12
	})
}

// Cells reads every cell.
func (n *Notebook) Cells(ctx context.Context) ([]Cell, error) {
	var cells []Cell
	err := n.call(ctx, "__gp.cells()", &cells)
	return cells, err
}

// SetSource replaces the source of cell i.
func (n *Notebook) SetSource(ctx context.Context, i int, src string) error {
	s, _ := json.Marshal(src)
	return n.call(ctx, fmt.Sprintf("__gp.setSource(%d, %s), null", i, s), nil)
}

// Run runs cell i (the notebook's Ctrl+Enter) and returns when it has
// finished.
func (n *Notebook) Run(ctx context.Context, i int) error {
	return n.call(ctx, fmt.Sprintf("__gp.run(%d).then(() => null)", i), nil)
}

// JSON returns the notebook as the page holds it now (sources, outputs,
// metadata), in the .ipynb format.
func (n *Notebook) JSON(ctx context.Context) ([]byte, error) {
	var raw json.RawMessage
	if err := n.call(ctx, "__gp.panel().context.model.toJSON()", &raw); err != nil {
		return nil, err
	}
	var v any // re-indent as Jupyter writes notebooks
	if err := json.Unmarshal(raw, &v); err != nil {
		return nil, err
	}
	b, err := json.MarshalIndent(v, "", " ")
	return append(b, '\n'), err
}

// Command runs one of the front end's commands, such as
// "apputils:change-theme" with args {"theme": "JupyterLab Dark"}.
func (n *Notebook) Command(ctx context.Context, id string, args any) error {
	a, err := json.Marshal(args)
	if err != nil {
		return err
	}
	return n.call(ctx, fmt.Sprintf("window.jupyterapp.commands.execute(%q, %s).then(() => null)", id, a), nil)
}

// WaitTheme waits until the page shows the theme named name, such as
// "JupyterLab Dark" (JupyterLab names it on <body> once applied).
func (n *Notebook) WaitTheme(ctx context.Context, name string) error {
	q, _ := json.Marshal(name)
	for {
		var ok bool
		if err := n.call(ctx, fmt.Sprintf("document.body.dataset.jpThemeName === %s", q), &ok); err != nil {
			return err
		}
		if ok {
			// Let charts redraw for the new size of the page, if any.
			return n.call(ctx, "new Promise(r => requestAnimationFrame(() => requestAnimationFrame(() => r(null))))", nil)
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("jupyter: waiting for the theme %q: %w", name, ctx.Err())
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// Reveal scrolls cell i to the top of the view.
func (n *Notebook) Reveal(ctx context.Context, i int) error {
	return n.call(ctx, fmt.Sprintf("__gp.reveal(%d), null", i), nil)
}

// Ink is a piece of text in the outputs and what it is drawn on.
type Ink struct {
	Cell int    `json:"cell"` // index of the cell
	What string `json:"what"` // such as `table 1 cell "workers"`, `chart 2 title`
	FG   string `json:"fg"`   // CSS colour of the text
	BG   string `json:"bg"`   // CSS colour behind it
}

// Inks lists the text colours of the tables and drawn charts in the
// outputs, with their backgrounds, as the current theme shows them.
func (n *Notebook) Inks(ctx context.Context) ([]Ink, error) {
	var inks []Ink
	err := n.call(ctx, "__gp.legibility()", &inks)
	return inks, err
}

// MaxScreenshotHeight bounds the image Screenshot makes, in pixels.
const MaxScreenshotHeight = 60000

// Screenshot returns a PNG of the whole notebook, top to bottom: it
// scrolls the notebook a screen at a time and stacks the pieces.
func (n *Notebook) Screenshot(ctx context.Context) ([]byte, error) {
	type box struct{ X, Y, W, H, Scroll float64 }
	var b box
	get := `(() => { const s = __gp.scroller(), r = s.getBoundingClientRect();
		return {X: r.left, Y: r.top, W: r.width, H: r.height, Scroll: s.scrollHeight}; })()`
	if err := n.call(ctx, get, &b); err != nil {
		return nil, err
	}
	if b.W < 1 || b.H < 1 {
		return nil, fmt.Errorf("jupyter: screenshot: the notebook has no size (%gx%g)", b.W, b.H)
	}
	total := min(int(b.Scroll), MaxScreenshotHeight)
	out := image.NewRGBA(image.Rect(0, 0, int(b.W), total))
	for y := 0; y < total; y += int(b.H) {
		// Scroll, then let the page lay out and paint what came into view.
		var top float64
		scroll := fmt.Sprintf(`new Promise(r => { const s = __gp.scroller(); s.scrollTop = %d;
			requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(() => r(s.scrollTop), 100))); })`, y)
		if err := n.call(ctx, scroll, &top); err != nil {
			return nil, err
		}
		res, err := chromedp.Call(ctx, page.CaptureScreenshot, page.CaptureScreenshotParams{
			Format: page.CaptureScreenshotFormatPng,
			Clip:   &page.Viewport{X: b.X, Y: b.Y, Width: b.W, Height: b.H, Scale: 1},
		})
		if err != nil {
			return nil, fmt.Errorf("jupyter: screenshot: %w", err)
		}
		img, err := png.Decode(bytes.NewReader(res.Data))
		if err != nil {
			return nil, fmt.Errorf("jupyter: screenshot: %w", err)
		}
		// The last screen cannot scroll a full height: place it where the
		// page put it.
		at := int(top)
		draw.Draw(out, image.Rect(0, at, int(b.W), at+img.Bounds().Dy()), img, image.Point{}, draw.Src)
	}
	var buf bytes.Buffer
	enc := png.Encoder{CompressionLevel: png.BestSpeed}
	if err := enc.Encode(&buf, out); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// Tail returns the last n characters of s, for messages.
func Tail(s string, n int) string {
	s = strings.TrimSpace(s)
	if len(s) > n {
		return "..." + s[len(s)-n:]
	}
	return s
}
