#!/bin/bash
# Signatures verified ahead of the fold (docs/SPEC.md 13.1): however many
# threads verify, and whether runs 2..N of --runs take run 1's verdicts or
# verify everything themselves, the receipts, the trace and the state hash
# are those of the fold verifying each signature itself (--threads 0).
set -u
QFS="$1"
# shellcheck source=lib/harness.bash
. "$(dirname "$0")/lib/harness.bash"
SIGN="$(dirname "$QFS")/tests/sign_log"
cd "$T" || exit 1

"$SIGN" scenario sc.qlog || bad "sign_log scenario"

# The scenario's first events, as tests/tools/sign_log.c writes them: 2 bad
# signature (29); 5 and 14 signed by the key just rotated away (33); 7 a
# rotation with a bad signature, after which the predicted key of u2 is
# wrong: 8 (u2's real key) is accepted and 9 (the key of the rejected
# rotation) is a bad signature; 11 insufficient balance (8).
"$QFS" replay sc.qlog --threads 0 --trace t0.jsonl > r0.txt || bad "replay --threads 0 exit $?"
codes=$(head -16 t0.jsonl | sed 's/^{"code":\([0-9]*\),.*/\1/' | tr '\n' ' ')
[ "$codes" = "0 0 29 0 0 33 0 29 0 29 0 8 0 0 33 0 " ] && ok || bad "receipt codes: $codes"
has r0.txt "events: 3016"

for t in 1 2 8; do
    "$QFS" replay sc.qlog --threads "$t" --trace "t$t.jsonl" --modules --stats > "r$t.txt" 2> "s$t.txt" ||
        bad "replay --threads $t exit $?"
    cmp -s t0.jsonl "t$t.jsonl" && ok || bad "the trace with --threads $t differs from the fold's own"
    "$QFS" replay sc.qlog --threads 0 --modules > r0m.txt
    cmp -s r0m.txt "r$t.txt" && ok || bad "the result with --threads $t differs: $(diff r0m.txt "r$t.txt")"
    # Only the wrong prediction (event 9) is left to the fold.
    has "s$t.txt" "the fold took 3019 verdicts and checked 1 itself"
done

hash=$(sed -n 's/^state hash: //p' r0.txt)
"$QFS" replay sc.qlog --runs 5 --expect "$hash" > runs.txt 2> runs_err.txt || bad "--runs 5 exit $?: $(cat runs_err.txt)"
has runs.txt "runs: 5, all agree"
"$QFS" replay sc.qlog --runs 5 --verify-all --threads 2 --expect "$hash" > runs_all.txt ||
    bad "--runs 5 --verify-all exit $?"
has runs_all.txt "runs: 5, all agree"
"$QFS" replay sc.qlog --runs 3 --threads 0 --expect "$hash" > /dev/null || bad "--runs 3 --threads 0 exit $?"

# The state at an event in the middle of a batch, as `qfs state` folds it.
"$QFS" state sc.qlog --at 1200 > st.json || bad "state --at 1200 exit $?"
grep -q '"events":1201' st.json && ok || bad "state --at 1200: $(head -c 300 st.json)"

# A verdict record is used only with the log it was recorded from.
"$QFS" replay sc.qlog --verdicts-out v.rec > /dev/null || bad "--verdicts-out exit $?"
"$QFS" replay sc.qlog --verdicts-in v.rec --trace tv.jsonl > rv.txt || bad "--verdicts-in exit $?"
cmp -s t0.jsonl tv.jsonl && ok || bad "the trace with recorded verdicts differs"
cmp -s r0.txt rv.txt && ok || bad "the result with recorded verdicts differs"
"$SIGN" bench other.qlog 50 || bad "sign_log bench"
"$QFS" replay other.qlog --verdicts-in v.rec > /dev/null 2> other_err.txt
rc=$?
[ "$rc" -eq 65 ] && ok || bad "verdicts of another log: exit $rc"
has other_err.txt "recorded from another log"
printf 'not a record' > junk.rec
"$QFS" replay sc.qlog --verdicts-in junk.rec > /dev/null 2>&1
rc=$?
[ "$rc" -eq 65 ] && ok || bad "a junk verdict record: exit $rc"

"$QFS" replay sc.qlog --threads 257 > /dev/null 2>&1
rc=$?
[ "$rc" -eq 2 ] && ok || bad "--threads 257: exit $rc"

finish
