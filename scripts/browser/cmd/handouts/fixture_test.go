//go:build browser

package main

import (
	"context"
	"net"
	"net/http"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/go-parallelism/go-parallelism/scripts/browser/chrome"
)

// TestBrokenPage runs the check on a page whose three charts are broken
// on purpose (blank; drawn with the image still showing; never drawn) and
// expects each reported in the views where it shows.
func TestBrokenPage(t *testing.T) {
	page, err := os.ReadFile("testdata/broken.html")
	if err != nil {
		t.Fatal(err)
	}
	b, err := chrome.Start(context.Background(), chrome.Options{Width: 1000, Height: 2400})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &pages{m: map[string][]byte{}}
	hs := &http.Server{Handler: srv}
	go hs.Serve(ln)
	defer hs.Close()

	for mode, want := range map[string][]string{
		"static":      {"chart 1: blank", "chart 2: interactive drawing shown without scripts"},
		"interactive": {"charts had not settled after 20s", "chart 1: blank", "chart 2: static image still shown over the drawing", "chart 3: not drawn interactively"},
	} {
		problems, _, _ := check(b, srv, "http://"+ln.Addr().String(), "broken.html", page, mode, 0, 1)
		var got []string
		for _, p := range problems {
			head, _, _ := strings.Cut(p, " (")
			got = append(got, head)
		}
		if !slices.Equal(got, want) {
			t.Errorf("%s: problems %q, want %q", mode, problems, want)
		}
	}
}

// TestUnreadablePage runs the check on a page whose three charts draw but
// read badly on purpose: one with its y axis name pushed off the canvas,
// one whose lib/chart check found an axis without a unit, one whose
// two-line labels run together. Each must be reported where it shows.
func TestUnreadablePage(t *testing.T) {
	page, err := os.ReadFile("testdata/unreadable.html")
	if err != nil {
		t.Fatal(err)
	}
	b, err := chrome.Start(context.Background(), chrome.Options{Width: 1000, Height: 2400,
		Scripts: map[string]string{EChartsURL: "../../../../build/npm/node_modules/echarts/dist/echarts.min.js"}})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &pages{m: map[string][]byte{}}
	hs := &http.Server{Handler: srv}
	go hs.Serve(ln)
	defer hs.Close()

	for mode, want := range map[string][]string{
		"static": {"chart 2: hard to read"},
		"interactive": {"chart 1: label outside the interactive chart", "chart 2: hard to read",
			"chart 3: labels over each other in the interactive chart", "chart 3: labels over each other in the interactive chart"},
	} {
		problems, _, _ := check(b, srv, "http://"+ln.Addr().String(), "unreadable.html", page, mode, 0, 1)
		var got []string
		for _, p := range problems {
			head, _, _ := strings.Cut(p, " (")
			got = append(got, head)
		}
		if !slices.Equal(got, want) {
			t.Errorf("%s: problems %q, want %q", mode, problems, want)
		}
	}
}
