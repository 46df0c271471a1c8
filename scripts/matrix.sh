#!/bin/bash
# Determinism matrix: builds qfs four ways (gcc -O0, gcc -O3, clang -O2, and
# clang with ASan and UBSan) and requires every build to give the same bytes:
#
#   1. every golden vector (tests/cli/vectors.sh) passes on every build;
#   2. three simulated logs, made by each build, are byte-identical to the
#      first build's (two unauthenticated, one signed with Ed25519);
#   3. the first build's logs, replayed by every build with
#      `qfs replay LOG --runs 5 --json --modules` (five processes, each with
#      its own hash-table seed and allocation pattern, must agree), give the
#      same JSON byte for byte: state hash, module hashes, chain head, counts;
#   4. `qfs state LOG` JSON is byte-identical on every build.
#
# It prints a table of builds x logs (the state hash in each cell, or DIFF and
# what differed) and exits 1 on any divergence or failure. Where two builds
# disagree, each divergence ends in one-sentence lines of `qfs diff` (when the
# binary has that command): of the two builds' logs when they differ, of
# their `qfs state` JSON (the modules and first entries that differ), and of
# their `qfs replay --trace` traces (the first event whose receipt differs);
# with both state and module hashes.
#
# usage: bash scripts/matrix.sh
# environment:
#   MATRIX_EVENTS=N         events per unauthenticated log (default 200000)
#   MATRIX_SIGNED_EVENTS=N  events of the signed log (default 200000)
#   MATRIX_SEEDS="A B C"    simulator seeds (default "1 2 3"); the last seed's
#                           log is signed, the others are not
#   MATRIX_DIR=DIR          build directories (default build-matrix)
# exit: 0 when every build agrees, 1 otherwise.
set -u
cd "$(dirname "$0")/.." || exit 1
SRC="$PWD"
EVENTS="${MATRIX_EVENTS:-200000}"
SIGNED_EVENTS="${MATRIX_SIGNED_EVENTS:-200000}"
SEEDS="${MATRIX_SEEDS:-1 2 3}"
DIR="$SRC/${MATRIX_DIR:-build-matrix}"
T="$(mktemp -d)"
trap 'rm -rf "$T"' EXIT
START=$(date +%s)
# LeakSanitizer stays on: a leak in qfs fails the sanitizer build's run.
export ASAN_OPTIONS="${ASAN_OPTIONS:-abort_on_error=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"

# name  compiler  build type  C flags  sanitizers
BUILDS=(
    "gcc-O0     gcc   Debug          -O0 -"
    "gcc-O3     gcc   Release        -O3 -"
    "clang-O2   clang RelWithDebInfo -O2 -"
    "clang-asan clang Debug          -O1 address,undefined"
)
for s in $SEEDS; do last_seed="$s"; done
failures=0
fail() {
    echo "matrix.sh: FAIL: $*" >&2
    failures=$((failures + 1))
}

# --- builds -----------------------------------------------------------------
names=()
for b in "${BUILDS[@]}"; do
    read -r name cc type flags san <<<"$b"
    [ "$san" = - ] && san=""
    names+=("$name")
    t0=$(date +%s)
    rm -rf "${DIR:?}/$name"
    if ! cmake -S . -B "$DIR/$name" -DCMAKE_C_COMPILER="$cc" -DCMAKE_BUILD_TYPE="$type" \
        -DCMAKE_C_FLAGS="$flags" -DQFS_SANITIZE="$san" -DQFS_BUILD_TESTS=OFF -DQFS_WERROR=ON \
        >"$T/build.$name.log" 2>&1 ||
        ! cmake --build "$DIR/$name" -j"$(nproc)" --target qfs >>"$T/build.$name.log" 2>&1; then
        tail -n 30 "$T/build.$name.log" >&2
        echo "matrix.sh: the $name build failed" >&2
        exit 1
    fi
    echo "matrix.sh: built $name ($cc, $type, $flags${san:+, -fsanitize=$san}) in $(($(date +%s) - t0)) s" >&2
done
REF="${names[0]}"
QREF="$DIR/$REF/qfs"

# --- logs, made by the first build -------------------------------------------
sim_args() {
    if [ "$1" = "$last_seed" ]; then
        echo "--seed $1 --events $SIGNED_EVENTS --auth ed25519"
    else
        echo "--seed $1 --events $EVENTS --auth none"
    fi
}
for s in $SEEDS; do
    # shellcheck disable=SC2046
    "$QREF" simulate $(sim_args "$s") -o "$T/$s.$REF.qlog" >/dev/null ||
        { echo "matrix.sh: $REF could not simulate seed $s" >&2; exit 1; }
done

HAVE_DIFF=0
"$QREF" diff --help >/dev/null 2>&1 && HAVE_DIFF=1

# explain NAME SEED: where build NAME and the first build disagree on a log.
explain() {
    local name="$1" s="$2" q="$DIR/$1/qfs" log="$T/$2.$REF.qlog" line
    if [ "$HAVE_DIFF" = 1 ] && [ -f "$T/$s.$name.qlog" ] && ! cmp -s "$log" "$T/$s.$name.qlog"; then
        line="$("$QREF" diff "$log" "$T/$s.$name.qlog" 2>&1 | head -n 1)"
        echo "    qfs diff ($REF's log, $name's log): $line"
    fi
    # The two state hashes, and the module hashes that differ.
    if jq -e . "$T/$s.$REF.replay.json" >/dev/null 2>&1 && jq -e . "$T/$s.$name.replay.json" >/dev/null 2>&1; then
        jq -r -n --arg a "$REF" --arg b "$name" --slurpfile x "$T/$s.$REF.replay.json" \
            --slurpfile y "$T/$s.$name.replay.json" '
            ($x[0]) as $x | ($y[0]) as $y |
            "    state hash: \($a) \($x.state_hash), \($b) \($y.state_hash)",
            (($x.modules // {}) | keys[] as $m | select($x.modules[$m] != $y.modules[$m]) |
                "    module \($m): \($a) \($x.modules[$m]), \($b) \($y.modules[$m] // "none")"),
            ($x | keys[] as $k | select($k != "modules" and $k != "state_hash" and $x[$k] != $y[$k]) |
                "    \($k): \($a) \($x[$k]), \($b) \($y[$k] // "none")")'
    else
        echo "    $name gave no replay JSON: $(head -c 200 "$T/$s.$name.replay.json")"
    fi
    # The first event whose receipt differs between the two builds.
    if "$QREF" replay "$log" --trace "$T/trace.ref" >/dev/null 2>&1 &&
        "$q" replay "$log" --trace "$T/trace.other" >/dev/null 2>&1; then
        if [ "$HAVE_DIFF" = 1 ]; then
            line="$("$QREF" diff "$T/trace.ref" "$T/trace.other" 2>&1 | head -n 1)"
            echo "    qfs diff ($REF's trace, $name's trace): $line"
        else
            line="$(cmp "$T/trace.ref" "$T/trace.other" 2>/dev/null | sed -n 's/.* line \([0-9]*\)$/\1/p')"
            if [ -n "$line" ]; then
                echo "    first receipt that differs: $REF $(sed -n "${line}p" "$T/trace.ref")"
                echo "                                $name $(sed -n "${line}p" "$T/trace.other")"
            else
                echo "    every receipt agrees (the divergence is in the state, not in a verdict)"
            fi
        fi
    fi
    # The modules and first entries whose states differ: the last line.
    if [ "$HAVE_DIFF" = 1 ] && [ -s "$T/$s.$REF.state.json" ] && [ -s "$T/$s.$name.state.json" ]; then
        line="$("$QREF" diff "$T/$s.$REF.state.json" "$T/$s.$name.state.json" 2>&1 | head -n 1)"
        echo "    qfs diff ($REF's state, $name's state): $line"
    fi
}

# --- every build: vectors, simulate, replay --runs 5, state ------------------
declare -A cell
details=()
vec=()
for name in "${names[@]}"; do
    q="$DIR/$name/qfs"
    t0=$(date +%s)
    if bash tests/cli/vectors.sh "$q" "$SRC" >"$T/vectors.$name.out" 2>&1; then
        vec+=("$name: $(tail -n 1 "$T/vectors.$name.out")")
    else
        fail "$name: golden vectors"
        tail -n 20 "$T/vectors.$name.out" | sed 's/^/    /' >&2
        vec+=("$name: FAILED: $(tail -n 1 "$T/vectors.$name.out")")
    fi
    for s in $SEEDS; do
        log="$T/$s.$REF.qlog"
        what=""
        if [ "$name" != "$REF" ]; then
            # shellcheck disable=SC2046
            if ! "$q" simulate $(sim_args "$s") -o "$T/$s.$name.qlog" >/dev/null 2>"$T/err"; then
                what="$what simulate-failed"
                sed 's/^/    /' "$T/err" >&2
            elif ! cmp -s "$log" "$T/$s.$name.qlog"; then
                what="$what log"
            fi
        fi
        if ! "$q" replay "$log" --runs 5 --json --modules >"$T/$s.$name.replay.json" 2>"$T/err"; then
            what="$what replay-failed"
            sed 's/^/    /' "$T/err" >&2
        elif ! cmp -s "$T/$s.$REF.replay.json" "$T/$s.$name.replay.json"; then
            what="$what replay"
        fi
        if ! "$q" state "$log" >"$T/$s.$name.state.json" 2>"$T/err"; then
            what="$what state-failed"
            sed 's/^/    /' "$T/err" >&2
        elif ! cmp -s "$T/$s.$REF.state.json" "$T/$s.$name.state.json"; then
            what="$what state"
        fi
        if [ -z "$what" ]; then
            cell["$name,$s"]="$(jq -r .state_hash "$T/$s.$name.replay.json")"
        else
            cell["$name,$s"]="DIFF:${what# }"
            fail "$name, seed $s:$what"
            details+=("$name, seed $s:$what" "$(explain "$name" "$s")")
        fi
    done
    echo "matrix.sh: $name: vectors and $(echo "$SEEDS" | wc -w) logs in $(($(date +%s) - t0)) s" >&2
done

# --- table -------------------------------------------------------------------
END=$(date +%s)
echo
echo "Determinism matrix: ${#names[@]} builds x $(echo "$SEEDS" | wc -w) logs (simulated by $REF; replay --runs 5, --json --modules; qfs state)"
printf '  %-11s' "build"
for s in $SEEDS; do
    # shellcheck disable=SC2046
    set -- $(sim_args "$s")
    printf ' %-34s' "seed $s ($4 ev, ${6/ed25519/signed})"
done
echo
for name in "${names[@]}"; do
    printf '  %-11s' "$name"
    for s in $SEEDS; do printf ' %-34s' "${cell["$name,$s"]}"; done
    echo
done
printf '  vectors %s\n' "${vec[@]}"
[ "${#details[@]}" -gt 0 ] && printf '  %s\n' "${details[@]}"
echo "total: $((END - START)) s; $failures failure(s)"
if [ "$failures" -ne 0 ]; then
    echo "RESULT: THE BUILDS DIVERGE OR FAIL"
    exit 1
fi
echo "RESULT: every build agrees"
