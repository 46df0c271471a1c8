#!/bin/bash
# The vector runner is itself tested: on copies of vectors/ with one thing
# wrong, `qfs vectors verify` must fail, name the vector and the path with
# the expected and the actual value, count it in "N passed, M failed", and
# write a JUnit file with exactly that failure.
set -u
QFS="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
SRC="$2"
# shellcheck source=lib/harness.bash
. "$(dirname "$0")/lib/harness.bash"

total=$(find "$SRC/vectors/v2" -name '*.expect.json' | wc -l)
others="$((total - 1)) passed, 2 failed"   # the vector and the manifest
one="$total passed, 1 failed"             # the vector alone (+ the manifest's pass)

# fresh: a clean copy of the vectors in $T/v
fresh() { rm -rf "$T/vectors"; cp -r "$SRC/vectors" "$T/vectors"; }
# run WANT_EXIT ARGS...: verify the copy, keeping stdout in out.txt
run() {
    local want="$1"; shift
    "$QFS" vectors verify "$T/vectors/v2" "$@" >"$T/out.txt" 2>"$T/err.txt"
    local code=$?
    [ "$code" = "$want" ] && ok || bad "verify $*: exit $code, want $want: $(tail -n 3 "$T/out.txt") $(head -n 2 "$T/err.txt")"
}
# failures FILE: the number of <failure> elements, and of those in testcase NAME
failures() {
    if command -v xmllint >/dev/null 2>&1; then
        xmllint --noout "$1" || { echo "not well-formed XML"; return; }
        echo "$(xmllint --xpath "count(//failure)" "$1")"
        echo "$(xmllint --xpath "count(//testcase[@name='$2']/failure)" "$1")"
        echo "$(xmllint --xpath "count(//error)" "$1")"
    else
        grep -c '<failure ' "$1"
        awk -v n="name=\"$2\"" 'index($0, n) { inside = 1 } inside && /<failure / { c++ } /<\/testcase>/ { inside = 0 } END { print c + 0 }' "$1"
        grep -c '<error ' "$1"
    fi
}

# 0. The committed vectors pass, with a JUnit file of no failure.
fresh
run 0 --junit "$T/ok.xml"
has "$T/out.txt" "$((total + 1)) passed, 0 failed"
[ "$(failures "$T/ok.xml" none | tr '\n' ' ')" = "0 0 0 " ] && ok || bad "ok.xml: $(failures "$T/ok.xml" none)"
has "$T/ok.xml" '<testcase classname="qfs.vectors.v2" name="nod_seed_example"/>'

# 1. One wrong expected value, manifest regenerated: exactly one failure,
# naming the vector, the path, the expected and the actual value.
fresh
sed -i 's/{"path": "nod.pool", "at": 6, "value": "1",/{"path": "nod.pool", "at": 6, "value": "2",/' \
    "$T/vectors/v2/nod_seed_example.expect.json"
"$QFS" vectors generate "$T/vectors/v2" >/dev/null
run 1 --junit "$T/one.xml"
has "$T/out.txt" 'FAIL: nod_seed_example: nod.pool (after event 6): want "2", got "1"'
[ "$(grep -c '^FAIL: ' "$T/out.txt")" = 1 ] && ok || bad "one wrong value gave: $(grep '^FAIL' "$T/out.txt")"
[ "$(tail -n 1 "$T/out.txt")" = "$one" ] && ok || bad "last line: $(tail -n 1 "$T/out.txt"), want $one"
[ "$(failures "$T/one.xml" nod_seed_example | tr '\n' ' ')" = "1 1 0 " ] && ok ||
    bad "one.xml: failures total/in the vector/errors: $(failures "$T/one.xml" nod_seed_example | tr '\n' ' ')"
has "$T/one.xml" 'message="nod.pool (after event 6): want &quot;2&quot;, got &quot;1&quot;"'

# 2. The same edit without regenerating the manifest: the manifest fails
# first, naming the file, and the vector fails as well.
fresh
sed -i 's/{"path": "nod.pool", "at": 6, "value": "1",/{"path": "nod.pool", "at": 6, "value": "2",/' \
    "$T/vectors/v2/nod_seed_example.expect.json"
run 1 --junit "$T/two.xml"
has "$T/out.txt" "FAIL: MANIFEST.sha256: v2/nod_seed_example.expect.json: sha256 $(sha256sum "$T/vectors/v2/nod_seed_example.expect.json" | cut -c1-64), but the manifest says $(grep " v2/nod_seed_example.expect.json$" "$SRC/vectors/MANIFEST.sha256" | cut -c1-64)"
head -n 1 "$T/out.txt" | grep -q '^FAIL: MANIFEST.sha256: ' && ok || bad "the manifest is not checked first: $(head -n 1 "$T/out.txt")"
has "$T/out.txt" 'FAIL: nod_seed_example: nod.pool (after event 6): want "2", got "1"'
[ "$(tail -n 1 "$T/out.txt")" = "$others" ] && ok || bad "last line: $(tail -n 1 "$T/out.txt"), want $others"
[ "$(failures "$T/two.xml" MANIFEST.sha256 | tr '\n' ' ')" = "2 1 0 " ] && ok || bad "two.xml: $(failures "$T/two.xml" MANIFEST.sha256)"

# 3. Manifest: a missing file, an unlisted file, a missing manifest.
fresh
rm "$T/vectors/v2/slashing.pinned.json"
"$QFS" vectors generate "$T/vectors/v2" >/dev/null
rm "$T/vectors/v2/genesis.pinned.json"
echo x >"$T/vectors/v2/stray.txt"
run 1
has "$T/out.txt" "FAIL: MANIFEST.sha256: v2/genesis.pinned.json is listed but missing"
has "$T/out.txt" "FAIL: MANIFEST.sha256: v2/stray.txt is not listed"
has "$T/out.txt" "FAIL: genesis: pinned: $T/vectors/v2/genesis.pinned.json is missing (run 'qfs vectors generate')"
rm "$T/vectors/MANIFEST.sha256"
run 1
has "$T/out.txt" "FAIL: MANIFEST.sha256: $T/vectors/MANIFEST.sha256 is missing"

# 4. A committed log that is not the one its .jsonl gives.
fresh
flip "$T/vectors/v2/slashing.qlog" 100
"$QFS" vectors generate "$T/vectors/v2" >/dev/null  # rewrites the log: regenerating repairs it
run 0
fresh
flip "$T/vectors/v2/slashing.qlog" 100
sed -i "s|^[0-9a-f]*  v2/slashing.qlog\$|$(sha256sum "$T/vectors/v2/slashing.qlog" | cut -c1-64)  v2/slashing.qlog|" "$T/vectors/MANIFEST.sha256"
run 1
has "$T/out.txt" "FAIL: slashing: qlog: $T/vectors/v2/slashing.qlog"
has "$T/out.txt" "differs from the log its .jsonl gives"

# 5. A pinned value that does not match.
fresh
sed -i 's/"state_hash": "[0-9a-f]*"/"state_hash": "00000000000000000000000000000000"/' "$T/vectors/v2/genesis.pinned.json"
sed -i "s|^[0-9a-f]*  v2/genesis.pinned.json\$|$(sha256sum "$T/vectors/v2/genesis.pinned.json" | cut -c1-64)  v2/genesis.pinned.json|" "$T/vectors/MANIFEST.sha256"
run 1
has "$T/out.txt" 'FAIL: genesis: pinned.state_hash: want "00000000000000000000000000000000", got "'

# 6. A receipt, a tally and a damaged vector's error class that are wrong.
fresh
sed -i '0,/"accepted"/s//"overdraft"/' "$T/vectors/v2/timestamps.expect.json"
sed -i 's/"class": "torn"/"class": "corrupt"/' "$T/vectors/v2/damaged_torn_tail.expect.json"
sed -i 's/"class": "parse"/"class": "decode"/' "$T/vectors/v2/bad_input_invalid_event.expect.json"
"$QFS" vectors generate "$T/vectors/v2" >/dev/null
run 1
has "$T/out.txt" 'FAIL: timestamps: receipts[0]: want "overdraft", got "accepted"'
has "$T/out.txt" 'FAIL: damaged_torn_tail: expect_error.class: want "corrupt", got "torn"'
has "$T/out.txt" 'FAIL: bad_input_invalid_event: expect_error.class: want "decode", got "parse"'
[ "$(tail -n 1 "$T/out.txt")" = "$((total - 2)) passed, 3 failed" ] && ok || bad "last line: $(tail -n 1 "$T/out.txt")"

# 7. A malformed expect file: exit 65, naming the file, line and column;
# the JUnit file reports it as an error.
fresh
sed -i '2s/,$/ x,/' "$T/vectors/v2/genesis.expect.json"
run 65 --junit "$T/bad.xml"
grep -q "^FAIL: genesis: malformed vector: $T/vectors/v2/genesis.expect.json:2:[0-9]*: " "$T/out.txt" && ok ||
    bad "malformed: $(grep genesis "$T/out.txt")"
[ "$(failures "$T/bad.xml" genesis | tr '\n' ' ')" = "1 0 1 " ] && ok || bad "bad.xml: $(failures "$T/bad.xml" genesis)"

# 8. Usage: exit 2; --only and positional names; the default directory.
run 2 --frobnicate
run 2 --only no_such_vector
fresh
run 0 --only genesis slashing
has "$T/out.txt" "3 passed, 0 failed"
(cd "$T" && "$QFS" vectors verify --only genesis >"$T/out.txt" 2>&1)
has "$T/out.txt" "2 passed, 0 failed"
"$QFS" vectors --help | grep -q 'default: vectors/v2' && ok || bad "--help does not name the default directory"

# 9. The JUnit file is written whole or not at all: an unwritable place
# leaves nothing behind and exits 74.
run 74 --junit "$T/no/such/dir/j.xml"
finish
