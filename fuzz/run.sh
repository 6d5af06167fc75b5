#!/bin/sh
# Run every fuzz target for SECONDS seconds (default 900), one after the other, at low
# priority: cargo-fuzz, a nightly toolchain, `cargo install cargo-fuzz`. Run from fuzz/.
# Each run's log (with libFuzzer's final stats) goes to logs/TARGET.log, its CPU time to
# logs/TARGET.time. New inputs go to corpus/TARGET (not committed); crashes to artifacts/.
set -u
SECONDS_EACH=${1:-900}
shift 2>/dev/null
TARGETS=${*:-query csv toml intake}
mkdir -p logs
cargo +nightly fuzz build -s none -a || exit 1
for t in $TARGETS; do
    case $t in query) len=4096 ;; *) len=8192 ;; esac
    mkdir -p corpus/$t
    /usr/bin/time -f "%U user %S sys %e wall (seconds)" -o logs/$t.time \
        nice -n 10 cargo +nightly fuzz run -s none -a $t corpus/$t seeds/$t -- \
        -max_total_time=$SECONDS_EACH -rss_limit_mb=2048 -timeout=10 -max_len=$len \
        -print_final_stats=1 > logs/$t.log 2>&1
    echo "$t: exit $? ($(cat logs/$t.time))"
done
