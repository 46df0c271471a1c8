#!/bin/bash
# Crash test: a writer appends batches and prints each acknowledged event
# count after its fdatasync; it is killed with SIGKILL at seeded random moments
# (KILLS times). After each kill, `qfs log check` must pass or report a torn
# tail (never corruption), and no acknowledged event may be missing. At the
# end the log must be byte-identical to an uninterrupted run of the same
# batches and replay to the same state hash.
#
# usage: crash_test.sh QFS CRASH_WRITER [KILLS] [SEED]
set -u
QFS="$1"
WRITER="$2"
KILLS="${3:-200}"
RANDOM="${4:-20261122}"
BATCHES=4000
PER=20
T="$(mktemp -d)"
trap 'rm -rf "$T"' EXIT
LOG="$T/crash.qlog"
fail() { echo "FAIL: $*" >&2; exit 1; }

acked=0
kills=0
torn=0
finished=0
while [ "$kills" -lt "$KILLS" ]; do
    "$WRITER" "$LOG" "$BATCHES" "$PER" >"$T/acks" 2>"$T/werr" &
    pid=$!
    # Between 1 and 40 ms: often while an append is in flight.
    sleep "0.0$(printf %02d $((1 + RANDOM % 40)))"
    kill -9 "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    status=$?
    last=$(tail -n 1 "$T/acks" | sed -n 's/^acked //p')
    [ -n "$last" ] && acked=$last
    if [ "$status" -eq 0 ]; then
        finished=1
        break
    fi
    [ "$status" -eq 137 ] || fail "writer exited $status: $(cat "$T/werr")"
    kills=$((kills + 1))
    "$QFS" log check "$LOG" >"$T/check" 2>"$T/cerr"
    rc=$?
    if [ "$rc" -eq 65 ]; then
        grep -q "torn tail" "$T/cerr" || fail "kill $kills: damage that is not a torn tail: $(cat "$T/cerr")"
        torn=$((torn + 1))
    elif [ "$rc" -ne 0 ]; then
        # A kill before the file header was complete leaves no log yet.
        [ "$acked" -eq 0 ] || fail "kill $kills: log check exit $rc: $(cat "$T/cerr")"
        continue
    fi
    have=$(sed -n 's/^events: //p' "$T/check")
    [ "${have:-0}" -ge "$acked" ] || fail "kill $kills: $acked events acknowledged, only ${have:-0} in the log"
done
[ "$finished" -eq 1 ] || "$WRITER" "$LOG" "$BATCHES" "$PER" >/dev/null || fail "final writer run failed"
"$QFS" log check "$LOG" >/dev/null || fail "final log does not check"

"$WRITER" "$T/clean.qlog" "$BATCHES" "$PER" >/dev/null || fail "uninterrupted run failed"
cmp -s "$LOG" "$T/clean.qlog" || fail "the crashed-and-resumed log differs from an uninterrupted run"
h1=$("$QFS" replay "$LOG" --json) || fail "replay of the crashed log failed"
h2=$("$QFS" replay "$T/clean.qlog" --json) || fail "replay of the clean log failed"
[ "$h1" = "$h2" ] || fail "state hashes differ: $h1 vs $h2"
echo "crash test: $kills kills, $torn torn tails seen and repaired, $((BATCHES * PER)) events, logs identical"
echo "$((kills + 1)) passed, 0 failed"
