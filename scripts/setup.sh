#!/usr/bin/env bash
# setup.sh makes this checkout ready to run the notebooks, and does nothing
# that is already done:
#   1. Jupyter (nbconvert + nbclient) if `jupyter nbconvert` is missing;
#   2. gonb, goimports and gopls built from the versions pinned in go.mod into ./bin
#      (gopls in ./bin/lsp);
#   3. the GoNB kernelspecs, pointing at ./bin/gonb with ./bin and Go on their PATH;
#   4. every Go module the notebooks need, in the module cache, so they run offline.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
say() { printf '[setup] %s\n' "$*"; }
die() { printf '[setup] ERROR: %s\n' "$*" >&2; exit 1; }

command -v go >/dev/null || die "Go is not on PATH. Install Go 1.25 or newer from https://go.dev/dl/ and run make again."

# 1. Jupyter.
if ! jupyter nbconvert --version >/dev/null 2>&1 || ! scripts/py -c 'import nbclient, nbformat' >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    say "installing Jupyter from Debian packages (jupyter-notebook jupyter-nbconvert python3-nbclient)"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q >/dev/null
    apt-get install -y -q jupyter-notebook jupyter-nbconvert python3-nbclient >/dev/null
  elif command -v pip3 >/dev/null || command -v pip >/dev/null; then
    say "installing Jupyter with pip --user (jupyterlab nbconvert nbclient)"
    "$(command -v pip3 || command -v pip)" install --user -q jupyterlab nbconvert nbclient
    export PATH="$HOME/.local/bin:$PATH"
  else
    die "Jupyter is missing. Install it (Debian/Ubuntu as root: apt-get install jupyter-notebook jupyter-nbconvert python3-nbclient; elsewhere: pip install --user jupyterlab nbconvert nbclient) and run make again."
  fi
  jupyter nbconvert --version >/dev/null 2>&1 || die "jupyter nbconvert still not found on PATH after installing; add ~/.local/bin to PATH."
fi

# 2. Kernel tools, from go.mod's pinned versions. Rebuilt when go.mod changes.
mkdir -p bin
want=$(go list -m github.com/janpfeifer/gonb golang.org/x/tools golang.org/x/tools/gopls | tr '\n' ' ')
if [ ! -x bin/gonb ] || [ ! -x bin/goimports ] || [ ! -x bin/lsp/gopls ] || [ "$(cat bin/.versions 2>/dev/null)" != "$want" ]; then
  say "building gonb, goimports and gopls into ./bin (first time: about 2 minutes)"
  GOBIN="$ROOT/bin" go install tool
  mkdir -p bin/lsp && mv -f bin/gopls bin/lsp/gopls
  echo "$want" > bin/.versions
fi

# 3. Kernelspecs, both named gonb. The interactive one has ./bin/lsp on its
# PATH, so GoNB starts gopls for completion and docs; it is written to
# build/jupyter (used by make lab through JUPYTER_PATH) and to the user's
# Jupyter data dir (so a Jupyter started any other way finds it too). The batch
# one, in build/jupyter-batch, is for make run/refresh/test: without gopls,
# whose background work in a kernel's first seconds took CPU time from the
# experiments (a 2.0x speedup measured as 1.3x).
GOBIN_DIR=$(dirname "$(command -v go)")
write_spec() { # write_spec DIR PATH
  mkdir -p "$1"
  cat >"$1/kernel.json.new" <<JSON
{
  "argv": ["$ROOT/bin/gonb", "--kernel", "{connection_file}"],
  "display_name": "Go (gonb)",
  "language": "go",
  "interrupt_mode": "message",
  "env": {"PATH": "$2", "GOPROXY": "off"}
}
JSON
  if cmp -s "$1/kernel.json.new" "$1/kernel.json"; then rm "$1/kernel.json.new"; else mv "$1/kernel.json.new" "$1/kernel.json"; say "kernelspec written to $1"; fi
}
KPATH="$ROOT/bin:$GOBIN_DIR:/usr/local/bin:/usr/bin:/bin"
write_spec "$ROOT/build/jupyter/kernels/gonb" "$ROOT/bin/lsp:$KPATH"
USERDATA=$(JUPYTER_PATH= jupyter --data-dir 2>/dev/null || echo "$HOME/.local/share/jupyter")
write_spec "$USERDATA/kernels/gonb" "$ROOT/bin/lsp:$KPATH"
write_spec "$ROOT/build/jupyter-batch/kernels/gonb" "$KPATH"

# 4. Modules for offline use, and a warm build cache. GoNB compiles each cell in
# a module of its own that requires this one, with `go get`, `go build` and,
# for %test cells, `go test -c`; the warm-up does the same once, so that the
# first cells of the first notebook do not spend 20 s compiling the standard
# library's testing packages and the course library.
if [ ! -f build/.modules ] || [ go.sum -nt build/.modules ]; then
  say "downloading Go modules and compiling the course library (first time: about a minute)"
  go mod download
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
  touch build/.modules
fi
say "ready: $(bin/gonb --version 2>/dev/null | head -1 || echo gonb), $(go version | cut -d' ' -f3), $(jupyter nbconvert --version 2>/dev/null | sed 's/^/nbconvert /')"
