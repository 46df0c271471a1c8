/* The Prometheus text exposition of a state (metrics.h).
 *
 * The figures come from the state's canonical JSON (every module, exact
 * decimal strings) plus the few values the fold computes on demand and never
 * stores: effective Psi (docs/SPEC.md 5.1) and the node score (5.10), which
 * are recomputed here with the same integer operations of qfs/fixed.h. Each
 * family is written into one buffer and the families are then emitted
 * sorted by name, so the output order never depends on the order of the
 * code below. */
#include "metrics.h"

#include "text_append.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

typedef struct fam {
    const char *name;
    size_t start, end; /* byte range of the family in the scratch buffer */
} fam;

typedef struct mb {
    char *p;
    size_t len, cap;
    int nomem;
    fam *fams;
    size_t nfam, fam_cap;
} mb;

static void put(mb *b, const char *s, size_t n)
{
    if (!b->nomem && text_append(&b->p, &b->len, &b->cap, s, n) != 0)
        b->nomem = 1;
}

static void puts_(mb *b, const char *s)
{
    put(b, s, strlen(s));
}

static void end_family(mb *b)
{
    if (b->nfam > 0)
        b->fams[b->nfam - 1].end = b->len;
}

/* Starts a family: its HELP and TYPE lines. */
static void family(mb *b, const char *name, const char *type, const char *help)
{
    end_family(b);
    if (b->nomem)
        return;
    if (b->nfam == b->fam_cap) {
        size_t cap = b->fam_cap ? b->fam_cap * 2 : 64;
        fam *f = realloc(b->fams, cap * sizeof *f);
        if (!f) {
            b->nomem = 1;
            return;
        }
        b->fams = f;
        b->fam_cap = cap;
    }
    b->fams[b->nfam++] = (fam){.name = name, .start = b->len, .end = b->len};
    puts_(b, "# HELP ");
    puts_(b, name);
    puts_(b, " ");
    puts_(b, help);
    puts_(b, "\n# TYPE ");
    puts_(b, name);
    puts_(b, " ");
    puts_(b, type);
    puts_(b, "\n");
}

/* A label value, escaped as the exposition format requires: backslash,
 * double quote and line feed. */
static void put_label_value(mb *b, const char *v)
{
    for (const char *c = v; *c; c++) {
        if (*c == '\\')
            puts_(b, "\\\\");
        else if (*c == '"')
            puts_(b, "\\\"");
        else if (*c == '\n')
            puts_(b, "\\n");
        else
            put(b, c, 1);
    }
}

/* One sample: name{k1="v1",k2="v2"} value. `labels` holds nl key/value pairs. */
static void sample(mb *b, const char *name, const char *const *labels, size_t nl, const char *value)
{
    puts_(b, name);
    if (nl > 0) {
        puts_(b, "{");
        for (size_t i = 0; i < nl; i++) {
            if (i > 0)
                puts_(b, ",");
            puts_(b, labels[2 * i]);
            puts_(b, "=\"");
            put_label_value(b, labels[2 * i + 1]);
            puts_(b, "\"");
        }
        puts_(b, "}");
    }
    puts_(b, " ");
    puts_(b, value);
    puts_(b, "\n");
}

static void sample0(mb *b, const char *name, const char *value)
{
    sample(b, name, NULL, 0, value);
}

static void sample1(mb *b, const char *name, const char *k, const char *v, const char *value)
{
    const char *l[2] = {k, v};
    sample(b, name, l, 1, value);
}

static void sample2(mb *b, const char *name, const char *k1, const char *v1, const char *k2, const char *v2,
                    const char *value)
{
    const char *l[4] = {k1, v1, k2, v2};
    sample(b, name, l, 2, value);
}

/* ---- values ---- */

typedef struct num {
    char s[QFS_AMOUNT_STR_MAX + 2];
} num;

static num u64s(uint64_t v)
{
    num n;
    qfs_u64_format(n.s, v);
    return n;
}

static num tokens(qfs_amount v)
{
    num n;
    qfs_amount_format_tokens(n.s, v);
    return n;
}

static num fp18s(uint64_t v)
{
    num n;
    qfs_fp18_format(n.s, v);
    return n;
}

/* Reading the JSON: any value not of the expected shape sets *bad. */
typedef struct rd {
    int bad;
} rd;

static json_t *obj(rd *r, json_t *o, const char *key)
{
    json_t *v = json_is_object(o) ? json_object_get(o, key) : NULL;
    if (!v)
        r->bad = 1;
    return v;
}

static const char *str(rd *r, json_t *o, const char *key)
{
    json_t *v = obj(r, o, key);
    if (!json_is_string(v)) {
        r->bad = 1;
        return "";
    }
    return json_string_value(v);
}

static qfs_amount amount(rd *r, json_t *o, const char *key)
{
    const char *s = str(r, o, key);
    qfs_amount a = 0;
    if (qfs_amount_parse(&a, s, strlen(s)) != QFS_OK)
        r->bad = 1;
    return a;
}

static uint64_t fp18(rd *r, json_t *o, const char *key)
{
    const char *s = str(r, o, key);
    uint64_t v = 0;
    if (qfs_fp18_parse(&v, s, strlen(s)) != QFS_OK)
        r->bad = 1;
    return v;
}

static uint64_t u64(rd *r, json_t *o, const char *key)
{
    json_t *v = obj(r, o, key);
    if (json_is_integer(v) && json_integer_value(v) >= 0)
        return (uint64_t)json_integer_value(v);
    if (json_is_string(v)) { /* timestamps and proposal ids are strings of digits */
        uint64_t x = 0;
        if (qfs_u64_parse(&x, json_string_value(v), json_string_length(v)) == QFS_OK)
            return x;
    }
    r->bad = 1;
    return 0;
}

static json_t *arr(rd *r, json_t *o, const char *key)
{
    json_t *v = obj(r, o, key);
    if (!json_is_array(v)) {
        r->bad = 1;
        return NULL;
    }
    return v;
}

static int name_cmp(const void *a, const void *b)
{
    return strcmp(((const fam *)a)->name, ((const fam *)b)->name);
}

void metrics_tallies_observe(metrics_tallies *t, const qfs_state *s)
{
    size_t n = qfs_state_tally_count(s);
    for (size_t i = 0; i < n; i++) {
        qfs_tally tl;
        qfs_state_tally(s, i, &tl);
        if (tl.status < 4)
            t->by_status[tl.infra ? 1 : 0][tl.status]++;
    }
}

/* ---- the families, module by module ---- */

static void render_ledger(mb *b, rd *r, json_t *root)
{
    json_t *ledger = obj(r, root, "ledger"), *treasury = obj(r, root, "treasury");
    json_t *issued = obj(r, ledger, "issued"), *burned = obj(r, treasury, "burned");
    json_t *tbal = obj(r, treasury, "balances");
    static const char *const kinds[] = {"infra_node", "user", "validator"};
    uint64_t count[3] = {0, 0, 0};
    json_t *accounts = arr(r, ledger, "accounts"), *a;
    size_t i;
    json_array_foreach(accounts, i, a)
    {
        const char *k = str(r, a, "kind");
        for (size_t j = 0; j < 3; j++)
            count[j] += strcmp(k, kinds[j]) == 0;
    }
    family(b, "qfs_accounts", "gauge", "Registered accounts by kind.");
    for (size_t j = 0; j < 3; j++)
        sample1(b, "qfs_accounts", "kind", kinds[j], u64s(count[j]).s);

    family(b, "qfs_issued_tokens_total", "counter",
           "Tokens issued since the genesis, per asset (whole tokens).");
    for (int as = QFS_ASSET_T1; as <= QFS_ASSET_ATR; as++)
        sample1(b, "qfs_issued_tokens_total", "asset", qfs_asset_name((qfs_asset)as),
                tokens(amount(r, issued, qfs_asset_name((qfs_asset)as))).s);
    family(b, "qfs_burned_tokens_total", "counter",
           "Tokens burned since the genesis, per asset (whole tokens).");
    for (int as = QFS_ASSET_T1; as <= QFS_ASSET_ATR; as++)
        sample1(b, "qfs_burned_tokens_total", "asset", qfs_asset_name((qfs_asset)as),
                tokens(amount(r, burned, qfs_asset_name((qfs_asset)as))).s);
    family(b, "qfs_supply_tokens", "gauge",
           "Supply per asset: issued minus burned (balances plus pools), whole tokens.");
    for (int as = QFS_ASSET_T1; as <= QFS_ASSET_ATR; as++) {
        const char *n = qfs_asset_name((qfs_asset)as);
        qfs_amount s = 0;
        if (qfs_sub_amount(&s, amount(r, issued, n), amount(r, burned, n)) != QFS_OK)
            r->bad = 1;
        sample1(b, "qfs_supply_tokens", "asset", n, tokens(s).s);
    }
    family(b, "qfs_treasury_balance_tokens", "gauge", "Treasury balance per asset (whole tokens).");
    for (int as = QFS_ASSET_T1; as <= QFS_ASSET_ATR; as++)
        sample1(b, "qfs_treasury_balance_tokens", "asset", qfs_asset_name((qfs_asset)as),
                tokens(amount(r, tbal, qfs_asset_name((qfs_asset)as))).s);
    family(b, "qfs_atr_fees_tokens_total", "counter", "ATR fees paid since the genesis (whole tokens).");
    sample0(b, "qfs_atr_fees_tokens_total", tokens(amount(r, treasury, "fees_total_atr")).s);
    family(b, "qfs_t2_pool_tokens", "gauge",
           "T2 reward pool: the dust carried to the next epoch close (whole tokens).");
    sample0(b, "qfs_t2_pool_tokens", tokens(amount(r, treasury, "t2_pool")).s);
    family(b, "qfs_t2_minted_last_epoch_tokens", "gauge",
           "T2 minted at the last epoch close (whole tokens).");
    sample0(b, "qfs_t2_minted_last_epoch_tokens", tokens(amount(r, treasury, "t2_minted_last")).s);
    qfs_amount paid = amount(r, treasury, "t2_paid_last");
    family(b, "qfs_t2_paid_last_epoch_tokens", "gauge",
           "T2 paid to validators at the last epoch close (whole tokens).");
    sample0(b, "qfs_t2_paid_last_epoch_tokens", tokens(paid).s);
    family(b, "qc_token_T2_rewards_epoch", "gauge",
           "T2 rewards paid at the last epoch close (whole tokens); the source design's name.");
    sample0(b, "qc_token_T2_rewards_epoch", tokens(paid).s);
    family(b, "qfs_epoch", "gauge", "The current epoch.");
    sample0(b, "qfs_epoch", u64s(u64(r, ledger, "epoch")).s);
}

static void render_validators(mb *b, rd *r, json_t *root, const qfs_state *s)
{
    json_t *staking = obj(r, root, "staking"), *coh = obj(r, root, "coherence");
    json_t *sv = arr(r, staking, "validators"), *cv = arr(r, coh, "validators");
    uint64_t now = u64(r, obj(r, root, "ledger"), "last_timestamp_ms");
    uint64_t per_token = (uint64_t)qfs_state_param(s, QFS_PARAM_BOOST_PSI_PER_TOKEN);
    if (r->bad || json_array_size(sv) != json_array_size(cv)) {
        r->bad = 1;
        return;
    }
    size_t n = json_array_size(sv);
    static const char *const fams[][3] = {
        {"qc_token_T1_staked_total", "untyped",
         "T1 staked per validator (whole tokens); the source design's name, a level that falls on unstaking "
         "and "
         "slashing, not a counter."},
        {"qfs_validator_staked_tokens", "gauge", "T1 staked per validator (whole tokens)."},
        {"qfs_validator_unbonding_tokens", "gauge", "T1 unbonding per validator (whole tokens)."},
        {"qfs_validator_t2_received_tokens_total", "counter", "T2 received per validator (whole tokens)."},
        {"qfs_validator_psi_base_ratio", "gauge", "Last reported base Psi per validator."},
        {"qfs_validator_psi_effective_ratio", "gauge",
         "Effective Psi per validator at the last accepted event's time: base Psi plus an active boost, at "
         "most 1."},
        {"qfs_validator_boost_tokens", "gauge",
         "T4 burned by the validator's active boost (whole tokens; 0 when none)."},
    };
    uint64_t active = 0;
    qfs_amount sl1 = 0, sl4 = 0;
    for (size_t f = 0; f < sizeof fams / sizeof fams[0]; f++) {
        family(b, fams[f][0], fams[f][1], fams[f][2]);
        for (size_t i = 0; i < n; i++) {
            json_t *v = json_array_get(sv, i), *c = json_array_get(cv, i);
            const char *id = str(r, v, "id");
            if (strcmp(id, str(r, c, "id")) != 0)
                r->bad = 1;
            uint64_t base = fp18(r, c, "base_psi");
            qfs_amount boost = amount(r, c, "boost_amount");
            int boosting = boost != 0 && now < u64(r, c, "boost_until_ms");
            num val;
            switch (f) {
            case 0:
            case 1: val = tokens(amount(r, v, "staked")); break;
            case 2: val = tokens(amount(r, v, "unbonding")); break;
            case 3: val = tokens(amount(r, v, "t2_received")); break;
            case 4: val = fp18s(base); break;
            case 5: {
                /* docs/SPEC.md 5.1, as coherence_effective_psi computes it */
                uint64_t psi = base;
                if (boosting) {
                    qfs_amount add;
                    if (qfs_amount_mul_fp18(&add, boost, per_token, QFS_ROUND_FLOOR) != QFS_OK)
                        psi = QFS_FP18_ONE;
                    else
                        psi = add >= QFS_FP18_ONE - psi ? QFS_FP18_ONE : psi + (uint64_t)add;
                }
                val = fp18s(psi < QFS_FP18_ONE ? psi : QFS_FP18_ONE);
                break;
            }
            default:
                val = tokens(boosting ? boost : 0);
                active += (uint64_t)boosting;
                if (qfs_add_amount(&sl1, sl1, amount(r, v, "slashed_t1")) != QFS_OK ||
                    qfs_add_amount(&sl4, sl4, amount(r, v, "slashed_t4")) != QFS_OK)
                    r->bad = 1;
                break;
            }
            sample1(b, fams[f][0], "validator", id, val.s);
        }
    }
    family(b, "qfs_validator_slashed_tokens_total", "counter",
           "Slashed per validator and asset (whole tokens).");
    for (size_t i = 0; i < n; i++) {
        json_t *v = json_array_get(sv, i);
        const char *id = str(r, v, "id");
        sample2(b, "qfs_validator_slashed_tokens_total", "asset", "T1", "validator", id,
                tokens(amount(r, v, "slashed_t1")).s);
        sample2(b, "qfs_validator_slashed_tokens_total", "asset", "T4", "validator", id,
                tokens(amount(r, v, "slashed_t4")).s);
    }
    family(b, "qfs_slashed_tokens_total", "counter",
           "Slashed from all validators, per asset (whole tokens).");
    sample1(b, "qfs_slashed_tokens_total", "asset", "T1", tokens(sl1).s);
    sample1(b, "qfs_slashed_tokens_total", "asset", "T4", tokens(sl4).s);
    family(b, "qfs_boosts_active", "gauge",
           "Validators with an active T4 boost at the last accepted event's time.");
    sample0(b, "qfs_boosts_active", u64s(active).s);
    family(b, "qc_token_T4_boosts_active", "gauge",
           "Validators with an active T4 boost; the source design's name.");
    sample0(b, "qc_token_T4_boosts_active", u64s(active).s);
    family(b, "qfs_staked_tokens", "gauge", "T1 staked by all validators (whole tokens).");
    sample0(b, "qfs_staked_tokens", tokens(amount(r, staking, "staked_total")).s);
    family(b, "qfs_unbonding_tokens", "gauge", "T1 unbonding, all validators (whole tokens).");
    sample0(b, "qfs_unbonding_tokens", tokens(amount(r, staking, "unbonding_total")).s);

    family(b, "qfs_coherence_hat_ratio", "gauge", "Network coherence C-hat at the last epoch close.");
    sample0(b, "qfs_coherence_hat_ratio", fp18s(fp18(r, coh, "c_hat")).s);
    family(b, "qfs_coherence_core_ratio", "gauge",
           "C-core: stake-weighted mean effective Psi at the last epoch close.");
    sample0(b, "qfs_coherence_core_ratio", fp18s(fp18(r, coh, "c_core")).s);
    family(b, "qfs_coherence_lambda_ratio", "gauge", "C-lambda part of C-hat at the last epoch close.");
    sample0(b, "qfs_coherence_lambda_ratio", fp18s(fp18(r, coh, "c_lambda")).s);
    family(b, "qfs_coherence_impact_ratio", "gauge", "C-impact (T5) part of C-hat at the last epoch close.");
    sample0(b, "qfs_coherence_impact_ratio", fp18s(fp18(r, coh, "c_impact")).s);
    json_t *d = obj(r, coh, "deficit");
    if (!json_is_boolean(d))
        r->bad = 1;
    family(b, "qfs_deficit_mode", "gauge", "1 when the last epoch close ran in deficit mode, else 0.");
    sample0(b, "qfs_deficit_mode", json_is_true(d) ? "1" : "0");
    /* The lines the dashboards and the report draw Psi and C-hat against. */
    family(b, "qfs_slash_psi_threshold_ratio", "gauge",
           "The parameter slash_psi_threshold: a validator whose effective Psi is below it at an epoch "
           "close is slashed.");
    sample0(b, "qfs_slash_psi_threshold_ratio",
            fp18s((uint64_t)qfs_state_param(s, QFS_PARAM_SLASH_PSI_THRESHOLD)).s);
    family(b, "qfs_deficit_coherence_ratio", "gauge",
           "The parameter deficit_coherence: an epoch close whose C-hat is below it runs in deficit mode.");
    sample0(b, "qfs_deficit_coherence_ratio",
            fp18s((uint64_t)qfs_state_param(s, QFS_PARAM_DEFICIT_COHERENCE)).s);
}

static void render_memory(mb *b, rd *r, json_t *root)
{
    json_t *nodes = arr(r, obj(r, root, "memory"), "nodes");
    static const char *const fams[][3] = {
        {"qc_token_T5_memory_contributions", "gauge",
         "Contributions per memory node (the T5 leaderboard); the source design's name."},
        {"qfs_memory_contributions_total", "counter", "Contributions per memory node."},
        {"qfs_memory_rewarded_total", "counter", "Contributions rewarded with T5 per memory node."},
        {"qfs_memory_t5_tokens_total", "counter", "T5 received per memory node (whole tokens)."},
        {"qfs_memory_last_lambda_ratio", "gauge", "Lambda of the last contribution per memory node."},
    };
    for (size_t f = 0; f < sizeof fams / sizeof fams[0]; f++) {
        family(b, fams[f][0], fams[f][1], fams[f][2]);
        size_t i;
        json_t *m;
        json_array_foreach(nodes, i, m)
        {
            num val;
            switch (f) {
            case 0:
            case 1: val = u64s(u64(r, m, "contributions")); break;
            case 2: val = u64s(u64(r, m, "rewarded")); break;
            case 3: val = tokens(amount(r, m, "t5_total")); break;
            default: val = fp18s(fp18(r, m, "last_lambda")); break;
            }
            sample1(b, fams[f][0], "memory_node", str(r, m, "id"), val.s);
        }
    }
}

static void render_nod(mb *b, rd *r, json_t *root, const qfs_state *s)
{
    json_t *nod = obj(r, root, "nod"), *nodes = arr(r, nod, "nodes");
    uint64_t epoch = u64(r, obj(r, root, "ledger"), "epoch");
    qfs_amount pool = amount(r, nod, "pool"), issued_epoch = amount(r, nod, "issued_epoch");
    family(b, "qfs_nod_issued_tokens_total", "counter", "NOD issued since the genesis (whole tokens).");
    sample0(b, "qfs_nod_issued_tokens_total",
            tokens(amount(r, obj(r, obj(r, root, "ledger"), "issued"), "NOD")).s);
    family(b, "qfs_nod_issued_epoch_tokens", "gauge",
           "NOD issued into the pool in the current epoch so far (whole tokens).");
    sample0(b, "qfs_nod_issued_epoch_tokens", tokens(issued_epoch).s);
    family(b, "qfs_nod_cut_tokens_total", "counter",
           "NOD that fees would have issued but the issuance cap cut, since the genesis (whole tokens).");
    sample0(b, "qfs_nod_cut_tokens_total", tokens(amount(r, nod, "cut_total")).s);
    family(b, "qfs_nod_pool_tokens", "gauge",
           "NOD in the pool, to be allocated at the next epoch close (whole tokens).");
    sample0(b, "qfs_nod_pool_tokens", tokens(pool).s);
    family(b, "qfs_nod_carried_tokens", "gauge",
           "NOD the last epoch close left in the pool (rounding dust, cap cuts, or all of it below the "
           "minimum of "
           "active nodes): the pool minus this epoch's issuance (whole tokens).");
    sample0(b, "qfs_nod_carried_tokens", tokens(pool >= issued_epoch ? pool - issued_epoch : 0).s);
    family(b, "qfs_nod_allocated_last_epoch_tokens", "gauge",
           "NOD allocated to nodes at the last epoch close (whole tokens).");
    sample0(b, "qfs_nod_allocated_last_epoch_tokens", tokens(amount(r, nod, "allocated_last")).s);
    family(b, "qfs_nodes_active", "gauge", "Active infrastructure nodes found at the last epoch close.");
    sample0(b, "qfs_nodes_active", u64s(u64(r, nod, "active_last")).s);
    family(b, "qfs_nod_min_active_nodes", "gauge",
           "The parameter nod_min_active_nodes: below it an epoch close allocates no NOD.");
    sample0(b, "qfs_nod_min_active_nodes",
            u64s((uint64_t)qfs_state_param(s, QFS_PARAM_NOD_MIN_ACTIVE_NODES)).s);

    static const char *const fams[][3] = {
        {"qfs_node_nod_balance_tokens", "gauge", "NOD balance per infrastructure node (whole tokens)."},
        {"qfs_node_nod_received_tokens_total", "counter",
         "NOD allocated per infrastructure node since the genesis (whole tokens)."},
        {"qfs_node_score", "gauge",
         "Contribution score per node from its last telemetry and the current weights (docs/SPEC.md 5.10)."},
        {"qfs_node_uptime_ratio", "gauge", "Uptime of the last telemetry per node."},
        {"qfs_node_replication_ratio", "gauge", "Replication compliance of the last telemetry per node."},
        {"qfs_node_correctness_ratio", "gauge", "AI model correctness of the last telemetry per node."},
        {"qfs_node_active", "gauge",
         "1 when the node would be active at the next close: telemetry in the current epoch and correctness "
         "at "
         "least nod_correctness_floor."},
    };
    uint64_t wu = (uint64_t)qfs_state_param(s, QFS_PARAM_NOD_WEIGHT_UPTIME);
    uint64_t wr = (uint64_t)qfs_state_param(s, QFS_PARAM_NOD_WEIGHT_REPLICATION);
    uint64_t wc = (uint64_t)qfs_state_param(s, QFS_PARAM_NOD_WEIGHT_CORRECTNESS);
    uint64_t floor_c = (uint64_t)qfs_state_param(s, QFS_PARAM_NOD_CORRECTNESS_FLOOR);
    for (size_t f = 0; f < sizeof fams / sizeof fams[0]; f++) {
        family(b, fams[f][0], fams[f][1], fams[f][2]);
        size_t i;
        json_t *nd;
        json_array_foreach(nodes, i, nd)
        {
            const char *id = str(r, nd, "id");
            uint64_t up = fp18(r, nd, "uptime"), rep = fp18(r, nd, "replication"),
                     cor = fp18(r, nd, "correctness");
            num val;
            switch (f) {
            case 0: {
                qfs_id qid;
                qfs_amount bal = 0;
                if (qfs_id_set(&qid, id, strlen(id)) != QFS_OK ||
                    qfs_state_balance(s, &qid, QFS_ASSET_NOD, &bal) != QFS_OK)
                    r->bad = 1;
                val = tokens(bal);
                break;
            }
            case 1: val = tokens(amount(r, nd, "nod_received")); break;
            case 2: {
                uint64_t u = 0, p = 0, c = 0;
                qfs_fp18_mul(&u, up, wu, QFS_ROUND_FLOOR);
                qfs_fp18_mul(&p, rep, wr, QFS_ROUND_FLOOR);
                qfs_fp18_mul(&c, cor, wc, QFS_ROUND_FLOOR);
                val = fp18s(u + p + c);
                break;
            }
            case 3: val = fp18s(up); break;
            case 4: val = fp18s(rep); break;
            case 5: val = fp18s(cor); break;
            default: {
                json_t *te = obj(r, nd, "telemetry_epoch");
                int act = json_is_integer(te) && (uint64_t)json_integer_value(te) == epoch && cor >= floor_c;
                val = u64s((uint64_t)act);
                break;
            }
            }
            sample1(b, fams[f][0], "node", id, val.s);
        }
    }
}

static void render_governance(mb *b, rd *r, json_t *root, const metrics_tallies *t)
{
    static const char *const govs[2][2] = {{"social", "governance"}, {"infra", "infra_governance"}};
    family(b, "qfs_proposals_open", "gauge", "Proposals open for votes, per governance.");
    for (int g = 0; g < 2; g++)
        sample1(b, "qfs_proposals_open", "governance", govs[g][0],
                u64s(json_array_size(arr(r, obj(r, root, govs[g][1]), "proposals"))).s);
    family(b, "qfs_proposals_pending", "gauge",
           "Passed proposals waiting for the epoch that applies them, per governance.");
    for (int g = 0; g < 2; g++)
        sample1(b, "qfs_proposals_pending", "governance", govs[g][0],
                u64s(json_array_size(arr(r, obj(r, root, govs[g][1]), "pending"))).s);
    family(b, "qfs_proposals_accepted_total", "counter",
           "Proposals accepted (created) since the genesis, per governance.");
    for (int g = 0; g < 2; g++)
        sample1(b, "qfs_proposals_accepted_total", "governance", govs[g][0],
                u64s(u64(r, obj(r, root, govs[g][1]), "proposals_accepted")).s);
    if (t) {
        static const char *const st[4] = {NULL, "passed", "no_quorum", "rejected"};
        static const int order[3] = {2, 1, 3}; /* sorted by status name */
        family(
            b, "qfs_proposals_tallied_total", "counter",
            "Proposals tallied since the genesis, per governance and outcome (passed, rejected, no_quorum).");
        for (int g = 0; g < 2; g++)
            for (int k = 0; k < 3; k++)
                sample2(b, "qfs_proposals_tallied_total", "governance", govs[g][0], "status", st[order[k]],
                        u64s(t->by_status[g][order[k]]).s);
    }
    family(b, "qfs_proposal_votes_weight", "gauge",
           "Vote weight cast on each open proposal per choice, in units of 10^18 (docs/SPEC.md 5.8, 4.14).");
    for (int g = 0; g < 2; g++) {
        size_t i;
        json_t *p;
        json_array_foreach(arr(r, obj(r, root, govs[g][1]), "proposals"), i, p)
        {
            static const char *const ch[3] = {"abstain", "no", "yes"};
            for (int k = 0; k < 3; k++) {
                const char *l[8] = {"choice",           ch[k],      "governance",   govs[g][0], "param",
                                    str(r, p, "param"), "proposal", str(r, p, "id")};
                sample(b, "qfs_proposal_votes_weight", l, 4, tokens(amount(r, p, ch[k])).s);
            }
        }
    }
}

static void render_receipts(mb *b, const metrics_input *in)
{
    family(b, "qfs_events_replayed_total", "counter", "Events replayed (accepted and rejected).");
    sample0(b, "qfs_events_replayed_total", u64s(in->events).s);
    family(b, "qfs_events_rejected_total", "counter", "Events rejected by a rule of the economy.");
    sample0(b, "qfs_events_rejected_total", u64s(qfs_state_rejected_count(in->state)).s);
    family(b, "qfs_chain_head_event_index", "gauge",
           "Index of the receipt chain head's event (0 when empty).");
    sample0(b, "qfs_chain_head_event_index", u64s(in->head_index).s);
    if (in->by_code) {
        family(b, "qfs_rejections_total", "counter",
               "Rejected events per receipt code (docs/SPEC.md, Rejection codes).");
        for (uint32_t c = 1; c <= QFS_REJECT_CODE_MAX; c++)
            sample1(b, "qfs_rejections_total", "code", qfs_reject_str(c), u64s(in->by_code[c]).s);
    }
}

qfs_err metrics_render(const metrics_input *in, char **out, size_t *len_out)
{
    *out = NULL;
    char *js = NULL;
    size_t js_len = 0;
    qfs_err err = qfs_state_to_json(in->state, NULL, &js, &js_len);
    if (err != QFS_OK)
        return err;
    json_error_t jerr;
    json_t *root = json_loadb(js, js_len, 0, &jerr);
    free(js);
    if (!root)
        return QFS_E_STATE;
    mb b = {0};
    rd r = {0};
    render_ledger(&b, &r, root);
    render_validators(&b, &r, root, in->state);
    render_memory(&b, &r, root);
    render_nod(&b, &r, root, in->state);
    render_governance(&b, &r, root, in->tallies);
    render_receipts(&b, in);
    end_family(&b);
    json_decref(root);
    mb o = {0};
    if (!b.nomem && !r.bad) {
        qsort(b.fams, b.nfam, sizeof *b.fams, name_cmp);
        for (size_t i = 0; i < b.nfam; i++)
            put(&o, b.p + b.fams[i].start, b.fams[i].end - b.fams[i].start);
    }
    int nomem = b.nomem || o.nomem, bad = r.bad;
    free(b.p);
    free(b.fams);
    if (nomem || bad || !o.p) {
        free(o.p);
        return nomem ? QFS_E_NOMEM : QFS_E_STATE;
    }
    *out = o.p;
    if (len_out)
        *len_out = o.len;
    return QFS_OK;
}
