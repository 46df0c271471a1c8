/*
 * qfs/log.h - the append-only event log (.qlog), byte layout in docs/FORMAT.md.
 *
 * A log is a file header followed by records. A record holds one batch of
 * encoded events as one zstd frame under a header carrying checksums, the
 * parent link and a chain hash over the uncompressed event bytes. Event
 * indexes are 0-based and contiguous across records.
 *
 * Writers append one batch per call and report success only after the bytes
 * are durable (fdatasync; the directory is fsynced when the file is created).
 * Opening a log for append repairs a torn tail (a partially written last
 * record) only when the evidence is positive, and refuses any other damage.
 * Readers never modify a file.
 *
 * All file access goes through a qfs_storage, so that tests can inject faults.
 * Pass NULL for the POSIX implementation.
 */
#ifndef QFS_LOG_H
#define QFS_LOG_H

#include "qfs/common.h"

#ifdef __cplusplus
extern "C" {
#endif

#define QFS_LOG_FORMAT_VERSION 2
#define QFS_LOG_FILE_HEADER_BYTES 64
#define QFS_LOG_RECORD_HEADER_BYTES 96
/* Limits. A record that claims or produces more is corrupt. */
#define QFS_LOG_BATCH_EVENTS_MAX 65536u                            /* events in one record */
#define QFS_LOG_RECORD_UNCOMPRESSED_BYTES_MAX ((uint32_t)32 << 20) /* framed events of one record */
#define QFS_LOG_RECORD_COMPRESSED_BYTES_MAX ((uint32_t)33 << 20)   /* zstd frame of one record */

/* One encoded event handed to the writer. */
typedef struct qfs_log_event_bytes {
    const uint8_t *data;
    size_t len;
} qfs_log_event_bytes;

/* The storage layer under the log: one open file. Every function returns
 * QFS_OK or QFS_E_IO (with errno-style detail in the diag, if any). */
typedef struct qfs_storage_file qfs_storage_file;
typedef struct qfs_storage {
    void *ctx;
    /* Opens `path`; creates it (empty) when `create` is set and it is
     * missing, setting *created. Read-only when `writable` is 0. QFS_E_NOT_FOUND
     * when missing and not creating. The POSIX storage takes an exclusive
     * lock on a writable file (QFS_E_IO while another writer holds it). */
    qfs_err (*open)(void *ctx, const char *path, int writable, int create, int *created,
                    qfs_storage_file **out, qfs_diag *diag);
    /* Reads up to len bytes at offset; *got < len only at end of file. */
    qfs_err (*read_at)(void *ctx, qfs_storage_file *f, uint64_t offset, void *buf, size_t len, size_t *got,
                       qfs_diag *diag);
    /* Writes all len bytes at offset. */
    qfs_err (*write_at)(void *ctx, qfs_storage_file *f, uint64_t offset, const void *buf, size_t len,
                        qfs_diag *diag);
    qfs_err (*size)(void *ctx, qfs_storage_file *f, uint64_t *out, qfs_diag *diag);
    qfs_err (*truncate)(void *ctx, qfs_storage_file *f, uint64_t size, qfs_diag *diag);
    /* Makes written data durable (fdatasync). */
    qfs_err (*sync)(void *ctx, qfs_storage_file *f, qfs_diag *diag);
    /* Makes the creation of `path` durable (fsync of its directory). */
    qfs_err (*sync_dir)(void *ctx, const char *path, qfs_diag *diag);
    void (*close)(void *ctx, qfs_storage_file *f);
} qfs_storage;

/* The POSIX storage (pread/pwrite/fdatasync). Static; never freed. */
const qfs_storage *qfs_storage_posix(void);

/* ---- Writer ---------------------------------------------------------- */

typedef struct qfs_log_writer qfs_log_writer;

/* What opening for append found. */
typedef struct qfs_log_open_info {
    int created;            /* the file did not exist and was created */
    int repaired_torn_tail; /* a torn tail was truncated */
    uint64_t torn_offset;   /* where the torn record began (the new file size) */
    uint64_t torn_bytes;    /* how many bytes were cut */
    uint64_t event_count;   /* events in the log after opening */
    uint64_t record_count;  /* records in the log after opening */
} qfs_log_open_info;

/* Opens `path` for appending, creating it with `schema` in its header when
 * missing (an existing empty file, which a crash right after creation leaves,
 * is initialised the same way; info->created is set only when this call
 * created the file). An existing log must have a valid header and the same
 * schema hash (else QFS_E_FORMAT / QFS_E_VERSION / QFS_E_SCHEMA). Every record
 * is verified in full, as qfs_log_check does, so opening reads and
 * decompresses the whole log (docs/FORMAT.md gives the measured cost); a torn
 * tail is truncated (reported in *info, which may be NULL); any other damage
 * is QFS_E_CORRUPT with the byte offset and first event index of the damaged
 * record in `diag`, and the file is left untouched. One writer at a time:
 * with the POSIX storage, opening a log another writer holds open is
 * QFS_E_IO. */
qfs_err qfs_log_writer_open(qfs_log_writer **out, const char *path, const qfs_hash128 *schema,
                            const qfs_storage *storage, qfs_log_open_info *info, qfs_diag *diag);

/* Appends one batch of 1..QFS_LOG_BATCH_EVENTS_MAX events as one record and
 * makes it durable before returning QFS_OK. *first_index_out (may be NULL)
 * receives the index of the first appended event. QFS_E_LIMIT when an event
 * exceeds QFS_EVENT_BYTES_MAX or the batch exceeds a record limit (nothing is
 * written). On QFS_E_IO the writer is poisoned: every later call fails. */
qfs_err qfs_log_writer_append(qfs_log_writer *w, const qfs_log_event_bytes *events, size_t count,
                              uint64_t *first_index_out, qfs_diag *diag);

/* Events in the log (the index the next appended event gets). */
uint64_t qfs_log_writer_event_count(const qfs_log_writer *w);

/* Chain hash after the last record (the file header's checksum when empty). */
void qfs_log_writer_chain_head(const qfs_log_writer *w, qfs_hash128 *out);

/* Closes the file and frees the writer. Accepts NULL. */
void qfs_log_writer_free(qfs_log_writer *w);

/* ---- Reader ---------------------------------------------------------- */

typedef struct qfs_log_reader qfs_log_reader;

/* Opens `path` read-only and verifies the file header. When `schema` is not
 * NULL the log's schema hash must equal it (QFS_E_SCHEMA). */
qfs_err qfs_log_reader_open(qfs_log_reader **out, const char *path, const qfs_hash128 *schema,
                            const qfs_storage *storage, qfs_diag *diag);

/* Returns the next event: *data and *len point into the reader's buffer, valid
 * until the next call. *index_out (may be NULL) gets its index. Every record
 * is fully verified (header and body checksums, parent link, sizes,
 * decompressed size, event framing, chain hash) before any of its events is
 * returned. QFS_E_EOF at the clean end of the log; QFS_E_TORN when the log
 * ends in a torn record; QFS_E_CORRUPT otherwise, with byte offset and event
 * index in `diag`. Memory stays flat: buffers are reused between records.
 * QFS_E_EOF and QFS_E_TORN leave the reader at the end of the last whole
 * record, so a later call sees records a writer has completed since (a
 * reader kept open follows a growing log without reading it again from the
 * start, as `qfs serve` does; a torn record is read whole once its last byte
 * is written); QFS_E_CORRUPT and QFS_E_IO are sticky: every later call
 * returns them. */
qfs_err qfs_log_reader_next(qfs_log_reader *r, const uint8_t **data, size_t *len, uint64_t *index_out,
                            qfs_diag *diag);

/* Positions the reader so that the next call of _next returns event `index`.
 * Reads record headers only, then decompresses the one record holding the
 * event. QFS_E_NOT_FOUND when the log has no such event (the reader keeps its
 * position). QFS_E_TORN or QFS_E_CORRUPT when damage lies between the start
 * and the event; if the damage is in the record holding the event, the reader
 * is left at that record, as _next would have left it. */
qfs_err qfs_log_reader_seek(qfs_log_reader *r, uint64_t index, qfs_diag *diag);

/* Chain hash after the last record the reader fully verified. */
void qfs_log_reader_chain_head(const qfs_log_reader *r, qfs_hash128 *out);

/* The schema hash from the file header. */
void qfs_log_reader_schema(const qfs_log_reader *r, qfs_hash128 *out);

/* File offset of the record that holds the event the last successful
 * _next returned (the record's header; 0 before any event was returned).
 * Diagnostics about an event's content name it as the event's place in the
 * file. */
uint64_t qfs_log_reader_record_offset(const qfs_log_reader *r);

/* Records fully read so far. */
uint64_t qfs_log_reader_record_count(const qfs_log_reader *r);

/* Closes the file and frees the reader. Accepts NULL. */
void qfs_log_reader_free(qfs_log_reader *r);

/* ---- Check ----------------------------------------------------------- */

typedef enum qfs_log_status {
    QFS_LOG_OK = 0,        /* every record verified */
    QFS_LOG_TORN_TAIL = 1, /* verified up to a torn last record */
    QFS_LOG_CORRUPT = 2    /* damage that is not a torn tail */
} qfs_log_status;

typedef struct qfs_log_check_result {
    qfs_log_status status;
    uint64_t event_count;  /* events in verified records */
    uint64_t record_count; /* verified records */
    uint64_t file_bytes;
    uint64_t valid_bytes; /* bytes up to the end of the last verified record */
    qfs_hash128 chain_head;
    qfs_hash128 schema;
    /* For TORN_TAIL and CORRUPT: where the damaged record starts, the index
     * its first event would have, and what is wrong. */
    uint64_t damage_offset;
    uint64_t damage_event_index;
    char damage[256];
} qfs_log_check_result;

/* Verifies the whole log without modifying it. Returns QFS_OK when the check
 * ran (whatever it found: see out->status), or an error when it could not
 * run (QFS_E_IO, QFS_E_NOT_FOUND, QFS_E_FORMAT, QFS_E_VERSION). */
qfs_err qfs_log_check(const char *path, const qfs_storage *storage, qfs_log_check_result *out,
                      qfs_diag *diag);

#ifdef __cplusplus
}
#endif
#endif
