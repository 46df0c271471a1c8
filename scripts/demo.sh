#!/bin/sh
# The main job, end to end: install what is missing, build, simulate an
# economy, verify the log, and replay it five times in fresh processes.
set -eu
cd "$(dirname "$0")/.."
sh scripts/deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j"$(nproc)" --target qfs >/dev/null
mkdir -p out
./build/qfs simulate --seed 42 --events 1000000 --force -o out/demo.qlog
./build/qfs log check out/demo.qlog
./build/qfs replay out/demo.qlog --runs 5 --stats
