# Go Parallelism: `make run` executes the course, `make test` checks it.
SHELL := /bin/bash
NOTEBOOKS := $(sort $(wildcard notebooks/[0-9]*.ipynb))
# Our kernelspec (build/jupyter) comes first, so every target uses this
# checkout's kernel and tools. Batch runs use the spec without gopls (see
# scripts/setup.sh), so that no background work competes with the experiments.
export JUPYTER_PATH := $(CURDIR)/build/jupyter
BATCH := JUPYTER_PATH=$(CURDIR)/build/jupyter-batch
export PATH := $(CURDIR)/bin:$(PATH)
CELL_TIMEOUT ?= 120

.PHONY: all setup run refresh test lint unit notebooks-test browser-test check-notebooks lab clean
all: run

setup: ## install what is missing: Jupyter, the GoNB kernel, Go modules
	@scripts/setup.sh

run: setup ## execute every notebook into build/notebooks and write build/handouts
	@$(BATCH) scripts/py scripts/nbrun.py --timeout $(CELL_TIMEOUT) --out build/notebooks --html build/handouts $(NOTEBOOKS)

refresh: setup ## like run, then save the fresh outputs into notebooks/
	@$(BATCH) scripts/py scripts/nbrun.py --timeout $(CELL_TIMEOUT) --out build/notebooks --html build/handouts --refresh $(NOTEBOOKS)

test: setup lint unit notebooks-test browser-test check-notebooks ## everything CI checks
	@echo "make test: all checks passed"

lint:
	@echo "== gofmt, go vet"
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	  if [ -n "$$out" ]; then echo "gofmt would change: $$out"; exit 1; fi
	go vet ./...

unit:
	@echo "== go test -race"
	go test -race -count=1 -timeout 10m ./...

notebooks-test:
	@echo "== notebooks, executed by the GoNB kernel into a temporary copy"
	@rm -rf build/test-handouts; tmp=$$(mktemp -d); trap 'rm -rf "$$tmp"' EXIT; \
	  $(BATCH) scripts/py scripts/nbrun.py --timeout $(CELL_TIMEOUT) --log build/kernel-test.log \
	    --solutions notebooks/solutions --out "$$tmp/notebooks" --html build/test-handouts $(NOTEBOOKS)

browser-test: ## every chart in the handouts shows, with and without scripts
	@echo "== handouts in headless Chromium: static fallback, offline, interactive"
	@scripts/browser/check.sh -min-charts 1 $(patsubst notebooks/%.ipynb,build/test-handouts/%.html,$(NOTEBOOKS))

check-notebooks:
	@echo "== committed notebooks: outputs saved, no errors, no machine paths"
	@scripts/py scripts/nbcheck.py $(NOTEBOOKS)

lab: setup ## start JupyterLab (or the classic Notebook) on notebooks/
	@cd notebooks && if jupyter lab --version >/dev/null 2>&1; then exec jupyter lab; else exec jupyter notebook; fi

clean:
	rm -rf build bin
