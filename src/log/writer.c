/* The log writer: opens (creating or repairing), then appends one record per
 * batch with a single write followed by fdatasync. */
#include "log/record.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

struct qfs_log_writer {
    const qfs_storage *st;
    qfs_storage_file *f;
    log_pos end; /* where the next record goes and what it links to */
    ZSTD_CCtx *cctx;
    log_buf plain; /* previous chain, then the framed events of one batch */
    log_buf out;   /* record header, then the zstd frame */
    int poisoned;  /* an append failed after touching the file */
};

/* The compression parameters are part of the format: the bytes of a log are
 * a function of its events and batch boundaries, so nothing may vary. */
static qfs_err cctx_configure(ZSTD_CCtx *c)
{
    if (ZSTD_isError(ZSTD_CCtx_setParameter(c, ZSTD_c_compressionLevel, 3)) ||
        ZSTD_isError(ZSTD_CCtx_setParameter(c, ZSTD_c_checksumFlag, 0)) ||
        ZSTD_isError(ZSTD_CCtx_setParameter(c, ZSTD_c_contentSizeFlag, 1)) ||
        ZSTD_isError(ZSTD_CCtx_setParameter(c, ZSTD_c_dictIDFlag, 0)) ||
        ZSTD_isError(ZSTD_CCtx_setParameter(c, ZSTD_c_nbWorkers, 0)))
        return QFS_E_STATE;
    return QFS_OK;
}

static qfs_err create_header(qfs_log_writer *w, const char *path, const qfs_hash128 *schema, qfs_diag *diag)
{
    uint8_t b[QFS_LOG_FILE_HEADER_BYTES];
    file_header_encode(b, schema);
    qfs_err err = w->st->write_at(w->st->ctx, w->f, 0, b, sizeof b, diag);
    if (err == QFS_OK)
        err = w->st->sync(w->st->ctx, w->f, diag);
    if (err == QFS_OK)
        err = w->st->sync_dir(w->st->ctx, path, diag);
    if (err != QFS_OK)
        return err;
    qfs_hash128 sum;
    memcpy(sum.bytes, b + FH_CHECKSUM_AT, 16);
    log_pos_start(&w->end, &sum);
    return QFS_OK;
}

/* A file shorter than its header is what a crash while the header was being
 * written leaves behind. It is taken for such a torn creation, and written
 * anew, only on positive evidence: every byte present is the byte this
 * writer would write there, or zero (an extent that was never written). Any
 * other short file is not ours to overwrite. */
static int torn_creation(qfs_log_writer *w, uint64_t size, const qfs_hash128 *schema, qfs_diag *diag)
{
    uint8_t want[QFS_LOG_FILE_HEADER_BYTES];
    uint8_t have[QFS_LOG_FILE_HEADER_BYTES];
    size_t got = 0;
    QFS_ASSERT(size > 0 && size < QFS_LOG_FILE_HEADER_BYTES);
    file_header_encode(want, schema);
    if (w->st->read_at(w->st->ctx, w->f, 0, have, (size_t)size, &got, diag) != QFS_OK || got != size)
        return 0;
    for (size_t i = 0; i < got; i++)
        if (have[i] != want[i] && have[i] != 0)
            return 0;
    return 1;
}

/* Verifies every record of an existing log in full, exactly as the checker
 * does (header, body checksum, frame, framing, chain), and cuts a torn tail.
 * An append behind damage would acknowledge events that no reader can ever
 * reach, so anything the checker calls corrupt is refused here, and the file
 * is modified only when the torn-tail rule holds. Every record before a torn
 * one has been verified in full by then, so cutting it exposes a sound log.
 * The body checksum is checked before decompression, so the cost is one read
 * of the file, one XXH3 pass over it and one decompression. */
static qfs_err recover(qfs_log_writer *w, uint64_t file_size, const qfs_hash128 *schema,
                       qfs_log_open_info *info, qfs_diag *diag)
{
    qfs_hash128 sum;
    qfs_err err = file_header_load(w->st, w->f, file_size, schema, NULL, &sum, diag);
    if (err != QFS_OK)
        return err;
    log_pos pos;
    log_pos_start(&pos, &sum);
    ZSTD_DCtx *dctx = log_dctx_new();
    if (!dctx) {
        qfs_diag_set(diag, "out of memory creating zstd context");
        return QFS_E_NOMEM;
    }
    qfs_diag walk_diag;
    qfs_diag_clear(&walk_diag);
    for (;;) {
        record_header h;
        err = record_verify(w->st, w->f, dctx, &pos, file_size, &h, &w->out, &w->plain, &walk_diag);
        if (err != QFS_OK)
            break;
        log_pos_advance(&pos, &h);
    }
    ZSTD_freeDCtx(dctx);
    if (err != QFS_E_EOF && err != QFS_E_TORN) {
        if (diag)
            *diag = walk_diag;
        return err;
    }
    if (err == QFS_E_TORN) {
        QFS_ASSERT(pos.offset < file_size);
        err = w->st->truncate(w->st->ctx, w->f, pos.offset, diag);
        if (err == QFS_OK)
            err = w->st->sync(w->st->ctx, w->f, diag);
        if (err != QFS_OK)
            return err;
        if (info) {
            info->repaired_torn_tail = 1;
            info->torn_offset = pos.offset;
            info->torn_bytes = file_size - pos.offset;
        }
    }
    w->end = pos;
    return QFS_OK;
}

qfs_err qfs_log_writer_open(qfs_log_writer **out, const char *path, const qfs_hash128 *schema,
                            const qfs_storage *storage, qfs_log_open_info *info, qfs_diag *diag)
{
    qfs_diag_clear(diag);
    if (info)
        memset(info, 0, sizeof *info);
    if (!out || !path || !schema) {
        qfs_diag_set(diag, "writer needs an output pointer, a path and a schema hash");
        return QFS_E_INVALID_ARG;
    }
    *out = NULL;
    qfs_log_writer *w = calloc(1, sizeof *w);
    if (!w) {
        qfs_diag_set(diag, "out of memory creating log writer");
        return QFS_E_NOMEM;
    }
    w->st = log_storage(storage);
    qfs_err err = QFS_OK;
    w->cctx = ZSTD_createCCtx();
    if (!w->cctx) {
        qfs_diag_set(diag, "out of memory creating zstd context");
        err = QFS_E_NOMEM;
        goto fail;
    }
    if (cctx_configure(w->cctx) != QFS_OK) {
        qfs_diag_set(diag, "zstd rejected the log's compression parameters");
        err = QFS_E_STATE;
        goto fail;
    }
    int created = 0;
    err = w->st->open(w->st->ctx, path, 1, 1, &created, &w->f, diag);
    if (err != QFS_OK)
        goto fail;
    uint64_t size = 0;
    err = w->st->size(w->st->ctx, w->f, &size, diag);
    if (err != QFS_OK)
        goto fail;
    /* An empty file is what a crash between creating the file and writing
     * its header leaves behind, so it is initialised like a new one. */
    if (size == 0) {
        err = create_header(w, path, schema, diag);
    } else if (size < QFS_LOG_FILE_HEADER_BYTES && torn_creation(w, size, schema, diag)) {
        qfs_diag_clear(diag);
        err = w->st->truncate(w->st->ctx, w->f, 0, diag);
        if (err == QFS_OK)
            err = create_header(w, path, schema, diag);
        if (err == QFS_OK && info) {
            info->repaired_torn_tail = 1;
            info->torn_offset = 0;
            info->torn_bytes = size;
        }
    } else {
        err = recover(w, size, schema, info, diag);
    }
    if (err != QFS_OK)
        goto fail;
    if (info) {
        info->created = created;
        info->event_count = w->end.event_index;
        info->record_count = w->end.record_count;
    }
    *out = w;
    return QFS_OK;
fail:
    qfs_log_writer_free(w);
    return err;
}

qfs_err qfs_log_writer_append(qfs_log_writer *w, const qfs_log_event_bytes *events, size_t count,
                              uint64_t *first_index_out, qfs_diag *diag)
{
    qfs_diag_clear(diag);
    QFS_ASSERT(w);
    if (w->poisoned) {
        qfs_diag_set(diag, "an earlier append failed; reopen the log to continue");
        return QFS_E_STATE;
    }
    if (count == 0 || !events) {
        qfs_diag_set(diag, "a batch needs at least one event");
        return QFS_E_INVALID_ARG;
    }
    if (count > QFS_LOG_BATCH_EVENTS_MAX) {
        qfs_diag_set(diag, "batch of %zu events (limit %u)", count, QFS_LOG_BATCH_EVENTS_MAX);
        return QFS_E_LIMIT;
    }
    const uint64_t first = w->end.event_index;
    if ((uint64_t)count > UINT64_MAX - first) {
        qfs_diag_set(diag, "event index would overflow");
        return QFS_E_LIMIT;
    }
    /* Every bound is checked before anything is built or written. */
    size_t body_bytes = 0;
    for (size_t i = 0; i < count; i++) {
        if (!events[i].data || events[i].len == 0) {
            qfs_diag_set(diag, "event %zu of the batch is empty", i);
            qfs_diag_set_event(diag, first + i);
            return QFS_E_INVALID_ARG;
        }
        if (events[i].len > QFS_EVENT_BYTES_MAX) {
            qfs_diag_set(diag, "event %zu of the batch is %zu bytes (limit %zu)", i, events[i].len,
                         QFS_EVENT_BYTES_MAX);
            qfs_diag_set_event(diag, first + i);
            return QFS_E_LIMIT;
        }
        body_bytes += EVENT_LENGTH_BYTES + events[i].len;
        if (body_bytes > QFS_LOG_RECORD_UNCOMPRESSED_BYTES_MAX) {
            qfs_diag_set(diag, "batch exceeds %" PRIu32 " framed bytes at event %zu",
                         QFS_LOG_RECORD_UNCOMPRESSED_BYTES_MAX, i);
            return QFS_E_LIMIT;
        }
    }

    qfs_err err = log_buf_reserve(&w->plain, CHAIN_PREFIX_BYTES + body_bytes,
                                  CHAIN_PREFIX_BYTES + QFS_LOG_RECORD_UNCOMPRESSED_BYTES_MAX, diag);
    if (err != QFS_OK)
        return err;
    const size_t bound = ZSTD_compressBound(body_bytes);
    QFS_ASSERT(bound <= QFS_LOG_RECORD_COMPRESSED_BYTES_MAX);
    err = log_buf_reserve(&w->out, QFS_LOG_RECORD_HEADER_BYTES + bound,
                          QFS_LOG_RECORD_HEADER_BYTES + QFS_LOG_RECORD_COMPRESSED_BYTES_MAX, diag);
    if (err != QFS_OK)
        return err;

    uint8_t *body = w->plain.data + CHAIN_PREFIX_BYTES;
    size_t p = 0;
    for (size_t i = 0; i < count; i++) {
        store_u32le(body + p, (uint32_t)events[i].len);
        memcpy(body + p + EVENT_LENGTH_BYTES, events[i].data, events[i].len);
        p += EVENT_LENGTH_BYTES + events[i].len;
    }
    QFS_ASSERT(p == body_bytes);

    record_header h;
    memcpy(w->plain.data, w->end.chain.bytes, 16);
    qfs_hash128_of(&h.chain, w->plain.data, CHAIN_PREFIX_BYTES + body_bytes);

    uint8_t *frame = w->out.data + QFS_LOG_RECORD_HEADER_BYTES;
    size_t csize = ZSTD_compress2(w->cctx, frame, bound, body, body_bytes);
    if (ZSTD_isError(csize)) {
        qfs_diag_set(diag, "zstd compression failed: %s", ZSTD_getErrorName(csize));
        ZSTD_CCtx_reset(w->cctx, ZSTD_reset_session_only);
        return QFS_E_NOMEM;
    }
    QFS_ASSERT(csize > 0 && csize <= bound);

    qfs_hash128_of(&h.body_sum, frame, csize);
    h.parent = w->end.parent;
    h.first_index = first;
    h.event_count = (uint32_t)count;
    h.compressed_bytes = (uint32_t)csize;
    h.uncompressed_bytes = (uint32_t)body_bytes;
    record_header_encode(w->out.data, &h);

    /* One write of header and body, then fdatasync. If either fails, the tail
     * may hold part of this record: the file stays a valid log with a torn
     * tail, which the next open cuts. This writer no longer knows where the
     * end is, so it refuses further appends. */
    err = w->st->write_at(w->st->ctx, w->f, w->end.offset, w->out.data, QFS_LOG_RECORD_HEADER_BYTES + csize,
                          diag);
    if (err == QFS_OK)
        err = w->st->sync(w->st->ctx, w->f, diag);
    if (err != QFS_OK) {
        w->poisoned = 1;
        qfs_diag_set_event(diag, first);
        return err;
    }
    log_pos_advance(&w->end, &h);
    if (first_index_out)
        *first_index_out = first;
    return QFS_OK;
}

uint64_t qfs_log_writer_event_count(const qfs_log_writer *w)
{
    return w->end.event_index;
}

void qfs_log_writer_chain_head(const qfs_log_writer *w, qfs_hash128 *out)
{
    *out = w->end.chain;
}

void qfs_log_writer_free(qfs_log_writer *w)
{
    if (!w)
        return;
    if (w->f)
        w->st->close(w->st->ctx, w->f);
    ZSTD_freeCCtx(w->cctx);
    log_buf_free(&w->plain);
    log_buf_free(&w->out);
    free(w);
}
