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
# Installs what it needs (Debian 12, as root): gcc-s390x-linux-gnu and
# qemu-user, which are amd64 packages, and a private s390x sysroot made from
# the downloaded .debs of libc6 and the libraries (apt knows the s390x
# architecture for its package lists only; no :s390x package is installed).
# Idempotent: a second run re-uses the sysroot and the build directories.
#
# usage: bash scripts/bigendian.sh
# environment:
#   BE_EVENTS=N     events per simulated unauthenticated log (default 200000)
#   BE_SIGNED_EVENTS=N  events per simulated signed log (default 20000: every
#                   signature is verified, and Ed25519 under qemu is slow)
#   BE_SEEDS="S.."  simulator seeds (default "1 2"); the first seed's log is
#                   unauthenticated, the others are signed (--auth ed25519)
#   BE_CTEST=0      skip step 5
#   BE_NATIVE_BUILD, BE_S390X_BUILD   build directories (default build-be-native, build-s390x)
#   BE_SYSROOT      the s390x sysroot (default BE_S390X_BUILD/sysroot)
# exit: 0 when everything agrees, 1 on any divergence or failure, 3 when the
#       packages cannot be had here (the Debian archive cannot be reached, or
#       something is missing and the script does not run as root). Exit 3 only
#       names the cause: scripts/test.sh fails on it as on 1; only
#       QFS_SKIP_BIGENDIAN=1 given to scripts/test.sh skips this check.
set -u
cd "$(dirname "$0")/.." || exit 1
SRC="$PWD"
EVENTS="${BE_EVENTS:-200000}"
SIGNED_EVENTS="${BE_SIGNED_EVENTS:-20000}"
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

# --- 0. toolchain and sysroot ---------------------------------------------
# The host gets only amd64 packages: the cross compiler and qemu-user. The
# s390x libraries are not installed with apt (multiarch needs the amd64 and
# s390x builds of a library at the same version, which breaks whenever the
# mirror lacks the s390x build of an amd64 security update): their .debs are
# downloaded and unpacked into a private sysroot, which the toolchain file
# (cmake/s390x.cmake) and qemu-s390x -L use. A sysroot that holds the current
# package list is re-used as it is.
BE_TOOLS="gcc-s390x-linux-gnu qemu-user"
# libubsan1 and libstdc++6 (which it needs) let test_line_reader run under
# UBSan on s390x as it does natively. libsodium is not used yet; the sysroot
# carries it for the signatures to come. libssl3 and libssl-dev: libcrypto,
# the SHA-256 of the qfs command.
BE_SYSROOT_PKGS="libc6 libc6-dev linux-libc-dev libgcc-s1 libcrypt1 libcrypt-dev \
libzstd1 libzstd-dev libprotobuf-c1 libprotobuf-c-dev libxxhash0 libxxhash-dev \
libjansson4 libjansson-dev check libsubunit0 libsubunit-dev libsodium23 libsodium-dev libssl3 libssl-dev \
libubsan1 libstdc++6"
SYSROOT="${BE_SYSROOT:-$CROSS_DIR/sysroot}"
case "$SYSROOT" in /*) ;; *) SYSROOT="$SRC/$SYSROOT" ;; esac
# Set by the steps below when the Debian archive cannot be reached (or, not
# being root, nothing can be installed): the script then exits 3.
unreachable=0
NO_NETWORK='temporary failure resolving|could not resolve|could not connect|unable to connect|failed to connect|network is unreachable|no route to host|connection timed out|connection refused'

# apt_log CMD...: runs an apt command with its output in $T/apt.log; on
# failure shows the output and notes whether the archive was unreachable.
apt_log() {
    "$@" >"$T/apt.log" 2>&1 && return 0
    cat "$T/apt.log" >&2
    grep -Eqi "$NO_NETWORK" "$T/apt.log" && unreachable=1
    return 1
}

install_tools() {
    sh scripts/deps.sh || return 1
    local missing="" p
    for p in $BE_TOOLS; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
    done
    [ -z "$missing" ] && return 0
    if [ "$(id -u)" -ne 0 ]; then
        echo "bigendian.sh: missing:$missing (run as root to install)" >&2
        unreachable=1
        return 1
    fi
    echo "bigendian.sh: installing:$missing" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt_log apt-get update || return 1
    # shellcheck disable=SC2086
    apt_log apt-get install -y --no-install-recommends $missing
}

make_sysroot() {
    local stamp="$SYSROOT/.qfs-sysroot" new="$SYSROOT.new" p l target pkgs="" rc
    if [ -f "$stamp" ] && [ "$(head -n 1 "$stamp")" = "$BE_SYSROOT_PKGS" ]; then
        echo "bigendian.sh: re-using the sysroot $SYSROOT" >&2
        return 0
    fi
    if ! dpkg --print-foreign-architectures | grep -qx s390x; then
        if [ "$(id -u)" -ne 0 ]; then
            echo "bigendian.sh: the s390x architecture is not known to apt (run as root)" >&2
            unreachable=1
            return 1
        fi
        dpkg --add-architecture s390x || return 1
    fi
    # Package lists only: nothing of s390x gets installed on the host.
    if [ "$(id -u)" -eq 0 ]; then
        apt_log apt-get update || return 1
    fi
    rm -rf "$new" && mkdir -p "$new/debs" || return 1
    for p in $BE_SYSROOT_PKGS; do pkgs="$pkgs $p:s390x"; done
    cd "$new/debs" || return 1
    # shellcheck disable=SC2086
    apt_log apt-get download $pkgs
    rc=$?
    cd "$SRC" || return 1
    [ "$rc" -eq 0 ] || return 1
    for p in "$new"/debs/*.deb; do
        dpkg-deb -x "$p" "$new/root" || return 1
    done
    # Absolute symlinks (usr/lib/s390x-linux-gnu/libm.so -> /lib/...) would
    # point into the host: make them relative to the sysroot.
    find "$new/root" -type l | while IFS= read -r l; do
        target="$(readlink "$l")"
        case "$target" in
        /*) ln -sfn "$(realpath -s -m --relative-to="$(dirname "$l")" "$new/root$target")" "$l" || exit 1 ;;
        esac
    done || return 1
    if find "$new/root" -type l -lname '/*' | grep -q .; then
        echo "bigendian.sh: absolute symlinks left in the sysroot" >&2
        return 1
    fi
    {
        echo "$BE_SYSROOT_PKGS"
        (cd "$new/debs" && ls)
    } >"$new/root/.qfs-sysroot" || return 1
    rm -rf "$SYSROOT" && mv "$new/root" "$SYSROOT" && rm -rf "$new"
}

# Exit 3 (not 1) when the packages cannot be had here (no network to the
# Debian archive, or not root), so that the cause is plain. It is a failure
# all the same: scripts/test.sh fails on it, and a check that was not run is
# skipped only when QFS_SKIP_BIGENDIAN=1 asks for it.
packages_step() {
    local name="$1"; shift
    step "$name" "$@" && return 0
    printf '%s\n' "${results[@]}"
    if [ "$unreachable" = 1 ]; then
        echo "bigendian.sh: the s390x packages cannot be had on this machine: the check could not run" >&2
        exit 3
    fi
    exit 1
}
packages_step "install the cross compiler and qemu-user (amd64)" install_tools
packages_step "s390x sysroot ($SYSROOT)" make_sysroot

# --- builds ---------------------------------------------------------------
build_native() {
    cmake -S . -B "$NATIVE_DIR" -DQFS_WERROR=ON -DQFS_BUILD_TESTS=OFF >/dev/null &&
        cmake --build "$NATIVE_DIR" -j"$(nproc)" --target qfs
}
build_s390x() {
    local target=()
    [ "$RUN_CTEST" = 1 ] || target=(--target qfs)
    # A build directory configured for another sysroot (or for the multiarch
    # libraries of old) has the compiler's findings cached: configure anew.
    if [ -f "$CROSS_DIR/CMakeCache.txt" ] &&
        ! grep -qxF "QFS_S390X_SYSROOT:PATH=$SYSROOT" "$CROSS_DIR/CMakeCache.txt"; then
        rm -rf "$CROSS_DIR/CMakeCache.txt" "$CROSS_DIR/CMakeFiles"
    fi
    cmake -S . -B "$CROSS_DIR" -DCMAKE_TOOLCHAIN_FILE="$SRC/cmake/s390x.cmake" \
        -DQFS_S390X_SYSROOT:PATH="$SYSROOT" -DQFS_WERROR=ON >/dev/null &&
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
printf '#!/bin/sh\nexec qemu-s390x -L "%s" "%s" "$@"\n' "$SYSROOT" "$CROSS_DIR/qfs" >"$T/s390x/qfs"
# The test tools beside it (craft_log, sign_log, ...), found by the command tests.
for tool in craft_log sign_log auth_vector bench_verify; do
    printf '#!/bin/sh\nexec qemu-s390x -L "%s" "%s" "$@"\n' "$SYSROOT" "$CROSS_DIR/tests/$tool" >"$T/s390x/tests/$tool"
    chmod +x "$T/s390x/tests/$tool"
done
chmod +x "$T/s390x/qfs"
QS="$T/s390x/qfs"

# --- 1-3. simulated logs --------------------------------------------------
same() { cmp "$1" "$2"; }
first_seed="${SEEDS%% *}"
for seed in $SEEDS; do
    d="$T/seed$seed"
    mkdir -p "$d"
    if [ "$seed" = "$first_seed" ]; then
        sim="--seed $seed --events $EVENTS --auth none"
    else
        sim="--seed $seed --events $SIGNED_EVENTS --auth ed25519"
    fi
    # shellcheck disable=SC2086
    step "seed $seed: simulate ($sim) on both, logs byte-identical" \
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
    n_events=$(echo "$sim" | sed 's/.*--events \([0-9]*\).*/\1/')
    mid=$((n_events / 2))
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
echo "Big-endian determinism check (s390x under qemu-user vs $(uname -m)), seeds: $SEEDS (the first unauthenticated, $EVENTS events; the others signed, $SIGNED_EVENTS events)"
printf '  %s\n' "${results[@]}"
[ "${#hashes[@]}" -gt 0 ] && printf '  %s\n' "${hashes[@]}"
[ -n "${vectors_line:-}" ] && echo "  vectors on s390x: $vectors_line"
echo "total: $((END - START)) s; $failures failed step(s)"
if [ "$failures" -ne 0 ]; then
    echo "RESULT: DIVERGENCE OR FAILURE"
    exit 1
fi
echo "RESULT: s390x and $(uname -m) agree"
