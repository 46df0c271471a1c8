/* T1 staking: stake, unstake with an unbonding delay, slashing at epoch close.
 *
 * Staked and unbonding T1 leave the balance and sit in two pools of the T1
 * supply. Slashing takes only bonded stake (unbonding T1 has left the
 * validator's voting weight and is not at risk) and the T4 balance; slashed
 * amounts go to the treasury. */
#include "state/state_internal.h"

static uint32_t validator_of(const qfs_state *s, const qfs_id *id, uint32_t *vslot)
{
    uint32_t a = 0;
    uint32_t code = ledger_find_kind(s, id, QFS_ACCOUNT_VALIDATOR, &a);
    if (code == QFS_REJECT_NONE)
        *vslot = s->accts[a].role;
    return code;
}

uint32_t staking_apply_stake(qfs_state *s, const qfs_ev_stake *e)
{
    uint32_t v;
    uint32_t code = validator_of(s, &e->validator, &v);
    if (code != QFS_REJECT_NONE)
        return code;
    if (e->amount == 0)
        return QFS_REJECT_ZERO_AMOUNT;
    validator *val = &s->vals[v];
    if (s->accts[val->account].bal[QFS_ASSET_T1] < e->amount)
        return QFS_REJECT_INSUFFICIENT_BALANCE;
    ledger_debit(s, val->account, QFS_ASSET_T1, e->amount);
    val->staked += e->amount; /* part of the T1 supply: cannot overflow */
    s->pool[QFS_ASSET_T1][POOL_STAKED] += e->amount;
    return QFS_REJECT_NONE;
}

uint32_t staking_apply_unstake(qfs_state *s, const qfs_ev_stake *e, qfs_err *err)
{
    uint32_t v;
    uint32_t code = validator_of(s, &e->validator, &v);
    if (code != QFS_REJECT_NONE)
        return code;
    if (e->amount == 0)
        return QFS_REJECT_ZERO_AMOUNT;
    if (s->vals[v].staked < e->amount)
        return QFS_REJECT_INSUFFICIENT_STAKE;
    /* Stake weighs in open ballots too: unbonding it could carry the same
     * T1 into another validator's ballot on the same proposal. */
    if (validator_ballot_locked(s, &s->vals[v]))
        return QFS_REJECT_BALLOT_LOCKED;
    uint64_t release;
    if (qfs_add_u64(&release, s->epoch, P(s, UNBONDING_EPOCHS)) != QFS_OK)
        return QFS_REJECT_AMOUNT_OVERFLOW;
    qfs_err e1 = vec_reserve((void **)&s->unbonds, &s->unbond_cap, s->unbond_count + 1, sizeof(unbond));
    if (e1 == QFS_OK)
        e1 = state_scratch_reserve(s, s->unbond_count + 1);
    if (e1 != QFS_OK) {
        *err = e1;
        return QFS_REJECT_NONE;
    }
    validator *val = &s->vals[v];
    val->staked -= e->amount;
    val->unbonding += e->amount;
    s->pool[QFS_ASSET_T1][POOL_STAKED] -= e->amount;
    s->pool[QFS_ASSET_T1][POOL_UNBONDING] += e->amount;
    unbond *u = &s->unbonds[s->unbond_count++];
    u->validator = v;
    u->pad_ = 0;
    u->release_epoch = release;
    u->amount = e->amount;
    return QFS_REJECT_NONE;
}

/* min(cap, floor(shortfall x rate)) */
static uint64_t slash_fraction(uint64_t shortfall_fp18, uint64_t rate_fp18, uint64_t cap_fp18)
{
    uint64_t f;
    qfs_err err = qfs_fp18_mul(&f, shortfall_fp18, rate_fp18, QFS_ROUND_FLOOR);
    QFS_ASSERT(err == QFS_OK); /* both factors are at most 1 */
    return f < cap_fp18 ? f : cap_fp18;
}

void staking_slash_close(qfs_state *s)
{
    uint64_t threshold = P(s, SLASH_PSI_THRESHOLD);
    close_report *rep = &s->report;
    rep->slash_count = 0;
    for (uint32_t i = 0; i < s->val_count; i++) {
        validator *v = &s->vals[i];
        qfs_amount t4 = s->accts[v->account].bal[QFS_ASSET_T4];
        if (v->staked == 0 && t4 == 0)
            continue;
        uint64_t psi = coherence_effective_psi(s, v);
        if (psi >= threshold)
            continue; /* exactly at the threshold is not slashed */
        uint64_t shortfall = threshold - psi;
        uint64_t f1 = slash_fraction(shortfall, P(s, SLASH_T1_RATE), P(s, SLASH_T1_CAP));
        uint64_t f4 = slash_fraction(shortfall, P(s, SLASH_T4_RATE), P(s, SLASH_T4_CAP));
        qfs_amount cut1, cut4;
        qfs_err e1 = qfs_amount_mul_fp18(&cut1, v->staked, f1, QFS_ROUND_FLOOR);
        qfs_err e4 = qfs_amount_mul_fp18(&cut4, t4, f4, QFS_ROUND_FLOOR);
        QFS_ASSERT(e1 == QFS_OK && e4 == QFS_OK); /* fractions are at most 1 */
        QFS_ASSERT(rep->slash_count < rep->slash_cap);
        report_slash *rs = &rep->slashes[rep->slash_count++];
        rs->validator = i;
        rs->pad_ = 0;
        rs->psi_fp18 = psi;
        rs->shortfall_fp18 = shortfall;
        rs->f1_fp18 = f1;
        rs->f4_fp18 = f4;
        rs->staked = v->staked;
        rs->t4 = t4;
        rs->cut1 = cut1;
        rs->cut4 = cut4;
        v->staked -= cut1;
        v->slashed_t1 += cut1;
        s->pool[QFS_ASSET_T1][POOL_STAKED] -= cut1;
        s->pool[QFS_ASSET_T1][POOL_TREASURY] += cut1;
        ledger_debit(s, v->account, QFS_ASSET_T4, cut4);
        v->slashed_t4 += cut4;
        s->pool[QFS_ASSET_T4][POOL_TREASURY] += cut4;
    }
}

void staking_unbond_close(qfs_state *s)
{
    uint32_t i = 0;
    while (i < s->unbond_count) {
        unbond *u = &s->unbonds[i];
        if (u->release_epoch > s->epoch) {
            i++;
            continue;
        }
        validator *v = &s->vals[u->validator];
        v->unbonding -= u->amount;
        s->pool[QFS_ASSET_T1][POOL_UNBONDING] -= u->amount;
        ledger_credit(s, v->account, QFS_ASSET_T1, u->amount);
        /* Swap-remove: the array order is not canonical (the encoding sorts). */
        s->unbonds[i] = s->unbonds[--s->unbond_count];
    }
}
