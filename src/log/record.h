/*
 * src/log/record.h - private to the log module: byte layout of the file and
 * record headers, the verification steps shared by the writer, the reader and
 * the checker, and the torn-tail rule. docs/FORMAT.md is the reference for
 * every offset used here.
 */
#ifndef QFS_LOG_RECORD_H
#define QFS_LOG_RECORD_H

#include "qfs/event.h"
#include "qfs/log.h"

#include <zstd.h>

/* File header layout. */
#define FILE_MAGIC "\x89QFSLOG\n"
#define FILE_MAGIC_BYTES 8
#define FH_VERSION_AT 8
#define FH_SIZE_AT 12
#define FH_SCHEMA_AT 16
#define FH_RESERVED_AT 32
#define FH_CHECKSUM_AT 48

/* Record header layout. Bytes [0,8) are the magic and a reserved word; the
 * header checksum at [8,24) covers every byte after it, [24,96). */
#define RECORD_MAGIC "QREC"
#define RH_MAGIC_AT 0
#define RH_RESERVED0_AT 4
#define RH_CHECKSUM_AT 8
#define RH_COVERED_AT 24
#define RH_BODY_SUM_AT 24
#define RH_PARENT_AT 40
#define RH_CHAIN_AT 56
#define RH_FIRST_INDEX_AT 72
#define RH_EVENT_COUNT_AT 80
#define RH_COMPRESSED_AT 84
#define RH_UNCOMPRESSED_AT 88
#define RH_RESERVED1_AT 92

/* Each framed event is a u32 length and at least one byte. */
#define EVENT_LENGTH_BYTES 4
/* The largest record a header may describe: header plus maximal body. */
#define RECORD_BYTES_MAX ((uint64_t)QFS_LOG_RECORD_HEADER_BYTES + QFS_LOG_RECORD_COMPRESSED_BYTES_MAX)
/* Zero-filled tails are recognised at this granularity (see FORMAT.md). */
#define SECTOR_BYTES 512u
/* The uncompressed body is hashed with the previous chain in front of it, so
 * buffers holding it reserve this many bytes before the first event. */
#define CHAIN_PREFIX_BYTES 16

/* A zstd frame never declares a window larger than the biggest body it can
 * hold; larger windows are refused before any allocation. 2^25 = 32 MiB. */
#define ZSTD_WINDOW_LOG_MAX 25

_Static_assert(ZSTD_COMPRESSBOUND(QFS_LOG_RECORD_UNCOMPRESSED_BYTES_MAX) <=
                   QFS_LOG_RECORD_COMPRESSED_BYTES_MAX,
               "a maximal batch must always compress within the record limit");
_Static_assert(QFS_EVENT_BYTES_MAX + EVENT_LENGTH_BYTES <= QFS_LOG_RECORD_UNCOMPRESSED_BYTES_MAX,
               "one maximal event must fit in a record");
_Static_assert(((uint64_t)1 << ZSTD_WINDOW_LOG_MAX) >= QFS_LOG_RECORD_UNCOMPRESSED_BYTES_MAX,
               "the window bound must admit a maximal body");

static inline uint32_t load_u32le(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static inline uint64_t load_u64le(const uint8_t *p)
{
    return (uint64_t)load_u32le(p) | (uint64_t)load_u32le(p + 4) << 32;
}

static inline void store_u32le(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

static inline void store_u64le(uint8_t *p, uint64_t v)
{
    store_u32le(p, (uint32_t)v);
    store_u32le(p + 4, (uint32_t)(v >> 32));
}

/* Where the next record starts and what it must link to. */
typedef struct log_pos {
    uint64_t offset;       /* file offset of the next record */
    uint64_t event_index;  /* first event index the next record must carry */
    uint64_t record_count; /* records before `offset` */
    qfs_hash128 parent;    /* header checksum of the previous record */
    qfs_hash128 chain;     /* chain hash after the previous record */
} log_pos;

/* The decoded fields of one record header. */
typedef struct record_header {
    qfs_hash128 header_sum;
    qfs_hash128 body_sum;
    qfs_hash128 parent;
    qfs_hash128 chain;
    uint64_t first_index;
    uint32_t event_count;
    uint32_t compressed_bytes;
    uint32_t uncompressed_bytes;
} record_header;

/* A grow-only buffer. */
typedef struct log_buf {
    uint8_t *data;
    size_t cap;
} log_buf;

/* Makes b hold at least n bytes (n <= limit is the caller's promise).
 * QFS_E_NOMEM on allocation failure; the old contents are kept. */
qfs_err log_buf_reserve(log_buf *b, size_t n, size_t limit, qfs_diag *diag);
void log_buf_free(log_buf *b);

/* Sets the message, the byte offset and the event index of `diag`. */
void log_diag(qfs_diag *diag, uint64_t offset, uint64_t event_index, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 4, 5)))
#endif
    ;

/* The storage used when the caller passes NULL. */
const qfs_storage *log_storage(const qfs_storage *storage);

/* Writes a version-1 file header for `schema`, checksum included. */
void file_header_encode(uint8_t out[QFS_LOG_FILE_HEADER_BYTES], const qfs_hash128 *schema);

/* Reads and verifies the file header of a file of `file_size` bytes.
 * `expected` may be NULL (no schema check). On QFS_OK *schema_out and
 * *checksum_out (either may be NULL) are set. QFS_E_FORMAT, QFS_E_VERSION,
 * QFS_E_CORRUPT (offset 0), QFS_E_SCHEMA or QFS_E_IO otherwise. */
qfs_err file_header_load(const qfs_storage *st, qfs_storage_file *f, uint64_t file_size,
                         const qfs_hash128 *expected, qfs_hash128 *schema_out, qfs_hash128 *checksum_out,
                         qfs_diag *diag);

/* The position of the first record of a log whose header checksum is given. */
void log_pos_start(log_pos *pos, const qfs_hash128 *file_header_checksum);

/* Moves `pos` past the record `h` (which starts at pos->offset). */
void log_pos_advance(log_pos *pos, const record_header *h);

/* Fills the header bytes from h (all fields but header_sum) and stores the
 * computed header checksum in both `out` and h->header_sum. */
void record_header_encode(uint8_t out[QFS_LOG_RECORD_HEADER_BYTES], record_header *h);

/* Reads and verifies the record header at pos->offset: magic, reserved bytes,
 * checksum, limits, parent link and index continuity, and that the body lies
 * within the file. QFS_OK: the header is sound and the whole record is in
 * the file. QFS_E_EOF: pos->offset is the end of the file. QFS_E_TORN or
 * QFS_E_CORRUPT per the torn-tail rule, QFS_E_IO; `diag` says why. */
qfs_err record_header_next(const qfs_storage *st, qfs_storage_file *f, const log_pos *pos, uint64_t file_size,
                           record_header *out, qfs_diag *diag);

/* Reads the compressed body of the record `h` at pos->offset into `comp`
 * and verifies its checksum. A mismatch is QFS_E_TORN when the record ends
 * at end of file and its tail is zero-filled per the rule, else QFS_E_CORRUPT. */
qfs_err record_body_load(const qfs_storage *st, qfs_storage_file *f, const log_pos *pos,
                         const record_header *h, uint64_t file_size, log_buf *comp, qfs_diag *diag);

/* Decompresses a checksummed body into plain (CHAIN_PREFIX_BYTES + the
 * uncompressed body), verifies the event framing and count, and recomputes the
 * chain from pos->chain; it must equal h->chain. QFS_E_CORRUPT on any
 * mismatch, QFS_E_NOMEM. */
qfs_err record_body_decode(ZSTD_DCtx *dctx, const log_pos *pos, const record_header *h, const uint8_t *comp,
                           log_buf *plain, qfs_diag *diag);

/* Verifies the record at pos->offset completely, every step of FORMAT.md's
 * record verification: header, body checksum, frame, framing and chain. On
 * QFS_OK *out is its header, `comp` holds its compressed body and `plain` the
 * previous chain and its uncompressed body. QFS_E_EOF at end of file;
 * otherwise as record_header_next, record_body_load and record_body_decode. */
qfs_err record_verify(const qfs_storage *st, qfs_storage_file *f, ZSTD_DCtx *dctx, const log_pos *pos,
                      uint64_t file_size, record_header *out, log_buf *comp, log_buf *plain, qfs_diag *diag);

/* A decompression context with the log's pinned bounds. NULL on no memory. */
ZSTD_DCtx *log_dctx_new(void);

#endif
