#!/bin/bash
# Verified events per second of `qfs replay` on a signed log, on one thread
# and on every processor, against libsodium's own rate of single-signature
# verification on the same machine (the limit; docs/SPEC.md 13.1).
#
# usage: tests/tools/bench_verify.sh BUILD_DIR [EVENTS]   (default 1000000)
#
# Writes the log (genesis and EVENTS - 1 signed transfers) to a temporary
# directory, then times each command as a whole process, best of three.
set -eu
B="$1"
N="${2:-1000000}"
CORES=$(getconf _NPROCESSORS_ONLN)
D="$(mktemp -d)"
trap 'rm -rf "$D"' EXIT
"$B/tests/sign_log" bench "$D/signed.qlog" "$N"

# best of three wall-clock seconds of a command
wall() {
    local best=""
    for _ in 1 2 3; do
        local t0 t1 s
        t0=$(date +%s%N)
        "$@" > /dev/null
        t1=$(date +%s%N)
        s=$(((t1 - t0) / 1000))
        if [ -z "$best" ] || [ "$s" -lt "$best" ]; then best=$s; fi
    done
    echo "$best"
}
rate() { echo $((N * 1000000 / $1)); }

us=$(wall "$B/tests/bench_verify" "$N" 1)
echo "libsodium, 1 thread:            $(rate "$us") verifications/s"
us=$(wall "$B/tests/bench_verify" "$N" "$CORES")
echo "libsodium, $CORES threads:            $(rate "$us") verifications/s"
us=$(wall "$B/qfs" replay "$D/signed.qlog" --threads 1)
echo "qfs replay --threads 1:         $(rate "$us") verified events/s"
us=$(wall "$B/qfs" replay "$D/signed.qlog" --threads "$CORES")
echo "qfs replay --threads $CORES:         $(rate "$us") verified events/s"
us=$(wall "$B/qfs" replay "$D/signed.qlog" --decode-only)
echo "qfs replay --decode-only:       $(rate "$us") events/s (the floor without signatures or fold)"
