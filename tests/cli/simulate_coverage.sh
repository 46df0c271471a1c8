#!/bin/bash
# qfs simulate --adversarial: a 200 000-event simulated log carries every
# receipt code that a log can carry and reaches the rules' edges (read from
# the state around each epoch close and from the receipts, not from the
# simulator), two runs with the same arguments are byte-identical, and
# --adversarial 0 leaves the economy's own log.
set -u
QFS="$1"
SRC="${2:-$(dirname "$0")/../..}"
# shellcheck source=lib/harness.bash
. "$(dirname "$0")/lib/harness.bash"
cd "$T" || exit 1

"$QFS" simulate --seed 1 --events 200000 -o a.qlog > /dev/null 2> err.txt || bad "simulate: $(cat err.txt)"
"$QFS" simulate --seed 1 --events 200000 --adversarial 20 -o b.qlog > /dev/null 2> err.txt ||
    bad "simulate --adversarial 20: $(cat err.txt)"
cmp -s a.qlog b.qlog && ok || bad "simulate is not byte-identical across runs (or 20 is not the default)"
"$QFS" replay a.qlog --stats --trace trace.jsonl > out.txt 2> stats.txt || bad "replay of the simulated log: $(cat stats.txt)"

# Every rejection code of docs/SPEC.md section 8 except the three that, by
# that section, a log never carries because the codec refuses the bytes
# first: ratio_out_of_range (16), param_out_of_range (18), invalid_event (27).
PRODUCIBLE="no_genesis duplicate_genesis timestamp_regression unknown_account account_exists
not_validator not_infra_node insufficient_balance insufficient_stake nod_not_transferable
nod_holder_not_infra zero_amount self_transfer fee_too_low amount_overflow wrong_epoch
wrong_governance param_not_governable duplicate_proposal unknown_proposal proposal_closed
duplicate_vote not_eligible no_voting_power ballot_locked bad_signature wrong_signer
sequence_not_next unknown_key rotated_key"
n=0
for code in $PRODUCIBLE; do
    n=$((n + 1))
    grep -qE "rejected $code +[1-9]" stats.txt && ok || bad "no $code in the simulated log"
done
[ "$n" -eq 30 ] && ok || bad "the list names $n codes, not 30"

# The edges of the rules, each read from the state right before and right
# after every epoch close (tests/tools/close_states folds the log with the
# library and prints the modules) or from the receipts of the trace.
CLOSE_STATES="$(dirname "$QFS")/tests/close_states"
"$CLOSE_STATES" a.qlog > closes.jsonl 2> err.txt || bad "close_states: $(cat err.txt)"
"$QFS" state a.qlog --module ledger > ledger.json 2> err.txt || bad "state: $(cat err.txt)"
# The social parameters' ranges, from the table of docs/SPEC.md section 7
# (units fp18, count and ms: their JSON values are written as in the table).
awk -F'|' '$5 ~ /social/ && $4 ~ /fp18|count|ms/ {
    gsub(/[ `]/, "", $3); gsub(/ /, "", $7); gsub(/ /, "", $8); print $3, $7, $8 }' "$SRC/docs/SPEC.md" > ranges.txt
[ "$(wc -l < ranges.txt)" -ge 15 ] && ok || bad "the parameter table of docs/SPEC.md was not read: $(cat ranges.txt)"
jq -R 'split(" ") | {name: .[0], min: .[1], max: .[2]}' ranges.txt | jq -s . > ranges.json
# Amounts are strings of digits: compared by length, then as text.
jq -s -r --slurpfile ranges ranges.json '
def lt(a; b): (a | length) < (b | length) or ((a | length) == (b | length) and a < b);
# Psi_eff > 0 possible: a base Psi above 0, or a boost still active at $ts.
def psi_positive($ts): .base_psi != "0" or (.boost_amount != "0" and lt($ts; .boost_until_ms));
[ .[] | select(.code == 0) ] as $ok
| ($ok[0].after.governance.params) as $genesis
| ($ranges[0]) as $r
| "closes \($ok | length)",
  # The epoch issuance cap bit: NOD issued in the epoch reached the cap, and
  # the amount cut is on record.
  "cap_reached \([ $ok[] | select(.before.nod.issued_epoch == (.after.governance.params.nod_issuance_cap | tostring)) ] | length)",
  "cut_total \([ $ok[] | select(.after.nod.cut_total != "0") ] | length)",
  # Sum of Psi_eff over the stakers 0: every validator with a stake has base
  # Psi 0 and no active boost, and C-hat core is 0.
  "psi_sum_zero \([ $ok[] | . as $c
      | [ $c.before.staking.validators[] | select(.staked != "0") | .id ] as $stakers
      | select(($stakers | length) > 0 and $c.after.coherence.c_core == "0")
      | select(any($c.before.coherence.validators[]; (.id as $i | $stakers | index($i)) and psi_positive($c.timestamp_ms)) | not)
      ] | length)",
  # Sum of scores 0: at least nod_min_active_nodes nodes reported in the
  # epoch, are active (correctness at least the floor) and each scores 0.
  "score_sum_zero \([ $ok[] | . as $c
      | [ $c.after.nod.nodes[] | select(.telemetry_epoch == $c.epoch) ] as $active
      | select(($active | length) >= $genesis.nod_min_active_nodes and ($active | length) > 0)
      | select($genesis.nod_correctness_floor == "0")
      | select(all($active[]; .uptime == "0" and .replication == "0" and .correctness == "0"))
      | select($c.after.nod.active_last == ($active | length)) ] | length)",
  # Too few active nodes while there is a pool: nothing allocated, the pool
  # carried over.
  "too_few_nodes \([ $ok[] | select(.before.nod.pool != "0" and .after.nod.active_last > 0
      and .after.nod.active_last < $genesis.nod_min_active_nodes and .after.nod.allocated_last == "0") ] | length)",
  "unbonding_zero \([ $ok[] | select(.after.governance.params.unbonding_epochs == 0) ] | length)",
  "deficit \([ $ok[] | select(.after.coherence.deficit) ] | length)",
  "deficit_recovered \([ range(1; $ok | length) as $i
      | select($ok[$i - 1].after.coherence.deficit and ($ok[$i].after.coherence.deficit | not)) ] | length)",
  "infra_change_applied \([ range(1; $ok | length) as $i
      | select($ok[$i - 1].after.infra_governance.params != $ok[$i].after.infra_governance.params) ] | length)",
  # A social parameter that governance set to the least or the most of its range.
  "param_at_min \([ range(1; $ok | length) as $i | $r[] as $p
      | select(($ok[$i].after.governance.params[$p.name] | tostring) == $p.min
               and ($ok[$i - 1].after.governance.params[$p.name] | tostring) != $p.min) ] | length)",
  "param_at_max \([ range(1; $ok | length) as $i | $r[] as $p
      | select(($ok[$i].after.governance.params[$p.name] | tostring) == $p.max
               and ($ok[$i - 1].after.governance.params[$p.name] | tostring) != $p.max) ] | length)"
' closes.jsonl > conditions.txt 2> err.txt || bad "jq over the closes: $(cat err.txt)"
for c in cap_reached cut_total psi_sum_zero score_sum_zero too_few_nodes unbonding_zero deficit deficit_recovered \
    infra_change_applied param_at_min param_at_max; do
    grep -qE "^$c [1-9]" conditions.txt && ok || bad "no close shows $c: $(tr '\n' ' ' < conditions.txt)"
done
grep -qE "^closes [1-9][0-9]{2}" conditions.txt && ok || bad "fewer than 100 epoch closes: $(head -n 1 conditions.txt)"

# Accepted governance with the quorum met exactly: a passed social tally
# (from the epoch_close lines of the trace) whose participation times 10^18
# equals the T3 snapshot times social_quorum, in exact integers (bc).
quorum="$(jq -r 'select(.code == 0) | .after.governance.params.social_quorum' closes.jsonl | head -n 1)"
jq -r '.tallies[]? | select(.governance == "social" and .status == "passed") | "\(.quorum_cast) \(.supply_snapshot)"' \
    trace.jsonl > passed.txt
exact=0
while read -r cast snap; do
    [ "$(echo "$cast * 10^18 == $snap * ($quorum * 10^18)" | BC_LINE_LENGTH=0 bc)" = 1 ] && exact=$((exact + 1))
done < passed.txt
[ "$exact" -ge 1 ] && ok || bad "no social proposal passed with its quorum met exactly ($(wc -l < passed.txt) passed)"
# Below the quorum by one unit: not met (the same comparison, to show it is exact).
[ "$(echo "73919999999999999999999 * 10^18 >= 224000000000000000000000 * (0.33 * 10^18)" | bc)" = 0 ] && ok ||
    bad "bc does not compare exactly"

# Saturation at the top of the amount domain: ATR issued up to 2^128 - 1,
# and an account holding 2^127 of it or more.
top=340282366920938463463374607431768211455
half=170141183460469231731687303715884105728
[ "$(jq -r '.issued.ATR' ledger.json)" = "$top" ] && ok || bad "ATR issued is not 2^128 - 1: $(jq -r '.issued.ATR' ledger.json)"
jq -e --arg half "$half" '[ .accounts[] | .balances.ATR // "0" | select((length > ($half | length)) or (length == ($half | length) and . >= $half)) ] | length > 0' \
    ledger.json > /dev/null && ok || bad "no account holds 2^127 ATR or more"

# Without the adversarial share: the economy alone, and fewer codes.
"$QFS" simulate --seed 1 --events 20000 --adversarial 0 -o c.qlog > /dev/null || bad "simulate --adversarial 0"
"$QFS" replay c.qlog --stats > /dev/null 2> stats0.txt || bad "replay of the log without adversarial events"
grep -q "rejected duplicate_genesis" stats0.txt && bad "duplicate_genesis without adversarial events" || ok
# Out of range.
"$QFS" simulate --seed 1 --events 10 --adversarial 1001 -o d.qlog > /dev/null 2>&1
[ $? -eq 2 ] && ok || bad "--adversarial 1001 is not a usage error"
finish
