/* T4 attunement boosts. Burning T4 sets the validator's boost to the burned
 * amount for boost_duration_ms of event time. A new boost replaces the
 * current one, whatever is left of it: boosts never compound. */
#include "state/state_internal.h"

uint32_t boost_apply(qfs_state *s, const qfs_ev_boost *e)
{
    uint32_t a = 0;
    uint32_t code = ledger_find_kind(s, &e->validator, QFS_ACCOUNT_VALIDATOR, &a);
    if (code != QFS_REJECT_NONE)
        return code;
    if (e->amount == 0)
        return QFS_REJECT_ZERO_AMOUNT;
    if (s->accts[a].bal[QFS_ASSET_T4] < e->amount)
        return QFS_REJECT_INSUFFICIENT_BALANCE;
    uint64_t until;
    if (qfs_add_u64(&until, s->now_ms, P(s, BOOST_DURATION_MS)) != QFS_OK)
        return QFS_REJECT_AMOUNT_OVERFLOW;
    validator *v = &s->vals[s->accts[a].role];
    ledger_debit(s, a, QFS_ASSET_T4, e->amount);
    s->pool[QFS_ASSET_T4][POOL_BURNED] += e->amount;
    v->boost_amount = e->amount;
    v->boost_until_ms = until;
    return QFS_REJECT_NONE;
}
