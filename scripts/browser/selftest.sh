#!/bin/sh
# Tests the handout check on pages written by lib/chart: a standalone page
# with one chart of each kind, the same charts inserted into a page the way
# JupyterLab inserts outputs, and as notebook outputs exported by nbconvert
# (classic and lab templates, both with require.js).
# Screenshots of every page in every mode go to build/browser/shots.
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
out="$root/build/browser"
mkdir -p "$out"
cd "$root"
go run ./scripts/chartdemo -o "$out/chart-demo.html" -ipynb "$out/chart-demo.ipynb" \
	-labsim "$out/chart-demo-labsim.html" 2>/dev/null
pages="$out/chart-demo.html"
for template in classic lab; do
	scripts/py -m nbconvert --log-level=WARN --to html --template "$template" \
		--output "chart-demo-nbconvert-$template" --output-dir "$out" "$out/chart-demo.ipynb"
	pages="$pages $out/chart-demo-nbconvert-$template.html"
done
# The JupyterLab-style page builds its charts with a script, so it has
# none to show with scripts removed: check it with scripts only.
"$root/scripts/browser/check.sh" -screenshots "$out/shots" -modes offline,interactive "$out/chart-demo-labsim.html"
# shellcheck disable=SC2086 # pages is a list
exec "$root/scripts/browser/check.sh" -screenshots "$out/shots" $pages
