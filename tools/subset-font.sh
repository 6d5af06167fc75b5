#!/bin/sh
# Rebuild assets/fonts/wqy-microhei-subset.ttf, the CJK font `chainkb draw -o x.png` bundles.
# Source: WenQuanYi Micro Hei 0.2.0-beta (Debian package fonts-wqy-microhei; Apache-2.0 or
# GPL-3+ with font exception — used here under Apache-2.0, see assets/fonts/README.md).
# Kept: ASCII and Latin-1, general and CJK punctuation, full-width forms, the 6763 hanzi of
# GB 2312, and every character in seeds/, graphs/, config/ and src/ (names in the data and labels).
# Needs: apt-get install fonts-wqy-microhei python3-fonttools
set -eu
cd "$(dirname "$0")/.."
SRC=${1:-/usr/share/fonts/truetype/wqy/wqy-microhei.ttc}
OUT=assets/fonts/wqy-microhei-subset.ttf
TEXT=$(mktemp)
trap 'rm -f "$TEXT"' EXIT
/usr/bin/python3 - "$TEXT" <<'PY'
import glob, sys
chars = set()
for row in range(0xB0, 0xF8):           # GB 2312 hanzi: rows 16-87
    for col in range(0xA1, 0xFF):
        try:
            chars.add(bytes([row, col]).decode("gb2312"))
        except UnicodeDecodeError:
            pass
for row in range(0xA1, 0xAA):           # GB 2312 symbols, full-width forms, kana, Greek, Cyrillic
    for col in range(0xA1, 0xFF):
        try:
            chars.add(bytes([row, col]).decode("gb2312"))
        except UnicodeDecodeError:
            pass
for pattern in ["seeds/*.csv", "graphs/*.toml", "config/*.toml", "src/**/*.rs"]:
    for path in glob.glob(pattern, recursive=True):
        chars.update(open(path, encoding="utf-8").read())
chars.update(chr(c) for c in range(0x20, 0x7F))
chars.update(chr(c) for c in range(0xA0, 0x100))
chars.update(chr(c) for c in range(0x2000, 0x2070))
chars.update(chr(c) for c in range(0x2190, 0x21A0))   # arrows
chars.update(chr(c) for c in range(0x3000, 0x3040))
chars.update(chr(c) for c in range(0xFF00, 0xFFF0))
chars = sorted(c for c in chars if c.isprintable() or c == " ")
open(sys.argv[1], "w", encoding="utf-8").write("".join(chars))
print(f"{len(chars)} characters", file=sys.stderr)
PY
/usr/bin/python3 -m fontTools.subset "$SRC" --font-number=0 --text-file="$TEXT" \
    --layout-features='*' --no-hinting --desubroutinize --output-file="$OUT"
ls -l "$OUT"
