#!/bin/sh
# Installs what the browser check needs: Debian's chromium, and a local copy
# of ECharts (the version go-echarts v2.6.0 is written for) and of
# require.js (the version nbconvert's classic template loads) under
# build/npm, so the check never touches the network. Safe to run again.
set -eu

ECHARTS_VERSION=5.4.3
REQUIREJS_VERSION=2.1.10
root=$(cd "$(dirname "$0")/../.." && pwd)

if ! command -v chromium >/dev/null 2>&1; then
	if [ ! -f /etc/debian_version ] || ! command -v apt-get >/dev/null 2>&1; then
		echo "install.sh: chromium is missing and this is not Debian; install Chromium by hand" >&2
		exit 1
	fi
	if [ "$(id -u)" -ne 0 ]; then
		echo "install.sh: chromium is missing; run as root (or: sudo apt-get install chromium)" >&2
		exit 1
	fi
	# Update the package lists once per machine, not on every run.
	if [ ! -f /var/lib/apt/periodic/go-parallelism-updated ]; then
		apt-get update
		mkdir -p /var/lib/apt/periodic && touch /var/lib/apt/periodic/go-parallelism-updated
	fi
	DEBIAN_FRONTEND=noninteractive apt-get install -y chromium
fi

npm_dir="$root/build/npm"
if [ ! -f "$npm_dir/node_modules/echarts/dist/echarts.min.js" ] || [ ! -f "$npm_dir/node_modules/requirejs/require.js" ] ||
	! grep -q "\"version\": \"$ECHARTS_VERSION\"" "$npm_dir/node_modules/echarts/package.json"; then
	if ! command -v npm >/dev/null 2>&1; then
		echo "install.sh: npm is missing (Debian: apt-get install npm)" >&2
		exit 1
	fi
	mkdir -p "$npm_dir"
	npm install --silent --no-audit --no-fund --prefix "$npm_dir" "echarts@$ECHARTS_VERSION" "requirejs@$REQUIREJS_VERSION"
fi
echo "install.sh: $(chromium --version 2>/dev/null | head -1); echarts $ECHARTS_VERSION and require.js $REQUIREJS_VERSION in build/npm"
