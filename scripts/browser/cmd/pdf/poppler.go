package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"html"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// The PDFs are measured with poppler's command-line tools (Debian's
// poppler-utils, installed by scripts/browser/install.sh).
var popplerTools = []string{"pdfinfo", "pdftotext", "pdfimages", "pdftohtml"}

// ErrNoPoppler is returned when a poppler tool is not installed.
var ErrNoPoppler = errors.New("poppler-utils missing (run scripts/browser/install.sh, or apt-get install poppler-utils)")

func checkPoppler() error {
	for _, t := range popplerTools {
		if _, err := exec.LookPath(t); err != nil {
			return fmt.Errorf("%s: %w", t, ErrNoPoppler)
		}
	}
	return nil
}

// popplerTime bounds one run of a poppler tool; the slowest, pdftotext on
// the course, takes about a second.
const popplerTime = 2 * time.Minute

func poppler(tool string, args ...string) ([]byte, error) {
	ctx, cancel := context.WithTimeout(context.Background(), popplerTime)
	defer cancel()
	var stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, tool, args...)
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w: %s", tool, strings.Join(args, " "), err, strings.TrimSpace(stderr.String()))
	}
	return out, nil
}

// pageCount is the number of pages of a PDF.
func pageCount(file string) (int, error) {
	out, err := poppler("pdfinfo", file)
	if err != nil {
		return 0, err
	}
	for line := range strings.Lines(string(out)) {
		if v, ok := strings.CutPrefix(line, "Pages:"); ok {
			return strconv.Atoi(strings.TrimSpace(v))
		}
	}
	return 0, fmt.Errorf("pdfinfo %s: no page count", file)
}

// dests maps the named destinations of a PDF (the ids that links jump to)
// to their pages.
func dests(file string) (map[string]int, error) {
	out, err := poppler("pdfinfo", "-dests", file)
	if err != nil {
		return nil, err
	}
	// "   2 [ XYZ    6  826 null      ] "chapter-00-setup""
	m := map[string]int{}
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		line := sc.Text()
		fields := strings.Fields(line)
		q := strings.IndexByte(line, '"')
		if len(fields) < 2 || q < 0 || !strings.HasSuffix(line, `"`) {
			continue
		}
		page, err := strconv.Atoi(fields[0])
		if err != nil {
			continue
		}
		m[line[q+1:len(line)-1]] = page
	}
	return m, sc.Err()
}

// images counts the images drawn on each page of a PDF (soft masks, the
// transparency of an image, are not counted).
func images(file string) (perPage map[int]int, total int, err error) {
	out, err := poppler("pdfimages", "-list", file)
	if err != nil {
		return nil, 0, err
	}
	perPage = map[int]int{}
	for line := range strings.Lines(string(out)) {
		f := strings.Fields(line)
		if len(f) < 3 || f[2] != "image" {
			continue
		}
		page, err := strconv.Atoi(f[0])
		if err != nil {
			continue
		}
		perPage[page]++
		total++
	}
	return perPage, total, nil
}

// pagesText is the text of each page of a PDF, laid out as printed.
func pagesText(file string) ([]string, error) {
	out, err := poppler("pdftotext", "-layout", "-enc", "UTF-8", file, "-")
	if err != nil {
		return nil, err
	}
	pages := strings.Split(string(out), "\f")
	if n := len(pages); n > 0 && strings.TrimSpace(pages[n-1]) == "" {
		pages = pages[:n-1]
	}
	return pages, nil
}

// urls lists the addresses the links of a PDF lead to.
func urls(file string) ([]string, error) {
	out, err := poppler("pdfinfo", "-url", file)
	if err != nil {
		return nil, err
	}
	var us []string
	for line := range strings.Lines(string(out)) {
		f := strings.Fields(line)
		if len(f) >= 3 && f[0] != "Page" {
			us = append(us, f[2])
		}
	}
	return us, nil
}

var itemRE = regexp.MustCompile(`<item page="(\d+)">(.*?)</item>`)

// bookmarks maps the titles of a PDF's outline entries to their pages.
func bookmarks(file string) (map[string]int, error) {
	out, err := poppler("pdftohtml", "-xml", "-i", "-stdout", "-q", "-f", "1", "-l", "1", file)
	if err != nil {
		return nil, err
	}
	m := map[string]int{}
	for _, it := range itemRE.FindAllSubmatch(out, -1) {
		page, _ := strconv.Atoi(string(it[1]))
		m[html.UnescapeString(string(it[2]))] = page
	}
	return m, nil
}
