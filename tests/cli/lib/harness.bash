# Sourced by the command tests in tests/cli: a private temporary directory
# ($T, removed on exit), pass and fail counters, the checks they share, and
# the closing line that ctest's log and CI read ("N passed, M failed").
T="$(mktemp -d)"
trap 'rm -rf "$T"' EXIT
passes=0
fails=0
ok() { passes=$((passes + 1)); }
bad() { echo "FAIL: $*" >&2; fails=$((fails + 1)); }
# expect_exit CODE CMD...: runs CMD in the current directory (stdout in
# out, stderr in err) and checks its exit code.
expect_exit() {
    local want="$1"; shift
    "$@" >out 2>err
    local got=$?
    if [ "$got" -eq "$want" ]; then ok; else bad "exit $got (want $want): $* :: $(head -c 300 err)"; fi
}
# first_err TEXT: the first line of stderr is exactly TEXT.
first_err() { [ "$(head -n 1 err)" = "$1" ] && ok || bad "stderr: $(head -n 1 err)
      want: $1"; }
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
