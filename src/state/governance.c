/* Proposal and ballot bookkeeping shared by both governances, and the social
 * (T3) governance rules.
 *
 * The firewall runs both ways: a social proposal may only name a social
 * (attunement) parameter, an infrastructure proposal only an infrastructure
 * parameter, and genesis-only parameters are never governable. Social votes
 * come from validators, infrastructure votes from infrastructure nodes. */
#include "state/state_internal.h"

#include <stdlib.h>
#include <string.h>

void gov_init(gov *g, uint64_t seed)
{
    memset(g, 0, sizeof *g);
    u64map_init(&g->by_id, seed);
    u64map_init(&g->voted, seed ^ 0x766f746564000000ULL);
}

void gov_free(gov *g)
{
    for (uint32_t i = 0; i < g->count; i++)
        free(g->props[i].ballots);
    free(g->props);
    free(g->pending);
    free(g->tallied);
    u64map_free(&g->by_id);
    u64map_free(&g->voted);
}

/* Checks the parameter change of a proposal against its governance domain. */
uint32_t gov_check_change(const qfs_param_value *pv, qfs_param_domain domain, uint32_t *param)
{
    const qfs_param_def *def = qfs_param_find(pv->name.bytes, pv->name.len);
    if (!def)
        return QFS_REJECT_INVALID_EVENT;
    if (def->domain == QFS_DOMAIN_FIXED)
        return QFS_REJECT_PARAM_NOT_GOVERNABLE;
    if (def->domain != domain)
        return QFS_REJECT_WRONG_GOVERNANCE;
    if (pv->value < def->min_value || pv->value > def->max_value)
        return QFS_REJECT_PARAM_OUT_OF_RANGE;
    *param = (uint32_t)qfs_param_index(def);
    return QFS_REJECT_NONE;
}

/* Proposal ids are strictly increasing per governance: the state keeps the
 * highest accepted id, not the set of every id ever used, which would grow
 * with the log. */
uint32_t gov_check_new_id(const gov *g, uint64_t proposal_id)
{
    if (g->accepted > 0 && proposal_id <= g->last_id)
        return QFS_REJECT_DUPLICATE_PROPOSAL;
    return QFS_REJECT_NONE;
}

uint32_t gov_propose(qfs_state *s, gov *g, const qfs_ev_proposal *e, uint32_t proposer,
                     uint64_t window_epochs, qfs_amount supply_snapshot, qfs_err *err)
{
    QFS_ASSERT(window_epochs >= 1);
    uint32_t param = 0;
    uint32_t code =
        gov_check_change(&e->change, g == &s->infra ? QFS_DOMAIN_INFRA : QFS_DOMAIN_SOCIAL, &param);
    if (code != QFS_REJECT_NONE)
        return code;
    code = gov_check_new_id(g, e->proposal_id);
    if (code != QFS_REJECT_NONE)
        return code;
    uint64_t end;
    if (qfs_add_u64(&end, s->epoch, window_epochs - 1) != QFS_OK)
        return QFS_REJECT_AMOUNT_OVERFLOW;
    /* Everything a later close needs for this proposal is reserved now, so
     * that a close never allocates: its record among the tallied ones and a
     * pending change if it passes. */
    qfs_err e1 = vec_reserve((void **)&g->props, &g->cap, g->count + 1, sizeof(proposal));
    if (e1 == QFS_OK)
        e1 = vec_reserve((void **)&g->tallied, &g->tallied_cap, g->count + 1, sizeof(proposal));
    if (e1 == QFS_OK)
        e1 = vec_reserve((void **)&g->pending, &g->pending_cap, g->pending_count + g->count + 1,
                         sizeof(pending_change));
    if (e1 == QFS_OK)
        e1 = u64map_reserve(&g->by_id, 1);
    if (e1 == QFS_OK)
        e1 = state_scratch_reserve(s, g->count + 1);
    if (e1 != QFS_OK) {
        *err = e1;
        return QFS_REJECT_NONE;
    }
    uint32_t slot = g->count++;
    proposal *p = &g->props[slot];
    memset(p, 0, sizeof *p);
    p->id = e->proposal_id;
    p->proposer = proposer;
    p->param = param;
    p->value = e->change.value;
    p->created_epoch = s->epoch;
    p->end_epoch = end;
    p->supply_snapshot = supply_snapshot;
    p->status = PROPOSAL_OPEN;
    u64map_put(&g->by_id, e->proposal_id, slot);
    g->accepted++;
    g->last_id = e->proposal_id;
    return QFS_REJECT_NONE;
}

/* Finds an open proposal the voter has not voted on yet. An id that is not
 * open was either tallied (or skipped: ids are strictly increasing, so an id
 * below the highest accepted one can never be created) or lies above every
 * accepted id. */
uint32_t gov_find_open(const gov *g, uint64_t proposal_id, uint32_t voter, uint32_t *slot)
{
    uint32_t p = u64map_get(&g->by_id, proposal_id);
    if (p == NO_INDEX)
        return g->accepted > 0 && proposal_id <= g->last_id ? QFS_REJECT_PROPOSAL_CLOSED
                                                            : QFS_REJECT_UNKNOWN_PROPOSAL;
    if (u64map_get(&g->voted, (uint64_t)p << 32 | voter) != NO_INDEX)
        return QFS_REJECT_DUPLICATE_VOTE;
    *slot = p;
    return QFS_REJECT_NONE;
}

uint32_t gov_vote(qfs_state *s, gov *g, const qfs_ev_vote *e, uint32_t voter, qfs_amount weight,
                  qfs_amount quorum_weight, qfs_err *err)
{
    (void)s;
    uint32_t slot = 0;
    uint32_t code = gov_find_open(g, e->proposal_id, voter, &slot);
    if (code != QFS_REJECT_NONE)
        return code;
    if (weight == 0)
        return QFS_REJECT_NO_VOTING_POWER;
    proposal *p = &g->props[slot];
    qfs_amount *tally = e->choice == QFS_VOTE_YES ? &p->yes : e->choice == QFS_VOTE_NO ? &p->no : &p->abstain;
    qfs_amount new_tally, new_cast;
    if (qfs_add_amount(&new_tally, *tally, weight) != QFS_OK ||
        qfs_add_amount(&new_cast, p->quorum_cast, quorum_weight) != QFS_OK)
        return QFS_REJECT_AMOUNT_OVERFLOW;
    qfs_err e1 = vec_reserve((void **)&p->ballots, &p->ballot_cap, p->ballot_count + 1, sizeof(ballot));
    if (e1 == QFS_OK)
        e1 = u64map_reserve(&g->voted, 1);
    if (e1 != QFS_OK) {
        *err = e1;
        return QFS_REJECT_NONE;
    }
    *tally = new_tally;
    p->quorum_cast = new_cast;
    ballot *b = &p->ballots[p->ballot_count++];
    memset(b, 0, sizeof *b);
    b->voter = voter;
    b->choice = (uint8_t)e->choice;
    b->weight = weight;
    b->quorum_weight = quorum_weight;
    u64map_put(&g->voted, (uint64_t)slot << 32 | voter, 0);
    return QFS_REJECT_NONE;
}

/* Both maps are keyed by slot, and slots move when tallied proposals leave
 * the array; so after a tally they are emptied and refilled from the open
 * proposals and their ballots. Their capacity stays, so this never allocates,
 * and it costs what the close already spends walking the open proposals. */
static void gov_reindex(gov *g)
{
    u64map_clear(&g->by_id);
    u64map_clear(&g->voted);
    for (uint32_t slot = 0; slot < g->count; slot++) {
        const proposal *p = &g->props[slot];
        u64map_put(&g->by_id, p->id, slot);
        for (uint32_t b = 0; b < p->ballot_count; b++)
            u64map_put(&g->voted, (uint64_t)slot << 32 | p->ballots[b].voter, 0);
    }
}

/* The canonical bytes of a tallied proposal (SPEC 10.2, the closed-proposal
 * record) and the digest step: digest = XXH3_128(digest || record). */
#define RECORD_BYTES_MAX (8 + 1 + QFS_ID_BYTES_MAX + 1 + QFS_ID_BYTES_MAX + 2 * 8 + 6 * 16 + 1)

static size_t rec_u64(uint8_t *out, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        out[i] = (uint8_t)(v >> (8 * i));
    return 8;
}

/* An amount: 16 bytes, little-endian (SPEC 10.1). */
static size_t rec_amount(uint8_t *out, qfs_amount v)
{
    for (int i = 0; i < 16; i++)
        out[i] = (uint8_t)(v >> (8 * i));
    return 16;
}

static size_t rec_name(uint8_t *out, const char *bytes, size_t len)
{
    QFS_ASSERT(len >= 1 && len <= QFS_ID_BYTES_MAX);
    out[0] = (uint8_t)len;
    memcpy(out + 1, bytes, len);
    return 1 + len;
}

static void gov_fold_closed(const qfs_state *s, gov *g, const proposal *p)
{
    uint8_t buf[16 + RECORD_BYTES_MAX];
    size_t n = 0;
    memcpy(buf, g->closed_digest.bytes, 16);
    n += 16;
    const qfs_id *proposer = &s->acct_ids.ids[p->proposer];
    size_t count;
    const qfs_param_def *defs = qfs_params_all(&count);
    QFS_ASSERT(p->param < count);
    n += rec_u64(buf + n, p->id);
    n += rec_name(buf + n, proposer->bytes, proposer->len);
    n += rec_name(buf + n, defs[p->param].name, strlen(defs[p->param].name));
    n += rec_amount(buf + n, p->value);
    n += rec_u64(buf + n, p->created_epoch);
    n += rec_u64(buf + n, p->end_epoch);
    n += rec_amount(buf + n, p->supply_snapshot);
    n += rec_amount(buf + n, p->yes);
    n += rec_amount(buf + n, p->no);
    n += rec_amount(buf + n, p->abstain);
    n += rec_amount(buf + n, p->quorum_cast);
    buf[n++] = p->status;
    QFS_ASSERT(n <= sizeof buf);
    qfs_hash128_of(&g->closed_digest, buf, n);
}

void gov_tally(qfs_state *s, gov *g, uint64_t quorum_fp18)
{
    /* The open proposals are in ascending id order, so those ending now are
     * tallied in id order as they come: two changes of one parameter resolve
     * the same way everywhere (the higher id wins). */
    g->tallied_count = 0;
    uint32_t kept = 0;
    uint64_t apply_epoch = s->epoch;
    if (qfs_add_u64(&apply_epoch, s->epoch, P(s, GOV_APPLY_DELAY_EPOCHS)) != QFS_OK)
        apply_epoch = UINT64_MAX; /* a close of 2^64 - 1 never happens: never applied */
    for (uint32_t slot = 0; slot < g->count; slot++) {
        proposal *p = &g->props[slot];
        QFS_ASSERT(slot == 0 || g->props[slot - 1].id < p->id);
        if (p->end_epoch > s->epoch) {
            g->props[kept++] = *p;
            continue;
        }
        /* cast x 10^18 >= snapshot x quorum exactly, that is cast >=
         * ceil(snapshot x quorum / 10^18); quorum <= 1 keeps it in range. */
        qfs_amount need;
        qfs_err e1 = qfs_amount_mul_fp18(&need, p->supply_snapshot, quorum_fp18, QFS_ROUND_CEIL);
        QFS_ASSERT(e1 == QFS_OK);
        p->quorum_need = need;
        if (p->quorum_cast < need || (p->supply_snapshot == 0 && p->quorum_cast == 0))
            p->status = PROPOSAL_NO_QUORUM;
        else if (p->yes > p->no)
            p->status = PROPOSAL_PASSED;
        else
            p->status = PROPOSAL_REJECTED;
        if (p->status == PROPOSAL_PASSED) {
            QFS_ASSERT(g->pending_count < g->pending_cap);
            pending_change *c = &g->pending[g->pending_count++];
            memset(c, 0, sizeof *c);
            c->apply_epoch = apply_epoch;
            c->proposal_id = p->id;
            c->param = p->param;
            c->value = p->value;
        }
        gov_fold_closed(s, g, p);
        free(p->ballots);
        p->ballots = NULL;
        p->ballot_count = 0;
        p->ballot_cap = 0;
        QFS_ASSERT(g->tallied_count < g->tallied_cap);
        g->tallied[g->tallied_count++] = *p;
    }
    if (kept != g->count) {
        g->count = kept;
        gov_reindex(g);
    }
    /* Passed changes due at this close, in (apply epoch, proposal id) order:
     * the pending list is kept in that order because the delay is fixed at
     * genesis and tallies append in id order. */
    uint32_t applied = 0;
    while (applied < g->pending_count && g->pending[applied].apply_epoch <= s->epoch) {
        s->params[g->pending[applied].param] = g->pending[applied].value;
        applied++;
    }
    if (applied > 0) {
        memmove(g->pending, g->pending + applied, (g->pending_count - applied) * sizeof *g->pending);
        g->pending_count -= applied;
    }
}

/* ---- social governance ---- */

uint32_t governance_apply_proposal(qfs_state *s, const qfs_ev_proposal *e, qfs_err *err)
{
    uint32_t a = 0;
    uint32_t code = ledger_find_kind(s, &e->proposer, QFS_ACCOUNT_VALIDATOR, &a);
    if (code != QFS_REJECT_NONE)
        return code;
    /* The firewall and the proposal id come before eligibility, so that a
     * proposal on the wrong side is named as such whoever sends it. */
    uint32_t param = 0;
    code = gov_check_change(&e->change, QFS_DOMAIN_SOCIAL, &param);
    if (code != QFS_REJECT_NONE)
        return code;
    code = gov_check_new_id(&s->social, e->proposal_id);
    if (code != QFS_REJECT_NONE)
        return code;
    if (!coherence_eligible(s, s->accts[a].role))
        return QFS_REJECT_NOT_ELIGIBLE;
    uint64_t window = P(s, LAMBDA_VOTE_EPOCHS);
    /* Critical conditions: the last epoch close ran in deficit mode. Then an
     * active T4 boost anywhere shortens lambda(t), to no less than 1 epoch. */
    if (s->deficit && coherence_any_boost_active(s)) {
        uint64_t cut = P(s, LAMBDA_BOOST_SHORTEN_EPOCHS);
        window = cut >= window ? 1 : window - cut;
    }
    return gov_propose(s, &s->social, e, a, window, s->bal_total[QFS_ASSET_T3], err);
}

uint32_t governance_apply_vote(qfs_state *s, const qfs_ev_vote *e, qfs_err *err)
{
    if (e->choice != QFS_VOTE_YES && e->choice != QFS_VOTE_NO && e->choice != QFS_VOTE_ABSTAIN)
        return QFS_REJECT_INVALID_EVENT;
    uint32_t a = 0;
    uint32_t code = ledger_find_kind(s, &e->voter, QFS_ACCOUNT_VALIDATOR, &a);
    if (code != QFS_REJECT_NONE)
        return code;
    uint32_t slot = 0;
    code = gov_find_open(&s->social, e->proposal_id, a, &slot);
    if (code != QFS_REJECT_NONE)
        return code;
    uint32_t v = s->accts[a].role;
    if (!coherence_eligible(s, v))
        return QFS_REJECT_NOT_ELIGIBLE;
    /* weight = floor(isqrt(T3 balance x staked T1) x effective Psi) */
    qfs_amount t3 = s->accts[a].bal[QFS_ASSET_T3];
    qfs_amount root = qfs_isqrt_mul(t3, s->vals[v].staked);
    qfs_amount weight;
    qfs_err e1 = qfs_amount_mul_fp18(&weight, root, coherence_effective_psi(s, &s->vals[v]), QFS_ROUND_FLOOR);
    QFS_ASSERT(e1 == QFS_OK); /* Psi <= 1 */
    code = gov_vote(s, &s->social, e, a, weight, t3, err);
    if (code == QFS_REJECT_NONE && *err == QFS_OK) {
        /* The ballot holds the voter's T3 and stake until the proposal is
         * tallied at the close of its end epoch. */
        uint64_t end = s->social.props[slot].end_epoch;
        uint64_t through = end == UINT64_MAX ? UINT64_MAX : end + 1;
        validator *val = &s->vals[v];
        if (val->ballot_lock_epoch_plus1 < through)
            val->ballot_lock_epoch_plus1 = through;
    }
    return code;
}

void governance_close(qfs_state *s)
{
    gov_tally(s, &s->social, P(s, SOCIAL_QUORUM));
}
