/* nod_distribution.json and rewards.json: one entry per accepted epoch
 * close, written from the close report that the fold keeps beside the state
 * (state_internal.h, close_report) and from the state right after the close.
 * Every number here is one the fold computed; the only arithmetic is sums and
 * differences that name how those numbers relate (docs/EVIDENCE.md). */
#include "evidence/evidence_internal.h"

#include <stdlib.h>
#include <string.h>

#define RP(rep, name) ((rep)->params[QFS_PARAM_##name])

static const qfs_id *acct_id(const qfs_state *s, uint32_t acct)
{
    return &s->acct_ids.ids[acct];
}

static const qfs_id *validator_id(const qfs_state *s, uint32_t vslot)
{
    return acct_id(s, s->vals[vslot].account);
}

static const qfs_id *node_id(const qfs_state *s, uint32_t nslot)
{
    return acct_id(s, s->nodes[nslot].account);
}

static qfs_err order_reserve(qfs_evidence *ev, uint32_t n)
{
    return vec_reserve((void **)&ev->order, &ev->order_cap, n, sizeof(uint32_t));
}

/* Sorting report entries by the id they name. */
typedef struct by_id_ctx {
    const qfs_state *s;
    const void *entries;
    int kind; /* 0 report_node, 1 report_slash, 2 report_t2, 3 memory node index */
} by_id_ctx;

static const qfs_id *entry_id(const by_id_ctx *c, uint32_t i)
{
    switch (c->kind) {
    case 0: return node_id(c->s, ((const report_node *)c->entries)[i].node);
    case 1: return validator_id(c->s, ((const report_slash *)c->entries)[i].validator);
    case 2: return validator_id(c->s, ((const report_t2 *)c->entries)[i].validator);
    default: return &c->s->mem_ids.ids[i];
    }
}

static int cmp_by_id(const void *ctx, uint32_t a, uint32_t b)
{
    return qfs_id_cmp(entry_id(ctx, a), entry_id(ctx, b));
}

/* Fills ev->order with 0..n-1 sorted by id. */
static void sort_entries(qfs_evidence *ev, const qfs_state *s, const void *entries, int kind, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++)
        ev->order[i] = i;
    by_id_ctx c = {s, entries, kind};
    sort_u32(ev->order, n, cmp_by_id, &c);
}

/* ---- nod_distribution.json ---- */

static void nod_entry(qfs_evidence *ev, const qfs_state *s, uint64_t event_index, const ev_snapshot *snap)
{
    const close_report *rep = &s->report;
    jw *b = &ev->nod;
    int allocated = s->nod_active_last >= RP(rep, NOD_MIN_ACTIVE_NODES);
    qfs_amount pool = rep->nod_pool;
    qfs_amount sum_uncapped = 0, cut_by_cap = 0;
    for (uint32_t i = 0; i < rep->node_count; i++) {
        sum_uncapped += rep->nodes[i].uncapped; /* at most the pool */
        cut_by_cap += rep->nodes[i].uncapped - rep->nodes[i].share;
    }
    QFS_ASSERT(s->nod_alloc_last <= pool && sum_uncapped <= pool);

    jw_open(b, '{');
    jw_k_u64(b, "active_nodes", s->nod_active_last);
    jw_k_amt(b, "allocated", s->nod_alloc_last);
    jw_key(b, "carried_over");
    jw_open(b, '{');
    jw_k_amt(b, "cut_by_node_cap", cut_by_cap);
    jw_k_amt(b, "dust", allocated ? pool - sum_uncapped : 0);
    jw_k_amt(b, "total", pool - s->nod_alloc_last);
    jw_close(b, '}');
    jw_k_fp(b, "correctness_floor", RP(rep, NOD_CORRECTNESS_FLOOR));
    jw_k_u64(b, "epoch", snap->epoch - 1);
    jw_k_u64(b, "event", event_index);
    jw_k_amt(b, "fees_atr", rep->fees_atr);
    jw_key(b, "issuance");
    jw_open(b, '{');
    jw_k_amt(b, "cap", RP(rep, NOD_ISSUANCE_CAP));
    jw_k_amt(b, "cut", rep->nod_cut);
    jw_k_fp(b, "fraction", RP(rep, NOD_FRACTION));
    jw_k_amt(b, "issued", rep->nod_issued);
    jw_k_amt(b, "raw", rep->nod_raw);
    jw_close(b, '}');
    jw_k_u64(b, "min_active_nodes", (uint64_t)RP(rep, NOD_MIN_ACTIVE_NODES));
    jw_key(b, "node_cap");
    jw_open(b, '{');
    jw_key(b, "amount");
    if (allocated)
        jw_amt(b, rep->nod_cap_amount);
    else
        jw_null(b);
    jw_k_fp(b, "ratio", RP(rep, NOD_NODE_CAP));
    jw_close(b, '}');

    sort_entries(ev, s, rep->nodes, 0, rep->node_count);
    jw_key(b, "nodes");
    jw_open(b, '[');
    for (uint32_t k = 0; k < rep->node_count; k++) {
        const report_node *rn = &rep->nodes[ev->order[k]];
        const infra_node *nd = &s->nodes[rn->node];
        jw_open(b, '{');
        jw_k_bool(b, "active", rn->active);
        jw_k_fp(b, "correctness", nd->correctness_fp18);
        jw_key(b, "inactive_reason");
        if (rn->active)
            jw_null(b);
        else
            jw_str(b, "correctness_below_floor");
        jw_k_id(b, "node", node_id(s, rn->node));
        jw_k_fp(b, "replication", nd->replication_fp18);
        jw_k_fp(b, "score", rn->score_fp18);
        jw_k_fp(b, "uptime", nd->uptime_fp18);
        jw_close(b, '}');
    }
    jw_close(b, ']');
    jw_k_amt(b, "pool", pool);
    jw_k_amt(b, "pool_carried_in", pool - rep->nod_issued);
    jw_k_fp(b, "score_sum", rep->nod_score_sum);
    jw_key(b, "score_weights");
    jw_open(b, '{');
    jw_k_fp(b, "correctness", RP(rep, NOD_WEIGHT_CORRECTNESS));
    jw_k_fp(b, "replication", RP(rep, NOD_WEIGHT_REPLICATION));
    jw_k_fp(b, "uptime", RP(rep, NOD_WEIGHT_UPTIME));
    jw_close(b, '}');
    jw_key(b, "shares");
    jw_open(b, '[');
    for (uint32_t k = 0; allocated && k < rep->node_count; k++) {
        const report_node *rn = &rep->nodes[ev->order[k]];
        if (!rn->active)
            continue;
        jw_open(b, '{');
        jw_k_bool(b, "capped", rn->share < rn->uncapped);
        jw_k_amt(b, "cut_by_node_cap", rn->uncapped - rn->share);
        jw_k_id(b, "node", node_id(s, rn->node));
        jw_k_str(b, "rule", rep->nod_score_sum == 0 ? "equal_split" : "mul_div");
        jw_k_fp(b, "score", rn->score_fp18);
        jw_k_amt(b, "share", rn->share);
        jw_k_amt(b, "uncapped", rn->uncapped);
        jw_close(b, '}');
    }
    jw_close(b, ']');
    jw_k_hash(b, "state_hash", &snap->root);
    jw_k_str(b, "verdict", allocated ? "allocated" : "below_min_active_nodes");
    jw_close(b, '}');
}

/* ---- rewards.json ---- */

static void coherence_part(jw *b, const qfs_state *s)
{
    const close_report *rep = &s->report;
    jw_key(b, "coherence");
    jw_open(b, '{');
    jw_k_fp(b, "base", rep->c_base_fp18);
    jw_k_fp(b, "c_core", s->c_core_fp18);
    jw_k_fp(b, "c_hat", s->c_hat_fp18);
    jw_k_bool(b, "deficit", s->deficit);
    jw_k_fp(b, "deficit_threshold", RP(rep, DEFICIT_COHERENCE));
    jw_k_fp(b, "impact", s->c_impact_fp18);
    jw_k_fp(b, "lambda_mean", s->c_lambda_fp18);
    jw_k_u64(b, "memory_contributions", rep->mem_count);
    jw_k_u64(b, "rewarded_contributions", rep->mem_rewarded);
    jw_k_amt(b, "staked_total", rep->staked_sum);
    jw_k_fp(b, "t5_impact", RP(rep, COHERENCE_T5_IMPACT));
    jw_k_fp(b, "weight_core", RP(rep, COHERENCE_WEIGHT_CORE));
    jw_k_fp(b, "weight_lambda", RP(rep, COHERENCE_WEIGHT_LAMBDA));
    jw_close(b, '}');
}

static void slashing_part(qfs_evidence *ev, jw *b, const qfs_state *s)
{
    const close_report *rep = &s->report;
    jw_key(b, "slashing");
    jw_open(b, '{');
    sort_entries(ev, s, rep->slashes, 1, rep->slash_count);
    jw_key(b, "slashes");
    jw_open(b, '[');
    for (uint32_t k = 0; k < rep->slash_count; k++) {
        const report_slash *rs = &rep->slashes[ev->order[k]];
        jw_open(b, '{');
        jw_k_amt(b, "cut_t1", rs->cut1);
        jw_k_amt(b, "cut_t4", rs->cut4);
        jw_k_fp(b, "f1", rs->f1_fp18);
        jw_k_fp(b, "f4", rs->f4_fp18);
        jw_k_fp(b, "psi", rs->psi_fp18);
        jw_k_fp(b, "shortfall", rs->shortfall_fp18);
        jw_k_amt(b, "staked", rs->staked);
        jw_k_amt(b, "t4_balance", rs->t4);
        jw_k_id(b, "validator", validator_id(s, rs->validator));
        jw_close(b, '}');
    }
    jw_close(b, ']');
    jw_k_fp(b, "t1_cap", RP(rep, SLASH_T1_CAP));
    jw_k_fp(b, "t1_rate", RP(rep, SLASH_T1_RATE));
    jw_k_fp(b, "t4_cap", RP(rep, SLASH_T4_CAP));
    jw_k_fp(b, "t4_rate", RP(rep, SLASH_T4_RATE));
    jw_k_fp(b, "threshold", RP(rep, SLASH_PSI_THRESHOLD));
    jw_close(b, '}');
}

static void t2_part(qfs_evidence *ev, jw *b, const qfs_state *s)
{
    const close_report *rep = &s->report;
    const char *rule = rep->t2_recipients == 0 ? "no_recipients"
                       : rep->t2_psi_sum == 0  ? "equal_split"
                                               : "mul_div";
    jw_key(b, "t2");
    jw_open(b, '{');
    jw_k_amt(b, "bonus", rep->t2_bonus);
    jw_k_amt(b, "carried_in", rep->t2_carried_in);
    jw_k_fp(b, "deficit_bonus", RP(rep, T2_DEFICIT_BONUS));
    jw_k_amt(b, "distributable", rep->t2_carried_in + s->t2_minted_last); /* the pool holds both */
    jw_k_amt(b, "dust", s->pool[QFS_ASSET_T2][POOL_REWARD]);
    jw_k_amt(b, "minted", s->t2_minted_last);
    jw_k_amt(b, "paid", s->t2_paid_last);
    jw_k_amt(b, "pool", RP(rep, T2_POOL));
    jw_k_fp(b, "psi_sum", rep->t2_psi_sum);
    jw_k_u64(b, "recipients", rep->t2_recipients);
    jw_k_str(b, "rule", rule);
    sort_entries(ev, s, rep->t2, 2, rep->t2_count);
    jw_key(b, "shares");
    jw_open(b, '[');
    for (uint32_t k = 0; k < rep->t2_count; k++) {
        const report_t2 *rt = &rep->t2[ev->order[k]];
        jw_open(b, '{');
        jw_k_fp(b, "psi_eff", rt->psi_fp18);
        jw_k_amt(b, "share", rt->share);
        jw_k_amt(b, "staked", rt->staked);
        jw_k_id(b, "validator", validator_id(s, rt->validator));
        jw_close(b, '}');
    }
    jw_close(b, ']');
    jw_close(b, '}');
}

/* T5 per memory node: what each node's totals grew by since the previous
 * accepted close (T5 is minted per contribution, during the epoch), for the
 * memory nodes that the fold listed as contributed to in the closed epoch. */
static qfs_err t5_part(qfs_evidence *ev, jw *b, const qfs_state *s)
{
    uint32_t n = s->mem_ids.count;
    if (n > ev->mem_count) {
        qfs_err err = vec_reserve((void **)&ev->mem, &ev->mem_cap, n, sizeof(ev_mem));
        if (err != QFS_OK)
            return err;
        memset(&ev->mem[ev->mem_count], 0, (size_t)(n - ev->mem_count) * sizeof(ev_mem));
        ev->mem_count = n;
    }
    const close_report *rep = &s->report;
    uint32_t changed = rep->mem_closed_count;
    memcpy(ev->order, rep->mem_closed, (size_t)changed * sizeof(uint32_t));
    by_id_ctx c = {s, NULL, 3};
    sort_u32(ev->order, changed, cmp_by_id, &c);
    jw_key(b, "t5");
    jw_open(b, '[');
    for (uint32_t k = 0; k < changed; k++) {
        uint32_t m = ev->order[k];
        const memnode *mn = &s->mems[m];
        ev_mem *seen = &ev->mem[m];
        jw_open(b, '{');
        jw_k_u64(b, "contributions", mn->contributions - seen->contributions);
        jw_k_id(b, "memory_node", &s->mem_ids.ids[m]);
        jw_k_u64(b, "rewarded", mn->rewarded - seen->rewarded);
        jw_k_amt(b, "t5", mn->t5_total - seen->t5_total);
        jw_close(b, '}');
        seen->contributions = mn->contributions;
        seen->rewarded = mn->rewarded;
        seen->t5_total = mn->t5_total;
    }
    jw_close(b, ']');
    return QFS_OK;
}

static qfs_err rewards_entry(qfs_evidence *ev, const qfs_state *s, uint64_t event_index,
                             const ev_snapshot *snap)
{
    jw *b = &ev->rewards;
    jw_open(b, '{');
    coherence_part(b, s);
    jw_k_u64(b, "epoch", snap->epoch - 1);
    jw_k_u64(b, "event", event_index);
    slashing_part(ev, b, s);
    t2_part(ev, b, s);
    qfs_err err = t5_part(ev, b, s);
    jw_close(b, '}');
    return err;
}

qfs_err ev_close(qfs_evidence *ev, const qfs_state *s, uint64_t event_index, const ev_snapshot *snap)
{
    const close_report *rep = &s->report;
    uint32_t need = rep->node_count;
    if (rep->slash_count > need)
        need = rep->slash_count;
    if (rep->t2_count > need)
        need = rep->t2_count;
    if (rep->mem_closed_count > need)
        need = rep->mem_closed_count;
    qfs_err err = order_reserve(ev, need);
    if (err != QFS_OK)
        return err;
    nod_entry(ev, s, event_index, snap);
    err = rewards_entry(ev, s, event_index, snap);
    if (err != QFS_OK)
        return err;
    return ev_gov_close(ev, s, event_index);
}
