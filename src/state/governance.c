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
    free(g->open);
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

uint32_t gov_propose(qfs_state *s, gov *g, const qfs_ev_proposal *e, uint32_t proposer,
                     uint64_t window_epochs, qfs_amount supply_snapshot, qfs_err *err)
{
    QFS_ASSERT(window_epochs >= 1);
    uint32_t param = 0;
    uint32_t code =
        gov_check_change(&e->change, g == &s->infra ? QFS_DOMAIN_INFRA : QFS_DOMAIN_SOCIAL, &param);
    if (code != QFS_REJECT_NONE)
        return code;
    if (u64map_get(&g->by_id, e->proposal_id) != NO_INDEX)
        return QFS_REJECT_DUPLICATE_PROPOSAL;
    uint64_t end;
    if (qfs_add_u64(&end, s->epoch, window_epochs - 1) != QFS_OK)
        return QFS_REJECT_AMOUNT_OVERFLOW;
    qfs_err e1 = vec_reserve((void **)&g->props, &g->cap, g->count + 1, sizeof(proposal));
    if (e1 == QFS_OK)
        e1 = vec_reserve((void **)&g->open, &g->open_cap, g->open_count + 1, sizeof(uint32_t));
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
    g->open[g->open_count++] = slot;
    return QFS_REJECT_NONE;
}

/* Finds an open proposal the voter has not voted on yet. */
static uint32_t gov_find_open(const gov *g, uint64_t proposal_id, uint32_t voter, uint32_t *slot)
{
    uint32_t p = u64map_get(&g->by_id, proposal_id);
    if (p == NO_INDEX)
        return QFS_REJECT_UNKNOWN_PROPOSAL;
    if (g->props[p].status != PROPOSAL_OPEN)
        return QFS_REJECT_PROPOSAL_CLOSED;
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

static int cmp_proposal_id(const void *ctx, uint32_t a, uint32_t b)
{
    const gov *g = ctx;
    uint64_t x = g->props[a].id, y = g->props[b].id;
    return (x > y) - (x < y);
}

/* The set of (proposal, voter) pairs only matters while a proposal is open,
 * but entries cannot be removed one by one from the open-addressing map. So
 * once it holds more than twice the ballots of the open proposals, it is
 * rebuilt from them: memory follows the open ballots, not every ballot ever
 * cast, at an amortized O(1) per ballot. The map decides nothing that a
 * rebuild could change (it answers "has this voter a ballot on this open
 * proposal"), and it is not part of any hash. If memory for the rebuild is
 * short, the old map stays, which is still correct. */
static void gov_compact_voted(gov *g)
{
    size_t open_ballots = 0;
    for (uint32_t i = 0; i < g->open_count; i++)
        open_ballots += g->props[g->open[i]].ballot_count;
    if (g->voted.count <= 2 * open_ballots + 1024)
        return;
    u64map fresh;
    u64map_init(&fresh, g->voted.seed);
    if (u64map_reserve(&fresh, open_ballots) != QFS_OK) {
        u64map_free(&fresh);
        return;
    }
    for (uint32_t i = 0; i < g->open_count; i++) {
        uint32_t slot = g->open[i];
        const proposal *p = &g->props[slot];
        for (uint32_t b = 0; b < p->ballot_count; b++)
            u64map_put(&fresh, (uint64_t)slot << 32 | p->ballots[b].voter, 0);
    }
    u64map_free(&g->voted);
    g->voted = fresh;
}

void gov_tally(qfs_state *s, gov *g, uint64_t quorum_fp18)
{
    /* Proposals ending now leave the open list; they are tallied in id order
     * so that two changes of one parameter resolve the same way everywhere
     * (the higher id wins). */
    uint32_t *ending = s->scratch_a;
    uint32_t n = 0, kept = 0;
    for (uint32_t i = 0; i < g->open_count; i++) {
        uint32_t slot = g->open[i];
        if (g->props[slot].end_epoch <= s->epoch)
            ending[n++] = slot;
        else
            g->open[kept++] = slot;
    }
    g->open_count = kept;
    sort_u32(ending, n, cmp_proposal_id, g);
    for (uint32_t i = 0; i < n; i++) {
        proposal *p = &g->props[ending[i]];
        /* cast x 10^18 >= snapshot x quorum exactly, that is cast >=
         * ceil(snapshot x quorum / 10^18); quorum <= 1 keeps it in range. */
        qfs_amount need;
        qfs_err e1 = qfs_amount_mul_fp18(&need, p->supply_snapshot, quorum_fp18, QFS_ROUND_CEIL);
        QFS_ASSERT(e1 == QFS_OK);
        if (p->quorum_cast < need || (p->supply_snapshot == 0 && p->quorum_cast == 0))
            p->status = PROPOSAL_NO_QUORUM;
        else if (p->yes > p->no)
            p->status = PROPOSAL_PASSED;
        else
            p->status = PROPOSAL_REJECTED;
        if (p->status == PROPOSAL_PASSED)
            s->params[p->param] = p->value;
        free(p->ballots);
        p->ballots = NULL;
        p->ballot_count = 0;
        p->ballot_cap = 0;
    }
    if (n > 0)
        gov_compact_voted(g);
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
    if (u64map_get(&s->social.by_id, e->proposal_id) != NO_INDEX)
        return QFS_REJECT_DUPLICATE_PROPOSAL;
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
