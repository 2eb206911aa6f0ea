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

.PHONY: all setup run refresh test lint unit notebooks-test browser-setup browser-test lab-test lab-selftest check-notebooks lab clean
all: run

setup: ## install what is missing: .venv with Jupyter, the GoNB kernel, Go modules
	@scripts/setup.sh

run: setup ## execute every notebook into build/notebooks and write build/handouts
	@$(BATCH) scripts/py scripts/nbrun.py --timeout $(CELL_TIMEOUT) --out build/notebooks --html build/handouts $(NOTEBOOKS)

refresh: setup ## like run, then save the fresh outputs into notebooks/
	@$(BATCH) scripts/py scripts/nbrun.py --timeout $(CELL_TIMEOUT) --out build/notebooks --html build/handouts --refresh $(NOTEBOOKS)

lab: setup ## start JupyterLab on notebooks/ with the GoNB kernel; prints the URL
	@scripts/lab.sh

test: setup lint unit notebooks-test browser-test lab-test check-notebooks ## everything CI checks
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

notebooks-test:
	@echo "== notebooks, executed by the GoNB kernel into a temporary copy"
	@rm -rf build/test-handouts; tmp=$$(mktemp -d); trap 'rm -rf "$$tmp"' EXIT; \
	  $(BATCH) scripts/py scripts/nbrun.py --timeout $(CELL_TIMEOUT) --log build/kernel-test.log \
	    --solutions notebooks/solutions --out "$$tmp/notebooks" --html build/test-handouts $(NOTEBOOKS)

browser-setup: ## Chromium and local copies of the CDN scripts, for the browser checks
	@$(BROWSER)/install.sh

browser-test: browser-setup ## every chart in the handouts shows, with and without scripts
	@echo "== handouts in headless Chromium: static fallback, offline, interactive"
	@$(BROWSER)/check.sh -min-charts 1 $(patsubst notebooks/%.ipynb,build/test-handouts/%.html,$(NOTEBOOKS))

lab-test: browser-setup lab-selftest ## every notebook run in JupyterLab; one in Notebook 7
	@echo "== notebooks in JupyterLab: saved view, Run All, charts, progress, exercises"
	@go build -C $(BROWSER) -o $(CURDIR)/bin/labtest ./cmd/labtest
	@bin/labtest -root . -out build/lab -min-charts 1 $(NOTEBOOKS)
	@echo "== a notebook in Notebook 7"
	@bin/labtest -root . -out build/lab -ui notebook -min-charts 1 notebooks/00-setup.ipynb

lab-selftest: browser-setup ## the browser packages against a real Chromium and Jupyter; the lab test fails on a broken notebook
	@echo "== the browser checks against Chromium and JupyterLab: examples, and the lab test's own fixtures"
	cd $(BROWSER) && go test -count=1 -timeout 15m -tags browser ./...

check-notebooks:
	@echo "== committed notebooks: outputs saved, no errors, no machine paths"
	@scripts/py scripts/nbcheck.py $(NOTEBOOKS)

clean:
	rm -rf build bin
