#include "fold.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

uint64_t fold_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/* An amount, time or id as a JSON string of digits (they exceed 2^53). */
static int put_digits(FILE *f, qfs_amount v)
{
    char t[QFS_AMOUNT_STR_MAX + 1];
    qfs_amount_format(t, v);
    return fprintf(f, "\"%s\"", t);
}

/* Writes a parameter value in its unit, as in the state JSON: fp18 as an
 * exact decimal string, amounts as strings of digits, counts and ms as
 * integers. */
static int trace_param_value(FILE *f, size_t param_index, qfs_amount v)
{
    size_t n;
    const qfs_param_def *defs = qfs_params_all(&n);
    char t[QFS_AMOUNT_STR_MAX + 1];
    if (defs[param_index].unit == QFS_UNIT_FP18) {
        qfs_amount_format_tokens(t, v);
        return fprintf(f, "\"%s\"", t);
    }
    if (defs[param_index].unit == QFS_UNIT_AMOUNT)
        return put_digits(f, v);
    qfs_amount_format(t, v);
    return fprintf(f, "%s", t);
}

/* `"key":` then the amount as a string; -1 on a write failure. */
static int put_amount_member(FILE *f, const char *key, qfs_amount v)
{
    return fprintf(f, ",\"%s\":", key) < 0 || put_digits(f, v) < 0 ? -1 : 0;
}

/* The "tallies" member of an accepted epoch_close's trace line: the result
 * of every tally the close ran. -1 on a write failure. */
static int write_tallies(FILE *f, const qfs_state *state)
{
    size_t n = qfs_state_tally_count(state);
    size_t count;
    const qfs_param_def *defs = qfs_params_all(&count);
    if (fputs(",\"tallies\":[", f) < 0)
        return -1;
    for (size_t i = 0; i < n; i++) {
        qfs_tally t;
        qfs_state_tally(state, i, &t);
        if (fprintf(f, "%s{\"abstain\":", i ? "," : "") < 0 || put_digits(f, t.abstain) < 0 ||
            fputs(",\"apply_epoch\":", f) < 0)
            return -1;
        if ((t.status == QFS_PROPOSAL_PASSED ? fprintf(f, "%llu", (unsigned long long)t.apply_epoch)
                                             : fputs("null", f)) < 0)
            return -1;
        if (fprintf(f, ",\"created_epoch\":%llu,\"end_epoch\":%llu,\"governance\":\"%s\",\"id\":",
                    (unsigned long long)t.created_epoch, (unsigned long long)t.end_epoch,
                    t.infra ? "infra" : "social") < 0 ||
            put_digits(f, t.proposal_id) < 0 || put_amount_member(f, "no", t.no) < 0 ||
            fprintf(f, ",\"param\":\"%s\",\"proposer\":\"%.*s\"", defs[t.param_index].name,
                    (int)t.proposer.len, t.proposer.bytes) < 0 ||
            put_amount_member(f, "quorum_cast", t.quorum_cast) < 0 ||
            fprintf(f, ",\"status\":\"%s\"", qfs_proposal_status_str(t.status)) < 0 ||
            put_amount_member(f, "supply_snapshot", t.supply_snapshot) < 0 || fputs(",\"value\":", f) < 0 ||
            trace_param_value(f, t.param_index, t.value) < 0 || put_amount_member(f, "yes", t.yes) < 0 ||
            fputs("}", f) < 0)
            return -1;
    }
    if (fputs("]", f) < 0)
        return -1;
    return 0;
}

/* The head of a trace line: the fixed keys, a kind and a receipt name (a few
 * dozen bytes each), a 64-byte signer and two 20-digit numbers fit twice over. */
#define TRACE_HEAD_BYTES_MAX 512

/* Copies a NUL-terminated string; returns the end. */
static char *put_text(char *p, const char *s)
{
    size_t n = strlen(s);
    memcpy(p, s, n);
    return p + n;
}

/* Writes v in decimal; returns the end. */
static char *put_dec(char *p, uint64_t v)
{
    char t[20];
    size_t n = 0;
    do {
        t[n++] = (char)('0' + v % 10u);
        v /= 10u;
    } while (v);
    while (n)
        *p++ = t[--n];
    return p;
}

/* One canonical JSON line per event. An accepted epoch_close also lists the
 * result of every tally it ran: the tallied proposals leave the state, so the
 * trace is where their history stays visible. Keys are sorted. */
int fold_trace_line(FILE *f, const qfs_state *state, const qfs_event *ev, uint64_t index, uint32_t code)
{
    /* The line is assembled here and written with one fwrite: a trace has a
     * line per event, and printf's parsing would cost a third of a replay.
     * Ids are [A-Za-z0-9._:-] (checked when decoded) and the names are
     * constants, so nothing needs escaping. */
    char line[TRACE_HEAD_BYTES_MAX];
    char *p = line;
    p = put_text(p, "{\"code\":");
    p = put_dec(p, code);
    p = put_text(p, ",\"event\":");
    p = put_dec(p, index);
    p = put_text(p, ",\"kind\":\"");
    p = put_text(p, qfs_event_kind_name(ev->kind));
    p = put_text(p, "\",\"receipt\":\"");
    p = put_text(p, qfs_reject_str(code));
    *p++ = '"';
    /* Unsigned events have no signer. */
    if (ev->signer.len > 0) {
        p = put_text(p, ",\"signer\":\"");
        memcpy(p, ev->signer.bytes, ev->signer.len);
        p += ev->signer.len;
        *p++ = '"';
    }
    int tallies = state && ev->kind == QFS_EVENT_EPOCH_CLOSE && code == 0;
    if (!tallies) {
        p = put_text(p, ",\"timestamp_ms\":\"");
        p = put_dec(p, ev->timestamp_ms);
        p = put_text(p, "\"}\n");
    }
    QFS_ASSERT((size_t)(p - line) <= sizeof line);
    if (fwrite(line, 1, (size_t)(p - line), f) != (size_t)(p - line))
        return -1;
    if (!tallies)
        return 0;
    if (write_tallies(f, state) < 0)
        return -1;
    return fprintf(f, ",\"timestamp_ms\":\"%llu\"}\n", (unsigned long long)ev->timestamp_ms);
}

/* A batch of decoded events. The arena is reset per batch, not per event,
 * so that every event of the batch stays valid until the batch is folded. */
typedef struct batch {
    ahead_batch ab;
    qfs_event *events;
    ahead_slot *slots;
    qfs_arena *arena;
    qfs_err end;   /* QFS_OK: more may follow; QFS_E_EOF: the log ends; else the error after the events */
    qfs_diag diag; /* of `end` */
} batch;

/* Decode scratch a batch may hold before it is cut short: a large genesis
 * ends its batch early, so memory stays bounded by one event's limits. */
#define BATCH_ARENA_BYTES_MAX ((size_t)8 << 20)

static qfs_err batch_init(batch *b)
{
    memset(b, 0, sizeof *b);
    b->events = calloc(AHEAD_BATCH_EVENTS_MAX, sizeof *b->events);
    b->slots = calloc(AHEAD_BATCH_EVENTS_MAX, sizeof *b->slots);
    if (!b->events || !b->slots || qfs_arena_create(&b->arena, 1 << 16) != QFS_OK)
        return QFS_E_NOMEM;
    b->ab.events = b->events;
    b->ab.slots = b->slots;
    return QFS_OK;
}

static void batch_free(batch *b)
{
    free(b->events);
    free(b->slots);
    qfs_arena_free(b->arena);
}

/* Reads and decodes the events [first, last] that follow, a batch's worth. */
static void batch_fill(batch *b, qfs_log_reader *r, uint64_t first, uint64_t last)
{
    qfs_arena_reset(b->arena);
    b->ab.first = first;
    b->ab.count = 0;
    b->end = QFS_OK;
    qfs_diag_clear(&b->diag);
    while (b->ab.count < AHEAD_BATCH_EVENTS_MAX && first + b->ab.count <= last &&
           qfs_arena_used_bytes(b->arena) < BATCH_ARENA_BYTES_MAX) {
        uint64_t index;
        b->end = cli_read_event(r, b->arena, &b->events[b->ab.count], &index, &b->diag);
        if (b->end != QFS_OK)
            break;
        QFS_ASSERT(index == first + b->ab.count);
        b->ab.count++;
    }
}

int fold_log(const char *cmd, const char *path, qfs_state *state, uint64_t last, FILE *trace, ahead *a,
             fold_result *out)
{
    return fold_log_hooked(cmd, path, state, last, trace, a, NULL, NULL, out);
}

int fold_log_hooked(const char *cmd, const char *path, qfs_state *state, uint64_t last, FILE *trace, ahead *a,
                    fold_hook hook, void *hook_ctx, fold_result *out)
{
    QFS_ASSERT(!hook || state);
    qfs_log_reader *r = NULL;
    qfs_arena *unused = NULL;
    int open_rc = cli_open_log(cmd, path, &r, &unused);
    if (open_rc != 0)
        return open_rc;
    qfs_arena_free(unused);
    batch bs[2];
    qfs_err e0 = batch_init(&bs[0]);
    qfs_err e1 = batch_init(&bs[1]);
    if (e0 != QFS_OK || e1 != QFS_OK) {
        batch_free(&bs[0]);
        batch_free(&bs[1]);
        qfs_log_reader_free(r);
        cli_error(cmd, "out of memory");
        return CLI_EXIT_IO;
    }
    /* Without a state nothing is verified: there is no fold to ask. */
    if (!state)
        a = NULL;
    out->rejected = 0;
    memset(out->by_code, 0, sizeof out->by_code);
    int tty = cli_stderr_is_tty();
    uint64_t start = fold_now_ns();
    uint64_t events = 0;
    int rc = 0;
    int done = 0;
    batch_fill(&bs[0], r, 0, last);
    if (a)
        ahead_predict(a, &bs[0].ab);
    for (size_t k = 0; !done; k++) {
        batch *cur = &bs[k % 2];
        batch *nxt = &bs[(k + 1) % 2];
        /* The next batch is read and its checks queued before this one is
         * folded, so that the workers verify it meanwhile. */
        uint64_t next_first = cur->ab.first + cur->ab.count;
        int more = cur->end == QFS_OK && next_first <= last;
        if (more) {
            if (a)
                ahead_release(a, &nxt->ab);
            batch_fill(nxt, r, next_first, last);
            if (a)
                ahead_predict(a, &nxt->ab);
        }
        for (size_t j = 0; j < cur->ab.count && rc == 0; j++) {
            const qfs_event *ev = &cur->events[j];
            uint64_t index = cur->ab.first + j;
            qfs_receipt receipt = {0};
            if (a)
                ahead_ready(a, &cur->ab, index);
            /* Without a state only the decode floor is measured: reading,
             * checksums, decompression and decoding, no transition. */
            qfs_err err = state ? qfs_state_apply(state, ev, &receipt) : QFS_OK;
            if (err != QFS_OK) {
                qfs_diag diag;
                qfs_diag_clear(&diag);
                qfs_diag_set_event(&diag, index);
                qfs_diag_set(&diag, "the state machine cannot apply this event");
                rc = cli_fail(cmd, path, err, &diag);
                break;
            }
            if (a && ev->kind == QFS_EVENT_GENESIS)
                ahead_genesis_applied(a, index, receipt.code);
            if (trace && fold_trace_line(trace, state, ev, index, receipt.code) < 0) {
                cli_error(cmd, "writing the trace failed");
                rc = CLI_EXIT_IO;
                break;
            }
            if (hook && (rc = hook(hook_ctx, state, index, ev, &receipt)) != 0)
                break;
            events++;
            if (receipt.code != 0)
                out->rejected++;
            out->by_code[receipt.code <= QFS_REJECT_CODE_MAX ? receipt.code : 0]++;
            if (tty && (events & ((1u << 20) - 1)) == 0)
                fprintf(stderr, "\rqfs %s: %llu events", cmd, (unsigned long long)events);
        }
        if (rc != 0)
            break;
        if (cur->end != QFS_OK && cur->end != QFS_E_EOF) {
            rc = cli_fail(cmd, path, cur->end, &cur->diag);
            if (cur->end == QFS_E_TORN)
                cli_error(cmd, "%s: %llu whole events precede the torn record; 'qfs append' repairs it", path,
                          (unsigned long long)events);
        }
        done = !more;
    }
    if (tty && events >= (1u << 20))
        fputs("\r\033[K", stderr);
    out->elapsed_ns = fold_now_ns() - start;
    out->events = events;
    qfs_log_reader_chain_head(r, &out->chain_head);
    /* No worker may hold a batch when it is freed. */
    if (a) {
        ahead_release(a, &bs[0].ab);
        ahead_release(a, &bs[1].ab);
    }
    batch_free(&bs[0]);
    batch_free(&bs[1]);
    qfs_log_reader_free(r);
    if (rc == 0 && last != UINT64_MAX && events <= last) {
        cli_error(cmd, "%s: event %llu is past the end of the log (%llu events)", path,
                  (unsigned long long)last, (unsigned long long)events);
        rc = CLI_EXIT_DATA;
    }
    return rc;
}
