#!/bin/bash
# Drives every row of docs/ERRORS.md: builds the bad input the row names, runs
# the row's command, and checks the exit code and the first line of standard
# error against the row's text exactly. A row without a case, or a case
# without a row, fails the test.
set -u
QFS="$1"
SRC="$2"
CRAFT="$(dirname "$QFS")/tests/craft_log"
DOC="$SRC/docs/ERRORS.md"
# shellcheck source=lib/harness.bash
. "$(dirname "$0")/lib/harness.bash"
cd "$T" || exit 1
declare -A seen

# row ID -> "exit|message" from the table in docs/ERRORS.md
row() {
    awk -F'|' -v id="$1" '$2 ~ ("^ *" id " *$") {
        code = $6; gsub(/^ *| *$/, "", code)
        msg = $7; sub(/^ *`/, "", msg); sub(/` *$/, "", msg)
        print code "|" msg; exit }' "$DOC"
}

# check ID CMD...: runs CMD and compares with row ID.
check() {
    local id="$1"; shift
    seen[$id]=1
    local want
    want="$(row "$id")"
    if [ -z "$want" ]; then
        bad "$id: no row in docs/ERRORS.md"; return
    fi
    "$@" >out.txt 2>err.txt
    local code=$?
    local first
    first="$(head -n 1 err.txt)"
    local want_code="${want%%|*}"
    local want_msg="${want#*|}"
    [ "$want_msg" = "—" ] && want_msg=""
    # "…" in a row stands for text that varies (a hash): match around it.
    local matched=0
    if [ "${want_msg#*…}" != "$want_msg" ]; then
        local head="${want_msg%%…*}" tail="${want_msg#*…}"
        [ "${first#"$head"}" != "$first" ] && [ "${first%"$tail"}" != "$first" ] && matched=1
    elif [ "$first" = "$want_msg" ]; then
        matched=1
    fi
    if [ "$code" != "$want_code" ] || [ "$matched" -ne 1 ]; then
        bad "$id: exit $code, stderr: $first
      want exit $want_code, stderr: $want_msg"
    else
        ok
    fi
}

line() { printf '%s\n' "$1" > bad.jsonl; }

line '{"kind":"epoch_close","timestamp_ms":1,"epoch":0'
check E01 "$QFS" append x.qlog bad.jsonl
line '[1,2]'
check E02 "$QFS" append x.qlog bad.jsonl
line '{"kind":"mint","timestamp_ms":1}'
check E03 "$QFS" append x.qlog bad.jsonl
line '{"timestamp_ms":1}'
check E04 "$QFS" append x.qlog bad.jsonl
line '{"kind":"epoch_close","timestamp_ms":1,"epoch":0,"foo":1}'
check E05 "$QFS" append x.qlog bad.jsonl
line '{"kind":"transfer","timestamp_ms":1,"from":"a","asset":"T1","amount":"1"}'
check E06 "$QFS" append x.qlog bad.jsonl
line '{"kind":"epoch_close","timestamp_ms":1,"epoch":"x"}'
check E07 "$QFS" append x.qlog bad.jsonl
line '{"kind":"coherence_report","timestamp_ms":1,"validator":"v","psi":0.7}'
check E08 "$QFS" append x.qlog bad.jsonl
line '{"kind":"coherence_report","timestamp_ms":1,"validator":"v","psi":"1.5"}'
check E09 "$QFS" append x.qlog bad.jsonl
line '{"kind":"coherence_report","timestamp_ms":1,"validator":"v","psi":"0.1234567890123456789"}'
check E10 "$QFS" append x.qlog bad.jsonl
line '{"kind":"coherence_report","timestamp_ms":1,"validator":"v","psi":"1."}'
check E11 "$QFS" append x.qlog bad.jsonl
line '{"kind":"stake","timestamp_ms":1,"validator":"v","amount":"340282366920938463463374607431768211456"}'
check E12 "$QFS" append x.qlog bad.jsonl
line '{"kind":"stake","timestamp_ms":1,"validator":"v","amount":18446744073709551616}'
check E13 "$QFS" append x.qlog bad.jsonl
line '{"kind":"stake","timestamp_ms":1,"validator":"v","amount":-1}'
check E14 "$QFS" append x.qlog bad.jsonl
line "{\"kind\":\"stake\",\"timestamp_ms\":1,\"validator\":\"$(printf 'v%.0s' $(seq 65))\",\"amount\":1}"
check E15 "$QFS" append x.qlog bad.jsonl
line '{"kind":"stake","timestamp_ms":1,"validator":"a b","amount":1}'
check E16 "$QFS" append x.qlog bad.jsonl
line '{"kind":"transfer","timestamp_ms":1,"from":"a","to":"b","asset":"T9","amount":"1"}'
check E17 "$QFS" append x.qlog bad.jsonl
line '{"kind":"genesis","timestamp_ms":0,"chain_id":"c","params":{"nod_fractio":"0.1"}}'
check E18 "$QFS" append x.qlog bad.jsonl
line '{"kind":"genesis","timestamp_ms":0,"chain_id":"c","params":{"nod_fraction":"0.2"}}'
check E19 "$QFS" append x.qlog bad.jsonl
line '{"kind":"epoch_close","timestamp_ms":1,"epoch":0,"epoch":1}'
check E20 "$QFS" append x.qlog bad.jsonl
line '{"kind":"epoch_close","timestamp_ms":1,"epoch":0} x'
check E21 "$QFS" append x.qlog bad.jsonl
printf '{"kind":"epoch_close","timestamp_ms":1,"epoch":0}\0\n' > bad.jsonl
check E22 "$QFS" append x.qlog bad.jsonl
{ head -c 17825792 /dev/zero | tr '\0' x; echo; } > bad.jsonl
check E38 "$QFS" append x.qlog bad.jsonl

{ printf '{"kind":"epoch_close","timestamp_ms":1,"epoch":0,"x":[{}'
  head -c 89997 /dev/zero | tr '\0' '\n' | sed 's/.*/,{}/' | head -n 29999 | tr -d '\n'
  printf ']}\n'; } > bad.jsonl
check E41 "$QFS" append x.qlog bad.jsonl
# 1 200 000 members "kNNNNNNN":0 of 12 bytes, joined by commas: about 14.5
# bytes of estimate per byte, within the bound; the address space is not.
{ printf '{"kind":"epoch_close","timestamp_ms":1,"epoch":0,"x":{'
  seq -w 0 1199999 | sed 's/.*/"k&":0/' | paste -sd, | tr -d '\n'
  printf '}}\n'; } > members.jsonl
if (ulimit -v 150000; "$QFS" --version) > /dev/null 2>&1; then
    check E42 bash -c 'ulimit -v 150000; exec "$0" append x.qlog members.jsonl' "$QFS"
else
    seen[E42]=1 # qfs cannot start under the cap here (a sanitizer build)
fi
rm -f members.jsonl

# Timestamps going back: not an error but a rejection with a receipt.
printf '%s\n' '{"kind":"genesis","timestamp_ms":100,"chain_id":"c","params":{},"accounts":[]}' \
    '{"kind":"epoch_close","timestamp_ms":99,"epoch":0}' > back.jsonl
"$QFS" append back.qlog back.jsonl >/dev/null 2>&1
check E23 "$QFS" replay back.qlog
grep -qx "rejected: 1" out.txt && ok || bad "E23: not counted as rejected"

# Logs.
"$CRAFT" badevent badevent.qlog
check E44 "$QFS" replay badevent.qlog
"$CRAFT" bomb bomb.qlog
check E24 "$QFS" replay bomb.qlog
# A fixed log of two records (2 events, then 1), so that offsets are stable.
printf '%s\n' '{"kind":"genesis","timestamp_ms":100,"chain_id":"c","params":{},"accounts":[]}' \
    '{"kind":"epoch_close","timestamp_ms":101,"epoch":0}' > good.jsonl
"$QFS" append good.qlog good.jsonl >/dev/null
printf '%s\n' '{"kind":"epoch_close","timestamp_ms":102,"epoch":1}' | "$QFS" append good.qlog - >/dev/null
head -c $(($(stat -c %s good.qlog) - 5)) good.qlog > torn.qlog
check E25 "$QFS" replay torn.qlog
head -c 40 good.qlog > short.qlog
check E26 "$QFS" replay short.qlog
echo "hello, world" > text.qlog
check E27 "$QFS" replay text.qlog
"$CRAFT" schema schema.qlog
check E28 "$QFS" replay schema.qlog
"$CRAFT" version version.qlog
check E29 "$QFS" replay version.qlog
cp good.qlog flipped.qlog
printf '\x00' | dd of=flipped.qlog bs=1 seek=200 conv=notrunc status=none
cmp -s good.qlog flipped.qlog && printf '\x01' | dd of=flipped.qlog bs=1 seek=200 conv=notrunc status=none
check E30 "$QFS" replay flipped.qlog
cp good.qlog mid.qlog
printf '\x00' | dd of=mid.qlog bs=1 seek=175 conv=notrunc status=none
cmp -s good.qlog mid.qlog && bad "E39: byte 175 of good.qlog was already 0"
cp mid.qlog mid.orig
line '{"kind":"epoch_close","timestamp_ms":1,"epoch":0}'
check E39 "$QFS" append mid.qlog bad.jsonl
cmp -s mid.orig mid.qlog || bad "E39: append changed the damaged log"
check E31 "$QFS" replay missing.qlog
mkdir adir.qlog
check E32 "$QFS" replay adir.qlog
mkfifo fifo.qlog
check E40 timeout 10 "$QFS" replay fifo.qlog
line '{"kind":"epoch_close","timestamp_ms":1,"epoch":0}'
# A log of 1351 bytes: the two records of good.qlog and nine more of one
# event each; the next record would start at byte 1351, past the 1024-byte
# limit, so its write fails with EFBIG (the signal is ignored).
cp good.qlog fsize.qlog
for i in 1 2 3 4 5 6 7 8 9; do
    printf '{"kind":"epoch_close","timestamp_ms":%d,"epoch":%d}\n' $((102 + i)) $((1 + i)) |
        "$QFS" append fsize.qlog - >/dev/null
done
check E33 bash -c "trap '' XFSZ; ulimit -f 1; exec \"\$0\" append fsize.qlog bad.jsonl" "$QFS"
check E34 sh -c "\"$QFS\" dump good.qlog > /dev/full"
: > empty.qlog
check E35 "$QFS" replay empty.qlog
check E36 "$QFS" replay good.qlog --frobnicate
check E37 "$QFS" replay good.qlog --expect 00000000000000000000000000000000
check E43 "$QFS" dump good.qlog --from 3

# Vectors (`qfs vectors verify`): a directory of two small vectors, one of
# them damaged, made consistent by `qfs vectors generate`; each case breaks
# one thing in a fresh copy.
mkdir -p vec0/v2
printf '%s\n' '{"accounts":[],"chain_id":"c","kind":"genesis","params":{},"timestamp_ms":100}' \
    '{"epoch":0,"kind":"epoch_close","timestamp_ms":101}' > vec0/v2/t.jsonl
printf '%s\n' '{"format": "qfs-vector-v2", "description": "two events",' \
    ' "receipts": ["accepted", "accepted"],' \
    ' "checks": [{"path": "ledger.epoch", "value": 1, "why": "one close"}]}' > vec0/v2/t.expect.json
cp vec0/v2/t.jsonl vec0/v2/d.jsonl
printf '%s\n' '{"format": "qfs-vector-v2", "description": "a torn tail",' \
    ' "damage": [{"op": "truncate", "cut": 1}],' \
    ' "expect_error": {"exit": 65, "class": "torn", "message_contains": "torn record"}}' > vec0/v2/d.expect.json
"$QFS" vectors generate vec0/v2 >/dev/null || bad "vectors generate failed"
vec() { rm -rf vec; cp -r vec0 vec; }
vec
sed -i '1s/,$/ x,/' vec/v2/t.expect.json
check E45 "$QFS" vectors verify vec/v2
vec
sed -i 's/"one close"}]}$/"one close"}], "hashes": {}}/' vec/v2/t.expect.json
check E46 "$QFS" vectors verify vec/v2
vec
echo '{"kind":"mint","timestamp_ms":1}' >> vec/v2/t.jsonl
check E47 "$QFS" vectors verify vec/v2
vec
sed -i 's/{"op": "truncate", "cut": 1}/{"op": "flip_bit", "byte": 100000, "bit": 0}/' vec/v2/d.expect.json
check E48 "$QFS" vectors verify vec/v2
vec
echo "not a digest" >> vec/MANIFEST.sha256
check E49 "$QFS" vectors verify vec/v2
vec
sed -i 's/"one close"/"one epoch close"/' vec/v2/t.expect.json
check E50 "$QFS" vectors verify vec/v2
vec
echo "notes" > vec/v2/notes.txt
check E51 "$QFS" vectors verify vec/v2
vec
flip vec/v2/t.qlog 100
sed -i "s|^[0-9a-f]*  v2/t.qlog\$|$(sha256sum vec/v2/t.qlog | cut -c1-64)  v2/t.qlog|" vec/MANIFEST.sha256
check E52 "$QFS" vectors verify vec/v2
vec
sed -i 's/"value": 1,/"value": 2,/' vec/v2/t.expect.json
"$QFS" vectors generate vec/v2 >/dev/null
check E53 "$QFS" vectors verify vec/v2
check E54 "$QFS" vectors verify no_such_dir
# Evidence bundles of good.qlog, changed as each row says.
"$QFS" evidence good.qlog -o ev --runs 2 >/dev/null || bad "evidence good.qlog"
mkdir ev2
check E55 "$QFS" evidence good.qlog -o ev2
mkdir notes && : > notes/a.txt
check E56 "$QFS" evidence good.qlog -o notes --force
check E57 "$QFS" evidence good.qlog -o ev3 --expect 00000000000000000000000000000000
[ -e ev3 ] && bad "E57: ev3 written"
check E58 "$QFS" evidence flipped.qlog -o ev3
[ -e ev3 ] && bad "E58: ev3 written"
ls -d ./*.tmp-* >/dev/null 2>&1 && bad "E55-E58: a temporary directory was left"
cp -r ev ev4 && rm ev4/rewards.json
check E59 "$QFS" evidence verify ev4 good.qlog
cp -r ev ev5 && printf '{"ledger":' > ev5/state.json
check E60 "$QFS" evidence verify ev5 good.qlog
cp -r ev ev6 && sed -i '2s/"event":1/"event":7/' ev6/trace.jsonl
check E61 "$QFS" evidence verify ev6 good.qlog
cp -r ev ev7 && sed -i 's/"events":3/"events":4/' ev7/statement.json
check E62 "$QFS" evidence verify ev7 good.qlog
cp -r ev ev8 && sed -i 's/"rejected":0/"rejected":5/' ev8/replay_consistency.json
check E63 "$QFS" evidence verify ev8 good.qlog
"$QFS" keygen -o k.key > k.pub && "$QFS" keygen -o o.key > o.pub
"$QFS" evidence good.qlog -o sev --runs 1 --sign-key k.key >/dev/null || bad "evidence --sign-key"
check E64 "$QFS" evidence verify sev good.qlog --pubkey o.pub
cp -r sev sev2 && echo '{"payload":"%%","payloadType":"x","signatures":[]}' > sev2/statement.dsse.json
check E65 "$QFS" evidence verify sev2 good.qlog --pubkey k.pub
check E66 "$QFS" evidence verify ev good.qlog --pubkey k.pub
echo nothex > bad.pub
check E67 "$QFS" evidence verify sev good.qlog --pubkey bad.pub
check E68 "$QFS" diff ev good.qlog
check E100 "$QFS" evidence verify nosuch good.qlog
cp -r ev ev9 && rm ev9/trace.jsonl && mkdir ev9/trace.jsonl
check E101 "$QFS" evidence verify ev9 good.qlog
cp -r ev ev10 && echo note > ev10/notes.txt
check E102 "$QFS" evidence verify ev10 good.qlog
ln -s ev evlink
check E103 "$QFS" evidence good.qlog -o evlink --force

# Reports of broken bundles and logs (nothing written for any of them).
cp -r ev rp1 && rm rp1/rewards.json
check E93 "$QFS" report rp1 -o r.html
cp -r ev rp2 && printf '{"closes":' >rp2/governance.json
check E94 "$QFS" report rp2 -o r.html
cp -r ev rp3 && jq -c '.closes[0].t2.paid = "1.5"' ev/rewards.json >rp3/rewards.json
check E95 "$QFS" report rp3 -o r.html
cp -r ev rp4 && jq -c 'del(.final)' ev/checkpoints.json >rp4/checkpoints.json
check E96 "$QFS" report rp4 -o r.html
check E97 "$QFS" report flipped.qlog -o r.html --runs 1
check E98 "$QFS" report missing.qlog -o r.html
check E99 "$QFS" report good.qlog
[ -e r.html ] && bad "E93-E99: r.html written"
# qfs metrics: the logs of the rows above.
check E80 "$QFS" metrics missing.qlog
check E81 "$QFS" metrics flipped.qlog
[ -s out.txt ] && bad "E81: output written"
check E82 "$QFS" metrics torn.qlog
[ -s out.txt ] && bad "E82: output written"
check E83 "$QFS" metrics
check E84 sh -c "\"$QFS\" metrics good.qlog > /dev/full"

# qfs serve (built only with libmicrohttpd: without it the rows have no command).
if "$QFS" serve --help >/dev/null 2>&1; then
    check E85 "$QFS" serve
    check E86 "$QFS" serve good.qlog --listen nowhere
    check E87 "$QFS" serve good.qlog --listen localhost:9464
    check E88 "$QFS" serve good.qlog --listen 127.0.0.1:70000
    echo "some notes" > notes.txt
    check E89 "$QFS" serve notes.txt
    python3 -c 'import socket, time
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(); print(s.getsockname()[1], flush=True); time.sleep(10)' > port.txt &
    holder=$!
    for _ in $(seq 50); do [ -s port.txt ] && break; sleep 0.1; done
    check E90 "$QFS" serve good.qlog --listen "127.0.0.1:$(cat port.txt)"
    kill "$holder" 2>/dev/null
    wait "$holder" 2>/dev/null
    check E91 "$QFS" serve nope.qlog
else
    for id in E85 E86 E87 E88 E89 E90 E91; do seen[$id]=1; done
fi

# Every row of the table has a case.
for id in $(awk -F'|' '$2 ~ /^ *E[0-9]+ *$/ { gsub(/ /, "", $2); print $2 }' "$DOC"); do
    [ -n "${seen[$id]:-}" ] || bad "$id is in docs/ERRORS.md but has no case"
done
finish
