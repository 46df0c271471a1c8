/* Id interning, the uint64 map, amortized vectors and a context sort.
 *
 * The tables use open addressing with linear probing and a load factor of at
 * most 1/2. Their slot order depends on table_seed; nothing outside this file
 * iterates slots, so the seed can never reach state, hashes or JSON. */
#include "state/state_internal.h"

#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

#define TABLE_SLOTS_MIN 16

qfs_err vec_reserve(void **p, uint32_t *cap, uint32_t need, size_t elem_size)
{
    if (need <= *cap)
        return QFS_OK;
    if (need > DENSE_COUNT_MAX)
        return QFS_E_NOMEM;
    uint32_t n = *cap ? *cap : 8;
    while (n < need)
        n = n > DENSE_COUNT_MAX / 2 ? DENSE_COUNT_MAX : n * 2;
    void *q = realloc(*p, (size_t)n * elem_size);
    if (!q)
        return QFS_E_NOMEM;
    *p = q;
    *cap = n;
    return QFS_OK;
}

static uint64_t id_hash(const idtab *t, const qfs_id *id)
{
    return XXH3_64bits_withSeed(id->bytes, id->len, t->seed);
}

void idtab_init(idtab *t, uint64_t seed)
{
    memset(t, 0, sizeof *t);
    t->seed = seed;
}

void idtab_free(idtab *t)
{
    free(t->ids);
    free(t->slots);
    memset(t, 0, sizeof *t);
}

uint32_t idtab_find(const idtab *t, const qfs_id *id)
{
    if (t->count == 0)
        return NO_INDEX;
    size_t i = (size_t)id_hash(t, id) & t->mask;
    for (size_t probes = 0; probes <= t->mask; probes++) {
        uint32_t v = t->slots[i];
        if (v == 0)
            return NO_INDEX;
        if (qfs_id_eq(&t->ids[v - 1], id))
            return v - 1;
        i = (i + 1) & t->mask;
    }
    return NO_INDEX;
}

static void idtab_place(idtab *t, uint32_t idx)
{
    size_t i = (size_t)id_hash(t, &t->ids[idx]) & t->mask;
    while (t->slots[i] != 0)
        i = (i + 1) & t->mask;
    t->slots[i] = idx + 1;
}

qfs_err idtab_reserve(idtab *t, uint32_t extra)
{
    if (extra > DENSE_COUNT_MAX - t->count)
        return QFS_E_NOMEM;
    uint32_t need = t->count + extra;
    qfs_err err = vec_reserve((void **)&t->ids, &t->cap, need, sizeof(qfs_id));
    if (err != QFS_OK)
        return err;
    size_t slots = t->mask ? t->mask + 1 : 0;
    if ((size_t)need * 2 <= slots)
        return QFS_OK;
    size_t n = slots ? slots : TABLE_SLOTS_MIN;
    while (n < (size_t)need * 2)
        n *= 2;
    uint32_t *ns = calloc(n, sizeof *ns);
    if (!ns)
        return QFS_E_NOMEM;
    free(t->slots);
    t->slots = ns;
    t->mask = n - 1;
    for (uint32_t i = 0; i < t->count; i++)
        idtab_place(t, i);
    return QFS_OK;
}

uint32_t idtab_add(idtab *t, const qfs_id *id)
{
    QFS_ASSERT(t->count < t->cap && (size_t)(t->count + 1) * 2 <= t->mask + 1);
    uint32_t idx = t->count++;
    memset(&t->ids[idx], 0, sizeof(qfs_id));
    t->ids[idx].len = id->len;
    memcpy(t->ids[idx].bytes, id->bytes, id->len);
    idtab_place(t, idx);
    return idx;
}

/* ---- u64map ---- */

static uint64_t mix64(uint64_t x)
{
    /* splitmix64 finalizer */
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

void u64map_init(u64map *m, uint64_t seed)
{
    memset(m, 0, sizeof *m);
    m->seed = seed;
}

void u64map_free(u64map *m)
{
    free(m->keys);
    free(m->vals);
    memset(m, 0, sizeof *m);
}

uint32_t u64map_get(const u64map *m, uint64_t key)
{
    if (m->count == 0)
        return NO_INDEX;
    size_t i = (size_t)mix64(key ^ m->seed) & m->mask;
    for (size_t probes = 0; probes <= m->mask; probes++) {
        if (m->vals[i] == 0)
            return NO_INDEX;
        if (m->keys[i] == key)
            return m->vals[i] - 1;
        i = (i + 1) & m->mask;
    }
    return NO_INDEX;
}

static void u64map_place(u64map *m, uint64_t key, uint32_t val1)
{
    size_t i = (size_t)mix64(key ^ m->seed) & m->mask;
    while (m->vals[i] != 0)
        i = (i + 1) & m->mask;
    m->keys[i] = key;
    m->vals[i] = val1;
}

qfs_err u64map_reserve(u64map *m, size_t extra)
{
    size_t need = m->count + extra;
    size_t slots = m->mask ? m->mask + 1 : 0;
    if (need * 2 <= slots)
        return QFS_OK;
    size_t n = slots ? slots : TABLE_SLOTS_MIN;
    while (n < need * 2)
        n *= 2;
    uint64_t *nk = malloc(n * sizeof *nk);
    uint32_t *nv = calloc(n, sizeof *nv);
    if (!nk || !nv) {
        free(nk);
        free(nv);
        return QFS_E_NOMEM;
    }
    uint64_t *ok = m->keys;
    uint32_t *ov = m->vals;
    m->keys = nk;
    m->vals = nv;
    m->mask = n - 1;
    for (size_t i = 0; i < slots; i++)
        if (ov[i] != 0)
            u64map_place(m, ok[i], ov[i]);
    free(ok);
    free(ov);
    return QFS_OK;
}

void u64map_clear(u64map *m)
{
    if (m->vals)
        memset(m->vals, 0, (m->mask + 1) * sizeof *m->vals);
    m->count = 0;
}

void u64map_put(u64map *m, uint64_t key, uint32_t val)
{
    QFS_ASSERT((m->count + 1) * 2 <= m->mask + 1);
    u64map_place(m, key, val + 1);
    m->count++;
}

/* ---- heapsort with a context ---- */

static void sift_down(uint32_t *v, size_t start, size_t n, sort_cmp_fn cmp, const void *ctx)
{
    size_t root = start;
    for (;;) {
        size_t child = 2 * root + 1;
        if (child >= n)
            return;
        if (child + 1 < n && cmp(ctx, v[child], v[child + 1]) < 0)
            child++;
        if (cmp(ctx, v[root], v[child]) >= 0)
            return;
        uint32_t tmp = v[root];
        v[root] = v[child];
        v[child] = tmp;
        root = child;
    }
}

void sort_u32(uint32_t *v, size_t n, sort_cmp_fn cmp, const void *ctx)
{
    if (n < 2)
        return;
    for (size_t i = n / 2; i-- > 0;)
        sift_down(v, i, n, cmp, ctx);
    for (size_t end = n - 1; end > 0; end--) {
        uint32_t tmp = v[0];
        v[0] = v[end];
        v[end] = tmp;
        sift_down(v, 0, end, cmp, ctx);
    }
}
