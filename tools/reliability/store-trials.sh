#!/bin/bash
# The store trials of docs/RELIABILITY.md with one binary: growth over 30 imports, the full-disk
# sweep, damage, kill -9 during import (whole import, then from the first change of the store
# with double kills), and two processes on one database.
#
# Usage (as root, for the tmpfs of the full-disk sweep): tools/reliability/store-trials.sh BIN WORK
# Needs ../shared/reliability next to the project. Logs go to WORK/logs/*.log; each harness's
# last RESULT line is the figure.
set -eu
BIN=$(realpath "$1"); WORK=$(realpath -m "$2")
HERE=$(cd "$(dirname "$0")" && pwd); ROOT=$(cd "$HERE/../.." && pwd)
S=$(realpath "$ROOT/../shared/reliability")
mkdir -p "$WORK/logs" "$WORK/home"
export HOME=$WORK/home XDG_DATA_HOME=$WORK/home
cd "$WORK"
# A = the shipped data, B = gen 20000 seed 1, C = gen 3000 seed 9 (as the harness README says).
rm -rf A B C && mkdir A && cp -r "$ROOT/graphs" "$ROOT/seeds" A/
"$BIN" gen --enterprises 20000 --seed 1 B >/dev/null
"$BIN" gen --enterprises 3000 --seed 9 C >/dev/null

bash "$S/growth.sh" "$BIN" A B "$WORK/growth-db" 30 2>/dev/null > logs/growth.log

mkdir -p mnt && mount -t tmpfs -o size=12m tmpfs mnt
python3 "$S/diskfull.py" --bin "$BIN" --a A --b B --mnt "$WORK/mnt" --work "$WORK/diskfull" \
  --steps 30 --timeout 20 > logs/diskfull.log 2>&1 || true
umount mnt

rm -rf db-ab db-ba
"$BIN" --db db-ab import A >/dev/null && "$BIN" --db db-ab import B >/dev/null
"$BIN" --db db-ba import B >/dev/null && "$BIN" --db db-ba import A >/dev/null
python3 "$HERE/corrupt.py" --bin "$BIN" --db-src db-ab --db-src db-ba --work "$WORK/corrupt" \
  --trials 320 --failures "$WORK/corrupt-fail" > logs/corrupt.log 2>&1 || true

python3 "$S/kill_import.py" --bin "$BIN" --a A --b B --work "$WORK/kill" --trials 520 \
  --failures "$WORK/kill-fail" > logs/kill.log 2>&1 || true
python3 "$S/kill_import.py" --bin "$BIN" --a A --b B --work "$WORK/kill-focus" --trials 300 \
  --focus-store --double-kill 0.3 --failures "$WORK/kill-focus-fail" > logs/kill-focus.log 2>&1 || true

python3 "$S/concurrent.py" --bin "$BIN" --a A --b B --c C --work "$WORK/concurrent" --trials 100 \
  > logs/concurrent.log 2>&1 || true
grep -h "^RESULT" logs/*.log || true
