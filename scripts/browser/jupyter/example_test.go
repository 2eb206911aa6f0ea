//go:build browser

// Examples that start Jupyter and Chromium build with -tags browser (make
// lab-selftest), after make setup and scripts/browser/install.sh.

package jupyter_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/go-parallelism/go-parallelism/scripts/browser/chrome"
	"github.com/go-parallelism/go-parallelism/scripts/browser/jupyter"
)

// A two-cell notebook, run from the menu in JupyterLab with the Python
// kernel that comes with JupyterLab.
func Example() {
	root, _ := filepath.Abs("../../..")
	dir, _ := os.MkdirTemp("", "jupyter-example-")
	defer os.RemoveAll(dir)
	os.WriteFile(filepath.Join(dir, "two.ipynb"), []byte(`{"cells": [
 {"cell_type": "code", "execution_count": null, "metadata": {}, "outputs": [], "source": ["x = 6 * 7"]},
 {"cell_type": "code", "execution_count": null, "metadata": {}, "outputs": [], "source": ["print('the answer is', x)"]}],
 "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}},
 "nbformat": 4, "nbformat_minor": 5}`), 0o644)

	ctx := context.Background()
	srv, err := jupyter.StartServer(ctx, jupyter.ServerOptions{
		Jupyter: filepath.Join(root, ".venv/bin/jupyter"),
		Root:    dir,
	})
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	b, err := chrome.Start(ctx, chrome.Options{})
	if err != nil {
		log.Fatal(err)
	}
	defer b.Close()
	tab, err := b.NewTab()
	if err != nil {
		log.Fatal(err)
	}
	defer tab.Close()

	tctx, cancel := context.WithTimeout(tab.Context(), 3*time.Minute)
	defer cancel()
	nb, err := jupyter.Open(tctx, srv.NotebookURL(jupyter.Lab, "two.ipynb"))
	if err != nil {
		log.Fatal(err)
	}
	if _, err := nb.WaitKernel(tctx); err != nil {
		log.Fatal(err)
	}
	nb.Watch(tctx)
	if err := nb.RunAll(tctx); err != nil {
		log.Fatal(err)
	}
	st, err := nb.WaitRun(tctx, nil)
	if err != nil {
		log.Fatal(err)
	}
	cells, _ := nb.Cells(tctx)
	fmt.Printf("%s: %d of %d cells ran\n", st.Kernel, st.Ran, st.Code)
	fmt.Println(strings.TrimSpace(cells[1].View.Text))
	// Output:
	// Python 3 (ipykernel): 2 of 2 cells ran
	// the answer is 42
}
