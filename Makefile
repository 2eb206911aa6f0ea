# Go Parallelism: `make run` executes the course, `make test` checks it,
# `make lab` opens it in JupyterLab.
SHELL := /bin/bash
NOTEBOOKS := $(sort $(wildcard notebooks/[0-9]*.ipynb))
# Everything Jupyter keeps stays in this checkout: Jupyter itself in .venv,
# its settings, trust database and runtime files in build/jupyter, the GoNB
# kernel in .venv (interactive, with gopls) and build/jupyter-batch (for
# batch runs: without gopls, so that no background work competes with the
# experiments; see scripts/setup.sh).
export PATH := $(CURDIR)/.venv/bin:$(CURDIR)/bin:$(PATH)
export JUPYTER_CONFIG_DIR := $(CURDIR)/build/jupyter/config
export JUPYTER_DATA_DIR := $(CURDIR)/build/jupyter/data
export JUPYTER_RUNTIME_DIR := $(CURDIR)/build/jupyter/runtime
export JUPYTER_PLATFORM_DIRS := 1
unexport JUPYTER_PATH
BATCH := JUPYTER_PATH=$(CURDIR)/build/jupyter-batch
CELL_TIMEOUT ?= 120
# The browser checks are a Go module of their own (scripts/browser), so the
# course's module does not carry a browser driver.
BROWSER := scripts/browser

.PHONY: all setup run refresh handouts test lint unit notebooks-test browser-setup browser-test lab-test lab-selftest check-notebooks check-charts patterns lab clean
all: run

setup: ## install what is missing: .venv with Jupyter, the GoNB kernel, Go modules
	@scripts/setup.sh

# browser-setup first: the handouts need its scripts and Chromium (PDFs), and
# a machine without them should fail before the course runs, not after.
run: setup browser-setup ## execute every notebook into build/notebooks, then make handouts
	@$(BATCH) scripts/py scripts/nbrun.py --timeout $(CELL_TIMEOUT) --out build/notebooks $(NOTEBOOKS)
	@$(MAKE) --no-print-directory handouts HANDOUT_NOTEBOOKS="$(addprefix build/notebooks/,$(notdir $(NOTEBOOKS)))"

refresh: setup browser-setup ## like run, then save the fresh outputs into notebooks/
	@$(BATCH) scripts/py scripts/nbrun.py --timeout $(CELL_TIMEOUT) --out build/notebooks --refresh $(NOTEBOOKS)
	@$(MAKE) --no-print-directory handouts HANDOUT_NOTEBOOKS="$(addprefix build/notebooks/,$(notdir $(NOTEBOOKS)))"

# The handouts of the executed notebooks (make run): a page per chapter, an
# index, the charts' scripts in assets/, and a PDF per chapter and of the
# whole course (scripts/handouts.py; PDFs printed by headless Chromium).
HANDOUT_NOTEBOOKS ?= $(sort $(wildcard build/notebooks/[0-9]*.ipynb))
handouts: setup browser-setup ## build/handouts: HTML and PDF of every executed notebook, and an index
	@test -n "$(HANDOUT_NOTEBOOKS)" || { echo "no executed notebooks in build/notebooks: run make run first"; exit 1; }
	@go build -C $(BROWSER) -o $(CURDIR)/bin/pdf ./cmd/pdf
	@scripts/py scripts/handouts.py --out build/handouts --pdf bin/pdf $(HANDOUT_NOTEBOOKS)

lab: setup ## start JupyterLab on notebooks/ with the GoNB kernel; prints the URL
	@scripts/lab.sh

test: setup lint unit notebooks-test lab-test check-charts browser-test pdf-test patterns check-notebooks ## everything CI checks
	@echo "make test: all checks passed"

lint:
	@echo "== gofmt, go vet"
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go' -not -path './.venv/*')); \
	  if [ -n "$$out" ]; then echo "gofmt would change: $$out"; exit 1; fi
	go vet ./...
	cd $(BROWSER) && go vet ./...

unit:
	@echo "== go test -race"
	go test -race -count=1 -timeout 10m ./...
	cd $(BROWSER) && go test -race -count=1 -timeout 5m ./...
	scripts/py -m unittest discover -s scripts -p 'test_*.py'

# The course runs once in make test, in JupyterLab (lab-test), which saves
# each notebook as run (solutions in place) for the handouts. The runner
# behind make run and refresh (nbclient) runs the first notebook; its page
# is built with the charts' scripts, which browser-setup fetches.
notebooks-test: browser-setup
	@echo "== make run's runner (nbclient) on the first notebook, exercises solved"
	@rm -rf build/test-handouts; tmp=$$(mktemp -d); trap 'rm -rf "$$tmp"' EXIT; \
	  $(BATCH) scripts/py scripts/nbrun.py --timeout $(CELL_TIMEOUT) --log build/kernel-test.log \
	    --solutions notebooks/solutions --out "$$tmp/notebooks" --html build/test-handouts/nbclient $(firstword $(NOTEBOOKS))

browser-setup: ## Chromium and local copies of the CDN scripts, for the browser checks
	@$(BROWSER)/install.sh

lab-test: browser-setup lab-selftest ## every notebook run in JupyterLab; one in Notebook 7
	@echo "== notebooks in JupyterLab: saved view, Run All, charts, progress, exercises, dark theme"
	@go build -C $(BROWSER) -o $(CURDIR)/bin/labtest ./cmd/labtest
	@rm -rf build/lab/notebooks
	@bin/labtest -root . -out build/lab -save build/lab/notebooks -min-charts 1 $(NOTEBOOKS)
	@echo "== a notebook in Notebook 7, with the kernel make lab uses"
	@bin/labtest -root . -out build/lab -kernels .venv/share/jupyter -ui notebook -min-charts 1 $(firstword $(NOTEBOOKS))

lab-selftest: browser-setup ## the browser packages against a real Chromium and Jupyter; the lab test fails on a broken notebook
	@echo "== the browser checks against Chromium and JupyterLab: examples, and the lab test's own fixtures"
	cd $(BROWSER) && go test -count=1 -timeout 15m -tags browser ./...

# The handouts are checked as a reader who got them by mail opens them: the
# folder copied elsewhere, opened from file:// with every request outside it
# refused. One page as plain nbconvert writes it keeps the charts' other
# paths checked: require.js and ECharts from a CDN (answered locally), or none.
browser-test: browser-setup ## every chart in the handouts shows, offline from a copy: drawn, and as an image with scripts off
	@echo "== handouts of the notebooks as run in JupyterLab, copied and opened with no network in headless Chromium: GitHub-like, scripts off, interactive"
	@ls build/lab/notebooks/*.ipynb >/dev/null 2>&1 || { echo "no notebooks in build/lab/notebooks: run make lab-test first"; exit 1; }
	@scripts/py scripts/handouts.py --quiet --out build/test-handouts build/lab/notebooks/*.ipynb
	@rm -rf build/test-plain && scripts/py -m nbconvert --log-level=WARN --to html --output-dir build/test-plain $$(ls build/lab/notebooks/*.ipynb | head -1)
	@$(BROWSER)/check.sh -min-charts 1 build/test-handouts $$(ls -d build/test-handouts/nbclient 2>/dev/null) build/test-plain/*.html

# The same pages printed as the PDF handouts are, then read back with
# poppler: an image for every chart, no line of code cut, page numbers and
# the course's contents right (bin/pdf fails otherwise).
.PHONY: pdf-test
pdf-test: browser-setup ## the PDF handouts of the pages browser-test checks: printed, and read back with poppler
	@echo "== PDF handouts of the notebooks as run in JupyterLab: printed by headless Chromium, checked with poppler"
	@ls build/test-handouts/[0-9]*.html >/dev/null 2>&1 || { echo "no pages in build/test-handouts: run make browser-test first"; exit 1; }
	@go build -C $(BROWSER) -o $(CURDIR)/bin/pdf ./cmd/pdf
	@rm -rf build/test-pdf && bin/pdf -out build/test-pdf build/test-handouts/[0-9]*.html

# Every chart of every notebook, as lab-test just rendered it: no value axis
# without its unit, no bar too small to see without its value, no speedup
# without its ideal, nothing lib/chart's own check found (labels outside the
# static image). The browser test adds labels outside the interactive chart.
check-charts:
	@echo "== every chart of the notebooks as run in JupyterLab: units, small bars, ideals, labels"
	@ls build/lab/notebooks/*.ipynb >/dev/null 2>&1 || { echo "no notebooks in build/lab/notebooks: run make lab-test first"; exit 1; }
	@scripts/py scripts/nbcheck.py --only-charts build/lab/notebooks/*.ipynb

# A reader can copy any pattern cell (plain Go, no course library) into a
# main.go: each is built on its own, in a module that cannot reach lib/.
patterns: setup ## every pattern cell of the notebooks compiles as a plain main.go, without the course library
	@echo "== pattern cells: each compiles as a plain main.go, without the course library"
	@go run ./scripts/patterns $(NOTEBOOKS)

check-notebooks:
	@echo "== committed notebooks: outputs saved, no errors, no machine paths"
	@scripts/py scripts/nbcheck.py --charts $(NOTEBOOKS)

clean:
	rm -rf build bin
