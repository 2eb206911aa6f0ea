#!/bin/sh
# Checks, in headless Chromium, that every lib/chart chart in the given HTML
# pages shows: as a static image with scripts removed, and with scripts but
# no network; and as an interactive chart with ECharts served locally.
#
#   scripts/browser/check.sh [-screenshots DIR] [-min-charts N] page.html...
#
# Installs Chromium and the local scripts first if they are missing.
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
if [ $# -eq 0 ]; then
	echo "usage: $0 [flags] page.html..." >&2
	exit 2
fi
"$root/scripts/browser/install.sh"

go build -C "$root/scripts/browser" -o "$root/bin/handouts" ./cmd/handouts
exec "$root/bin/handouts" -echarts "$root/build/npm/node_modules/echarts/dist/echarts.min.js" \
	-requirejs "$root/build/npm/node_modules/requirejs/require.js" "$@"
