# Sourced by the command tests in tests/cli: a private temporary directory
# ($T, removed on exit), pass and fail counters, and the closing line that
# ctest's log and CI read ("N passed, M failed").
T="$(mktemp -d)"
trap 'rm -rf "$T"' EXIT
passes=0
fails=0
ok() { passes=$((passes + 1)); }
bad() { echo "FAIL: $*" >&2; fails=$((fails + 1)); }
# has FILE TEXT: FILE contains TEXT literally.
has() { grep -qF -- "$2" "$1" && ok || bad "$1 lacks $2: $(head -c 600 "$1")"; }
# flip FILE OFFSET: inverts one byte of FILE in place.
flip() {
    local byte
    byte=$(od -An -tu1 -j "$2" -N1 "$1" | tr -d ' ')
    # shellcheck disable=SC2059
    printf "\\x$(printf %02x $((255 - byte)))" | dd of="$1" bs=1 seek="$2" conv=notrunc status=none
}
# finish: prints the counts; the script's exit status says whether all passed.
finish() {
    echo "$passes passed, $fails failed"
    [ "$fails" -eq 0 ]
}
