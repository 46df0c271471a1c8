#!/bin/bash
# qfs simulate --adversarial: a 200 000-event simulated log carries every
# receipt code that a log can carry, two runs with the same arguments are
# byte-identical, and --adversarial 0 leaves the economy's own log.
set -u
QFS="$1"
# shellcheck source=lib/harness.bash
. "$(dirname "$0")/lib/harness.bash"
cd "$T" || exit 1

"$QFS" simulate --seed 1 --events 200000 -o a.qlog > /dev/null 2> err.txt || bad "simulate: $(cat err.txt)"
"$QFS" simulate --seed 1 --events 200000 --adversarial 20 -o b.qlog > /dev/null 2> err.txt ||
    bad "simulate --adversarial 20: $(cat err.txt)"
cmp -s a.qlog b.qlog && ok || bad "simulate is not byte-identical across runs (or 20 is not the default)"
"$QFS" replay a.qlog --stats > out.txt 2> stats.txt || bad "replay of the simulated log: $(cat stats.txt)"

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

# Without the adversarial share: the economy alone, and fewer codes.
"$QFS" simulate --seed 1 --events 20000 --adversarial 0 -o c.qlog > /dev/null || bad "simulate --adversarial 0"
"$QFS" replay c.qlog --stats > /dev/null 2> stats0.txt || bad "replay of the log without adversarial events"
grep -q "rejected duplicate_genesis" stats0.txt && bad "duplicate_genesis without adversarial events" || ok
# Out of range.
"$QFS" simulate --seed 1 --events 10 --adversarial 1001 -o d.qlog > /dev/null 2>&1
[ $? -eq 2 ] && ok || bad "--adversarial 1001 is not a usage error"
finish
