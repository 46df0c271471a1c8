#!/bin/bash
# End-to-end tests of `qfs diff`: logs that differ at a known event, logs
# whose genesis differs in one parameter, equal logs, states, traces and bad
# inputs. The expected divergences are worked out by hand in the comments.
set -u
QFS="$1"
# shellcheck source=lib/harness.bash
. "$(dirname "$0")/lib/harness.bash"
cd "$T" || exit 1

cat > a.jsonl <<'JSON'
{"kind":"genesis","timestamp_ms":1000,"chain_id":"diff-test","accounts":[{"id":"alice","kind":"user","balances":{"ATR":"1000","T2":"500"}},{"id":"bob","kind":"user","balances":{}}]}
{"kind":"transfer","timestamp_ms":1001,"from":"alice","to":"bob","asset":"T2","amount":"100","fee_atr":"10"}
{"kind":"epoch_close","timestamp_ms":1002,"epoch":0}
{"kind":"transfer","timestamp_ms":1003,"from":"alice","to":"bob","asset":"T2","amount":"7","fee_atr":"1"}
{"kind":"transfer","timestamp_ms":1004,"from":"alice","to":"bob","asset":"T2","amount":"1","fee_atr":"1"}
{"kind":"epoch_close","timestamp_ms":1005,"epoch":1}
{"kind":"transfer","timestamp_ms":1006,"from":"alice","to":"bob","asset":"T2","amount":"1","fee_atr":"1"}
JSON
# b: event 3 moves 8 T2 instead of 7.
sed '4s/"amount":"7"/"amount":"8"/' a.jsonl > b.jsonl
# g: the same events but the genesis sets t2_pool to 5 base units.
sed '1s/"chain_id":"diff-test"/"chain_id":"diff-test","params":{"t2_pool":"5"}/' a.jsonl > g.jsonl
# s: the first three events of a.
head -3 a.jsonl > s.jsonl
for f in a b g s; do "$QFS" append $f.qlog $f.jsonl >/dev/null || bad "append $f"; done
cp a.qlog a2.qlog

# Equal logs: exit 0 and the state hash replay prints.
"$QFS" diff a.qlog a2.qlog > out.txt && ok || bad "equal logs: exit $?"
has out.txt "same: 7 events, state hash $("$QFS" replay a.qlog 2>/dev/null | sed -n 's/^state hash: //p')"

# a and b: events 0..2 are equal, so are the states at the close of epoch 0
# (event 2). Event 3 differs, in epoch 1: alice has 500 - 100 = 400 T2, then
# 393 in a and 392 in b. Fees are equal, so only the ledger differs.
"$QFS" diff a.qlog b.qlog > out.txt
[ $? -eq 1 ] && ok || bad "a b: not exit 1"
[ "$(head -1 out.txt)" = "diverge at event 3 (epoch 1): module ledger differs; ledger.accounts[alice].balances.T2 393 != 392" ] &&
    ok || bad "a b: $(head -1 out.txt)"
has out.txt "first differing event: 3"
has out.txt '  b: {"amount":"8","asset":"T2",'
has out.txt "first differing state: after event 3 (epoch 1)"
"$QFS" diff --json a.qlog b.qlog > out.json
[ $? -eq 1 ] && ok || bad "a b --json: not exit 1"
[ "$(wc -l < out.json)" -eq 1 ] && ok || bad "--json is not one line"
has out.json '"state_diff":{"entries":[{"a":"393","b":"392","path":"ledger.accounts[alice].balances.T2"}],"epoch":1,"event":3,"modules":["ledger"]}'
has out.json '"same":false'
has out.json '"summary":"diverge at event 3 (epoch 1): module ledger differs;'

# a and g: the genesis events differ (params), and so do the states from
# event 0 on, in governance only (the parameter table).
"$QFS" diff a.qlog g.qlog > out.txt
[ $? -eq 1 ] && ok || bad "a g: not exit 1"
[ "$(head -1 out.txt)" = "diverge at event 0 (epoch 0): module governance differs; governance.params.t2_pool 10000000000000000000000 != 5" ] &&
    ok || bad "a g: $(head -1 out.txt)"
has out.txt "first differing event: 0"

# a and its prefix s: the events differ at 3 (s ends there); the states after
# event 2 are equal.
"$QFS" diff a.qlog s.qlog > out.txt
[ $? -eq 1 ] && ok || bad "a s: not exit 1"
has out.txt "events differ at event 3 (B ends); states equal before it"

# States: those after a and b, the same difference at the end of the logs
# (alice 400 - 7 - 1 - 1 = 391 against 390).
"$QFS" state a.qlog > sa.json 2>/dev/null
"$QFS" state b.qlog > sb.json 2>/dev/null
"$QFS" diff sa.json sb.json > out.txt
[ $? -eq 1 ] && ok || bad "states: not exit 1"
has out.txt "states differ: module ledger differs; ledger.accounts[alice].balances.T2 391 != 390"
"$QFS" diff sa.json sa.json > out.txt && ok || bad "equal states: exit $?"
has out.txt "same: states equal"

# Traces: in c, every later 1 T2 transfer moves 1000 T2 instead, so event 4
# is refused for insufficient_balance (8) where a accepts it.
sed '5,$s/"amount":"1",/"amount":"1000",/' a.jsonl > c.jsonl
"$QFS" append c.qlog c.jsonl >/dev/null || bad "append c"
"$QFS" replay a.qlog --trace ta.jsonl >/dev/null 2>&1
"$QFS" replay a2.qlog --trace ta2.jsonl >/dev/null 2>&1
"$QFS" replay c.qlog --trace tc.jsonl >/dev/null 2>&1
"$QFS" diff ta.jsonl tc.jsonl > out.txt
[ $? -eq 1 ] && ok || bad "traces: not exit 1"
[ "$(head -1 out.txt)" = "traces differ at event 4: code 0 != 8" ] && ok || bad "traces: $(head -1 out.txt)"
"$QFS" diff ta.jsonl ta2.jsonl > out.txt && ok || bad "equal traces: exit $?"
has out.txt "same: 7 events"

# An epoch close's tallies hold both governances' proposals, whose ids
# repeat: infra "0" and social "0" are two elements, named by governance and
# id. Identical traces are the same; a changed social tally is reported at
# the social element with both its values (5 in t1, 6 in t2).
cat > t1.trace <<'JSON'
{"code":0,"event":0,"kind":"epoch_close","receipt":"accepted","tallies":[{"abstain":"0","governance":"infra","id":"0"},{"abstain":"5","governance":"social","id":"0"}],"timestamp_ms":"1"}
JSON
sed 's/"abstain":"5"/"abstain":"6"/' t1.trace > t2.trace
cp t1.trace t1b.trace
"$QFS" diff t1.trace t1b.trace > out.txt && ok || bad "equal traces with tallies: exit $?"
has out.txt "same: 1 events"
"$QFS" diff t1.trace t2.trace > out.txt
[ $? -eq 1 ] && ok || bad "social tally: not exit 1"
[ "$(head -1 out.txt)" = "traces differ at event 0: tallies[social:0].abstain 5 != 6" ] && ok || bad "social tally: $(head -1 out.txt)"
# Ids that repeat within an array (no governance to tell them apart): the
# array is compared by position, so the second element is [1].
cat > t3.trace <<'JSON'
{"code":0,"event":0,"kind":"epoch_close","receipt":"accepted","tallies":[{"id":"x","v":1},{"id":"x","v":2}],"timestamp_ms":"1"}
JSON
sed 's/"v":2/"v":3/' t3.trace > t4.trace
"$QFS" diff t3.trace t3.trace > out.txt && ok || bad "repeated ids, equal: exit $?"
"$QFS" diff t3.trace t4.trace > out.txt
[ "$(head -1 out.txt)" = "traces differ at event 0: tallies[1].v 2 != 3" ] && ok || bad "repeated ids: $(head -1 out.txt)"

# Bad inputs.
"$QFS" diff a.qlog 2>err.txt
[ $? -eq 2 ] && ok || bad "one argument: not exit 2"
mkdir bundle
"$QFS" diff bundle a.qlog 2>err.txt
[ $? -eq 2 ] && ok || bad "directory: not exit 2"
has err.txt "qfs diff: bundle is an evidence bundle but a.qlog is a log"
# Two directories are two bundles: an empty one lacks its files (exit 65).
mkdir bundle2
"$QFS" diff bundle bundle2 2>err.txt
[ $? -eq 65 ] && ok || bad "empty bundles: not exit 65"
has err.txt "bundle/nod_distribution.json: No such file or directory"
"$QFS" diff sa.json a.qlog 2>err.txt
[ $? -eq 2 ] && ok || bad "mixed kinds: not exit 2"
printf '{"ledger":' > broken.json
"$QFS" diff broken.json sa.json 2>err.txt
[ $? -eq 65 ] && ok || bad "malformed JSON: not exit 65"
has err.txt "broken.json: line 1: malformed JSON"
# Lines are read in step: the first agrees, the second is not JSON.
{ head -1 ta.jsonl; echo 'not json'; } > broken.trace
"$QFS" diff broken.trace ta.jsonl 2>err.txt
[ $? -eq 65 ] && ok || bad "malformed trace: not exit 65"
has err.txt "broken.trace:2: malformed trace line"
head -c 100 a.qlog > torn.qlog
"$QFS" diff a.qlog torn.qlog 2>err.txt
[ $? -eq 65 ] && ok || bad "torn log: not exit 65"
has err.txt "torn.qlog"
"$QFS" diff missing.qlog a.qlog 2>err.txt
[ $? -eq 74 ] && ok || bad "missing file: not exit 74"
has err.txt "missing.qlog"
"$QFS" diff --help > out.txt && ok || bad "--help"
has out.txt "usage: qfs diff A B"

finish
