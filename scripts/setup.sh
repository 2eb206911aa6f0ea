#!/usr/bin/env bash
# setup.sh makes this checkout ready to run the notebooks, and does nothing
# that is already done. Everything it installs stays inside the checkout:
#   1. .venv: Jupyter (JupyterLab, Notebook 7, nbclient, nbconvert) at the
#      versions pinned in scripts/requirements.txt;
#   2. gonb, goimports and gopls built from the versions pinned in go.mod into ./bin
#      (gopls in ./bin/lsp);
#   3. the GoNB kernelspecs: the interactive one inside .venv, where that
#      Jupyter finds it, and the batch one in build/jupyter-batch;
#   4. every Go module the notebooks and the browser checks need, in Go's
#      module cache, so they run offline.
# The only things outside the checkout are system packages (python3-venv on
# Debian, if missing) and Go's own caches.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
say() { printf '[setup] %s\n' "$*"; }
die() { printf '[setup] ERROR: %s\n' "$*" >&2; exit 1; }

command -v go >/dev/null || die "Go is not on PATH. Install Go 1.25 or newer from https://go.dev/dl/ and run make again."

# 1. Python environment. The copy of the requirements inside .venv says what
# was installed, so an edited requirements file reinstalls.
REQ=scripts/requirements.txt
if [ ! -x .venv/bin/python ] || ! cmp -s "$REQ" .venv/requirements.installed; then
  PY=$(command -v python3 || true)
  [ -n "$PY" ] || die "python3 is missing. Install Python 3.10 or newer and run make again."
  if [ ! -x .venv/bin/python ]; then
    if ! "$PY" -m venv .venv >/dev/null 2>&1; then
      rm -rf .venv
      # Debian and Ubuntu split venv (with its pip) out of python3.
      if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
        say "installing python3-venv from Debian packages"
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -q >/dev/null
        apt-get install -y -q python3-venv >/dev/null
        "$PY" -m venv .venv
      else
        die "$PY cannot create a virtual environment. On Debian/Ubuntu: sudo apt-get install python3-venv; then run make again."
      fi
    fi
  fi
  say "installing Jupyter into .venv from $REQ (first time: about a minute)"
  .venv/bin/python -m pip install -q --require-virtualenv -r "$REQ" || die "pip could not install $REQ (is the Python package index reachable?)"
  cp "$REQ" .venv/requirements.installed
fi
export PATH="$ROOT/.venv/bin:$PATH"

# 2. Kernel tools, from go.mod's pinned versions. Rebuilt when go.mod changes.
# gonb and goimports build inside this module. gopls builds as its own
# module, at the version go.mod pins, with the x/tools it was released with:
# gopls uses x/tools internals, so it breaks whenever the library's
# dependencies move x/tools past gopls's own version.
mkdir -p bin
want=$(go list -m github.com/janpfeifer/gonb golang.org/x/tools golang.org/x/tools/gopls | tr '\n' ' ')
if [ ! -x bin/gonb ] || [ ! -x bin/goimports ] || [ ! -x bin/lsp/gopls ] || [ "$(cat bin/.versions 2>/dev/null)" != "$want" ]; then
  say "building gonb, goimports and gopls into ./bin (first time: about 2 minutes)"
  GOBIN="$ROOT/bin" go install github.com/janpfeifer/gonb golang.org/x/tools/cmd/goimports
  mkdir -p bin/lsp
  (cd bin && GOBIN="$ROOT/bin/lsp" GOFLAGS= go install "golang.org/x/tools/gopls@$(cd "$ROOT" && go list -m -f '{{.Version}}' golang.org/x/tools/gopls)")
  echo "$want" > bin/.versions
fi

# 3. Kernelspecs, both named gonb. The interactive one has ./bin/lsp on its
# PATH, so GoNB starts gopls for completion and docs; it lives in
# .venv/share/jupyter/kernels, where the Jupyter in .venv (make lab) finds
# it without anything in the user's own Jupyter folders. The batch one, in
# build/jupyter-batch, is for make run/refresh/test (put first through
# JUPYTER_PATH): without gopls, whose background work in a kernel's first
# seconds took CPU time from the experiments (a 2.0x speedup measured as 1.3x).
GOBIN_DIR=$(dirname "$(command -v go)")
write_spec() { # write_spec DIR PATH
  mkdir -p "$1"
  cat >"$1/kernel.json.new" <<JSON
{
  "argv": ["$ROOT/bin/gonb", "--kernel", "{connection_file}"],
  "display_name": "Go (gonb)",
  "language": "go",
  "interrupt_mode": "message",
  "env": {"PATH": "$2", "GOPROXY": "off", "GOFLAGS": "-ldflags=-s"}
}
JSON
  if cmp -s "$1/kernel.json.new" "$1/kernel.json"; then rm "$1/kernel.json.new"; else mv "$1/kernel.json.new" "$1/kernel.json"; say "kernelspec written to ${1#"$ROOT"/}"; fi
}
# GOFLAGS=-ldflags=-s: every cell is a go build whose time is mostly the
# link; without the symbol table and DWARF (-s implies -w) it takes about a
# third less (0.48 s of CPU instead of 0.71 s for a cell that imports
# lib/measure). Panics, execution traces and profiles keep their function
# names and lines: those come from the runtime's own tables, not the symbols.
# .venv/bin is on it too, so `python3` in a cell is the project's Python,
# with the packages the CPython comparisons need (aiohttp).
KPATH="$ROOT/bin:$ROOT/.venv/bin:$GOBIN_DIR:/usr/local/bin:/usr/bin:/bin"
write_spec "$ROOT/.venv/share/jupyter/kernels/gonb" "$ROOT/bin/lsp:$KPATH"
write_spec "$ROOT/build/jupyter-batch/kernels/gonb" "$KPATH"
rm -rf build/jupyter/kernels # where earlier versions of this script wrote it

# 4. Modules for offline use, and a warm build cache. GoNB compiles each cell in
# a module of its own that requires this one, with `go get`, `go build` and,
# for %test cells, `go test -c`; the warm-up does the same once, so that the
# first cells of the first notebook do not spend 20 s compiling the standard
# library's testing packages and the course library. The browser checks are a
# module of their own (scripts/browser); their modules are fetched too.
if [ ! -f build/.modules ] || [ go.sum -nt build/.modules ] || [ scripts/browser/go.sum -nt build/.modules ]; then
  say "downloading Go modules and compiling the course library (first time: about a minute)"
  go mod download
  (cd scripts/browser && go mod download)
  warm=$(mktemp -d)
  trap 'rm -rf "$warm"' EXIT
  imports=$(go list -f '{{if ne .Name "main"}}{{.ImportPath}}{{end}}' ./lib/... | sed 's/.*/\t_ "&"/')
  printf 'package main\n\nimport (\n%s\n)\n\nfunc main() {}\n' "$imports" >"$warm/main.go"
  printf 'package main\n\nimport "testing"\n\nfunc TestWarm(t *testing.T) {}\n' >"$warm/main_test.go"
  (
    cd "$warm"
    go mod init gonb_warmup >/dev/null 2>&1
    go mod edit -require=github.com/go-parallelism/go-parallelism@v0.0.0 -replace=github.com/go-parallelism/go-parallelism="$ROOT"
    go get -t >/dev/null 2>&1 || go get -t
    go build -o /dev/null .
    go test -c -o /dev/null .
  )
  # Notebook 05 runs a program under the race detector; compiling the
  # race-enabled runtime and standard library the first time takes longer
  # than a cell may.
  go build -race -o /dev/null ./lib/hazard/racedemo
  mkdir -p build && touch build/.modules
fi
say "ready: $( (bin/gonb --version 2>/dev/null || true) | head -1), $(go version | cut -d' ' -f3), jupyterlab $(.venv/bin/jupyter-lab --version 2>/dev/null), nbclient $(.venv/bin/python -c 'import nbclient; print(nbclient.__version__)')"
