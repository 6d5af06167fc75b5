#!/bin/sh
# Redraw the example pictures in docs/pictures/ from the bundled data (docs/PICTURES.md).
# Usage: tools/draw-pictures.sh [path/to/chainkb]   (default: cargo run --release)
set -eu
cd "$(dirname "$0")/.."
if [ $# -gt 0 ]; then CHAINKB="$1"; else cargo build --release; CHAINKB=target/release/chainkb; fi
out=docs/pictures
mkdir -p "$out"
"$CHAINKB" draw 锂电池 --in 玉溪高新区 -o "$out/lithium-yuxi.png"
"$CHAINKB" draw 卷烟及配套 --in 红塔区 -o "$out/tobacco-hongta.png"
"$CHAINKB" draw 绿色硅产业链 --in 楚雄州 -o "$out/silicon-chuxiong.png"
"$CHAINKB" draw 锂电池 --map --in 玉溪高新区 --targets -o "$out/lithium-map-targets.png"
"$CHAINKB" draw 锂电池 --applications --in 玉溪高新区 -o "$out/lithium-applications.png"
