#!/bin/sh
# Installs what the browser checks need, and does nothing already done:
#   - Chromium, from Debian's packages (the checks drive it headless), and
#     poppler-utils (the PDF handouts are checked with it);
#   - local copies of the scripts the course's pages load from a CDN
#     (ECharts, require.js) into build/npm, at the versions locked in
#     scripts/browser/npm/package-lock.json, so the checks never need the
#     network;
#   - the Go modules of the checks (scripts/browser/go.sum), so they build
#     offline afterwards.
# It also puts ECharts where the Jupyter server of make lab serves it
# (build/jupyter/static, see lib/chart's JupyterPath), so the charts in
# JupyterLab are interactive with no network.
#
#   install.sh            everything
#   install.sh --scripts  only the scripts (no Debian packages, no root)
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
here="$root/scripts/browser"
only_scripts=
case "${1:-}" in
--scripts) only_scripts=1 ;;
"") ;;
*)
	echo "usage: $0 [--scripts]" >&2
	exit 2
	;;
esac

# Debian packages: Chromium, and poppler-utils, whose tools read back the
# PDF handouts Chromium prints (cmd/pdf checks them with it).
missing=""
if [ -n "$only_scripts" ]; then
	: # make lab: the charts' scripts only
elif ! command -v chromium >/dev/null 2>&1 && ! command -v chromium-browser >/dev/null 2>&1 && ! command -v google-chrome >/dev/null 2>&1; then
	missing=" chromium"
fi
[ -n "$only_scripts" ] || for tool in pdfinfo pdftotext pdfimages pdftohtml; do
	if ! command -v "$tool" >/dev/null 2>&1; then
		missing="$missing poppler-utils"
		break
	fi
done
if [ -n "$missing" ]; then
	if [ ! -f /etc/debian_version ] || ! command -v apt-get >/dev/null 2>&1; then
		echo "install.sh: missing:$missing, and this is not Debian; install them by hand (Chromium or Chrome; poppler's pdfinfo, pdftotext, pdfimages, pdftohtml)" >&2
		exit 1
	fi
	if [ "$(id -u)" -ne 0 ]; then
		echo "install.sh: missing:$missing; run as root (or: sudo apt-get install$missing)" >&2
		exit 1
	fi
	echo "install.sh: installing$missing from Debian's packages"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -q >/dev/null
	# shellcheck disable=SC2086 # one word per package
	apt-get install -y -q $missing >/dev/null
fi

# lib/chart's loader names the ECharts version it wants; the local copy must be it.
want=$(sed -n 's/.*echarts@\([0-9.]*\)\/.*/\1/p' "$root/lib/chart/chart.go" | head -1)
locked=$(sed -n 's/.*"echarts": "\([0-9.]*\)".*/\1/p' "$here/npm/package.json")
if [ -n "$want" ] && [ "$want" != "$locked" ]; then
	echo "install.sh: lib/chart loads ECharts $want but scripts/browser/npm pins $locked: update package.json and package-lock.json" >&2
	exit 1
fi

npm_dir="$root/build/npm"
if ! cmp -s "$here/npm/package-lock.json" "$npm_dir/package-lock.json" || [ ! -f "$npm_dir/node_modules/echarts/dist/echarts.min.js" ]; then
	if ! command -v npm >/dev/null 2>&1; then
		echo "install.sh: npm is missing (Debian: apt-get install npm)" >&2
		exit 1
	fi
	echo "install.sh: installing ECharts $locked and require.js into build/npm"
	mkdir -p "$npm_dir"
	cp "$here/npm/package.json" "$here/npm/package-lock.json" "$npm_dir/"
	(cd "$npm_dir" && npm ci --silent --no-audit --no-fund)
fi

# The Jupyter server's copy, under the name lib/chart asks for.
jpath=$(sed -n 's/^var JupyterPath = "static\/\(.*\)"$/\1/p' "$root/lib/chart/chart.go")
case "$jpath" in
*"-$locked.min.js") ;;
*)
	echo "install.sh: lib/chart's JupyterPath ($jpath) does not name ECharts $locked" >&2
	exit 1
	;;
esac
mkdir -p "$(dirname "$root/build/jupyter/static/$jpath")"
cmp -s "$npm_dir/node_modules/echarts/dist/echarts.min.js" "$root/build/jupyter/static/$jpath" ||
	cp "$npm_dir/node_modules/echarts/dist/echarts.min.js" "$root/build/jupyter/static/$jpath"

[ -n "$only_scripts" ] || (cd "$here" && go mod download)
