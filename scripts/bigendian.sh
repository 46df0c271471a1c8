#!/bin/bash
# Big-endian determinism check: builds qfs for s390x (big-endian) with the
# cross compiler, runs it under qemu-user, and requires it to agree with the
# native (little-endian) build byte for byte:
#
#   1. simulated logs: `qfs simulate` on each machine gives identical log bytes;
#   2. every log replays to the same state hash, module hashes and chain head
#      on both machines (each machine's log on the other machine), and five
#      s390x replays with different hash-table seeds and allocation skews agree;
#   3. `qfs state` JSON (whole log and mid-log) and `qfs dump` are identical;
#      the dump appended again on s390x gives the native log's bytes;
#   4. every golden vector (vectors/) passes on s390x;
#   5. the command tests (tests/cli) and the Check suites pass under the
#      emulator (crash_sigkill and the fuzz targets are left out).
#
# Installs what it needs (Debian 12, as root): the s390x foreign architecture,
# gcc-s390x-linux-gnu, qemu-user and the :s390x libraries. Idempotent.
#
# usage: sh scripts/bigendian.sh
# environment:
#   BE_EVENTS=N     events per simulated log (default 200000)
#   BE_SEEDS="S.."  simulator seeds (default "1 2")
#   BE_CTEST=0      skip step 5
#   BE_NATIVE_BUILD, BE_S390X_BUILD   build directories (default build-be-native, build-s390x)
# exit: 0 when everything agrees, 1 on any divergence or failure, 3 when the
#       s390x toolchain and libraries cannot be installed here.
set -u
cd "$(dirname "$0")/.." || exit 1
SRC="$PWD"
EVENTS="${BE_EVENTS:-200000}"
SEEDS="${BE_SEEDS:-1 2}"
RUN_CTEST="${BE_CTEST:-1}"
NATIVE_DIR="$SRC/${BE_NATIVE_BUILD:-build-be-native}"
CROSS_DIR="$SRC/${BE_S390X_BUILD:-build-s390x}"
T="$(mktemp -d)"
trap 'rm -rf "$T"' EXIT
START=$(date +%s)

results=()
hashes=()
failures=0
# step NAME CMD...: runs CMD, records PASS/FAIL with its duration.
step() {
    local name="$1"; shift
    local t0 t1 rc
    t0=$(date +%s)
    "$@" >"$T/step.out" 2>&1
    rc=$?
    t1=$(date +%s)
    if [ "$rc" -eq 0 ]; then
        results+=("PASS  $(printf '%4ss' $((t1 - t0)))  $name")
    else
        results+=("FAIL  $(printf '%4ss' $((t1 - t0)))  $name")
        failures=$((failures + 1))
        echo "bigendian.sh: FAIL: $name" >&2
        tail -n 20 "$T/step.out" | sed 's/^/    /' >&2
    fi
    echo "bigendian.sh: $name: $([ "$rc" -eq 0 ] && echo ok || echo FAILED) ($((t1 - t0)) s)" >&2
    return "$rc"
}

# --- 0. packages ----------------------------------------------------------
# libc6-dev:s390x is deliberately not installed: the s390x headers and crt
# files come from libc6-dev-s390x-cross (an arch-all package). Bookworm's
# security archive no longer carries s390x, so libc6-dev:s390x pulls in
# linux-libc-dev:s390x, which cannot match the newer amd64 linux-libc-dev
# from security updates (Multi-Arch: same needs identical versions).
BE_PKGS="gcc-s390x-linux-gnu libc6-dev-s390x-cross qemu-user \
libzstd-dev:s390x libprotobuf-c-dev:s390x libxxhash-dev:s390x libjansson-dev:s390x check:s390x"
install_packages() {
    sh scripts/deps.sh || return 1
    local missing=""
    for p in $BE_PKGS; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
    done
    dpkg --print-foreign-architectures | grep -qx s390x || missing="$missing (architecture s390x)"
    [ -z "$missing" ] && return 0
    if [ "$(id -u)" -ne 0 ]; then
        echo "bigendian.sh: missing:$missing (run as root to install)" >&2
        return 1
    fi
    echo "bigendian.sh: installing:$missing" >&2
    dpkg --print-foreign-architectures | grep -qx s390x || dpkg --add-architecture s390x || return 1
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >/dev/null || return 1
    # shellcheck disable=SC2086
    apt-get install -y -qq --no-install-recommends $BE_PKGS >/dev/null
}
# Exit 3 (not 1) when the toolchain cannot be installed: scripts/test.sh
# then reports the check as skipped rather than failed.
step "install packages" install_packages || { printf '%s\n' "${results[@]}"; exit 3; }

# --- builds ---------------------------------------------------------------
build_native() {
    cmake -S . -B "$NATIVE_DIR" -DQFS_WERROR=ON -DQFS_BUILD_TESTS=OFF >/dev/null &&
        cmake --build "$NATIVE_DIR" -j"$(nproc)" --target qfs
}
build_s390x() {
    local target=()
    [ "$RUN_CTEST" = 1 ] || target=(--target qfs)
    cmake -S . -B "$CROSS_DIR" -DCMAKE_TOOLCHAIN_FILE="$SRC/cmake/s390x.cmake" -DQFS_WERROR=ON >/dev/null &&
        cmake --build "$CROSS_DIR" -j"$(nproc)" "${target[@]}" &&
        # A guard against a toolchain that silently built for the host.
        readelf -h "$CROSS_DIR/qfs" | grep -q 'big endian' && readelf -h "$CROSS_DIR/qfs" | grep -q 'S/390'
}
step "native build ($NATIVE_DIR)" build_native || { printf '%s\n' "${results[@]}"; exit 1; }
step "s390x build ($CROSS_DIR, big-endian)" build_s390x || { printf '%s\n' "${results[@]}"; exit 1; }

QN="$NATIVE_DIR/qfs"
# The s390x binaries run through qemu-user: wrappers, laid out like a build
# directory (tests/cli/errors.sh finds craft_log beside the qfs it is given).
mkdir -p "$T/s390x/tests"
printf '#!/bin/sh\nexec qemu-s390x -L / "%s" "$@"\n' "$CROSS_DIR/qfs" >"$T/s390x/qfs"
printf '#!/bin/sh\nexec qemu-s390x -L / "%s" "$@"\n' "$CROSS_DIR/tests/craft_log" >"$T/s390x/tests/craft_log"
chmod +x "$T/s390x/qfs" "$T/s390x/tests/craft_log"
QS="$T/s390x/qfs"

# --- 1-3. simulated logs --------------------------------------------------
same() { cmp "$1" "$2"; }
for seed in $SEEDS; do
    d="$T/seed$seed"
    mkdir -p "$d"
    sim="--seed $seed --events $EVENTS"
    # shellcheck disable=SC2086
    step "seed $seed: simulate $EVENTS events on both, logs byte-identical" \
        sh -c "'$QN' simulate $sim -o '$d/native.qlog' && '$QS' simulate $sim -o '$d/s390x.qlog' &&
               cmp '$d/native.qlog' '$d/s390x.qlog'"
    step "seed $seed: each log checks on the other machine" \
        sh -c "'$QS' log check '$d/native.qlog' && '$QN' log check '$d/s390x.qlog'"
    replay_all() {
        local m l
        for m in native s390x; do
            for l in native s390x; do
                if [ "$m" = native ]; then q="$QN"; else q="$QS"; fi
                "$q" replay "$d/$l.qlog" --json --modules >"$d/replay.$m.$l.json" || return 1
            done
        done
        for f in "$d"/replay.*.json; do same "$d/replay.native.native.json" "$f" || return 1; done
        cat "$d/replay.native.native.json"
    }
    step "seed $seed: replays agree (state, module hashes, chain head; 2 machines x 2 logs)" replay_all &&
        hashes+=("seed $seed: state hash $(jq -r .state_hash "$d/replay.native.native.json"), $(jq -r .events "$d/replay.native.native.json") events, $(jq -r .rejected "$d/replay.native.native.json") rejected")
    runs_s390x() {
        # What `replay --runs 5` does (it re-executes itself, which qemu-user
        # cannot do without binfmt_misc): fresh processes, other table seeds
        # and allocation patterns.
        local k want
        want="$(jq -r .state_hash "$d/replay.native.native.json")"
        for k in 1 2 3 4 5; do
            "$QS" replay "$d/native.qlog" --table-seed $((k * 7919)) --alloc-skew "$k" --expect "$want" >/dev/null ||
                return 1
        done
    }
    step "seed $seed: five s390x replays with other table seeds and allocation skews" runs_s390x
    mid=$((EVENTS / 2))
    step "seed $seed: qfs state JSON identical (whole log and --at $mid)" \
        sh -c "'$QN' state '$d/native.qlog' >'$d/sn.json' && '$QS' state '$d/native.qlog' >'$d/ss.json' &&
               cmp '$d/sn.json' '$d/ss.json' &&
               '$QN' state '$d/s390x.qlog' --at $mid >'$d/mn.json' && '$QS' state '$d/native.qlog' --at $mid >'$d/ms.json' &&
               cmp '$d/mn.json' '$d/ms.json'"
    step "seed $seed: qfs dump identical; dump appended on s390x gives the native log's bytes" \
        sh -c "'$QN' dump '$d/native.qlog' >'$d/dn.jsonl' && '$QS' dump '$d/native.qlog' >'$d/ds.jsonl' &&
               cmp '$d/dn.jsonl' '$d/ds.jsonl' &&
               '$QN' append '$d/again.native.qlog' '$d/dn.jsonl' >/dev/null &&
               '$QS' append '$d/again.s390x.qlog' '$d/dn.jsonl' >/dev/null &&
               cmp '$d/again.native.qlog' '$d/again.s390x.qlog'"
done

# --- 4. vectors -------------------------------------------------------------
step "golden vectors on s390x" bash tests/cli/vectors.sh "$QS" "$SRC"
vectors_line="$(tail -n 1 "$T/step.out")"

# --- 5. tests under the emulator --------------------------------------------
if [ "$RUN_CTEST" = 1 ]; then
    for script in tests/cli/*.sh; do
        name="$(basename "$script" .sh)"
        [ "$name" = vectors ] && continue
        # The install test builds a consumer with the host compiler against
        # the installed library: meaningless for a cross build.
        [ "$name" = install ] && continue
        step "command test $name on s390x" bash "$script" "$QS" "$SRC"
    done
    step "ctest (Check suites) under qemu-s390x, without crash_sigkill, cli_* (run above) and fuzz" \
        sh -c "cd '$CROSS_DIR' && ctest -E '^(crash_sigkill|cli_.*)\$|fuzz' --output-on-failure -j$(nproc)"
fi

# --- summary ---------------------------------------------------------------
END=$(date +%s)
echo
echo "Big-endian determinism check (s390x under qemu-user vs $(uname -m)), $EVENTS events per seed, seeds: $SEEDS"
printf '  %s\n' "${results[@]}"
[ "${#hashes[@]}" -gt 0 ] && printf '  %s\n' "${hashes[@]}"
[ -n "${vectors_line:-}" ] && echo "  vectors on s390x: $vectors_line"
echo "total: $((END - START)) s; $failures failed step(s)"
if [ "$failures" -ne 0 ]; then
    echo "RESULT: DIVERGENCE OR FAILURE"
    exit 1
fi
echo "RESULT: s390x and $(uname -m) agree"
