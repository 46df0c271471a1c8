/* governance.json: every proposal of both governances, from its submission
 * through its ballots and tally to the close that applied its change. The
 * state keeps only open proposals (a tallied one leaves it, SPEC 5.9), so the
 * collector records each proposal and ballot as the fold accepts it, reading
 * the fold's own numbers (weights, tallies, the required participation). */
#include "evidence/evidence_internal.h"

#include <stdlib.h>
#include <string.h>

void ev_gov_free(ev_gov *g)
{
    for (uint32_t i = 0; i < g->count; i++)
        free(g->props[i].ballots);
    free(g->props);
    free(g->waiting);
}

static const gov *state_gov(const qfs_state *s, int infra)
{
    return infra ? &s->infra : &s->social;
}

/* The record of proposal `id`, or NULL. Records are in ascending id. */
static ev_proposal *find(ev_gov *g, uint64_t id)
{
    uint32_t lo = 0, hi = g->count;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (g->props[mid].id < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < g->count && g->props[lo].id == id ? &g->props[lo] : NULL;
}

qfs_err ev_gov_proposal(qfs_evidence *ev, const qfs_state *s, int infra, uint64_t event_index,
                        const qfs_ev_proposal *e)
{
    ev_gov *g = infra ? &ev->infra : &ev->social;
    const gov *sg = state_gov(s, infra);
    /* An accepted proposal is the last open one: ids only increase. */
    QFS_ASSERT(sg->count > 0 && sg->props[sg->count - 1].id == e->proposal_id);
    const proposal *p = &sg->props[sg->count - 1];
    qfs_err err = vec_reserve((void **)&g->props, &g->cap, g->count + 1, sizeof(ev_proposal));
    if (err != QFS_OK)
        return err;
    QFS_ASSERT(g->count == 0 || g->props[g->count - 1].id < p->id);
    ev_proposal *r = &g->props[g->count++];
    memset(r, 0, sizeof *r);
    r->id = p->id;
    r->proposer = s->acct_ids.ids[p->proposer];
    r->param = p->param;
    r->status = p->status;
    r->value = p->value;
    r->event_index = event_index;
    r->created_epoch = p->created_epoch;
    r->end_epoch = p->end_epoch;
    r->supply_snapshot = p->supply_snapshot;
    r->quorum_fp18 = infra ? P(s, INFRA_QUORUM) : P(s, SOCIAL_QUORUM);
    if (infra) {
        /* The weight cap of every ballot on this proposal: infra_vote_cap (a
         * genesis-only parameter) of the snapshot, as the fold takes it. */
        err = qfs_amount_mul_fp18(&r->vote_cap, p->supply_snapshot, P(s, INFRA_VOTE_CAP), QFS_ROUND_FLOOR);
        QFS_ASSERT(err == QFS_OK);
    }
    return QFS_OK;
}

qfs_err ev_gov_ballot(qfs_evidence *ev, const qfs_state *s, int infra, uint64_t event_index,
                      const qfs_ev_vote *e)
{
    ev_gov *g = infra ? &ev->infra : &ev->social;
    const gov *sg = state_gov(s, infra);
    uint32_t slot = u64map_get(&sg->by_id, e->proposal_id);
    ev_proposal *r = find(g, e->proposal_id);
    /* An accepted vote is on an open proposal, the collector saw it submitted,
     * and the ballot is that proposal's last one. */
    QFS_ASSERT(slot != NO_INDEX);
    if (!r)
        return QFS_E_STATE; /* the collector missed the proposal's submission */
    const proposal *p = &sg->props[slot];
    QFS_ASSERT(p->ballot_count > 0);
    const ballot *bl = &p->ballots[p->ballot_count - 1];
    qfs_err err = vec_reserve((void **)&r->ballots, &r->ballot_cap, r->ballot_count + 1, sizeof(ev_ballot));
    if (err != QFS_OK)
        return err;
    ev_ballot *rb = &r->ballots[r->ballot_count++];
    memset(rb, 0, sizeof *rb);
    rb->voter = s->acct_ids.ids[bl->voter];
    rb->choice = bl->choice;
    rb->event_index = event_index;
    rb->weight = bl->weight;
    rb->quorum_weight = bl->quorum_weight;
    r->yes = p->yes;
    r->no = p->no;
    r->abstain = p->abstain;
    r->quorum_cast = p->quorum_cast;
    return QFS_OK;
}

/* 1 if the pending list of `sg` still holds the change of proposal `id`
 * due at `apply_epoch`: a binary search, the list being sorted by (apply
 * epoch, proposal id). */
static int still_pending(const gov *sg, uint64_t apply_epoch, uint64_t id)
{
    uint32_t lo = 0, hi = sg->pending_count;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        const pending_change *c = &sg->pending[mid];
        if (c->apply_epoch < apply_epoch || (c->apply_epoch == apply_epoch && c->proposal_id < id))
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < sg->pending_count && sg->pending[lo].apply_epoch == apply_epoch &&
           sg->pending[lo].proposal_id == id;
}

static qfs_err gov_close_one(ev_gov *g, const qfs_state *s, int infra, uint64_t event_index)
{
    const gov *sg = state_gov(s, infra);
    uint64_t closed = s->epoch - 1;
    uint64_t delay = P(s, GOV_APPLY_DELAY_EPOCHS);
    for (uint32_t i = 0; i < sg->tallied_count; i++) {
        const proposal *p = &sg->tallied[i];
        ev_proposal *r = find(g, p->id);
        if (!r)
            return QFS_E_STATE; /* the collector missed the proposal's submission */
        QFS_ASSERT(!r->tallied);
        r->tallied = 1;
        r->status = p->status;
        r->yes = p->yes;
        r->no = p->no;
        r->abstain = p->abstain;
        r->quorum_cast = p->quorum_cast;
        r->quorum_required = p->quorum_need;
        r->tally_epoch = closed;
        r->tally_event = event_index;
        if (p->status == PROPOSAL_PASSED) {
            /* As the tally computed it (and qfs_state_tally reports it). */
            r->apply_epoch = closed > UINT64_MAX - delay ? UINT64_MAX : closed + delay;
            qfs_err err =
                vec_reserve((void **)&g->waiting, &g->waiting_cap, g->waiting_count + 1, sizeof(uint32_t));
            if (err != QFS_OK)
                return err;
            QFS_ASSERT(g->waiting_count == 0 ||
                       g->props[g->waiting[g->waiting_count - 1]].apply_epoch <= r->apply_epoch);
            g->waiting[g->waiting_count++] = (uint32_t)(r - g->props);
        }
    }
    /* A passed change that left the pending list was applied by this close.
     * The fold applies them in the order they wait here, so the applied ones
     * are a prefix of the waiting ones. */
    while (g->waiting_head < g->waiting_count) {
        ev_proposal *r = &g->props[g->waiting[g->waiting_head]];
        if (still_pending(sg, r->apply_epoch, r->id))
            break;
        r->applied = 1;
        r->applied_epoch = closed;
        r->applied_event = event_index;
        g->waiting_head++;
    }
    return QFS_OK;
}

qfs_err ev_gov_close(qfs_evidence *ev, const qfs_state *s, uint64_t event_index)
{
    qfs_err err = gov_close_one(&ev->infra, s, 1, event_index);
    if (err == QFS_OK)
        err = gov_close_one(&ev->social, s, 0, event_index);
    return err;
}

static void param_value(jw *b, const qfs_param_def *def, qfs_amount v)
{
    if (def->unit == QFS_UNIT_FP18)
        jw_fp(b, v);
    else if (def->unit == QFS_UNIT_AMOUNT)
        jw_amt(b, v);
    else
        jw_u64(b, (uint64_t)v);
}

static void proposal_json(jw *b, const ev_proposal *r, int infra)
{
    size_t count;
    const qfs_param_def *defs = qfs_params_all(&count);
    QFS_ASSERT(r->param < count);
    jw_open(b, '{');
    jw_key(b, "applied");
    if (r->applied) {
        jw_open(b, '{');
        jw_k_u64(b, "epoch", r->applied_epoch);
        jw_k_u64(b, "event", r->applied_event);
        jw_close(b, '}');
    } else {
        jw_null(b);
    }
    jw_key(b, "apply_epoch");
    if (r->tallied && r->status == PROPOSAL_PASSED)
        jw_u64(b, r->apply_epoch);
    else
        jw_null(b);
    jw_key(b, "ballots");
    jw_open(b, '[');
    for (uint32_t i = 0; i < r->ballot_count; i++) {
        const ev_ballot *bl = &r->ballots[i];
        jw_open(b, '{');
        jw_key(b, "capped");
        if (infra)
            jw_bool(b, bl->weight < bl->quorum_weight);
        else
            jw_null(b);
        jw_k_str(b, "choice", qfs_vote_choice_name((qfs_vote_choice)bl->choice));
        jw_k_u64(b, "event", bl->event_index);
        jw_k_amt(b, "quorum_weight", bl->quorum_weight);
        jw_k_id(b, "voter", &bl->voter);
        jw_k_amt(b, "weight", bl->weight);
        jw_close(b, '}');
    }
    jw_close(b, ']');
    jw_k_u64(b, "created_epoch", r->created_epoch);
    jw_k_u64(b, "end_epoch", r->end_epoch);
    jw_k_u64(b, "event", r->event_index);
    jw_k_amt(b, "id", r->id);
    jw_k_str(b, "parameter", defs[r->param].name);
    jw_key(b, "participation");
    jw_open(b, '{');
    jw_k_amt(b, "cast", r->quorum_cast);
    jw_k_fp(b, "quorum", r->quorum_fp18);
    jw_key(b, "required");
    if (r->tallied)
        jw_amt(b, r->quorum_required);
    else
        jw_null(b);
    jw_k_amt(b, "snapshot", r->supply_snapshot);
    jw_close(b, '}');
    jw_k_id(b, "proposer", &r->proposer);
    jw_k_str(b, "status", qfs_proposal_status_str(r->status));
    jw_key(b, "tally");
    if (r->tallied) {
        jw_open(b, '{');
        jw_k_amt(b, "abstain", r->abstain);
        jw_k_u64(b, "epoch", r->tally_epoch);
        jw_k_u64(b, "event", r->tally_event);
        jw_k_amt(b, "no", r->no);
        jw_k_amt(b, "yes", r->yes);
        jw_close(b, '}');
    } else {
        jw_null(b);
    }
    jw_key(b, "value");
    param_value(b, &defs[r->param], r->value);
    jw_key(b, "vote_cap");
    if (infra)
        jw_amt(b, r->vote_cap);
    else
        jw_null(b);
    jw_close(b, '}');
}

void ev_gov_render(const qfs_evidence *ev, jw *b)
{
    jw_open(b, '{');
    jw_key(b, "infra");
    jw_open(b, '[');
    for (uint32_t i = 0; i < ev->infra.count; i++)
        proposal_json(b, &ev->infra.props[i], 1);
    jw_close(b, ']');
    jw_key(b, "social");
    jw_open(b, '[');
    for (uint32_t i = 0; i < ev->social.count; i++)
        proposal_json(b, &ev->social.props[i], 0);
    jw_close(b, ']');
    jw_close(b, '}');
}
