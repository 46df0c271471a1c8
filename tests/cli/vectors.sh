#!/bin/bash
# Runs every golden vector of vectors/v2 (the format is in vectors/README.md)
# against the built qfs: appends the events to a fresh log, checks the receipt
# of every event, the selected state fields and the pinned hashes. Prints one
# line per failure and "N passed, M failed" (vectors) as its last line.
#
# usage: vectors.sh QFS_BINARY SOURCE_DIR [NAME...]
#   NAME...  run only these vectors (file names without .jsonl)
# environment:
#   QFS_VECTORS_PRINT=1  also print the hashes the implementation produced, in
#                        the "hashes" layout of an expect file (to pin a new vector)
#
# Receipt codes: when `qfs replay` offers --trace (one JSON object per event
# with a "receipt" field naming the code, docs/SPEC.md section 8) the codes are
# read from the trace. Otherwise they are observed without one: the events
# are appended one at a time to a second log, and after each append
# `qfs replay --stats` reports the receipt count per code; the code whose count
# grew is the receipt of that event (none grew: accepted).
set -u
QFS="$1"
SRC="$2"
shift 2
DIR="$SRC/vectors/v2"
T="$(mktemp -d)"
trap 'rm -rf "$T"' EXIT

if ! command -v jq >/dev/null 2>&1; then
    echo "vectors.sh: jq is required (scripts/deps.sh installs it)" >&2
    exit 1
fi

HAVE_TRACE=0
"$QFS" replay --help 2>/dev/null | grep -q -- '--trace' && HAVE_TRACE=1

passes=0
fails=0
failed_names=""

# The jq program that evaluates one vector's checks against one state JSON.
# A path is dot-separated keys; "key[ID]" selects the element of the array
# under "key" whose "id" (for ballots: "voter") is ID, compared as text.
# Emits one line per failed check.
# shellcheck disable=SC2016
CHECK_JQ='
def sel($p):
  reduce ($p | split(".")[]) as $s (.;
    if . == null then null
    elif ($s | test("^[^\\[]+\\[[^\\]]+\\]$")) then
      ($s | capture("^(?<n>[^\\[]+)\\[(?<k>[^\\]]+)\\]$")) as $m
      | ([ (.[$m.n] // [])[] | select(((.id // .voter) | tostring) == $m.k) ] | .[0])
    else .[$s] end);
$state[0] as $st
| .checks[]
| select((.at // "last" | tostring) == $at)
| . as $c
| ($st | sel($c.path)) as $got
| select($got != $c.value)
| "\($c.path) (after event \($at)): want \($c.value | tojson), got \($got | tojson)"
'

# receipts_by_stats JSONL LOGDIR: prints one receipt name per event.
receipts_by_stats() {
    local jsonl="$1" work="$2" cur="" line
    : >"$work/prev.txt"
    while IFS= read -r line || [ -n "$line" ]; do
        [ -z "$line" ] && continue
        printf '%s\n' "$line" | "$QFS" append "$work/inc.qlog" - >/dev/null 2>"$work/err.txt" || {
            echo "?append"; continue; }
        "$QFS" replay "$work/inc.qlog" --stats >/dev/null 2>"$work/stats.txt" || { echo "?replay"; continue; }
        sed -n 's/^qfs replay:   rejected \([a-z_]*\) *\([0-9]*\)$/\1 \2/p' "$work/stats.txt" | sort >"$work/cur.txt"
        cur="$(comm -13 "$work/prev.txt" "$work/cur.txt" | awk '{print $1}')"
        if [ -z "$cur" ]; then echo accepted; else echo "$cur"; fi
        mv "$work/cur.txt" "$work/prev.txt"
    done <"$jsonl"
}

# receipts_by_trace LOG: one receipt name per event, from `qfs replay --trace`.
receipts_by_trace() {
    "$QFS" replay "$1" --trace "$1.trace" >/dev/null 2>&1 && jq -r '.receipt' "$1.trace"
}

run_vector() {
    local name="$1"
    local jsonl="$DIR/$name.jsonl" expect="$DIR/$name.expect.json"
    local work="$T/$name" errs=0
    mkdir -p "$work"
    fail() { echo "FAIL: $name: $*"; errs=$((errs + 1)); }

    if [ ! -f "$expect" ]; then fail "no $name.expect.json"; return 1; fi
    if ! jq -e '.format == "qfs-vector-v2"' "$expect" >/dev/null 2>&1; then
        fail "expect file is not valid JSON of format qfs-vector-v2"; return 1
    fi
    if ! "$QFS" append "$work/v.qlog" "$jsonl" >/dev/null 2>"$work/err.txt"; then
        fail "append: $(head -n 1 "$work/err.txt")"; return 1
    fi
    local n
    n="$(grep -c . "$jsonl")"

    # Receipts, event by event.
    jq -r '.receipts[]' "$expect" >"$work/want_receipts.txt"
    local got_from=stats
    if [ "$HAVE_TRACE" = 1 ]; then
        receipts_by_trace "$work/v.qlog" >"$work/got_receipts.txt"
        got_from=trace
        [ "$(grep -c . "$work/got_receipts.txt")" = "$n" ] || receipts_by_stats "$jsonl" "$work" >"$work/got_receipts.txt"
    else
        receipts_by_stats "$jsonl" "$work" >"$work/got_receipts.txt"
    fi
    if [ "$(grep -c . "$work/want_receipts.txt")" != "$n" ]; then
        fail "$n events but $(grep -c . "$work/want_receipts.txt") expected receipts"
    fi
    local i=0 want got
    while IFS= read -r want; do
        got="$(sed -n "$((i + 1))p" "$work/got_receipts.txt")"
        [ "$want" = "$got" ] || fail "event $i: receipt want $want, got ${got:-nothing} (via $got_from)"
        i=$((i + 1))
    done <"$work/want_receipts.txt"

    # Selected state fields, grouped by the event they follow.
    local at ats
    ats="$(jq -r '.checks[]? | (.at // "last") | tostring' "$expect" | sort -u)"
    for at in $ats; do
        if [ "$at" = last ]; then
            "$QFS" state "$work/v.qlog" >"$work/state.json" 2>"$work/err.txt"
        else
            "$QFS" state "$work/v.qlog" --at "$at" >"$work/state.json" 2>"$work/err.txt"
        fi || { fail "qfs state --at $at: $(head -n 1 "$work/err.txt")"; continue; }
        # Amounts, timestamps and proposal ids are digit strings in the state
        # JSON, so jq compares them exactly; counts and epochs are small integers.
        jq -r --arg at "$at" --slurpfile state "$work/state.json" "$CHECK_JQ" "$expect" >"$work/bad.txt" 2>&1 ||
            { fail "jq: $(head -n 1 "$work/bad.txt")"; continue; }
        while IFS= read -r line; do fail "$line"; done <"$work/bad.txt"
    done

    # Tally results (SPEC 5.9): a tallied proposal leaves the state, so its
    # result is read from the "tallies" of the epoch_close line of the trace.
    # Each expected entry names the close ("at"), the governance and the id;
    # every other field it lists must equal the trace's.
    if jq -e '(.tallies // []) | length > 0' "$expect" >/dev/null; then
        if [ "$HAVE_TRACE" != 1 ] || ! "$QFS" replay "$work/v.qlog" --trace "$work/t.trace" >/dev/null 2>&1; then
            fail "tallies: no trace"
        else
            jq -r --slurpfile tr "$work/t.trace" '
                .tallies[] as $w
                | ([$tr[] | select(.event == $w.at) | .tallies[]?
                    | select(.governance == $w.governance and .id == $w.id)] | .[0]) as $got
                | if $got == null then "tally \($w.governance) \($w.id) at event \($w.at): not in the trace"
                  else ($w | del(.at, .why) | to_entries[] | select($got[.key] != .value)
                        | "tally \($w.governance) \($w.id) at event \($w.at): \(.key) want \(.value | tojson), got \($got[.key] | tojson)")
                  end' "$expect" >"$work/bad.txt" 2>&1 || fail "jq tallies: $(head -n 1 "$work/bad.txt")"
            while IFS= read -r line; do fail "$line"; done <"$work/bad.txt"
        fi
    fi

    # Pinned hashes.
    if ! "$QFS" replay "$work/v.qlog" --json --modules >"$work/replay.json" 2>"$work/err.txt"; then
        fail "replay: $(head -n 1 "$work/err.txt")"
    else
        if [ "${QFS_VECTORS_PRINT:-0}" = 1 ]; then
            echo "$name:"
            jq '{hashes: {state_hash: .state_hash, modules: .modules}}' "$work/replay.json"
        fi
        local want_events
        want_events="$(jq -r '.receipts | length' "$expect")"
        [ "$(jq -r .events "$work/replay.json")" = "$want_events" ] ||
            fail "replay: $(jq -r .events "$work/replay.json") events, want $want_events"
        [ "$(jq -r .rejected "$work/replay.json")" = "$(jq -r '[.receipts[] | select(. != "accepted")] | length' "$expect")" ] ||
            fail "replay: $(jq -r .rejected "$work/replay.json") rejected, want the count of non-accepted receipts"
        if jq -e 'has("hashes")' "$expect" >/dev/null; then
            jq -r --slurpfile r "$work/replay.json" '
                ($r[0]) as $got
                | (if .hashes.state_hash != $got.state_hash
                   then "state hash: want \(.hashes.state_hash), got \($got.state_hash)" else empty end),
                  (.hashes.modules // {} | to_entries[]
                   | select($got.modules[.key] != .value)
                   | "module \(.key) hash: want \(.value), got \($got.modules[.key])")
                ' "$expect" >"$work/bad.txt"
            while IFS= read -r line; do fail "$line"; done <"$work/bad.txt"
        else
            fail "no pinned hashes (run with QFS_VECTORS_PRINT=1 to see them)"
        fi
    fi
    [ "$errs" -eq 0 ]
}

names=("$@")
if [ "${#names[@]}" -eq 0 ]; then
    for f in "$DIR"/*.jsonl; do
        b="$(basename "$f" .jsonl)"
        names+=("$b")
    done
fi
for name in "${names[@]}"; do
    if run_vector "$name"; then
        passes=$((passes + 1))
    else
        fails=$((fails + 1))
        failed_names="$failed_names $name"
    fi
done
[ "$fails" -eq 0 ] || echo "failed vectors:$failed_names"
echo "$passes passed, $fails failed"
[ "$fails" -eq 0 ] && [ "$passes" -gt 0 ]
