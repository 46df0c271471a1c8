#!/bin/bash
# End-to-end tests of `qfs serve`: it follows a log that `qfs append` grows
# while it runs, and what it serves equals what `qfs replay` and `qfs state`
# say of the same log; a torn last record is waited out and picked up once
# complete; a corrupt record freezes the state and turns /healthz to 503;
# only GET and HEAD are answered; SIGTERM stops it with exit 0.
set -u
QFS="$1"
# shellcheck source=lib/harness.bash
. "$(dirname "$0")/lib/harness.bash"
cd "$T" || exit 1
command -v curl >/dev/null || { echo "curl is missing (scripts/deps.sh installs it)" >&2; exit 1; }

SERVE_PID=""
stop_serve() { [ -n "$SERVE_PID" ] && kill "$SERVE_PID" 2>/dev/null; wait "$SERVE_PID" 2>/dev/null; SERVE_PID=""; }
trap 'stop_serve; rm -rf "$T"' EXIT

# start_serve LOG: starts qfs serve on a free loopback port; sets URL.
start_serve() {
    # A fresh file: a line left by an earlier server would name its port.
    rm -f serve.err
    "$QFS" serve "$1" --listen 127.0.0.1:0 2> serve.err &
    SERVE_PID=$!
    URL=""
    for _ in $(seq 100); do
        port=$(sed -n 's/^qfs serve: listening on 127\.0\.0\.1:\([0-9]*\),.*/\1/p' serve.err)
        [ -n "$port" ] && { URL="http://127.0.0.1:$port"; return 0; }
        sleep 0.1
    done
    bad "serve did not start: $(cat serve.err)"
    return 1
}
# get PATH: the body (status in $CODE).
get() {
    rm -f body.out
    CODE=$(curl -s -m 5 -o body.out -w '%{http_code}' "$URL$1")
    [ -f body.out ] && cat body.out
}
# signal_wait SIG: sends SIG to serve and waits for it (5 s at most, then
# SIGKILL); sets RC to its exit status and MS to the milliseconds it took.
signal_wait() {
    local t0 t1
    t0=$(date +%s%N)
    kill "-$1" "$SERVE_PID"
    for _ in $(seq 50); do
        kill -0 "$SERVE_PID" 2>/dev/null || break
        sleep 0.1
    done
    kill -0 "$SERVE_PID" 2>/dev/null && { bad "SIG$1 did not stop serve"; kill -KILL "$SERVE_PID"; }
    wait "$SERVE_PID"
    RC=$?
    t1=$(date +%s%N)
    MS=$(((t1 - t0) / 1000000))
    SERVE_PID=""
}
# wait_events N: polls /hash until it reports N events (10 s at most).
wait_events() {
    for _ in $(seq 100); do
        get /hash | grep -q "\"events\":$1," && return 0
        sleep 0.1
    done
    bad "/hash never reached $1 events: $(cat body.out)"
    return 1
}
# expect_hash LOG: /hash equals what qfs replay prints for LOG.
expect_hash() {
    local h c n
    "$QFS" replay "$1" > replay.out 2>/dev/null || bad "replay $1"
    h=$(sed -n 's/^state hash: //p' replay.out)
    c=$(sed -n 's/^chain head: //p' replay.out)
    n=$(sed -n 's/^events: //p' replay.out)
    [ "$(get /hash)" = "{\"chain_head\":\"$c\",\"events\":$n,\"head_index\":$((n - 1)),\"state_hash\":\"$h\"}" ] &&
        ok || bad "/hash $(cat body.out) != replay: $h $c $n"
}

# alice starts with 1000 T2; each transfer moves 10 T2 to bob (fee 1 ATR).
echo '{"kind":"genesis","timestamp_ms":1000,"chain_id":"serve-test","accounts":[{"id":"alice","kind":"user","balances":{"ATR":"1000","T2":"1000"}},{"id":"bob","kind":"user","balances":{}}]}' > g.jsonl
tx() { echo "{\"kind\":\"transfer\",\"timestamp_ms\":$((2000 + $1)),\"from\":\"alice\",\"to\":\"bob\",\"asset\":\"T2\",\"amount\":\"10\",\"fee_atr\":\"1\"}"; }
"$QFS" append a.qlog g.jsonl >/dev/null 2>&1 || bad "append genesis"
tx 1 | "$QFS" append a.qlog - >/dev/null 2>&1 || bad "append tx 1"

# Usage and start-up errors.
"$QFS" serve --help | grep -q '^usage: qfs serve LOG' && ok || bad "--help"
"$QFS" serve 2>/dev/null; [ $? -eq 2 ] && ok || bad "no LOG: not exit 2"
"$QFS" serve a.qlog --listen nowhere 2>/dev/null; [ $? -eq 2 ] && ok || bad "bad --listen: not exit 2"
"$QFS" serve a.qlog --listen 127.0.0.1:70000 2>/dev/null; [ $? -eq 2 ] && ok || bad "port 70000: not exit 2"
echo "not a log" > junk.qlog
"$QFS" serve junk.qlog --listen 127.0.0.1:0 2>/dev/null; [ $? -eq 65 ] && ok || bad "not a log: not exit 65"

start_serve a.qlog || { finish; exit 1; }
wait_events 2 && expect_hash a.qlog
get /healthz > /dev/null
[ "$CODE" = 200 ] && ok || bad "/healthz $CODE"
has body.out "ok 2 events, head 1, chain head "

# A second server on the same port: the address is in use (exit 74).
"$QFS" serve a.qlog --listen "${URL#http://}" 2>/dev/null; [ $? -eq 74 ] && ok || bad "port in use: not exit 74"

# Appends while it runs: 20 batches of one transfer and an epoch close.
for i in $(seq 2 21); do
    { tx "$i"; [ "$i" = 11 ] && echo '{"kind":"epoch_close","timestamp_ms":2011,"epoch":0}'; } |
        "$QFS" append a.qlog - >/dev/null 2>&1 || bad "append $i"
done
wait_events 23 && expect_hash a.qlog
"$QFS" state a.qlog > state.json 2>/dev/null
get /state > served.json
cmp -s state.json served.json && ok || bad "/state differs from qfs state"
"$QFS" state a.qlog --module ledger > ledger.json 2>/dev/null
get '/state?module=ledger' > served.json
cmp -s ledger.json served.json && ok || bad "/state?module=ledger differs"
# 21 transfers of 10 T2: bob holds 210, alice 790.
jq -e '[.accounts[] | {(.id): .balances.T2}] | add == {"alice":"790","bob":"210"}' served.json >/dev/null &&
    ok || bad "ledger balances: $(head -c 300 served.json)"
get '/state?module=nope' > /dev/null
[ "$CODE" = 400 ] && ok || bad "unknown module: $CODE"
get /evidence > ev.json
jq -e '.events == 23 and .head_index == 22 and .epoch == 1 and .healthy == true and .log == "a.qlog"' ev.json \
    >/dev/null && ok || bad "/evidence: $(cat ev.json)"
get /metrics | grep -qx 'qfs_events_replayed_total 23' && ok || bad "/metrics: $(head -c 300 body.out)"
# The exposition is the one qfs metrics prints for the same log.
"$QFS" metrics a.qlog > metrics.txt 2>/dev/null || bad "qfs metrics"
get /metrics > served.txt
cmp -s metrics.txt served.txt && ok || bad "/metrics differs from qfs metrics: $(diff metrics.txt served.txt | head -5)"

# Only GET and HEAD.
for m in POST PUT DELETE; do
    [ "$(curl -s -o /dev/null -w '%{http_code}' -X "$m" "$URL/hash")" = 405 ] && ok || bad "$m not 405"
done
[ "$(curl -s -o /dev/null -w '%{http_code}' -X POST --data 'x=1' "$URL/hash")" = 405 ] && ok || bad "POST with body"
[ "$(curl -s -I -o /dev/null -w '%{http_code}' "$URL/hash")" = 200 ] && ok || bad "HEAD not 200"
get /nothing > /dev/null
[ "$CODE" = 404 ] && ok || bad "unknown path: $CODE"
# Headers beyond the connection's memory bound are refused, not stored.
big=$(head -c 40000 /dev/zero | tr '\0' a)
code=$(curl -s -o /dev/null -w '%{http_code}' -H "X-Big: $big" "$URL/hash")
[ "$code" = 431 ] && ok || bad "40 kB header: $code"

# Connections per client are bounded (32): with 32 idle ones open, the next
# is closed unanswered; once they are closed, requests are answered again.
port=${URL##*:}
fds=()
for _ in $(seq 32); do
    exec {fd}<>"/dev/tcp/127.0.0.1/$port" && fds+=("$fd")
done
[ "${#fds[@]}" -eq 32 ] && ok || bad "opened ${#fds[@]} of 32 connections"
sleep 0.3
[ "$(curl -s -m 3 -o /dev/null -w '%{http_code}' "$URL/hash")" = 000 ] && ok || bad "connection 33 was answered"
for fd in "${fds[@]}"; do exec {fd}>&-; done
sleep 0.3
[ "$(curl -s -m 3 -o /dev/null -w '%{http_code}' "$URL/hash")" = 200 ] && ok || bad "no answer after closing"

# A torn tail: the first half of a record that a copy of the log got.
size=$(stat -c %s a.qlog)
cp a.qlog b.qlog
tx 22 | "$QFS" append b.qlog - >/dev/null 2>&1 || bad "append b"
tail -c +$((size + 1)) b.qlog > rec.bin
rlen=$(stat -c %s rec.bin)
head -c $((rlen / 2)) rec.bin >> a.qlog
sleep 0.6
get /hash | grep -q '"events":23,' && ok || bad "torn tail moved the head: $(cat body.out)"
get /healthz > /dev/null
[ "$CODE" = 200 ] && ok || bad "torn tail: /healthz $CODE"
has body.out "waiting for a torn last record"
# The rest of the record arrives: it is applied from where serve stopped.
tail -c +$((rlen / 2 + 1)) rec.bin >> a.qlog
cmp -s a.qlog b.qlog && ok || bad "a and b differ"
wait_events 24 && expect_hash a.qlog
get /healthz > /dev/null
has body.out "ok 24 events, head 23, "

# Corruption: a whole new record with one byte of its body inverted.
size=$(stat -c %s a.qlog)
cp a.qlog c.qlog
tx 23 | "$QFS" append c.qlog - >/dev/null 2>&1 || bad "append c"
tail -c +$((size + 1)) c.qlog > rec.bin
flip rec.bin 100
cat rec.bin >> a.qlog
for _ in $(seq 50); do
    get /healthz > /dev/null
    [ "$CODE" = 503 ] && break
    sleep 0.1
done
[ "$CODE" = 503 ] && ok || bad "corrupt record: /healthz $CODE"
has body.out "corrupt: "
has body.out "byte offset $size"
has body.out "state frozen at 24 events"
"$QFS" log check a.qlog > check.out 2>&1
grep -q "$size" check.out && ok || bad "log check does not name offset $size: $(cat check.out)"
get /hash | grep -q '"events":24,' && ok || bad "corruption moved the head: $(cat body.out)"
get /evidence | grep -q '"healthy":false' && ok || bad "/evidence healthy after corruption"
kill -0 "$SERVE_PID" 2>/dev/null && ok || bad "serve died on corruption"
grep -q "corrupt" serve.err && ok || bad "no report on stderr: $(cat serve.err)"

# SIGTERM: a clean stop, exit 0, within a second.
signal_wait TERM
[ "$RC" -eq 0 ] && ok || bad "SIGTERM: exit $RC"
[ "$MS" -lt 1500 ] && ok || bad "SIGTERM took $MS ms"
has serve.err "qfs serve: stopped at 24 events"

# SIGINT on a fresh server of a clean log: exit 0 too.
start_serve b.qlog && wait_events 24
signal_wait INT
[ "$RC" -eq 0 ] && ok || bad "SIGINT: exit $RC"

finish
