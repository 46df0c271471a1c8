#!/bin/bash
# Corruption sweep: every byte of a small multi-record log is changed in turn
# (inverted); every change must be refused by `qfs log check` and by
# `qfs replay` with exit 65 and a message naming a byte offset. The count of
# refused changes is printed.
set -u
QFS="$1"
# shellcheck source=lib/harness.bash
. "$(dirname "$0")/lib/harness.bash"
cd "$T" || exit 1
printf '%s\n' \
    '{"kind":"genesis","timestamp_ms":1,"chain_id":"sweep","accounts":[{"id":"a","kind":"user","balances":{"ATR":"100"}},{"id":"b","kind":"user","balances":{}}]}' \
    '{"kind":"transfer","timestamp_ms":2,"from":"a","to":"b","asset":"ATR","amount":"5","fee_atr":"1"}' > r1.jsonl
printf '%s\n' '{"kind":"user_action","timestamp_ms":3,"account":"a","action":"post","fee_atr":"2"}' > r2.jsonl
printf '%s\n' '{"kind":"epoch_close","timestamp_ms":4,"epoch":0}' \
    '{"kind":"transfer","timestamp_ms":5,"from":"b","to":"a","asset":"ATR","amount":"1","fee_atr":"1"}' > r3.jsonl
for f in r1 r2 r3; do "$QFS" append small.qlog "$f.jsonl" > /dev/null || exit 1; done
"$QFS" log check small.qlog > /dev/null || { echo "FAIL: the clean log does not check"; exit 1; }
size=$(stat -c %s small.qlog)
for ((off = 0; off < size; off++)); do
    cp small.qlog bad.qlog
    flip bad.qlog "$off"
    ok=1
    "$QFS" log check bad.qlog > /dev/null 2> err.txt
    [ $? -eq 65 ] && grep -q "byte offset [0-9]" err.txt || ok=0
    "$QFS" replay bad.qlog > /dev/null 2> err2.txt
    [ $? -eq 65 ] && grep -q "byte offset [0-9]" err2.txt || ok=0
    if [ "$ok" -eq 1 ]; then
        ok
    else
        bad "byte $off changed: $(cat err.txt) / $(cat err2.txt)"
    fi
done
echo "corruption sweep: $size bytes, $passes changes refused with exit 65 and a byte offset"
finish
