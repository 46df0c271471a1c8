/* The state object: create and free, the apply dispatch, the rules on time
 * and epochs, the epoch-close sequence, and the receipt chain. */
#include "state/state_internal.h"

#include <stdlib.h>
#include <string.h>

static const char *const REJECT_NAMES[QFS_REJECT_CODE_MAX + 1] = {
    "accepted",
    "no_genesis",
    "duplicate_genesis",
    "timestamp_regression",
    "unknown_account",
    "account_exists",
    "not_validator",
    "not_infra_node",
    "insufficient_balance",
    "insufficient_stake",
    "nod_not_transferable",
    "nod_holder_not_infra",
    "zero_amount",
    "self_transfer",
    "fee_too_low",
    "amount_overflow",
    "ratio_out_of_range",
    "wrong_epoch",
    "param_out_of_range",
    "wrong_governance",
    "param_not_governable",
    "duplicate_proposal",
    "unknown_proposal",
    "proposal_closed",
    "duplicate_vote",
    "not_eligible",
    "no_voting_power",
    "invalid_event",
    "ballot_locked",
    "bad_signature",
    "wrong_signer",
    "sequence_not_next",
    "unknown_key",
    "rotated_key",
};

const char *qfs_reject_str(uint32_t code)
{
    return code <= QFS_REJECT_CODE_MAX ? REJECT_NAMES[code] : "unknown";
}

static void set_default_params(qfs_state *s)
{
    size_t n;
    const qfs_param_def *defs = qfs_params_all(&n);
    QFS_ASSERT(n == QFS_PARAM_COUNT);
    for (size_t i = 0; i < n; i++)
        s->params[i] = defs[i].default_value;
}

qfs_err qfs_state_create(qfs_state **out, const qfs_state_options *opt)
{
    qfs_state *s = calloc(1, sizeof *s);
    if (!s)
        return QFS_E_NOMEM;
    s->table_seed = opt ? opt->table_seed : 0;
    s->verify_hint = opt ? opt->verify_hint : NULL;
    s->verify_ctx = opt ? opt->verify_ctx : NULL;
    /* Distinct seeds per table so that equal keys do not collide alike. */
    idtab_init(&s->acct_ids, s->table_seed ^ 0x6163636f756e7473ULL);
    idtab_init(&s->mem_ids, s->table_seed ^ 0x6d656d6f72790000ULL);
    gov_init(&s->social, s->table_seed ^ 0x736f6369616c0000ULL);
    gov_init(&s->infra, s->table_seed ^ 0x696e667261000000ULL);
    set_default_params(s);
    s->c_hat_fp18 = QFS_FP18_ONE;
    *out = s;
    return QFS_OK;
}

void qfs_state_free(qfs_state *s)
{
    if (!s)
        return;
    idtab_free(&s->acct_ids);
    idtab_free(&s->mem_ids);
    free(s->accts);
    free(s->vals);
    free(s->psi_ring);
    free(s->unbonds);
    free(s->mems);
    free(s->nodes);
    free(s->reporters);
    free(s->report.slashes);
    free(s->report.t2);
    free(s->report.nodes);
    free(s->report.mem_epoch);
    free(s->report.mem_closed);
    gov_free(&s->social);
    gov_free(&s->infra);
    free(s->scratch_a);
    free(s->scratch_b);
    free(s->acct_order);
    free(s);
}

qfs_err state_scratch_reserve(qfs_state *s, uint32_t n)
{
    if (n <= s->scratch_cap)
        return QFS_OK;
    uint32_t cap_a = s->scratch_cap;
    uint32_t cap_b = s->scratch_cap;
    qfs_err err = vec_reserve((void **)&s->scratch_a, &cap_a, n, sizeof(uint32_t));
    if (err != QFS_OK)
        return err;
    err = vec_reserve((void **)&s->scratch_b, &cap_b, n, sizeof(uint32_t));
    if (err != QFS_OK)
        return err;
    s->scratch_cap = cap_a < cap_b ? cap_a : cap_b;
    return QFS_OK;
}

int state_supply_ok(const qfs_state *s)
{
    for (int a = 1; a < QFS_ASSET_COUNT; a++) {
        qfs_amount sum = s->bal_total[a];
        for (int p = 0; p < POOL_COUNT; p++)
            if (qfs_add_amount(&sum, sum, s->pool[a][p]) != QFS_OK)
                return 0;
        if (sum != s->issued[a])
            return 0;
    }
    return 1;
}

static void fold_receipt(qfs_state *s, uint64_t index, uint32_t code)
{
    uint8_t buf[16 + 8 + 4];
    memcpy(buf, s->receipt_chain.bytes, 16);
    for (int i = 0; i < 8; i++)
        buf[16 + i] = (uint8_t)(index >> (8 * i));
    for (int i = 0; i < 4; i++)
        buf[24 + i] = (uint8_t)(code >> (8 * i));
    qfs_hash128_of(&s->receipt_chain, buf, sizeof buf);
}

static uint32_t apply_epoch_close(qfs_state *s, const qfs_ev_epoch_close *e, qfs_err *err)
{
    if (e->epoch != s->epoch)
        return QFS_REJECT_WRONG_EPOCH;
    if (s->epoch == UINT64_MAX)
        return QFS_REJECT_AMOUNT_OVERFLOW;
    /* The close report's arrays take one entry per validator and per
     * reporting node; reserved first, so that the steps cannot fail. */
    close_report *rep = &s->report;
    qfs_err e1 = vec_reserve((void **)&rep->slashes, &rep->slash_cap, s->val_count, sizeof(report_slash));
    if (e1 == QFS_OK)
        e1 = vec_reserve((void **)&rep->t2, &rep->t2_cap, s->val_count, sizeof(report_t2));
    if (e1 == QFS_OK)
        e1 = vec_reserve((void **)&rep->nodes, &rep->node_cap, s->reporter_count, sizeof(report_node));
    if (e1 != QFS_OK) {
        *err = e1;
        return QFS_REJECT_NONE;
    }
    memcpy(rep->params, s->params, sizeof rep->params);
    rep->fees_atr = rep->fees_epoch_atr;
    rep->nod_raw = rep->nod_raw_epoch;
    rep->nod_cut = rep->nod_cut_epoch;
    rep->nod_issued = s->nod_issued_epoch;
    rep->fees_epoch_atr = 0;
    rep->nod_raw_epoch = 0;
    rep->nod_cut_epoch = 0;
    /* The order is normative (docs/SPEC.md, "Epoch close"). */
    coherence_close(s);
    staking_slash_close(s);
    rewards_close(s);
    nod_close(s);
    staking_unbond_close(s);
    infra_governance_close(s);
    governance_close(s);
    s->nod_issued_epoch = 0;
    s->mem_epoch_count = 0;
    s->mem_epoch_rewarded = 0;
    s->mem_epoch_lambda_sum = 0;
    s->reporter_count = 0;
    /* The epoch's memory nodes become the closed epoch's; the other list is
     * reused for the next epoch. */
    uint32_t *mem_list = rep->mem_closed;
    uint32_t mem_cap = rep->mem_closed_cap;
    rep->mem_closed = rep->mem_epoch;
    rep->mem_closed_cap = rep->mem_epoch_cap;
    rep->mem_closed_count = rep->mem_epoch_count;
    rep->mem_epoch = mem_list;
    rep->mem_epoch_cap = mem_cap;
    rep->mem_epoch_count = 0;
    s->epoch++;
    if (!state_supply_ok(s))
        *err = QFS_E_STATE;
    return QFS_REJECT_NONE;
}

static uint32_t dispatch(qfs_state *s, const qfs_event *ev, qfs_err *err)
{
    switch (ev->kind) {
    case QFS_EVENT_GENESIS: return QFS_REJECT_DUPLICATE_GENESIS;
    case QFS_EVENT_REGISTER_ACCOUNT: return ledger_apply_register(s, &ev->u.register_account, err);
    case QFS_EVENT_TRANSFER: return ledger_apply_transfer(s, &ev->u.transfer);
    case QFS_EVENT_STAKE: return staking_apply_stake(s, &ev->u.stake);
    case QFS_EVENT_UNSTAKE: return staking_apply_unstake(s, &ev->u.unstake, err);
    case QFS_EVENT_COHERENCE_REPORT: return coherence_apply_report(s, &ev->u.coherence_report);
    case QFS_EVENT_BOOST: return boost_apply(s, &ev->u.boost);
    case QFS_EVENT_MEMORY_CONTRIBUTION: return memory_apply_contribution(s, &ev->u.memory_contribution, err);
    case QFS_EVENT_USER_ACTION: return treasury_apply_user_action(s, &ev->u.user_action);
    case QFS_EVENT_NODE_TELEMETRY: return nod_apply_telemetry(s, &ev->u.node_telemetry, err);
    case QFS_EVENT_SOCIAL_PROPOSAL: return governance_apply_proposal(s, &ev->u.social_proposal, err);
    case QFS_EVENT_SOCIAL_VOTE: return governance_apply_vote(s, &ev->u.social_vote, err);
    case QFS_EVENT_INFRA_PROPOSAL: return infra_governance_apply_proposal(s, &ev->u.infra_proposal, err);
    case QFS_EVENT_INFRA_VOTE: return infra_governance_apply_vote(s, &ev->u.infra_vote, err);
    case QFS_EVENT_EPOCH_CLOSE: return apply_epoch_close(s, &ev->u.epoch_close, err);
    case QFS_EVENT_ROTATE_KEY: return auth_apply_rotate(s, &ev->u.rotate_key);
    case QFS_EVENT_NONE: break;
    }
    return QFS_REJECT_INVALID_EVENT;
}

qfs_err qfs_state_apply(qfs_state *s, const qfs_event *ev, qfs_receipt *out)
{
    QFS_ASSERT(s != NULL && ev != NULL);
    qfs_err err = QFS_OK;
    uint32_t code;
    s->now_ms = ev->timestamp_ms;
    s->infra.tallied_count = 0;
    s->social.tallied_count = 0;
    if (!s->has_genesis) {
        code = ev->kind == QFS_EVENT_GENESIS ? ledger_apply_genesis(s, &ev->u.genesis, &err)
                                             : QFS_REJECT_NO_GENESIS;
    } else if (ev->kind == QFS_EVENT_GENESIS) {
        code = QFS_REJECT_DUPLICATE_GENESIS;
    } else if (ev->timestamp_ms < s->last_ts_ms) {
        code = QFS_REJECT_TIMESTAMP_REGRESSION;
    } else {
        signer_keys *who = NULL;
        code = auth_check(s, ev, &who);
        if (code == QFS_REJECT_NONE)
            code = dispatch(s, ev, &err);
        if (code == QFS_REJECT_NONE && err == QFS_OK)
            auth_commit(s, who, ev);
    }
    if (err != QFS_OK)
        return err;
    if (code == QFS_REJECT_NONE) {
        s->last_ts_ms = ev->timestamp_ms;
    } else {
        fold_receipt(s, s->event_count, code);
        s->rejected_count++;
    }
    s->event_count++;
#ifndef NDEBUG
    QFS_ASSERT(state_supply_ok(s));
#endif
    if (out)
        out->code = code;
    return QFS_OK;
}

uint64_t qfs_state_event_count(const qfs_state *s)
{
    return s->event_count;
}

uint64_t qfs_state_rejected_count(const qfs_state *s)
{
    return s->rejected_count;
}

uint64_t qfs_state_epoch(const qfs_state *s)
{
    return s->epoch;
}

const char *qfs_proposal_status_str(uint32_t status)
{
    static const char *const NAMES[] = {"open", "passed", "no_quorum", "rejected"};
    return status < sizeof NAMES / sizeof NAMES[0] ? NAMES[status] : "unknown";
}

size_t qfs_state_tally_count(const qfs_state *s)
{
    return (size_t)s->infra.tallied_count + s->social.tallied_count;
}

void qfs_state_tally(const qfs_state *s, size_t i, qfs_tally *out)
{
    QFS_ASSERT(i < qfs_state_tally_count(s));
    int infra = i < s->infra.tallied_count;
    const gov *g = infra ? &s->infra : &s->social;
    const proposal *p = &g->tallied[infra ? i : i - s->infra.tallied_count];
    memset(out, 0, sizeof *out);
    out->infra = infra;
    out->status = p->status;
    out->proposal_id = p->id;
    out->param_index = p->param;
    out->value = p->value;
    out->proposer = s->acct_ids.ids[p->proposer];
    out->created_epoch = p->created_epoch;
    out->end_epoch = p->end_epoch;
    out->supply_snapshot = p->supply_snapshot;
    out->yes = p->yes;
    out->no = p->no;
    out->abstain = p->abstain;
    out->quorum_cast = p->quorum_cast;
    /* The close that tallied it is the one that just ran: E - 1 now. */
    uint64_t closed = s->epoch - 1;
    uint64_t delay = P(s, GOV_APPLY_DELAY_EPOCHS);
    out->apply_epoch = closed > UINT64_MAX - delay ? UINT64_MAX : closed + delay;
}

qfs_amount qfs_state_param(const qfs_state *s, size_t param_index)
{
    QFS_ASSERT(param_index < QFS_PARAM_COUNT);
    return s->params[param_index];
}

qfs_err qfs_state_balance(const qfs_state *s, const qfs_id *account_id, qfs_asset asset, qfs_amount *out)
{
    if ((int)asset <= 0 || (int)asset >= QFS_ASSET_COUNT)
        return QFS_E_INVALID_ARG;
    uint32_t a = ledger_find(s, account_id);
    if (a == NO_INDEX)
        return QFS_E_NOT_FOUND;
    *out = s->accts[a].bal[asset];
    return QFS_OK;
}
