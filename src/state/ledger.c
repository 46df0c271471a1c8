/* The ledger: accounts, balances, genesis, registration and transfers.
 *
 * Every balance change goes through ledger_credit() and ledger_debit(), which
 * keep the per-asset sum of balances exact so that the supply invariant can
 * be checked in O(1) after every event. NOD is special: only infrastructure
 * nodes may ever hold it, and the credit path asserts it. */
#include "state/state_internal.h"

#include "qfs/auth.h"

#include <stdlib.h>
#include <string.h>

uint32_t ledger_find(const qfs_state *s, const qfs_id *id)
{
    return idtab_find(&s->acct_ids, id);
}

uint32_t ledger_find_kind(const qfs_state *s, const qfs_id *id, qfs_account_kind kind, uint32_t *acct)
{
    QFS_ASSERT(kind == QFS_ACCOUNT_VALIDATOR || kind == QFS_ACCOUNT_INFRA_NODE);
    uint32_t a = ledger_find(s, id);
    if (a == NO_INDEX)
        return QFS_REJECT_UNKNOWN_ACCOUNT;
    if (s->accts[a].kind != kind)
        return kind == QFS_ACCOUNT_VALIDATOR ? QFS_REJECT_NOT_VALIDATOR : QFS_REJECT_NOT_INFRA_NODE;
    *acct = a;
    return QFS_REJECT_NONE;
}

void ledger_credit(qfs_state *s, uint32_t acct, qfs_asset a, qfs_amount amount)
{
    account *ac = &s->accts[acct];
    QFS_ASSERT(a != QFS_ASSET_NOD || ac->kind == QFS_ACCOUNT_INFRA_NODE || amount == 0);
    /* Every unit of an asset is counted in its issued total, so a balance
     * (and the sum of balances) can never exceed it: no overflow here. */
    QFS_ASSERT(ac->bal[a] <= QFS_AMOUNT_MAX - amount && s->bal_total[a] <= QFS_AMOUNT_MAX - amount);
    ac->bal[a] += amount;
    s->bal_total[a] += amount;
}

void ledger_debit(qfs_state *s, uint32_t acct, qfs_asset a, qfs_amount amount)
{
    account *ac = &s->accts[acct];
    QFS_ASSERT(ac->bal[a] >= amount && s->bal_total[a] >= amount);
    ac->bal[a] -= amount;
    s->bal_total[a] -= amount;
}

/* Grows every per-account array so that `accounts` more accounts, of which
 * `validators` validators and `nodes` infrastructure nodes, can be added
 * without failing. */
static qfs_err ledger_reserve(qfs_state *s, uint32_t accounts, uint32_t validators, uint32_t nodes)
{
    qfs_err err = idtab_reserve(&s->acct_ids, accounts);
    if (err != QFS_OK)
        return err;
    uint32_t need = s->acct_ids.count + accounts;
    if ((err = vec_reserve((void **)&s->accts, &s->acct_cap, need, sizeof(account))) != QFS_OK)
        return err;
    if ((err = state_scratch_reserve(s, need)) != QFS_OK)
        return err;
    if ((err = vec_reserve((void **)&s->acct_order, &s->acct_order_cap, need, sizeof(uint32_t))) != QFS_OK)
        return err;
    if (validators > DENSE_COUNT_MAX - s->val_count || nodes > DENSE_COUNT_MAX - s->node_count)
        return QFS_E_NOMEM;
    uint32_t vneed = s->val_count + validators;
    if ((err = vec_reserve((void **)&s->vals, &s->val_cap, vneed, sizeof(validator))) != QFS_OK)
        return err;
    if (s->psi_ring_cap < s->val_cap) {
        size_t window = (size_t)P(s, VOTE_ELIGIBILITY_WINDOW);
        uint64_t *ring = realloc(s->psi_ring, (size_t)s->val_cap * window * sizeof(uint64_t));
        if (!ring)
            return QFS_E_NOMEM;
        s->psi_ring = ring;
        s->psi_ring_cap = s->val_cap;
    }
    uint32_t nneed = s->node_count + nodes;
    return vec_reserve((void **)&s->nodes, &s->node_cap, nneed, sizeof(infra_node));
}

/* Adds an account whose room ledger_reserve() made. */
static uint32_t ledger_add_reserved(qfs_state *s, const qfs_id *id, qfs_account_kind kind)
{
    uint32_t idx = idtab_add(&s->acct_ids, id);
    account *ac = &s->accts[idx];
    memset(ac, 0, sizeof *ac);
    ac->kind = (uint8_t)kind;
    ac->role = NO_INDEX;
    if (kind == QFS_ACCOUNT_VALIDATOR) {
        QFS_ASSERT(s->val_count < s->val_cap && s->val_count < s->psi_ring_cap);
        uint32_t v = s->val_count++;
        memset(&s->vals[v], 0, sizeof(validator));
        s->vals[v].account = idx;
        ac->role = v;
    } else if (kind == QFS_ACCOUNT_INFRA_NODE) {
        QFS_ASSERT(s->node_count < s->node_cap);
        uint32_t n = s->node_count++;
        memset(&s->nodes[n], 0, sizeof(infra_node));
        s->nodes[n].account = idx;
        ac->role = n;
    }
    return idx;
}

qfs_err ledger_add(qfs_state *s, const qfs_id *id, qfs_account_kind kind, uint32_t *out)
{
    qfs_err err = ledger_reserve(s, 1, kind == QFS_ACCOUNT_VALIDATOR, kind == QFS_ACCOUNT_INFRA_NODE);
    if (err != QFS_OK)
        return err;
    *out = ledger_add_reserved(s, id, kind);
    return QFS_OK;
}

/* Check (5) of SPEC 4.1: the authentication mode, its key holders and every
 * key. */
static uint32_t genesis_check_keys(const qfs_ev_genesis *g)
{
    if (g->auth != QFS_AUTH_NONE && g->auth != QFS_AUTH_ED25519)
        return QFS_REJECT_INVALID_EVENT;
    for (int r = 0; r < QFS_ROLE_COUNT; r++) {
        const qfs_key_holder *h = &g->holders[r];
        if (!h->present) {
            if (g->auth == QFS_AUTH_ED25519)
                return QFS_REJECT_INVALID_EVENT; /* every signer of the network is named */
            continue;
        }
        if (!qfs_auth_key_valid(&h->key))
            return QFS_REJECT_INVALID_EVENT;
        for (int o = 0; o < r; o++)
            if (g->holders[o].present && qfs_id_eq(&g->holders[o].id, &h->id))
                return QFS_REJECT_INVALID_EVENT;
        for (size_t i = 0; i < g->account_count; i++)
            if (qfs_id_eq(&g->accounts[i].id, &h->id))
                return QFS_REJECT_INVALID_EVENT;
    }
    for (size_t i = 0; i < g->account_count; i++)
        if (g->accounts[i].key.present && !qfs_auth_key_valid(&g->accounts[i].key.key))
            return QFS_REJECT_INVALID_EVENT;
    return QFS_REJECT_NONE;
}

static void set_key(signer_keys *k, const qfs_opt_key *key)
{
    memset(k, 0, sizeof *k);
    if (key->present) {
        k->key = key->key;
        k->has_key = 1;
    }
}

static int kind_ok(qfs_account_kind k)
{
    return k == QFS_ACCOUNT_USER || k == QFS_ACCOUNT_VALIDATOR || k == QFS_ACCOUNT_INFRA_NODE;
}

uint32_t ledger_apply_genesis(qfs_state *s, const qfs_ev_genesis *g, qfs_err *err)
{
    /* Validate everything first: a rejected genesis changes nothing. */
    qfs_amount params[QFS_PARAM_COUNT];
    memcpy(params, s->params, sizeof params);
    for (size_t i = 0; i < g->param_count; i++) {
        const qfs_param_value *pv = &g->params[i];
        const qfs_param_def *def = qfs_param_find(pv->name.bytes, pv->name.len);
        if (!def)
            return QFS_REJECT_INVALID_EVENT;
        if (pv->value < def->min_value || pv->value > def->max_value)
            return QFS_REJECT_PARAM_OUT_OF_RANGE;
        params[qfs_param_index(def)] = pv->value;
    }
    qfs_amount sums[QFS_ASSET_COUNT] = {0};
    uint32_t validators = 0, nodes = 0;
    if (g->account_count > DENSE_COUNT_MAX)
        return QFS_REJECT_AMOUNT_OVERFLOW;
    /* Checks in the order docs/SPEC.md lists them: every kind before any NOD
     * holder, so that the verdict does not depend on the accounts' order. */
    for (size_t i = 0; i < g->account_count; i++)
        if (!kind_ok(g->accounts[i].kind))
            return QFS_REJECT_INVALID_EVENT;
    for (size_t i = 0; i < g->account_count; i++) {
        const qfs_genesis_account *ga = &g->accounts[i];
        if (ga->balances[QFS_ASSET_NOD] != 0 && ga->kind != QFS_ACCOUNT_INFRA_NODE)
            return QFS_REJECT_NOD_HOLDER_NOT_INFRA;
        validators += ga->kind == QFS_ACCOUNT_VALIDATOR;
        nodes += ga->kind == QFS_ACCOUNT_INFRA_NODE;
    }
    for (size_t i = 0; i < g->account_count; i++)
        for (int a = 1; a < QFS_ASSET_COUNT; a++)
            if (qfs_add_amount(&sums[a], sums[a], g->accounts[i].balances[a]) != QFS_OK)
                return QFS_REJECT_AMOUNT_OVERFLOW;
    uint32_t code = genesis_check_keys(g);
    if (code != QFS_REJECT_NONE)
        return code;

    memcpy(s->params, params, sizeof params);
    qfs_err e = ledger_reserve(s, (uint32_t)g->account_count, validators, nodes);
    if (e != QFS_OK) {
        *err = e;
        return QFS_REJECT_NONE;
    }
    for (size_t i = 0; i < g->account_count; i++) {
        const qfs_genesis_account *ga = &g->accounts[i];
        if (ledger_find(s, &ga->id) != NO_INDEX) {
            /* The codec guarantees unique genesis ids; a duplicate here is a
             * caller bug, not an economic verdict. */
            *err = QFS_E_INVALID_ARG;
            return QFS_REJECT_NONE;
        }
        uint32_t idx = ledger_add_reserved(s, &ga->id, ga->kind);
        for (int a = 1; a < QFS_ASSET_COUNT; a++) {
            s->issued[a] += ga->balances[a];
            ledger_credit(s, idx, (qfs_asset)a, ga->balances[a]);
        }
    }
    for (size_t i = 0; i < g->account_count; i++)
        set_key(&s->accts[ledger_find(s, &g->accounts[i].id)].auth, &g->accounts[i].key);
    s->auth_mode = g->auth;
    for (int r = 0; r < QFS_ROLE_COUNT; r++) {
        holder *h = &s->holders[r];
        memset(h, 0, sizeof *h);
        if (!g->holders[r].present)
            continue;
        h->present = 1;
        h->id = g->holders[r].id;
        h->auth.key = g->holders[r].key;
        h->auth.has_key = 1;
    }
    s->chain_id = g->chain_id;
    s->has_genesis = 1;
    s->epoch = 0;
    return QFS_REJECT_NONE;
}

uint32_t ledger_apply_register(qfs_state *s, const qfs_ev_register_account *r, qfs_err *err)
{
    if (!kind_ok(r->kind))
        return QFS_REJECT_INVALID_EVENT;
    /* A key holder's id is taken too: a signer id names one signer. */
    if (ledger_find(s, &r->id) != NO_INDEX || auth_find_holder(s, &r->id))
        return QFS_REJECT_ACCOUNT_EXISTS;
    if (r->key.present && !qfs_auth_key_valid(&r->key.key))
        return QFS_REJECT_INVALID_EVENT;
    uint32_t idx;
    *err = ledger_add(s, &r->id, r->kind, &idx);
    if (*err == QFS_OK)
        set_key(&s->accts[idx].auth, &r->key);
    return QFS_REJECT_NONE;
}

uint32_t ledger_apply_transfer(qfs_state *s, const qfs_ev_transfer *t)
{
    if ((int)t->asset <= 0 || (int)t->asset >= QFS_ASSET_COUNT)
        return QFS_REJECT_INVALID_EVENT;
    if (t->asset == QFS_ASSET_NOD)
        return QFS_REJECT_NOD_NOT_TRANSFERABLE;
    uint32_t from = ledger_find(s, &t->from);
    uint32_t to = ledger_find(s, &t->to);
    if (from == NO_INDEX || to == NO_INDEX)
        return QFS_REJECT_UNKNOWN_ACCOUNT;
    if (from == to)
        return QFS_REJECT_SELF_TRANSFER;
    if (t->amount == 0)
        return QFS_REJECT_ZERO_AMOUNT;
    uint32_t code = treasury_check_fee(s, t->fee_atr);
    if (code != QFS_REJECT_NONE)
        return code;
    const account *src = &s->accts[from];
    /* A voter's T3 stays put until its ballots are tallied, so that the same
     * units cannot weigh in a second voter's ballot on the same proposal. */
    if (t->asset == QFS_ASSET_T3 && src->kind == QFS_ACCOUNT_VALIDATOR &&
        validator_ballot_locked(s, &s->vals[src->role]))
        return QFS_REJECT_BALLOT_LOCKED;
    if (t->asset == QFS_ASSET_ATR) {
        qfs_amount need;
        if (qfs_add_amount(&need, t->amount, t->fee_atr) != QFS_OK || src->bal[QFS_ASSET_ATR] < need)
            return QFS_REJECT_INSUFFICIENT_BALANCE;
    } else if (src->bal[t->asset] < t->amount || src->bal[QFS_ASSET_ATR] < t->fee_atr) {
        return QFS_REJECT_INSUFFICIENT_BALANCE;
    }
    ledger_debit(s, from, t->asset, t->amount);
    ledger_credit(s, to, t->asset, t->amount);
    treasury_charge_fee(s, from, t->fee_atr);
    return QFS_REJECT_NONE;
}
