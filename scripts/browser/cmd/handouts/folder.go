package main

import (
	"bytes"
	"fmt"
	"html"
	"io/fs"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"github.com/go-parallelism/go-parallelism/scripts/browser/chrome"
)

// chapterRE names a chapter's page in a folder of handouts; other pages
// (the index) may have no chart.
var chapterRE = regexp.MustCompile(`^\d\d-.*\.html$`)

// checkFolder checks a folder of handouts from a copy of it, as the
// package doc says, and prints a line per page and mode.
func checkFolder(b *chrome.Browser, srv *pages, base, dir string, modes []string, n int) (checks, failed int) {
	report := func(what string, problems []string, info string) {
		checks++
		if len(problems) == 0 {
			fmt.Printf("ok   %s: %s\n", what, info)
			return
		}
		failed++
		fmt.Printf("FAIL %s: %s\n", what, info)
		for _, p := range problems {
			fmt.Printf("       %s\n", p)
		}
	}
	tmp, err := os.MkdirTemp("", "handouts-copy-")
	if err == nil {
		defer os.RemoveAll(tmp)
		err = os.CopyFS(tmp, os.DirFS(dir))
	}
	if err != nil {
		report(dir, []string{"copying the folder: " + err.Error()}, "")
		return
	}
	copyDir, err := filepath.EvalSymlinks(tmp)
	if err != nil {
		report(dir, []string{err.Error()}, "")
		return
	}
	abs, _ := filepath.Abs(dir)
	home, _ := os.UserHomeDir()
	wd, _ := os.Getwd()
	problems, info := checkFiles(os.DirFS(copyDir), []string{abs, copyDir, tmp, home, wd})
	report(dir+" [files]", problems, info)

	entries, _ := os.ReadDir(copyDir)
	for _, e := range entries {
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".html") {
			continue
		}
		page, err := os.ReadFile(filepath.Join(copyDir, e.Name()))
		if err != nil {
			report(e.Name(), []string{err.Error()}, "")
			continue
		}
		want := bytes.Count(page, []byte(`class="gp-chart"`))
		min := 0
		if chapterRE.MatchString(e.Name()) {
			min = *minCharts
		}
		for _, mode := range modes {
			if !slices.Contains(folderModes, mode) {
				continue
			}
			problems, info, found := checkCopied(b, srv, base, copyDir, e.Name(), page, mode, n, min)
			if found != want && info != "" {
				problems = append(problems, fmt.Sprintf("the page shows %d charts, its source holds %d", found, want))
			}
			report(fmt.Sprintf("%s [%s]", filepath.Join(dir, e.Name()), mode), problems, info)
		}
	}
	return checks, failed
}

// checkCopied opens one page of the copied folder in one mode.
func checkCopied(b *chrome.Browser, srv *pages, base, copyDir, name string, page []byte, mode string, n, min int) ([]string, string, int) {
	if mode == "static" {
		return check(b, srv, base, name, page, mode, n, min)
	}
	folder := (&url.URL{Scheme: "file", Path: filepath.ToSlash(copyDir) + "/"}).String()
	opts := []chrome.TabOption{chrome.Offline, chrome.Only(folder)}
	shot := ""
	if *shots != "" {
		shot = filepath.Join(*shots, strings.TrimSuffix(name, ".html")+"-"+mode+".png")
	}
	res, err := view(b, folder+url.PathEscape(name), mode, shot, opts...)
	if err != nil {
		return []string{err.Error()}, "", 0
	}
	var problems []string
	if len(res.charts) < min {
		problems = append(problems, fmt.Sprintf("found %d charts, want at least %d", len(res.charts), min))
	}
	for _, u := range res.refused {
		problems = append(problems, "asked for "+u+", outside the folder")
	}
	problems, info := judge(res, mode, problems)
	if len(res.refused) == 0 {
		info += "; no request left the folder"
	}
	return problems, info, len(res.charts)
}

var (
	// fileURLRE finds file:// URLs, which name a file of one machine.
	fileURLRE = regexp.MustCompile(`(?i)file://[^\s"'<>)]*`)
	// absPathRE finds absolute paths under the roots where a machine keeps
	// its users' and build's files (not in URLs: a path there follows a
	// host name, and no character before the slash may be part of one).
	absPathRE = regexp.MustCompile(`(?:^|[^\w.~/:%-])((?:/(?:home|Users|root|tmp|work|private|mnt|media|srv|opt|var/(?:tmp|folders|lib))|[A-Za-z]:\\\\?(?:Users|Documents and Settings))(?:[/\\][\w.@-]+)+)`)
	// linkRE finds what a page loads or links to.
	linkRE = regexp.MustCompile(`(?i)\s(src|href)\s*=\s*"([^"]*)"`)
)

// checkFiles reads every text file of a folder for machine paths (the
// generic ones, and the literal paths given: the folder itself, its copy,
// the home and working directories) and every page's links for files the
// folder lacks.
func checkFiles(fsys fs.FS, literal []string) (problems []string, info string) {
	files, pages := 0, 0
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		files++
		switch path.Ext(p) {
		case ".html", ".js", ".css", ".json", ".txt", ".svg":
		default:
			return nil
		}
		b, err := fs.ReadFile(fsys, p)
		if err != nil {
			return err
		}
		text := string(b)
		var found []string
		found = append(found, fileURLRE.FindAllString(text, 3)...)
		for _, m := range absPathRE.FindAllStringSubmatch(text, 3) {
			found = append(found, m[1])
		}
		for _, l := range literal {
			// A folder named, or a file in it: "/root" alone is a word.
			if l = strings.TrimSuffix(l, "/"); l != "" && strings.Contains(text, l+"/") {
				found = append(found, l)
			}
		}
		if len(found) > 0 {
			problems = append(problems, fmt.Sprintf("%s names files of a machine: %s", p, strings.Join(found, ", ")))
		}
		if path.Ext(p) == ".html" {
			pages++
			problems = append(problems, checkLinks(fsys, p, text)...)
		}
		return nil
	})
	if err != nil {
		problems = append(problems, err.Error())
	}
	return problems, fmt.Sprintf("%d files, %d pages: no file:// URL, no machine path, every link inside the folder resolves", files, pages)
}

// checkLinks says which relative links of page p name no file of fsys.
func checkLinks(fsys fs.FS, p, text string) (problems []string) {
	for _, m := range linkRE.FindAllStringSubmatch(text, -1) {
		u, err := url.Parse(html.UnescapeString(m[2]))
		if err != nil {
			problems = append(problems, fmt.Sprintf("%s: %s=%q is not a URL", p, m[1], m[2]))
			continue
		}
		if u.Scheme != "" || u.Host != "" || u.Path == "" {
			continue // elsewhere (a link to read online), data:, or #anchor
		}
		target := path.Join(path.Dir(p), u.Path)
		if strings.HasPrefix(u.Path, "/") || !fs.ValidPath(target) {
			problems = append(problems, fmt.Sprintf("%s: %s=%q leaves the folder", p, m[1], m[2]))
			continue
		}
		if _, err := fs.Stat(fsys, target); err != nil {
			problems = append(problems, fmt.Sprintf("%s: %s=%q: no such file in the folder", p, m[1], m[2]))
		}
	}
	return problems
}
