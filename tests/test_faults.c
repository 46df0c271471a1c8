/* Fault injection under the log: a seeded in-memory storage that tears,
 * drops, misdirects and corrupts writes, and flips bits at rest.
 *
 * Property, over thousands of seeds: after any single fault, a reader either
 * returns exactly the events that were written, or a prefix of them made of
 * whole acknowledged batches whose chain head then differs from the writer's
 * (a lost final write is indistinguishable from a crash before it, and the
 * published chain head is what exposes it), or it refuses with an error. It
 * never returns a different event. */
#include "qfs/log.h"
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct rng {
    uint64_t s;
} rng;

static uint64_t rng_next(rng *r)
{
    uint64_t z = (r->s += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static uint64_t rng_below(rng *r, uint64_t n)
{
    return n ? rng_next(r) % n : 0;
}

typedef enum fault_kind {
    FAULT_NONE,
    FAULT_TORN_WRITE,    /* a write persists only a prefix, then fails */
    FAULT_DROPPED_WRITE, /* a write reports success but persists nothing */
    FAULT_MISDIRECTED,   /* a write lands at another offset */
    FAULT_BIT_FLIP_REST, /* a bit flips in the file after writing */
    FAULT_BIT_FLIP_READ, /* a read returns one flipped bit */
    FAULT_KIND_COUNT
} fault_kind;

struct qfs_storage_file {
    int unused;
};

typedef struct memstore {
    rng r;
    uint8_t *data;
    size_t len;
    size_t cap;
    int exists;
    fault_kind fault;
    uint64_t fault_at_write; /* which write_at call (0-based) gets the fault */
    uint64_t writes;
    uint64_t reads;
    uint64_t fault_at_read;
    int fault_fired;
    struct qfs_storage_file file;
} memstore;

static void ensure_cap(memstore *m, size_t need)
{
    if (need <= m->cap)
        return;
    size_t ncap = m->cap ? m->cap : 4096;
    while (ncap < need)
        ncap *= 2;
    m->data = realloc(m->data, ncap);
    ck_assert_ptr_nonnull(m->data);
    m->cap = ncap;
}

static void put(memstore *m, uint64_t off, const void *buf, size_t len)
{
    ensure_cap(m, (size_t)off + len);
    if (off > m->len)
        memset(m->data + m->len, 0, (size_t)off - m->len); /* a hole reads as zeros */
    if (len != 0) /* an empty store has no buffer yet: no pointer arithmetic on NULL */
        memcpy(m->data + off, buf, len);
    if (off + len > m->len)
        m->len = (size_t)off + len;
}

static qfs_err ms_open(void *ctx, const char *path, int writable, int create, int *created,
                       qfs_storage_file **out, qfs_diag *diag)
{
    (void)path;
    (void)writable;
    (void)diag;
    memstore *m = ctx;
    if (!m->exists) {
        if (!create)
            return QFS_E_NOT_FOUND;
        m->exists = 1;
        if (created)
            *created = 1;
    } else if (created) {
        *created = 0;
    }
    *out = &m->file;
    return QFS_OK;
}

static qfs_err ms_read_at(void *ctx, qfs_storage_file *f, uint64_t off, void *buf, size_t len, size_t *got,
                          qfs_diag *diag)
{
    (void)f;
    (void)diag;
    memstore *m = ctx;
    size_t n = 0;
    if (off < m->len)
        n = (m->len - (size_t)off) < len ? (m->len - (size_t)off) : len;
    if (n != 0)
        memcpy(buf, m->data + off, n);
    if (m->fault == FAULT_BIT_FLIP_READ && !m->fault_fired && m->reads++ == m->fault_at_read && n > 0) {
        ((uint8_t *)buf)[rng_below(&m->r, n)] ^= (uint8_t)(1u << rng_below(&m->r, 8));
        m->fault_fired = 1;
    }
    *got = n;
    return QFS_OK;
}

static qfs_err ms_write_at(void *ctx, qfs_storage_file *f, uint64_t off, const void *buf, size_t len,
                           qfs_diag *diag)
{
    (void)f;
    memstore *m = ctx;
    uint64_t n = m->writes++;
    if (!m->fault_fired && n == m->fault_at_write) {
        switch (m->fault) {
        case FAULT_TORN_WRITE:
            m->fault_fired = 1;
            put(m, off, buf, (size_t)rng_below(&m->r, len));
            qfs_diag_set(diag, "injected torn write");
            return QFS_E_IO;
        case FAULT_DROPPED_WRITE: m->fault_fired = 1; return QFS_OK;
        case FAULT_MISDIRECTED: {
            m->fault_fired = 1;
            uint64_t shift = 1 + rng_below(&m->r, 200);
            uint64_t target = rng_below(&m->r, 2) && off >= shift ? off - shift : off + shift;
            put(m, target, buf, len);
            return QFS_OK;
        }
        default: break;
        }
    }
    put(m, off, buf, len);
    return QFS_OK;
}

static qfs_err ms_size(void *ctx, qfs_storage_file *f, uint64_t *out, qfs_diag *diag)
{
    (void)f;
    (void)diag;
    *out = ((memstore *)ctx)->len;
    return QFS_OK;
}

static qfs_err ms_truncate(void *ctx, qfs_storage_file *f, uint64_t size, qfs_diag *diag)
{
    (void)f;
    (void)diag;
    memstore *m = ctx;
    if (size > m->len) {
        ensure_cap(m, (size_t)size);
        memset(m->data + m->len, 0, (size_t)size - m->len);
    }
    m->len = (size_t)size;
    return QFS_OK;
}

static qfs_err ms_sync(void *ctx, qfs_storage_file *f, qfs_diag *diag)
{
    (void)ctx;
    (void)f;
    (void)diag;
    return QFS_OK;
}

static qfs_err ms_sync_dir(void *ctx, const char *path, qfs_diag *diag)
{
    (void)ctx;
    (void)path;
    (void)diag;
    return QFS_OK;
}

static void ms_close(void *ctx, qfs_storage_file *f)
{
    (void)ctx;
    (void)f;
}

static qfs_storage storage_for(memstore *m)
{
    qfs_storage st = {m,           ms_open, ms_read_at,  ms_write_at, ms_size,
                      ms_truncate, ms_sync, ms_sync_dir, ms_close};
    return st;
}

/* Event k of a test stream: deterministic bytes of a length that varies
 * with k, so that records differ in size and content. */
static size_t event_bytes(uint64_t k, uint8_t *buf)
{
    size_t len = 1 + (size_t)((k * 37) % 61);
    for (size_t i = 0; i < len; i++)
        buf[i] = (uint8_t)(k * 131 + i * 7 + (k >> 3));
    return len;
}

#define BATCHES 6
#define BATCH_EVENTS 5

static const qfs_hash128 SCHEMA = {{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16}};

/* Writes BATCHES batches; returns how many were acknowledged (QFS_OK). */
static uint64_t write_batches(memstore *m, qfs_hash128 *chain_out)
{
    qfs_storage st = storage_for(m);
    qfs_log_writer *w = NULL;
    qfs_diag d;
    memset(chain_out, 0, sizeof *chain_out);
    if (qfs_log_writer_open(&w, "mem.qlog", &SCHEMA, &st, NULL, &d) != QFS_OK)
        return 0;
    uint64_t acked = 0;
    uint8_t bytes[BATCH_EVENTS][64];
    for (uint64_t b = 0; b < BATCHES; b++) {
        qfs_log_event_bytes ev[BATCH_EVENTS];
        for (uint64_t i = 0; i < BATCH_EVENTS; i++) {
            ev[i].data = bytes[i];
            ev[i].len = event_bytes(b * BATCH_EVENTS + i, bytes[i]);
        }
        if (qfs_log_writer_append(w, ev, BATCH_EVENTS, NULL, &d) != QFS_OK)
            break;
        acked++;
    }
    qfs_log_writer_chain_head(w, chain_out);
    qfs_log_writer_free(w);
    return acked;
}

typedef enum outcome { OUT_EXACT, OUT_PREFIX_DETECTED, OUT_REFUSED } outcome;

/* Reads everything back and classifies the result; fails the test on any
 * event that differs from what was written. */
static outcome read_back(memstore *m, uint64_t acked, const qfs_hash128 *writer_chain)
{
    qfs_storage st = storage_for(m);
    qfs_log_reader *r = NULL;
    qfs_diag d;
    if (qfs_log_reader_open(&r, "mem.qlog", &SCHEMA, &st, &d) != QFS_OK)
        return OUT_REFUSED;
    uint64_t n = 0;
    qfs_err err;
    for (;;) {
        const uint8_t *data;
        size_t len;
        uint64_t index;
        err = qfs_log_reader_next(r, &data, &len, &index, &d);
        if (err != QFS_OK)
            break;
        uint8_t want[64];
        size_t want_len = event_bytes(n, want);
        ck_assert_uint_eq(index, n);
        ck_assert_uint_eq(len, want_len);
        ck_assert_int_eq(memcmp(data, want, len), 0);
        n++;
    }
    qfs_hash128 chain;
    qfs_log_reader_chain_head(r, &chain);
    qfs_log_reader_free(r);
    if (err != QFS_E_EOF)
        return OUT_REFUSED;
    /* A clean end: whole batches, never more than were written. */
    ck_assert_uint_eq(n % BATCH_EVENTS, 0);
    ck_assert_uint_le(n, BATCHES * BATCH_EVENTS);
    if (n == acked * BATCH_EVENTS && qfs_hash128_eq(&chain, writer_chain))
        return OUT_EXACT;
    /* Fewer events than acknowledged: the chain head must give it away. */
    ck_assert(!qfs_hash128_eq(&chain, writer_chain));
    return OUT_PREFIX_DETECTED;
}

START_TEST(test_faults_reader__exact_or_refused_over_seeds)
{
    uint64_t counts[FAULT_KIND_COUNT][3];
    memset(counts, 0, sizeof counts);
    const uint64_t seeds = 12000;
    for (uint64_t seed = 0; seed < seeds; seed++) {
        memstore m;
        memset(&m, 0, sizeof m);
        m.r.s = seed * 0x2545f4914f6cdd1dULL + 1;
        m.fault = (fault_kind)(seed % FAULT_KIND_COUNT);
        /* Write 0 is the file header; records are writes 1..BATCHES. */
        m.fault_at_write = rng_below(&m.r, BATCHES + 1);
        m.fault_at_read = rng_below(&m.r, 3 * BATCHES);
        qfs_hash128 chain;
        uint64_t acked = write_batches(&m, &chain);
        if (m.fault == FAULT_BIT_FLIP_REST && m.len > 0) {
            m.data[rng_below(&m.r, m.len)] ^= (uint8_t)(1u << rng_below(&m.r, 8));
            m.fault_fired = 1;
        }
        outcome o = read_back(&m, acked, &chain);
        counts[m.fault][o]++;
        if (m.fault == FAULT_NONE)
            ck_assert_int_eq(o, OUT_EXACT);
        if (m.fault == FAULT_BIT_FLIP_REST)
            ck_assert_int_eq(o, OUT_REFUSED); /* every byte is under a checksum */

        /* A writer reopening the damaged log either repairs a torn tail and
         * then holds exactly the acknowledged batches, or refuses. */
        if (m.fault == FAULT_TORN_WRITE) {
            qfs_storage st = storage_for(&m);
            qfs_log_writer *w = NULL;
            qfs_diag d;
            m.fault = FAULT_NONE;
            if (qfs_log_writer_open(&w, "mem.qlog", &SCHEMA, &st, NULL, &d) == QFS_OK) {
                ck_assert_uint_eq(qfs_log_writer_event_count(w), acked * BATCH_EVENTS);
                qfs_log_writer_free(w);
            }
        }
        free(m.data);
    }
    static const char *names[] = {
        "none", "torn write", "dropped write", "misdirected write", "bit flip at rest", "bit flip on read"};
    for (int k = 0; k < FAULT_KIND_COUNT; k++)
        printf("faults: %-18s exact %4llu, detected prefix %4llu, refused %4llu\n", names[k],
               (unsigned long long)counts[k][OUT_EXACT], (unsigned long long)counts[k][OUT_PREFIX_DETECTED],
               (unsigned long long)counts[k][OUT_REFUSED]);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("faults");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, test_faults_reader__exact_or_refused_over_seeds);
    suite_add_tcase(s, tc);
    return tu_run_suite(s);
}
