/* Value checks shared by the decoder, the JSON parser and the encoders. */
#include "codec/check.h"

#include "qfs/fixed.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

qfs_err codec_check_id(qfs_id *out, const char *s, size_t len, const char *where, qfs_err fail,
                       qfs_diag *diag)
{
    qfs_err err = qfs_id_set(out, s, len);
    if (err == QFS_OK)
        return QFS_OK;
    if (len == 0)
        qfs_diag_set(diag, "%s: id is empty (ids are 1 to %d bytes)", where, QFS_ID_BYTES_MAX);
    else if (len > QFS_ID_BYTES_MAX)
        qfs_diag_set(diag, "%s: id is longer than %d bytes", where, QFS_ID_BYTES_MAX);
    else
        qfs_diag_set(diag, "%s: id has a byte outside [A-Za-z0-9._:-]", where);
    return fail;
}

qfs_err codec_check_unit_fp18(uint64_t v, const char *where, qfs_err fail, qfs_diag *diag)
{
    if (v <= QFS_FP18_ONE)
        return QFS_OK;
    char text[QFS_DECIMAL_STR_MAX + 1];
    qfs_fp18_format(text, v);
    qfs_diag_set(diag, "%s: %s is above 1 (a fraction from 0 to 1)", where, text);
    return fail;
}

qfs_err codec_check_param_name(const qfs_param_def **out, const qfs_id *name, const char *where, qfs_err fail,
                               qfs_diag *diag)
{
    const qfs_param_def *def = qfs_param_find(name->bytes, name->len);
    if (!def) {
        qfs_diag_set(diag, "%s: unknown parameter \"%.*s\"", where, (int)name->len, name->bytes);
        return fail;
    }
    *out = def;
    return QFS_OK;
}

/* Writes v in the parameter's unit, as it would be written in JSON. */
static void format_in_unit(char *buf, qfs_param_unit unit, qfs_amount v)
{
    if (unit == QFS_UNIT_FP18)
        qfs_amount_format_tokens(buf, v); /* the same decimals as a ratio, on 128 bits */
    else
        qfs_amount_format(buf, v);
}

qfs_err codec_check_param_range(const qfs_param_def *def, qfs_amount value, const char *where, qfs_err fail,
                                qfs_diag *diag)
{
    if (value >= def->min_value && value <= def->max_value)
        return QFS_OK;
    char v[QFS_AMOUNT_STR_MAX + 1], lo[QFS_AMOUNT_STR_MAX + 1], hi[QFS_AMOUNT_STR_MAX + 1];
    format_in_unit(v, def->unit, value);
    format_in_unit(lo, def->unit, def->min_value);
    format_in_unit(hi, def->unit, def->max_value);
    qfs_diag_set(diag, "%s: %s is outside the range of %s [%s, %s]", where, v, def->name, lo, hi);
    return fail;
}

static int account_ptr_cmp(const void *a, const void *b)
{
    const qfs_genesis_account *x = *(const qfs_genesis_account *const *)a;
    const qfs_genesis_account *y = *(const qfs_genesis_account *const *)b;
    int c = qfs_id_cmp(&x->id, &y->id);
    if (c != 0)
        return c;
    /* Ties are broken by position so that the duplicate reported is always
     * the later one, whatever qsort does with equal keys. */
    return (x > y) - (x < y);
}

static qfs_err check_account_ids_unique(const qfs_ev_genesis *g, qfs_arena *scratch, qfs_err fail,
                                        qfs_diag *diag)
{
    if (g->account_count < 2)
        return QFS_OK;
    size_t bytes = g->account_count * sizeof(const qfs_genesis_account *);
    const qfs_genesis_account **order = scratch ? qfs_arena_alloc(scratch, bytes) : malloc(bytes);
    if (!order) {
        qfs_diag_set(diag, "genesis.accounts: out of memory while checking for duplicate ids");
        return QFS_E_NOMEM;
    }
    for (size_t i = 0; i < g->account_count; i++)
        order[i] = &g->accounts[i];
    qsort(order, g->account_count, sizeof order[0], account_ptr_cmp);
    qfs_err err = QFS_OK;
    const qfs_genesis_account *dup = NULL;
    for (size_t i = 1; i < g->account_count; i++) {
        if (qfs_id_eq(&order[i - 1]->id, &order[i]->id)) {
            /* Report the earliest-positioned second occurrence. */
            if (!dup || order[i] < dup)
                dup = order[i];
        }
    }
    if (dup) {
        qfs_diag_set(diag, "genesis.accounts[%zu].id: duplicate account id \"%.*s\"",
                     (size_t)(dup - g->accounts), (int)dup->id.len, dup->id.bytes);
        err = fail;
    }
    if (!scratch)
        free(order);
    return err;
}

qfs_err codec_check_genesis(const qfs_ev_genesis *g, qfs_arena *scratch, qfs_err fail, qfs_diag *diag)
{
    if (g->param_count > QFS_GENESIS_PARAMS_MAX) {
        qfs_diag_set(diag, "genesis.params: %zu parameters (at most %d)", g->param_count,
                     QFS_GENESIS_PARAMS_MAX);
        return fail;
    }
    if (g->account_count > QFS_GENESIS_ACCOUNTS_MAX) {
        qfs_diag_set(diag, "genesis.accounts: %zu accounts (at most %d)", g->account_count,
                     QFS_GENESIS_ACCOUNTS_MAX);
        return fail;
    }
    /* The registry is small and fixed, so a bitmap by registry index finds a
     * repeated name in one pass. */
    size_t registry_count = 0;
    qfs_params_all(&registry_count);
    QFS_ASSERT(registry_count <= QFS_GENESIS_PARAMS_MAX);
    uint8_t seen[QFS_GENESIS_PARAMS_MAX];
    memset(seen, 0, sizeof seen);
    for (size_t i = 0; i < g->param_count; i++) {
        const qfs_param_value *p = &g->params[i];
        const qfs_param_def *def = NULL;
        qfs_err err = codec_check_param_name(&def, &p->name, "genesis.params", fail, diag);
        if (err != QFS_OK)
            return err;
        size_t idx = qfs_param_index(def);
        if (seen[idx]) {
            qfs_diag_set(diag, "genesis.params: parameter \"%s\" appears more than once", def->name);
            return fail;
        }
        seen[idx] = 1;
        char where[96];
        snprintf(where, sizeof where, "genesis.params.%s", def->name);
        err = codec_check_param_range(def, p->value, where, fail, diag);
        if (err != QFS_OK)
            return err;
    }
    for (size_t i = 0; i < g->account_count; i++) {
        const qfs_genesis_account *a = &g->accounts[i];
        if (!qfs_account_kind_name(a->kind)) {
            qfs_diag_set(diag, "genesis.accounts[%zu].kind: unknown account kind %d", i, (int)a->kind);
            return fail;
        }
        if (a->balances[QFS_ASSET_NONE] != 0) {
            qfs_diag_set(diag, "genesis.accounts[%zu].balances: a balance of no asset", i);
            return fail;
        }
    }
    return check_account_ids_unique(g, scratch, fail, diag);
}

/* Re-validates an id already held in a qfs_id (encoders trust nothing). */
static qfs_err recheck_id(const qfs_id *id, const char *where, qfs_err fail, qfs_diag *diag)
{
    qfs_id tmp;
    /* qfs_id_set rejects the length before it reads a byte, so a corrupt
     * len above the buffer size is safe to pass on. */
    return codec_check_id(&tmp, id->bytes, id->len, where, fail, diag);
}

static qfs_err check_enum(int known, int value, const char *where, qfs_err fail, qfs_diag *diag)
{
    if (known)
        return QFS_OK;
    qfs_diag_set(diag, "%s: unknown or unset value %d", where, value);
    return fail;
}

static qfs_err check_proposal(const qfs_ev_proposal *p, const char *kind, qfs_err fail, qfs_diag *diag)
{
    char where[64];
    snprintf(where, sizeof where, "%s.proposer", kind);
    qfs_err err = recheck_id(&p->proposer, where, fail, diag);
    if (err != QFS_OK)
        return err;
    snprintf(where, sizeof where, "%s.param", kind);
    err = recheck_id(&p->change.name, where, fail, diag);
    if (err != QFS_OK)
        return err;
    const qfs_param_def *def = NULL;
    err = codec_check_param_name(&def, &p->change.name, where, fail, diag);
    if (err != QFS_OK)
        return err;
    snprintf(where, sizeof where, "%s.value", kind);
    return codec_check_param_range(def, p->change.value, where, fail, diag);
}

static qfs_err check_vote(const qfs_ev_vote *v, const char *kind, const char *voter, qfs_err fail,
                          qfs_diag *diag)
{
    char where[64];
    snprintf(where, sizeof where, "%s.%s", kind, voter);
    qfs_err err = recheck_id(&v->voter, where, fail, diag);
    if (err != QFS_OK)
        return err;
    snprintf(where, sizeof where, "%s.choice", kind);
    return check_enum(qfs_vote_choice_name(v->choice) != NULL, (int)v->choice, where, fail, diag);
}

qfs_err codec_check_event(const qfs_event *ev, qfs_err fail, qfs_diag *diag)
{
    qfs_err err = QFS_OK;
    if (ev->signer.len > 0 && (err = recheck_id(&ev->signer, "signer", fail, diag)) != QFS_OK)
        return err;
    switch (ev->kind) {
    case QFS_EVENT_GENESIS: {
        const qfs_ev_genesis *g = &ev->u.genesis;
        if ((err = recheck_id(&g->chain_id, "genesis.chain_id", fail, diag)) != QFS_OK)
            return err;
        if ((g->param_count && !g->params) || (g->account_count && !g->accounts)) {
            qfs_diag_set(diag, "genesis: entries counted but not present");
            return fail;
        }
        for (size_t i = 0; i < g->param_count; i++)
            if ((err = recheck_id(&g->params[i].name, "genesis.params", fail, diag)) != QFS_OK)
                return err;
        for (size_t i = 0; i < g->account_count; i++) {
            char where[64];
            snprintf(where, sizeof where, "genesis.accounts[%zu].id", i);
            if ((err = recheck_id(&g->accounts[i].id, where, fail, diag)) != QFS_OK)
                return err;
        }
        if ((err = check_enum(qfs_auth_mode_name(g->auth) != NULL, (int)g->auth, "genesis.authentication",
                              fail, diag)) != QFS_OK)
            return err;
        for (int r = 0; r < QFS_ROLE_COUNT; r++)
            if (g->holders[r].present &&
                (err = recheck_id(&g->holders[r].id, qfs_role_name((qfs_role)r), fail, diag)) != QFS_OK)
                return err;
        return codec_check_genesis(g, NULL, fail, diag);
    }
    case QFS_EVENT_REGISTER_ACCOUNT: {
        const qfs_ev_register_account *r = &ev->u.register_account;
        if ((err = recheck_id(&r->id, "register_account.id", fail, diag)) != QFS_OK)
            return err;
        return check_enum(qfs_account_kind_name(r->kind) != NULL, (int)r->kind, "register_account.kind", fail,
                          diag);
    }
    case QFS_EVENT_TRANSFER: {
        const qfs_ev_transfer *t = &ev->u.transfer;
        if ((err = recheck_id(&t->from, "transfer.from", fail, diag)) != QFS_OK)
            return err;
        if ((err = recheck_id(&t->to, "transfer.to", fail, diag)) != QFS_OK)
            return err;
        return check_enum(qfs_asset_name(t->asset) != NULL, (int)t->asset, "transfer.asset", fail, diag);
    }
    case QFS_EVENT_STAKE: return recheck_id(&ev->u.stake.validator, "stake.validator", fail, diag);
    case QFS_EVENT_UNSTAKE: return recheck_id(&ev->u.unstake.validator, "unstake.validator", fail, diag);
    case QFS_EVENT_COHERENCE_REPORT:
        if ((err = recheck_id(&ev->u.coherence_report.validator, "coherence_report.validator", fail, diag)) !=
            QFS_OK)
            return err;
        return codec_check_unit_fp18(ev->u.coherence_report.psi_fp18, "coherence_report.psi", fail, diag);
    case QFS_EVENT_BOOST: return recheck_id(&ev->u.boost.validator, "boost.validator", fail, diag);
    case QFS_EVENT_MEMORY_CONTRIBUTION: {
        const qfs_ev_memory_contribution *m = &ev->u.memory_contribution;
        if ((err = recheck_id(&m->contributor, "memory_contribution.contributor", fail, diag)) != QFS_OK)
            return err;
        if ((err = recheck_id(&m->memory_node_id, "memory_contribution.memory_node_id", fail, diag)) !=
            QFS_OK)
            return err;
        return codec_check_unit_fp18(m->lambda_node_fp18, "memory_contribution.lambda_node", fail, diag);
    }
    case QFS_EVENT_USER_ACTION:
        if ((err = recheck_id(&ev->u.user_action.account, "user_action.account", fail, diag)) != QFS_OK)
            return err;
        return recheck_id(&ev->u.user_action.action, "user_action.action", fail, diag);
    case QFS_EVENT_NODE_TELEMETRY: {
        const qfs_ev_node_telemetry *n = &ev->u.node_telemetry;
        if ((err = recheck_id(&n->node, "node_telemetry.node", fail, diag)) != QFS_OK)
            return err;
        if ((err = codec_check_unit_fp18(n->uptime_fp18, "node_telemetry.uptime", fail, diag)) != QFS_OK)
            return err;
        if ((err = codec_check_unit_fp18(n->replication_fp18, "node_telemetry.replication", fail, diag)) !=
            QFS_OK)
            return err;
        return codec_check_unit_fp18(n->correctness_fp18, "node_telemetry.correctness", fail, diag);
    }
    case QFS_EVENT_SOCIAL_PROPOSAL:
        return check_proposal(&ev->u.social_proposal, "social_proposal", fail, diag);
    case QFS_EVENT_SOCIAL_VOTE: return check_vote(&ev->u.social_vote, "social_vote", "voter", fail, diag);
    case QFS_EVENT_INFRA_PROPOSAL: return check_proposal(&ev->u.infra_proposal, "infra_proposal", fail, diag);
    case QFS_EVENT_INFRA_VOTE: return check_vote(&ev->u.infra_vote, "infra_vote", "node", fail, diag);
    case QFS_EVENT_EPOCH_CLOSE: return QFS_OK;
    case QFS_EVENT_ROTATE_KEY: return recheck_id(&ev->u.rotate_key.holder, "rotate_key.holder", fail, diag);
    case QFS_EVENT_NONE:
    default: qfs_diag_set(diag, "event: unknown kind %d", (int)ev->kind); return fail;
    }
}
