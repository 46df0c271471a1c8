#!/bin/sh
# Source rules that a compiler does not enforce. Exits 1 naming each breach.
set -eu
cd "$(dirname "$0")/.."
status=0
# No floating point anywhere in the library: determinism depends on it.
if grep -rnwE 'float|double|long double' src include; then
    echo "lint: floating point in src/ or include/ (above)" >&2
    status=1
fi
# The fold and the hash do no I/O and read no clock, environment or randomness.
if grep -rnE '#include <(stdio|time|zstd)\.h>|\b(getenv|rand|srand|time|clock_gettime|gettimeofday)\(' \
    src/state src/hash 2>/dev/null; then
    echo "lint: I/O, clock, environment or randomness in src/state or src/hash (above)" >&2
    status=1
fi
# Every C file is formatted by the project's .clang-format.
if command -v clang-format >/dev/null 2>&1; then
    unformatted=$(git ls-files '*.c' '*.h' 2>/dev/null | while read -r f; do
        clang-format --dry-run -Werror "$f" >/dev/null 2>&1 || echo "$f"
    done)
    if [ -n "$unformatted" ]; then
        echo "$unformatted"
        echo "lint: files not formatted with clang-format (above); run: clang-format -i FILE" >&2
        status=1
    fi
fi
exit $status
