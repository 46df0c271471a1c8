#!/bin/bash
# End-to-end tests of `qfs metrics`: the exposition of hand-written logs with
# values worked out by hand (in the comments), the shape of the exposition
# (HELP and TYPE for every family, sorted families, promtool's lint), the
# governance counts against the trace, and bad input.
set -u
QFS="$1"
SRC="$2"
# shellcheck source=lib/harness.bash
. "$(dirname "$0")/lib/harness.bash"
cd "$T" || exit 1

# val FILE SERIES: the value of the sample whose name and labels are SERIES.
val() { awk -v s="$2" '$1 == s { print $2 }' "$1"; }
# is FILE SERIES VALUE: the sample SERIES has the value VALUE (text, exactly).
is() {
    local v
    v="$(val "$1" "$2")"
    [ "$v" = "$3" ] && ok || bad "$1: $2 is '$v', expected '$3'"
}
# shape FILE: every sample belongs to the family of the HELP and TYPE lines
# before it, every family has both, and the families are sorted by name.
shape() {
    awk '
        /^# HELP / { help = $3; next }
        /^# TYPE / { if ($3 != help) { print "TYPE without HELP: " $3; bad = 1 }
                     fam = $3; if (fam <= last) { print "not sorted: " fam " after " last; bad = 1 }
                     last = fam; n++; next }
        /^#/ { print "stray comment: " $0; bad = 1; next }
        { name = $1; sub(/\{.*/, "", name)
          if (name != fam) { print "sample outside its family: " $1; bad = 1 } }
        END { if (n == 0) { print "no family"; bad = 1 } exit bad }' "$1" > shape.txt &&
        ok || bad "$1: $(head -5 shape.txt)"
}

# 1. The NOD example of seed 003 (docs/SPEC.md 5.10). A fee of 1000 ATR
# issues 1000 x 0.1 = 100 NOD into the pool. Scores with the default weights
# (0.4, 0.3, 0.3): n1 0.6, n2..n4 0.9 (ratio 2:3:3:3, sum 3.3). The close of
# epoch 0 allocates floor(100e18 x 0.6 / 3.3) = 18.181818181818181818 NOD to
# n1 and 27.272727272727272727 to each other node (below the cap of
# 100 x 0.3 = 30), 99.999999999999999999 in all; 0.000000000000000001 carries
# over. Then a fee of 9 ATR issues 0.9 NOD in epoch 1: pool
# 0.900000000000000001, issued 100.9, fees 1009 ATR. 8 events, none
# rejected; no node has sent telemetry in epoch 1.
"$QFS" append nod.qlog "$SRC/vectors/v2/nod_seed_example.jsonl" >/dev/null || bad "append nod"
"$QFS" metrics nod.qlog > nod.prom && ok || bad "metrics nod.qlog: exit $?"
shape nod.prom
is nod.prom 'qfs_nod_issued_tokens_total' 100.9
is nod.prom 'qfs_issued_tokens_total{asset="NOD"}' 100.9
is nod.prom 'qfs_nod_issued_epoch_tokens' 0.9
is nod.prom 'qfs_nod_pool_tokens' 0.900000000000000001
is nod.prom 'qfs_nod_carried_tokens' 0.000000000000000001
is nod.prom 'qfs_nod_cut_tokens_total' 0
is nod.prom 'qfs_nod_allocated_last_epoch_tokens' 99.999999999999999999
is nod.prom 'qfs_nodes_active' 4
is nod.prom 'qfs_nod_min_active_nodes' 3
is nod.prom 'qfs_node_nod_balance_tokens{node="n1"}' 18.181818181818181818
is nod.prom 'qfs_node_nod_balance_tokens{node="n4"}' 27.272727272727272727
is nod.prom 'qfs_node_nod_received_tokens_total{node="n2"}' 27.272727272727272727
is nod.prom 'qfs_node_score{node="n1"}' 0.6
is nod.prom 'qfs_node_score{node="n3"}' 0.9
is nod.prom 'qfs_node_uptime_ratio{node="n1"}' 0.6
is nod.prom 'qfs_node_active{node="n1"}' 0
is nod.prom 'qfs_atr_fees_tokens_total' 1009
is nod.prom 'qfs_treasury_balance_tokens{asset="ATR"}' 1009
is nod.prom 'qfs_supply_tokens{asset="ATR"}' 1009
is nod.prom 'qfs_accounts{kind="infra_node"}' 4
is nod.prom 'qfs_accounts{kind="user"}' 1
is nod.prom 'qfs_epoch' 1
is nod.prom 'qfs_events_replayed_total' 8
is nod.prom 'qfs_events_rejected_total' 0
is nod.prom 'qfs_chain_head_event_index' 7
# No validator: no staked series, C-hat 0, so the close ran in deficit mode.
is nod.prom 'qfs_deficit_mode' 1
[ "$(grep -c '^qc_token_T1_staked_total' nod.prom)" -eq 0 ] && ok || bad "nod: a staked series without validators"

# 2. A validator, a boost, memory contributions and two rejections, no close.
# v1 reports Psi 0.8, stakes 400 of its 1000 T1, burns 2 T4 for a boost:
# 2 x 0.05 (boost_psi_per_token) = 0.1, so effective Psi 0.9 until
# 1003 + 100000 ms. mem-1 gets two contributions of u1: rPhiV 2 at lambda
# 0.95 earns (2 x 0.95) x 0.1 = 0.19 T5; lambda 0.9 is not above t5_lambda_min
# and earns nothing. A self-transfer and an unstake above the stake are
# rejected.
cat > v.jsonl <<'JSON'
{"kind":"genesis","timestamp_ms":1000,"chain_id":"metrics-test","params":{"boost_duration_ms":100000},"accounts":[{"id":"v1","kind":"validator","balances":{"T1":"1000000000000000000000","T4":"5000000000000000000"}},{"id":"u1","kind":"user","balances":{"ATR":"10","T2":"5"}}]}
{"kind":"coherence_report","timestamp_ms":1001,"validator":"v1","psi":"0.8"}
{"kind":"stake","timestamp_ms":1002,"validator":"v1","amount":"400000000000000000000"}
{"kind":"boost","timestamp_ms":1003,"validator":"v1","amount":"2000000000000000000"}
{"kind":"memory_contribution","timestamp_ms":1004,"contributor":"u1","memory_node_id":"mem-1","rphiv":"2","lambda_node":"0.95"}
{"kind":"memory_contribution","timestamp_ms":1005,"contributor":"u1","memory_node_id":"mem-1","rphiv":"2","lambda_node":"0.9"}
{"kind":"transfer","timestamp_ms":1006,"from":"u1","to":"u1","asset":"T2","amount":"1","fee_atr":"1"}
{"kind":"unstake","timestamp_ms":1007,"validator":"v1","amount":"999000000000000000000"}
JSON
"$QFS" append v.qlog v.jsonl >/dev/null || bad "append v"
"$QFS" metrics v.qlog > v.prom && ok || bad "metrics v.qlog: exit $?"
shape v.prom
is v.prom 'qc_token_T1_staked_total{validator="v1"}' 400
is v.prom 'qfs_validator_staked_tokens{validator="v1"}' 400
is v.prom 'qfs_staked_tokens' 400
is v.prom 'qfs_validator_psi_base_ratio{validator="v1"}' 0.8
is v.prom 'qfs_validator_psi_effective_ratio{validator="v1"}' 0.9
is v.prom 'qfs_validator_boost_tokens{validator="v1"}' 2
is v.prom 'qc_token_T4_boosts_active' 1
is v.prom 'qfs_boosts_active' 1
is v.prom 'qfs_burned_tokens_total{asset="T4"}' 2
is v.prom 'qfs_supply_tokens{asset="T4"}' 3
is v.prom 'qfs_issued_tokens_total{asset="T4"}' 5
is v.prom 'qc_token_T5_memory_contributions{memory_node="mem-1"}' 2
is v.prom 'qfs_memory_contributions_total{memory_node="mem-1"}' 2
is v.prom 'qfs_memory_rewarded_total{memory_node="mem-1"}' 1
is v.prom 'qfs_memory_t5_tokens_total{memory_node="mem-1"}' 0.19
is v.prom 'qfs_memory_last_lambda_ratio{memory_node="mem-1"}' 0.9
is v.prom 'qfs_issued_tokens_total{asset="T5"}' 0.19
is v.prom 'qfs_rejections_total{code="self_transfer"}' 1
is v.prom 'qfs_rejections_total{code="insufficient_stake"}' 1
is v.prom 'qfs_rejections_total{code="bad_signature"}' 0
is v.prom 'qfs_events_rejected_total' 2
is v.prom 'qfs_events_replayed_total' 8
is v.prom 'qfs_epoch' 0
is v.prom 'qfs_proposals_open{governance="social"}' 0
# Every receipt code has its series, accepted excepted.
[ "$(grep -c '^qfs_rejections_total{' v.prom)" -eq 33 ] && ok || bad "rejections: not 33 codes"

# 3. A simulated economy: promtool's lint, the same bytes twice, and the
# tallies against the trace (every tally of every close, by governance and
# status); the proposals ever accepted are the open plus the tallied ones.
"$QFS" simulate --seed 3 --events 20000 -o sim.qlog >/dev/null || bad "simulate"
"$QFS" metrics sim.qlog > sim.prom && ok || bad "metrics sim.qlog: exit $?"
"$QFS" metrics sim.qlog > sim2.prom
cmp -s sim.prom sim2.prom && ok || bad "two runs differ"
shape sim.prom
"$QFS" metrics "$SRC/vectors/v2/social_governance.qlog" > gov.prom && ok || bad "metrics social_governance"
if command -v promtool >/dev/null; then
    for f in nod v sim gov; do
        promtool check metrics < $f.prom > promtool.txt 2>&1 && ok || bad "promtool $f: $(head -5 promtool.txt)"
    done
else
    bad "promtool not found (Debian package prometheus, scripts/deps.sh)"
fi
"$QFS" replay --trace trace.jsonl sim.qlog >/dev/null 2>&1 || bad "replay --trace"
for g in social infra; do
    total=0
    for st in passed rejected no_quorum; do
        n=$(jq -r --arg g $g --arg s $st 'select(.tallies) | .tallies[] | select(.governance == $g and .status == $s) | 1' trace.jsonl | wc -l)
        total=$((total + n))
        is sim.prom "qfs_proposals_tallied_total{governance=\"$g\",status=\"$st\"}" "$n"
    done
    [ "$total" -gt 0 ] && ok || bad "$g: no tally in the simulated log"
    open=$(val sim.prom "qfs_proposals_open{governance=\"$g\"}")
    is sim.prom "qfs_proposals_accepted_total{governance=\"$g\"}" $((open + total))
done
is sim.prom 'qfs_events_replayed_total' 20000
is sim.prom 'qfs_chain_head_event_index' 19999
is sim.prom 'qfs_epoch' "$("$QFS" state sim.qlog --module ledger | jq -r .epoch)"
is sim.prom 'qfs_events_rejected_total' "$("$QFS" state sim.qlog --module receipts | jq -r .rejected)"

# Every family is documented in docs/METRICS.md, and every documented one is
# emitted (the simulated log has every kind of series).
awk '/^# TYPE / { print $3 }' sim.prom | sort > emitted.txt
sed -n 's/^| `\([a-zA-Z0-9_]*\)` |.*/\1/p' "$SRC/docs/METRICS.md" | sort > documented.txt
diff emitted.txt documented.txt > doc.diff && ok || bad "docs/METRICS.md and the output differ: $(cat doc.diff)"

# 4. Bad input and usage.
"$QFS" metrics missing.qlog > out.txt 2> err.txt
[ $? -eq 74 ] && ok || bad "missing log: not exit 74"
has err.txt "missing.qlog"
[ ! -s out.txt ] && ok || bad "missing log: output written"
cp v.qlog flipped.qlog
flip flipped.qlog $(($(stat -c %s flipped.qlog) - 20))
"$QFS" metrics flipped.qlog > out.txt 2> err.txt
[ $? -eq 65 ] && ok || bad "corrupt log: not exit 65"
has err.txt "flipped.qlog"
[ ! -s out.txt ] && ok || bad "corrupt log: output written"
echo "not a log" > text.qlog
"$QFS" metrics text.qlog > out.txt 2> err.txt
[ $? -eq 65 ] && ok || bad "not a log: not exit 65"
head -c $(($(stat -c %s v.qlog) - 3)) v.qlog > torn.qlog
"$QFS" metrics torn.qlog > /dev/null 2> err.txt
[ $? -eq 65 ] && ok || bad "torn log: not exit 65"
"$QFS" metrics > /dev/null 2>&1
[ $? -eq 2 ] && ok || bad "no LOG: not exit 2"
"$QFS" metrics a.qlog b.qlog > /dev/null 2>&1
[ $? -eq 2 ] && ok || bad "two logs: not exit 2"
"$QFS" metrics --bogus v.qlog > /dev/null 2>&1
[ $? -eq 2 ] && ok || bad "unknown option: not exit 2"
"$QFS" metrics --help > out.txt && ok || bad "--help: exit $?"
has out.txt "usage: qfs metrics LOG"

finish
