#!/usr/bin/env bash
# Renders an HTML report to a PNG screenshot with headless Chromium, to look at the pictures.
# Usage: Scripts/render_report.sh REPORT.html OUT.png [WIDTHxHEIGHT]   (default 1400x3000)
# Needs Debian's chromium package: apt-get install -y chromium
set -euo pipefail

if [ "$#" -lt 2 ] || [ "$#" -gt 3 ]; then
    echo "usage: $0 REPORT.html OUT.png [WIDTHxHEIGHT]" >&2
    exit 2
fi
html="$1"
png="$2"
size="${3:-1400x3000}"
if [ ! -f "$html" ]; then
    echo "error: no such report file: $html" >&2
    exit 1
fi
case "$size" in
    *x*) ;;
    *) echo "error: size '$size' is not WIDTHxHEIGHT" >&2; exit 2 ;;
esac

browser=""
for candidate in chromium chromium-browser google-chrome; do
    if command -v "$candidate" >/dev/null 2>&1; then
        browser="$candidate"
        break
    fi
done
if [ -z "$browser" ]; then
    echo "error: chromium not found. Install it with: apt-get install -y chromium" >&2
    exit 1
fi

abs_html="$(cd "$(dirname "$html")" && pwd)/$(basename "$html")"
mkdir -p "$(dirname "$png")"
abs_png="$(cd "$(dirname "$png")" && pwd)/$(basename "$png")"
profile="$(mktemp -d)"
trap 'rm -rf "$profile"' EXIT

"$browser" --headless --disable-gpu --no-sandbox --hide-scrollbars --no-first-run \
    --user-data-dir="$profile" --window-size="${size/x/,}" \
    --screenshot="$abs_png" "file://$abs_html" >/dev/null 2>&1

if [ ! -s "$abs_png" ]; then
    echo "error: chromium did not write $abs_png" >&2
    exit 1
fi
echo "wrote $abs_png"
