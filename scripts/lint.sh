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
exit $status
