/* Full recount of every total and the cross-module invariants. This is the
 * slow, independent check: it recomputes from the entities what the fold
 * keeps incrementally, so a drift between the two is caught. */
#include "state/state_internal.h"

/* *sum += v; a recount that passes 2^128 - 1 is itself a broken invariant. */
static int add_ok(qfs_amount *sum, qfs_amount v)
{
    return qfs_add_amount(sum, *sum, v) == QFS_OK;
}

qfs_err qfs_state_check_invariants(const qfs_state *s, qfs_diag *diag)
{
    qfs_amount bal[QFS_ASSET_COUNT] = {0};
    int fits = 1;
    for (uint32_t i = 0; i < s->acct_ids.count; i++) {
        const account *ac = &s->accts[i];
        for (int a = 1; a < QFS_ASSET_COUNT; a++)
            fits &= add_ok(&bal[a], ac->bal[a]);
        if (ac->bal[QFS_ASSET_NOD] != 0 && ac->kind != QFS_ACCOUNT_INFRA_NODE) {
            qfs_diag_set(diag, "account %u holds NOD but is not an infrastructure node", i);
            return QFS_E_STATE;
        }
    }
    for (int a = 1; a < QFS_ASSET_COUNT; a++) {
        if (!fits || bal[a] != s->bal_total[a]) {
            qfs_diag_set(diag, "sum of %s balances drifted from its running total",
                         qfs_asset_name((qfs_asset)a));
            return QFS_E_STATE;
        }
    }
    qfs_amount staked = 0, unbonding = 0, entries = 0;
    for (uint32_t i = 0; i < s->val_count; i++) {
        fits &= add_ok(&staked, s->vals[i].staked);
        fits &= add_ok(&unbonding, s->vals[i].unbonding);
        if (s->vals[i].base_psi_fp18 > QFS_FP18_ONE) {
            qfs_diag_set(diag, "validator %u has a base Psi above 1", i);
            return QFS_E_STATE;
        }
    }
    for (uint32_t i = 0; i < s->unbond_count; i++)
        fits &= add_ok(&entries, s->unbonds[i].amount);
    if (!fits || staked != s->pool[QFS_ASSET_T1][POOL_STAKED] ||
        unbonding != s->pool[QFS_ASSET_T1][POOL_UNBONDING] || entries != unbonding) {
        qfs_diag_set(diag, "staked or unbonding T1 totals do not match the validators");
        return QFS_E_STATE;
    }
    for (int a = 1; a < QFS_ASSET_COUNT; a++) {
        qfs_amount sum = bal[a];
        for (int p = 0; p < POOL_COUNT; p++)
            fits &= add_ok(&sum, s->pool[a][p]);
        if (!fits || sum != s->issued[a]) {
            qfs_diag_set(diag, "supply invariant broken for %s: balances + pools + burned != issued",
                         qfs_asset_name((qfs_asset)a));
            return QFS_E_STATE;
        }
    }
    /* Pools hold only the assets the spec allows. */
    for (int a = 1; a < QFS_ASSET_COUNT; a++) {
        int ok = 1;
        if (a != QFS_ASSET_T1)
            ok &= s->pool[a][POOL_STAKED] == 0 && s->pool[a][POOL_UNBONDING] == 0;
        if (a != QFS_ASSET_ATR && a != QFS_ASSET_T1 && a != QFS_ASSET_T4)
            ok &= s->pool[a][POOL_TREASURY] == 0;
        if (a != QFS_ASSET_T2 && a != QFS_ASSET_NOD)
            ok &= s->pool[a][POOL_REWARD] == 0;
        if (a != QFS_ASSET_T4)
            ok &= s->pool[a][POOL_BURNED] == 0;
        if (!ok) {
            qfs_diag_set(diag, "a pool holds %s, which it never should", qfs_asset_name((qfs_asset)a));
            return QFS_E_STATE;
        }
    }
    if (s->fees_total_atr != s->pool[QFS_ASSET_ATR][POOL_TREASURY]) {
        qfs_diag_set(diag, "treasury ATR differs from the fees collected");
        return QFS_E_STATE;
    }
    if (s->c_hat_fp18 > QFS_FP18_ONE) {
        qfs_diag_set(diag, "network coherence above 1");
        return QFS_E_STATE;
    }
    return QFS_OK;
}
