#!/bin/sh
# Installs what is missing, builds qfs from scratch with warnings as errors,
# checks the source rules, runs every test through ctest, runs each libFuzzer
# target for a bounded time under ASan and UBSan, and compares an s390x
# (big-endian) build with this one (scripts/bigendian.sh).
set -eu
cd "$(dirname "$0")/.."
sh scripts/deps.sh
sh scripts/lint.sh
BUILD=build-test
rm -rf "$BUILD"
cmake -S . -B "$BUILD" -DQFS_WERROR=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$BUILD" -j"$(nproc)"
(cd "$BUILD" && ctest --output-on-failure -j"$(nproc)")
FUZZ_SECONDS="${FUZZ_SECONDS:-60}" sh scripts/fuzz.sh
# Big-endian determinism: the same logs, hashes and JSON from an s390x build
# under qemu-user. A machine where its packages cannot be had skips it.
rc=0
bash scripts/bigendian.sh || rc=$?
if [ "$rc" -eq 3 ]; then
    echo "test.sh: big-endian check skipped: the s390x packages could not be had here" >&2
elif [ "$rc" -ne 0 ]; then
    exit "$rc"
fi
