package main

import (
	"fmt"
	"os"
	"regexp"
	"strings"
	"unicode"
)

// A report says what a PDF holds, as poppler reads it.
type report struct {
	file     string
	pages    int
	charts   int // in the HTML
	images   int // in the PDF
	asPNG    int // images held as their PNGs
	bytes    int64
	problems []string
}

func (r *report) problemf(format string, args ...any) {
	r.problems = append(r.problems, fmt.Sprintf(format, args...))
}

// squeeze drops every space, so that a line wrapped on paper still
// matches its source.
func squeeze(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) {
			return -1
		}
		return r
	}, s)
}

var pageOfRE = regexp.MustCompile(`page (\d+) of (\d+)`)

// measure reads a PDF with poppler and checks what holds for every
// handout: pages numbered "page N of M" to the last one, and no link to
// a file or to the machine that printed it.
func measure(file string) (*report, []string, error) {
	r := &report{file: file}
	st, err := os.Stat(file)
	if err != nil {
		return nil, nil, err
	}
	r.bytes = st.Size()
	if r.pages, err = pageCount(file); err != nil {
		return nil, nil, err
	}
	if _, r.images, err = images(file); err != nil {
		return nil, nil, err
	}
	text, err := pagesText(file)
	if err != nil {
		return nil, nil, err
	}
	if len(text) != r.pages {
		r.problemf("pdftotext found %d pages, pdfinfo %d", len(text), r.pages)
	}
	for i, t := range text {
		ms := pageOfRE.FindAllStringSubmatch(t, -1)
		want := fmt.Sprintf("page %d of %d", i+1, r.pages)
		if len(ms) == 0 || ms[len(ms)-1][0] != want {
			r.problemf("page %d: its footer does not say %q", i+1, want)
			break
		}
	}
	us, err := urls(file)
	if err != nil {
		return nil, nil, err
	}
	for _, u := range us {
		l := strings.ToLower(u)
		if strings.HasPrefix(l, "file:") || strings.Contains(l, "127.0.0.1") || strings.Contains(l, "localhost") {
			r.problemf("links to %s, which exists only on the machine that printed it", u)
		}
	}
	return r, text, nil
}

// verifyChapter checks one chapter's PDF against its page: a chapter with
// charts spans more than one page and has at least one image per chart,
// and its longest line of code is printed whole.
func verifyChapter(c *chapter, file string) (*report, error) {
	r, text, err := measure(file)
	if err != nil {
		return nil, err
	}
	r.charts = c.charts
	if r.pages < 1 || (c.charts > 0 && r.pages < 2) {
		r.problemf("%d pages for a chapter with %d charts", r.pages, c.charts)
	}
	if r.images < c.charts {
		r.problemf("%d images for %d charts: a chart printed without its static image", r.images, c.charts)
	}
	if c.code != "" && !strings.Contains(squeeze(strings.Join(text, "")), squeeze(c.code)) {
		r.problemf("the longest line of code is not printed whole: %.80q", c.code)
	}
	return r, nil
}

// verifyCourse checks the course's PDF: every chapter starts where the
// contents say, on a page of its own, and the course has at least the
// pages of the contents and of every chapter.
func verifyCourse(chs []*chapter, chapterPages []int, file string) (*report, error) {
	r, text, err := measure(file)
	if err != nil {
		return nil, err
	}
	starts, err := dests(file)
	if err != nil {
		return nil, err
	}
	sum := 0
	for _, n := range chapterPages {
		sum += n
	}
	first := r.pages + 1
	for _, c := range chs {
		if p, ok := starts[anchor(c)]; ok && p < first {
			first = p
		}
	}
	if toc := first - 1; toc < 1 || r.pages < toc+sum {
		r.problemf("%d pages: want the contents (%d) and the %d pages of the chapters", r.pages, toc, sum)
	}
	contents := ""
	if first <= len(text) {
		contents = strings.Join(strings.Fields(strings.Join(text[:first-1], "\n")), " ")
	}
	marks, err := bookmarks(file)
	if err != nil {
		return nil, err
	}
	charts := 0
	for _, c := range chs {
		charts += c.charts
		p, ok := starts[anchor(c)]
		if !ok || p < 1 || p > len(text) {
			r.problemf("%s: no link target for its first page", c.name)
			continue
		}
		title := strings.Join(strings.Fields(c.title), " ")
		if !strings.Contains(contents, fmt.Sprintf("%s %d", title, p)) {
			r.problemf("%s: the contents do not list it at page %d", c.name, p)
		}
		if !strings.Contains(text[p-1], title) || (p > first && strings.Contains(text[p-2], title)) {
			r.problemf("%s: does not start on page %d", c.name, p)
		}
		if marks[c.title] != p {
			r.problemf("%s: the outline does not list it at page %d", c.name, p)
		}
	}
	r.charts = charts
	if r.images < charts {
		r.problemf("%d images for %d charts", r.images, charts)
	}
	return r, nil
}
