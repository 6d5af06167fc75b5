#!/usr/bin/env bash
# Render an SVG written by `chainkb draw` to PNG with headless Chromium, to look at it as a
# browser shows it. Needs Debian's chromium and fonts-noto-cjk (apt-get install chromium
# fonts-noto-cjk).
#
#   cargo run --release -- draw 锂电池 --in 玉溪高新区 -o lithium.svg
#   tools/render-svg.sh lithium.svg lithium.png
set -euo pipefail
svg=$(realpath "$1")
png=${2:-${1%.svg}.png}
width=$(grep -o 'width="[0-9]*"' "$svg" | head -1 | tr -dc 0-9)
height=$(grep -o 'height="[0-9]*"' "$svg" | head -1 | tr -dc 0-9)
profile=$(mktemp -d)
trap 'rm -rf "$profile"' EXIT
chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
  --disable-background-networking --disable-component-update --disable-sync \
  --user-data-dir="$profile" --window-size="$width,$height" \
  --screenshot="$(realpath -m "$png")" "file://$svg" 2>/dev/null
echo "wrote $png (${width}×${height})"
