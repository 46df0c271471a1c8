#!/bin/sh
# Opt-in soak test (not part of CI): simulates a log of EVENTS events (default
# 100 million; about 1.4 GB and a few minutes here), verifies it, and replays
# it, printing the peak resident memory of each step next to that of a log a
# hundred times smaller. Reading is streaming: `log check` and the reader
# under `replay` stay flat whatever the log's length; the state itself grows
# only with what the economy holds (accounts, proposals, memory nodes).
#
# usage: sh scripts/soak.sh [EVENTS] [DIR]
set -eu
cd "$(dirname "$0")/.."
EVENTS="${1:-100000000}"
DIR="${2:-out}"
SMALL=$((EVENTS / 100))
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j"$(nproc)" --target qfs >/dev/null
mkdir -p "$DIR"
for n in "$SMALL" "$EVENTS"; do
    log="$DIR/soak-$n.qlog"
    # Unauthenticated: the soak measures the fold and memory, not Ed25519
    # (signed replays are bounded by signature checks; scripts/bench_verify.sh).
    ./build/qfs simulate --seed 1 --events "$n" --auth none --force -o "$log" >/dev/null
    echo "== $n events, $(stat -c %s "$log") bytes"
    ./build/qfs log check "$log" | sed 's/^/   /'
    ./build/qfs replay "$log" --stats 2>&1 | sed 's/^/   /'
done
