#!/usr/bin/env bash
# lab.sh starts JupyterLab from .venv on the course's notebooks, listening on
# 127.0.0.1 only, with the GoNB kernel that scripts/setup.sh registered in
# .venv. It prints the address to open, with its token, before starting.
#
#   scripts/lab.sh [extra jupyter lab flags]      (LAB_PORT=8888 by default)
#
# Settings, workspaces, the notebook trust database and runtime files stay
# in build/jupyter: nothing is written to the user's own Jupyter folders.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
[ -x .venv/bin/jupyter ] || { echo "lab.sh: no .venv (run: make setup)" >&2; exit 1; }
export PATH="$ROOT/.venv/bin:$ROOT/bin:$PATH"
export JUPYTER_CONFIG_DIR="$ROOT/build/jupyter/config" JUPYTER_DATA_DIR="$ROOT/build/jupyter/data" \
  JUPYTER_RUNTIME_DIR="$ROOT/build/jupyter/runtime" JUPYTER_PLATFORM_DIRS=1
unset JUPYTER_PATH # the kernel comes from .venv, not from elsewhere
mkdir -p "$JUPYTER_CONFIG_DIR" "$JUPYTER_DATA_DIR" "$JUPYTER_RUNTIME_DIR"

# The server serves its own copy of ECharts (build/jupyter/static), which the
# charts load before trying the CDN: they stay interactive with no network.
# Without npm the charts still work online, and show their images offline.
scripts/browser/install.sh --scripts ||
  echo "lab.sh: no local copy of ECharts (see above): charts load it from the network, or show their images" >&2

# A free port, starting at LAB_PORT, and a fresh token.
port=$(python -c '
import socket, sys
p = int(sys.argv[1])
for p in range(p, p + 50):
    s = socket.socket()
    try:
        s.bind(("127.0.0.1", p))
        break
    except OSError:
        pass
    finally:
        s.close()
print(p)' "${LAB_PORT:-8888}")
export JUPYTER_TOKEN=${JUPYTER_TOKEN:-$(python -c 'import secrets; print(secrets.token_hex(24))')}
root_flag=()
[ "$(id -u)" = 0 ] && root_flag=(--allow-root)

url="http://127.0.0.1:$port/lab/tree/00-setup.ipynb?token=$JUPYTER_TOKEN"
printf '\nJupyterLab %s with the kernel "%s"\n  open: %s\n  stop: Ctrl+C twice\n\n' \
  "$(jupyter-lab --version)" "$(python -c 'import json; print(json.load(open(".venv/share/jupyter/kernels/gonb/kernel.json"))["display_name"])')" "$url"
exec jupyter lab --ServerApp.ip=127.0.0.1 --ServerApp.port="$port" --ServerApp.port_retries=0 \
  --MappingKernelManager.default_kernel_name=gonb \
  --ServerApp.root_dir="$ROOT/notebooks" --ServerApp.extra_static_paths="[\"$ROOT/build/jupyter/static\"]" \
  "${root_flag[@]}" "$@"
