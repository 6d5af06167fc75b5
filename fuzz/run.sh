#!/bin/sh
# Run fuzz targets for SECONDS seconds each (default 900), one after the other, at low
# priority: ./run.sh [SECONDS [TARGET…]] from fuzz/ (needs a nightly toolchain and
# `cargo install cargo-fuzz`). Each run's log, with libFuzzer's final stats, goes to
# $LOGS/TARGET.log (default logs/) and its CPU time to $LOGS/TARGET.time. New inputs go to
# corpus/TARGET, crashes to artifacts/TARGET (neither is committed).
set -u
SECONDS_EACH=${1:-900}
shift 2>/dev/null
TARGETS=${*:-query csv toml intake}
LOGS=${LOGS:-logs}
mkdir -p "$LOGS"
cargo +nightly fuzz build -s none -a || exit 1
for t in $TARGETS; do
    case $t in query) len=4096 ;; *) len=8192 ;; esac
    mkdir -p corpus/$t
    /usr/bin/time -f "%U user %S sys %e wall (seconds)" -o "$LOGS/$t.time" \
        nice -n 10 cargo +nightly fuzz run -s none -a $t corpus/$t seeds/$t -- \
        -max_total_time=$SECONDS_EACH -rss_limit_mb=2048 -timeout=10 -max_len=$len \
        -print_final_stats=1 > "$LOGS/$t.log" 2>&1
    echo "$t: exit $? ($(cat "$LOGS/$t.time"))"
done
