#!/bin/sh
# Removes the obsolete "hashes" member from vector expect files, keeping the
# rest of each file byte for byte: pinned values now live in NAME.pinned.json,
# which `qfs vectors generate` writes (vectors/README.md).
#
# usage: sh scripts/vectors_strip_hashes.sh FILE.expect.json...
#
# The member must start on a line of its own, `  "hashes": {`, and end with a
# line `  }` (the layout every expect file uses). When it is the last member,
# the comma that ends the member before it is removed.
set -eu
[ "$#" -gt 0 ] || { echo "usage: $0 FILE.expect.json..." >&2; exit 2; }
for f in "$@"; do
    if ! grep -q '^  "hashes": {' "$f"; then
        echo "$f: no \"hashes\" member on a line of its own; nothing changed" >&2
        continue
    fi
    tmp="$f.tmp.$$"
    awk '
        # Hold one line back, so that its trailing comma can be dropped when
        # the member that follows it was the last one.
        function flush() { if (held_set) print held; held_set = 0 }
        skipping && /^  }/ { skipping = 0; after = 1; next }
        skipping { next }
        /^  "hashes": \{/ { skipping = 1; next }
        after && /^}/ { sub(/,[ \t]*$/, "", held); after = 0 }
        { after = 0; flush(); held = $0; held_set = 1 }
        END { flush() }
    ' "$f" >"$tmp"
    mv "$tmp" "$f"
    echo "$f: removed \"hashes\"" >&2
done
