#!/bin/bash
# End-to-end tests of `qfs report` through the qfs binary. Every value the
# charts must carry is read from the evidence bundle's JSON with jq (or
# summed with python3's integers), independently of the report code; the page
# is then rendered in headless Chromium (when installed), which must draw it
# and keep every chart and its values in the DOM.
set -u
QFS="$1"
# shellcheck source=lib/harness.bash
. "$(dirname "$0")/lib/harness.bash"
cd "$T" || exit 1
umask 022
export TMPDIR="$T/tmp"
mkdir -p "$TMPDIR"

# same A B WHAT: the two texts are equal.
same() { [ "$1" = "$2" ] && ok || bad "$3 differ:
  report: $(printf '%s' "$1" | head -c 400)
  bundle: $(printf '%s' "$2" | head -c 400)"; }
# attrs FILE SERIES: "epoch value" per element of a chart series, in order.
attrs() {
    grep -o "data-series=\"$2\" data-epoch=\"[0-9]*\" data-value=\"[0-9.]*\"" "$1" |
        sed 's/.*data-epoch="\([0-9]*\)" data-value="\([0-9.]*\)"/\1 \2/'
}

expect_exit 0 "$QFS" report --help
has out "usage: qfs report LOG|EVIDENCE_DIR -o FILE [--runs N]"
expect_exit 0 "$QFS" --help
has out "  report LOG|DIR -o FILE"
expect_exit 2 "$QFS" report
first_err "qfs report: missing LOG or EVIDENCE_DIR"
expect_exit 2 "$QFS" report s.qlog
first_err "qfs report: missing -o FILE"
expect_exit 2 "$QFS" report s.qlog -o x.html --runs 0
first_err "qfs report: --runs must be 1 to 64"
expect_exit 74 "$QFS" report missing.qlog -o x.html
first_err "qfs report: missing.qlog: No such file or directory"

# A simulated economy of three epochs: slashes, NOD issued and cut by the
# cap, T2 paid, proposals.
"$QFS" simulate --seed 7 --events 3000 --auth none -o s.qlog >/dev/null || bad "simulate"
"$QFS" evidence s.qlog -o ev --runs 2 >/dev/null || bad "evidence"

# Byte-identical twice; from the LOG equal to from its bundle.
expect_exit 0 "$QFS" report ev -o a.html
expect_exit 0 "$QFS" report ev -o b.html
cmp -s a.html b.html && ok || bad "two reports of one bundle differ"
expect_exit 0 "$QFS" report s.qlog -o c.html --runs 2
cmp -s a.html c.html && ok || bad "the report of the LOG differs from the report of its bundle"
[ -z "$(ls -A "$TMPDIR")" ] && ok || bad "left in TMPDIR: $(ls -A "$TMPDIR")"
ls ./*.tmp-* >/dev/null 2>&1 && bad "temporary file left: $(ls ./*.tmp-*)" || ok
[ "$(stat -c %a a.html)" = 644 ] && ok || bad "report mode $(stat -c %a a.html) under umask 022"
# No path of the input in the page.
grep -qF "$T" a.html && bad "the page names a path" || ok

# Self-contained: no network reference, no script, no external resource.
grep -Eiq 'https?://' a.html && bad "a URL: $(grep -Eio '.{40}https?://.{40}' a.html | head -1)" || ok
grep -Eiq '(src|href|xlink:href)=' a.html && bad "an src/href attribute: $(grep -Eio '.{20}(src|href)=.{40}' a.html | head -1)" || ok
grep -Eiq '<script|<link|<img|<iframe|@import|url\(' a.html && bad "an external resource or a script" || ok
has a.html '@media print{@page{size:A4'

# Charts against the bundle.
same "$(attrs a.html t2-paid)" "$(jq -r '.closes[] | "\(.epoch) \(.t2.paid)"' ev/rewards.json)" "T2 paid"
[ "$(jq '.closes | length' ev/rewards.json)" = 2 ] && ok || bad "the simulated log has not 2 closes"
for s in issued cut; do
    same "$(attrs a.html nod-$s)" "$(jq -r ".closes[] | \"\(.epoch) \(.issuance.$s)\"" ev/nod_distribution.json)" "NOD $s"
done
same "$(attrs a.html nod-allocated)" "$(jq -r '.closes[] | "\(.epoch) \(.allocated)"' ev/nod_distribution.json)" "NOD allocated"
same "$(attrs a.html c-hat)" "$(jq -r '.closes[] | "\(.epoch) \(.coherence.c_hat)"' ev/rewards.json)" "C-hat"
same "$(grep -o 'data-series="c-hat"[^>]*data-deficit="[a-z]*"' a.html | sed 's/.*data-deficit="//;s/"//')" \
    "$(jq -r '.closes[].coherence.deficit' ev/rewards.json)" "deficit flags"
same "$(grep -o 'data-series="deficit" data-epoch="[0-9]*"' a.html | sed 's/.*data-epoch="//;s/"//')" \
    "$(jq -r '.closes[] | select(.coherence.deficit) | .epoch' ev/rewards.json)" "deficit shading"
same "$(grep -o 'data-series="psi" data-validator="[^"]*" data-value="[0-9.]*"' a.html |
    sed 's/.*data-validator="\([^"]*\)" data-value="\([0-9.]*\)"/\1 \2/')" \
    "$(jq -r '.closes[-1].t2.shares[] | "\(.validator) \(.psi_eff)"' ev/rewards.json)" "Psi per validator"
same "$(grep -o 'data-series="slashing-threshold" data-value="[0-9.]*"' a.html | sed 's/.*value="//;s/"//')" \
    "$(jq -r '.closes[-1].slashing.threshold' ev/rewards.json)" "slashing threshold"
# A bar below the slashing line is marked: Psi 0.7099 at the last close is
# above 0.7, so only values below 0.7 are, and jq says which (none here: the
# only slash was at epoch 0).
same "$(grep -o 'class="psi below" data-series="psi" data-validator="[^"]*"' a.html | sed 's/.*validator="//;s/"//')" \
    "$(jq -r '.closes[-1] as $c | $c.t2.shares[] | select((.psi_eff | tonumber) < ($c.slashing.threshold | tonumber)) | .validator' ev/rewards.json)" \
    "validators below the line"
# NOD per node over every close: summed with python's exact integers.
same "$(grep -o '<tr data-node="[^"]*" data-value="[0-9]*"' a.html | sed 's/.*data-node="\([^"]*\)" data-value="\([0-9]*\)"/\1 \2/')" \
    "$(python3 -c '
import json, sys
t = {}
for c in json.load(open("ev/nod_distribution.json"))["closes"]:
    for s in c["shares"]:
        t[s["node"]] = t.get(s["node"], 0) + int(s["share"])
for k in sorted(t): print(k, t[k])')" "NOD per node"
# Governance counts, state hash, consistency, digests.
for g in social infra; do
    same "$(grep -o "id=\"gov-$g\" data-proposals=\"[0-9]*\" data-open=\"[0-9]*\" data-passed=\"[0-9]*\" data-no-quorum=\"[0-9]*\" data-rejected=\"[0-9]*\"" a.html |
        grep -o '"[0-9]*"' | tr -d '"' | tr '\n' ' ')" \
        "$(jq -r ".$g | [length, (map(select(.status == \"open\")) | length), (map(select(.status == \"passed\")) | length), (map(select(.status == \"no_quorum\")) | length), (map(select(.status == \"rejected\")) | length)] | map(tostring) | join(\" \")" ev/governance.json) " \
        "$g governance counts"
done
has a.html "id=\"state-hash\">$(jq -r .final.state_hash ev/checkpoints.json)<"
has a.html "id=\"consistency\" data-all-equal=\"true\" data-runs=\"2\""
same "$(grep -o '<tr data-name="[^"]*" data-sha256="[0-9a-f]*"' a.html | sed 's/.*data-name="\([^"]*\)" data-sha256="\([0-9a-f]*\)"/\1 \2/')" \
    "$(cd ev && sha256sum ../s.qlog ./*.json trace.jsonl | grep -v statement.json | sed 's|  \.\./|  |;s|  \./|  |' |
        awk '{print $2, $1}' | sort)" "evidence digests (sha256sum)"

# HTML escaping of the bundle's strings.
cp -r ev esc
jq -c '.closes[-1].t2.shares[0].validator = "<b>&\"x'"'"'"' ev/rewards.json >esc/rewards.json
expect_exit 0 "$QFS" report esc -o esc.html
has esc.html 'data-validator="&lt;b&gt;&amp;&quot;x&#39;"'
grep -qF '<b>&' esc.html && bad "an unescaped string of the bundle" || ok

# A long log: at most 500 closes per chart, sampled evenly with the first
# and the last; the caption says so; per-epoch tables list at most 100.
"$QFS" simulate --seed 3 --events 12000 --epoch-events 20 --auth none -o long.qlog >/dev/null || bad "simulate long"
"$QFS" evidence long.qlog -o evl --runs 1 >/dev/null || bad "evidence long"
expect_exit 0 "$QFS" report evl -o long.html
n=$(jq '.closes | length' evl/rewards.json)
[ "$n" -gt 500 ] && ok || bad "the long log has only $n closes"
same "$(attrs long.html t2-paid)" "$(jq -r '.closes as $c | ($c | length) as $n |
    range(500) | $c[(. * ($n - 1) / 499 | floor)] | "\(.epoch) \(.t2.paid)"' evl/rewards.json)" "sampled T2 paid"
same "$(attrs long.html c-hat | sed -n '1p;$p')" "$(jq -r '.closes[0,-1] | "\(.epoch) \(.coherence.c_hat)"' evl/rewards.json)" \
    "first and last C-hat"
has long.html "500 of $n closes drawn, evenly spaced"
has long.html "100 of $n closes listed"

# Bad input: a missing artifact, a file that is not JSON, a field of the
# wrong kind, a corrupt log. Nothing is written, an old report stays.
cp a.html keep.html
cp -r ev miss
rm miss/rewards.json
expect_exit 65 "$QFS" report miss -o keep.html
first_err "qfs report: miss/rewards.json: missing from the bundle"
cmp -s a.html keep.html && ok || bad "a failed report touched the old one"
cp -r ev notjson
printf '{"closes":' >notjson/governance.json
expect_exit 65 "$QFS" report notjson -o x.html
first_err "qfs report: notjson/governance.json: line 1: not JSON: unexpected token near end of file"
cp -r ev field
jq -c '.closes[1].t2.paid = "1.5"' ev/rewards.json >field/rewards.json
expect_exit 65 "$QFS" report field -o x.html
first_err "qfs report: field/rewards.json: closes[1].t2.paid: not an amount (a string of digits)"
jq -c 'del(.final)' ev/checkpoints.json >field/checkpoints.json
cp ev/rewards.json field/rewards.json
expect_exit 65 "$QFS" report field -o x.html
first_err "qfs report: field/checkpoints.json: final: missing"
cp s.qlog flipped.qlog
flip flipped.qlog 200
expect_exit 65 "$QFS" report flipped.qlog -o x.html --runs 1
has err "qfs report: flipped.qlog: "
has err "(corrupt log)"
[ -e x.html ] && bad "x.html written for bad input" || ok
[ -z "$(ls -A "$TMPDIR")" ] && ok || bad "left in TMPDIR after a failure: $(ls -A "$TMPDIR")"

# Headless Chromium: draws the page, keeps every chart and its values.
if command -v chromium >/dev/null 2>&1; then
    url="file://$T/a.html"
    cflags=(--headless --no-sandbox --disable-gpu --disable-dev-shm-usage --user-data-dir="$T/chromium")
    timeout 60 chromium "${cflags[@]}" --screenshot="$T/shot.png" --window-size=1200,3000 "$url" >/dev/null 2>&1
    [ -s shot.png ] && ok || bad "no screenshot"
    # The PNG: 1200 x 3000, mostly not blank, the T2 bars' blue (#2b6cb0) drawn.
    python3 - shot.png >png.txt <<'PY' || bad "PNG check: $(cat png.txt)"
import struct, sys, zlib
data = open(sys.argv[1], "rb").read()
assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
pos, idat, hdr = 8, b"", None
while pos < len(data):
    n, kind = struct.unpack(">I4s", data[pos:pos + 8])
    body = data[pos + 8:pos + 8 + n]
    if kind == b"IHDR":
        hdr = struct.unpack(">IIBBBBB", body)
    elif kind == b"IDAT":
        idat += body
    pos += 12 + n
w, h, depth, color = hdr[0], hdr[1], hdr[2], hdr[3]
print(w, h)
assert (w, h) == (1200, 3000), "size %dx%d" % (w, h)
assert depth == 8 and color in (2, 6), "depth %d color %d" % (depth, color)
bpp = 3 if color == 2 else 4
raw, stride = zlib.decompress(idat), w * bpp
prev, i, nonwhite, blue = bytearray(stride), 0, 0, 0
for _ in range(h):
    f, row = raw[i], bytearray(raw[i + 1:i + 1 + stride])
    i += 1 + stride
    for x in range(stride):
        a = row[x - bpp] if x >= bpp else 0
        b = prev[x]
        c = prev[x - bpp] if x >= bpp else 0
        if f == 1: row[x] = (row[x] + a) & 255
        elif f == 2: row[x] = (row[x] + b) & 255
        elif f == 3: row[x] = (row[x] + (a + b) // 2) & 255
        elif f == 4:
            p = a + b - c
            pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
            row[x] = (row[x] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
    for x in range(0, stride, bpp):
        px = (row[x], row[x + 1], row[x + 2])
        if px != (255, 255, 255): nonwhite += 1
        if px == (0x2b, 0x6c, 0xb0): blue += 1
    prev = row
print("nonwhite", nonwhite, "blue", blue)
assert nonwhite > w * h // 50, "almost blank: %d non-white pixels" % nonwhite
assert blue > 10000, "the blue bars are not drawn: %d pixels" % blue
PY
    [ -s png.txt ] && ok
    timeout 60 chromium "${cflags[@]}" --dump-dom "$url" >dom.html 2>/dev/null
    [ -s dom.html ] && ok || bad "no DOM dumped"
    for chart in t2-chart nod-chart psi-chart chat-chart; do
        grep -q "<svg data-chart=\"$chart\"" dom.html && ok || bad "chart $chart not in the rendered DOM"
    done
    same "$(attrs dom.html t2-paid)" "$(jq -r '.closes[] | "\(.epoch) \(.t2.paid)"' ev/rewards.json)" "DOM T2 paid"
    same "$(attrs dom.html nod-cut)" "$(jq -r '.closes[] | "\(.epoch) \(.issuance.cut)"' ev/nod_distribution.json)" "DOM NOD cut"
    same "$(attrs dom.html c-hat)" "$(jq -r '.closes[] | "\(.epoch) \(.coherence.c_hat)"' ev/rewards.json)" "DOM C-hat"
    same "$(grep -o 'data-series="psi" ' dom.html | wc -l)" "$(jq '.closes[-1].t2.shares | length' ev/rewards.json)" "DOM Psi bars"
    # Printed: the print stylesheet's A4 pages (595 x 842 points, to Chromium's rounding).
    timeout 60 chromium "${cflags[@]}" --no-pdf-header-footer --print-to-pdf="$T/page.pdf" "$url" >/dev/null 2>&1
    boxes=$(grep -a -o '/MediaBox \[[^]]*\]' page.pdf 2>/dev/null | sort -u)
    [[ "$boxes" =~ ^/MediaBox\ \[0\ 0\ 59[45](\.[0-9]+)?\ 84[12](\.[0-9]+)?\]$ ]] && ok || bad "PDF pages are not A4: $boxes"
else
    echo "chromium not installed (scripts/deps.sh): the rendering checks are skipped" >&2
fi

finish
