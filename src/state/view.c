/* Canonical orders for the hash and JSON writers: every collection sorted by
 * id bytes (accounts, validators, nodes, memory nodes, ballots), by proposal
 * id, or by (validator id, release epoch) for unbonding entries. Slot order
 * inside the hash tables never shows through. */
#include "state/state_internal.h"

#include <string.h>

static int cmp_acct(const void *ctx, uint32_t a, uint32_t b)
{
    const qfs_state *s = ctx;
    return qfs_id_cmp(&s->acct_ids.ids[a], &s->acct_ids.ids[b]);
}

static int cmp_val(const void *ctx, uint32_t a, uint32_t b)
{
    const qfs_state *s = ctx;
    return cmp_acct(s, s->vals[a].account, s->vals[b].account);
}

static int cmp_node(const void *ctx, uint32_t a, uint32_t b)
{
    const qfs_state *s = ctx;
    return cmp_acct(s, s->nodes[a].account, s->nodes[b].account);
}

static int cmp_mem(const void *ctx, uint32_t a, uint32_t b)
{
    const qfs_state *s = ctx;
    return qfs_id_cmp(&s->mem_ids.ids[a], &s->mem_ids.ids[b]);
}

static int cmp_unbond(const void *ctx, uint32_t a, uint32_t b)
{
    const qfs_state *s = ctx;
    const unbond *x = &s->unbonds[a], *y = &s->unbonds[b];
    int c = cmp_val(s, x->validator, y->validator);
    if (c != 0)
        return c;
    if (x->release_epoch != y->release_epoch)
        return x->release_epoch < y->release_epoch ? -1 : 1;
    /* Entries with equal keys are merged by the writers; order them by
     * amount so that even the unmerged sequence is canonical. */
    return (x->amount > y->amount) - (x->amount < y->amount);
}

static int cmp_prop(const void *ctx, uint32_t a, uint32_t b)
{
    const gov *g = ctx;
    uint64_t x = g->props[a].id, y = g->props[b].id;
    return (x > y) - (x < y);
}

typedef struct ballot_ctx {
    const qfs_state *s;
    const proposal *p;
} ballot_ctx;

static int cmp_ballot(const void *ctx, uint32_t a, uint32_t b)
{
    const ballot_ctx *bc = ctx;
    return cmp_acct(bc->s, bc->p->ballots[a].voter, bc->p->ballots[b].voter);
}

static uint32_t iota(uint32_t *out, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++)
        out[i] = i;
    return n;
}

uint32_t view_accounts(const qfs_state *s, uint32_t *out)
{
    uint32_t n = s->acct_ids.count;
    uint32_t k = s->acct_order_count;
    QFS_ASSERT(k <= n && n <= s->acct_order_cap);
    if (k < n) {
        /* The cached order is scratch like s->scratch_a: updating it does
         * not change the state's value (see acct_order). */
        qfs_state *m = (qfs_state *)s;
        uint32_t *c = m->acct_order;
        for (uint32_t i = k; i < n; i++)
            c[i] = i;
        sort_u32(c + k, n - k, cmp_acct, s);
        /* Merge the sorted prefix and the sorted new accounts into out. Ids
         * are unique, so the merge never meets two equal keys. */
        uint32_t i = 0, j = k, o = 0;
        while (i < k && j < n)
            out[o++] = cmp_acct(s, c[i], c[j]) < 0 ? c[i++] : c[j++];
        while (i < k)
            out[o++] = c[i++];
        while (j < n)
            out[o++] = c[j++];
        memcpy(c, out, (size_t)n * sizeof *c);
        m->acct_order_count = n;
        return n;
    }
    /* With no accounts the order may never have been allocated: memcpy
     * must not see its NULL even for a length of 0. */
    if (n > 0)
        memcpy(out, s->acct_order, (size_t)n * sizeof *out);
    return n;
}

uint32_t view_validators(const qfs_state *s, uint32_t *out)
{
    uint32_t n = iota(out, s->val_count);
    sort_u32(out, n, cmp_val, s);
    return n;
}

uint32_t view_nodes(const qfs_state *s, uint32_t *out)
{
    uint32_t n = iota(out, s->node_count);
    sort_u32(out, n, cmp_node, s);
    return n;
}

uint32_t view_memnodes(const qfs_state *s, uint32_t *out)
{
    uint32_t n = iota(out, s->mem_ids.count);
    sort_u32(out, n, cmp_mem, s);
    return n;
}

uint32_t view_unbonds(const qfs_state *s, uint32_t *out)
{
    uint32_t n = iota(out, s->unbond_count);
    sort_u32(out, n, cmp_unbond, s);
    return n;
}

uint32_t view_proposals(const gov *g, uint32_t *out)
{
    uint32_t n = iota(out, g->count);
    sort_u32(out, n, cmp_prop, g);
    return n;
}

uint32_t view_ballots(const qfs_state *s, const proposal *p, uint32_t *out)
{
    ballot_ctx bc = {s, p};
    uint32_t n = iota(out, p->ballot_count);
    sort_u32(out, n, cmp_ballot, &bc);
    return n;
}
