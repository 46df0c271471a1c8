#!/bin/sh
# Installs what is missing, builds qfs from scratch with warnings as errors,
# checks the source rules, and runs every test through ctest.
set -eu
cd "$(dirname "$0")/.."
sh scripts/deps.sh
sh scripts/lint.sh
BUILD=build-test
rm -rf "$BUILD"
cmake -S . -B "$BUILD" -DQFS_WERROR=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$BUILD" -j"$(nproc)"
cd "$BUILD"
ctest --output-on-failure -j"$(nproc)"
