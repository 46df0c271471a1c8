/* The offline checker: verifies every record in full and reports what it
 * found instead of failing at the first damage. It never writes. */
#include "log/record.h"

#include <stdio.h>
#include <string.h>

static void note_damage(qfs_log_check_result *out, qfs_log_status status, const log_pos *pos,
                        const qfs_diag *d)
{
    out->status = status;
    out->damage_offset = pos->offset;
    out->damage_event_index = pos->event_index;
    snprintf(out->damage, sizeof out->damage, "%s", d->message);
}

qfs_err qfs_log_check(const char *path, const qfs_storage *storage, qfs_log_check_result *out, qfs_diag *diag)
{
    qfs_diag_clear(diag);
    if (!path || !out) {
        qfs_diag_set(diag, "check needs a path and a result");
        return QFS_E_INVALID_ARG;
    }
    memset(out, 0, sizeof *out);
    const qfs_storage *st = log_storage(storage);
    qfs_storage_file *f = NULL;
    ZSTD_DCtx *dctx = NULL;
    log_buf comp = {0}, plain = {0};
    qfs_err err = st->open(st->ctx, path, 0, 0, NULL, &f, diag);
    if (err != QFS_OK)
        return err;
    err = st->size(st->ctx, f, &out->file_bytes, diag);
    if (err != QFS_OK)
        goto done;

    qfs_diag d;
    qfs_diag_clear(&d);
    qfs_hash128 file_sum;
    log_pos pos;
    err = file_header_load(st, f, out->file_bytes, NULL, &out->schema, &file_sum, &d);
    if (err == QFS_E_CORRUPT) {
        /* The header is damaged but is still recognisably a qfs log: that is
         * a finding, not a failure to run. */
        memset(&pos, 0, sizeof pos);
        note_damage(out, QFS_LOG_CORRUPT, &pos, &d);
        err = QFS_OK;
        goto done;
    }
    if (err != QFS_OK) {
        if (diag)
            *diag = d;
        goto done;
    }
    log_pos_start(&pos, &file_sum);
    out->chain_head = file_sum;
    out->valid_bytes = pos.offset;

    dctx = log_dctx_new();
    if (!dctx) {
        qfs_diag_set(diag, "out of memory creating zstd context");
        err = QFS_E_NOMEM;
        goto done;
    }
    for (;;) {
        record_header h;
        qfs_diag_clear(&d);
        err = record_verify(st, f, dctx, &pos, out->file_bytes, &h, &comp, &plain, &d);
        if (err == QFS_E_EOF) {
            out->status = QFS_LOG_OK;
            err = QFS_OK;
            break;
        }
        if (err == QFS_E_TORN || err == QFS_E_CORRUPT) {
            note_damage(out, err == QFS_E_TORN ? QFS_LOG_TORN_TAIL : QFS_LOG_CORRUPT, &pos, &d);
            err = QFS_OK;
            break;
        }
        if (err != QFS_OK) {
            if (diag)
                *diag = d;
            break;
        }
        log_pos_advance(&pos, &h);
        out->event_count = pos.event_index;
        out->record_count = pos.record_count;
        out->valid_bytes = pos.offset;
        out->chain_head = pos.chain;
    }
done:
    ZSTD_freeDCtx(dctx);
    log_buf_free(&comp);
    log_buf_free(&plain);
    st->close(st->ctx, f);
    return err;
}
