//go:build browser

package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// chartPNG is a stand-in for a lib/chart static image: bars on white, at
// twice the chart's 800x400 CSS pixels.
func chartPNG(t *testing.T, seed int) string {
	img := image.NewPaletted(image.Rect(0, 0, 1600, 800), color.Palette{color.White, color.RGBA{84, 112, 198, 255}, color.Black})
	for i := range 4 {
		top := 100 + ((seed+i)*137)%500
		for x := 200 + i*320; x < 420+i*320; x++ {
			for y := top; y < 740; y++ {
				img.SetColorIndex(x, y, 1)
			}
		}
	}
	for x := 150; x < 1550; x++ {
		img.SetColorIndex(x, 740, 2)
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return base64.StdEncoding.EncodeToString(b.Bytes())
}

// longCode is longer than a line of the printed page: it must wrap, whole.
const longCode = `fmt.Printf("%d of 100 downloads finished within 150 ms, %d were stopped by the deadline; the slowest call returned after %v\n", 100-hit.Load(), hit.Load(), slices.Max(took))`

// writeChapter writes a handout shaped as nbconvert writes one, with the
// given number of charts, and extra HTML at the end.
func writeChapter(t *testing.T, dir, name, title string, charts int, extra string) string {
	var b strings.Builder
	fmt.Fprintf(&b, `<!DOCTYPE html><html><head><meta charset="utf-8"><title>%s</title>
<script src="https://cdnjs.cloudflare.com/ajax/libs/require.js/2.1.10/require.min.js"></script>
<link rel="stylesheet" href="https://cdn.example.org/fonts.css">
<style>.jp-Cell { margin: 8px }</style></head>
<body class="jp-Notebook"><main>
<h1 id="%s">%s<a class="anchor-link" href="#%s">¶</a></h1>
<p>See <a href="../lib/proc/proc.go">the pool's source</a> and <a href="https://go.dev/doc/">Go's documentation</a>.</p>
<div class="highlight"><pre>%s</pre></div>
`, name, name, title, name, strings.ReplaceAll(longCode, "<", "&lt;"))
	for i := range charts {
		fmt.Fprintf(&b, `<h2 id="Chart-%d">Chart %d<a class="anchor-link" href="#Chart-%d">¶</a></h2>
<p>%s</p>
<div id="gpc-%d" class="gp-chart" data-chart="static" style="position:relative;width:100%%;max-width:800px">
<img class="gp-chart-static" width="800" height="400" style="max-width:100%%;height:auto" alt="chart %d" src="data:image/png;base64,%s">
<div class="gp-chart-live" style="position:absolute;left:0;top:0;width:100%%;height:400px;visibility:hidden"></div>
<script>document.querySelector('#gpc-%d img').style.display = 'none';</script>
</div>
`, i, i, i, strings.Repeat("Words that fill the page around the chart. ", 20), i, i, chartPNG(t, 10*int(name[1]-'0')+i), i)
	}
	b.WriteString(extra + "\n</main></body></html>\n")
	file := filepath.Join(dir, name+".html")
	if err := os.WriteFile(file, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return file
}

func testConfig(t *testing.T) config {
	return config{out: filepath.Join(t.TempDir(), "pdf"), title: "Test course", course: "course.pdf", timeout: time.Minute}
}

// TestHandouts prints two chapters and the course, and checks what the
// command checks, and more, from the outside.
func TestHandouts(t *testing.T) {
	dir := t.TempDir()
	files := []string{
		writeChapter(t, dir, "00-first", "00 · The first chapter", 3, `<p>On to <a href="01-second.ipynb">the second chapter</a>.</p>`),
		writeChapter(t, dir, "01-second", "01 · The second chapter", 2, ""),
	}
	cfg := testConfig(t)
	var out, warn bytes.Buffer
	reports, err := build(context.Background(), cfg, files, &out, &warn)
	t.Logf("report:\n%s\nwarnings:\n%s", &out, &warn)
	if err != nil {
		t.Fatal(err)
	}
	if len(reports) != 3 {
		t.Fatalf("%d PDFs, want 2 chapters and the course", len(reports))
	}
	for i, charts := range []int{3, 2, 5} {
		r := reports[i]
		if r.charts != charts || r.images < charts || r.pages < 2 {
			t.Errorf("%s: %d pages, %d images for %d charts (want %d charts, an image each, more than one page)", r.file, r.pages, r.images, r.charts, charts)
		}
	}
	for _, r := range reports {
		if r.asPNG != r.charts {
			t.Errorf("%s: %d of %d charts held as their PNGs", r.file, r.asPNG, r.charts)
		}
	}
	// The images, as poppler draws them out of the PDF, have the charts'
	// pixels.
	sources := map[[32]byte]bool{}
	for _, f := range files {
		b, _ := os.ReadFile(f)
		pngs := map[[32]byte]*sourcePNG{}
		pngsOf(string(b), pngs)
		for h := range pngs {
			sources[h] = true
		}
	}
	extracted := filepath.Join(t.TempDir(), "img")
	if _, err := poppler("pdfimages", "-png", filepath.Join(cfg.out, "course.pdf"), extracted); err != nil {
		t.Fatal(err)
	}
	pngFiles, _ := filepath.Glob(extracted + "-*.png")
	if len(pngFiles) != 5 {
		t.Errorf("pdfimages wrote %d images, want 5", len(pngFiles))
	}
	for _, f := range pngFiles {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		img, err := png.Decode(bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		if !sources[sha256.Sum256(rgb(img))] {
			t.Errorf("%s: pixels of no chart", filepath.Base(f))
		}
	}

	course := reports[2]
	if want := 1 + reports[0].pages + reports[1].pages; course.pages != want {
		t.Errorf("course: %d pages, want the contents and the chapters, %d", course.pages, want)
	}
	if !strings.Contains(warn.String(), "refused https://cdn.example.org/fonts.css") {
		t.Error("the stylesheet from the network was not reported as refused")
	}
	if strings.Contains(warn.String(), "cannot add an outline") {
		t.Error("no outline")
	}

	file := filepath.Join(cfg.out, "course.pdf")
	starts, err := dests(file)
	if err != nil {
		t.Fatal(err)
	}
	text, err := pagesText(file)
	if err != nil {
		t.Fatal(err)
	}
	if a, b := starts["chapter-00-first"], starts["chapter-01-second"]; a != 2 || b != 2+reports[0].pages {
		t.Errorf("chapters start on pages %d and %d, want 2 and %d", a, b, 2+reports[0].pages)
	}
	contents := strings.Join(strings.Fields(text[0]), " ")
	if want := fmt.Sprintf("00 · The first chapter 2 01 · The second chapter %d", 2+reports[0].pages); !strings.Contains(contents, want) {
		t.Errorf("contents %q, want %q", contents, want)
	}
	marks, err := bookmarks(file)
	if err != nil {
		t.Fatal(err)
	}
	if marks["00 · The first chapter"] != 2 || marks["Chart 2"] == 0 {
		t.Errorf("outline %v, want the chapters and their sections", marks)
	}
	for _, f := range []string{file, filepath.Join(cfg.out, "00-first.pdf")} {
		us, err := urls(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, u := range us {
			if u != "https://go.dev/doc/" {
				t.Errorf("%s links to %q, want only Go's documentation", f, u)
			}
		}
		if len(us) == 0 {
			t.Errorf("%s has no links, want Go's documentation", f)
		}
	}
	if got := strings.Join(text, ""); strings.Contains(got, "\ufffd") {
		t.Error("pdftotext found characters it cannot map")
	}
	for i, page := range text {
		if !strings.Contains(page, fmt.Sprintf("page %d of %d", i+1, course.pages)) {
			t.Errorf("course page %d: no page number in the footer", i+1)
		}
	}
	if !strings.Contains(text[len(text)-1], "01 · The second chapter") {
		t.Error("the last page's footer does not name its chapter")
	}
}

// TestChecksFail gives the checks PDFs that are wrong, and expects each
// fault found.
func TestChecksFail(t *testing.T) {
	dir := t.TempDir()
	cfg := testConfig(t)
	cfg.course = ""
	file := writeChapter(t, dir, "00-wide", "00 · Too wide", 1, `<div style="width:1200px">a box wider than the page</div>`)
	var out bytes.Buffer
	reports, err := build(context.Background(), cfg, []string{file}, &out, &out)
	if !errors.Is(err, ErrBadPDF) || len(reports) != 1 || !strings.Contains(strings.Join(reports[0].problems, "\n"), `div "a box wider than the page" is`) {
		t.Errorf("a box wider than the page: %v, %s", err, &out)
	}

	if _, err := build(context.Background(), cfg, []string{filepath.Join(dir, "nowhere.html")}, &out, &out); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a missing page: %v", err)
	}

	p, err := newPrinter(context.Background(), time.Minute, false)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	printDoc := func(name, doc string) string {
		t.Helper()
		got, err := p.print(dir, name+".html", doc)
		if err != nil {
			t.Fatal(err)
		}
		f := filepath.Join(cfg.out, name)
		if err := os.WriteFile(f, got.pdf, 0o644); err != nil {
			t.Fatal(err)
		}
		return f
	}
	c, err := readChapter(writeChapter(t, dir, "01-ok", "01 · Fine", 2, ""))
	if err != nil {
		t.Fatal(err)
	}

	// The page without the print style, its code cut at the edge of its
	// box: the line is not whole, and the footer is missing.
	bare := strings.Replace(printable(c), printCSS+footer("", c.title), "pre { white-space: pre; overflow: hidden; text-overflow: ellipsis; }", 1)
	r, err := verifyChapter(c, printDoc("bare.pdf", bare))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"the longest line of code is not printed whole", "page 1: its footer does not say"}
	if got := strings.Join(r.problems, "\n"); !strings.Contains(got, want[0]) || !strings.Contains(got, want[1]) {
		t.Errorf("page without the print style: problems %q, want %q", r.problems, want)
	}

	// A chart whose image is gone.
	noImage := printable(c)
	i := strings.Index(noImage, `<img class="gp-chart-static"`)
	noImage = noImage[:i] + noImage[i+strings.Index(noImage[i:], ">")+1:]
	r, err = verifyChapter(c, printDoc("noimage.pdf", noImage))
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(r.problems, "\n"); !strings.Contains(got, "1 images for 2 charts") {
		t.Errorf("a chart without its image: problems %q", r.problems)
	}

	// A link to a file beside the page, printed as it is.
	linked := strings.Replace(printable(c), "<h1", `<p><a href="../lib/proc/proc.go">proc.go</a></p><h1`, 1)
	r, err = verifyChapter(c, printDoc("linked.pdf", linked))
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(r.problems, "\n"); !strings.Contains(got, "/lib/proc/proc.go, which exists only on the machine that printed it") {
		t.Errorf("a link to the printing machine: problems %q", r.problems)
	}

	// Contents that give the wrong pages.
	chs := []*chapter{c}
	r, err = verifyCourse(chs, []int{1}, printDoc("wrongtoc.pdf", course("T", chs, []int{7})))
	if err != nil {
		t.Fatal(err)
	}
	want = []string{"01-ok: the contents do not list it at page 2", "01-ok: the outline does not list it at page 2"}
	if got := strings.Join(r.problems, "\n"); !strings.Contains(got, want[0]) || !strings.Contains(got, want[1]) {
		t.Errorf("wrong contents, no outline: problems %q, want %q", r.problems, want)
	}
}
