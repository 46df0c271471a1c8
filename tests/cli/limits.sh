#!/bin/bash
# Amounts at 2^128 - 1, timestamps at 2^64 - 1 and ids at the maximum length
# (64 bytes) through every path: JSON in, protobuf, the log, JSON out, the fold, the hash and the
# state JSON, without overflow. Expected values are worked out by hand.
set -u
QFS="$1"
# shellcheck source=lib/harness.bash
. "$(dirname "$0")/lib/harness.bash"
cd "$T" || exit 1

M=340282366920938463463374607431768211455 # 2^128 - 1, the largest amount
M1=340282366920938463463374607431768211454 # 2^128 - 2
M2=340282366920938463463374607431768211453 # 2^128 - 3
T64=18446744073709551615               # 2^64 - 1, the largest timestamp
V=$(printf 'v%.0s' $(seq 64))          # 64-byte validator id
U=$(printf 'u%.0s' $(seq 63))":"       # 64-byte user id, last byte ':'
TS=18446744073709550000                # timestamps near 2^64 - 1 (strings)
cat > lim.jsonl <<JSON
{"kind":"genesis","timestamp_ms":"$TS","chain_id":"$U","accounts":[{"id":"$V","kind":"validator","balances":{"T1":"$M","T4":"$M","ATR":"1"}},{"id":"$U","kind":"user","balances":{"ATR":"$M1"}},{"id":"n:1","kind":"infra_node","balances":{"NOD":"5"}}]}
{"kind":"stake","timestamp_ms":"18446744073709550001","validator":"$V","amount":"$M"}
{"kind":"boost","timestamp_ms":"18446744073709550002","validator":"$V","amount":"$M"}
{"kind":"transfer","timestamp_ms":"18446744073709550003","from":"$U","to":"$V","asset":"ATR","amount":"$M2","fee_atr":"1"}
{"kind":"transfer","timestamp_ms":"18446744073709550004","from":"$V","to":"$U","asset":"ATR","amount":"$M1","fee_atr":"1"}
{"kind":"user_action","timestamp_ms":"18446744073709550005","account":"$V","action":"$U","fee_atr":"$M1"}
{"kind":"epoch_close","timestamp_ms":"$T64","epoch":0}
JSON
"$QFS" append lim.qlog lim.jsonl > /dev/null 2> err.txt && ok || bad "append: $(cat err.txt)"
"$QFS" log check lim.qlog > /dev/null && ok || bad "log check"
# JSON out and back in: the same bytes.
"$QFS" dump lim.qlog > lim.out.jsonl && ok || bad "dump"
"$QFS" append lim2.qlog lim.out.jsonl > /dev/null && cmp -s lim.qlog lim2.qlog && ok || bad "dump | append differs"
has lim.out.jsonl "\"amount\":\"$M\""
has lim.out.jsonl "\"timestamp_ms\":\"$T64\""

# Receipts: 0 genesis: ATR supply 1 + (2^128 - 2) = 2^128 - 1 fits, accepted.
# 1 stake of all 2^128 - 1 T1: accepted. 2 boost: its end, now + 86400000 ms,
# passes the largest timestamp 2^64 - 1 -> amount_overflow (15). 3 U pays all
# it has: (2^128 - 3) + fee 1 = 2^128 - 2: accepted; V then holds
# 1 + 2^128 - 3 = 2^128 - 2 ATR. 4 V sends 2^128 - 2 with fee 1, 2^128 - 1 >
# its 2^128 - 2 -> insufficient_balance (8). 5 V pays a fee of 2^128 - 2:
# accepted (all its ATR). 6 close: accepted.
"$QFS" replay lim.qlog --trace trace.jsonl > out.txt 2> err.txt || bad "replay: $(cat err.txt)"
codes=$(sed 's/^{"code":\([0-9]*\),.*/\1/' trace.jsonl | tr '\n' ' ')
[ "$codes" = "0 0 15 0 8 0 0 " ] && ok || bad "receipt codes: $codes"
"$QFS" replay lim.qlog --runs 5 > /dev/null && ok || bad "--runs 5"

# After the close. Fees: 1 + (2^128 - 2) = 2^128 - 1 ATR in the treasury.
# NOD issuance: floor(1 x 0.1) = 0, then floor((2^128 - 2) x 0.1) =
# 34028236692093846346337460743176821145, cut to the epoch cap of 10^6 NOD
# = 10^24 base units into the pool; no node has telemetry, so it carries
# over. Slashing of V (never reported, Psi 0 < 0.7): T1 rate
# min(0.10, 0.7 x 0.5) = 0.10 of 2^128 - 1 staked ->
# floor(34028236692093846346337460743176821145.5) slashed, leaving
# 306254130228844617117037146688591390310 staked; T4 rate
# min(0.20, 0.7 x 0.3 = 0.21) = 0.20 of 2^128 - 1 -> exactly
# 68056473384187692692674921486353642291 slashed (2^128 - 1 ends in 5),
# leaving 272225893536750770770699685945414569164.
"$QFS" state lim.qlog > state.json || bad "state"
has state.json "\"fees_total_atr\":\"$M\""
has state.json '"pool":"1000000000000000000000000"'
has state.json '"T1":"34028236692093846346337460743176821145"'
has state.json '"T4":"68056473384187692692674921486353642291"'
has state.json '"staked":"306254130228844617117037146688591390310"'
has state.json '"T4":"272225893536750770770699685945414569164"'
has state.json "\"id\":\"$V\""
has state.json "\"chain_id\":\"$U\""
"$QFS" state lim.qlog --module ledger > ledger.json
has ledger.json "\"last_timestamp_ms\":\"$T64\""

# One more is refused everywhere: a 65-byte id, 2^128 as an amount.
sed "s/\"id\":\"n:1\"/\"id\":\"${V}x\"/" lim.jsonl | head -n 1 > long.jsonl
"$QFS" append long.qlog long.jsonl > /dev/null 2> err.txt; [ $? -eq 65 ] && ok || bad "a 65-byte id was accepted"
has err.txt "id is longer than 64 bytes"
sed "s/\"amount\":\"$M\"/\"amount\":\"340282366920938463463374607431768211456\"/" lim.jsonl | sed -n 2p > big.jsonl
"$QFS" append big.qlog big.jsonl > /dev/null 2> err.txt; [ $? -eq 65 ] && ok || bad "2^128 was accepted"

# An input line longer than the 16 MiB line limit is refused as a bad line
# without being held in memory: under a 200 MB address-space limit, a
# 300 MB line between two good lines gives FILE:LINE, exit 65 and no log.
head -n 1 lim.jsonl > good.jsonl
{ cat good.jsonl; head -c 300000000 /dev/zero | tr '\0' ' '; echo x; cat good.jsonl; } > hugeline.jsonl
# The address-space cap proves the line is never held whole. Where qfs cannot
# start under it at all (an emulator, or a sanitizer build reserving shadow
# memory), the cap is left off and only the messages are checked.
if ! (ulimit -v 200000; "$QFS" --version) > /dev/null 2>&1; then
    "$QFS" append huge.qlog hugeline.jsonl > /dev/null 2> err.txt; rc=$?
else
    (ulimit -v 200000; "$QFS" append huge.qlog hugeline.jsonl > /dev/null 2> err.txt); rc=$?
fi
[ "$rc" -eq 65 ] && ok || bad "a 300 MB line: exit $rc, want 65: $(head -c 300 err.txt)"
has err.txt "hugeline.jsonl:2: line is 300000001 bytes (at most 16777216)"
[ ! -e huge.qlog ] && ok || bad "a 300 MB line created the log"
# A line exactly at the limit reaches the parser (and fails there as JSON).
{ head -c 16777216 /dev/zero | tr '\0' '['; echo; } > atlimit.jsonl
"$QFS" append atlimit.qlog atlimit.jsonl > /dev/null 2> err.txt; [ $? -eq 65 ] && ok || bad "line at the limit"
grep -q "line is .* bytes (at most" err.txt && bad "a line at the limit was called too long" || ok
rm -f hugeline.jsonl atlimit.jsonl

# A line just under 16 MiB of {},{},... inside an event: jansson would spend
# about 240 bytes on each of its 5.5 million empty objects (1.28 GB). The
# memory bound refuses it before parsing: exit 65, the bound named, and a
# peak resident size far below that (the line and its read buffer, 32 MiB,
# plus the program: under 128 MiB).
{ printf '{"kind":"epoch_close","timestamp_ms":1,"epoch":0,"x":['
  yes '{},' | head -n 5592000 | tr -d '\n'
  printf '{}]}\n'; } > objects.jsonl
if [ -x /usr/bin/time ]; then
    /usr/bin/time -f '%M' -o rss.txt "$QFS" append objects.qlog objects.jsonl > /dev/null 2> err.txt; rc=$?
    rss_kb=$(tail -n 1 rss.txt)
    [ "$rss_kb" -lt 131072 ] && ok || bad "a 16 MiB line of {} peaked at $rss_kb KiB"
else
    "$QFS" append objects.qlog objects.jsonl > /dev/null 2> err.txt; rc=$?
fi
[ "$rc" -eq 65 ] && ok || bad "a 16 MiB line of {}: exit $rc, want 65: $(head -c 300 err.txt)"
has err.txt "objects.jsonl:1: line holds too many JSON values"
rm -f objects.jsonl

# Encoded events beyond 64 MiB are spooled to an anonymous file in TMPDIR.
# 420 000 transfers with two 64-byte ids encode to 161 bytes each (165 with
# the spool's length prefix): 69 300 000 bytes, past 64 MiB (67 108 864). With
# TMPDIR naming a directory that does not exist the spool cannot be made:
# exit 74, the directory named, and no log created.
A64=$(printf 'a%.0s' $(seq 64))
B64=$(printf 'b%.0s' $(seq 64))
yes "{\"kind\":\"transfer\",\"timestamp_ms\":1,\"from\":\"$A64\",\"to\":\"$B64\",\"asset\":\"T1\",\"amount\":\"$M\",\"fee_atr\":\"$M\"}" |
    head -n 420000 > spool.jsonl
TMPDIR="$PWD/no-such-dir" "$QFS" append spool.qlog spool.jsonl > /dev/null 2> err.txt; rc=$?
[ "$rc" -eq 74 ] && ok || bad "spool in a missing TMPDIR: exit $rc, want 74: $(head -c 300 err.txt)"
has err.txt "qfs append: cannot spool events to a temporary file in $PWD/no-such-dir: No such file or directory"
[ ! -e spool.qlog ] && ok || bad "a failed spool created the log"
mkdir spooldir
TMPDIR="$PWD/spooldir" "$QFS" append spool.qlog spool.jsonl > out.txt 2> err.txt && ok || bad "spool in TMPDIR: $(head -c 300 err.txt)"
has out.txt "appended events 0..419999 (420000 events)"
[ -z "$(ls -A spooldir)" ] && ok || bad "the spool left a file in TMPDIR"
rm -f spool.jsonl spool.qlog

finish
