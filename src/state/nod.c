/* NOD: infrastructure telemetry and the allocation of the NOD pool at epoch
 * close.
 *
 * A node is active at a close when it sent telemetry during the epoch and its
 * correctness is at least nod_correctness_floor. With fewer than
 * nod_min_active_nodes active nodes the whole pool carries over. Otherwise
 * each active node receives floor(pool x score / sum of scores) (floor(pool /
 * n) when every score is 0), cut to floor(pool x nod_node_cap); rounding dust
 * and amounts cut by the cap stay in the pool for the next epoch. Shares do
 * not depend on the order of the nodes, so no node is favoured by its id. */
#include "state/state_internal.h"

/* One node's share; see the file comment. */
static qfs_amount nod_share(qfs_amount pool, uint64_t score, qfs_amount score_sum, uint64_t n,
                            qfs_amount cap_amount)
{
    qfs_amount share;
    if (score_sum == 0) {
        share = pool / n; /* floor */
    } else {
        qfs_err err = qfs_mul_div(&share, pool, score, score_sum, QFS_ROUND_FLOOR);
        QFS_ASSERT(err == QFS_OK); /* score <= score_sum */
    }
    return share < cap_amount ? share : cap_amount;
}

static qfs_amount cap_amount_of(qfs_amount pool, uint64_t cap_fp18)
{
    qfs_amount cap;
    qfs_err err = qfs_amount_mul_fp18(&cap, pool, cap_fp18, QFS_ROUND_FLOOR);
    QFS_ASSERT(err == QFS_OK); /* cap <= 1 */
    return cap;
}

qfs_amount nod_split(qfs_amount pool, const uint64_t *scores, size_t n, uint64_t cap_fp18,
                     qfs_amount *shares_out)
{
    QFS_ASSERT(cap_fp18 <= QFS_FP18_ONE);
    if (n == 0)
        return 0;
    unsigned __int128 sum = 0;
    for (size_t i = 0; i < n; i++)
        sum += scores[i];
    qfs_amount cap = cap_amount_of(pool, cap_fp18);
    qfs_amount total = 0;
    for (size_t i = 0; i < n; i++) {
        shares_out[i] = nod_share(pool, scores[i], sum, n, cap);
        total += shares_out[i];
    }
    QFS_ASSERT(total <= pool);
    return total;
}

static uint64_t node_score(const qfs_state *s, const infra_node *nd)
{
    uint64_t u, r, c;
    qfs_fp18_mul(&u, nd->uptime_fp18, P(s, NOD_WEIGHT_UPTIME), QFS_ROUND_FLOOR);
    qfs_fp18_mul(&r, nd->replication_fp18, P(s, NOD_WEIGHT_REPLICATION), QFS_ROUND_FLOOR);
    qfs_fp18_mul(&c, nd->correctness_fp18, P(s, NOD_WEIGHT_CORRECTNESS), QFS_ROUND_FLOOR);
    return u + r + c; /* each term <= 1 */
}

static int node_active(const qfs_state *s, const infra_node *nd)
{
    return nd->telemetry_epoch_plus1 == s->epoch + 1 && nd->correctness_fp18 >= P(s, NOD_CORRECTNESS_FLOOR);
}

uint32_t nod_apply_telemetry(qfs_state *s, const qfs_ev_node_telemetry *e, qfs_err *err)
{
    uint32_t a = 0;
    uint32_t code = ledger_find_kind(s, &e->node, QFS_ACCOUNT_INFRA_NODE, &a);
    if (code != QFS_REJECT_NONE)
        return code;
    if (e->uptime_fp18 > QFS_FP18_ONE || e->replication_fp18 > QFS_FP18_ONE ||
        e->correctness_fp18 > QFS_FP18_ONE)
        return QFS_REJECT_RATIO_OUT_OF_RANGE;
    uint32_t slot = s->accts[a].role;
    infra_node *nd = &s->nodes[slot];
    if (nd->telemetry_epoch_plus1 != s->epoch + 1) {
        qfs_err e1 =
            vec_reserve((void **)&s->reporters, &s->reporter_cap, s->reporter_count + 1, sizeof(uint32_t));
        if (e1 != QFS_OK) {
            *err = e1;
            return QFS_REJECT_NONE;
        }
        s->reporters[s->reporter_count++] = slot;
        nd->telemetry_epoch_plus1 = s->epoch + 1;
    }
    nd->uptime_fp18 = e->uptime_fp18;
    nd->replication_fp18 = e->replication_fp18;
    nd->correctness_fp18 = e->correctness_fp18;
    return QFS_REJECT_NONE;
}

void nod_close(qfs_state *s)
{
    close_report *rep = &s->report;
    QFS_ASSERT(s->reporter_count <= rep->node_cap);
    uint64_t n = 0;
    unsigned __int128 sum = 0;
    rep->node_count = s->reporter_count;
    for (uint32_t i = 0; i < s->reporter_count; i++) {
        const infra_node *nd = &s->nodes[s->reporters[i]];
        report_node *rn = &rep->nodes[i];
        rn->node = s->reporters[i];
        rn->active = (uint8_t)node_active(s, nd);
        rn->score_fp18 = node_score(s, nd);
        rn->uncapped = 0;
        rn->share = 0;
        if (!rn->active)
            continue;
        n++;
        sum += rn->score_fp18;
    }
    qfs_amount pool = s->pool[QFS_ASSET_NOD][POOL_REWARD];
    rep->nod_pool = pool;
    rep->nod_score_sum = sum;
    rep->nod_cap_amount = 0;
    s->nod_active_last = n;
    s->nod_alloc_last = 0;
    if (n < P(s, NOD_MIN_ACTIVE_NODES))
        return; /* the pool carries over whole */
    qfs_amount cap = cap_amount_of(pool, P(s, NOD_NODE_CAP));
    rep->nod_cap_amount = cap;
    qfs_amount total = 0;
    for (uint32_t i = 0; i < s->reporter_count; i++) {
        report_node *rn = &rep->nodes[i];
        if (!rn->active)
            continue;
        infra_node *nd = &s->nodes[rn->node];
        /* The uncapped share: nod_share with a cap that cannot bite. */
        rn->uncapped = nod_share(pool, rn->score_fp18, sum, n, QFS_AMOUNT_MAX);
        qfs_amount share = rn->uncapped < cap ? rn->uncapped : cap;
        rn->share = share;
        ledger_credit(s, nd->account, QFS_ASSET_NOD, share);
        nd->nod_received += share;
        total += share;
    }
    QFS_ASSERT(total <= pool);
    s->pool[QFS_ASSET_NOD][POOL_REWARD] = pool - total;
    s->nod_alloc_last = total;
}
