/* Canonical JSON of the state: sorted keys, no spaces, amounts, timestamps
 * and proposal ids as strings of digits (they exceed 2^53, the largest
 * integer a reader that holds numbers as doubles keeps exactly), counts and
 * epochs as JSON integers, ratios as exact decimal strings, ids as strings,
 * one LF at the end. Keys are written in sorted order by construction; a test checks it. */
#include "state/state_internal.h"

#include <stdlib.h>
#include <string.h>

#include "util/buf.h"

/* The bytes live in the library's growable buffer (util/buf.h). */
typedef qfs_buf jbuf;

static void jput(jbuf *b, const char *s, size_t n)
{
    qfs_buf_append(b, s, n);
}

static void js(jbuf *b, const char *s)
{
    jput(b, s, strlen(s));
}

/* "key": preceded by the comma that separates it from the previous member,
 * unless it is the first member of its object. */
static void jkey(jbuf *b, const char *k)
{
    if (!b->oom && b->len > 0 && b->p[b->len - 1] != '{')
        jput(b, ",", 1);
    jput(b, "\"", 1);
    js(b, k);
    jput(b, "\":", 2);
}

static void ju64(jbuf *b, uint64_t v)
{
    char t[QFS_DECIMAL_STR_MAX + 1];
    jput(b, t, qfs_u64_format(t, v));
}

/* Text that needs no escaping, in quotes. */
static void jquoted(jbuf *b, const char *t, size_t n)
{
    jput(b, "\"", 1);
    jput(b, t, n);
    jput(b, "\"", 1);
}

/* A 128-bit fixed-point value (a ratio, or a sum of ratios), as an exact
 * decimal string. */
static void jfp128(jbuf *b, qfs_amount v)
{
    char t[QFS_AMOUNT_STR_MAX + 1];
    jquoted(b, t, qfs_amount_format_tokens(t, v));
}

static void jfp(jbuf *b, uint64_t v)
{
    jfp128(b, v);
}

/* An amount, or a 64-bit value that may exceed 2^53, as a string of digits. */
static void jamt(jbuf *b, qfs_amount v)
{
    char t[QFS_AMOUNT_STR_MAX + 1];
    jquoted(b, t, qfs_amount_format(t, v));
}

/* Ids use a charset that needs no escaping. */
static void jid(jbuf *b, const qfs_id *id)
{
    jquoted(b, id->bytes, id->len);
}

static void jbool(jbuf *b, int v)
{
    js(b, v ? "true" : "false");
}

/* One member "key":value of each kind. */
static void jf_u64(jbuf *b, const char *k, uint64_t v)
{
    jkey(b, k);
    ju64(b, v);
}

static void jf_amt(jbuf *b, const char *k, qfs_amount v)
{
    jkey(b, k);
    jamt(b, v);
}

static void jf_fp(jbuf *b, const char *k, uint64_t v)
{
    jkey(b, k);
    jfp(b, v);
}

static void jf_fp128(jbuf *b, const char *k, qfs_amount v)
{
    jkey(b, k);
    jfp128(b, v);
}

static void jf_id(jbuf *b, const char *k, const qfs_id *id)
{
    jkey(b, k);
    jid(b, id);
}

static void jf_bool(jbuf *b, const char *k, int v)
{
    jkey(b, k);
    jbool(b, v);
}

/* Asset names in sorted order: ATR, NOD, T1..T5. */
static const qfs_asset ASSETS_SORTED[] = {QFS_ASSET_ATR, QFS_ASSET_NOD, QFS_ASSET_T1, QFS_ASSET_T2,
                                          QFS_ASSET_T3,  QFS_ASSET_T4,  QFS_ASSET_T5};

static void jassets(jbuf *b, const qfs_amount *per_asset, size_t stride)
{
    jput(b, "{", 1);
    for (size_t i = 0; i < 7; i++) {
        jkey(b, qfs_asset_name(ASSETS_SORTED[i]));
        jamt(b, per_asset[(size_t)ASSETS_SORTED[i] * stride]);
    }
    jput(b, "}", 1);
}

static const qfs_id *acct_id(const qfs_state *s, uint32_t a)
{
    return &s->acct_ids.ids[a];
}

static void j_ledger(const qfs_state *s, jbuf *b)
{
    jput(b, "{", 1);
    jkey(b, "accounts");
    jput(b, "[", 1);
    uint32_t *order = s->scratch_a;
    uint32_t n = view_accounts(s, order);
    for (uint32_t i = 0; i < n; i++) {
        const account *ac = &s->accts[order[i]];
        if (i)
            jput(b, ",", 1);
        jput(b, "{", 1);
        jkey(b, "balances");
        jassets(b, ac->bal, 1);
        jf_id(b, "id", acct_id(s, order[i]));
        jkey(b, "kind");
        jput(b, "\"", 1);
        js(b, qfs_account_kind_name((qfs_account_kind)ac->kind));
        jput(b, "\"}", 2);
    }
    jput(b, "]", 1);
    jf_id(b, "chain_id", &s->chain_id);
    jf_u64(b, "epoch", s->epoch);
    jf_bool(b, "genesis", s->has_genesis);
    jkey(b, "issued");
    jassets(b, s->issued, 1);
    jf_amt(b, "last_timestamp_ms", s->last_ts_ms);
    jput(b, "}", 1);
}

static void j_staking(const qfs_state *s, jbuf *b)
{
    uint32_t *order = s->scratch_a;
    jput(b, "{", 1);
    jf_amt(b, "staked_total", s->pool[QFS_ASSET_T1][POOL_STAKED]);
    jkey(b, "unbonding");
    jput(b, "[", 1);
    uint32_t n = view_unbonds(s, order);
    int first = 1;
    for (uint32_t i = 0; i < n;) {
        const unbond *u = &s->unbonds[order[i]];
        qfs_amount amount = 0;
        uint32_t j = i;
        while (j < n && s->unbonds[order[j]].validator == u->validator &&
               s->unbonds[order[j]].release_epoch == u->release_epoch)
            amount += s->unbonds[order[j++]].amount;
        if (!first)
            jput(b, ",", 1);
        first = 0;
        jput(b, "{", 1);
        jf_amt(b, "amount", amount);
        jf_u64(b, "release_epoch", u->release_epoch);
        jf_id(b, "validator", acct_id(s, s->vals[u->validator].account));
        jput(b, "}", 1);
        i = j;
    }
    jput(b, "]", 1);
    jf_amt(b, "unbonding_total", s->pool[QFS_ASSET_T1][POOL_UNBONDING]);
    jkey(b, "validators");
    jput(b, "[", 1);
    n = view_validators(s, order);
    for (uint32_t i = 0; i < n; i++) {
        const validator *v = &s->vals[order[i]];
        if (i)
            jput(b, ",", 1);
        jput(b, "{", 1);
        jkey(b, "ballot_lock_through");
        if (v->ballot_lock_epoch_plus1 == 0)
            js(b, "null");
        else
            ju64(b, v->ballot_lock_epoch_plus1 - 1);
        jf_id(b, "id", acct_id(s, v->account));
        jf_amt(b, "slashed_t1", v->slashed_t1);
        jf_amt(b, "slashed_t4", v->slashed_t4);
        jf_amt(b, "staked", v->staked);
        jf_amt(b, "t2_received", v->t2_received);
        jf_amt(b, "unbonding", v->unbonding);
        jput(b, "}", 1);
    }
    jput(b, "]}", 2);
}

static void j_coherence(const qfs_state *s, jbuf *b)
{
    uint32_t *order = s->scratch_a;
    uint64_t window = P(s, VOTE_ELIGIBILITY_WINDOW);
    jput(b, "{", 1);
    jf_fp(b, "c_core", s->c_core_fp18);
    jf_fp(b, "c_hat", s->c_hat_fp18);
    jf_fp(b, "c_impact", s->c_impact_fp18);
    jf_fp(b, "c_lambda", s->c_lambda_fp18);
    jf_bool(b, "deficit", s->deficit);
    jkey(b, "validators");
    jput(b, "[", 1);
    uint32_t n = view_validators(s, order);
    for (uint32_t i = 0; i < n; i++) {
        uint32_t vs = order[i];
        const validator *v = &s->vals[vs];
        if (i)
            jput(b, ",", 1);
        jput(b, "{", 1);
        jf_fp(b, "base_psi", v->base_psi_fp18);
        jf_amt(b, "boost_amount", v->boost_amount);
        jf_amt(b, "boost_until_ms", v->boost_until_ms);
        jf_id(b, "id", acct_id(s, v->account));
        jkey(b, "psi_reports");
        jput(b, "[", 1);
        uint64_t kept = v->report_count < window ? v->report_count : window;
        uint64_t start = v->report_count < window ? 0 : v->ring_pos;
        const uint64_t *ring = &s->psi_ring[(size_t)vs * window];
        for (uint64_t k = 0; k < kept; k++) {
            if (k)
                jput(b, ",", 1);
            jfp(b, ring[(start + k) % window]);
        }
        jput(b, "]", 1);
        jf_u64(b, "report_count", v->report_count);
        jput(b, "}", 1);
    }
    jput(b, "]}", 2);
}

static void jparam_value(jbuf *b, const qfs_param_def *def, qfs_amount v)
{
    if (def->unit == QFS_UNIT_FP18)
        jfp(b, (uint64_t)v);
    else if (def->unit == QFS_UNIT_AMOUNT)
        jamt(b, v);
    else
        ju64(b, (uint64_t)v);
}

static void j_gov(const qfs_state *s, const gov *g, qfs_param_domain domain, jbuf *b)
{
    size_t count;
    const qfs_param_def *defs = qfs_params_all(&count);
    jput(b, "{", 1);
    char hex[QFS_HASH128_HEX_LEN + 1];
    qfs_hash128_hex(&g->closed_digest, hex);
    jkey(b, "closed_digest");
    jput(b, "\"", 1);
    js(b, hex);
    jput(b, "\"", 1);
    jkey(b, "last_proposal_id");
    if (g->accepted == 0)
        js(b, "null");
    else
        jamt(b, g->last_id);
    jkey(b, "params");
    jput(b, "{", 1);
    for (size_t i = 0; i < count; i++) {
        if (!((defs[i].domain == domain) ||
              (domain == QFS_DOMAIN_SOCIAL && defs[i].domain == QFS_DOMAIN_FIXED)))
            continue;
        jkey(b, defs[i].name);
        jparam_value(b, &defs[i], s->params[i]);
    }
    jput(b, "}", 1);
    jkey(b, "pending");
    jput(b, "[", 1);
    for (uint32_t i = 0; i < g->pending_count; i++) {
        const pending_change *c = &g->pending[i];
        if (i)
            jput(b, ",", 1);
        jput(b, "{", 1);
        jf_u64(b, "apply_epoch", c->apply_epoch);
        jkey(b, "param");
        jput(b, "\"", 1);
        js(b, defs[c->param].name);
        jput(b, "\"", 1);
        jf_amt(b, "proposal_id", c->proposal_id);
        jkey(b, "value");
        jparam_value(b, &defs[c->param], c->value);
        jput(b, "}", 1);
    }
    jput(b, "]", 1);
    jkey(b, "proposals");
    jput(b, "[", 1);
    uint32_t *order = s->scratch_a;
    uint32_t *ballots = s->scratch_b;
    uint32_t n = view_proposals(g, order);
    for (uint32_t i = 0; i < n; i++) {
        const proposal *p = &g->props[order[i]];
        if (i)
            jput(b, ",", 1);
        jput(b, "{", 1);
        jf_amt(b, "abstain", p->abstain);
        jkey(b, "ballots");
        jput(b, "[", 1);
        uint32_t nb = view_ballots(s, p, ballots);
        for (uint32_t k = 0; k < nb; k++) {
            const ballot *bl = &p->ballots[ballots[k]];
            if (k)
                jput(b, ",", 1);
            jput(b, "{", 1);
            jkey(b, "choice");
            jput(b, "\"", 1);
            js(b, qfs_vote_choice_name((qfs_vote_choice)bl->choice));
            jput(b, "\"", 1);
            jf_amt(b, "quorum_weight", bl->quorum_weight);
            jf_id(b, "voter", acct_id(s, bl->voter));
            jf_amt(b, "weight", bl->weight);
            jput(b, "}", 1);
        }
        jput(b, "]", 1);
        jf_u64(b, "created_epoch", p->created_epoch);
        jf_u64(b, "end_epoch", p->end_epoch);
        jf_amt(b, "id", p->id);
        jf_amt(b, "no", p->no);
        jkey(b, "param");
        jput(b, "\"", 1);
        js(b, defs[p->param].name);
        jput(b, "\"", 1);
        jf_id(b, "proposer", acct_id(s, p->proposer));
        jf_amt(b, "quorum_cast", p->quorum_cast);
        jf_amt(b, "supply_snapshot", p->supply_snapshot);
        jkey(b, "value");
        jparam_value(b, &defs[p->param], p->value);
        jf_amt(b, "yes", p->yes);
        jput(b, "}", 1);
    }
    jput(b, "]", 1);
    jf_u64(b, "proposals_accepted", g->accepted);
    jput(b, "}", 1);
}

static void j_memory(const qfs_state *s, jbuf *b)
{
    jput(b, "{", 1);
    jf_u64(b, "epoch_contributions", s->mem_epoch_count);
    jf_fp128(b, "epoch_lambda_sum", s->mem_epoch_lambda_sum);
    jf_u64(b, "epoch_rewarded", s->mem_epoch_rewarded);
    jkey(b, "nodes");
    jput(b, "[", 1);
    uint32_t *order = s->scratch_a;
    uint32_t n = view_memnodes(s, order);
    for (uint32_t i = 0; i < n; i++) {
        const memnode *m = &s->mems[order[i]];
        if (i)
            jput(b, ",", 1);
        jput(b, "{", 1);
        jf_u64(b, "contributions", m->contributions);
        jf_id(b, "id", &s->mem_ids.ids[order[i]]);
        jf_fp(b, "last_lambda", m->last_lambda_fp18);
        jf_u64(b, "rewarded", m->rewarded);
        jf_amt(b, "t5_total", m->t5_total);
        jput(b, "}", 1);
    }
    jput(b, "]}", 2);
}

static void j_treasury(const qfs_state *s, jbuf *b)
{
    jput(b, "{", 1);
    jkey(b, "balances");
    jassets(b, &s->pool[0][POOL_TREASURY], POOL_COUNT);
    jkey(b, "burned");
    jassets(b, &s->pool[0][POOL_BURNED], POOL_COUNT);
    jf_amt(b, "fees_total_atr", s->fees_total_atr);
    jf_amt(b, "t2_minted_last", s->t2_minted_last);
    jf_amt(b, "t2_paid_last", s->t2_paid_last);
    jf_amt(b, "t2_pool", s->pool[QFS_ASSET_T2][POOL_REWARD]);
    jput(b, "}", 1);
}

static void j_nod(const qfs_state *s, jbuf *b)
{
    jput(b, "{", 1);
    jf_u64(b, "active_last", s->nod_active_last);
    jf_amt(b, "allocated_last", s->nod_alloc_last);
    jf_amt(b, "cut_total", s->nod_cut_total);
    jf_amt(b, "issued_epoch", s->nod_issued_epoch);
    jkey(b, "nodes");
    jput(b, "[", 1);
    uint32_t *order = s->scratch_a;
    uint32_t n = view_nodes(s, order);
    for (uint32_t i = 0; i < n; i++) {
        const infra_node *nd = &s->nodes[order[i]];
        if (i)
            jput(b, ",", 1);
        jput(b, "{", 1);
        jf_fp(b, "correctness", nd->correctness_fp18);
        jf_id(b, "id", acct_id(s, nd->account));
        jf_amt(b, "nod_received", nd->nod_received);
        jf_fp(b, "replication", nd->replication_fp18);
        jkey(b, "telemetry_epoch");
        if (nd->telemetry_epoch_plus1 == 0)
            js(b, "null");
        else
            ju64(b, nd->telemetry_epoch_plus1 - 1);
        jf_fp(b, "uptime", nd->uptime_fp18);
        jput(b, "}", 1);
    }
    jput(b, "]", 1);
    jf_amt(b, "pool", s->pool[QFS_ASSET_NOD][POOL_REWARD]);
    jput(b, "}", 1);
}

static void j_receipts(const qfs_state *s, jbuf *b)
{
    char hex[QFS_HASH128_HEX_LEN + 1];
    qfs_hash128_hex(&s->receipt_chain, hex);
    jput(b, "{", 1);
    jkey(b, "chain");
    jput(b, "\"", 1);
    js(b, hex);
    jput(b, "\"", 1);
    jf_u64(b, "events", s->event_count);
    jf_u64(b, "rejected", s->rejected_count);
    jput(b, "}", 1);
}

static void jkeyhex(jbuf *b, const char *k, int has, const qfs_public_key *key)
{
    jkey(b, k);
    if (!has) {
        js(b, "null");
        return;
    }
    char t[2 * QFS_PUBLIC_KEY_BYTES];
    qfs_hex_encode(t, key->bytes, QFS_PUBLIC_KEY_BYTES);
    jquoted(b, t, sizeof t);
}

static void j_signer_keys(jbuf *b, const signer_keys *k)
{
    jkeyhex(b, "key", k->has_key, &k->key);
    jkeyhex(b, "previous_key", k->has_prev, &k->prev);
    jf_u64(b, "sequence", k->sequence);
}

static void j_auth(const qfs_state *s, jbuf *b)
{
    jput(b, "{", 1);
    jkey(b, "accounts");
    jput(b, "[", 1);
    uint32_t *order = s->scratch_a;
    uint32_t n = view_accounts(s, order);
    for (uint32_t i = 0; i < n; i++) {
        if (i)
            jput(b, ",", 1);
        jput(b, "{", 1);
        jf_id(b, "id", acct_id(s, order[i]));
        j_signer_keys(b, &s->accts[order[i]].auth);
        jput(b, "}", 1);
    }
    jput(b, "]", 1);
    jkey(b, "authentication");
    if (s->has_genesis)
        jquoted(b, qfs_auth_mode_name(s->auth_mode), strlen(qfs_auth_mode_name(s->auth_mode)));
    else
        js(b, "null");
    jkey(b, "holders");
    jput(b, "{", 1);
    /* Role names in sorted order: authority, coherence_oracle,
     * memory_oracle, telemetry_oracle. */
    static const qfs_role ROLES_SORTED[QFS_ROLE_COUNT] = {QFS_ROLE_AUTHORITY, QFS_ROLE_COHERENCE_ORACLE,
                                                          QFS_ROLE_MEMORY_ORACLE, QFS_ROLE_TELEMETRY_ORACLE};
    for (int r = 0; r < QFS_ROLE_COUNT; r++) {
        const holder *h = &s->holders[ROLES_SORTED[r]];
        jkey(b, qfs_role_name(ROLES_SORTED[r]));
        if (!h->present) {
            js(b, "null");
            continue;
        }
        jput(b, "{", 1);
        jf_id(b, "id", &h->id);
        j_signer_keys(b, &h->auth);
        jput(b, "}", 1);
    }
    jput(b, "}}", 2);
}

static void j_module(const qfs_state *s, size_t i, jbuf *b)
{
    switch (i) {
    case 0: j_ledger(s, b); break;
    case 1: j_staking(s, b); break;
    case 2: j_coherence(s, b); break;
    case 3: j_gov(s, &s->social, QFS_DOMAIN_SOCIAL, b); break;
    case 4: j_memory(s, b); break;
    case 5: j_treasury(s, b); break;
    case 6: j_nod(s, b); break;
    case 7: j_gov(s, &s->infra, QFS_DOMAIN_INFRA, b); break;
    case 8: j_receipts(s, b); break;
    default: j_auth(s, b); break;
    }
}

/* Module indexes in the sorted order of their names. */
static const size_t JSON_ORDER[] = {9, 2, 3, 7, 0, 4, 6, 8, 1, 5};

qfs_err qfs_state_to_json(const qfs_state *s, const char *module, char **out, size_t *len_out)
{
    jbuf b = {0};
    if (module == NULL) {
        jput(&b, "{", 1);
        for (size_t k = 0; k < sizeof JSON_ORDER / sizeof JSON_ORDER[0]; k++) {
            jkey(&b, qfs_state_module_name(JSON_ORDER[k]));
            j_module(s, JSON_ORDER[k], &b);
        }
        jput(&b, "}", 1);
    } else {
        size_t i = 0;
        while (i < qfs_state_module_count() && strcmp(qfs_state_module_name(i), module) != 0)
            i++;
        if (i == qfs_state_module_count())
            return QFS_E_NOT_FOUND;
        j_module(s, i, &b);
    }
    jput(&b, "\n", 1);
    if (b.oom) {
        free(b.p);
        return QFS_E_NOMEM;
    }
    *out = b.p;
    if (len_out)
        *len_out = b.len;
    return QFS_OK;
}
