package main

import (
	"fmt"
	"html"
	"os"
	"path/filepath"
	"regexp"
	"strings"
)

// A chapter is one HTML handout, taken apart for printing.
type chapter struct {
	file   string // the page as given
	name   string // its file name without extension: "03-processes"
	title  string // the text of its first <h1>, else its <title>, else name
	head   string // what <head> holds, scripts removed
	attrs  string // the attributes of <body>
	body   string // what <body> holds, scripts removed
	charts int    // lib/chart charts on the page
	code   string // the longest line of code on the page, as text
}

var (
	scriptRE = regexp.MustCompile(`(?is)<script\b[^>]*>.*?</script\s*>|<script\b[^>]*/>`)
	headRE   = regexp.MustCompile(`(?is)<head\b[^>]*>(.*?)</head\s*>`)
	bodyRE   = regexp.MustCompile(`(?is)<body\b([^>]*)>(.*)</body\s*>`)
	titleRE  = regexp.MustCompile(`(?is)<title\b[^>]*>(.*?)</title\s*>`)
	h1RE     = regexp.MustCompile(`(?is)<h1\b[^>]*>(.*?)</h1\s*>`)
	anchorRE = regexp.MustCompile(`(?is)<a\b[^>]*class="anchor-link"[^>]*>.*?</a\s*>`)
	tagRE    = regexp.MustCompile(`(?s)<[^>]*>`)
	chartRE  = regexp.MustCompile(`<img\b[^>]*\bclass="gp-chart-static"`)
	linkRE   = regexp.MustCompile(`(?is)<a\b[^>]*>`)
	hrefRE   = regexp.MustCompile(`(?is)\shref\s*=\s*("[^"]*"|'[^']*'|[^\s>]+)`)
	schemeRE = regexp.MustCompile(`^[a-zA-Z][a-zA-Z0-9+.-]*:`)
	preRE    = regexp.MustCompile(`(?is)<pre\b[^>]*>(.*?)</pre\s*>`)
	h2RE     = regexp.MustCompile(`(?is)<h2\b[^>]*\sid="([^"]*)"[^>]*>(.*?)</h2\s*>`)
	idRE     = regexp.MustCompile(`(\sid=")([^"]*")`)
	fragRE   = regexp.MustCompile(`(\shref="#)([^"]*")`)
)

// readChapter reads and takes apart one handout.
func readChapter(file string) (*chapter, error) {
	b, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	page := string(b)
	body := bodyRE.FindStringSubmatch(page)
	if body == nil {
		return nil, fmt.Errorf("%s: no <body> element: not an HTML page", file)
	}
	c := &chapter{
		file:  file,
		name:  strings.TrimSuffix(filepath.Base(file), filepath.Ext(file)),
		attrs: body[1],
		// The printed page is the static one: a chart's loader would only
		// race the printer, and nothing else on a handout needs a script.
		body: scriptRE.ReplaceAllString(body[2], ""),
	}
	if h := headRE.FindStringSubmatch(page); h != nil {
		c.head = scriptRE.ReplaceAllString(h[1], "")
	}
	c.title = c.name
	if m := titleRE.FindStringSubmatch(c.head); m != nil && text(m[1]) != "" {
		c.title = text(m[1])
	}
	if m := h1RE.FindStringSubmatch(c.body); m != nil {
		if t := text(anchorRE.ReplaceAllString(m[1], "")); t != "" {
			c.title = t
		}
	}
	c.charts = len(chartRE.FindAllStringIndex(c.body, -1))
	for _, m := range preRE.FindAllStringSubmatch(c.body, -1) {
		for _, line := range strings.Split(text(m[1]), "\n") {
			if len(line) > len(c.code) {
				c.code = line
			}
		}
	}
	return c, nil
}

// text is the text of an HTML fragment, with its spaces collapsed at the
// ends only (code keeps its inner spacing).
func text(fragment string) string {
	return strings.TrimSpace(html.UnescapeString(tagRE.ReplaceAllString(fragment, "")))
}

// Page geometry, in millimetres: A4, with margins that leave room for the
// footer line.
const (
	paperWidth, paperHeight = 210, 297
	marginSide              = 14 // left and right
	marginTop, marginBottom = 14, 16
)

// textWidth is the width the pages are laid out in, in whole CSS pixels
// (96 to the inch).
const textWidth = (paperWidth - 2*marginSide) * 9600 / 2540

var pageRule = fmt.Sprintf("@page { size: %dmm %dmm; margin: %dmm %dmm %dmm %dmm; }\n",
	paperWidth, paperHeight, marginTop, marginSide, marginBottom, marginSide)

// printCSS makes a handout read well on paper: the static image of every
// chart (never the interactive canvas), code that wraps instead of running
// off the page, no prompts or anchor marks, and no box that clips.
var printCSS = pageRule + `
html, body { background: #fff !important; }
body { margin: 0 !important; padding: 0 !important; }
main, .jp-Notebook { padding: 0 !important; margin: 0 !important; max-width: none !important; }
.jp-Cell { padding: 0 !important; margin: 0 0 6px 0 !important; }
.jp-InputPrompt, .jp-OutputPrompt, .jp-InputArea-prompt, .jp-OutputArea-prompt { display: none !important; }
.jp-Collapser { display: none !important; }
.anchor-link { display: none !important; }
.gp-chart-live { display: none !important; }
.gp-chart { max-width: 100% !important; break-inside: avoid; }
.gp-chart-static { display: block !important; max-width: 100% !important; height: auto !important; }
img { break-inside: avoid; max-width: 100% !important; height: auto; }
pre, pre code {
  white-space: pre-wrap !important; overflow-wrap: anywhere !important; word-break: normal !important;
}
/* Inline code wraps as text does: with pre-wrap, the space where it wraps
   would hang past the margin. */
:not(pre) > code { white-space: normal !important; overflow-wrap: anywhere !important; }
pre, .jp-RenderedText pre, .highlight pre, .jp-RenderedHTMLCommon pre {
  font-size: 8pt !important; line-height: 1.3 !important; tab-size: 4 !important;
}
* { overflow: visible !important; }
.jp-OutputArea-output, .jp-RenderedHTMLCommon, .jp-InputArea-editor, .jp-CodeMirrorEditor { max-width: 100% !important; }
.jp-RenderedHTMLCommon { font-size: 10pt !important; line-height: 1.4 !important; padding-right: 0 !important; }
.jp-RenderedHTMLCommon table { font-size: 7.5pt !important; table-layout: auto !important; max-width: 100% !important; }
.jp-RenderedHTMLCommon td, .jp-RenderedHTMLCommon th { white-space: normal !important; padding: 1px 3px !important; }
h1, h2, h3, h4 { break-after: avoid; }
h1 + *, h2 + *, h3 + * { break-before: avoid; }
.jp-InputArea-editor { border: 1px solid #ddd !important; background: #f7f7f7 !important; }
`

// footer puts a title and "page N of M" at the foot of the pages of one
// named page type ("" for all pages).
func footer(pageName, title string) string {
	sel := "@page"
	if pageName != "" {
		sel += " " + pageName
	}
	return fmt.Sprintf(`%s {
  @bottom-left { content: %s; font: 8pt sans-serif; color: #555; }
  @bottom-right { content: "page " counter(page) " of " counter(pages); font: 8pt sans-serif; color: #555; }
}
`, sel, cssString(title))
}

// cssString quotes s as a CSS string that is also safe inside <style>.
func cssString(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '"' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r == '<' || r == '>' || r == '&' || r < 0x20:
			fmt.Fprintf(&b, "\\%x ", r)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}

// unlink keeps links that leave for the web (http, https, mailto) or jump
// inside the document, and turns every other link into plain text: a link
// to a file beside the handout (a chapter, a source file) would print as
// the address of the loopback server the PDF was made from. chapters maps
// a chapter's name to the anchor that replaces links to it ("" = plain text).
func unlink(body string, chapters map[string]string) string {
	return linkRE.ReplaceAllStringFunc(body, func(tag string) string {
		m := hrefRE.FindStringSubmatchIndex(tag)
		if m == nil {
			return tag
		}
		href := html.UnescapeString(strings.Trim(tag[m[2]:m[3]], `"'`))
		if strings.HasPrefix(href, "#") {
			return tag
		}
		if schemeRE.MatchString(href) {
			scheme := strings.ToLower(href[:strings.IndexByte(href, ':')])
			if scheme == "http" || scheme == "https" || scheme == "mailto" {
				return tag
			}
			return tag[:m[0]] + tag[m[1]:]
		}
		file, _, _ := strings.Cut(href, "#")
		file, _, _ = strings.Cut(file, "?")
		name := strings.TrimSuffix(filepath.Base(file), filepath.Ext(file))
		if anchor := chapters[name]; anchor != "" {
			return tag[:m[0]] + ` href="#` + anchor + `"` + tag[m[1]:]
		}
		return tag[:m[0]] + tag[m[1]:]
	})
}

// withTitle replaces the <title> of a head (or adds one).
func withTitle(head, title string) string {
	t := "<title>" + html.EscapeString(title) + "</title>"
	if titleRE.MatchString(head) {
		return titleRE.ReplaceAllLiteralString(head, t)
	}
	return t + head
}

// sections are the outline entries of a chapter: its <h2> headings, whose
// ids start with prefix.
func sections(c *chapter, prefix string) []mark {
	var ms []mark
	for _, m := range h2RE.FindAllStringSubmatch(c.body, -1) {
		if t := text(anchorRE.ReplaceAllString(m[2], "")); t != "" {
			ms = append(ms, mark{title: t, id: prefix + html.UnescapeString(m[1])})
		}
	}
	return ms
}

// prefixIDs puts prefix before every id of a chapter and every link to
// one, so that the chapters' headings stay apart in the course (each has
// a Takeaways).
func prefixIDs(body, prefix string) string {
	body = idRE.ReplaceAllString(body, "${1}"+prefix+"${2}")
	return fragRE.ReplaceAllString(body, "${1}"+prefix+"${2}")
}

// idPrefix is what the ids of chapter c start with in the course.
func idPrefix(c *chapter) string { return anchor(c) + "-" }

// outline is the outline of the course: the chapters, each with its
// sections.
func outline(chs []*chapter) []mark {
	var ms []mark
	for _, c := range chs {
		ms = append(ms, mark{title: c.title, id: anchor(c), kids: sections(c, idPrefix(c))})
	}
	return ms
}

// printable is the page of one chapter as it prints on its own.
func printable(c *chapter) string {
	var b strings.Builder
	b.WriteString("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n")
	b.WriteString(withTitle(c.head, c.title))
	b.WriteString("\n<style>\n" + printCSS + footer("", c.title) + "</style>\n</head>\n")
	fmt.Fprintf(&b, "<body%s>\n%s\n</body>\n</html>\n", c.attrs, unlink(c.body, nil))
	return b.String()
}

// anchor is the id of a chapter in the course.
func anchor(c *chapter) string { return "chapter-" + c.name }

// tocCSS lays out the contents page of the course.
const tocCSS = `
section.gp-toc { page: toc; font-family: sans-serif; }
section.gp-toc h1 { font-size: 22pt; margin: 0 0 4mm 0; }
section.gp-toc p { font-size: 10pt; color: #444; margin: 0 0 8mm 0; }
section.gp-toc h2 { font-size: 14pt; margin: 0 0 4mm 0; }
section.gp-toc ol { list-style: none; padding: 0; margin: 0; font-size: 11pt; }
section.gp-toc li { margin: 0 0 3mm 0; }
section.gp-toc a { display: flex; align-items: baseline; color: #000; text-decoration: none; }
section.gp-toc a .gp-dots { flex: 1; border-bottom: 1px dotted #888; margin: 0 2mm; }
section.gp-toc a .gp-page { font-variant-numeric: tabular-nums; }
section.gp-chapter { break-before: page; }
`

// course is the whole course as one page: a contents page, then every
// chapter from a new page, each with its own title in the footer and the
// page numbers running through. pages gives each chapter's first page for
// the contents (nil: not known yet, shown as "?").
func course(title string, chs []*chapter, pages []int) string {
	anchors := map[string]string{}
	for _, c := range chs {
		anchors[c.name] = anchor(c)
	}
	var b strings.Builder
	b.WriteString("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n")
	b.WriteString(withTitle(chs[0].head, title))
	b.WriteString("\n<style>\n" + printCSS + tocCSS + footer("", title))
	for i, c := range chs {
		fmt.Fprintf(&b, "section.gp-chapter.gp-ch%d { page: ch%d; }\n", i, i)
		b.WriteString(footer(fmt.Sprintf("ch%d", i), c.title))
	}
	b.WriteString("</style>\n</head>\n")
	fmt.Fprintf(&b, "<body%s>\n<section class=\"gp-toc\">\n<h1>%s</h1>\n<h2>Contents</h2>\n<ol>\n", chs[0].attrs, html.EscapeString(title))
	for i, c := range chs {
		n := "?"
		if pages != nil {
			n = fmt.Sprint(pages[i])
		}
		fmt.Fprintf(&b, "<li><a href=\"#%s\"><span class=\"gp-title\">%s</span><span class=\"gp-dots\"></span><span class=\"gp-page\">%s</span></a></li>\n",
			anchors[c.name], html.EscapeString(c.title), n)
	}
	b.WriteString("</ol>\n</section>\n")
	for i, c := range chs {
		body := unlink(prefixIDs(c.body, idPrefix(c)), anchors)
		fmt.Fprintf(&b, "<section class=\"gp-chapter gp-ch%d\" id=\"%s\">\n%s\n</section>\n", i, anchors[c.name], body)
	}
	b.WriteString("</body>\n</html>\n")
	return b.String()
}
