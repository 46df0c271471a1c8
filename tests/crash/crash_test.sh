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
BATCHES=400
PER=200
T="$(mktemp -d)"
trap 'rm -rf "$T"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

"$WRITER" "$T/clean.qlog" "$BATCHES" "$PER" >/dev/null || fail "uninterrupted run failed"
clean_hash=$("$QFS" replay "$T/clean.qlog" --json) || fail "replay of the clean log failed"

# One generation: a log written by a writer that is killed again and again
# until it finishes. Generations repeat until KILLS kills have happened.
kills=0
torn=0
generations=0
while [ "$kills" -lt "$KILLS" ]; do
    generations=$((generations + 1))
    LOG="$T/crash-$generations.qlog"
    acked=0
    while :; do
        "$WRITER" "$LOG" "$BATCHES" "$PER" >"$T/acks" 2>"$T/werr" &
        pid=$!
        # Between 1 and 30 ms: often while an append is in flight.
        sleep "0.0$(printf %02d $((1 + RANDOM % 30)))"
        kill -9 "$pid" 2>/dev/null
        wait "$pid" 2>/dev/null
        status=$?
        last=$(tail -n 1 "$T/acks" | sed -n 's/^acked //p')
        [ -n "$last" ] && acked=$last
        [ "$status" -eq 0 ] && break
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
    "$QFS" log check "$LOG" >/dev/null || fail "generation $generations: the final log does not check"
    cmp -s "$LOG" "$T/clean.qlog" || fail "generation $generations: the resumed log differs from an uninterrupted run"
    h=$("$QFS" replay "$LOG" --json) || fail "generation $generations: replay failed"
    [ "$h" = "$clean_hash" ] || fail "generation $generations: state hash differs: $h vs $clean_hash"
    rm -f "$LOG"
done
echo "crash test: $kills kills over $generations logs of $((BATCHES * PER)) events; $torn torn tails seen and repaired; every log identical to an uninterrupted run"
echo "$((kills + 1)) passed, 0 failed"
