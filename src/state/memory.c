/* T5 memory incentives and the memory registry.
 *
 * A contribution with lambda_node strictly above t5_lambda_min earns
 * rPhiV (x) lambda_node (x) t5_rate T5, each (x) a fixed-point product with
 * floor: an 18-decimal number of whole tokens, which is exactly a count of
 * base units (10^18 per token). It counts as one unit of T5 impact toward
 * C-hat at the next epoch close. Every contribution is recorded under its memory node id and adds
 * its lambda_node to the epoch's mean. */
#include "state/state_internal.h"

#include <string.h>

uint32_t memory_apply_contribution(qfs_state *s, const qfs_ev_memory_contribution *e, qfs_err *err)
{
    uint32_t a = ledger_find(s, &e->contributor);
    if (a == NO_INDEX)
        return QFS_REJECT_UNKNOWN_ACCOUNT;
    if (e->lambda_node_fp18 > QFS_FP18_ONE)
        return QFS_REJECT_RATIO_OUT_OF_RANGE;
    int qualifies = e->lambda_node_fp18 > P(s, T5_LAMBDA_MIN); /* exactly the minimum earns nothing */
    qfs_amount reward = 0;
    if (qualifies) {
        uint64_t x;
        qfs_err e1 = qfs_fp18_mul(&x, e->rphiv_fp18, e->lambda_node_fp18, QFS_ROUND_FLOOR);
        QFS_ASSERT(e1 == QFS_OK); /* lambda <= 1 */
        e1 = qfs_fp18_mul(&x, x, P(s, T5_RATE), QFS_ROUND_FLOOR);
        QFS_ASSERT(e1 == QFS_OK); /* rate <= 1 */
        reward = x;
        if (reward > QFS_AMOUNT_MAX - s->issued[QFS_ASSET_T5])
            return QFS_REJECT_AMOUNT_OVERFLOW;
    }
    uint32_t m = idtab_find(&s->mem_ids, &e->memory_node_id);
    if (m == NO_INDEX) {
        qfs_err e2 = idtab_reserve(&s->mem_ids, 1);
        if (e2 == QFS_OK)
            e2 = vec_reserve((void **)&s->mems, &s->mem_cap, s->mem_ids.count + 1, sizeof(memnode));
        if (e2 == QFS_OK)
            e2 = state_scratch_reserve(s, s->mem_ids.count + 1);
        if (e2 != QFS_OK) {
            *err = e2;
            return QFS_REJECT_NONE;
        }
        m = idtab_add(&s->mem_ids, &e->memory_node_id);
        memset(&s->mems[m], 0, sizeof(memnode));
    }
    memnode *mn = &s->mems[m];
    close_report *rep = &s->report;
    if (mn->listed_epoch_plus1 != s->epoch + 1) {
        /* The first contribution of the epoch to this memory node: listed
         * for the close's report (evidence), so that a close reports the
         * nodes of its epoch without walking every memory node. */
        qfs_err e3 = vec_reserve((void **)&rep->mem_epoch, &rep->mem_epoch_cap, rep->mem_epoch_count + 1,
                                 sizeof(uint32_t));
        if (e3 != QFS_OK) {
            *err = e3;
            return QFS_REJECT_NONE;
        }
        rep->mem_epoch[rep->mem_epoch_count++] = m;
        mn->listed_epoch_plus1 = s->epoch + 1;
    }
    mn->contributions++;
    mn->rewarded += (uint64_t)qualifies;
    mn->t5_total += reward; /* part of the T5 supply */
    mn->last_lambda_fp18 = e->lambda_node_fp18;
    s->mem_epoch_count++;
    s->mem_epoch_rewarded += (uint64_t)qualifies;
    s->mem_epoch_lambda_sum += e->lambda_node_fp18;
    s->issued[QFS_ASSET_T5] += reward;
    ledger_credit(s, a, QFS_ASSET_T5, reward);
    return QFS_REJECT_NONE;
}
