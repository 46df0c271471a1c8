#!/bin/bash
# End-to-end tests of append, dump, log check and simulate through the qfs
# binary: exit codes, messages naming file and line, byte-identical logs.
set -u
QFS="$1"
SRC="$2"
# shellcheck source=lib/harness.bash
. "$(dirname "$0")/lib/harness.bash"

# expect_exit CODE CMD...: runs CMD, checks its exit code.
expect_exit() {
    local want="$1"; shift
    "$@" >"$T/out" 2>"$T/err"
    local got=$?
    if [ "$got" -eq "$want" ]; then ok; else bad "exit $got (want $want): $* :: $(head -c 300 "$T/err")"; fi
}
expect_err() { # expect_err PATTERN: the last command's stderr matches
    if grep -qE -- "$1" "$T/err"; then ok; else bad "stderr lacks /$1/: $(head -c 300 "$T/err")"; fi
}

# --help on every command, exit 0, usage on stdout.
for c in "" append dump "log check" metrics simulate replay state; do
    # shellcheck disable=SC2086
    expect_exit 0 "$QFS" $c --help
    grep -q "usage: qfs" "$T/out" && ok || bad "no usage text for '$c --help'"
done
expect_exit 0 "$QFS" --version
expect_exit 2 "$QFS"
expect_exit 2 "$QFS" frobnicate
expect_exit 2 "$QFS" dump
expect_exit 2 "$QFS" dump a b
expect_exit 2 "$QFS" dump x.qlog --from
expect_exit 2 "$QFS" dump x.qlog --from=abc
expect_exit 2 "$QFS" simulate --seed 1 -o "$T/x.qlog"
expect_exit 74 "$QFS" dump "$T/missing.qlog"
expect_exit 74 "$QFS" append "$T/a.qlog" "$T/missing.jsonl"

# Simulate: same arguments, byte-identical logs; refuses to overwrite.
expect_exit 0 "$QFS" simulate --seed 7 --events 5000 --batch 512 -o "$T/s1.qlog"
expect_exit 0 "$QFS" simulate --seed 7 --events 5000 --batch 512 -o "$T/s2.qlog"
cmp -s "$T/s1.qlog" "$T/s2.qlog" && ok || bad "simulate is not byte-identical across runs"
expect_exit 0 "$QFS" simulate --seed 8 --events 5000 --batch 512 -o "$T/s3.qlog"
cmp -s "$T/s1.qlog" "$T/s3.qlog" && bad "different seeds gave identical logs" || ok
expect_exit 2 "$QFS" simulate --seed 7 --events 10 -o "$T/s1.qlog"
expect_err "exists"

# Check: 5000 events in ceil(5000/512) = 10 records.
expect_exit 0 "$QFS" log check "$T/s1.qlog"
grep -qx "events: 5000" "$T/out" && ok || bad "log check event count: $(cat "$T/out")"
grep -qx "records: 10" "$T/out" && ok || bad "log check record count: $(cat "$T/out")"
grep -qx "status: ok" "$T/out" && ok || bad "log check status"
expect_exit 0 "$QFS" log check --json "$T/s1.qlog"
grep -q '"events":5000' "$T/out" && grep -q '"status":"ok"' "$T/out" && ok || bad "log check --json: $(cat "$T/out")"

# Every kind occurs in a simulated log.
"$QFS" dump "$T/s1.qlog" >"$T/s1.jsonl" || bad "dump failed"
for k in genesis register_account transfer stake unstake coherence_report boost memory_contribution \
    user_action node_telemetry social_proposal social_vote infra_proposal infra_vote epoch_close; do
    grep -q "\"kind\":\"$k\"" "$T/s1.jsonl" && ok || bad "simulated log has no $k event"
done
[ "$(wc -l <"$T/s1.jsonl")" -eq 5000 ] && ok || bad "dump line count"

# dump | append in the same batch sizes gives a byte-identical log.
"$QFS" dump "$T/s1.qlog" | "$QFS" append --batch 512 "$T/copy.qlog" - >"$T/out" 2>"$T/err" || bad "append from dump failed: $(cat "$T/err")"
grep -qx "appended events 0..4999 (5000 events)" "$T/out" && ok || bad "append output: $(cat "$T/out")"
cmp -s "$T/s1.qlog" "$T/copy.qlog" && ok || bad "dump | append is not byte-identical"

# --from/--count select a window.
"$QFS" dump "$T/s1.qlog" --from 1234 --count 3 >"$T/win.jsonl" || bad "dump --from"
sed -n '1235,1237p' "$T/s1.jsonl" | cmp -s - "$T/win.jsonl" && ok || bad "dump --from 1234 --count 3 window"
expect_exit 65 "$QFS" dump "$T/s1.qlog" --from 99999
expect_err "event 99999 is past the end of the log \(5000 events\)"

# Bad lines: every one is named FILE:LINE, nothing is appended.
cp "$T/copy.qlog" "$T/before.qlog"
cat >"$T/bad.jsonl" <<'JSON'
{"kind":"epoch_close","timestamp_ms":1800000000000,"epoch":5}
{"kind":"transfer","timestamp_ms":1800000000001,"from":"a","to":"b","asset":"T2","ammount":"1","fee_atr":"0"}

{"kind":"coherence_report","timestamp_ms":1800000000002,"validator":"v","psi":0.7}
not json
{"kind":"epoch_close","timestamp_ms":1800000000003,"epoch":6}
JSON
expect_exit 65 "$QFS" append "$T/copy.qlog" "$T/bad.jsonl"
expect_err "bad.jsonl:2(:[0-9]+)?: .*ammount"
expect_err "bad.jsonl:4(:[0-9]+)?: "
expect_err "bad.jsonl:5(:[0-9]+)?: "
grep -q "bad.jsonl:1:" "$T/err" && bad "a good line was reported" || ok
grep -q "bad.jsonl:6:" "$T/err" && bad "a good line was reported" || ok
cmp -s "$T/copy.qlog" "$T/before.qlog" && ok || bad "a failed append changed the log"

# Good lines from stdin, appended after the existing events.
printf '%s\n' '{"kind":"epoch_close","timestamp_ms":1800000000000,"epoch":5}' |
    "$QFS" append "$T/copy.qlog" >"$T/out" 2>"$T/err" && ok || bad "append from stdin"
grep -qx "appended events 5000..5000 (1 event)" "$T/out" && ok || bad "append range: $(cat "$T/out")"

# Torn tail: cut the last record short; readers refuse (65), append repairs.
size=$(stat -c %s "$T/s1.qlog")
head -c $((size - 7)) "$T/s1.qlog" >"$T/torn.qlog"
expect_exit 65 "$QFS" log check "$T/torn.qlog"
expect_err "torn"
grep -qx "events: 4608" "$T/out" && ok || bad "torn log: whole events before the tail (9 x 512): $(cat "$T/out")"
expect_exit 65 "$QFS" dump "$T/torn.qlog"
cmp -s "$T/torn.qlog" <(head -c $((size - 7)) "$T/s1.qlog") && ok || bad "a reader modified a torn log"
printf '%s\n' '{"kind":"epoch_close","timestamp_ms":1800000000000,"epoch":5}' >"$T/one.jsonl"
expect_exit 0 "$QFS" append "$T/torn.qlog" "$T/one.jsonl"
expect_err "torn tail"
grep -qx "appended events 4608..4608 (1 event)" "$T/out" && ok || bad "append after repair: $(cat "$T/out")"
expect_exit 0 "$QFS" log check "$T/torn.qlog"

# Corruption: a flipped byte in the middle of the file is refused by every
# reader (exit 65, byte offset named); the file is untouched.
cp "$T/s1.qlog" "$T/corrupt.qlog"
flip "$T/corrupt.qlog" $((size / 2))
cp "$T/corrupt.qlog" "$T/corrupt.orig"
expect_exit 65 "$QFS" log check "$T/corrupt.qlog"
expect_err "corrupt at byte offset [0-9]+"
expect_exit 65 "$QFS" dump "$T/corrupt.qlog"
expect_err "byte offset [0-9]+"
cmp -s "$T/corrupt.qlog" "$T/corrupt.orig" && ok || bad "a reader modified a corrupt log"
# Append verifies every record in full, as log check does, and never
# appends behind damage. A damaged header of the first record (file offset
# 64 + 30, inside its body checksum) is refused and the file is left untouched.
cp "$T/s1.qlog" "$T/corrupt2.qlog"
flip "$T/corrupt2.qlog" 94
cp "$T/corrupt2.qlog" "$T/corrupt2.orig"
expect_exit 65 "$QFS" append "$T/corrupt2.qlog" "$T/one.jsonl"
expect_err "byte offset 64"
cmp -s "$T/corrupt2.qlog" "$T/corrupt2.orig" && ok || bad "append modified a corrupt log"
# A damaged body in the middle of the log (the middle byte of the file lies
# in the body of a record that is neither the first nor the last): refused.
expect_exit 65 "$QFS" append "$T/corrupt.qlog" "$T/one.jsonl"
expect_err "body checksum mismatch"
cmp -s "$T/corrupt.qlog" "$T/corrupt.orig" && ok || bad "append modified a log with a damaged body"
# A last record whose checksums hold but whose frame expands past its
# header's claim (a zstd bomb): refused too.
"$(dirname "$QFS")/tests/craft_log" bomb "$T/bomb.qlog"
cp "$T/bomb.qlog" "$T/bomb.orig"
expect_exit 65 "$QFS" append "$T/bomb.qlog" "$T/one.jsonl"
expect_err "zstd frame declares"
cmp -s "$T/bomb.qlog" "$T/bomb.orig" && ok || bad "append modified a bomb log"
# A damaged body of the last record is refused too.
cp "$T/s1.qlog" "$T/corrupt3.qlog"
flip "$T/corrupt3.qlog" $((size - 100))
expect_exit 65 "$QFS" append "$T/corrupt3.qlog" "$T/one.jsonl"
expect_err "corrupt|checksum"

# A crash while the file header was being written leaves a prefix of it:
# append rewrites it (positive evidence: every byte is the header's own or 0).
head -c 40 "$T/s1.qlog" > "$T/partial.qlog"
expect_exit 0 "$QFS" append "$T/partial.qlog" "$T/one.jsonl"
expect_err "torn tail of 40 bytes at byte offset 0"
expect_exit 0 "$QFS" log check "$T/partial.qlog"
head -c 20 "$T/s1.qlog" > "$T/partial0.qlog"; head -c 20 /dev/zero >> "$T/partial0.qlog"
expect_exit 0 "$QFS" append "$T/partial0.qlog" "$T/one.jsonl"
# A short file that is not a prefix of our header is someone else's: refused.
printf 'hello' > "$T/short.qlog"
expect_exit 65 "$QFS" append "$T/short.qlog" "$T/one.jsonl"
[ "$(cat "$T/short.qlog")" = "hello" ] && ok || bad "append overwrote a short foreign file"

# Not a log at all.
echo "hello" >"$T/text.qlog"
expect_exit 65 "$QFS" log check "$T/text.qlog"
expect_exit 65 "$QFS" append "$T/text.qlog" "$T/one.jsonl"

# A LOG must be a regular file: a FIFO (with or without a writer on the other
# end), a device or a /proc file is refused at once with exit 74, never
# waited on and never read as an empty log. `timeout` turns a hang into a
# failure.
mkfifo "$T/p.qlog"
for c in replay "log check" dump state; do
    # shellcheck disable=SC2086
    expect_exit 74 timeout 10 "$QFS" $c "$T/p.qlog"
    expect_err "not a regular file"
done
expect_exit 74 timeout 10 "$QFS" append "$T/p.qlog" "$T/one.jsonl"
expect_err "not a regular file"
sleep 20 > "$T/p.qlog" &
holder=$!
expect_exit 74 timeout 10 "$QFS" replay "$T/p.qlog"
expect_err "not a regular file"
kill "$holder" 2>/dev/null
wait "$holder" 2>/dev/null
expect_exit 74 timeout 10 "$QFS" replay /dev/zero
expect_err "not a regular file"
expect_exit 74 timeout 10 "$QFS" log check /proc/self/status
expect_err "not a regular file"

# One writer at a time: while another process holds the log's lock, append
# is refused with exit 74 and the log is unchanged.
if command -v flock >/dev/null 2>&1; then
    cp "$T/s1.qlog" "$T/locked.qlog"
    expect_exit 74 flock "$T/locked.qlog" "$QFS" append "$T/locked.qlog" "$T/one.jsonl"
    expect_err "another writer has it open"
    cmp -s "$T/s1.qlog" "$T/locked.qlog" && ok || bad "a refused writer changed the log"
    expect_exit 0 "$QFS" append "$T/locked.qlog" "$T/one.jsonl"
fi

finish
