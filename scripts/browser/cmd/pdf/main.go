// Pdf prints the course's HTML handouts to PDF with headless Chromium: one
// PDF per chapter and one for the whole course.
//
//	pdf [-out dir] [-title "Go Parallelism"] [-course course.pdf] NN-name.html...
//
// writes dir/NN-name.pdf for each page and dir/course.pdf for all of them
// in the order given. The pages print on A4 as they read without scripts:
// each chart as its static image (never a half-drawn canvas), code wrapped
// where a line is longer than the page is wide, and a footer with the
// chapter's title and "page N of M". The course starts with a table of
// contents whose entries link to the chapters and give their pages, and
// its page numbers run through; both kinds of PDF carry an outline of the
// headings for a viewer's sidebar. A chart's image is stored in the PDF as
// the bytes of its PNG where Chromium would store it larger (a 256-colour
// PNG comes out about twice its size).
//
// The pages are served from a loopback server, with the files of their
// folders, and every other request is refused: nothing leaves the machine.
// Every wait is bounded. Before printing, the page is laid out at the
// width of the paper, and anything wider (which Chromium would shrink the
// whole document for) fails the command. Afterwards poppler (pdfinfo,
// pdftotext, pdfimages, pdftohtml) reads the PDFs back, and the command
// fails when a PDF lacks an image for one of its charts, cuts off its
// longest line of code, numbers its pages wrongly, links to the machine
// that printed it, or when the contents or the outline give a chapter a
// page where it does not start.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"time"
)

// config is what the command was asked to do.
type config struct {
	out     string        // folder of the PDFs
	title   string        // title of the course PDF
	course  string        // file name of the course PDF; "" for none
	timeout time.Duration // allowed per printed document
	tagged  bool          // tagged PDFs, with Chromium's outline
}

func main() {
	var cfg config
	flag.StringVar(&cfg.out, "out", "pdf", "folder to write the PDFs to")
	flag.StringVar(&cfg.title, "title", "Go Parallelism", "title of the whole-course PDF")
	flag.StringVar(&cfg.course, "course", "course.pdf", `file name of the whole-course PDF in -out ("" for none)`)
	flag.DurationVar(&cfg.timeout, "timeout", 3*time.Minute, "time allowed to load and print one document")
	flag.BoolVar(&cfg.tagged, "tagged", false, "make tagged PDFs (for screen readers, with an outline of every heading): about 2.3 times the size")
	flag.Usage = func() {
		fmt.Fprintf(os.Stderr, "usage: pdf [flags] NN-name.html...\n")
		flag.PrintDefaults()
	}
	flag.Parse()
	if flag.NArg() == 0 {
		flag.Usage()
		os.Exit(2)
	}
	if _, err := build(context.Background(), cfg, flag.Args(), os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "pdf:", err)
		os.Exit(1)
	}
}

// ErrBadPDF is returned when a PDF was written but fails a check.
var ErrBadPDF = errors.New("some PDFs failed their checks")

// build prints the pages, checks the PDFs and reports on out. It returns
// a report per PDF, the course's last.
func build(ctx context.Context, cfg config, files []string, out, warn io.Writer) ([]*report, error) {
	if err := checkPoppler(); err != nil {
		return nil, err
	}
	var chs []*chapter
	seen := map[string]string{}
	for _, f := range files {
		c, err := readChapter(f)
		if err != nil {
			return nil, err
		}
		if cfg.course != "" && c.name+".pdf" == cfg.course {
			return nil, fmt.Errorf("%s: its PDF would overwrite the course's, %s (use -course)", f, cfg.course)
		}
		if other, ok := seen[c.name]; ok {
			return nil, fmt.Errorf("%s and %s would both print to %s.pdf", other, f, c.name)
		}
		seen[c.name] = f
		chs = append(chs, c)
	}
	if err := os.MkdirAll(cfg.out, 0o755); err != nil {
		return nil, err
	}
	p, err := newPrinter(ctx, cfg.timeout, cfg.tagged)
	if err != nil {
		return nil, err
	}
	defer p.Close()

	var reports []*report
	pages := make([]int, len(chs))
	for i, c := range chs {
		file := filepath.Join(cfg.out, c.name+".pdf")
		printed, err := printTo(p, warn, c, file, printable(c), sections(c, ""))
		if err != nil {
			return nil, err
		}
		r, err := verifyChapter(c, file)
		if err != nil {
			return nil, err
		}
		for _, w := range printed.wide {
			r.problemf("cut off at the right margin: %s", w)
		}
		for _, img := range printed.broken {
			r.problemf("image %q did not load", img)
		}
		r.asPNG = printed.reembedded
		pages[i] = r.pages
		reports = append(reports, r)
	}
	if cfg.course != "" {
		r, err := printCourse(p, warn, cfg, chs, pages)
		if err != nil {
			return nil, err
		}
		reports = append(reports, r)
	}

	fmt.Fprintf(out, "%-44s %6s %7s %7s %7s %9s\n", "PDF", "pages", "charts", "images", "as PNG", "size")
	var total int64
	bad := 0
	for _, r := range reports {
		fmt.Fprintf(out, "%-44s %6d %7d %7d %7d %9s\n", filepath.Base(r.file), r.pages, r.charts, r.images, r.asPNG, size(r.bytes))
		total += r.bytes
		for _, pr := range r.problems {
			fmt.Fprintf(out, "  FAIL %s\n", pr)
			bad++
		}
	}
	fmt.Fprintf(out, "%d PDFs, %s in all, in %s\n", len(reports), size(total), cfg.out)
	if bad > 0 {
		return reports, ErrBadPDF
	}
	return reports, nil
}

// printCourse prints the whole course. The contents need each chapter's
// first page, which only printing tells: the first print shows "?" for
// them and reports where the chapters start (the link targets of the
// contents); the second prints those numbers, which take no more room.
func printCourse(p *printer, warn io.Writer, cfg config, chs []*chapter, chapterPages []int) (*report, error) {
	file := filepath.Join(cfg.out, cfg.course)
	var starts []int
	var printed printed
	for range 3 {
		var err error
		if printed, err = printTo(p, warn, chs[0], file, course(cfg.title, chs, starts), outline(chs)); err != nil {
			return nil, err
		}
		d, err := dests(file)
		if err != nil {
			return nil, err
		}
		got := make([]int, len(chs))
		for i, c := range chs {
			got[i] = d[anchor(c)]
		}
		if slices.Equal(got, starts) {
			break
		}
		starts = got
	}
	r, err := verifyCourse(chs, chapterPages, file)
	if r != nil {
		r.asPNG = printed.reembedded
	}
	return r, err
}

// printTo prints doc, served in place of chapter c's page, to file, with
// an outline of marks.
func printTo(p *printer, warn io.Writer, c *chapter, file, doc string, marks []mark) (printed, error) {
	out, err := p.print(filepath.Dir(c.file), filepath.Base(file)+".html", doc)
	for _, u := range out.refused {
		if !p.warned[c.file+" "+u] {
			p.warned[c.file+" "+u] = true
			fmt.Fprintf(warn, "pdf: %s: refused %s (the PDF shows the page without it)\n", c.file, u)
		}
	}
	if err != nil {
		return out, err
	}
	pdf := out.pdf
	pngs := map[[32]byte]*sourcePNG{}
	pngsOf(doc, pngs)
	if len(pngs) > 0 {
		with, n, err := withPNGs(pdf, pngs)
		if err != nil {
			fmt.Fprintf(warn, "pdf: %s: %v\n", file, err)
		}
		pdf = with
		out.reembedded = n
	}
	if len(marks) > 0 && !p.tagged { // a tagged PDF has Chromium's outline
		if with, err := withOutline(pdf, marks); err != nil {
			fmt.Fprintf(warn, "pdf: %s: %v\n", file, err)
		} else {
			pdf = with
		}
	}
	tmp := file + ".tmp"
	if err := os.WriteFile(tmp, pdf, 0o644); err != nil {
		return out, err
	}
	return out, os.Rename(tmp, file)
}

func size(n int64) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%d KB", n>>10)
	}
	return fmt.Sprintf("%d B", n)
}
