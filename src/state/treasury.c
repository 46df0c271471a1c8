/* The treasury: ATR fees, and the NOD they issue into the NOD pool.
 *
 * Every fee goes whole to the treasury. On top of it, floor(fee x
 * nod_fraction) new NOD is issued into the NOD pool, as long as the epoch's
 * issuance stays within nod_issuance_cap; what the cap cuts is simply not
 * issued (and counted in nod_cut_total), so no unit ever exists outside a
 * balance or a pool. */
#include "state/state_internal.h"

uint32_t treasury_check_fee(const qfs_state *s, qfs_amount fee_atr)
{
    return fee_atr < PA(s, FEE_MIN_ATR) ? QFS_REJECT_FEE_TOO_LOW : QFS_REJECT_NONE;
}

static qfs_amount min_amount(qfs_amount a, qfs_amount b)
{
    return a < b ? a : b;
}

void treasury_charge_fee(qfs_state *s, uint32_t payer, qfs_amount fee_atr)
{
    if (fee_atr == 0)
        return;
    ledger_debit(s, payer, QFS_ASSET_ATR, fee_atr);
    /* The treasury's ATR is a part of the ATR supply: no overflow possible. */
    s->pool[QFS_ASSET_ATR][POOL_TREASURY] += fee_atr;
    s->fees_total_atr += fee_atr; /* equals the treasury's ATR: ATR never leaves it */

    qfs_amount raw;
    qfs_err err = qfs_amount_mul_fp18(&raw, fee_atr, P(s, NOD_FRACTION), QFS_ROUND_FLOOR);
    QFS_ASSERT(err == QFS_OK); /* nod_fraction <= 0.15 keeps raw below fee */
    qfs_amount cap = PA(s, NOD_ISSUANCE_CAP);
    qfs_amount room = cap > s->nod_issued_epoch ? cap - s->nod_issued_epoch : 0;
    room = min_amount(room, QFS_AMOUNT_MAX - s->issued[QFS_ASSET_NOD]);
    qfs_amount issue = min_amount(raw, room);
    qfs_amount cut = raw - issue;
    s->nod_cut_total = s->nod_cut_total > QFS_AMOUNT_MAX - cut ? QFS_AMOUNT_MAX : s->nod_cut_total + cut;
    /* Each sum is at most the epoch's fees, part of the ATR supply. */
    s->report.fees_epoch_atr += fee_atr;
    s->report.nod_raw_epoch += raw;
    s->report.nod_cut_epoch += cut;
    s->nod_issued_epoch += issue;
    s->issued[QFS_ASSET_NOD] += issue;
    s->pool[QFS_ASSET_NOD][POOL_REWARD] += issue;
}

uint32_t treasury_apply_user_action(qfs_state *s, const qfs_ev_user_action *u)
{
    uint32_t acct = ledger_find(s, &u->account);
    if (acct == NO_INDEX)
        return QFS_REJECT_UNKNOWN_ACCOUNT;
    uint32_t code = treasury_check_fee(s, u->fee_atr);
    if (code != QFS_REJECT_NONE)
        return code;
    if (s->accts[acct].bal[QFS_ASSET_ATR] < u->fee_atr)
        return QFS_REJECT_INSUFFICIENT_BALANCE;
    treasury_charge_fee(s, acct, u->fee_atr);
    return QFS_REJECT_NONE;
}
