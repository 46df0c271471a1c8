#!/bin/bash
# End-to-end tests of replay and state through the qfs binary. The scenario's
# outcomes are worked out by hand from docs/SPEC.md in the comments below.
set -u
QFS="$1"
# shellcheck source=lib/harness.bash
. "$(dirname "$0")/lib/harness.bash"
cd "$T" || exit 1

cat > sc.jsonl <<'JSON'
{"kind":"genesis","timestamp_ms":1000,"chain_id":"cli-test","accounts":[{"id":"alice","kind":"user","balances":{"ATR":"1000","T2":"500"}},{"id":"bob","kind":"user","balances":{}},{"id":"n1","kind":"infra_node","balances":{}}]}
{"kind":"transfer","timestamp_ms":1001,"from":"alice","to":"bob","asset":"T2","amount":"100","fee_atr":"10"}
{"kind":"transfer","timestamp_ms":1002,"from":"alice","to":"bob","asset":"NOD","amount":"1","fee_atr":"1"}
{"kind":"transfer","timestamp_ms":1003,"from":"alice","to":"bob","asset":"T2","amount":"1000","fee_atr":"1"}
{"kind":"user_action","timestamp_ms":1004,"account":"alice","action":"post","fee_atr":"25"}
{"kind":"epoch_close","timestamp_ms":1005,"epoch":0}
{"kind":"epoch_close","timestamp_ms":1006,"epoch":0}
{"kind":"transfer","timestamp_ms":900,"from":"alice","to":"bob","asset":"T2","amount":"1","fee_atr":"1"}
JSON
"$QFS" append sc.qlog sc.jsonl >/dev/null || bad "append"

# Receipts: 0 genesis ok; 1 transfer ok; 2 NOD transfer -> nod_not_transferable
# (10); 3 overdraft of T2 (400 left) -> insufficient_balance (8); 4 ok; 5 close
# of epoch 0 ok; 6 close of epoch 0 again (now epoch 1) -> wrong_epoch (17);
# 7 timestamp 900 < 1006 -> timestamp_regression (3).
"$QFS" replay sc.qlog --trace trace.jsonl > out.txt || bad "replay exit $?"
codes=$(sed 's/^{"code":\([0-9]*\),.*/\1/' trace.jsonl | tr '\n' ' ')
[ "$codes" = "0 0 10 8 0 0 17 3 " ] && ok || bad "receipt codes: $codes"
has trace.jsonl '{"code":10,"event":2,"kind":"transfer","receipt":"nod_not_transferable","timestamp_ms":"1002"}'
has out.txt "events: 8"
has out.txt "rejected: 4"

# After event 4: alice paid 100 T2 and fees 10 + 25 ATR: T2 400, ATR 965;
# bob T2 100. Fees 35 ATR in the treasury; NOD issued floor(10 x 0.1) +
# floor(25 x 0.1) = 1 + 2 = 3 into the pool (no node is active: it stays).
"$QFS" state sc.qlog --at 4 --module ledger > ledger.json || bad "state --at 4"
has ledger.json '{"balances":{"ATR":"965","NOD":"0","T1":"0","T2":"400","T3":"0","T4":"0","T5":"0"},"id":"alice","kind":"user"}'
has ledger.json '{"balances":{"ATR":"0","NOD":"0","T1":"0","T2":"100","T3":"0","T4":"0","T5":"0"},"id":"bob","kind":"user"}'
has ledger.json '"issued":{"ATR":"1000","NOD":"3","T1":"0","T2":"500","T3":"0","T4":"0","T5":"0"}'
"$QFS" state sc.qlog --module treasury > treasury.json
has treasury.json '"balances":{"ATR":"35",'
"$QFS" state sc.qlog --module nod > nod.json
has nod.json '"pool":"3"'
# The state after event 1 has not seen the user action yet.
"$QFS" state sc.qlog --at 1 --module ledger > l1.json
has l1.json '"ATR":"990",'
# A rejected event changes nothing but the receipts: states after 1 and 2
# differ only in the receipts module.
"$QFS" state sc.qlog --at 1 > s1.json
"$QFS" state sc.qlog --at 2 > s2.json
diff <(sed 's/"receipts":{[^}]*}//' s1.json) <(sed 's/"receipts":{[^}]*}//' s2.json) >/dev/null && ok ||
    bad "a rejected event changed more than the receipts"
cmp -s s1.json s2.json && bad "receipts did not change" || ok

# --decode-only reads and decodes every event and applies none: the same
# event count and chain head as the replay, no state hash.
"$QFS" replay sc.qlog --decode-only > dec.txt || bad "--decode-only"
has dec.txt "events: 8"
has dec.txt "chain head: $(sed -n 's/^chain head: //p' out.txt)"
grep -q "state hash" dec.txt && bad "--decode-only printed a state hash" || ok
"$QFS" replay sc.qlog --decode-only --runs 2 > /dev/null 2>&1; [ $? -eq 2 ] && ok || bad "--decode-only --runs is a usage error"

# Errors of state: no such event, unknown module. state --at and dump --from
# past the end agree: exit 65 and the same words (the log has 8 events, 0..7).
"$QFS" state sc.qlog --at 8 > /dev/null 2> err.txt; [ $? -eq 65 ] && ok || bad "state --at past the end"
has err.txt "qfs state: sc.qlog: event 8 is past the end of the log (8 events)"
"$QFS" dump sc.qlog --from 8 > dump.txt 2> err.txt; [ $? -eq 65 ] && ok || bad "dump --from past the end"
has err.txt "qfs dump: sc.qlog: event 8 is past the end of the log (8 events)"
[ ! -s dump.txt ] && ok || bad "dump --from past the end wrote events"
"$QFS" dump sc.qlog --from 7 > dump.txt 2> err.txt && [ "$(wc -l < dump.txt)" -eq 1 ] && ok || bad "dump --from the last event"
"$QFS" state sc.qlog --module nope > /dev/null 2> err.txt; [ $? -eq 2 ] && ok || bad "state --module nope"

# --expect: the printed hash passes, another fails with exit 1.
hash=$(sed -n 's/^state hash: //p' out.txt)
"$QFS" replay sc.qlog --expect "$hash" > /dev/null && ok || bad "--expect with the right hash"
"$QFS" replay sc.qlog --expect 0123456789abcdef0123456789abcdef > /dev/null 2>&1; [ $? -eq 1 ] && ok || bad "--expect mismatch"
"$QFS" replay sc.qlog --expect xyz > /dev/null 2>&1; [ $? -eq 2 ] && ok || bad "--expect with bad hex"

# --runs 5 on a simulated economy: five processes with different table seeds
# and allocation patterns agree, and agree with a single run.
"$QFS" simulate --seed 11 --events 20000 -o sim.qlog > /dev/null
"$QFS" replay sim.qlog --json > one.json || bad "single replay"
"$QFS" replay sim.qlog --runs 5 --json > five.json || bad "--runs 5 exit $?"
[ "$(sed 's/"runs":5,//' five.json)" = "$(cat one.json)" ] && ok || bad "--runs 5 differs from one run: $(cat five.json) vs $(cat one.json)"
# Each perturbation alone gives the same hash, and every module agrees.
"$QFS" replay sim.qlog --json --modules --table-seed 987654321 --alloc-skew 13 > seeded.json
"$QFS" replay sim.qlog --json --modules > plain.json
cmp -s seeded.json plain.json && ok || bad "a table seed or allocation skew changed the output"
# The state JSON is canonical and identical across replays.
"$QFS" state sim.qlog > st1.json; "$QFS" state sim.qlog > st2.json
cmp -s st1.json st2.json && ok || bad "state JSON differs between runs"
# No JSON number with a fraction or exponent: fixed point travels as strings.
grep -qE '[:,\[][0-9-]+[.eE]' st1.json && bad "a non-integer JSON number in the state" || ok

finish
