#!/bin/bash
# A real Prometheus server (Debian's `prometheus`) scrapes `qfs serve` on
# loopback every second while events are appended; the values read back
# through Prometheus's HTTP query API equal what `qfs state` says of the same
# head: events replayed, the current epoch, T2 issued and the ATR fees (the
# amounts are whole tokens, so the exposition's float is exact). Everything
# started here is stopped on exit; the whole test is bounded (60 s).
set -u
QFS="$1"
# shellcheck source=lib/harness.bash
. "$(dirname "$0")/lib/harness.bash"
cd "$T" || exit 1
for tool in prometheus curl jq python3; do
    command -v "$tool" >/dev/null || { echo "$tool is missing (scripts/deps.sh installs it)" >&2; exit 1; }
done

SERVE_PID=""
PROM_PID=""
cleanup() {
    for p in $PROM_PID $SERVE_PID; do
        kill "$p" 2>/dev/null
        wait "$p" 2>/dev/null
    done
    rm -rf "$T"
}
trap cleanup EXIT
DEADLINE=$(($(date +%s) + 60))
late() { [ "$(date +%s)" -ge "$DEADLINE" ]; }

# 10^18 base units per token.
E18=000000000000000000
echo "{\"kind\":\"genesis\",\"timestamp_ms\":1000,\"chain_id\":\"prom-test\",\"accounts\":[{\"id\":\"alice\",\"kind\":\"user\",\"balances\":{\"ATR\":\"100$E18\",\"T2\":\"5000$E18\"}},{\"id\":\"bob\",\"kind\":\"user\",\"balances\":{}}]}" |
    "$QFS" append a.qlog - >/dev/null 2>&1 || bad "append genesis"
# Transfer i moves 7 T2 and pays 1 ATR of fees.
tx() { echo "{\"kind\":\"transfer\",\"timestamp_ms\":$((2000 + $1)),\"from\":\"alice\",\"to\":\"bob\",\"asset\":\"T2\",\"amount\":\"7$E18\",\"fee_atr\":\"1$E18\"}"; }
close() { echo "{\"kind\":\"epoch_close\",\"timestamp_ms\":$((2000 + $1)),\"epoch\":$2}"; }

"$QFS" serve a.qlog --listen 127.0.0.1:0 2> serve.err &
SERVE_PID=$!
port=""
until [ -n "$port" ] || late; do
    sleep 0.1
    port=$(sed -n 's/^qfs serve: listening on 127\.0\.0\.1:\([0-9]*\),.*/\1/p' serve.err)
done
[ -n "$port" ] || { bad "serve did not start: $(cat serve.err)"; finish; exit 1; }

# A free loopback port for Prometheus (the kernel picks one, then frees it).
pport=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
cat > prom.yml <<EOF
global:
  scrape_interval: 1s
  scrape_timeout: 1s
scrape_configs:
  - job_name: qfs
    static_configs:
      - targets: ["127.0.0.1:$port"]
EOF
prometheus --config.file=prom.yml --storage.tsdb.path="$T/tsdb" --web.listen-address="127.0.0.1:$pport" \
    --log.level=warn > prom.log 2>&1 &
PROM_PID=$!
PROM="http://127.0.0.1:$pport"
until curl -sf "$PROM/-/ready" >/dev/null || late; do sleep 0.2; done
curl -sf "$PROM/-/ready" >/dev/null && ok || { bad "prometheus not ready: $(tail -5 prom.log)"; finish; exit 1; }

# query EXPR: the value of an instant query's only sample ("" when none).
query() {
    curl -sf --get "$PROM/api/v1/query" --data-urlencode "query=$1" | jq -r '.data.result[0].value[1] // ""'
}
# scraped_events N: waits until Prometheus holds a scrape with N events.
scraped_events() {
    until [ "$(query 'qfs_events_replayed_total{job="qfs"}')" = "$1" ] || late; do sleep 0.5; done
    [ "$(query 'qfs_events_replayed_total{job="qfs"}')" = "$1" ] && ok || bad "never scraped $1 events"
}
# whole TOKENS_IN_BASE_UNITS: base units of a whole number of tokens as tokens.
whole() { case "$1" in *$E18) echo "${1%$E18}" ;; 0) echo 0 ;; *) echo "not whole: $1" ;; esac; }
# compare: the scraped values equal qfs state's for the log as it is now.
compare() {
    "$QFS" state a.qlog > state.json 2>/dev/null || bad "qfs state"
    local events epoch t2 fees
    events=$(jq -r '.receipts.events' state.json)
    epoch=$(jq -r '.ledger.epoch' state.json)
    t2=$(whole "$(jq -r '.ledger.issued.T2' state.json)")
    fees=$(whole "$(jq -r '.treasury.fees_total_atr' state.json)")
    scraped_events "$events"
    [ "$(query 'qfs_epoch{job="qfs"}')" = "$epoch" ] && ok || bad "epoch: $(query 'qfs_epoch') != $epoch"
    [ "$(query 'qfs_issued_tokens_total{job="qfs",asset="T2"}')" = "$t2" ] && ok ||
        bad "T2 issued: $(query 'qfs_issued_tokens_total{asset="T2"}') != $t2"
    [ "$(query 'qfs_atr_fees_tokens_total{job="qfs"}')" = "$fees" ] && ok ||
        bad "ATR fees: $(query 'qfs_atr_fees_tokens_total') != $fees"
    [ "$(query 'up{job="qfs"}')" = 1 ] && ok || bad "target not up"
}

# Phase 1: the genesis and three transfers, appended while scraped.
for i in 1 2 3; do tx "$i" | "$QFS" append a.qlog - >/dev/null 2>&1 || bad "append $i"; done
compare
# By hand: 4 events, epoch 0, 5000 T2 issued, 3 ATR of fees.
[ "$(query 'qfs_events_replayed_total')" = 4 ] && [ "$(query 'qfs_epoch')" = 0 ] &&
    [ "$(query 'qfs_issued_tokens_total{asset="T2"}')" = 5000 ] && [ "$(query 'qfs_atr_fees_tokens_total')" = 3 ] &&
    ok || bad "phase 1 values"

# Phase 2: two epochs closed and more transfers, in batches of two.
for i in 4 6 8 10; do
    { tx "$i"; if [ "$i" -le 6 ]; then close $((i + 1)) $((i / 2 - 2)); else tx $((i + 1)); fi; } |
        "$QFS" append a.qlog - >/dev/null 2>&1 || bad "append $i"
    sleep 0.3
done
compare
# By hand: 4 + 8 = 12 events, epochs 0 and 1 closed (epoch 2), 6 transfers' fees.
[ "$(query 'qfs_events_replayed_total')" = 12 ] && [ "$(query 'qfs_epoch')" = 2 ] &&
    [ "$(query 'qfs_atr_fees_tokens_total')" = 9 ] && ok || bad "phase 2 values"
# Every scrape of the run succeeded.
[ "$(query 'min_over_time(up{job="qfs"}[1m])')" = 1 ] && ok || bad "a scrape failed"

finish
