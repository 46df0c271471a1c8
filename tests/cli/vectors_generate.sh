#!/bin/bash
# `qfs vectors generate` is deterministic and the committed vector files are
# what it writes: regenerating every log, pinned file and the manifest into a
# copy of vectors/ must not change a byte (diff -r against the committed
# files). Also: generate refuses an expect file that still has "hashes", and
# writes nothing then.
set -u
QFS="$1"
SRC="$2"
# shellcheck source=lib/harness.bash
. "$(dirname "$0")/lib/harness.bash"

cp -r "$SRC/vectors" "$T/vectors"
if "$QFS" vectors generate "$T/vectors/v2" >"$T/gen.out" 2>"$T/gen.err"; then
    ok
else
    bad "generate failed: $(cat "$T/gen.err")"
fi
if diff -r "$SRC/vectors" "$T/vectors" >"$T/diff.out"; then
    ok
else
    bad "regenerating the vectors changed committed files (run 'qfs vectors generate' and commit):
$(head -n 20 "$T/diff.out")"
fi
# A second run changes nothing either (no state carried between runs).
"$QFS" vectors generate "$T/vectors/v2" >/dev/null 2>&1
diff -r "$SRC/vectors" "$T/vectors" >/dev/null && ok || bad "a second generate changed files"

# An old-style expect file with "hashes": refused, nothing written.
f="$T/vectors/v2/genesis.expect.json"
sed -i 's/^}$/,"hashes":{"state_hash":"00000000000000000000000000000000"}}/' "$f"
rm "$T/vectors/v2/slashing.pinned.json"
"$QFS" vectors generate "$T/vectors/v2" >"$T/out.txt" 2>"$T/err.txt"
code=$?
[ "$code" = 65 ] && ok || bad "generate with a \"hashes\" member: exit $code, want 65"
has "$T/err.txt" 'genesis.expect.json: the "hashes" member is no longer part of an expect file'
has "$T/err.txt" "scripts/vectors_strip_hashes.sh"
has "$T/err.txt" "malformed vectors; nothing written"
[ ! -e "$T/vectors/v2/slashing.pinned.json" ] && ok || bad "generate wrote files despite a malformed vector"

# The strip script removes the member and leaves the rest as it was.
cp "$SRC/vectors/v2/genesis.expect.json" "$f"
# (the file ends in "\n  ]\n}\n": the member goes after the "]")
head -c -3 "$f" >"$T/x" && printf ',\n  "hashes": {\n    "state_hash": "0"\n  }\n}\n' >>"$T/x"
mv "$T/x" "$f"
sh "$SRC/scripts/vectors_strip_hashes.sh" "$f" 2>/dev/null
cmp -s "$f" "$SRC/vectors/v2/genesis.expect.json" && ok || bad "strip script: $(diff "$f" "$SRC/vectors/v2/genesis.expect.json" | head)"

# The bomb's body is a real zstd frame, written by hand from RFC 8878: the
# zstd tool (not the library qfs links) expands it to 2^25 + 1 zero bytes.
if command -v zstd >/dev/null 2>&1; then
    bomb="$SRC/vectors/v2/damaged_zstd_bomb.qlog"
    size=$(od -An --endian=little -tu4 -j 148 -N 4 "$bomb" | tr -d ' ')   # compressed_size of record 0 (64 + 84)
    tail -c +161 "$bomb" | head -c "$size" >"$T/bomb.zst"
    [ "$(zstd -dcq "$T/bomb.zst" | wc -c)" = 33554433 ] && ok || bad "the bomb frame does not expand to 33554433 bytes"
    [ "$(zstd -dcq "$T/bomb.zst" | tr -d '\000' | wc -c)" = 0 ] && ok || bad "the bomb frame expands to non-zero bytes"
fi
finish
