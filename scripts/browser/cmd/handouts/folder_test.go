package main

import (
	"slices"
	"strings"
	"testing"
	"testing/fstest"
)

func TestAbsPathRE(t *testing.T) {
	for text, want := range map[string]string{
		`see /home/reader/course/x.go here`:             "/home/reader/course/x.go",
		`src="/tmp/build-123/page.html"`:                "/tmp/build-123/page.html",
		`"/Users/ada/go/lib"`:                           "/Users/ada/go/lib",
		`C:\Users\ada\course`:                           `C:\Users\ada\course`,
		`https://github.com/home/x and /proc/stat`:      "",
		`lib/measure/fetch.go, ../work/notes`:           "",
		`http://127.0.0.1:40645/page/76 or //tmp/cache`: "",
	} {
		got := ""
		if m := absPathRE.FindStringSubmatch(text); m != nil {
			got = m[1]
		}
		if got != want {
			t.Errorf("absPathRE in %q: found %q, want %q", text, got, want)
		}
	}
}

func TestCheckFiles(t *testing.T) {
	fsys := fstest.MapFS{
		"index.html":            {Data: []byte(`<a href="00-a.html">a</a> <a href="pdf/00-a.pdf">pdf</a> <a href="https://example.org/x">x</a>`)},
		"00-a.html":             {Data: []byte(`<script src="assets/lib.js"></script><a href="index.html#top">up</a><a href="#s">s</a><img src="data:image/png;base64,AA">`)},
		"01-b.html":             {Data: []byte(`<script src="file:///usr/share/javascript/requirejs/require.min.js"></script><a href="../lib/x.go">x</a><a href="gone.html">g</a>`)},
		"assets/lib.js":         {Data: []byte(`var built = "/home/reader/course";`)},
		"assets/echarts.NOTICE": {Data: []byte(`/home/reader is not read: not a text file the pages load`)},
	}
	problems, _ := checkFiles(fsys, []string{"/data/build/course"})
	want := []string{
		`01-b.html names files of a machine: file:///usr/share/javascript/requirejs/require.min.js`,
		`01-b.html: href="../lib/x.go" leaves the folder`,
		`01-b.html: href="gone.html": no such file in the folder`,
		`assets/lib.js names files of a machine: /home/reader/course`,
		`index.html: href="pdf/00-a.pdf": no such file in the folder`,
	}
	if !slices.Equal(problems, want) {
		t.Errorf("problems:\n  %s\nwant:\n  %s", strings.Join(problems, "\n  "), strings.Join(want, "\n  "))
	}
}

func TestCheckFilesLiteral(t *testing.T) {
	fsys := fstest.MapFS{
		"00-a.html": {Data: []byte(`built in /data/build/course/notebooks`)},
		"01-b.html": {Data: []byte(`the /data/build/courses are elsewhere`)},
	}
	problems, _ := checkFiles(fsys, []string{"/data/build/course"})
	if len(problems) != 1 || !strings.Contains(problems[0], "/data/build/course") {
		t.Errorf("problems %q, want the build folder named", problems)
	}
}
