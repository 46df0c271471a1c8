#!/bin/bash
# Runs every golden vector of vectors/v2 against the built qfs: a thin caller
# of `qfs vectors verify` (replay/cmd_vectors.c; the format is in
# vectors/README.md), kept for the callers that name this script
# (tests/CMakeLists.txt, scripts/matrix.sh, scripts/bigendian.sh). Its last
# line is the runner's "N passed, M failed"; it exits as the runner does
# (0 all passed, 1 a failure, 65 a malformed vector file).
#
# usage: vectors.sh QFS_BINARY SOURCE_DIR [NAME...]
#   NAME...  run only these vectors (file names without .jsonl)
# environment:
#   QFS_VECTORS_JUNIT=FILE  also write the results as JUnit XML to FILE
set -u
QFS="$1"
SRC="$2"
shift 2
args=("$SRC/vectors/v2")
[ -n "${QFS_VECTORS_JUNIT:-}" ] && args+=(--junit "$QFS_VECTORS_JUNIT")
exec "$QFS" vectors verify "${args[@]}" "$@"
