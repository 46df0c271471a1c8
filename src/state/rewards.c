/* T2 rewards at epoch close.
 *
 * Recipients are the validators with bonded T1 after slashing. The epoch's
 * mint is t2_pool, plus floor(t2_pool x t2_deficit_bonus) in deficit mode;
 * it is added to the dust carried from earlier epochs and shared in
 * proportion to effective Psi (equal shares when every Psi is 0), each share
 * rounded down. What rounding leaves stays in the T2 reward pool for the next
 * epoch, so no unit is ever lost. With no recipient nothing is minted. */
#include "state/state_internal.h"

void rewards_close(qfs_state *s)
{
    close_report *rep = &s->report;
    s->t2_minted_last = 0;
    s->t2_paid_last = 0;
    rep->t2_count = 0;
    rep->t2_bonus = 0;
    rep->t2_carried_in = s->pool[QFS_ASSET_T2][POOL_REWARD];
    uint64_t n = 0;
    unsigned __int128 psi_sum = 0;
    for (uint32_t i = 0; i < s->val_count; i++) {
        if (s->vals[i].staked == 0)
            continue;
        n++;
        psi_sum += coherence_effective_psi(s, &s->vals[i]);
    }
    rep->t2_recipients = n;
    rep->t2_psi_sum = psi_sum;
    if (n == 0)
        return;
    qfs_amount mint = PA(s, T2_POOL);
    if (s->deficit) {
        qfs_amount bonus;
        qfs_err err = qfs_amount_mul_fp18(&bonus, mint, P(s, T2_DEFICIT_BONUS), QFS_ROUND_FLOOR);
        QFS_ASSERT(err == QFS_OK); /* t2_pool <= 10^30 and the bonus <= 5 */
        mint += bonus;
        rep->t2_bonus = bonus;
    }
    /* Issuance saturates at 2^128 - 1 base units ever issued (docs/SPEC.md). */
    qfs_amount room = QFS_AMOUNT_MAX - s->issued[QFS_ASSET_T2];
    if (mint > room)
        mint = room;
    s->issued[QFS_ASSET_T2] += mint;
    qfs_amount distributable = s->pool[QFS_ASSET_T2][POOL_REWARD] + mint; /* <= issued */
    qfs_amount paid = 0;
    for (uint32_t i = 0; i < s->val_count; i++) {
        validator *v = &s->vals[i];
        if (v->staked == 0)
            continue;
        qfs_amount share;
        uint64_t psi = coherence_effective_psi(s, v);
        if (psi_sum == 0) {
            share = distributable / n; /* floor */
        } else {
            qfs_err err = qfs_mul_div(&share, distributable, psi, psi_sum, QFS_ROUND_FLOOR);
            QFS_ASSERT(err == QFS_OK); /* psi <= psi_sum, so share <= distributable */
        }
        QFS_ASSERT(rep->t2_count < rep->t2_cap);
        report_t2 *rt = &rep->t2[rep->t2_count++];
        rt->validator = i;
        rt->pad_ = 0;
        rt->psi_fp18 = psi;
        rt->staked = v->staked;
        rt->share = share;
        ledger_credit(s, v->account, QFS_ASSET_T2, share);
        v->t2_received += share;
        paid += share;
    }
    QFS_ASSERT(paid <= distributable);
    s->pool[QFS_ASSET_T2][POOL_REWARD] = distributable - paid;
    s->t2_minted_last = mint;
    s->t2_paid_last = paid;
}
