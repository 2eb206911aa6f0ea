//go:build browser

package main

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/go-parallelism/go-parallelism/scripts/browser/chrome"
)

// A stand-in for ECharts beside the pages: it draws every chart as a
// canvas and hides its image, as lib/chart's loader does.
const drawJS = `window.drawCharts = function () {
  document.querySelectorAll('.gp-chart').forEach(function (root) {
    var live = root.querySelector('.gp-chart-live'), c = document.createElement('canvas');
    c.style.width = '800px'; c.style.height = '400px';
    live.appendChild(c);
    live.style.position = 'relative'; live.style.visibility = 'visible';
    root.querySelector('.gp-chart-static').style.display = 'none';
    root.setAttribute('data-chart', 'interactive');
  });
};`

const chartHTML = `<div class="gp-chart" data-chart="static" style="position:relative;width:100%;max-width:800px">
<img class="gp-chart-static" width="800" height="400" alt="chart" src="data:image/svg+xml;base64,PHN2ZyB4bWxucz0iaHR0cDovL3d3dy53My5vcmcvMjAwMC9zdmciIHdpZHRoPSI4MDAiIGhlaWdodD0iNDAwIj48cmVjdCB3aWR0aD0iODAwIiBoZWlnaHQ9IjQwMCIgZmlsbD0iI2VlZiIvPjwvc3ZnPg==">
<div class="gp-chart-live" style="position:absolute;left:0;top:0;width:100%;height:400px;visibility:hidden"></div>
</div>`

func page(head, body string) string {
	return "<!DOCTYPE html><html><head><meta charset=\"utf-8\">" + head + "</head><body>" + body +
		"<script>window.drawCharts && drawCharts();</script></body></html>"
}

// TestFolder opens pages of a folder: one that keeps to its folder, and
// one that reaches out (to a CDN, to 127.0.0.1), each request of which must
// be reported. With scripts off, no script may run (the good page's script
// would hide its images), and a chart whose script is missing still shows.
func TestFolder(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{
		"assets/draw.js": drawJS,
		"00-good.html":   page(`<script src="assets/draw.js"></script>`, chartHTML+chartHTML),
		"01-leaky.html": page(`<script src="assets/draw.js"></script><script src="http://127.0.0.1:9/tracker.js"></script>`,
			chartHTML+`<img src="https://cdn.example.org/logo.png" alt="">`),
		"02-nodraw.html": page(`<script src="assets/missing.js"></script>`, chartHTML),
	}
	for name, text := range files {
		os.MkdirAll(filepath.Dir(filepath.Join(dir, name)), 0o755)
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	b, err := chrome.Start(context.Background(), chrome.Options{Width: 1000, Height: 2400})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()

	for _, tc := range []struct {
		page, mode string
		want       []string
		found      int
	}{
		{"00-good.html", "local", nil, 2},
		{"00-good.html", "noscript", nil, 2},
		{"01-leaky.html", "local", []string{"asked for http://127.0.0.1:9/tracker.js, outside the folder", "asked for https://cdn.example.org/logo.png, outside the folder"}, 1},
		{"01-leaky.html", "noscript", []string{"asked for https://cdn.example.org/logo.png, outside the folder"}, 1},
		{"02-nodraw.html", "noscript", nil, 1},
	} {
		page, _ := os.ReadFile(filepath.Join(dir, tc.page))
		problems, info, found := checkCopied(b, nil, "", dir, tc.page, page, tc.mode, 0, 1)
		var got []string
		for _, p := range problems {
			head, _, _ := strings.Cut(p, " (")
			got = append(got, head)
		}
		slices.Sort(got)
		if !slices.Equal(got, tc.want) || found != tc.found {
			t.Errorf("%s [%s]: %d charts, problems %q, want %d and %q (%s)", tc.page, tc.mode, found, problems, tc.found, tc.want, info)
		}
	}
}
