/* The canonical byte encoding of the state, per module, and its XXH3-128
 * hashes. docs/SPEC.md ("Canonical encoding") is the normative layout; this
 * file follows it field by field.
 *
 * Integers are fixed-width little-endian whatever the host; ids are one
 * length byte then the id's bytes; collections are a u32 count then their
 * entries in canonical order (sorted by id bytes, or by proposal id). The
 * bytes stream through a small buffer into XXH3, so hashing never allocates:
 * the sort scratch belongs to the state and was sized when collections grew. */
#define XXH_STATIC_LINKING_ONLY
#include "state/state_internal.h"

#include <string.h>
#include <xxhash.h>

#define STATE_FORMAT_VERSION 2u
#define ENC_BUF_BYTES 4096

typedef struct enc {
    XXH3_state_t xs;
    size_t n;
    uint8_t buf[ENC_BUF_BYTES];
} enc;

static void enc_flush(enc *e)
{
    if (e->n) {
        XXH3_128bits_update(&e->xs, e->buf, e->n);
        e->n = 0;
    }
}

/* The next `len` bytes of the buffer, flushed first when they do not fit:
 * every value is stored straight into the buffer, one bounds check per
 * value (or per entry, where an entry's size is known up front). */
static uint8_t *room(enc *e, size_t len)
{
    QFS_ASSERT(len <= ENC_BUF_BYTES);
    if (e->n + len > ENC_BUF_BYTES)
        enc_flush(e);
    uint8_t *p = e->buf + e->n;
    e->n += len;
    return p;
}

/* Little-endian whatever the host. On a little-endian host that is the
 * value's own bytes, one copy; elsewhere the bytes are taken from the
 * value's bits one by one. (Written out byte by byte, GCC 12 at -O2
 * vectorizes the stores of a u128 through the stack and pays a stalled
 * load for every one: that was most of the cost of hashing a state.) */
#if defined(__BYTE_ORDER__) && defined(__ORDER_LITTLE_ENDIAN__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define HOST_IS_LITTLE_ENDIAN 1
#else
#define HOST_IS_LITTLE_ENDIAN 0
#endif

static uint8_t *store_u32(uint8_t *p, uint32_t v)
{
    if (HOST_IS_LITTLE_ENDIAN) {
        memcpy(p, &v, 4);
    } else {
        for (int i = 0; i < 4; i++)
            p[i] = (uint8_t)(v >> (8 * i));
    }
    return p + 4;
}

static uint8_t *store_u64(uint8_t *p, uint64_t v)
{
    if (HOST_IS_LITTLE_ENDIAN) {
        memcpy(p, &v, 8);
    } else {
        for (int i = 0; i < 8; i++)
            p[i] = (uint8_t)(v >> (8 * i));
    }
    return p + 8;
}

static uint8_t *store_u128(uint8_t *p, qfs_amount v)
{
    p = store_u64(p, (uint64_t)v);
    return store_u64(p, (uint64_t)(v >> 64));
}

/* One length byte, then the id's bytes: 1 + id->len bytes. */
static uint8_t *store_id(uint8_t *p, const qfs_id *id)
{
    *p++ = id->len;
    memcpy(p, id->bytes, id->len);
    return p + id->len;
}

static void put(enc *e, const void *p, size_t len)
{
    memcpy(room(e, len), p, len);
}

static void put_u8(enc *e, uint8_t v)
{
    *room(e, 1) = v;
}

static void put_u32(enc *e, uint32_t v)
{
    store_u32(room(e, 4), v);
}

static void put_u64(enc *e, uint64_t v)
{
    store_u64(room(e, 8), v);
}

static void put_u128(enc *e, qfs_amount v)
{
    store_u128(room(e, 16), v);
}

static void put_id(enc *e, const qfs_id *id)
{
    store_id(room(e, 1 + (size_t)id->len), id);
}

static void put_name(enc *e, const char *name)
{
    size_t len = strlen(name);
    QFS_ASSERT(len <= QFS_ID_BYTES_MAX);
    put_u8(e, (uint8_t)len);
    put(e, name, len);
}

static const qfs_id *acct_id(const qfs_state *s, uint32_t a)
{
    return &s->acct_ids.ids[a];
}

static void enc_ledger(const qfs_state *s, enc *e)
{
    put_u8(e, (uint8_t)(s->has_genesis != 0));
    put_id(e, &s->chain_id);
    put_u64(e, s->epoch);
    put_u64(e, s->last_ts_ms);
    uint32_t *order = s->scratch_a;
    uint32_t n = view_accounts(s, order);
    put_u32(e, n);
    for (uint32_t i = 0; i < n; i++) {
        const account *ac = &s->accts[order[i]];
        const qfs_id *id = acct_id(s, order[i]);
        uint8_t *p = room(e, 1 + (size_t)id->len + 1 + 16 * (QFS_ASSET_COUNT - 1));
        p = store_id(p, id);
        *p++ = ac->kind;
        for (int a = 1; a < QFS_ASSET_COUNT; a++)
            p = store_u128(p, ac->bal[a]);
    }
    for (int a = 1; a < QFS_ASSET_COUNT; a++)
        put_u128(e, s->issued[a]);
}

static void enc_staking(const qfs_state *s, enc *e)
{
    uint32_t *order = s->scratch_a;
    uint32_t n = view_validators(s, order);
    put_u32(e, n);
    for (uint32_t i = 0; i < n; i++) {
        const validator *v = &s->vals[order[i]];
        const qfs_id *id = acct_id(s, v->account);
        uint8_t *p = room(e, 1 + (size_t)id->len + 5 * 16 + 8);
        p = store_id(p, id);
        p = store_u128(p, v->staked);
        p = store_u128(p, v->unbonding);
        p = store_u128(p, v->slashed_t1);
        p = store_u128(p, v->slashed_t4);
        p = store_u128(p, v->t2_received);
        store_u64(p, v->ballot_lock_epoch_plus1);
    }
    /* Unbonding entries merged by (validator, release epoch). */
    n = view_unbonds(s, order);
    uint32_t groups = 0;
    for (uint32_t i = 0; i < n; i++)
        if (i == 0 || s->unbonds[order[i]].validator != s->unbonds[order[i - 1]].validator ||
            s->unbonds[order[i]].release_epoch != s->unbonds[order[i - 1]].release_epoch)
            groups++;
    put_u32(e, groups);
    for (uint32_t i = 0; i < n;) {
        const unbond *u = &s->unbonds[order[i]];
        qfs_amount amount = 0;
        uint32_t j = i;
        while (j < n && s->unbonds[order[j]].validator == u->validator &&
               s->unbonds[order[j]].release_epoch == u->release_epoch)
            amount += s->unbonds[order[j++]].amount; /* part of the T1 supply */
        put_id(e, acct_id(s, s->vals[u->validator].account));
        put_u64(e, u->release_epoch);
        put_u128(e, amount);
        i = j;
    }
    put_u128(e, s->pool[QFS_ASSET_T1][POOL_STAKED]);
    put_u128(e, s->pool[QFS_ASSET_T1][POOL_UNBONDING]);
}

static void enc_coherence(const qfs_state *s, enc *e)
{
    put_u64(e, s->c_hat_fp18);
    put_u64(e, s->c_core_fp18);
    put_u64(e, s->c_lambda_fp18);
    put_u64(e, s->c_impact_fp18);
    put_u8(e, (uint8_t)(s->deficit != 0));
    uint64_t window = P(s, VOTE_ELIGIBILITY_WINDOW);
    uint32_t *order = s->scratch_a;
    uint32_t n = view_validators(s, order);
    put_u32(e, n);
    for (uint32_t i = 0; i < n; i++) {
        uint32_t vs = order[i];
        const validator *v = &s->vals[vs];
        put_id(e, acct_id(s, v->account));
        put_u64(e, v->base_psi_fp18);
        put_u64(e, v->report_count);
        uint64_t kept = v->report_count < window ? v->report_count : window;
        uint64_t start = v->report_count < window ? 0 : v->ring_pos;
        put_u32(e, (uint32_t)kept);
        const uint64_t *ring = &s->psi_ring[(size_t)vs * window];
        for (uint64_t k = 0; k < kept; k++)
            put_u64(e, ring[(start + k) % window]);
        put_u128(e, v->boost_amount);
        put_u64(e, v->boost_until_ms);
    }
}

static void enc_gov(const qfs_state *s, const gov *g, qfs_param_domain domain, enc *e)
{
    size_t count;
    const qfs_param_def *defs = qfs_params_all(&count);
    uint32_t nparams = 0;
    for (size_t i = 0; i < count; i++)
        nparams +=
            (defs[i].domain == domain) || (domain == QFS_DOMAIN_SOCIAL && defs[i].domain == QFS_DOMAIN_FIXED);
    put_u32(e, nparams);
    for (size_t i = 0; i < count; i++) {
        if (!((defs[i].domain == domain) ||
              (domain == QFS_DOMAIN_SOCIAL && defs[i].domain == QFS_DOMAIN_FIXED)))
            continue;
        put_name(e, defs[i].name);
        put_u128(e, s->params[i]);
    }
    put_u64(e, g->accepted);
    put_u64(e, g->accepted > 0 ? g->last_id : 0);
    put(e, g->closed_digest.bytes, 16);
    put_u32(e, g->pending_count);
    for (uint32_t i = 0; i < g->pending_count; i++) {
        const pending_change *c = &g->pending[i];
        put_u64(e, c->apply_epoch);
        put_u64(e, c->proposal_id);
        put_name(e, defs[c->param].name);
        put_u128(e, c->value);
    }
    uint32_t *order = s->scratch_a;
    uint32_t *ballots = s->scratch_b;
    uint32_t n = view_proposals(g, order);
    put_u32(e, n);
    for (uint32_t i = 0; i < n; i++) {
        const proposal *p = &g->props[order[i]];
        put_u64(e, p->id);
        put_id(e, acct_id(s, p->proposer));
        put_name(e, defs[p->param].name);
        put_u128(e, p->value);
        put_u64(e, p->created_epoch);
        put_u64(e, p->end_epoch);
        put_u128(e, p->supply_snapshot);
        put_u128(e, p->yes);
        put_u128(e, p->no);
        put_u128(e, p->abstain);
        put_u128(e, p->quorum_cast);
        uint32_t nb = view_ballots(s, p, ballots);
        put_u32(e, nb);
        for (uint32_t k = 0; k < nb; k++) {
            const ballot *b = &p->ballots[ballots[k]];
            put_id(e, acct_id(s, b->voter));
            put_u8(e, b->choice);
            put_u128(e, b->weight);
            put_u128(e, b->quorum_weight);
        }
    }
}

static void enc_memory(const qfs_state *s, enc *e)
{
    uint32_t *order = s->scratch_a;
    uint32_t n = view_memnodes(s, order);
    put_u32(e, n);
    for (uint32_t i = 0; i < n; i++) {
        const memnode *m = &s->mems[order[i]];
        put_id(e, &s->mem_ids.ids[order[i]]);
        put_u64(e, m->contributions);
        put_u64(e, m->rewarded);
        put_u128(e, m->t5_total);
        put_u64(e, m->last_lambda_fp18);
    }
    put_u64(e, s->mem_epoch_count);
    put_u64(e, s->mem_epoch_rewarded);
    put_u128(e, s->mem_epoch_lambda_sum);
}

static void enc_treasury(const qfs_state *s, enc *e)
{
    for (int a = 1; a < QFS_ASSET_COUNT; a++)
        put_u128(e, s->pool[a][POOL_TREASURY]);
    for (int a = 1; a < QFS_ASSET_COUNT; a++)
        put_u128(e, s->pool[a][POOL_BURNED]);
    put_u128(e, s->fees_total_atr);
    put_u128(e, s->pool[QFS_ASSET_T2][POOL_REWARD]);
    put_u128(e, s->t2_minted_last);
    put_u128(e, s->t2_paid_last);
}

static void enc_nod(const qfs_state *s, enc *e)
{
    put_u128(e, s->pool[QFS_ASSET_NOD][POOL_REWARD]);
    put_u128(e, s->nod_issued_epoch);
    put_u128(e, s->nod_cut_total);
    put_u128(e, s->nod_alloc_last);
    put_u64(e, s->nod_active_last);
    uint32_t *order = s->scratch_a;
    uint32_t n = view_nodes(s, order);
    put_u32(e, n);
    for (uint32_t i = 0; i < n; i++) {
        const infra_node *nd = &s->nodes[order[i]];
        put_id(e, acct_id(s, nd->account));
        put_u64(e, nd->telemetry_epoch_plus1);
        put_u64(e, nd->uptime_fp18);
        put_u64(e, nd->replication_fp18);
        put_u64(e, nd->correctness_fp18);
        put_u128(e, nd->nod_received);
    }
}

static void enc_receipts(const qfs_state *s, enc *e)
{
    put_u64(e, s->event_count);
    put_u64(e, s->rejected_count);
    put(e, s->receipt_chain.bytes, 16);
}

/* An entry's signer keys: 2 * (1 + QFS_PUBLIC_KEY_BYTES) + 8 bytes. */
#define SIGNER_KEYS_BYTES (2 * (1 + QFS_PUBLIC_KEY_BYTES) + 8)

static uint8_t *store_signer_keys(uint8_t *p, const signer_keys *k)
{
    static const uint8_t none[QFS_PUBLIC_KEY_BYTES] = {0};
    *p++ = k->has_key;
    memcpy(p, k->has_key ? k->key.bytes : none, QFS_PUBLIC_KEY_BYTES);
    p += QFS_PUBLIC_KEY_BYTES;
    *p++ = k->has_prev;
    memcpy(p, k->has_prev ? k->prev.bytes : none, QFS_PUBLIC_KEY_BYTES);
    p += QFS_PUBLIC_KEY_BYTES;
    return store_u64(p, k->sequence);
}

static void put_signer_keys(enc *e, const signer_keys *k)
{
    store_signer_keys(room(e, SIGNER_KEYS_BYTES), k);
}

static void enc_auth(const qfs_state *s, enc *e)
{
    put_u8(e, (uint8_t)s->auth_mode);
    for (int r = 0; r < QFS_ROLE_COUNT; r++) {
        const holder *h = &s->holders[r];
        put_u8(e, (uint8_t)(h->present != 0));
        if (!h->present)
            continue;
        put_id(e, &h->id);
        put_signer_keys(e, &h->auth);
    }
    uint32_t *order = s->scratch_a;
    uint32_t n = view_accounts(s, order);
    put_u32(e, n);
    for (uint32_t i = 0; i < n; i++) {
        const qfs_id *id = acct_id(s, order[i]);
        uint8_t *p = room(e, 1 + (size_t)id->len + SIGNER_KEYS_BYTES);
        store_signer_keys(store_id(p, id), &s->accts[order[i]].auth);
    }
}

static const char *const MODULES[] = {"ledger",   "staking", "coherence",        "governance", "memory",
                                      "treasury", "nod",     "infra_governance", "receipts",   "auth"};
#define MODULE_COUNT (sizeof MODULES / sizeof MODULES[0])

size_t qfs_state_module_count(void)
{
    return MODULE_COUNT;
}

const char *qfs_state_module_name(size_t i)
{
    return i < MODULE_COUNT ? MODULES[i] : NULL;
}

void qfs_state_module_hash(const qfs_state *s, size_t i, qfs_hash128 *out)
{
    QFS_ASSERT(i < MODULE_COUNT);
    enc e;
    XXH3_128bits_reset(&e.xs);
    e.n = 0;
    put_u32(&e, STATE_FORMAT_VERSION);
    put_u8(&e, (uint8_t)i);
    switch (i) {
    case 0: enc_ledger(s, &e); break;
    case 1: enc_staking(s, &e); break;
    case 2: enc_coherence(s, &e); break;
    case 3: enc_gov(s, &s->social, QFS_DOMAIN_SOCIAL, &e); break;
    case 4: enc_memory(s, &e); break;
    case 5: enc_treasury(s, &e); break;
    case 6: enc_nod(s, &e); break;
    case 7: enc_gov(s, &s->infra, QFS_DOMAIN_INFRA, &e); break;
    case 8: enc_receipts(s, &e); break;
    default: enc_auth(s, &e); break;
    }
    enc_flush(&e);
    XXH128_canonical_t c;
    XXH128_canonicalFromHash(&c, XXH3_128bits_digest(&e.xs));
    memcpy(out->bytes, c.digest, 16);
}

void state_hash_of_modules(const qfs_hash128 *modules, qfs_hash128 *out)
{
    uint8_t buf[8 + 16 * MODULE_COUNT];
    for (int i = 0; i < 4; i++) {
        buf[i] = (uint8_t)(STATE_FORMAT_VERSION >> (8 * i));
        buf[4 + i] = (uint8_t)((uint32_t)MODULE_COUNT >> (8 * i));
    }
    for (size_t m = 0; m < MODULE_COUNT; m++)
        memcpy(buf + 8 + 16 * m, modules[m].bytes, 16);
    qfs_hash128_of(out, buf, sizeof buf);
}

void qfs_state_hash(const qfs_state *s, qfs_hash128 *out)
{
    qfs_hash128 modules[MODULE_COUNT];
    for (size_t m = 0; m < MODULE_COUNT; m++)
        qfs_state_module_hash(s, m, &modules[m]);
    state_hash_of_modules(modules, out);
}
