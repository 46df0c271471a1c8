#!/bin/bash
# Load test of `qfs serve` (docs/SERVE.md, "Load"): loopback only, bounded in
# count and time. While a writer appends BATCHES batches (default 3600: an
# hour of one batch a second) of EVENTS events each (default 10) with
# `qfs append`, it measures requests per second of /metrics and /state
# (`ab` from apache2-utils when installed, else a curl loop), then reports
# serve's peak resident memory (VmHWM) and whether it reached the last head.
#
# The genesis registers ACCOUNTS users (default 1000), so that /state and
# /metrics have the size of a small economy; transfers go from alice to them
# in turn.
#
# usage: scripts/serve_load.sh [QFS_BINARY]   (default build/qfs)
#        BATCHES=N EVENTS=N ACCOUNTS=N REQUESTS=N LIMIT_S=N to change the bounds.
set -u
QFS="${1:-build/qfs}"
BATCHES="${BATCHES:-3600}"
EVENTS="${EVENTS:-10}"
REQUESTS="${REQUESTS:-2000}"
ACCOUNTS="${ACCOUNTS:-1000}"
LIMIT_S="${LIMIT_S:-900}"
QFS="$(cd "$(dirname "$QFS")" && pwd)/$(basename "$QFS")"
T="$(mktemp -d)"
SERVE_PID=""
APPEND_PID=""
cleanup() {
    for p in $APPEND_PID $SERVE_PID; do
        kill "$p" 2>/dev/null
        wait "$p" 2>/dev/null
    done
    rm -rf "$T"
}
trap cleanup EXIT
cd "$T" || exit 1
START=$(date +%s)

E18=000000000000000000
{
    printf '{"kind":"genesis","timestamp_ms":1000,"chain_id":"load","accounts":[{"id":"alice","kind":"user","balances":{"ATR":"1000000%s","T2":"1000000%s"}}' "$E18" "$E18"
    for a in $(seq 1 "$ACCOUNTS"); do printf ',{"id":"u%d","kind":"user","balances":{}}' "$a"; done
    printf ']}\n'
} > genesis.jsonl
"$QFS" append load.qlog genesis.jsonl >/dev/null 2>&1 || { echo "serve_load: genesis failed" >&2; exit 1; }

"$QFS" serve load.qlog --listen 127.0.0.1:0 2> serve.err &
SERVE_PID=$!
port=""
for _ in $(seq 100); do
    port=$(sed -n 's/^qfs serve: listening on 127\.0\.0\.1:\([0-9]*\),.*/\1/p' serve.err)
    [ -n "$port" ] && break
    sleep 0.1
done
[ -n "$port" ] || { echo "serve_load: serve did not start: $(cat serve.err)" >&2; exit 1; }
URL="http://127.0.0.1:$port"

# The writer: batch b holds EVENTS transfers of 1 T2 (fee 1 ATR base unit),
# the last of every 60th batch an epoch close (an epoch a minute).
appender() {
    local b i ts=2000 epoch=0
    for b in $(seq 1 "$BATCHES"); do
        [ $(($(date +%s) - START)) -ge "$LIMIT_S" ] && { echo "serve_load: time limit after $((b - 1)) batches" >&2; return; }
        {
            for i in $(seq 1 "$EVENTS"); do
                ts=$((ts + 1))
                if [ "$i" -eq "$EVENTS" ] && [ $((b % 60)) -eq 0 ]; then
                    echo "{\"kind\":\"epoch_close\",\"timestamp_ms\":$ts,\"epoch\":$epoch}"
                    epoch=$((epoch + 1))
                else
                    echo "{\"kind\":\"transfer\",\"timestamp_ms\":$ts,\"from\":\"alice\",\"to\":\"u$((ts % ACCOUNTS + 1))\",\"asset\":\"T2\",\"amount\":\"$E18\",\"fee_atr\":\"1\"}"
                fi
            done
        } | "$QFS" append load.qlog - >/dev/null 2>append.err || { echo "serve_load: append $b failed: $(head -1 append.err)" >&2; return; }
    done
}
appender &
APPEND_PID=$!

# rate PATH: requests per second of GET PATH while the writer runs.
rate() {
    if command -v ab >/dev/null; then
        ab -q -k -n "$REQUESTS" -c 4 "$URL$1" 2>/dev/null | sed -n 's/^Requests per second: *\([0-9.]*\).*/\1/p'
    else
        local t0 t1 n
        t0=$(date +%s%N)
        for n in $(seq 1 "$((REQUESTS / 10))"); do curl -s -o /dev/null "$URL$1"; done
        t1=$(date +%s%N)
        echo $((REQUESTS / 10 * 1000000000 / (t1 - t0)))
    fi
}
sleep 2
echo "while appending: /metrics $(rate /metrics) req/s, /state $(rate /state) req/s, /hash $(rate /hash) req/s" \
    "(${REQUESTS} requests each, 4 at a time)"
echo "/state is $(curl -s "$URL/state" | wc -c) bytes, /metrics $(curl -s "$URL/metrics" | wc -c) bytes"

wait "$APPEND_PID"
APPEND_PID=""
want=$(("$QFS" replay load.qlog 2>/dev/null) | sed -n 's/^events: //p')
for _ in $(seq 100); do
    curl -s "$URL/hash" | grep -q "\"events\":$want," && break
    sleep 0.1
done
got=$(curl -s "$URL/hash")
hwm=$(sed -n 's/^VmHWM: *//p' "/proc/$SERVE_PID/status")
rss=$(sed -n 's/^VmRSS: *//p' "/proc/$SERVE_PID/status")
echo "after $(($(date +%s) - START)) s: log $(stat -c %s load.qlog) bytes, $want events; serve at $got"
echo "serve memory: peak (VmHWM) $hwm, now (VmRSS) $rss"
echo "$got" | grep -q "\"events\":$want," || { echo "serve_load: serve did not reach the last head" >&2; exit 1; }
