#!/bin/bash
# Recomputes every module hash and the root state hash from docs/SPEC.md
# section 10 alone (tests/spec/recompute.py: the state JSON of `qfs state`,
# re-encoded byte by byte in state format 2 and hashed with `xxhsum -H2`) and
# requires them to equal what `qfs replay --modules` reports; also rederives
# from the per-event trace the receipt chain of SPEC section 3 and, per
# governance, the closed-proposal digest and the pending changes of SPEC 5.9
# (from the tallies of each epoch_close line). Runs over SPEC 10.3's check
# values (the empty state, built from the SPEC alone) and 10.2's worked
# closed-proposal record, an empty log, every golden vector, the encoding
# edge cases of tests/spec (odd ids in bytewise order, proposal ids whose
# digit strings sort otherwise than their values, open, tallied and pending
# proposals in both governances, amounts and issued supplies at 2^128 - 1,
# amounts just above 2^64, timestamps up to 2^64 - 1, a 128-bit lambda sum
# above 2^64, merged unbonding entries, a state without genesis) and two
# simulated economies.
#
# usage: spec_hashes.sh QFS_BINARY SOURCE_DIR
set -u
QFS="$1"
SRC="$2"
# shellcheck source=lib/harness.bash
. "$(dirname "$0")/lib/harness.bash"

for tool in python3 xxhsum; do
    if ! command -v "$tool" >/dev/null 2>&1; then
        echo "spec_hashes.sh: $tool is required (scripts/deps.sh installs it)" >&2
        exit 1
    fi
done

# check NAME LOG: the recomputation matches for every module, the root, the
# chain and both governances' closed digests and pending changes.
check() {
    if python3 "$SRC/tests/spec/recompute.py" --qfs "$QFS" "$2" >"$T/out" 2>"$T/err"; then
        ok
    else
        bad "$1: $(grep -v '^[a-z_]* *match' "$T/out" | tr '\n' ';') $(head -c 400 "$T/err")"
    fi
}

# SPEC 10.3's check values, recomputed from SPEC sections 2 and 7 alone, and
# SPEC 10.2's worked closed-proposal record.
if python3 "$SRC/tests/spec/recompute.py" --check-values >"$T/out" 2>"$T/err"; then
    ok
else
    bad "SPEC 10.3 check values: $(grep -v '^[a-z_ ]* *match' "$T/out" | tr '\n' ';') $(head -c 400 "$T/err")"
fi

# A log without events: the state qfs_state_create makes.
if "$QFS" append "$T/empty.qlog" /dev/null >/dev/null 2>"$T/err"; then
    check "empty log" "$T/empty.qlog"
else
    bad "empty log: qfs append failed: $(head -c 400 "$T/err")"
fi

logs=0
for f in "$SRC"/vectors/v2/*.jsonl "$SRC"/tests/spec/*.jsonl; do
    name="$(basename "$f" .jsonl)"
    # A bad-input vector (an expect_error without a damage recipe) holds a
    # line the codec refuses: it has no log (vectors/README.md).
    x="${f%.jsonl}.expect.json"
    if [ -f "$x" ] && grep -q '"expect_error"' "$x" && ! grep -q '"damage"' "$x"; then
        continue
    fi
    log="$T/$name.qlog"
    if ! "$QFS" append "$log" "$f" >/dev/null 2>"$T/err"; then
        bad "$name: qfs append failed: $(head -c 400 "$T/err")"
        continue
    fi
    check "$name" "$log"
    logs=$((logs + 1))
done
# The glob must have found the vectors: an empty run is a failure, not a pass.
if [ "$logs" -ge 12 ]; then ok; else bad "only $logs logs found under $SRC/vectors/v2 and tests/spec"; fi

for seed in 1 2; do
    log="$T/sim$seed.qlog"
    if "$QFS" simulate --seed "$seed" --events 20000 -o "$log" >/dev/null 2>"$T/err"; then
        check "simulate seed $seed" "$log"
    else
        bad "simulate seed $seed failed: $(head -c 400 "$T/err")"
    fi
done

finish
