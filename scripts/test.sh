#!/bin/sh
# Installs what is missing, builds qfs from scratch with warnings as errors,
# checks the source rules, runs every test through ctest, then runs each
# libFuzzer target for a bounded time under ASan and UBSan.
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
