/* Psi and network coherence: coherence reports, effective Psi, vote
 * eligibility, and C-hat at epoch close.
 *
 * Each validator keeps its last vote_eligibility_window base-Psi reports in a
 * ring (the window is fixed at genesis, so the ring never resizes). */
#include "state/state_internal.h"

uint64_t coherence_effective_psi(const qfs_state *s, const validator *v)
{
    uint64_t psi = v->base_psi_fp18;
    if (v->boost_amount != 0 && s->now_ms < v->boost_until_ms) {
        /* Whole T4 burned x boost_psi_per_token: boost_amount x per_token /
         * 10^18, floor. A product beyond 128 bits is far above 1 and
         * saturates like any sum above 1. */
        qfs_amount add;
        if (qfs_amount_mul_fp18(&add, v->boost_amount, P(s, BOOST_PSI_PER_TOKEN), QFS_ROUND_FLOOR) != QFS_OK)
            return QFS_FP18_ONE;
        psi = add >= QFS_FP18_ONE - psi ? QFS_FP18_ONE : psi + (uint64_t)add;
    }
    return psi < QFS_FP18_ONE ? psi : QFS_FP18_ONE;
}

int coherence_eligible(const qfs_state *s, uint32_t vslot)
{
    const validator *v = &s->vals[vslot];
    uint64_t window = P(s, VOTE_ELIGIBILITY_WINDOW);
    uint64_t n = v->report_count < window ? v->report_count : window;
    if (n == 0)
        return 0;
    const uint64_t *ring = &s->psi_ring[(size_t)vslot * window];
    unsigned __int128 sum = 0;
    /* Before the ring wraps, reports fill it from position 0. */
    for (uint64_t i = 0; i < n; i++)
        sum += ring[i];
    uint64_t mean = (uint64_t)(sum / n); /* floor */
    return mean >= P(s, VOTE_ELIGIBILITY_PSI);
}

int coherence_any_boost_active(const qfs_state *s)
{
    for (uint32_t i = 0; i < s->val_count; i++)
        if (s->vals[i].boost_amount != 0 && s->now_ms < s->vals[i].boost_until_ms)
            return 1;
    return 0;
}

uint32_t coherence_apply_report(qfs_state *s, const qfs_ev_coherence_report *e)
{
    uint32_t a = 0;
    uint32_t code = ledger_find_kind(s, &e->validator, QFS_ACCOUNT_VALIDATOR, &a);
    if (code != QFS_REJECT_NONE)
        return code;
    if (e->psi_fp18 > QFS_FP18_ONE)
        return QFS_REJECT_RATIO_OUT_OF_RANGE;
    uint32_t vslot = s->accts[a].role;
    validator *v = &s->vals[vslot];
    uint64_t window = P(s, VOTE_ELIGIBILITY_WINDOW);
    v->base_psi_fp18 = e->psi_fp18;
    s->psi_ring[(size_t)vslot * window + v->ring_pos] = e->psi_fp18;
    v->ring_pos = (uint32_t)((v->ring_pos + 1) % window);
    if (v->report_count != UINT64_MAX)
        v->report_count++;
    return QFS_REJECT_NONE;
}

void coherence_close(qfs_state *s)
{
    /* The stake-weighted mean: a sum of 128 x 64-bit products on 256 bits. */
    qfs_u256 num = {0, 0};
    qfs_amount den = 0;
    for (uint32_t i = 0; i < s->val_count; i++) {
        const validator *v = &s->vals[i];
        if (v->staked == 0)
            continue;
        qfs_err e1 = qfs_u256_add_mul(&num, v->staked, coherence_effective_psi(s, v));
        QFS_ASSERT(e1 == QFS_OK); /* below 2^128 x 10^18 */
        den += v->staked;         /* part of the T1 supply */
    }
    /* num / den is a mean of values <= 1, so it fits. */
    qfs_amount core128 = 0;
    if (den) {
        qfs_err e2 = qfs_u256_div(&core128, num, den); /* floor */
        QFS_ASSERT(e2 == QFS_OK && core128 <= QFS_FP18_ONE);
    }
    uint64_t core = (uint64_t)core128;
    uint64_t lambda = s->mem_epoch_count ? (uint64_t)(s->mem_epoch_lambda_sum / s->mem_epoch_count) : 0;
    unsigned __int128 impact128 = (unsigned __int128)s->mem_epoch_rewarded * P(s, COHERENCE_T5_IMPACT);
    uint64_t impact = impact128 > QFS_FP18_ONE ? QFS_FP18_ONE : (uint64_t)impact128;
    /* An epoch without memory contributions has no lambda to weigh: C-hat
     * is then C_core alone. Weighing a missing mean as 0 would cap C-hat at
     * the core weight (0.8 by default), below the deficit threshold, and put
     * every quiet epoch in deficit mode. */
    uint64_t base = core;
    if (s->mem_epoch_count) {
        uint64_t wc, wl;
        qfs_fp18_mul(&wc, core, P(s, COHERENCE_WEIGHT_CORE), QFS_ROUND_FLOOR);
        qfs_fp18_mul(&wl, lambda, P(s, COHERENCE_WEIGHT_LAMBDA), QFS_ROUND_FLOOR);
        base = wc + wl; /* each term <= 1 */
    }
    uint64_t c = base + impact; /* each term <= 2: no overflow */
    s->report.staked_sum = den;
    s->report.mem_count = s->mem_epoch_count;
    s->report.mem_rewarded = s->mem_epoch_rewarded;
    s->report.c_base_fp18 = base;
    s->c_core_fp18 = core;
    s->c_lambda_fp18 = lambda;
    s->c_impact_fp18 = impact;
    s->c_hat_fp18 = c < QFS_FP18_ONE ? c : QFS_FP18_ONE;
    s->deficit = s->c_hat_fp18 < P(s, DEFICIT_COHERENCE);
}
