/* The streaming reader. A record is loaded whole (header, body checksum,
 * decompression, framing, chain) before any of its events is handed out, and
 * the same two buffers are reused for every record. */
#include "log/record.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

struct qfs_log_reader {
    const qfs_storage *st;
    qfs_storage_file *f;
    qfs_hash128 schema;
    qfs_hash128 file_sum; /* file header checksum: parent and chain of record 0 */
    log_pos next;         /* the record after the loaded one */
    ZSTD_DCtx *dctx;
    log_buf comp;
    log_buf plain;
    /* The loaded record: its events are in plain, from CHAIN_PREFIX_BYTES. */
    uint64_t cur_offset; /* file offset of the loaded record */
    uint64_t cur_first_index;
    uint32_t cur_count;
    uint32_t cur_served; /* events of the loaded record already returned */
    size_t cur_at;       /* offset in plain of the next event's length */
    qfs_err failed;      /* sticky: corruption or I/O error, QFS_OK otherwise */
    qfs_diag failed_diag;
};

qfs_err qfs_log_reader_open(qfs_log_reader **out, const char *path, const qfs_hash128 *schema,
                            const qfs_storage *storage, qfs_diag *diag)
{
    qfs_diag_clear(diag);
    if (!out || !path) {
        qfs_diag_set(diag, "reader needs an output pointer and a path");
        return QFS_E_INVALID_ARG;
    }
    *out = NULL;
    qfs_log_reader *r = calloc(1, sizeof *r);
    if (!r) {
        qfs_diag_set(diag, "out of memory creating log reader");
        return QFS_E_NOMEM;
    }
    r->st = log_storage(storage);
    qfs_err err = QFS_OK;
    r->dctx = log_dctx_new();
    if (!r->dctx) {
        qfs_diag_set(diag, "out of memory creating zstd context");
        err = QFS_E_NOMEM;
        goto fail;
    }
    err = r->st->open(r->st->ctx, path, 0, 0, NULL, &r->f, diag);
    if (err != QFS_OK)
        goto fail;
    uint64_t size = 0;
    err = r->st->size(r->st->ctx, r->f, &size, diag);
    if (err != QFS_OK)
        goto fail;
    err = file_header_load(r->st, r->f, size, schema, &r->schema, &r->file_sum, diag);
    if (err != QFS_OK)
        goto fail;
    log_pos_start(&r->next, &r->file_sum);
    r->cur_first_index = 0;
    *out = r;
    return QFS_OK;
fail:
    qfs_log_reader_free(r);
    return err;
}

/* Loads and fully verifies the record at `at`; on success it becomes the
 * loaded record and r->next moves past it. On failure the loaded record is
 * gone (its buffer may be overwritten) and r->next is `at`, so that a torn
 * tail is met again by the next call: a writer may still be completing it. */
static qfs_err load_record(qfs_log_reader *r, const log_pos *at, qfs_diag *diag)
{
    r->cur_count = 0;
    r->cur_served = 0;
    r->next = *at;
    uint64_t size = 0;
    qfs_err err = r->st->size(r->st->ctx, r->f, &size, diag);
    record_header h;
    if (err == QFS_OK)
        err = record_verify(r->st, r->f, r->dctx, at, size, &h, &r->comp, &r->plain, diag);
    if (err != QFS_OK)
        return err;
    r->cur_offset = at->offset;
    r->cur_first_index = h.first_index;
    r->cur_count = h.event_count;
    r->cur_at = CHAIN_PREFIX_BYTES;
    log_pos_advance(&r->next, &h);
    return QFS_OK;
}

/* Errors that mean the log cannot be read further stick to the reader; the
 * end of the log and a torn tail do not, since a live log may grow. */
static qfs_err note_failure(qfs_log_reader *r, qfs_err err, const qfs_diag *diag)
{
    if (err != QFS_E_EOF && err != QFS_E_TORN) {
        r->failed = err;
        if (diag)
            r->failed_diag = *diag;
    }
    return err;
}

/* The framing was verified when the record was loaded, so these are
 * invariants, not checks of untrusted bytes. */
static void take_event(qfs_log_reader *r, const uint8_t **data, size_t *len)
{
    QFS_ASSERT(r->cur_served < r->cur_count);
    const uint8_t *p = r->plain.data + r->cur_at;
    uint32_t n = load_u32le(p);
    QFS_ASSERT(n >= 1 && n <= QFS_EVENT_BYTES_MAX);
    if (data)
        *data = p + EVENT_LENGTH_BYTES;
    if (len)
        *len = n;
    r->cur_at += EVENT_LENGTH_BYTES + (size_t)n;
    r->cur_served++;
}

qfs_err qfs_log_reader_next(qfs_log_reader *r, const uint8_t **data, size_t *len, uint64_t *index_out,
                            qfs_diag *diag)
{
    qfs_diag_clear(diag);
    QFS_ASSERT(r);
    if (r->failed != QFS_OK) {
        if (diag)
            *diag = r->failed_diag;
        return r->failed;
    }
    if (r->cur_served == r->cur_count) {
        log_pos at = r->next;
        qfs_err err = load_record(r, &at, diag);
        if (err != QFS_OK)
            return note_failure(r, err, diag);
    }
    uint64_t index = r->cur_first_index + r->cur_served;
    take_event(r, data, len);
    if (index_out)
        *index_out = index;
    return QFS_OK;
}

qfs_err qfs_log_reader_seek(qfs_log_reader *r, uint64_t index, qfs_diag *diag)
{
    qfs_diag_clear(diag);
    QFS_ASSERT(r);
    if (r->failed != QFS_OK) {
        if (diag)
            *diag = r->failed_diag;
        return r->failed;
    }
    /* Within the loaded record: rewind its cursor and skip forward. */
    if (r->cur_count > 0 && index >= r->cur_first_index && index - r->cur_first_index < r->cur_count) {
        r->cur_at = CHAIN_PREFIX_BYTES;
        r->cur_served = 0;
        for (uint64_t i = r->cur_first_index; i < index; i++)
            take_event(r, NULL, NULL);
        return QFS_OK;
    }
    /* Walk headers only, from the loaded record onward when the event lies
     * ahead, else from the start. Each header is verified and linked; the
     * chain carried forward is the one each verified header records. */
    log_pos at;
    if (index >= r->next.event_index)
        at = r->next;
    else
        log_pos_start(&at, &r->file_sum);
    uint64_t size = 0;
    qfs_err err = r->st->size(r->st->ctx, r->f, &size, diag);
    if (err != QFS_OK)
        return err;
    for (;;) {
        record_header h;
        err = record_header_next(r->st, r->f, &at, size, &h, diag);
        if (err == QFS_E_EOF) {
            log_diag(diag, at.offset, index,
                     "event %" PRIu64 " is past the end of the log (%" PRIu64 " events)", index,
                     at.event_index);
            return QFS_E_NOT_FOUND;
        }
        if (err != QFS_OK)
            return err; /* the reader keeps its position */
        if (index - h.first_index < h.event_count)
            break;
        log_pos_advance(&at, &h);
    }
    /* The record holding the event is verified in full; its chain is
     * recomputed from the previous header's chain, which ties the recorded
     * chain of every walked header to this record's contents. */
    err = load_record(r, &at, diag);
    if (err != QFS_OK)
        return note_failure(r, err, diag);
    for (uint64_t i = r->cur_first_index; i < index; i++)
        take_event(r, NULL, NULL);
    return QFS_OK;
}

void qfs_log_reader_chain_head(const qfs_log_reader *r, qfs_hash128 *out)
{
    *out = r->next.chain;
}

void qfs_log_reader_schema(const qfs_log_reader *r, qfs_hash128 *out)
{
    *out = r->schema;
}

uint64_t qfs_log_reader_record_offset(const qfs_log_reader *r)
{
    return r->cur_offset;
}

uint64_t qfs_log_reader_record_count(const qfs_log_reader *r)
{
    return r->next.record_count;
}

void qfs_log_reader_free(qfs_log_reader *r)
{
    if (!r)
        return;
    if (r->f)
        r->st->close(r->st->ctx, r->f);
    ZSTD_freeDCtx(r->dctx);
    log_buf_free(&r->comp);
    log_buf_free(&r->plain);
    free(r);
}
