/* Record and file header encoding, verification, and the torn-tail rule.
 * Every check here reads untrusted bytes, so every failure is an error code
 * with a diagnostic, never an assertion. */
#include "log/record.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

qfs_err log_buf_reserve(log_buf *b, size_t n, size_t limit, qfs_diag *diag)
{
    QFS_ASSERT(n <= limit);
    if (n <= b->cap)
        return QFS_OK;
    /* Grow by half again so that a slowly rising size does not reallocate on
     * every record, but never past the limit the caller enforces. */
    size_t want = b->cap + b->cap / 2;
    if (want < n)
        want = n;
    if (want > limit)
        want = limit;
    uint8_t *p = realloc(b->data, want);
    if (!p) {
        qfs_diag_set(diag, "cannot allocate %zu bytes for a record buffer", want);
        return QFS_E_NOMEM;
    }
    b->data = p;
    b->cap = want;
    return QFS_OK;
}

void log_buf_free(log_buf *b)
{
    free(b->data);
    b->data = NULL;
    b->cap = 0;
}

void log_diag(qfs_diag *diag, uint64_t offset, uint64_t event_index, const char *fmt, ...)
{
    if (!diag)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(diag->message, sizeof diag->message, fmt, ap);
    va_end(ap);
    qfs_diag_set_offset(diag, offset);
    /* An event index means something only for damage at or after the first
     * record; a file header problem concerns no event. */
    if (offset >= QFS_LOG_FILE_HEADER_BYTES)
        qfs_diag_set_event(diag, event_index);
}

const qfs_storage *log_storage(const qfs_storage *storage)
{
    return storage ? storage : qfs_storage_posix();
}

static int all_zero(const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i] != 0)
            return 0;
    return 1;
}

static void hash_to(uint8_t *out, const void *data, size_t len)
{
    qfs_hash128 h;
    qfs_hash128_of(&h, data, len);
    memcpy(out, h.bytes, 16);
}

void file_header_encode(uint8_t out[QFS_LOG_FILE_HEADER_BYTES], const qfs_hash128 *schema)
{
    memset(out, 0, QFS_LOG_FILE_HEADER_BYTES);
    memcpy(out, FILE_MAGIC, FILE_MAGIC_BYTES);
    store_u32le(out + FH_VERSION_AT, QFS_LOG_FORMAT_VERSION);
    store_u32le(out + FH_SIZE_AT, QFS_LOG_FILE_HEADER_BYTES);
    memcpy(out + FH_SCHEMA_AT, schema->bytes, 16);
    hash_to(out + FH_CHECKSUM_AT, out, FH_CHECKSUM_AT);
}

qfs_err file_header_load(const qfs_storage *st, qfs_storage_file *f, uint64_t file_size,
                         const qfs_hash128 *expected, qfs_hash128 *schema_out, qfs_hash128 *checksum_out,
                         qfs_diag *diag)
{
    if (file_size == 0) {
        log_diag(diag, 0, 0, "empty file: not a qfs log");
        return QFS_E_FORMAT;
    }
    uint8_t b[QFS_LOG_FILE_HEADER_BYTES];
    size_t got = 0;
    qfs_err err = st->read_at(st->ctx, f, 0, b, sizeof b, &got, diag);
    if (err != QFS_OK)
        return err;
    size_t magic_got = got < FILE_MAGIC_BYTES ? got : FILE_MAGIC_BYTES;
    if (memcmp(b, FILE_MAGIC, magic_got) != 0) {
        log_diag(diag, 0, 0, "not a qfs log (wrong magic bytes)");
        return QFS_E_FORMAT;
    }
    if (got < QFS_LOG_FILE_HEADER_BYTES) {
        log_diag(diag, 0, 0, "not a qfs log: file is %zu bytes, shorter than the %d-byte header", got,
                 QFS_LOG_FILE_HEADER_BYTES);
        return QFS_E_FORMAT;
    }
    /* The version is checked before the checksum: a later format may lay its
     * header out differently, and that deserves its own error. */
    uint32_t version = load_u32le(b + FH_VERSION_AT);
    if (version != QFS_LOG_FORMAT_VERSION) {
        log_diag(diag, FH_VERSION_AT, 0, "log format version %" PRIu32 " (this build reads version %d)",
                 version, QFS_LOG_FORMAT_VERSION);
        return QFS_E_VERSION;
    }
    qfs_hash128 sum;
    qfs_hash128_of(&sum, b, FH_CHECKSUM_AT);
    if (memcmp(sum.bytes, b + FH_CHECKSUM_AT, 16) != 0) {
        log_diag(diag, 0, 0, "file header checksum mismatch");
        return QFS_E_CORRUPT;
    }
    uint32_t header_size = load_u32le(b + FH_SIZE_AT);
    if (header_size != QFS_LOG_FILE_HEADER_BYTES) {
        log_diag(diag, FH_SIZE_AT, 0, "file header claims %" PRIu32 " bytes (version 1 headers are %d)",
                 header_size, QFS_LOG_FILE_HEADER_BYTES);
        return QFS_E_CORRUPT;
    }
    if (!all_zero(b + FH_RESERVED_AT, FH_CHECKSUM_AT - FH_RESERVED_AT)) {
        log_diag(diag, FH_RESERVED_AT, 0, "nonzero reserved bytes in file header");
        return QFS_E_CORRUPT;
    }
    qfs_hash128 schema;
    memcpy(schema.bytes, b + FH_SCHEMA_AT, 16);
    if (expected && !qfs_hash128_eq(&schema, expected)) {
        char have[QFS_HASH128_HEX_LEN + 1], want[QFS_HASH128_HEX_LEN + 1];
        qfs_hash128_hex(&schema, have);
        qfs_hash128_hex(expected, want);
        log_diag(diag, FH_SCHEMA_AT, 0, "log written with event schema %s, expected %s", have, want);
        return QFS_E_SCHEMA;
    }
    if (schema_out)
        *schema_out = schema;
    if (checksum_out)
        *checksum_out = sum;
    return QFS_OK;
}

void log_pos_start(log_pos *pos, const qfs_hash128 *file_header_checksum)
{
    pos->offset = QFS_LOG_FILE_HEADER_BYTES;
    pos->event_index = 0;
    pos->record_count = 0;
    pos->parent = *file_header_checksum;
    pos->chain = *file_header_checksum;
}

void log_pos_advance(log_pos *pos, const record_header *h)
{
    QFS_ASSERT(h->first_index == pos->event_index);
    pos->offset += QFS_LOG_RECORD_HEADER_BYTES + (uint64_t)h->compressed_bytes;
    pos->event_index += h->event_count;
    pos->record_count++;
    pos->parent = h->header_sum;
    pos->chain = h->chain;
}

void record_header_encode(uint8_t out[QFS_LOG_RECORD_HEADER_BYTES], record_header *h)
{
    memset(out, 0, QFS_LOG_RECORD_HEADER_BYTES);
    memcpy(out + RH_MAGIC_AT, RECORD_MAGIC, 4);
    memcpy(out + RH_BODY_SUM_AT, h->body_sum.bytes, 16);
    memcpy(out + RH_PARENT_AT, h->parent.bytes, 16);
    memcpy(out + RH_CHAIN_AT, h->chain.bytes, 16);
    store_u64le(out + RH_FIRST_INDEX_AT, h->first_index);
    store_u32le(out + RH_EVENT_COUNT_AT, h->event_count);
    store_u32le(out + RH_COMPRESSED_AT, h->compressed_bytes);
    store_u32le(out + RH_UNCOMPRESSED_AT, h->uncompressed_bytes);
    qfs_hash128_of(&h->header_sum, out + RH_COVERED_AT, QFS_LOG_RECORD_HEADER_BYTES - RH_COVERED_AT);
    memcpy(out + RH_CHECKSUM_AT, h->header_sum.bytes, 16);
}

/* Finds where the run of zero bytes that ends at end of file begins, looking
 * no further back than `floor`. *out is file_size when the last byte is not
 * zero and `floor` when every byte of [floor, file_size) is zero. The scan
 * reads backwards, so its cost is the length of the run. */
static qfs_err zero_run_start(const qfs_storage *st, qfs_storage_file *f, uint64_t floor, uint64_t file_size,
                              uint64_t *out, qfs_diag *diag)
{
    uint8_t chunk[4096];
    uint64_t end = file_size;
    while (end > floor) {
        size_t n = end - floor < sizeof chunk ? (size_t)(end - floor) : sizeof chunk;
        uint64_t at = end - n;
        size_t got = 0;
        qfs_err err = st->read_at(st->ctx, f, at, chunk, n, &got, diag);
        if (err != QFS_OK)
            return err;
        if (got != n) {
            log_diag(diag, at, 0, "file shrank while it was being read");
            return QFS_E_IO;
        }
        for (size_t i = n; i > 0; i--) {
            if (chunk[i - 1] != 0) {
                *out = at + i;
                return QFS_OK;
            }
        }
        end = at;
    }
    *out = floor;
    return QFS_OK;
}

qfs_err record_header_next(const qfs_storage *st, qfs_storage_file *f, const log_pos *pos, uint64_t file_size,
                           record_header *out, qfs_diag *diag)
{
    const uint64_t at = pos->offset;
    const uint64_t idx = pos->event_index;
    if (file_size == at)
        return QFS_E_EOF;
    if (file_size < at) {
        log_diag(diag, at, idx, "file shrank below already verified records (%" PRIu64 " bytes)", file_size);
        return QFS_E_IO;
    }
    const uint64_t remaining = file_size - at;
    if (remaining < QFS_LOG_RECORD_HEADER_BYTES) {
        log_diag(diag, at, idx, "torn record: header ends past end of file (%" PRIu64 " of %d bytes present)",
                 remaining, QFS_LOG_RECORD_HEADER_BYTES);
        return QFS_E_TORN;
    }
    uint8_t b[QFS_LOG_RECORD_HEADER_BYTES];
    size_t got = 0;
    qfs_err err = st->read_at(st->ctx, f, at, b, sizeof b, &got, diag);
    if (err != QFS_OK)
        return err;
    if (got != sizeof b) {
        log_diag(diag, at, idx, "file shrank while it was being read");
        return QFS_E_IO;
    }

    /* Damage to bytes the header checksum protects (or to the magic and
     * reserved word in front of it) may be a torn write or may be
     * corruption; only a zero-filled tail is positive evidence of the former. */
    const char *damage = NULL;
    qfs_hash128 sum;
    qfs_hash128_of(&sum, b + RH_COVERED_AT, QFS_LOG_RECORD_HEADER_BYTES - RH_COVERED_AT);
    if (memcmp(b + RH_MAGIC_AT, RECORD_MAGIC, 4) != 0)
        damage = "bad record magic";
    else if (load_u32le(b + RH_RESERVED0_AT) != 0)
        damage = "nonzero reserved bytes in record header";
    else if (memcmp(sum.bytes, b + RH_CHECKSUM_AT, 16) != 0)
        damage = "record header checksum mismatch";
    if (damage) {
        if (remaining > RECORD_BYTES_MAX) {
            log_diag(diag, at, idx, "%s (%" PRIu64 " bytes follow, more than one record)", damage, remaining);
            return QFS_E_CORRUPT;
        }
        uint64_t zero_at = 0;
        err = zero_run_start(st, f, at, file_size, &zero_at, diag);
        if (err != QFS_OK)
            return err;
        if (zero_at < file_size && zero_at < at + QFS_LOG_RECORD_HEADER_BYTES &&
            (zero_at == at || zero_at % SECTOR_BYTES == 0)) {
            log_diag(diag, at, idx, "torn record: header zero-filled from offset %" PRIu64 " to end of file",
                     zero_at);
            return QFS_E_TORN;
        }
        log_diag(diag, at, idx, "%s", damage);
        return QFS_E_CORRUPT;
    }

    record_header h;
    memcpy(h.header_sum.bytes, b + RH_CHECKSUM_AT, 16);
    memcpy(h.body_sum.bytes, b + RH_BODY_SUM_AT, 16);
    memcpy(h.parent.bytes, b + RH_PARENT_AT, 16);
    memcpy(h.chain.bytes, b + RH_CHAIN_AT, 16);
    h.first_index = load_u64le(b + RH_FIRST_INDEX_AT);
    h.event_count = load_u32le(b + RH_EVENT_COUNT_AT);
    h.compressed_bytes = load_u32le(b + RH_COMPRESSED_AT);
    h.uncompressed_bytes = load_u32le(b + RH_UNCOMPRESSED_AT);

    /* From here the header is exactly what some writer wrote, so anything
     * wrong with its fields is corruption, never a torn write. */
    if (load_u32le(b + RH_RESERVED1_AT) != 0) {
        log_diag(diag, at, idx, "nonzero reserved bytes in record header");
        return QFS_E_CORRUPT;
    }
    if (h.event_count == 0 || h.event_count > QFS_LOG_BATCH_EVENTS_MAX) {
        log_diag(diag, at, idx, "record claims %" PRIu32 " events (limit 1 to %u)", h.event_count,
                 QFS_LOG_BATCH_EVENTS_MAX);
        return QFS_E_CORRUPT;
    }
    if (h.uncompressed_bytes > QFS_LOG_RECORD_UNCOMPRESSED_BYTES_MAX) {
        log_diag(diag, at, idx, "record claims %" PRIu32 " uncompressed bytes (limit %" PRIu32 ")",
                 h.uncompressed_bytes, QFS_LOG_RECORD_UNCOMPRESSED_BYTES_MAX);
        return QFS_E_CORRUPT;
    }
    if ((uint64_t)h.uncompressed_bytes < (uint64_t)h.event_count * (EVENT_LENGTH_BYTES + 1)) {
        log_diag(diag, at, idx,
                 "record claims %" PRIu32 " events in %" PRIu32 " uncompressed bytes (at least %d per event)",
                 h.event_count, h.uncompressed_bytes, EVENT_LENGTH_BYTES + 1);
        return QFS_E_CORRUPT;
    }
    if (h.compressed_bytes == 0 || h.compressed_bytes > QFS_LOG_RECORD_COMPRESSED_BYTES_MAX) {
        log_diag(diag, at, idx, "record claims %" PRIu32 " compressed bytes (limit 1 to %" PRIu32 ")",
                 h.compressed_bytes, QFS_LOG_RECORD_COMPRESSED_BYTES_MAX);
        return QFS_E_CORRUPT;
    }
    if (!qfs_hash128_eq(&h.parent, &pos->parent)) {
        log_diag(diag, at, idx, "parent link does not match previous record");
        return QFS_E_CORRUPT;
    }
    if (h.first_index != idx) {
        log_diag(diag, at, idx, "record starts at event %" PRIu64 ", expected %" PRIu64, h.first_index, idx);
        return QFS_E_CORRUPT;
    }
    if (h.event_count > UINT64_MAX - h.first_index) {
        log_diag(diag, at, idx, "event index overflows");
        return QFS_E_CORRUPT;
    }
    const uint64_t record_bytes = QFS_LOG_RECORD_HEADER_BYTES + (uint64_t)h.compressed_bytes;
    if (record_bytes > remaining) {
        log_diag(diag, at, idx,
                 "torn record: body ends past end of file (record is %" PRIu64 " bytes, %" PRIu64 " present)",
                 record_bytes, remaining);
        return QFS_E_TORN;
    }
    *out = h;
    return QFS_OK;
}

qfs_err record_body_load(const qfs_storage *st, qfs_storage_file *f, const log_pos *pos,
                         const record_header *h, uint64_t file_size, log_buf *comp, qfs_diag *diag)
{
    const uint64_t at = pos->offset;
    const uint64_t body_at = at + QFS_LOG_RECORD_HEADER_BYTES;
    const size_t n = h->compressed_bytes;
    qfs_err err = log_buf_reserve(comp, n, QFS_LOG_RECORD_COMPRESSED_BYTES_MAX, diag);
    if (err != QFS_OK)
        return err;
    size_t got = 0;
    err = st->read_at(st->ctx, f, body_at, comp->data, n, &got, diag);
    if (err != QFS_OK)
        return err;
    if (got != n) {
        log_diag(diag, at, pos->event_index, "file shrank while it was being read");
        return QFS_E_IO;
    }
    qfs_hash128 sum;
    qfs_hash128_of(&sum, comp->data, n);
    if (qfs_hash128_eq(&sum, &h->body_sum))
        return QFS_OK;

    /* A body that fails its checksum is a torn write only if it is the last
     * thing in the file and it ends in zeros that begin at the body start
     * or at a sector boundary: the shape a crash leaves when the file size
     * reached the disk but some data sectors did not. */
    if (body_at + n == file_size) {
        size_t last_nonzero = n; /* one past the last nonzero byte */
        while (last_nonzero > 0 && comp->data[last_nonzero - 1] == 0)
            last_nonzero--;
        const uint64_t zero_at = body_at + last_nonzero;
        if (last_nonzero < n && (last_nonzero == 0 || zero_at % SECTOR_BYTES == 0)) {
            log_diag(diag, at, pos->event_index,
                     "torn record: body zero-filled from offset %" PRIu64 " to end of file", zero_at);
            return QFS_E_TORN;
        }
    }
    log_diag(diag, at, pos->event_index, "body checksum mismatch");
    return QFS_E_CORRUPT;
}

qfs_err record_body_decode(ZSTD_DCtx *dctx, const log_pos *pos, const record_header *h, const uint8_t *comp,
                           log_buf *plain, qfs_diag *diag)
{
    const uint64_t at = pos->offset;
    const uint64_t idx = pos->event_index;
    const size_t csize = h->compressed_bytes;
    const size_t usize = h->uncompressed_bytes;

    /* The declared size is checked against the header, and the header against
     * the limits, before a byte is allocated: a small frame that claims a
     * huge output never gets memory. */
    unsigned long long declared = ZSTD_getFrameContentSize(comp, csize);
    if (declared == ZSTD_CONTENTSIZE_ERROR) {
        log_diag(diag, at, idx, "body is not a zstd frame");
        return QFS_E_CORRUPT;
    }
    if (declared == ZSTD_CONTENTSIZE_UNKNOWN) {
        log_diag(diag, at, idx, "zstd frame does not declare its content size");
        return QFS_E_CORRUPT;
    }
    if (declared != usize) {
        log_diag(diag, at, idx, "zstd frame declares %llu bytes, record header %zu", declared, usize);
        return QFS_E_CORRUPT;
    }
    size_t frame_bytes = ZSTD_findFrameCompressedSize(comp, csize);
    if (ZSTD_isError(frame_bytes) || frame_bytes != csize) {
        log_diag(diag, at, idx, "body is not exactly one zstd frame");
        return QFS_E_CORRUPT;
    }
    qfs_err err = log_buf_reserve(plain, CHAIN_PREFIX_BYTES + usize,
                                  CHAIN_PREFIX_BYTES + QFS_LOG_RECORD_UNCOMPRESSED_BYTES_MAX, diag);
    if (err != QFS_OK)
        return err;
    uint8_t *body = plain->data + CHAIN_PREFIX_BYTES;
    size_t produced = ZSTD_decompressDCtx(dctx, body, usize, comp, csize);
    if (ZSTD_isError(produced)) {
        log_diag(diag, at, idx, "zstd frame does not decode: %s", ZSTD_getErrorName(produced));
        return QFS_E_CORRUPT;
    }
    if (produced != usize) {
        log_diag(diag, at, idx, "zstd frame decoded to %zu bytes, record header claims %zu", produced, usize);
        return QFS_E_CORRUPT;
    }

    /* The framing must fill the body exactly with event_count events. */
    size_t p = 0;
    uint32_t count = 0;
    while (p < usize) {
        if (count == h->event_count) {
            log_diag(diag, at, idx, "record body holds more than the %" PRIu32 " events its header claims",
                     h->event_count);
            return QFS_E_CORRUPT;
        }
        if (usize - p < EVENT_LENGTH_BYTES) {
            log_diag(diag, at, idx + count, "event length prefix cut off by end of record body");
            return QFS_E_CORRUPT;
        }
        uint32_t len = load_u32le(body + p);
        if (len == 0 || len > QFS_EVENT_BYTES_MAX) {
            log_diag(diag, at, idx + count, "event of %" PRIu32 " bytes (limit 1 to %zu)", len,
                     QFS_EVENT_BYTES_MAX);
            return QFS_E_CORRUPT;
        }
        if (len > usize - p - EVENT_LENGTH_BYTES) {
            log_diag(diag, at, idx + count, "event of %" PRIu32 " bytes runs past end of record body", len);
            return QFS_E_CORRUPT;
        }
        p += EVENT_LENGTH_BYTES + len;
        count++;
    }
    if (count != h->event_count) {
        log_diag(diag, at, idx, "record body holds %" PRIu32 " events, header claims %" PRIu32, count,
                 h->event_count);
        return QFS_E_CORRUPT;
    }

    /* chain = XXH3-128(previous chain || uncompressed body); the previous
     * chain is placed in front of the body so that one call hashes both. */
    memcpy(plain->data, pos->chain.bytes, 16);
    qfs_hash128 chain;
    qfs_hash128_of(&chain, plain->data, CHAIN_PREFIX_BYTES + usize);
    if (!qfs_hash128_eq(&chain, &h->chain)) {
        log_diag(diag, at, idx, "chain hash mismatch");
        return QFS_E_CORRUPT;
    }
    return QFS_OK;
}

qfs_err record_verify(const qfs_storage *st, qfs_storage_file *f, ZSTD_DCtx *dctx, const log_pos *pos,
                      uint64_t file_size, record_header *out, log_buf *comp, log_buf *plain, qfs_diag *diag)
{
    record_header h;
    qfs_err err = record_header_next(st, f, pos, file_size, &h, diag);
    if (err == QFS_OK)
        err = record_body_load(st, f, pos, &h, file_size, comp, diag);
    if (err == QFS_OK)
        err = record_body_decode(dctx, pos, &h, comp->data, plain, diag);
    if (err == QFS_OK)
        *out = h;
    return err;
}

ZSTD_DCtx *log_dctx_new(void)
{
    ZSTD_DCtx *d = ZSTD_createDCtx();
    if (!d)
        return NULL;
    if (ZSTD_isError(ZSTD_DCtx_setParameter(d, ZSTD_d_windowLogMax, ZSTD_WINDOW_LOG_MAX))) {
        ZSTD_freeDCtx(d);
        return NULL;
    }
    return d;
}
