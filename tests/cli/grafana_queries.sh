#!/bin/bash
# The dashboards of docs/grafana query only what `qfs metrics` emits: every
# PromQL expression of every panel (and every label_values() of a variable)
# is taken apart, and each metric name, each label of a matcher (on that
# metric), each label of a by()/without() clause and of a legend (on a metric
# of the expression) must be one the exposition of a simulated economy with
# validators, infrastructure nodes and memory nodes holds. Every other word
# must be a PromQL function or keyword the dashboards are known to use, so a
# misspelt metric name cannot pass as a function. Each dashboard has a
# Prometheus datasource variable and every panel and query uses it.
set -u
QFS="$1"
SRC="$2"
# shellcheck source=lib/harness.bash
. "$(dirname "$0")/lib/harness.bash"
cd "$T" || exit 1

"$QFS" simulate --seed 3 --events 20000 -o sim.qlog >/dev/null || bad "simulate"
"$QFS" metrics sim.qlog > sim.prom || bad "metrics"
# "metric label" for every label of every sample, "metric" for every family.
awk '/^# TYPE / { print $3 }' sim.prom | sort -u > metrics.txt
grep -v '^#' sim.prom | awk '{ s = $1; m = s; sub(/\{.*/, "", m)
    if (s ~ /\{/) { sub(/^[^{]*\{/, "", s); n = split(s, kv, /",/)
        for (i = 1; i <= n; i++) { k = kv[i]; sub(/=.*/, "", k); print m, k } } }' | sort -u > labels.txt
[ -s metrics.txt ] && [ -s labels.txt ] && ok || bad "no metrics or labels in the exposition"
for l in validator node memory_node governance; do
    grep -q " $l\$" labels.txt && ok || bad "the simulated log has no series labelled $l"
done

KNOWN=" sum max min avg count topk bottomk sort sort_desc by without rate increase delta max_over_time min_over_time avg_over_time clamp_min clamp_max on ignoring group_left group_right bool offset and or unless "

# check_expr FILE WHERE EXPR LEGEND
check_expr() {
    local where="$2" expr="$3" legend="$4"
    # Strings (label values, "$validator") go first, then Grafana's $__vars.
    local bare
    bare="$(printf '%s' "$expr" | sed -e 's/"[^"]*"//g' -e 's/\$[A-Za-z_]*//g')"
    local ms
    ms="$(printf '%s' "$bare" | grep -oE '(qfs|qc_token)_[A-Za-z0-9_]*' | sort -u)"
    [ -n "$ms" ] || { bad "$where: no metric in: $expr"; return; }
    local m
    for m in $ms; do
        grep -qx "$m" metrics.txt && ok || bad "$where: $m is not emitted by qfs metrics: $expr"
    done
    # Matchers: metric{label op ...} — each label on that metric.
    local block
    while IFS= read -r block; do
        [ -n "$block" ] || continue
        m="${block%%\{*}"
        local l
        for l in $(printf '%s' "${block#*\{}" | grep -oE '[A-Za-z_][A-Za-z0-9_]*[[:space:]]*(=~|!~|!=|=)' | grep -oE '^[A-Za-z_][A-Za-z0-9_]*'); do
            grep -qx "$m $l" labels.txt && ok || bad "$where: $m has no label $l: $expr"
        done
    done < <(printf '%s' "$bare" | grep -oE '[A-Za-z_:][A-Za-z0-9_:]*\{[^}]*\}')
    # by (...), without (...) and {{label}} of the legend: a label of some metric of the expression.
    local ls
    ls="$(printf '%s' "$bare" | grep -oE '(by|without)[[:space:]]*\([^)]*\)' | sed -E 's/^(by|without)[[:space:]]*\(//; s/\)$//' | tr ',' '\n' | tr -d ' ')
$(printf '%s' "$legend" | grep -oE '\{\{[^}]*\}\}' | tr -d '{} ')"
    local l
    for l in $ls; do
        local found=0
        for m in $ms; do grep -qx "$m $l" labels.txt && found=1; done
        [ $found -eq 1 ] && ok || bad "$where: no metric of the expression has the label $l: $expr"
    done
    # Every other word is a known function or keyword (numbers aside).
    local w
    for w in $(printf '%s' "$bare" | sed -E 's/\{[^}]*\}//g; s/\[[^]]*\]//g; s/(by|without)[[:space:]]*\([^)]*\)/\1/g' | grep -oE '[A-Za-z_][A-Za-z0-9_]*' | sort -u); do
        case "$w" in qfs_* | qc_token_*) continue ;; esac
        [ "${KNOWN#* "$w" }" != "$KNOWN" ] && ok || bad "$where: unknown word '$w' (a misspelt metric?): $expr"
    done
}

n=0
for f in "$SRC"/docs/grafana/*.json; do
    name="$(basename "$f")"
    jq -e . "$f" >/dev/null && ok || { bad "$name: not JSON"; continue; }
    # The datasource variable, and every panel and query on it.
    [ "$(jq '[.templating.list[] | select(.type == "datasource" and .query == "prometheus" and .name == "DS_PROMETHEUS")] | length' "$f")" = 1 ] &&
        ok || bad "$name: no Prometheus datasource variable DS_PROMETHEUS"
    [ "$(jq '[.. | objects | select(has("datasource")) | .datasource | select(.uid != "${DS_PROMETHEUS}" or .type != "prometheus")] | length' "$f")" = 0 ] &&
        ok || bad "$name: a datasource other than \${DS_PROMETHEUS}"
    [ "$(jq '[.panels[] | select((.targets // []) | length == 0)] | length' "$f")" = 0 ] &&
        ok || bad "$name: a panel without a query"
    while IFS=$'\t' read -r title ref expr legend; do
        check_expr "$f" "$name: panel '$title' $ref" "$expr" "$legend"
        n=$((n + 1))
    done < <(jq -r '.panels[] | .title as $t | .targets[] | [$t, .refId, .expr, (.legendFormat // "")] | @tsv' "$f")
    # Variables: label_values(metric, label).
    while IFS= read -r q; do
        if [[ "$q" =~ ^label_values\(([A-Za-z0-9_]+),[[:space:]]*([A-Za-z0-9_]+)\)$ ]]; then
            grep -qx "${BASH_REMATCH[1]} ${BASH_REMATCH[2]}" labels.txt && ok || bad "$name: variable query $q: no such metric and label"
        else
            bad "$name: variable query not understood: $q"
        fi
        n=$((n + 1))
    done < <(jq -r '.templating.list[] | select(.type == "query") | .query.query' "$f")
done
[ "$n" -ge 40 ] && ok || bad "only $n queries found in docs/grafana"

# The checker catches a wrong name, a wrong label and a misspelt function:
# each probe must fail (its messages are not printed; the counters are kept).
saved=$fails
caught=""
for probe in 'qfs_node_scores{node="a"}|' 'qfs_node_score{validator="a"}|' 'sum by (asset) (qfs_node_score)|' \
    'summ(qfs_node_score)|' 'qfs_node_score|{{memory_node}}' 'qfs_node_score|'; do
    fails=0
    check_expr x probe "${probe%%|*}" "${probe#*|}" 2>/dev/null
    [ $fails -gt 0 ] && caught="${caught}1" || caught="${caught}0"
done
fails=$saved
# The first five are wrong, the last one right.
[ "$caught" = 111110 ] && ok || bad "the checker judged the probes $caught, want 111110 (1: refused)"

finish
