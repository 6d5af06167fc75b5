#!/usr/bin/env bash
# Print check of chainkb's hand-out workbooks (issue 15): writes the workbooks a chain-chief office
# prints, converts each to PDF with LibreOffice headless (as "print to PDF" would), and reports, per
# workbook, its sheets and the pages they print as. It fails unless
#   - every page carries the last column's header (the table is one page wide, and the header row
#     repeats on every page), and
#   - no data sheet of the 20-firm list takes more than one page.
# It leaves page images (PNG, 60 dpi) beside the PDFs to look at.
#
# Recorded 2026-12-06 (LibreOffice 7.4.7, seed data, `chainkb targets 锂电池 --in 玉溪高新区
# --limit 20 -o …xlsx`):
#   before (commit 0f27def): 16 sheets → 56 pages; page 1 shows only rank, enterprise, province,
#     city (pdftotext -f 1 -l 1), later pages without the header row.
#   after:  16 data sheets + 说明 → 18 pages: one page per data sheet (16), 说明 2; every data
#     page carries the header row with its last column (reason).
#   query 'fill 锂电池 in 玉溪高新区 | targets | where origin > 0' → 1 data page + 1 说明;
#   query 'status 锂电池 in 玉溪高新区' → 2 data pages, both with the header row, + 1 说明.
#
# Needs: libreoffice-calc (soffice), poppler-utils (pdfinfo, pdftotext, pdftoppm), unzip.
#   apt-get install -y --no-install-recommends libreoffice-calc poppler-utils unzip
# Usage: tools/check-print.sh [OUT_DIR]   (CHAINKB=path/to/chainkb, CHAINKB_DB=… as usual)
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${CHAINKB:-target/debug/chainkb}
OUT=${1:-target/check-print}
mkdir -p "$OUT"
rm -f "$OUT"/*.xlsx "$OUT"/*.pdf "$OUT"/*.png "$OUT"/*.csv

# name | command (written to $OUT/name.xlsx) — the first is the 20-firm list of the issue.
"$BIN" targets 锂电池 --in 玉溪高新区 --limit 20 -o "$OUT/targets-20.xlsx" 2>/dev/null
"$BIN" targets 锂电池 --in 玉溪高新区 --limit 20 -o "$OUT/targets-20.csv" 2>/dev/null
"$BIN" query 'fill 锂电池 in 玉溪高新区 | targets | where origin > 0' -o "$OUT/query-targets.xlsx" 2>/dev/null
"$BIN" query 'fill 锂电池 in 玉溪高新区 | targets | where origin > 0' -o "$OUT/query-targets.csv" 2>/dev/null
"$BIN" query 'status 锂电池 in 玉溪高新区' -o "$OUT/status.xlsx" 2>/dev/null
"$BIN" query 'status 锂电池 in 玉溪高新区' -o "$OUT/status.csv" 2>/dev/null

fail=0
for name in targets-20 query-targets status; do
  soffice --headless --convert-to pdf --outdir "$OUT" "$OUT/$name.xlsx" >/dev/null 2>&1
  pdf="$OUT/$name.pdf"
  pages=$(pdfinfo "$pdf" | awk '/^Pages:/ {print $2}')
  sheets=$(unzip -l "$OUT/$name.xlsx" | grep -c 'xl/worksheets/sheet[0-9]*\.xml')
  # The last header of the table (as the CSV of the same result writes it).
  last=$(head -1 "$OUT/$name.csv" | sed 's/^\xEF\xBB\xBF//; s/\r$//' | awk -F, '{print $NF}')
  # Pages of the data sheets: those before the last sheet (说明, which has no table header) starts
  # on the first page that says 生成日期.
  first_about=$(pdftotext "$pdf" - | awk -v RS='\f' '/生成日期/ {print NR; exit}')
  data_pages=$((first_about - 1))
  about_pages=$((pages - data_pages))
  missing=0
  for ((p = 1; p <= data_pages; p++)); do
    # (The page's text first: `grep -q` closing the pipe early would fail pdftotext.)
    page=$(pdftotext -f "$p" -l "$p" "$pdf" -)
    if ! grep -qF -- "$last" <<<"$page"; then
      missing=$((missing + 1))
      echo "  page $p has no '$last' header" >&2
    fi
  done
  echo "$name.xlsx: $sheets sheets (说明 included) → $pages pages ($data_pages of data, $about_pages of 说明); pages without the '$last' header: $missing"
  [ "$missing" -eq 0 ] || fail=1
  if [ "$name" = targets-20 ] && [ "$data_pages" -gt $((sheets - 1)) ]; then
    echo "  more pages than data sheets: a sheet of at most 20 firms should print on one page" >&2
    fail=1
  fi
  pdftoppm -png -r 60 -f 1 -l 2 "$pdf" "$OUT/$name"
done
echo "PDFs and page images in $OUT"
exit $fail
