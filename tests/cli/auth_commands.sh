#!/bin/bash
# End-to-end tests of authenticated events through the qfs binary: keygen,
# sign (--seq and --log), a signed log appended and replayed with receipts
# worked out by hand, how replay and state name the authentication of a log,
# and simulate --auth ed25519.
set -u
QFS="$1"
# shellcheck source=lib/harness.bash
. "$(dirname "$0")/lib/harness.bash"
cd "$T" || exit 1
umask 022 # key files must come out 0600 whatever the umask allows

# receipts LOG: the receipt names of LOG's events, one per line.
receipts() { "$QFS" replay "$1" --trace - | sed -n 's/.*"receipt":"\([a-z_]*\)".*/\1/p'; }

# keygen: mode 0600, the public key on stdout, no overwrite without --force.
for c in keygen sign; do
    expect_exit 0 "$QFS" $c --help
    grep -q "usage: qfs $c" out && ok || bad "no usage text for $c --help"
done
expect_exit 2 "$QFS" keygen
for k in auth coh tel mem alice bob; do
    expect_exit 0 "$QFS" keygen -o $k.key
    grep -qxE '[0-9a-f]{64}' out && ok || bad "keygen $k printed $(cat out)"
    cp out $k.pub
    [ "$(stat -c %a $k.key)" = 600 ] && ok || bad "$k.key has mode $(stat -c %a $k.key)"
    grep -qxE 'qfs-ed25519-secret-v1 [0-9a-f]{64}' $k.key && ok || bad "$k.key format: $(cat $k.key)"
done
cmp -s alice.pub bob.pub && bad "two keygen runs gave one key" || ok
cp alice.key alice.saved
expect_exit 2 "$QFS" keygen -o alice.key
grep -q "exists; use --force" err && ok || bad "keygen overwrite message: $(cat err)"
cmp -s alice.key alice.saved && ok || bad "keygen without --force changed the key file"
expect_exit 0 "$QFS" keygen -o spare.key
expect_exit 0 "$QFS" keygen -o spare.key --force
[ "$(stat -c %a spare.key)" = 600 ] && ok || bad "keygen --force left mode $(stat -c %a spare.key)"
ls ./*.tmp-* >/dev/null 2>&1 && bad "keygen left a temporary file" || ok
expect_exit 74 "$QFS" keygen -o "$T/no/such/dir/k.key"
grep -q "no/such/dir/k.key" err && ok || bad "keygen I/O error does not name the file: $(cat err)"

# A genesis in ed25519 mode: the authority, the three oracles, alice and bob
# (10 ATR and 5 ATR).
cat >genesis.jsonl <<JSON
{"accounts":[{"balances":{"ATR":"10000000000000000000"},"id":"alice","kind":"user","public_key":"$(cat alice.pub)"},{"balances":{"ATR":"5000000000000000000"},"id":"bob","kind":"user","public_key":"$(cat bob.pub)"}],"authentication":"ed25519","authority":{"id":"auth","public_key":"$(cat auth.pub)"},"chain_id":"demo","coherence_oracle":{"id":"coh","public_key":"$(cat coh.pub)"},"kind":"genesis","memory_oracle":{"id":"mem","public_key":"$(cat mem.pub)"},"telemetry_oracle":{"id":"tel","public_key":"$(cat tel.pub)"},"timestamp_ms":1000}
JSON
"$QFS" append a.qlog genesis.jsonl >/dev/null || bad "append genesis"
# 1 ATR from alice to bob, fee 1 ATR.
echo '{"amount":"1000000000000000000","asset":"ATR","fee_atr":"1000000000000000000","from":"alice","kind":"transfer","timestamp_ms":1001,"to":"bob"}' >t.jsonl

# sign --seq: successive lines get N, N+1; the signer is the sender.
cat t.jsonl t.jsonl >tt.jsonl
expect_exit 0 "$QFS" sign --key alice.key --chain demo --seq 5 tt.jsonl
[ "$(sed -n 's/.*"sequence":"\([0-9]*\)".*/\1/p' out | tr '\n' ' ')" = "5 6 " ] && ok || bad "sign --seq sequences: $(cat out)"
[ "$(grep -c '"signer":"alice"' out)" = 2 ] && ok || bad "sign --seq signer: $(cat out)"
grep -qE '"signature":"[0-9a-f]{128}"' out && ok || bad "sign --seq signature: $(cat out)"
expect_exit 0 "$QFS" sign --key alice.key --chain demo --seq 5 - <tt.jsonl
cp out seq_stdin.jsonl
expect_exit 0 "$QFS" sign --key alice.key --chain demo --seq 5 tt.jsonl
cmp -s out seq_stdin.jsonl && ok || bad "sign from a file and from stdin differ (Ed25519 is deterministic)"

# Usage and refusals.
expect_exit 2 "$QFS" sign --key alice.key t.jsonl
expect_exit 2 "$QFS" sign --key alice.key --seq 1 t.jsonl
expect_exit 2 "$QFS" sign --key alice.key --log a.qlog --seq 1 t.jsonl
expect_exit 2 "$QFS" sign --key alice.key --chain demo --seq 0 t.jsonl
expect_exit 74 "$QFS" sign --key missing.key --chain demo --seq 1 t.jsonl
chmod 644 spare.key
expect_exit 65 "$QFS" sign --key spare.key --chain demo --seq 1 t.jsonl
grep -q "too open" err && ok || bad "a key file others can read: $(cat err)"
printf 'not a key\n' >junk.key && chmod 600 junk.key
expect_exit 65 "$QFS" sign --key junk.key --chain demo --seq 1 t.jsonl
grep -q "not a qfs key file" err && ok || bad "a malformed key file: $(cat err)"
# Errors name FILE:LINE, and nothing is written.
{ cat t.jsonl; echo '{"kind":"transfer"'; } >broken.jsonl
expect_exit 65 "$QFS" sign --key alice.key --chain demo --seq 1 broken.jsonl
grep -q "^broken.jsonl:2:" err && ok || bad "sign error does not name FILE:LINE: $(cat err)"
[ ! -s out ] && ok || bad "sign wrote output despite a bad line"
echo '{"epoch":0,"kind":"epoch_close","timestamp_ms":1002}' >close.jsonl
expect_exit 65 "$QFS" sign --key auth.key --chain demo --seq 1 close.jsonl
grep -q "close.jsonl:1: .*give --signer" err && ok || bad "an authority event without --signer: $(cat err)"
expect_exit 65 "$QFS" sign --key alice.key --chain demo --seq 1 genesis.jsonl
grep -q "genesis.jsonl:1: a genesis is never signed" err && ok || bad "signing a genesis: $(cat err)"
expect_exit 65 "$QFS" sign --key alice.key --chain demo --seq 1 seq_stdin.jsonl
grep -q "already has a signer" err && ok || bad "signing a signed event: $(cat err)"
# --log refuses a key that is not the signer's current key.
expect_exit 65 "$QFS" sign --key bob.key --log a.qlog t.jsonl
grep -q "t.jsonl:1: the key is not the current key of alice in a.qlog" err && ok || bad "wrong key under --log: $(cat err)"

# A signed log, receipts worked out by hand:
#   1 transfer signed by alice, sequence 1 (from --log)        accepted
#   2 the same line again: sequence 1 is not alice's next (2)  sequence_not_next
#   3 the transfer signed by bob, the recipient                wrong_signer
#   4 epoch_close signed by the authority (--signer auth)      accepted
#   5 a second transfer, sequence 2 from --log                 accepted
#   6 alice's transfer signed for another chain id             bad_signature
#   7 a transfer signed by mallory, whom nobody named          unknown_key
#   8 alice rotates her key to spare's (signed by alice, seq 3) accepted
#   9 a transfer signed with alice's old key, sequence 4       rotated_key
#  10 the same signed with the new key                         accepted
expect_exit 0 "$QFS" sign --key alice.key --log a.qlog t.jsonl
cp out e1.jsonl
grep -q '"sequence":"1"' e1.jsonl && ok || bad "sign --log: first sequence is not 1: $(cat e1.jsonl)"
"$QFS" append a.qlog e1.jsonl >/dev/null && "$QFS" append a.qlog e1.jsonl >/dev/null || bad "append e1"
"$QFS" sign --key bob.key --signer bob --log a.qlog t.jsonl >e3.jsonl || bad "sign as bob"
"$QFS" append a.qlog e3.jsonl >/dev/null || bad "append e3"
"$QFS" sign --key auth.key --signer auth --log a.qlog close.jsonl >e4.jsonl || bad "sign epoch_close"
"$QFS" append a.qlog e4.jsonl >/dev/null || bad "append e4"
sed 's/1001/1003/' t.jsonl >t2.jsonl
"$QFS" sign --key alice.key --log a.qlog t2.jsonl >e5.jsonl || bad "sign e5"
grep -q '"sequence":"2"' e5.jsonl && ok || bad "sign --log after an accepted event: $(cat e5.jsonl)"
"$QFS" append a.qlog e5.jsonl >/dev/null || bad "append e5"
"$QFS" sign --key alice.key --chain other --seq 3 t2.jsonl >e6.jsonl || bad "sign e6"
"$QFS" sign --key bob.key --signer mallory --chain demo --seq 1 t2.jsonl >e7.jsonl || bad "sign e7"
chmod 600 spare.key
"$QFS" keygen -o spare.key --force >spare.pub || bad "keygen spare"
echo "{\"holder\":\"alice\",\"kind\":\"rotate_key\",\"public_key\":\"$(cat spare.pub)\",\"timestamp_ms\":1004}" >rot.jsonl
"$QFS" sign --key alice.key --log a.qlog rot.jsonl >e8.jsonl || bad "sign rotate_key"
sed 's/1001/1005/' t.jsonl >t3.jsonl
"$QFS" sign --key alice.key --chain demo --seq 4 t3.jsonl >e9.jsonl || bad "sign e9"
"$QFS" sign --key spare.key --chain demo --seq 4 t3.jsonl >e10.jsonl || bad "sign e10"
cat e6.jsonl e7.jsonl e8.jsonl e9.jsonl e10.jsonl | "$QFS" append a.qlog - >/dev/null || bad "append e6..e10"
receipts a.qlog >got.txt
printf '%s\n' accepted accepted sequence_not_next wrong_signer accepted accepted bad_signature unknown_key \
    accepted rotated_key accepted >want.txt
cmp -s got.txt want.txt && ok || bad "receipts of the signed log: $(tr '\n' ' ' <got.txt)"
# After the rotation, --log knows the new key and sequence 5 comes next.
expect_exit 65 "$QFS" sign --key alice.key --log a.qlog t3.jsonl
expect_exit 0 "$QFS" sign --key spare.key --log a.qlog t3.jsonl
grep -q '"sequence":"5"' out && ok || bad "sign --log after a rotation: $(cat out)"
# 10 - 1 - 1 - 1 (fees and amounts of the accepted transfers 1, 5, 10) = 4 ATR left to alice.
"$QFS" state a.qlog --module ledger >ledger.json 2>err
grep -q '{"balances":{"ATR":"4000000000000000000"[^}]*},"id":"alice"' ledger.json && ok || bad "alice's balance: $(head -c 400 ledger.json)"
[ ! -s err ] && ok || bad "state of an authenticated log wrote to stderr: $(cat err)"

# replay and state say how a log is authenticated.
expect_exit 0 "$QFS" replay a.qlog
grep -qx "authentication: ed25519" out && ok || bad "replay of a signed log: $(cat out)"
expect_exit 0 "$QFS" replay a.qlog --json
grep -q '"authentication":"ed25519"' out && ok || bad "replay --json: $(cat out)"
sed 's/"authentication":"ed25519",//' genesis.jsonl >none.jsonl
"$QFS" append none.qlog none.jsonl >/dev/null || bad "append unauthenticated genesis"
expect_exit 0 "$QFS" replay none.qlog
grep -qx "authentication: none (events are not signed)" out && ok || bad "replay of an unsigned log: $(cat out)"
expect_exit 0 "$QFS" replay none.qlog --json --runs 2
grep -q '"authentication":"none"' out && ok || bad "replay --json --runs of an unsigned log: $(cat out)"
expect_exit 0 "$QFS" state none.qlog --module ledger
grep -q "authentication: none (events are not signed)" err && ok || bad "state of an unsigned log: $(cat err)"
expect_exit 65 "$QFS" sign --key alice.key --log none.qlog t.jsonl
grep -q "not authenticated" err && ok || bad "sign --log on an unsigned log: $(cat err)"

# simulate --auth ed25519 (the default): byte-identical across runs, every
# receipt of authentication at work, and five replays agree. (simulate also
# checks the supply invariant on the state it folds beside the writer.)
expect_exit 0 "$QFS" simulate --seed 3 --events 20000 -o s1.qlog
expect_exit 0 "$QFS" simulate --seed 3 --events 20000 --auth ed25519 -o s2.qlog
cmp -s s1.qlog s2.qlog && ok || bad "simulate --auth ed25519 is not byte-identical across runs"
"$QFS" replay s1.qlog --stats >out 2>stats.txt || bad "replay of the simulated log"
grep -qx "authentication: ed25519" out && ok || bad "simulated log not authenticated: $(cat out)"
for r in bad_signature wrong_signer sequence_not_next unknown_key rotated_key; do
    grep -qE "rejected $r +[1-9]" stats.txt && ok || bad "simulated log has no $r: $(cat stats.txt)"
done
"$QFS" dump s1.qlog >s1.jsonl || bad "dump of the simulated log"
grep -q '"kind":"rotate_key"' s1.jsonl && ok || bad "simulated log has no rotate_key"
# Only genesis events go unsigned: the log's own and the adversarial ones
# (a genesis refused before it and duplicates after it).
[ "$(grep -v '"signature"' s1.jsonl | grep -vc '"kind":"genesis"')" = 0 ] && ok ||
    bad "simulated events without a signature: $(grep -v '"signature"' s1.jsonl | grep -vc '"kind":"genesis"')"
expect_exit 0 "$QFS" replay s1.qlog --runs 5
grep -q "runs: 5, all agree" out && ok || bad "replay --runs 5 of the simulated log: $(cat out)"
# --auth none: the same economy, no signatures.
expect_exit 0 "$QFS" simulate --seed 3 --events 2000 --auth none -o n.qlog
expect_exit 0 "$QFS" replay n.qlog
grep -qx "authentication: none (events are not signed)" out && ok || bad "simulate --auth none: $(cat out)"
expect_exit 2 "$QFS" simulate --seed 3 --events 10 --auth rsa -o x.qlog

finish
