// Package charts judges the course's charts as a browser shows them.
//
// A lib/chart chart is two layers in one element (class gp-chart): a static
// PNG image (img.gp-chart-static) that shows wherever no script runs, and an
// element (.gp-chart-live) that ECharts draws into where scripts run; the
// image is hidden only once the drawing has a size. So a chart is never
// blank, and never shows twice. Nor is it hard to read: lib/chart writes the
// problems its own check found into the chart (data-lint), and a label the
// interactive chart draws past its edges is clipped. Measure, evaluated in
// the page, reads every chart's layers, its problems and the boxes of the
// texts ECharts drew; Check says, for a way of viewing, what is wrong with
// each.
package charts

import (
	_ "embed"
	"fmt"
)

// Measure is a JavaScript function expression, (node) => [Chart...], that
// measures every chart under node as the page shows it now.
//
//go:embed measure.js
var Measure string

// Chart is one chart as measured in a page.
type Chart struct {
	ID          string  `json:"id"`
	State       string  `json:"state"`       // the data-chart attribute: static, interactive
	ImgVisible  bool    `json:"imgVisible"`  // the static image is displayed
	ImgW        float64 `json:"imgW"`        // its size in CSS pixels
	ImgH        float64 `json:"imgH"`        //
	ImgDecoded  bool    `json:"imgDecoded"`  // its image has loaded
	ImgLoaded   bool    `json:"imgLoaded"`   // loading has ended, well or not
	LiveVisible bool    `json:"liveVisible"` // the interactive layer is displayed
	CanvasW     float64 `json:"canvasW"`     // the size of what ECharts drew
	CanvasH     float64 `json:"canvasH"`     //
	// Lint holds the problems lib/chart found when it rendered the chart
	// (its data-lint attribute): small bars without values, axes without
	// units, text outside the static image.
	Lint []string `json:"lint"`
	// Outside lists the texts ECharts drew past the edges of its canvas,
	// as zrender laid them out.
	Outside []string `json:"outside"`
	// Overlapping lists the pairs of texts ECharts printed over each
	// other (wrapped lines run together, crowded lane names).
	Overlapping []string `json:"overlapping"`
}

// Mode is a way of viewing a page.
type Mode int

const (
	// Static: no script runs (GitHub, an untrusted notebook, a page with
	// ECharts unreachable). Each chart must show its image, and only it.
	Static Mode = iota
	// Interactive: scripts run and ECharts loads. Each chart must be drawn
	// by ECharts, with its image hidden.
	Interactive
)

func (m Mode) String() string {
	switch m {
	case Static:
		return "static"
	case Interactive:
		return "interactive"
	}
	return fmt.Sprintf("Mode(%d)", int(m))
}

// Smallest sizes that count as a chart shown, in CSS pixels: a chart is
// drawn at 800x400 and may shrink with the page, not to a sliver.
const (
	MinWidth  = 200
	MinHeight = 100
)

// Kind is what is wrong with a chart.
type Kind int

const (
	// Blank: neither the image nor a drawing shows.
	Blank Kind = iota + 1
	// NoImage: the static image does not show where it must.
	NoImage
	// NotInteractive: ECharts did not draw the chart where it must.
	NotInteractive
	// FallbackShown: the static image still shows over or beside the
	// drawing.
	FallbackShown
	// LiveShown: a drawing shows where no script should have run.
	LiveShown
	// Unreadable: lib/chart's own check found the chart hard to read.
	Unreadable
	// TextOutside: the interactive chart drew a label past its edges,
	// where it is clipped.
	TextOutside
	// TextOverlap: the interactive chart printed two labels over each
	// other.
	TextOverlap
)

func (k Kind) String() string {
	switch k {
	case Blank:
		return "blank"
	case NoImage:
		return "static image not shown"
	case NotInteractive:
		return "not drawn interactively"
	case FallbackShown:
		return "static image still shown over the drawing"
	case LiveShown:
		return "interactive drawing shown without scripts"
	case Unreadable:
		return "hard to read"
	case TextOutside:
		return "label outside the interactive chart"
	case TextOverlap:
		return "labels over each other in the interactive chart"
	}
	return fmt.Sprintf("Kind(%d)", int(k))
}

// Problem is one thing wrong with one chart.
type Problem struct {
	Chart  int  // index in the slice given to Check
	Kind   Kind //
	Detail string
}

func (p Problem) String() string {
	return fmt.Sprintf("chart %d: %s (%s)", p.Chart+1, p.Kind, p.Detail)
}

func (c Chart) imageShown() bool {
	return c.ImgVisible && c.ImgDecoded && c.ImgW >= MinWidth && c.ImgH >= MinHeight
}

func (c Chart) drawn() bool {
	return c.State == "interactive" && c.LiveVisible && c.CanvasW >= MinWidth && c.CanvasH >= MinHeight
}

func (c Chart) describe() string {
	return fmt.Sprintf("%s: state %q, image visible %v decoded %v %.0fx%.0f, live visible %v canvas %.0fx%.0f",
		c.ID, c.State, c.ImgVisible, c.ImgDecoded, c.ImgW, c.ImgH, c.LiveVisible, c.CanvasW, c.CanvasH)
}

// Check returns what is wrong with each chart viewed in mode, in order;
// none means every chart shows as it should.
func Check(mode Mode, charts []Chart) []Problem {
	var out []Problem
	for i, c := range charts {
		add := func(k Kind) { out = append(out, Problem{Chart: i, Kind: k, Detail: c.describe()}) }
		img, live := c.imageShown(), c.drawn()
		switch mode {
		case Static:
			switch {
			case !img && !live:
				add(Blank)
			case !img:
				add(NoImage)
			}
			if c.LiveVisible && c.CanvasW > 0 {
				add(LiveShown)
			}
		case Interactive:
			switch {
			case !img && !live:
				add(Blank)
			case !live:
				add(NotInteractive)
			}
			if live && c.ImgVisible {
				add(FallbackShown)
			}
			for _, t := range c.Outside {
				out = append(out, Problem{Chart: i, Kind: TextOutside, Detail: c.ID + ": " + t})
			}
			for _, t := range c.Overlapping {
				out = append(out, Problem{Chart: i, Kind: TextOverlap, Detail: c.ID + ": " + t})
			}
		}
		for _, l := range c.Lint {
			out = append(out, Problem{Chart: i, Kind: Unreadable, Detail: c.ID + ": " + l})
		}
	}
	return out
}

// Count returns how many of the charts are drawn interactively.
func Count(charts []Chart) (interactive int) {
	for _, c := range charts {
		if c.drawn() {
			interactive++
		}
	}
	return interactive
}

// CountImages returns how many of the charts show their static image.
func CountImages(charts []Chart) (shown int) {
	for _, c := range charts {
		if c.imageShown() {
			shown++
		}
	}
	return shown
}
