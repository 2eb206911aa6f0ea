//go:build browser

// Examples that start Chromium build with -tags browser (make lab-selftest),
// after scripts/browser/install.sh has installed it.

package chrome_test

import (
	"context"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"

	"github.com/chromedp/chromedp"
	"github.com/go-parallelism/go-parallelism/scripts/browser/chrome"
)

// A page on 127.0.0.1 loads one script from a CDN, answered from a local
// copy, and one from elsewhere, which fails: nothing leaves the machine.
func Example() {
	dir, _ := os.MkdirTemp("", "chrome-example-")
	defer os.RemoveAll(dir)
	local := filepath.Join(dir, "lib.js")
	os.WriteFile(local, []byte(`document.title = "loaded from the local copy";`), 0o644)

	page := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `<script src="https://cdn.example.org/lib.js"></script>`+
			`<script src="https://elsewhere.example.org/tracker.js"></script>`)
	}))
	defer page.Close()

	b, err := chrome.Start(context.Background(), chrome.Options{
		Scripts: map[string]string{"https://cdn.example.org/*": local},
	})
	if err != nil {
		log.Fatal(err)
	}
	defer b.Close()
	tab, err := b.NewTab()
	if err != nil {
		log.Fatal(err)
	}
	defer tab.Close()
	if err := chromedp.Do(tab.Context(), chromedp.Navigate(page.URL)); err != nil {
		log.Fatal(err)
	}
	title, _ := chromedp.Run(tab.Context(), chromedp.Title())
	fmt.Println(title)
	fmt.Println("served:", tab.Served())
	fmt.Println("refused:", tab.Refused())
	// Output:
	// loaded from the local copy
	// served: [https://cdn.example.org/lib.js]
	// refused: [https://elsewhere.example.org/tracker.js]
}
