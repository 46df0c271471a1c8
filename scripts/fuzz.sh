#!/bin/sh
# Builds the libFuzzer targets with ASan and UBSan (clang), seeds their corpora
# from simulated logs and the test data, replays the regression vectors, and
# runs each target for FUZZ_SECONDS (default 60), two targets at a time. A
# crash fails the script; its input is left in build-fuzz/crashes/<target>/ —
# copy it into tests/fuzz/regressions/<target>/ once fixed.
set -eu
cd "$(dirname "$0")/.."
SECONDS_EACH="${FUZZ_SECONDS:-60}"
# A fixed seed makes a run repeatable: the same inputs in the same order, so a
# crash seen once is seen again. FUZZ_SEED=0 lets libFuzzer pick one.
FUZZ_SEED="${FUZZ_SEED:-20261122}"
B=build-fuzz
cmake -S . -B "$B" -DCMAKE_C_COMPILER=clang -DQFS_FUZZ=ON -DQFS_BUILD_TESTS=OFF \
    -DQFS_SANITIZE=address,undefined -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$B" -j"$(nproc)" >/dev/null
# The qfs binary of the fuzz build makes the seed corpora.
rm -rf "$B/corpus" "$B/crashes"
mkdir -p "$B/corpus/fuzz_log_reader" "$B/corpus/fuzz_json" "$B/corpus/fuzz_decode_apply" "$B/corpus/fuzz_line_reader"
for seed in 1 2 3; do
    "$B/qfs" simulate --seed "$seed" --events $((seed * 40)) --batch 16 --validators 3 --nodes 3 --users 4 \
        --epoch-events 25 -o "$B/corpus/fuzz_log_reader/sim$seed.qlog" --force >/dev/null
done
"$B/qfs" simulate --seed 9 --events 300 --batch 300 --validators 3 --nodes 4 --users 3 --epoch-events 50 \
    -o "$B/one-record.qlog" --force >/dev/null
# A one-record log's body (after the 64-byte file header and 96-byte record
# header) is one zstd frame of length-prefixed events: the decode target's input.
tail -c +161 "$B/one-record.qlog" | zstd -dcq > "$B/corpus/fuzz_decode_apply/sim.bin"
"$B/qfs" dump "$B/one-record.qlog" | split -l 1 - "$B/corpus/fuzz_json/line-"
# The golden vectors are test data too: their lines (bad-input vectors'
# refused lines included) seed the JSON target, their committed logs (damaged
# ones included) the log reader, and the record bodies of the sound ones (one
# record each) the decoder.
for v in vectors/v2/*.jsonl; do
    name="$(basename "$v" .jsonl)"
    split -l 1 "$v" "$B/corpus/fuzz_json/$name-"
    log="vectors/v2/$name.qlog"
    [ -f "$log" ] || continue
    cp "$log" "$B/corpus/fuzz_log_reader/$name.qlog"
    grep -q '"damage"' "vectors/v2/$name.expect.json" && continue
    tail -c +161 "$log" | zstd -dcq > "$B/corpus/fuzz_decode_apply/$name.bin"
done
# The line reader's input is a byte (the longest line kept) then JSON Lines:
# a few lines of a dump, blank lines first, CRLF endings, no final newline.
{ printf '\200\n\n'; "$B/qfs" dump "$B/one-record.qlog" --count 3; } > "$B/corpus/fuzz_line_reader/dump"
printf '\010\n{"amount":"5","kind":"stake"}\r\n\n \t\nx' > "$B/corpus/fuzz_line_reader/blank"
printf '\377%s' "$(head -c 600 vectors/v2/*.jsonl | head -c 600)" > "$B/corpus/fuzz_line_reader/vectors"
cp tests/fuzz/regressions/fuzz_log_reader/* "$B/corpus/fuzz_log_reader/" 2>/dev/null || true
cp tests/fuzz/regressions/fuzz_json/* "$B/corpus/fuzz_json/" 2>/dev/null || true
cp tests/fuzz/regressions/fuzz_decode_apply/* "$B/corpus/fuzz_decode_apply/" 2>/dev/null || true
cp tests/fuzz/regressions/fuzz_line_reader/* "$B/corpus/fuzz_line_reader/" 2>/dev/null || true

# Two targets at a time, each for its full FUZZ_SECONDS: the run takes half
# the time on two cores, and no target gets less fuzzing.
fuzz_one() {
    target="$1"
    mkdir -p "$B/crashes/$target"
    if ! "$B/tests/fuzz/$target" -seed="$FUZZ_SEED" -max_total_time="$SECONDS_EACH" -max_len=65536 -timeout=10 -rss_limit_mb=2048 \
        -artifact_prefix="$B/crashes/$target/" -print_final_stats=1 "$B/corpus/$target" \
        >"$B/$target.log" 2>&1; then
        echo "fuzz: $target FAILED; see $B/$target.log and $B/crashes/$target/" >&2
        tail -n 40 "$B/$target.log" >&2
        return 1
    fi
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$B/$target.log")
    echo "fuzz: $target ok: $runs inputs in ${SECONDS_EACH}s, no crash"
}
status=0
for pair in "fuzz_log_reader fuzz_json" "fuzz_decode_apply fuzz_line_reader"; do
    # shellcheck disable=SC2086
    set -- $pair
    fuzz_one "$1" &
    first=$!
    fuzz_one "$2" || status=1
    wait "$first" || status=1
done
exit $status
