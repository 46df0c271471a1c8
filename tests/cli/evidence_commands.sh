#!/bin/bash
# End-to-end tests of `qfs evidence`, `qfs evidence verify` and `qfs diff` of
# two bundles through the qfs binary. Expected values come from the log
# worked by hand below, from other commands (`qfs state`, `qfs replay
# --trace`) and from independent tools (sha256sum, OpenSSL, jq).
set -u
QFS="$1"
# shellcheck source=lib/harness.bash
. "$(dirname "$0")/lib/harness.bash"
cd "$T" || exit 1
umask 022

# no_leftovers: no temporary or half-written bundle beside the bundles.
no_leftovers() { ls -d ./*.tmp-* ./*.old-* >/dev/null 2>&1 && bad "left behind: $(ls -d ./*.tmp-* ./*.old-*)" || ok; }

expect_exit 0 "$QFS" evidence --help
has out "usage: qfs evidence LOG -o DIR"
has out "qfs evidence verify DIR LOG [--pubkey FILE]"
expect_exit 0 "$QFS" --help
has out "  evidence LOG -o DIR"
has out "  diff A B"
expect_exit 2 "$QFS" evidence
expect_exit 2 "$QFS" evidence g.qlog
first_err "qfs evidence: missing -o DIR"

# By hand: alice has 1000 ATR; she sends bob 10 with a fee of 1 (alice 989,
# bob 10); bob's 20 to alice is refused (insufficient_balance, code 8); the
# epoch closes.
cat >g.jsonl <<'JSON'
{"kind":"genesis","timestamp_ms":1000,"chain_id":"ev-test","accounts":[{"id":"alice","kind":"user","balances":{"ATR":"1000"}},{"id":"bob","kind":"user","balances":{}}]}
{"kind":"transfer","timestamp_ms":1001,"from":"alice","to":"bob","asset":"ATR","amount":"10","fee_atr":"1"}
{"kind":"transfer","timestamp_ms":1002,"from":"bob","to":"alice","asset":"ATR","amount":"20","fee_atr":"1"}
{"kind":"epoch_close","timestamp_ms":1003,"epoch":0}
JSON
"$QFS" append g.qlog g.jsonl >/dev/null || bad "append g"
# The same but alice sends 11: the logs differ at event 1.
sed 's/"amount":"10"/"amount":"11"/' g.jsonl >h.jsonl
"$QFS" append h.qlog h.jsonl >/dev/null || bad "append h"
hash=$("$QFS" replay g.qlog | sed -n 's/^state hash: //p')

# A bundle, twice: byte-identical.
expect_exit 0 "$QFS" evidence g.qlog -o a1
has out "state hash: $hash"
has out "runs: 5, all agree"
expect_exit 0 "$QFS" evidence g.qlog -o a2
diff -r a1 a2 >/dev/null && ok || bad "two bundles of one log differ: $(diff -r a1 a2 | head -c 300)"
names="checkpoints.json governance.json nod_distribution.json replay_consistency.json rewards.json state.json statement.json trace.jsonl"
[ "$(ls a1 | tr '\n' ' ')" = "$names " ] && ok || bad "bundle files: $(ls a1 | tr '\n' ' ')"
[ "$(stat -c %a a1)" = 755 ] && ok || bad "bundle mode $(stat -c %a a1) under umask 022"
no_leftovers

# state.json is what `qfs state` prints; trace.jsonl what `replay --trace` writes.
"$QFS" state g.qlog >state.ref 2>/dev/null
cmp -s state.ref a1/state.json && ok || bad "state.json is not qfs state's output"
"$QFS" replay g.qlog --trace trace.ref >/dev/null
cmp -s trace.ref a1/trace.jsonl && ok || bad "trace.jsonl is not replay --trace's output"
[ "$(jq -r '.ledger.accounts[] | .id + "=" + .balances.ATR' a1/state.json | tr '\n' ' ')" = "alice=989 bob=10 " ] &&
    ok || bad "balances: $(jq -c .ledger.accounts a1/state.json)"
[ "$(jq -r .receipt a1/trace.jsonl | tr '\n' ' ')" = "accepted accepted insufficient_balance accepted " ] &&
    ok || bad "receipts: $(cat a1/trace.jsonl)"
grep -q '"signer"' a1/trace.jsonl && bad "an unsigned log's trace names a signer" || ok

# replay_consistency.json: five runs, each with its own seed, all the replay's hash.
rc=a1/replay_consistency.json
[ "$(jq -r '.runs | length' $rc)" = 5 ] && ok || bad "runs: $(jq -c .runs $rc)"
[ "$(jq -r .all_equal $rc)" = true ] && ok || bad "all_equal"
[ "$(jq -r '[.runs[].state_hash] | unique | .[]' $rc)" = "$hash" ] && ok || bad "run hashes: $(jq -c '[.runs[].state_hash]' $rc)"
[ "$(jq -r '[.runs[].table_seed] | unique | length' $rc)" = 5 ] && ok || bad "table seeds not distinct"
[ "$(jq -r '[.runs[].events] | unique | .[]' $rc)" = 4 ] && ok || bad "events per run"
[ "$(jq -r '[.runs[].rejected] | unique | .[]' $rc)" = 1 ] && ok || bad "rejected per run"
[ "$(jq -r .build.binary_sha256 $rc)" = "$(sha256sum "$QFS" | cut -c1-64)" ] && ok || bad "binary_sha256"
for lib in jansson libcrypto libsodium protobuf-c xxhash zstd; do
    [ -n "$(jq -r ".build.libraries[\"$lib\"].built // empty" $rc)" ] &&
        [ -n "$(jq -r ".build.libraries[\"$lib\"].linked // empty" $rc)" ] && ok || bad "build lacks $lib"
done
[ "$(jq -r .build.qfs_version $rc)" = "$("$QFS" --version | awk '{print $2}')" ] && ok || bad "qfs_version"
grep -q "$T" a1/*.json a1/trace.jsonl && bad "an absolute path in the bundle" || ok
expect_exit 0 "$QFS" evidence g.qlog -o r1 --runs 1
[ "$(jq -r '.runs | length' r1/replay_consistency.json)" = 1 ] && ok || bad "--runs 1"
expect_exit 2 "$QFS" evidence g.qlog -o r0 --runs 0
# The statement names the log by its file name beside the bundle's files.
cp g.qlog state.json
expect_exit 2 "$QFS" evidence state.json -o r2
first_err "qfs evidence: LOG may not be named like a bundle file ('state.json')"
rm state.json

# statement.json: in-toto Statement v1; every digest is the file's sha256sum.
st=a1/statement.json
[ "$(jq -r ._type $st)" = "https://in-toto.io/Statement/v1" ] && ok || bad "_type"
[ "$(jq -r .predicateType $st)" = "https://qfs.dev/evidence/v1" ] && ok || bad "predicateType"
[ "$(jq -r .predicate.state_hash $st)" = "$hash" ] && ok || bad "predicate.state_hash"
[ "$(jq -r .predicate.events $st)" = 4 ] && ok || bad "predicate.events"
[ "$(jq -r '[.subject[].name] | join(" ")' $st)" = "checkpoints.json g.qlog governance.json nod_distribution.json replay_consistency.json rewards.json state.json trace.jsonl" ] &&
    ok || bad "subjects: $(jq -c '[.subject[].name]' $st)"
for n in $(jq -r '.subject[].name' $st); do
    f=a1/$n
    [ "$n" = g.qlog ] && f=g.qlog
    [ "$(jq -r ".subject[] | select(.name == \"$n\") | .digest.sha256" $st)" = "$(sha256sum "$f" | cut -c1-64)" ] &&
        ok || bad "digest of $n"
done

# verify: everything matches.
expect_exit 0 "$QFS" evidence verify a1 g.qlog
has out "a1: every artifact matches g.qlog (state hash $hash, 4 events)"
has out "signature: none"
# Against another log: the first artifact that differs, and where.
expect_exit 1 "$QFS" evidence verify a1 h.qlog
grep -q '^qfs evidence verify: [a-z_]*\.json: differs at ' err && ok || bad "verify against h.qlog: $(cat err)"
# One digit changed in state.json: alice's 989 becomes 988.
cp -r a1 t1
sed -i 's/"ATR":"989"/"ATR":"988"/' t1/state.json
expect_exit 1 "$QFS" evidence verify t1 g.qlog
first_err 'qfs evidence verify: state.json: differs at ledger.accounts[alice].balances.ATR: "988" != "989"'
# One digit of the trace: event 2's code 8 becomes 9.
cp -r a1 t2
sed -i '3s/"code":8/"code":9/' t2/trace.jsonl
expect_exit 1 "$QFS" evidence verify t2 g.qlog
first_err 'qfs evidence verify: trace.jsonl: differs at [2].code: 9 != 8'
# A run that claims another rejected count.
cp -r a1 t3
sed -i 's/"rejected":1,"run":3/"rejected":2,"run":3/' t3/replay_consistency.json
expect_exit 1 "$QFS" evidence verify t3 g.qlog
first_err 'qfs evidence verify: replay_consistency.json: differs at runs[2].rejected: 2 != 1'
# The build belongs to the binary: another build still verifies.
cp -r a1 t4
jq -c '.build.compiler = "other 1.0"' a1/replay_consistency.json >t4/replay_consistency.json
jq -c --arg d "$(sha256sum t4/replay_consistency.json | cut -c1-64)" \
    '(.subject[] | select(.name == "replay_consistency.json") | .digest.sha256) = $d' a1/statement.json >t4/statement.json
expect_exit 0 "$QFS" evidence verify t4 g.qlog
# ...but its digest in the statement must still match.
cp -r a1 t5
jq -c '.build.compiler = "other 1.0"' a1/replay_consistency.json >t5/replay_consistency.json
expect_exit 1 "$QFS" evidence verify t5 g.qlog
grep -q '^qfs evidence verify: statement.json: differs at subject\[4\].digest.sha256: ' err && ok || bad "stale digest: $(cat err)"
# A deleted artifact, a file that is not JSON: a malformed bundle.
cp -r a1 t6
rm t6/rewards.json
expect_exit 65 "$QFS" evidence verify t6 g.qlog
first_err "qfs evidence verify: t6/rewards.json: missing from the bundle"
cp -r a1 t7
printf '{"ledger":' >t7/state.json
expect_exit 65 "$QFS" evidence verify t7 g.qlog
grep -q "^qfs evidence verify: t7/state.json: line 1: not JSON" err && ok || bad "not JSON: $(cat err)"
# A DIR that does not exist is an I/O error (as for every other missing path).
expect_exit 74 "$QFS" evidence verify nosuchdir g.qlog
first_err "qfs evidence verify: nosuchdir: No such file or directory"
# An artifact replaced by a directory: a malformed bundle naming it.
cp -r a1 t8
rm t8/trace.jsonl && mkdir t8/trace.jsonl
expect_exit 65 "$QFS" evidence verify t8 g.qlog
first_err "qfs evidence verify: t8/trace.jsonl: not a regular file (every file of a bundle is one)"
# A bundle is exactly its files: one more is a malformed bundle.
cp -r a1 t9
echo note >t9/notes.txt
expect_exit 65 "$QFS" evidence verify t9 g.qlog
first_err "qfs evidence verify: t9/notes.txt: not a bundle file (a bundle holds exactly the files of docs/EVIDENCE.md)"

# Signed: a DSSE envelope over the statement.
"$QFS" keygen -o k1.key >k1.pub
"$QFS" keygen -o k2.key >k2.pub
expect_exit 0 "$QFS" evidence g.qlog -o s1 --sign-key k1.key
has out "(signed)"
env=s1/statement.dsse.json
[ "$(jq -r .payloadType $env)" = "application/vnd.in-toto+json" ] && ok || bad "payloadType"
[ "$(jq -r '.signatures[0].keyid' $env)" = "$(cat k1.pub)" ] && ok || bad "keyid"
jq -r .payload $env | base64 -d >payload.bin
cmp -s payload.bin s1/statement.json && ok || bad "payload is not statement.json"
diff -r -x statement.dsse.json a1 s1 >/dev/null && ok || bad "signing changed the other files"
expect_exit 0 "$QFS" evidence verify s1 g.qlog --pubkey k1.pub
has out "signature: good (statement.dsse.json, key $(cat k1.pub))"
expect_exit 1 "$QFS" evidence verify s1 g.qlog --pubkey k2.pub
first_err "qfs evidence verify: statement.dsse.json: no signature by key $(cat k2.pub) verifies"
expect_exit 0 "$QFS" evidence verify s1 g.qlog
has out "signature: not checked"
expect_exit 1 "$QFS" evidence verify a1 g.qlog --pubkey k1.pub
first_err "qfs evidence verify: a1/statement.dsse.json: missing: the bundle is not signed"
# The signature checked by OpenSSL: Ed25519 over the DSSE PAE, with the
# public key as a DER SubjectPublicKeyInfo (RFC 8410 prefix and the 32 bytes).
{
    printf 'DSSEv1 %d %s %d ' 28 application/vnd.in-toto+json "$(stat -c %s s1/statement.json)"
    cat s1/statement.json
} >pae.bin
jq -r '.signatures[0].sig' $env | base64 -d >sig.bin
{ printf '302a300506032b6570032100'; cat k1.pub; } | xxd -r -p >k1.der
{ printf '302a300506032b6570032100'; cat k2.pub; } | xxd -r -p >k2.der
openssl pkeyutl -verify -pubin -inkey k1.der -keyform DER -rawin -in pae.bin -sigfile sig.bin >ossl.txt 2>&1 &&
    ok || bad "OpenSSL rejects the signature: $(cat ossl.txt)"
openssl pkeyutl -verify -pubin -inkey k2.der -keyform DER -rawin -in pae.bin -sigfile sig.bin >/dev/null 2>&1 &&
    bad "OpenSSL accepts the signature under another key" || ok
# A flipped payload byte ('J' of the base64 of '{"_type"' becomes 'K').
cp -r s1 s2
jq -c '.payload |= (.[0:2] + "K" + .[3:])' s1/statement.dsse.json >s2/statement.dsse.json
[ "$(jq -r .payload s1/statement.dsse.json | cut -c3)" = J ] && ok || bad "payload does not start as expected"
expect_exit 1 "$QFS" evidence verify s2 g.qlog --pubkey k1.pub
first_err "qfs evidence verify: statement.dsse.json: its payload is not the bytes of statement.json"
# The signature of another statement by the same key does not hold here.
expect_exit 0 "$QFS" evidence h.qlog -o sh --sign-key k1.key
cp -r s1 s3
jq -c --arg s "$(jq -r '.signatures[0].sig' sh/statement.dsse.json)" '.signatures[0].sig = $s' \
    s1/statement.dsse.json >s3/statement.dsse.json
expect_exit 1 "$QFS" evidence verify s3 g.qlog --pubkey k1.pub
first_err "qfs evidence verify: statement.dsse.json: no signature by key $(cat k1.pub) verifies"
cp -r s1 s4
printf '{"payload":"%%%%","payloadType":"x","signatures":[]}\n' >s4/statement.dsse.json
expect_exit 65 "$QFS" evidence verify s4 g.qlog --pubkey k1.pub
grep -q "not a DSSE envelope" err && ok || bad "bad envelope: $(cat err)"
printf 'nothex\n' >bad.pub
expect_exit 65 "$QFS" evidence verify s1 g.qlog --pubkey bad.pub

# --expect: a mismatch writes nothing; the right hash writes the bundle.
expect_exit 1 "$QFS" evidence g.qlog -o e1 --expect 00000000000000000000000000000000
first_err "qfs evidence: g.qlog: state hash $hash does not match the expected 00000000000000000000000000000000; nothing written"
[ -e e1 ] && bad "--expect mismatch wrote e1" || ok
expect_exit 0 "$QFS" evidence g.qlog -o e2 --expect "$hash"
no_leftovers

# A bad LOG: exit 65, naming the log, nothing written.
cp g.qlog bad.qlog
flip bad.qlog 60
expect_exit 65 "$QFS" evidence bad.qlog -o b1
grep -q "^qfs evidence: bad.qlog: " err && ok || bad "bad log message: $(cat err)"
[ -e b1 ] && bad "a bad log left a bundle" || ok
expect_exit 74 "$QFS" evidence missing.qlog -o b2
no_leftovers

# A signal mid-way: the temporary directory is removed, DIR never appears
# (unless the command had finished: then it is whole and verifies).
"$QFS" simulate --seed 5 --events 400000 --auth none -o long.qlog >/dev/null 2>&1 || bad "simulate long"
"$QFS" evidence long.qlog -o killed >/dev/null 2>&1 &
pid=$!
sleep 0.3
kill -TERM $pid
wait $pid
code=$?
if [ -e killed ]; then
    [ $code -eq 0 ] && "$QFS" evidence verify killed long.qlog >/dev/null 2>&1 && ok || bad "a killed run left killed/"
else
    [ $code -eq 143 ] && ok || bad "SIGTERM: exit $code"
fi
no_leftovers

# A trace of many megabytes reaches the file whole, in order, through the
# writer's 1 MiB blocks, and its digest and the log's (read in 1 MiB blocks)
# are what sha256sum says.
expect_exit 0 "$QFS" evidence long.qlog -o big --runs 1
"$QFS" replay long.qlog --trace long.trace >/dev/null
[ "$(stat -c %s big/trace.jsonl)" -gt 3145728 ] && ok || bad "the long trace is under 3 MiB"
[ "$(stat -c %s long.qlog)" -gt 1048576 ] && ok || bad "the long log is under 1 MiB"
cmp -s long.trace big/trace.jsonl && ok || bad "a long trace.jsonl is not replay --trace's output"
for n in trace.jsonl long.qlog state.json governance.json; do
    f=big/$n
    [ "$n" = long.qlog ] && f=long.qlog
    [ "$(jq -r ".subject[] | select(.name == \"$n\") | .digest.sha256" big/statement.json)" = "$(sha256sum "$f" | cut -c1-64)" ] &&
        ok || bad "digest of the long $n"
done
rm -rf big long.trace

# An existing DIR: refused without --force (untouched), replaced with it; a
# directory of other things is never replaced.
cp -r a1 keep
expect_exit 2 "$QFS" evidence h.qlog -o a2
first_err "qfs evidence: a2: exists; use --force to replace it"
diff -r keep a2 >/dev/null && ok || bad "a refused run changed a2"
expect_exit 0 "$QFS" evidence h.qlog -o a2 --force
diff -r a1 a2 >/dev/null && bad "--force did not replace a2" || ok
expect_exit 0 "$QFS" evidence verify a2 h.qlog
mkdir notes && echo hi >notes/a.txt
expect_exit 2 "$QFS" evidence g.qlog -o notes --force
first_err "qfs evidence: notes: not an evidence bundle (it holds 'a.txt'); not replaced"
[ "$(cat notes/a.txt)" = hi ] && ok || bad "notes changed"
# DIR a symbolic link to a bundle: refused (usage), the link and the bundle
# untouched.
ln -s a2 lnk
expect_exit 2 "$QFS" evidence g.qlog -o lnk --force
first_err "qfs evidence: lnk: a symbolic link; give the directory itself as DIR"
[ "$(readlink lnk)" = a2 ] && ok || bad "the link changed"
diff -r a2 lnk/ >/dev/null && ok || bad "link target"
no_leftovers

# qfs diff of two bundles: the first artifact that differs (in the documented
# order, found here with cmp), then its first differing path.
expect_exit 0 "$QFS" diff a1 keep
first=""
for n in nod_distribution.json rewards.json checkpoints.json governance.json state.json trace.jsonl replay_consistency.json statement.json; do
    cmp -s "a1/$n" "a2/$n" || { first=$n; break; }
done
[ -n "$first" ] && ok || bad "bundles of g and h are byte-identical"
expect_exit 1 "$QFS" diff a1 a2
grep -q "^bundles differ at $first: " out && ok || bad "diff a1 a2: $(cat out) (first differing file: $first)"
expect_exit 1 "$QFS" diff a1 t1
has out 'bundles differ at state.json: ledger.accounts[alice].balances.ATR: "989" != "988"'
expect_exit 1 "$QFS" diff --json a1 t1
[ "$(jq -r '.artifact_diff.artifact + " " + .artifact_diff.path + " " + .artifact_diff.a' out)" = "state.json ledger.accounts[alice].balances.ATR 989" ] &&
    ok || bad "diff --json: $(cat out)"
expect_exit 1 "$QFS" diff a1 s1
has out "bundles differ at statement.dsse.json"
expect_exit 2 "$QFS" diff a1 g.qlog
# The bundle of the same log by another binary: another build in
# replay_consistency.json, so another digest of it in the statement (both
# made here with jq and sha256sum; evidence verify accepts the bundle). diff
# compares as verify does: the same, and a second line on the builds.
cp -r a1 ob
jq -c '.build.compiler = "other 1.0" | .build.binary_sha256 = "'"$(printf '0%.0s' $(seq 64))"'"' \
    a1/replay_consistency.json >ob/replay_consistency.json
sha=$(sha256sum ob/replay_consistency.json | cut -c1-64)
jq -c --arg s "$sha" '(.subject[] | select(.name == "replay_consistency.json") | .digest.sha256) = $s' \
    a1/statement.json >ob/statement.json
expect_exit 0 "$QFS" evidence verify ob g.qlog
compiler=$(jq -r .build.compiler a1/replay_consistency.json)
expect_exit 0 "$QFS" diff a1 ob
[ "$(cat out)" = "same: 8 artifacts equal (built by different binaries)
builds differ at replay_consistency.json: build.compiler: \"$compiler\" != \"other 1.0\"" ] && ok || bad "other build: $(cat out)"
expect_exit 0 "$QFS" diff --json a1 ob
[ "$(jq -r '[.same, .builds_differ, .build_diff.path, .build_diff.b] | map(tostring) | join(" ")' out)" = "true true build.compiler other 1.0" ] &&
    ok || bad "other build --json: $(cat out)"
# Another build and another run: the run is a difference.
cp -r ob ob2
sed -i 's/"rejected":1/"rejected":2/' ob2/replay_consistency.json
expect_exit 1 "$QFS" diff a1 ob2
has out 'bundles differ at replay_consistency.json: runs[0].rejected: 1 != 2'
# The same build but a stale digest in the statement: a difference.
cp -r a1 ob3
cp ob/statement.json ob3/statement.json
expect_exit 1 "$QFS" diff a1 ob3
grep -q '^bundles differ at statement.json: subject\[[0-9]\].digest.sha256: ' out && ok || bad "stale digest: $(cat out)"

# An epoch close's tallies hold proposals of both governances with the same
# ids: a changed social tally is named by governance and id, with both
# values (read with jq), by verify and by diff.
"$QFS" simulate --seed 3 --events 3000 -o gov.qlog --auth none >/dev/null 2>&1 || bad "simulate gov"
expect_exit 0 "$QFS" evidence gov.qlog -o gv --runs 1
n=$(jq -c 'select([.tallies[]? | select(.id == "0") | .governance] | sort == ["infra","social"]) | .event' gv/trace.jsonl | head -1)
[ -n "$n" ] && ok || bad "no epoch close with infra 0 and social 0"
line=$((n + 1))
orig=$(sed -n "${line}p" gv/trace.jsonl | jq -r '.tallies[] | select(.governance == "social" and .id == "0") | .abstain')
cp -r gv gv2
sed -n "${line}p" gv/trace.jsonl | jq -c '(.tallies[] | select(.governance == "social" and .id == "0") | .abstain) = "12345"' >line.json
{ head -n $((line - 1)) gv/trace.jsonl; cat line.json; tail -n +$((line + 1)) gv/trace.jsonl; } >gv2/trace.jsonl
expect_exit 1 "$QFS" evidence verify gv2 gov.qlog
first_err "qfs evidence verify: trace.jsonl: differs at [$n].tallies[social:0].abstain: \"12345\" != \"$orig\""
expect_exit 1 "$QFS" diff gv gv2
has out "bundles differ at trace.jsonl: [$n].tallies[social:0].abstain: \"$orig\" != \"12345\""

# A signed log: every signed event's trace line names its signer, the
# genesis's none.
"$QFS" simulate --seed 3 --events 300 -o sig.qlog --auth ed25519 >/dev/null 2>&1 || bad "simulate"
expect_exit 0 "$QFS" evidence sig.qlog -o sb --runs 3
# Runs 2 and 3 took run 1's signature verdicts; the record is not published.
[ "$(ls -A sb | wc -l)" = 8 ] && ok || bad "signed bundle holds: $(ls -A sb | tr '\n' ' ')"
[ "$(jq -r '[.all_equal, (.runs | length)] | map(tostring) | join(" ")' sb/replay_consistency.json)" = "true 3" ] &&
    ok || bad "signed runs: $(jq -c .runs sb/replay_consistency.json | head -c 300)"
[ "$(jq -r .runs[0].authentication sb/replay_consistency.json)" = ed25519 ] && ok || bad "authentication"
"$QFS" dump sig.qlog | jq -r '.signer // "-"' >want.txt
jq -r '.signer // "-"' sb/trace.jsonl >got.txt
cmp -s want.txt got.txt && ok || bad "signers differ from dump's: $(diff want.txt got.txt | head -5)"
[ "$(grep -vcx -- - got.txt)" -gt 200 ] && ok || bad "few signed events: $(grep -vcx -- - got.txt)"
expect_exit 0 "$QFS" evidence verify sb sig.qlog

finish
