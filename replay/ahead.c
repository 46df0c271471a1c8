/* Signature verification ahead of the fold: key prediction, the worker pool
 * and the verdict record of --runs (ahead.h says why it cannot change a
 * receipt). */
#include "ahead.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---- Key prediction --------------------------------------------------- */

/* A signer's predicted keys. */
typedef struct pkeys {
    qfs_public_key key;
    qfs_public_key prev;
    uint8_t has_key;
    uint8_t has_prev;
} pkeys;

typedef struct pentry {
    qfs_id id; /* len 0: empty */
    pkeys k;
} pentry;

enum { PHASE_BEFORE_GENESIS, PHASE_ED25519, PHASE_UNSIGNED, PHASE_LOADED };

/* ---- Verdict record --------------------------------------------------- */

/* The record of --runs: a 48-byte header ("QFSVRD1\n", events folded u64,
 * chain head 16 bytes, entries u64, 8 zero bytes), then per verdict the
 * event index u64, the 32-byte key and the verdict (one byte, 0 or 1);
 * integers little-endian. It lives in a private temporary directory for
 * the length of one `qfs replay --runs` and is no published format. */
#define RECORD_MAGIC "QFSVRD1\n"
#define RECORD_HEADER_BYTES 48u
#define RECORD_ENTRY_BYTES 41u

typedef struct verdict {
    uint64_t index;
    qfs_public_key key;
    uint8_t valid;
} verdict;

/* ---- The ahead -------------------------------------------------------- */

/* Chunks queued at most: two batches in flight, with room to spare. */
#define QUEUE_MAX (4u * AHEAD_CHUNKS_MAX)

typedef struct job {
    ahead_batch *b;
    size_t chunk;
} job;

struct ahead {
    /* The pool. Everything below `mu` up to the prediction is shared. */
    pthread_mutex_t mu;
    pthread_cond_t work; /* a job was queued, or stop */
    pthread_cond_t done; /* a job finished */
    job queue[QUEUE_MAX];
    size_t q_head, q_len;
    int stop;
    uint64_t checked_ahead;
    pthread_t *tids;
    unsigned workers; /* started */
    unsigned threads;
    int started; /* start_workers ran (folding thread only) */

    /* Prediction: the folding thread only. The chain id is written before
     * the first job is queued and never after. */
    int phase;
    uint64_t genesis_index;
    qfs_id chain_id;
    qfs_id holder_id[QFS_ROLE_COUNT];
    pkeys holder[QFS_ROLE_COUNT];
    int holder_present[QFS_ROLE_COUNT];
    pentry *table;
    size_t table_cap; /* a power of two, or 0 */
    size_t table_used;
    int withheld;

    /* What the fold is applying now (ahead_ready). */
    const ahead_batch *cur;
    uint64_t cur_index;

    uint64_t answered, unanswered;

    FILE *rec;
    uint64_t rec_entries;
    int rec_failed;

    /* A loaded record, read as the fold goes: its verdicts are in event
     * order, so only those of the event being applied are held. */
    FILE *in;
    uint64_t in_left; /* entries not read yet */
    int in_damaged;
    int have_next;
    verdict next;      /* the first entry not yet in the window */
    verdict window[4]; /* the entries of event window_index */
    size_t window_count;
    uint64_t window_index;
    int window_set;
    uint64_t loaded_events;
    qfs_hash128 loaded_chain;
};

unsigned ahead_default_threads(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n < 1 ? 1u : n > 256 ? 256u : (unsigned)n;
}

/* FNV-1a of the id: the table only speeds up prediction, and no output
 * depends on its order. */
static size_t id_slot(const qfs_id *id, size_t cap)
{
    uint64_t h = 0xcbf29ce484222325ULL;
    for (size_t i = 0; i < id->len; i++)
        h = (h ^ (uint8_t)id->bytes[i]) * 0x100000001b3ULL;
    return (size_t)(h ^ (h >> 32)) & (cap - 1);
}

static pentry *table_find(ahead *a, const qfs_id *id)
{
    if (!a->table_cap)
        return NULL;
    for (size_t i = id_slot(id, a->table_cap), n = 0; n < a->table_cap;
         i = (i + 1) & (a->table_cap - 1), n++) {
        if (a->table[i].id.len == 0)
            return NULL;
        if (qfs_id_eq(&a->table[i].id, id))
            return &a->table[i];
    }
    return NULL;
}

/* The entry of `id`, inserted empty when missing; NULL when memory is
 * exhausted (the prediction is then only missing: the fold verifies). */
static pentry *table_upsert(ahead *a, const qfs_id *id)
{
    pentry *e = table_find(a, id);
    if (e)
        return e;
    if ((a->table_used + 1) * 2 > a->table_cap) {
        size_t cap = a->table_cap ? a->table_cap * 2 : 1024;
        pentry *t = calloc(cap, sizeof *t);
        if (!t)
            return NULL;
        for (size_t i = 0; i < a->table_cap; i++) {
            if (a->table[i].id.len == 0)
                continue;
            size_t j = id_slot(&a->table[i].id, cap);
            while (t[j].id.len != 0)
                j = (j + 1) & (cap - 1);
            t[j] = a->table[i];
        }
        free(a->table);
        a->table = t;
        a->table_cap = cap;
    }
    size_t i = id_slot(id, a->table_cap);
    while (a->table[i].id.len != 0)
        i = (i + 1) & (a->table_cap - 1);
    memset(&a->table[i], 0, sizeof a->table[i]);
    a->table[i].id = *id;
    a->table_used++;
    return &a->table[i];
}

/* The signer's keys as the fold finds them: a key holder first, then an
 * account (src/state/auth.c). */
static pkeys *signer_keys_of(ahead *a, const qfs_id *id, int insert)
{
    for (int r = 0; r < QFS_ROLE_COUNT; r++)
        if (a->holder_present[r] && qfs_id_eq(&a->holder_id[r], id))
            return &a->holder[r];
    pentry *e = insert ? table_upsert(a, id) : table_find(a, id);
    return e ? &e->k : NULL;
}

static void start_from_genesis(ahead *a, const qfs_ev_genesis *g, uint64_t index)
{
    a->genesis_index = index;
    if (g->auth != QFS_AUTH_ED25519) {
        a->phase = PHASE_UNSIGNED;
        return;
    }
    a->phase = PHASE_ED25519;
    a->chain_id = g->chain_id;
    for (int r = 0; r < QFS_ROLE_COUNT; r++) {
        a->holder_present[r] = g->holders[r].present;
        a->holder_id[r] = g->holders[r].id;
        memset(&a->holder[r], 0, sizeof a->holder[r]);
        a->holder[r].key = g->holders[r].key;
        a->holder[r].has_key = (uint8_t)g->holders[r].present;
    }
    for (size_t i = 0; i < g->account_count; i++) {
        if (!g->accounts[i].key.present)
            continue;
        pentry *e = table_upsert(a, &g->accounts[i].id);
        if (e) {
            e->k.key = g->accounts[i].key.key;
            e->k.has_key = 1;
        }
    }
}

/* Predicts one event's keys, then follows what it would change if the fold
 * accepted it. */
static void predict_one(ahead *a, const qfs_event *ev, uint64_t index, ahead_slot *slot)
{
    slot->check = 0;
    slot->verdict = 0;
    if (a->phase == PHASE_BEFORE_GENESIS) {
        if (ev->kind == QFS_EVENT_GENESIS)
            start_from_genesis(a, &ev->u.genesis, index);
        return;
    }
    if (a->phase != PHASE_ED25519 || ev->kind == QFS_EVENT_GENESIS)
        return;
    const qfs_ev_register_account *reg = &ev->u.register_account;
    int is_reg = ev->kind == QFS_EVENT_REGISTER_ACCOUNT;
    if (ev->has_signature && ev->signer.len > 0) {
        if (is_reg && reg->kind == QFS_ACCOUNT_USER && reg->key.present && qfs_id_eq(&ev->signer, &reg->id)) {
            /* A user registering itself signs with the key it brings. */
            slot->key = reg->key.key;
            slot->check = AHEAD_CHECK;
        } else {
            const pkeys *k = signer_keys_of(a, &ev->signer, 0);
            if (k && k->has_key) {
                slot->key = k->key;
                slot->check = AHEAD_CHECK;
                if (k->has_prev) {
                    slot->prev = k->prev;
                    slot->check |= AHEAD_HAS_PREV;
                }
            }
        }
    }
    if (is_reg && reg->key.present && !signer_keys_of(a, &reg->id, 0)) {
        pkeys *k = signer_keys_of(a, &reg->id, 1);
        if (k) {
            k->key = reg->key.key;
            k->has_key = 1;
        }
    } else if (ev->kind == QFS_EVENT_ROTATE_KEY) {
        pkeys *k = signer_keys_of(a, &ev->u.rotate_key.holder, 1);
        if (k) {
            if (k->has_key) {
                k->prev = k->key;
                k->has_prev = 1;
            }
            k->key = ev->u.rotate_key.key;
            k->has_key = 1;
        }
    }
}

/* ---- The pool --------------------------------------------------------- */

/* Checks the signatures of one chunk; returns how many were checked. Runs
 * on any thread, without the lock: it reads the batch's events and the
 * chain id and writes only the chunk's slots. */
static uint64_t check_chunk(const ahead *a, ahead_batch *b, size_t chunk)
{
    size_t lo = chunk * AHEAD_CHUNK_EVENTS;
    size_t hi = lo + AHEAD_CHUNK_EVENTS < b->count ? lo + AHEAD_CHUNK_EVENTS : b->count;
    uint64_t n = 0;
    for (size_t j = lo; j < hi; j++) {
        ahead_slot *slot = &b->slots[j];
        if (!(slot->check & AHEAD_CHECK))
            continue;
        uint8_t f = 0;
        uint8_t msg[QFS_SIGNING_BYTES_MAX];
        size_t len = 0;
        /* Bytes that cannot be signed are invalid under any key, as the
         * fold has it. */
        int bytes_ok = qfs_auth_signing_bytes(msg, sizeof msg, &len, &a->chain_id, &b->events[j]) == QFS_OK;
        int ok = bytes_ok && qfs_auth_verify(&slot->key, msg, len, b->events[j].signature);
        n++;
        if (ok) {
            f |= AHEAD_OK;
        } else if (slot->check & AHEAD_HAS_PREV) {
            f |= AHEAD_PREV_DONE;
            if (bytes_ok && qfs_auth_verify(&slot->prev, msg, len, b->events[j].signature))
                f |= AHEAD_PREV_OK;
            n++;
        }
        slot->verdict = f;
    }
    return n;
}

/* Runs the oldest queued job; called and returns with the lock held. */
static void run_one(ahead *a)
{
    job j = a->queue[a->q_head];
    a->q_head = (a->q_head + 1) % QUEUE_MAX;
    a->q_len--;
    pthread_mutex_unlock(&a->mu);
    uint64_t n = check_chunk(a, j.b, j.chunk);
    pthread_mutex_lock(&a->mu);
    j.b->chunk_done[j.chunk] = 1;
    a->checked_ahead += n;
    pthread_cond_broadcast(&a->done);
}

static void *worker(void *arg)
{
    ahead *a = arg;
    pthread_mutex_lock(&a->mu);
    for (;;) {
        while (!a->stop && a->q_len == 0)
            pthread_cond_wait(&a->work, &a->mu);
        if (a->stop)
            break;
        run_one(a);
    }
    pthread_mutex_unlock(&a->mu);
    return NULL;
}

qfs_err ahead_create(ahead **out, unsigned threads)
{
    *out = NULL;
    if (qfs_auth_init() != QFS_OK)
        return QFS_E_STATE;
    ahead *a = calloc(1, sizeof *a);
    if (!a)
        return QFS_E_NOMEM;
    a->threads = threads ? threads : 1;
    if (pthread_mutex_init(&a->mu, NULL) != 0) {
        free(a);
        return QFS_E_NOMEM;
    }
    pthread_cond_init(&a->work, NULL);
    pthread_cond_init(&a->done, NULL);
    a->tids = calloc(a->threads, sizeof *a->tids);
    if (!a->tids) {
        ahead_free(a);
        return QFS_E_NOMEM;
    }
    *out = a;
    return QFS_OK;
}

/* Starts the workers when the first signature is queued, so that an
 * unsigned log starts none. The folding thread is one of the threads: it
 * verifies while it waits. A worker that cannot be started leaves its share
 * to the others and to the folding thread. */
static void start_workers(ahead *a)
{
    a->started = 1;
    for (unsigned t = 1; t < a->threads; t++) {
        if (pthread_create(&a->tids[a->workers], NULL, worker, a) != 0)
            break;
        a->workers++;
    }
}

void ahead_free(ahead *a)
{
    if (!a)
        return;
    pthread_mutex_lock(&a->mu);
    a->stop = 1;
    pthread_cond_broadcast(&a->work);
    pthread_mutex_unlock(&a->mu);
    for (unsigned t = 0; t < a->workers; t++)
        pthread_join(a->tids[t], NULL);
    pthread_cond_destroy(&a->work);
    pthread_cond_destroy(&a->done);
    pthread_mutex_destroy(&a->mu);
    if (a->rec)
        fclose(a->rec);
    free(a->tids);
    if (a->in)
        fclose(a->in);
    free(a->table);
    free(a);
}

void ahead_predict(ahead *a, ahead_batch *b)
{
    QFS_ASSERT(b->count <= AHEAD_BATCH_EVENTS_MAX);
    b->chunks = (b->count + AHEAD_CHUNK_EVENTS - 1) / AHEAD_CHUNK_EVENTS;
    if (a->phase == PHASE_LOADED) {
        memset(b->chunk_done, 1, b->chunks);
        return;
    }
    uint8_t any[AHEAD_CHUNKS_MAX] = {0};
    for (size_t j = 0; j < b->count; j++) {
        predict_one(a, &b->events[j], b->first + j, &b->slots[j]);
        any[j / AHEAD_CHUNK_EVENTS] |= b->slots[j].check & AHEAD_CHECK;
    }
    pthread_mutex_lock(&a->mu);
    int queued = 0;
    for (size_t c = 0; c < b->chunks; c++) {
        b->chunk_done[c] = !any[c];
        if (!any[c])
            continue;
        QFS_ASSERT(a->q_len < QUEUE_MAX);
        a->queue[(a->q_head + a->q_len) % QUEUE_MAX] = (job){b, c};
        a->q_len++;
        queued = 1;
    }
    /* An unsigned log queues nothing and wakes no one. */
    if (queued)
        pthread_cond_broadcast(&a->work);
    pthread_mutex_unlock(&a->mu);
    if (queued && !a->started)
        start_workers(a);
}

/* Waits for chunk c of b, running queued jobs meanwhile; lock held. */
static void wait_chunk(ahead *a, const ahead_batch *b, size_t c)
{
    while (!b->chunk_done[c]) {
        if (a->q_len > 0)
            run_one(a);
        else
            pthread_cond_wait(&a->done, &a->mu);
    }
}

void ahead_ready(ahead *a, ahead_batch *b, uint64_t index)
{
    QFS_ASSERT(index >= b->first && index - b->first < b->count);
    a->cur = b;
    a->cur_index = index;
    size_t j = (size_t)(index - b->first);
    if (!(b->slots[j].check & AHEAD_CHECK) || a->phase == PHASE_LOADED)
        return;
    pthread_mutex_lock(&a->mu);
    wait_chunk(a, b, j / AHEAD_CHUNK_EVENTS);
    pthread_mutex_unlock(&a->mu);
}

void ahead_release(ahead *a, ahead_batch *b)
{
    if (a->cur == b)
        a->cur = NULL;
    pthread_mutex_lock(&a->mu);
    for (size_t c = 0; c < b->chunks; c++)
        wait_chunk(a, b, c);
    pthread_mutex_unlock(&a->mu);
}

void ahead_genesis_applied(ahead *a, uint64_t index, uint32_t code)
{
    if (code == 0 && a->phase != PHASE_LOADED &&
        (a->phase == PHASE_BEFORE_GENESIS || index != a->genesis_index))
        a->withheld = 1;
}

static void put_le(uint8_t *p, uint64_t v, int n)
{
    for (int i = 0; i < n; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static uint64_t get_le(const uint8_t *p, int n)
{
    uint64_t v = 0;
    for (int i = 0; i < n; i++)
        v |= (uint64_t)p[i] << (8 * i);
    return v;
}

static int record_verdict(ahead *a, uint64_t index, const qfs_public_key *key, int valid)
{
    uint8_t e[RECORD_ENTRY_BYTES];
    put_le(e, index, 8);
    memcpy(e + 8, key->bytes, QFS_PUBLIC_KEY_BYTES);
    e[40] = (uint8_t)valid;
    if (fwrite(e, 1, sizeof e, a->rec) != sizeof e)
        a->rec_failed = 1;
    a->rec_entries++;
    return valid;
}

/* Reads the next entry of the loaded record into a->next. */
static void read_next(ahead *a)
{
    uint8_t e[RECORD_ENTRY_BYTES];
    a->have_next = 0;
    if (a->in_left == 0 || a->in_damaged)
        return;
    if (fread(e, 1, sizeof e, a->in) != sizeof e || e[40] > 1 ||
        (a->window_set && get_le(e, 8) < a->window_index)) {
        a->in_damaged = 1;
        return;
    }
    a->in_left--;
    a->next.index = get_le(e, 8);
    memcpy(a->next.key.bytes, e + 8, QFS_PUBLIC_KEY_BYTES);
    a->next.valid = e[40];
    a->have_next = 1;
}

static int answer_loaded(ahead *a, uint64_t index, const qfs_public_key *key)
{
    if (!a->window_set || a->window_index != index) {
        a->window_set = 1;
        a->window_index = index;
        a->window_count = 0;
        while (a->have_next && a->next.index < index)
            read_next(a);
        while (a->have_next && a->next.index == index) {
            if (a->window_count < sizeof a->window / sizeof a->window[0])
                a->window[a->window_count++] = a->next;
            read_next(a);
        }
    }
    for (size_t j = 0; j < a->window_count; j++)
        if (memcmp(a->window[j].key.bytes, key->bytes, QFS_PUBLIC_KEY_BYTES) == 0)
            return a->window[j].valid;
    return -1;
}

static int answer_ahead(const ahead *a, uint64_t index, const qfs_public_key *key)
{
    const ahead_batch *b = a->cur;
    /* Only about the event being applied, whose verdict ahead_ready waited
     * for, and only for the key it was computed under. */
    if (a->withheld || !b || index != a->cur_index)
        return -1;
    const ahead_slot *slot = &b->slots[index - b->first];
    if (!(slot->check & AHEAD_CHECK))
        return -1;
    if (memcmp(slot->key.bytes, key->bytes, QFS_PUBLIC_KEY_BYTES) == 0)
        return (slot->verdict & AHEAD_OK) != 0;
    if ((slot->verdict & AHEAD_PREV_DONE) && memcmp(slot->prev.bytes, key->bytes, QFS_PUBLIC_KEY_BYTES) == 0)
        return (slot->verdict & AHEAD_PREV_OK) != 0;
    return -1;
}

int ahead_hint(void *ctx, uint64_t index, const qfs_public_key *key)
{
    ahead *a = ctx;
    int v = a->phase == PHASE_LOADED ? answer_loaded(a, index, key) : answer_ahead(a, index, key);
    if (v < 0) {
        a->unanswered++;
        return -1;
    }
    a->answered++;
    return a->rec ? record_verdict(a, index, key, v) : v;
}

int ahead_record(ahead *a, const char *cmd, const char *path)
{
    a->rec = fopen(path, "wb");
    uint8_t h[RECORD_HEADER_BYTES] = {0};
    if (!a->rec || fwrite(h, 1, sizeof h, a->rec) != sizeof h) {
        cli_error(cmd, "%s: %s", path, strerror(errno));
        return CLI_EXIT_IO;
    }
    return 0;
}

int ahead_record_close(ahead *a, const char *cmd, uint64_t events, const qfs_hash128 *chain_head)
{
    uint8_t h[RECORD_HEADER_BYTES] = {0};
    memcpy(h, RECORD_MAGIC, 8);
    put_le(h + 8, events, 8);
    memcpy(h + 16, chain_head->bytes, 16);
    put_le(h + 32, a->rec_entries, 8);
    int failed =
        a->rec_failed || fseek(a->rec, 0, SEEK_SET) != 0 || fwrite(h, 1, sizeof h, a->rec) != sizeof h;
    failed |= fclose(a->rec) != 0;
    a->rec = NULL;
    if (failed) {
        cli_error(cmd, "writing the verdict record failed");
        return CLI_EXIT_IO;
    }
    return 0;
}

int ahead_load(ahead *a, const char *cmd, const char *path)
{
    a->in = fopen(path, "rb");
    uint8_t h[RECORD_HEADER_BYTES];
    if (!a->in || fread(h, 1, sizeof h, a->in) != sizeof h || memcmp(h, RECORD_MAGIC, 8) != 0) {
        cli_error(cmd, "%s: not a verdict record", path);
        return CLI_EXIT_DATA;
    }
    a->loaded_events = get_le(h + 8, 8);
    memcpy(a->loaded_chain.bytes, h + 16, 16);
    a->in_left = get_le(h + 32, 8);
    a->phase = PHASE_LOADED;
    read_next(a);
    return 0;
}

int ahead_check_loaded(const ahead *a, const char *cmd, uint64_t events, const qfs_hash128 *chain_head)
{
    if (a->phase != PHASE_LOADED)
        return 0;
    if (a->in_damaged) {
        cli_error(cmd, "the verdict record is damaged");
        return CLI_EXIT_DATA;
    }
    if (events != a->loaded_events || !qfs_hash128_eq(chain_head, &a->loaded_chain)) {
        cli_error(cmd, "the verdicts used were recorded from another log");
        return CLI_EXIT_DATA;
    }
    return 0;
}

void ahead_get_stats(const ahead *a, ahead_stats *out)
{
    ahead *m = (ahead *)a;
    pthread_mutex_lock(&m->mu);
    out->checked_ahead = a->checked_ahead;
    pthread_mutex_unlock(&m->mu);
    out->answered = a->answered;
    out->unanswered = a->unanswered;
    out->threads = a->threads;
}
