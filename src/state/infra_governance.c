/* Infrastructure (NOD) governance: proposals on infrastructure parameters
 * only, one vote per infrastructure node. The quorum measures participation:
 * the NOD held by the nodes that voted, uncapped, against infra_quorum of the
 * NOD supply snapshotted when the proposal was created (exactly the quorum
 * meets it). The decision weighs each ballot at its NOD balance capped at
 * infra_vote_cap of that snapshot, and passes when yes > no. */
#include "state/state_internal.h"

uint32_t infra_governance_apply_proposal(qfs_state *s, const qfs_ev_proposal *e, qfs_err *err)
{
    uint32_t a = 0;
    uint32_t code = ledger_find_kind(s, &e->proposer, QFS_ACCOUNT_INFRA_NODE, &a);
    if (code != QFS_REJECT_NONE)
        return code;
    /* The NOD supply is what infrastructure nodes hold; the undistributed
     * pool belongs to no one and does not vote. */
    return gov_propose(s, &s->infra, e, a, P(s, INFRA_VOTE_EPOCHS), s->bal_total[QFS_ASSET_NOD], err);
}

uint32_t infra_governance_apply_vote(qfs_state *s, const qfs_ev_vote *e, qfs_err *err)
{
    if (e->choice != QFS_VOTE_YES && e->choice != QFS_VOTE_NO && e->choice != QFS_VOTE_ABSTAIN)
        return QFS_REJECT_INVALID_EVENT;
    uint32_t a = 0;
    uint32_t code = ledger_find_kind(s, &e->voter, QFS_ACCOUNT_INFRA_NODE, &a);
    if (code != QFS_REJECT_NONE)
        return code;
    qfs_amount bal = s->accts[a].bal[QFS_ASSET_NOD];
    /* The cap is taken of the snapshot, so it is fixed for the proposal's
     * whole life; gov_vote finds the proposal again for the checks. */
    uint32_t p = u64map_get(&s->infra.by_id, e->proposal_id);
    qfs_amount weight = bal;
    if (p != NO_INDEX) {
        qfs_amount cap;
        qfs_err e1 = qfs_amount_mul_fp18(&cap, s->infra.props[p].supply_snapshot, P(s, INFRA_VOTE_CAP),
                                         QFS_ROUND_FLOOR);
        QFS_ASSERT(e1 == QFS_OK);
        if (weight > cap)
            weight = cap;
    }
    return gov_vote(s, &s->infra, e, a, weight, bal, err);
}

void infra_governance_close(qfs_state *s)
{
    gov_tally(s, &s->infra, P(s, INFRA_QUORUM));
}
