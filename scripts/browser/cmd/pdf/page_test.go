package main

import (
	"bytes"
	"compress/zlib"
	"encoding/base64"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

const handout = `<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>03-processes</title>
<script src="https://cdn.example.org/require.js"></script>
<style>body { color: black }</style>
</head>
<body class="jp-Notebook" data-jp-theme-light="true">
<main>
<h1 id="03-%C2%B7-Processes">03 · Processes &amp; pools<a class="anchor-link" href="#03-%C2%B7-Processes">¶</a></h1>
<p>See <a href="02-goroutines.ipynb">the goroutines chapter</a>, <a href="../lib/proc/proc.go">the pool</a>,
<a href="https://go.dev/doc">Go's docs</a> and <a href="#Takeaways">the takeaways</a>.</p>
<div class="highlight"><pre>short line
a much longer line of code &lt;&gt; here
</pre></div>
<div id="gpc-1" class="gp-chart" data-chart="static"><img class="gp-chart-static" width="800" height="400" alt="a" src="data:image/png;base64,AA==">
<div class="gp-chart-live"></div><script>document.title = 'ran'</script></div>
<div id="gpc-2" class="gp-chart" data-chart="static"><img class="gp-chart-static" alt="b" src="data:image/png;base64,AA=="></div>
<h2 id="Takeaways">Takeaways<a class="anchor-link" href="#Takeaways">¶</a></h2>
</main>
</body></html>`

func TestReadChapter(t *testing.T) {
	file := filepath.Join(t.TempDir(), "03-processes.html")
	if err := os.WriteFile(file, []byte(handout), 0o644); err != nil {
		t.Fatal(err)
	}
	c, err := readChapter(file)
	if err != nil {
		t.Fatal(err)
	}
	if c.name != "03-processes" || c.title != "03 · Processes & pools" || c.charts != 2 {
		t.Errorf("name %q, title %q, %d charts; want 03-processes, 03 · Processes & pools, 2", c.name, c.title, c.charts)
	}
	if c.code != "a much longer line of code <> here" {
		t.Errorf("longest code line %q", c.code)
	}
	if strings.Contains(c.head+c.body, "<script") {
		t.Error("scripts left on the page to print")
	}
	if got := sections(c, "p-"); len(got) != 1 || got[0].title != "Takeaways" || got[0].id != "p-Takeaways" {
		t.Errorf("sections %+v", got)
	}

	page := printable(c)
	for _, want := range []string{"<title>03 · Processes &amp; pools</title>", `content: "03 · Processes \26  pools"`, ".gp-chart-live { display: none !important; }"} {
		if !strings.Contains(page, want) {
			t.Errorf("printable page lacks %q", want)
		}
	}

	two := &chapter{name: "02-goroutines", title: "02 · Goroutines", body: "<h2 id=\"Takeaways\">Takeaways</h2>"}
	all := course("Go Parallelism", []*chapter{two, c}, []int{2, 17})
	for _, want := range []string{
		`<a href="#chapter-02-goroutines"><span class="gp-title">02 · Goroutines</span><span class="gp-dots"></span><span class="gp-page">2</span>`,
		`<span class="gp-page">17</span>`,
		`<section class="gp-chapter gp-ch1" id="chapter-03-processes">`,
		`See <a href="#chapter-02-goroutines">the goroutines chapter</a>`,
		`id="chapter-03-processes-Takeaways"`, `href="#chapter-03-processes-Takeaways"`,
		`id="chapter-02-goroutines-Takeaways"`,
		"section.gp-chapter.gp-ch1 { page: ch1; }",
	} {
		if !strings.Contains(all, want) {
			t.Errorf("course lacks %q", want)
		}
	}
	if got := outline([]*chapter{two, c}); len(got) != 2 || got[1].id != "chapter-03-processes" || got[1].kids[0].id != "chapter-03-processes-Takeaways" {
		t.Errorf("outline %+v", got)
	}
}

func TestReadChapterErrors(t *testing.T) {
	if _, err := readChapter(filepath.Join(t.TempDir(), "missing.html")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file: %v, want a not-exist error", err)
	}
	file := filepath.Join(t.TempDir(), "x.html")
	os.WriteFile(file, []byte("just text"), 0o644)
	if _, err := readChapter(file); err == nil || !strings.Contains(err.Error(), "no <body>") {
		t.Errorf("page without body: %v", err)
	}
}

func TestUnlink(t *testing.T) {
	chapters := map[string]string{"02-goroutines": "chapter-02-goroutines"}
	for in, want := range map[string]string{
		`<a href="https://go.dev">`:              `<a href="https://go.dev">`,
		`<a href="mailto:a@b.c">`:                `<a href="mailto:a@b.c">`,
		`<a class="x" href="#Takeaways">`:        `<a class="x" href="#Takeaways">`,
		`<a href="../lib/proc/proc.go">`:         `<a>`,
		`<a href='file:///usr/share/x.js' id=y>`: `<a id=y>`,
		`<a href="02-goroutines.ipynb#Top">`:     `<a href="#chapter-02-goroutines">`,
		`<a href="./02-goroutines.html">`:        `<a href="#chapter-02-goroutines">`,
		`<a href="03-processes.html">`:           `<a>`,
		`<a name="here">`:                        `<a name="here">`,
	} {
		if got := unlink(in, chapters); got != want {
			t.Errorf("unlink(%s) = %s, want %s", in, got, want)
		}
	}
	if got := unlink(`<a href="02-goroutines.html">`, nil); got != `<a>` {
		t.Errorf("a chapter's own PDF links to another chapter: %s", got)
	}
}

func TestCSSString(t *testing.T) {
	for in, want := range map[string]string{
		`plain`:          `"plain"`,
		`say "hi" \ bye`: `"say \"hi\" \\ bye"`,
		`</style>`:       `"\3c /style\3e "`,
		"a\nb":           `"a\a b"`,
	} {
		if got := cssString(in); got != want {
			t.Errorf("cssString(%q) = %s, want %s", in, got, want)
		}
	}
}

// minimalPDF is a PDF laid out as Chromium writes one: a catalog with a
// dictionary of named destinations, a classic cross-reference table.
func minimalPDF() []byte {
	var b bytes.Buffer
	b.WriteString("%PDF-1.4\n")
	var offs []int
	obj := func(s string) {
		offs = append(offs, b.Len())
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", len(offs), s)
	}
	obj("<</Title (t)>>")
	obj("<</Type /Pages /Kids [3 0 R 4 0 R] /Count 2>>")
	obj("<</Type /Page /Parent 2 0 R /MediaBox [0 0 595 842]>>")
	obj("<</Type /Page /Parent 2 0 R /MediaBox [0 0 595 842]>>")
	obj("<</chapter-a [3 0 R /XYZ 0 842 0]\n/chapter-b [4 0 R /XYZ 0 842 0]\n/chapter-b-Take#25C2#25B7aways [4 0 R /XYZ 0 400 0]>>")
	obj("<</Type /Catalog\n/Pages 2 0 R\n/Dests 5 0 R>>")
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(offs)+1)
	for _, o := range offs {
		fmt.Fprintf(&b, "%010d 00000 n \n", o)
	}
	fmt.Fprintf(&b, "trailer\n<</Size %d\n/Root 6 0 R\n/Info 1 0 R>>\nstartxref\n%d\n%%%%EOF", len(offs)+1, xref)
	return b.Bytes()
}

var xrefEntryRE = regexp.MustCompile(`(?m)^(\d{10}) 00000 n $`)

func TestWithOutline(t *testing.T) {
	pdf := minimalPDF()
	marks := []mark{
		{title: "A", id: "chapter-a"},
		{title: "B · two", id: "chapter-b", kids: []mark{{title: "Take·aways", id: "chapter-b-Take%C2%B7aways"}, {title: "gone", id: "no-such-id"}}},
		{title: "missing", id: "chapter-c"},
	}
	got, err := withOutline(pdf, marks)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(got, pdf) {
		t.Fatal("the update rewrote the original PDF")
	}
	update := string(got[len(pdf):])
	for _, want := range []string{
		"7 0 obj\n<</Type /Outlines /First 8 0 R /Last 9 0 R /Count 2>>",
		"8 0 obj\n<</Title <FEFF0041> /Parent 7 0 R /Dest [3 0 R /XYZ 0 842 0] /Next 9 0 R>>",
		"9 0 obj\n<</Title <FEFF0042002000B7002000740077006F> /Parent 7 0 R /Dest [4 0 R /XYZ 0 842 0] /Prev 8 0 R /First 10 0 R /Last 10 0 R /Count -1>>",
		"10 0 obj\n<</Title <FEFF00540061006B006500B700610077006100790073> /Parent 9 0 R /Dest [4 0 R /XYZ 0 400 0]>>",
		"6 0 obj\n<</Type /Catalog\n/Pages 2 0 R\n/Dests 5 0 R\n/Outlines 7 0 R\n/PageMode /UseOutlines>>",
		"trailer\n<</Size 11 /Root 6 0 R /Info 1 0 R /Prev ",
	} {
		if !strings.Contains(update, want) {
			t.Errorf("update lacks %q:\n%s", want, update)
		}
	}
	// Each entry of the new cross-reference table points at its object.
	x := strings.Index(update, "xref\n")
	entries := xrefEntryRE.FindAllStringSubmatch(update[x:], -1)
	nums := []int{6, 7, 8, 9, 10}
	if len(entries) != len(nums) {
		t.Fatalf("%d entries in the new table, want %d", len(entries), len(nums))
	}
	for i, e := range entries {
		off, _ := strconv.Atoi(e[1])
		if want := fmt.Sprintf("%d 0 obj", nums[i]); !strings.HasPrefix(string(got[off:]), want) {
			t.Errorf("entry %d points at %.12q, want %q", i, got[off:], want)
		}
	}
	if !strings.HasSuffix(update, fmt.Sprintf("startxref\n%d\n%%%%EOF\n", len(pdf)+x)) {
		t.Errorf("startxref does not point at the new table: %s", update[len(update)-40:])
	}

	if _, err := withOutline(got, marks); !errors.Is(err, ErrNoOutline) {
		t.Errorf("a second outline: %v, want ErrNoOutline", err)
	}
	if _, err := withOutline([]byte("%PDF-1.4\nnot a pdf"), marks); !errors.Is(err, ErrNoOutline) {
		t.Errorf("no trailer: %v, want ErrNoOutline", err)
	}
	if _, err := withOutline(pdf, []mark{{title: "x", id: "nowhere"}}); !errors.Is(err, ErrNoOutline) {
		t.Errorf("no destination: %v, want ErrNoOutline", err)
	}
}

// pdfWithImage is a PDF laid out as Chromium writes one, with one image
// stored as Chromium stores it: raw RGB pixels, deflated.
func pdfWithImage(t *testing.T, pixels []byte, w, h int) []byte {
	var z bytes.Buffer
	zw := zlib.NewWriter(&z)
	zw.Write(pixels)
	zw.Close()
	var b bytes.Buffer
	b.WriteString("%PDF-1.4\n%\xd3\xeb\xe9\xe1\n")
	var offs []int
	obj := func(s string) {
		offs = append(offs, b.Len())
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", len(offs), s)
	}
	obj("<</Title (t)>>")
	obj("<</Type /Catalog\n/Pages 3 0 R>>")
	obj("<</Type /Pages /Kids [4 0 R] /Count 1>>")
	obj("<</Type /Page /Parent 3 0 R /MediaBox [0 0 595 842] /Resources <</XObject <</X1 5 0 R>>>>>>")
	obj(fmt.Sprintf("<</Type /XObject\n/Subtype /Image\n/Width %d\n/Height %d\n/ColorSpace [/ICCBased 6 0 R]\n/BitsPerComponent 8\n/Filter /FlateDecode\n/Length %d>> stream\n%s\nendstream", w, h, z.Len(), z.Bytes()))
	obj("<</N 3 /Length 0>> stream\n\nendstream")
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(offs)+1)
	for _, o := range offs {
		fmt.Fprintf(&b, "%010d 00000 n \n", o)
	}
	fmt.Fprintf(&b, "trailer\n<</Size %d\n/Root 2 0 R\n/Info 1 0 R>>\nstartxref\n%d\n%%%%EOF", len(offs)+1, xref)
	return b.Bytes()
}

func TestWithPNGs(t *testing.T) {
	// A paletted image noisy enough that plain deflate of its RGB pixels
	// is larger than its PNG.
	img := image.NewPaletted(image.Rect(0, 0, 400, 200), color.Palette{color.White, color.RGBA{84, 112, 198, 255}, color.RGBA{145, 204, 117, 255}})
	seed := uint32(1)
	for y := range 200 {
		for x := range 400 {
			seed = seed*1664525 + 1013904223
			img.SetColorIndex(x, y, uint8(seed>>16)%3)
		}
	}
	var enc bytes.Buffer
	if err := png.Encode(&enc, img); err != nil {
		t.Fatal(err)
	}
	src, pixels, ok := parsePNG(enc.Bytes())
	if !ok || src.colors != 1 || src.depth != 2 || len(src.palette) != 9 {
		t.Fatalf("parsePNG: ok %v, %+v", ok, src)
	}
	pngs := map[[32]byte]*sourcePNG{}
	pngsOf(`<img src="data:image/png;base64,`+base64.StdEncoding.EncodeToString(enc.Bytes())+`">`, pngs)
	if len(pngs) != 1 {
		t.Fatalf("%d PNGs found in the page, want 1", len(pngs))
	}

	pdf := pdfWithImage(t, pixels, 400, 200)
	got, n, err := withPNGs(pdf, pngs)
	if err != nil || n != 1 {
		t.Fatalf("withPNGs: %d images, %v; want 1", n, err)
	}
	if len(got) >= len(pdf) {
		t.Errorf("%d bytes, no smaller than the %d before", len(got), len(pdf))
	}
	head := fmt.Sprintf("5 0 obj\n<</Type /XObject\n/Subtype /Image\n/Width 400\n/Height 200\n/ColorSpace [/Indexed [/ICCBased 6 0 R] 2 <FFFFFF5470C691CC75>]\n"+
		"/BitsPerComponent 2\n/Filter /FlateDecode\n/DecodeParms <</Predictor 15 /Colors 1 /BitsPerComponent 2 /Columns 400>>\n/Length %d>> stream\n", len(src.data))
	if !bytes.Contains(got, append([]byte(head), src.data...)) {
		t.Errorf("the image object does not hold the PNG's data:\n%s", got[:min(len(got), 600)])
	}
	// Each entry of the new table points at its object.
	x := bytes.LastIndex(got, []byte("\nxref\n")) + 1
	for i, e := range xrefEntryRE.FindAllStringSubmatch(string(got[x:]), -1) {
		off, _ := strconv.Atoi(e[1])
		if want := fmt.Sprintf("%d 0 obj", i+1); !bytes.HasPrefix(got[off:], []byte(want)) {
			t.Errorf("entry %d points at %.12q", i+1, got[off:])
		}
	}
	if !bytes.HasSuffix(got, []byte(fmt.Sprintf("startxref\n%d\n%%%%EOF\n", x))) {
		t.Error("startxref does not point at the new table")
	}

	// An image of other pixels stays as it is.
	other := bytes.Clone(pixels)
	other[0] ^= 1
	if kept, n, err := withPNGs(pdfWithImage(t, other, 400, 200), pngs); err != nil || n != 0 || !bytes.Equal(kept, pdfWithImage(t, other, 400, 200)) {
		t.Errorf("an image with no PNG: %d rewritten, %v", n, err)
	}
	// A PDF with an update already is not Chromium's.
	if _, _, err := withPNGs(append(bytes.Clone(got), []byte("xref\n0 1\n0000000000 65535 f \ntrailer\n<</Size 7 /Prev 5>>\nstartxref\n1\n%%EOF\n")...), pngs); !errors.Is(err, ErrNoRewrite) {
		t.Errorf("an updated PDF: %v, want ErrNoRewrite", err)
	}
}
